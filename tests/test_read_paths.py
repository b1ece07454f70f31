"""The two workbook readers agree: values only (python-calamine, as columns) and cell by cell (openpyxl).

A workbook whose cells say nothing beyond their values is read the fast
way; the suite's other tests go through whichever reader a file calls for.
Here every catalogue file and some valid workbooks are read both ways, and
the outcome (the data, or every message) must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import planner
import planner.io.read as reader
from catalogue import CASES
from helpers import countries, write_workbook
from planner.io.guard import GuardedWorkbook, open_workbook
from planner.problems import InputError, ProblemLog

ROOT = Path(__file__).resolve().parents[1]


def outcome(path: Path, cell_by_cell: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        if cell_by_cell:
            patch.setattr(reader, "_values_only", lambda content, log: None)
        try:
            data, warnings = planner.read(path)
        except InputError as exc:
            return [str(p) for p in exc.problems]
        except (OSError, ValueError) as exc:
            return f"{type(exc).__name__}: {exc}"
        return data, [str(w) for w in warnings]


def guarded(path: Path) -> GuardedWorkbook | None:
    return open_workbook(path, ProblemLog())


def valid_books(folder: Path) -> list[Path]:
    offers = [["A", "S1", 10, 60, None, 1.5], ["A", "S2", 12.25, None, 5, None], ["B", "S1", " 7 ", 9, None, 0],
              ["B", "S2", 3, 40, None, None], [None, None, None, None, None, None], ["C", "S2", 1e-3, 1e9, 0, 0]]
    plain = write_workbook(folder / "plain.xlsx", {
        "Items": [["A", 100, "t"], ["B", 20, "kg"], [" C ", 0, None]],
        "Suppliers": [["S1", "CN", 150, None], ["S2", "DE", None, 1000]],
        "Countries": countries("CN", "DE", blocs={"DE": "EU, MSP"}, tariffs={"CN": 0.1}),
        "Offers": offers,
        "Policy": [["max_share", None, "country:CN", 0.6], ["min_coverage", "A", None, 0.5]],
        "Scenarios": [["CN stop", None, "CN", 0]]})
    from planner.cli import main

    assert main(["template", str(folder / "template.xlsx")]) == 0
    return [plain, ROOT / "inputs" / "example.xlsx", folder / "template.xlsx"]


def test_valid_workbooks_read_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in valid_books(tmp_path):
        assert reader._values_only(guarded(path), None) is not None, f"{path.name} should be read by values"
        fast, slow = outcome(path, False, monkeypatch), outcome(path, True, monkeypatch)
        assert fast == slow, path.name


# Cases written with Excel's escape of a control character (`_x0000_`): python-calamine decodes the escapes of
# U+0000-U+00FF into the character, openpyxl gives the text as written. The readers differ there (a known
# difference, not a choice): the fast reader refuses the character; the cell-by-cell reader reads the escape as
# plain text, which holds nothing XML cannot write.
ESCAPES_DECODED_BY_CALAMINE_ONLY = {"nul-in-text", "control-in-id", "control-in-header"}


def test_malformed_workbooks_read_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every catalogue case that is an .xlsx file (the others are not workbooks: .ods, .csv, a folder, ...)."""
    compared = []
    for cid, builder, _ in CASES:
        (tmp_path / cid).mkdir()
        source = builder(tmp_path / cid)
        if source.is_file() and source.suffix == ".xlsx":
            if cid in ESCAPES_DECODED_BY_CALAMINE_ONLY:
                assert "_x00" in repr(outcome(source, True, monkeypatch)), cid
                continue
            assert outcome(source, False, monkeypatch) == outcome(source, True, monkeypatch), cid
            compared.append(cid)
    assert len(compared) >= 45


def test_which_files_need_the_cell_by_cell_reader(tmp_path: Path) -> None:
    """Merged cells, formulas without a stored value, Excel error values and DTDs need openpyxl (as do files
    calamine cannot open, and sheets not written as usual: `_plain_sheet`); every other catalogue workbook the guard lets through is read by values."""
    needs = set()
    for cid, builder, _ in CASES:
        (tmp_path / cid).mkdir()
        path = builder(tmp_path / cid)
        book = guarded(path) if path.is_file() and path.suffix == ".xlsx" else None
        if book is not None and reader._values_only(book, None) is None:
            needs.add(cid)
    assert needs == {"merged-cells", "formula-without-value", "excel-error-value", "xml-entities",
                     # the same, in a sheet stored outside xl/worksheets/, or hidden by a namespace prefix
                     "sheet-outside-worksheets-error", "sheet-outside-worksheets-formula", "prefixed-sheet-merge"}
