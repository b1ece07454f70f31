"""Build the bundled example workbooks from their CSV files: inputs/NAME/*.csv -> inputs/NAME.xlsx.

The data lives in those CSV files so that every figure can be reviewed and
diffed as text; sources.csv becomes the README sheet's notes. Four examples
are bundled: `example` (one year of critical raw materials), `defence` (four
years of artillery shells with a rising Ukrainian share and a joint-venture
plant), `trader` (eight months of magnets shipped from Asia on three
routes) and `controls` (two-stage: a year of contracts for five materials
under China's export controls, with spot prices, shortage costs and the
controls as scenarios with probabilities). Run from the repository root after
editing a CSV:

    python inputs/build_example.py             # all four
    python inputs/build_example.py defence     # one of them
    python inputs/build_example.py OUT.xlsx    # the first example, to another file

and commit both the CSVs and the regenerated workbooks.
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
EXAMPLES = ("example", "defence", "trader", "controls")
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


def load(name: str, folder: Path = DATA) -> list[list[object]]:
    """A sheet's rows from its CSV, in the schema's column order (columns the CSV lacks stay blank); a sheet
    without a CSV is written empty.

    The CSV names its columns in its header, each a column of the sheet in the schema, in any order: the
    examples' CSVs name only the columns they fill, and a column the schema adds later does not shift them.
    """
    path = folder / f"{name.lower()}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    spec = next(s for s in SHEETS if s.name == name)
    columns = [c.name for c in spec.columns]
    unknown = [c for c in rows[0] if c not in columns]
    if unknown or len(set(rows[0])) != len(rows[0]):
        raise SystemExit(f"{path}: header {rows[0]}: {unknown or 'a repeated column'} is not one of the "
                         f"{name} sheet's columns {columns}")
    place = [columns.index(c) for c in rows[0]]
    out = []
    for row in rows[1:]:
        values: list[object] = [None] * len(columns)
        for k, text in zip(place, row):
            values[k] = cell(text)
        out.append(values)
    return out


def build(target: Path, folder: Path = DATA) -> None:
    """Write the workbook of the CSVs in `folder` to `target`; a CSV no sheet of the schema reads is refused
    rather than left out of the workbook unsaid."""
    known = {spec.name.lower() for spec in SHEETS} | {"sources"}
    stray = sorted(p.name for p in folder.glob("*.csv") if p.stem not in known)
    if stray:
        raise SystemExit(f"{folder}: {', '.join(stray)}: no sheet of this planner's workbook "
                         f"(planner/schema.py SHEETS) is called so")
    rows = {spec.name: load(spec.name, folder) for spec in SHEETS}
    with open(folder / "sources.csv", newline="", encoding="utf-8") as handle:
        notes = [(r["topic"], r["note"]) for r in csv.DictReader(handle)]
    write_input_workbook(target, rows, notes)


def main(argv: list[str]) -> None:
    if len(argv) == 1 and argv[0] not in EXAMPLES:  # as before: the first example to the file named
        build(Path(argv[0]))
        return
    for name in argv or EXAMPLES:
        if name not in EXAMPLES:
            raise SystemExit(f"{name}: not one of the bundled examples {', '.join(EXAMPLES)}")
        build(HERE / f"{name}.xlsx", HERE / name)


if __name__ == "__main__":
    main(sys.argv[1:])
