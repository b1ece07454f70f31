"""Build inputs/example.xlsx from the CSV files in inputs/example/.

The data lives in those CSV files so that every figure can be reviewed and
diffed as text; sources.csv becomes the README sheet's notes. Run from the
repository root after editing a CSV:

    python inputs/build_example.py

and commit both the CSVs and the regenerated workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from pathlib import Path

from planner.io.write_input import write_input_workbook
from planner.schema import SHEETS

HERE = Path(__file__).resolve().parent
DATA = HERE / "example"


def cell(text: str) -> str | float | int | dt.date | None:
    """CSV text -> workbook cell: blank stays blank, numbers become numbers, YYYY-MM-DD becomes a date."""
    text = text.strip()
    if text == "":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def load(name: str) -> list[list[object]]:
    """A sheet's rows from its CSV, whose header is the schema's first columns (the others stay blank); a sheet
    without a CSV is written empty."""
    path = DATA / f"{name.lower()}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    spec = next(s for s in SHEETS if s.name == name)
    columns = [c.name for c in spec.columns]
    if rows[0] != columns[:len(rows[0])]:
        raise SystemExit(f"{path.name}: header {rows[0]} is not the schema's first columns {columns}")
    return [[cell(v) for v in row] + [None] * (len(columns) - len(row)) for row in rows[1:]]


def build(target: Path) -> None:
    rows = {spec.name: load(spec.name) for spec in SHEETS}
    with open(DATA / "sources.csv", newline="", encoding="utf-8") as handle:
        notes = [(r["topic"], r["note"]) for r in csv.DictReader(handle)]
    write_input_workbook(target, rows, notes)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "example.xlsx")
