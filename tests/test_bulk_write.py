"""Tables written in bulk (planner/io/bulk.py) read back exactly as openpyxl cell by cell would have written them."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import planner
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from planner.io.bulk import BulkCells

ROOT = Path(__file__).resolve().parents[1]


def cell_by_cell(self: BulkCells, ws, first_row: int, first_col: int, columns, style_blanks: bool = False) -> None:
    """What `BulkCells.add` stands for, done with openpyxl cells (the reference)."""
    for offset, (values, fmt) in enumerate(columns):
        for r, value in enumerate(values, start=first_row):
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            if isinstance(value, str):  # openpyxl refuses control characters; bulk writing drops them
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value is None and not (style_blanks and fmt):
                continue
            cell = ws.cell(row=r, column=first_col + offset, value=value)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if fmt and (numeric or (style_blanks and value is None)):
                cell.number_format = fmt


def cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title, "widths"] = {k: v.width for k, v in ws.column_dimensions.items()}
        out[ws.title, "dimensions"] = ws.dimensions
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    out[ws.title, c.coordinate] = (c.value, c.data_type, c.number_format, c.font.b)
    return out


def both_ways(plan: planner.Plan, data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:
    planner.write_plan(plan, tmp_path / "bulk.xlsx", data=data)
    with monkeypatch.context() as patch:
        patch.setattr(BulkCells, "add", cell_by_cell)
        planner.write_plan(plan, tmp_path / "cells.xlsx", data=data)
    return cells(tmp_path / "bulk.xlsx"), cells(tmp_path / "cells.xlsx")


def test_example_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = planner.read(ROOT / "inputs" / "example.xlsx")
    bulk, reference = both_ways(planner.solve(data), data, tmp_path, monkeypatch)
    assert bulk == reference


def test_awkward_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Markup characters, spaces at the ends, non-ASCII, control characters, booleans, blanks, NaN and infinity."""
    data, _ = planner.read(ROOT / "inputs" / "example.xlsx")
    plan = planner.solve(data)
    lines = plan.lines.copy()
    n = len(lines)
    lines["unit"] = ["<t> & \"kg\"", "  leading", "trailing  ", "Größe 💡", "tab\there", "bell\x07", ""] * (n // 7) \
        + ["x"] * (n % 7)
    lines["blocs"] = [True, False, None] * (n // 3) + [None] * (n % 3)
    lines["price"] = [math.nan, math.inf, -0.0, 1e-300, 123456789012345678, 0.1 + 0.2] * (n // 6) + [1.0] * (n % 6)
    lines.loc[lines.index[0], "country_name"] = "y" * 40_000  # longer than a cell holds: cut at 32,767
    plan.lines = pd.DataFrame(lines)
    bulk, reference = both_ways(plan, data, tmp_path, monkeypatch)
    assert bulk == reference
    assert bulk["Plan", "E7"][0] == "bell"


def test_bulk_columns_are_measured_as_their_format_shows_them() -> None:
    """Widths count the characters a spreadsheet shows: 0.505 in 0.00% is 50.50% (6, not 4 for 0.51),
    2679200 in #,##0.00 is 2,679,200.00 (12, not 7), -5200 in #,##0 is -5,200 (6), text as it is."""
    wb = openpyxl.Workbook()
    bulk = BulkCells(wb)
    bulk.add(wb.active, 2, 1, [([0.25, 0.505], "0.00%"), ([42000, 2679200], "#,##0.00"), ([-5200, 7], "#,##0"),
                               (["ab", "abcdefg"], None), ([1234.5, 2.0], None)])
    assert bulk.widths(wb.active) == {1: 6, 2: 12, 3: 6, 4: 7, 5: 6}
