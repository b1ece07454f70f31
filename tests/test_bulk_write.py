"""Tables written in bulk (planner/io/splice.py) read back exactly as openpyxl cell by cell would have written them."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planner
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from planner.io.splice import BulkCells
from planner.io.reproducible import workbook_bytes
from planner.schema import UNWRITABLE

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


# ---- well-formed whatever the text: no value reaches the XML raw -------------------------------------------



# any character, surrogates included, with those XML cannot hold and those it escapes drawn often
AWKWARD = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(
    "\x00\x01\x08\x0b\x0c\x1f\t\n\r\ufffe\uffff\ud800\udfff&<>\"' ")), max_size=12)


def well_formed(package: bytes) -> dict[str, bytes]:
    """Every XML part of a package, each parsed (a part XML cannot read raises)."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist() if n.endswith((".xml", ".rels"))}
    for name, xml in parts.items():
        ET.fromstring(xml)  # raises ParseError on a part that is not well-formed
    return parts


def test_a_nul_in_a_plain_column_is_not_written_raw() -> None:
    """The bulk writer's plain test joined the values with NULs and removed them before looking for characters
    XML cannot hold, and with them a value's own: 'Chi\\x00na' went into the sheet raw, and the plan was corrupt."""
    wb = openpyxl.Workbook()
    bulk = BulkCells(wb)
    bulk.add(wb.active, 1, 1, [(["Chi\x00na", "Chile", "x\ufffe", "y\ud800"], None)])
    package = workbook_bytes(wb, bulk.finish())
    assert b"\x00" not in well_formed(package)["xl/worksheets/sheet1.xml"]
    back = openpyxl.load_workbook(io.BytesIO(package)).active
    assert [back.cell(row=r, column=1).value for r in range(1, 5)] == ["China", "Chile", "x", "y"]


@settings(max_examples=150, deadline=None)
@given(st.lists(AWKWARD, min_size=1, max_size=6), AWKWARD)
def test_every_workbook_is_well_formed_whatever_the_text(texts: list[str], other: str) -> None:
    """Any string, in a bulk-written column and in a cell openpyxl writes (set as a reader would hand it over,
    past openpyxl's own check), gives a workbook whose every part parses, and reads back as the text without
    the characters XML cannot hold."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(row=1, column=1, value="header")
    ws.cell(row=1, column=2)._value = other  # what a writer hands openpyxl; openpyxl checks only control characters
    ws.cell(row=1, column=2).data_type = "s"
    bulk = BulkCells(wb)
    bulk.add(ws, 2, 1, [(texts, None), ([1.0] * len(texts), "0.00")])
    package = workbook_bytes(wb, bulk.finish())
    well_formed(package)
    back = openpyxl.load_workbook(io.BytesIO(package)).active
    expected = [UNWRITABLE.sub("", t)[:32767] for t in texts]
    assert [back.cell(row=r, column=1).value or "" for r in range(2, 2 + len(texts))] == expected
    assert (back.cell(row=1, column=2).value or "") == UNWRITABLE.sub("", other)


def test_a_plan_from_awkward_text_is_well_formed(tmp_path: Path) -> None:
    """The plan writer end to end: a unit and a warning holding what XML cannot hold still give a plan whose
    every part parses (the readers refuse such text; this is the writer's own guard)."""
    data, _ = planner.read(ROOT / "inputs" / "example.xlsx")
    plan = planner.solve(data)
    lines = plan.lines.copy()
    lines["unit"] = ["t\x00", "kg\ufffe", "a\ud800b"] * (len(lines) // 3) + ["x"] * (len(lines) % 3)
    plan.lines = pd.DataFrame(lines)
    plan.warnings = ["odd \ufffe warning"]
    planner.write_plan(plan, tmp_path / "plan.xlsx", data=data)
    well_formed((tmp_path / "plan.xlsx").read_bytes())
    assert openpyxl.load_workbook(tmp_path / "plan.xlsx")["Plan"]["E2"].value == "t"
