"""No cell of a written plan shows ###: every number fits its column as its format displays it.

Excel and LibreOffice show ### where a number's displayed text is wider
than its column; text spills or wraps, numbers do not. The Rules sheet has
fixed widths for printing, and a billion-euro plan once showed ### there
(`optimum_without` 2,157,991,230.00 in a 14-character column).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from helpers import countries, write_workbook
from planner.cli import main
from planner.io.style import displayed

# One item, demand 1,000,000 t: C1 sells at 3,000, C2 at 3,500; C1 may hold at most 50 %.
# Cost: 500,000 * 3,000 + 500,000 * 3,500 = 3,250,000,000; without the cap 3,000,000,000.
BILLIONS = {
    "Items": [["A", 1_000_000, "t"]],
    "Suppliers": [["S1", "C1"], ["S2", "C2"]],
    "Countries": countries("C1", "C2"),
    "Offers": [["A", "S1", 3000], ["A", "S2", 3500]],
    "Policy": [["max_share", None, "C1", 0.5]],
    "Scenarios": [["c1-stops", None, "C1", 0]],
}


def narrow_numbers(path: Path) -> list[str]:
    """Every number cell whose displayed text does not fit its column, as `Sheet!B7 '2,157,991,230.00' in 14.0`."""
    found = []
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    width = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43  # Excel's default
                    text = displayed(cell.value, cell.number_format)
                    if len(text) > width:
                        found.append(f"{ws.title}!{cell.coordinate} {text!r} in {width}")
    return found


def test_a_billion_euro_plan_shows_no_hashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BILLIONS)
    plan = tmp_path / "plan.xlsx"
    assert main(["solve", str(source), "-o", str(plan)]) == 0, capsys.readouterr().err
    assert "total cost 3,250,000,000.00" in capsys.readouterr().out
    rules = openpyxl.load_workbook(plan)["Rules"]
    assert any(cell.value == pytest.approx(3_000_000_000) for row in rules.iter_rows() for cell in row)
    assert narrow_numbers(plan) == []
