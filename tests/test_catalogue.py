"""The catalogue of bad input: each malformed file gives exit 2, its exact messages, no traceback,
and leaves every file as it was (tests/catalogue.py builds them)."""

from __future__ import annotations

import builtins
import errno
import hashlib
import os
from pathlib import Path

import openpyxl
import pytest

from catalogue import BASE, CASES, COMMAND_CASES, UNREADABLE
from helpers import write_workbook
from planner.cli import main


def digest(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except PermissionError:  # an UNREADABLE case, where the tests do not run as root
        return f"unreadable, {path.stat().st_size} bytes, modified {path.stat().st_mtime_ns}"


@pytest.fixture(autouse=True)
def unreadable_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a path in catalogue.UNREADABLE raises PermissionError, as it does for a user without read access
    (chmod 000 alone does not stop root, whom the tests run as)."""
    real = builtins.open

    def refusing(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, os.PathLike)) and Path(file) in UNREADABLE:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)


def test_the_catalogue_is_large_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len({cid for cid, _, _ in CASES}) == len(CASES)
    assert len({tuple(expected) for _, _, expected in CASES}) == len(CASES)
    assert len({cid for cid, _, _ in CASES + COMMAND_CASES}) == len(CASES) + len(COMMAND_CASES)
    assert len({tuple(expected) for _, _, expected in COMMAND_CASES}) == len(COMMAND_CASES)


@pytest.mark.parametrize("builder, expected", [(b, e) for _, b, e in CASES], ids=[c for c, _, _ in CASES])
def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], builder, expected: list[str]) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    source = builder(folder)
    before = digest(source)
    plan = folder / "plan.xlsx"
    plan.write_bytes(b"the previous plan")
    code = main(["solve", str(source), "-o", str(plan)])
    out, err = capsys.readouterr()
    assert code == 2
    errors = [line[len("  error: "):] for line in err.splitlines() if line.startswith("  error: ")]
    assert errors == [e.replace("{folder}", str(folder)) for e in expected]
    assert "Traceback" not in err + out and "internal error" not in err
    assert digest(source) == before and plan.read_bytes() == b"the previous plan"
    assert not [p.name for p in folder.iterdir() if p.suffix == ".tmp" or p.name.startswith(".plan")]


@pytest.mark.parametrize("builder, expected", [(b, e) for _, b, e in COMMAND_CASES],
                         ids=[c for c, _, _ in COMMAND_CASES])
def test_bad_file_of_another_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], builder,
                                     expected: list[str]) -> None:
    """Batch tables, plans given to diff and update files pass the same guard: exit 2, the exact messages, no
    traceback, no file written or changed."""
    folder = tmp_path / "work"
    folder.mkdir()
    argv = builder(folder)
    before = {p.name: digest(p) for p in folder.iterdir()}
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    errors = [line[len("  error: "):] for line in err.splitlines() if line.startswith("  error: ")]
    assert errors == [e.replace("{folder}", str(folder)) for e in expected]
    assert "Traceback" not in err + out and "internal error" not in err
    assert {p.name: digest(p) for p in folder.iterdir()} == before


def test_limits_can_be_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    assert main(["validate", str(source), "--max-file-mb", "0.001"]) == 2
    assert "above the limit of 0.001 MB (raise it with --max-file-mb)" in capsys.readouterr().out
    assert main(["validate", str(source), "--max-file-mb", "1"]) == 0


@pytest.mark.parametrize("setup, output, message", [
    (None, "missing/plan.xlsx", "the output folder '{tmp}/missing' does not exist"),
    (None, "plan.csv", "the plan must be an .xlsx file, got '{tmp}/plan.csv'"),
    ("folder", "plan.xlsx", "the output '{tmp}/plan.xlsx' is a folder"),
    ("~$plan.xlsx", "plan.xlsx", "'plan.xlsx' is open in Excel (lock file '~$plan.xlsx'): close it first, or delete "
                                 "the lock file if Excel is not running"),
    (".~lock.plan.xlsx#", "plan.xlsx", "'plan.xlsx' is open in LibreOffice (lock file '.~lock.plan.xlsx#'): close it "
                                       "first, or delete the lock file if LibreOffice is not running"),
    (None, "in.xlsx", "the output '{tmp}/in.xlsx' is the input file; choose another output path"),
])
def test_bad_output(tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str | None, output: str,
                    message: str) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    before = digest(source)
    if setup == "folder":
        (tmp_path / output).mkdir()
    elif setup:
        (tmp_path / setup).write_text("lock")
    assert main(["solve", str(source), "-o", str(tmp_path / output)]) == 2
    assert capsys.readouterr().err.strip() == f"invalid: {message.replace('{tmp}', str(tmp_path))}"
    assert digest(source) == before
    assert not (tmp_path / output).is_file() or output == "in.xlsx"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write in any folder")
def test_unwritable_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["solve", str(source), "-o", str(locked / "plan.xlsx")]) == 2
        assert "permission denied" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_unwritable_output_folder_as_the_check_sees_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The same refusal where the test runs as root (which may write anywhere): os.access says no."""
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    assert main(["solve", str(source), "-o", str(locked / "plan.xlsx")]) == 2
    assert capsys.readouterr().err.strip() == (f"invalid: cannot write in the output folder '{locked}' "
                                               "(permission denied)")


def test_hidden_sheets_and_rows_are_read_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Decision: hidden and filtered data is data. It is read, and a warning says so."""
    path = write_workbook(tmp_path / "in.xlsx", BASE)
    wb = openpyxl.load_workbook(path)
    wb["Scenarios"].sheet_state = "hidden"
    wb["Offers"].row_dimensions[3].hidden = True
    wb.save(path)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: Scenarios: the sheet is hidden; it is read like any other sheet" in out
    assert "warning: Offers!3:3: hidden or filtered rows 3 are read like the others" in out
    assert "3 offers" in out
