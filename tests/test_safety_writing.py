"""Issue 12, writing half: nothing the planner writes carries a live formula from input text, no command writes
over a file it reads or one open in Excel, and odd numbers give a message instead of an internal error."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from catalogue import BASE, FORMULA_LIKE, formula_like_text
from helpers import patch_cell_xml, write_workbook
from planner.cli import main

PLANNER = Path(__file__).resolve().parent.parent / "planner"


def cells(path: Path) -> list[tuple[str, str, object, str]]:
    """(sheet, coordinate, value, data_type) of every cell of every sheet of a workbook."""
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate, c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.value is not None]


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a folder with its bytes and mtime: what 'nothing was changed' compares."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


# ---- 1. every string is a text cell ---------------------------------------------------------------------------------


def test_a_plan_from_formula_like_input_holds_no_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = formula_like_text(tmp_path)
    plan = tmp_path / "plan.xlsx"
    assert main(["solve", str(source), "-o", str(plan)]) == 0, capsys.readouterr().err
    found = cells(plan)
    assert [c for c in found if c[3] == "f"] == []  # the planner writes no formula of its own
    texts = {(sheet, value) for sheet, _, value, kind in found if kind == "s"}
    # the headers openpyxl used to write as formulas, and the bulk-written Plan sheet, hold the text unchanged
    assert ("Shares", "=1+1") in texts and ("Shares", "+C2") in texts
    assert ("Coverage", "=cmd|' /C calc'!A0") in texts and ("Scenarios", "=cmd|' /C calc'!A0") in texts
    assert ("Plan", "=SUM(A1)") in texts and ("Plan", '=HYPERLINK("http://x")') in texts
    assert ("Plan", "-EU") in texts and ("Plan", "@SUM(1)") in texts
    assert ("Summary", "=1+1") in texts


def test_every_writer_keeps_text_as_text(tmp_path: Path) -> None:
    """The batch summary, diff and frontier writers, with every kind of formula-like text, CR and tab included."""
    from planner.batch import SUMMARY_COLUMNS
    from planner.io.write_plan import write_batch_summary, write_frontier

    rows = [{c: (text if c in ("name", "message", "output") else None) for c in SUMMARY_COLUMNS}
            for text in FORMULA_LIKE]
    for k, row in enumerate(rows):
        row.update(run=k + 2, status="optimal", total_cost=1.0, change_vs_first=0.0)
    write_batch_summary(pd.DataFrame(rows, columns=SUMMARY_COLUMNS), {"runs": len(rows)}, tmp_path / "batch.xlsx")
    names = [v for sheet, coord, v, kind in cells(tmp_path / "batch.xlsx") if coord.startswith("B") and kind == "s"]
    assert names == ["name", *FORMULA_LIKE]  # carriage return and leading tab kept
    table = pd.DataFrame({"step": [1], "value": [0.5], "status": ["=1+1"], "total_cost": [1.0],
                          "change_vs_first": [0.0], "hhi_country": [1.0], "surviving: =2+2": [0.5]})
    write_frontier(table, tmp_path / "frontier.xlsx", "=rule", "=EUR", {"input": "=cmd|' /C calc'!A0"})
    found = cells(tmp_path / "frontier.xlsx")
    assert [c for c in found if c[3] == "f"] == []
    assert {"=1+1", "surviving: =2+2", "=cmd|' /C calc'!A0"} <= {v for _, _, v, _ in found}


def test_every_workbook_goes_through_the_text_cell_sweep() -> None:
    """No module but planner/io/reproducible.py turns a workbook into bytes, so no writer can skip text_cells."""
    savers = [p.relative_to(PLANNER).as_posix() for p in PLANNER.rglob("*.py")
              if re.search(r"\.save\(", p.read_text())]
    assert savers == ["io/reproducible.py"]


def test_own_formulas_survive_the_sweep() -> None:
    from openpyxl import Workbook

    from planner.io.reproducible import own_formula, text_cells

    wb = Workbook()
    own_formula(wb.active, "A1", "=SUM(B1:B2)")
    wb.active["A2"] = "=1+1"
    assert text_cells(wb) == 1
    assert (wb.active["A1"].data_type, wb.active["A2"].data_type) == ("f", "s")
