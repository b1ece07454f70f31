"""Reading without misreading (issue 12): numbers shown as typed, blank formula results, sheets that match
one name, hidden rows on the fast reader. The hostile files themselves are in tests/catalogue.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue import BASE
from helpers import patch_cell_xml, write_workbook
from planner.cli import main
from planner.validate import shown


@pytest.mark.parametrize("number, text", [(1.0000001, "1.0000001"), (50.0, "50"), (-5, "-5"), (1e300, "1e+300"),
                                          (0.1 + 0.2, "0.30000000000000004"), (123456789.0, "123456789")])
def test_numbers_are_shown_as_typed(number: float, text: str) -> None:
    assert shown(number) == text


def test_an_override_shows_its_value_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    assert main(["validate", str(source), "--set", "Policy!2=1.0000001", "--set", "time_limit=-0.0000001"]) == 2
    out = capsys.readouterr().out
    assert "error: --set Policy!2=1.0000001: 1.0000001 is not a share in [0, 1] (write 30 % as 0.3)" in out
    assert "error: --set time_limit=-0.0000001: -1e-07 must be positive" in out


def test_a_text_number_is_read_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", {**BASE, "Items": [["A", "100.0000001"], ["B", 10]]})
    assert main(["validate", str(source)]) == 0
    assert "warning: Items!B2 (demand): text '100.0000001' read as the number 100.0000001" in capsys.readouterr().out


def test_frontier_bounds_are_shown_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    assert main(["frontier", str(source), "--rule", "2", "--from", "1.0000001", "--to", "0.5",
                 "-o", str(tmp_path / "f.xlsx")]) == 2
    assert "--from 1.0000001 is not a share in [0, 1]" in capsys.readouterr().err


def test_a_formula_returning_empty_text_is_a_blank_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice stores =IF(...;"";...) as t="str" with an empty value: an optional cell left blank, on
    either reader (a merged cell elsewhere sends the file to the cell-by-cell one)."""
    import planner.io.read as reader

    path = write_workbook(tmp_path / "in.xlsx", {**BASE, "Offers": [["A", "S1", 10, 5], ["A", "S2", 12],
                                                                    ["B", "S2", 4]]})
    patch_cell_xml(path, 4, "D2", '<c r="D2" t="str"><f>IF(1,"","")</f><v></v></c>')
    for cell_by_cell in (False, True):
        with monkeypatch.context() as patch:
            if cell_by_cell:
                patch.setattr(reader, "_values_only", lambda book, log: None)
            assert main(["validate", str(path)]) == 0
        assert "valid: 2 items, 2 suppliers, 2 countries, 3 offers" in capsys.readouterr().out
