"""Write a copy of an input workbook with its Scenarios sheet replaced by (or extended with) generated rows.

The input file is never changed: it is opened through the guard, its sheets
loaded with their stored values (openpyxl cannot keep a formula and its
value both, and a formula without a stored value would not read back), and
the copy written atomically. Every other sheet keeps its cells, tables,
comments and dropdowns; charts and images of the input are not copied
(openpyxl drops them), which no input sheet needs.

A row may carry a note (how an export control's material named its item):
it goes in the sheet's own `note` (or `description`, `comment`) column when
the sheet kept under --append has one, else in an Excel note on the row's
`item` cell, so that the sheet the planner reads has no column it does not
know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.atomic import atomic_write
from planner.io.guard import ReadLimits, open_workbook
from planner.io.read import load_openpyxl
from planner.io.reproducible import workbook_bytes
from planner.io.style import header as style_header
from planner.problems import ProblemLog

SHEET = "Scenarios"
DATE_FORMAT = "yyyy-mm-dd"
NOTE_COLUMNS = ("note", "description", "comment")  # a column of the sheet's own that takes a row's note


def _key(name: object) -> str:
    """A sheet name or header as the reader matches it: case, surrounding spaces and `_` vs space ignored."""
    return " ".join(str(name).replace("_", " ").split()).casefold() if name is not None else ""


def write_scenarios(source: Path, target: Path, columns: Sequence[str], rows: Sequence[Sequence[object]],
                    append: bool, log: ProblemLog, limits: ReadLimits | None = None,
                    notes: Sequence[str] = ()) -> bool:
    """Write `target`: the workbook at `source` with `rows` (cells in `columns` order) as its Scenarios data,
    replacing the sheet's rows, or below them when `append`; `notes[k]` ("" none) is row k's note. False, with
    the reason in `log`, when the input cannot be opened or its Scenarios sheet cannot take rows (a table with a
    totals row)."""
    book = open_workbook(source, log, limits)
    wb = load_openpyxl(book, log, data_only=True) if book is not None else None
    if wb is None:
        return False
    found = next((ws for ws in wb.worksheets if _key(ws.title) == _key(SHEET)), None)
    if found is not None and append:
        if not _append(found, columns, rows, log, notes):
            return False
    else:
        index = wb.worksheets.index(found) if found is not None else len(wb.worksheets)
        title = found.title if found is not None else SHEET
        if found is not None:
            wb.remove(found)
        _fill(wb.create_sheet(title, index), columns, rows, notes)
    atomic_write(target, workbook_bytes(wb))
    return True


def _fill(ws: Worksheet, columns: Sequence[str], rows: Sequence[Sequence[object]], notes: Sequence[str]) -> None:
    style_header(ws, list(columns))
    item = list(map(_key, columns)).index("item") + 1
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value)
        _note(ws, r, item, None, notes[r - 2] if r - 2 < len(notes) else "")
    for c, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = max(12, len(name) + 4)
    ws.column_dimensions["A"].width = max(16, min(60, max((len(str(r[0])) for r in rows), default=0) + 2))
    ws.column_dimensions["C"].width = max(16, min(60, max((len(str(r[2])) for r in rows), default=0) + 2))


def _put(ws: Worksheet, row: int, column: int, value: object) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def _note(ws: Worksheet, row: int, item: int, column: int | None, text: str) -> None:
    """Row `row`'s note: in the sheet's note column `column`, else an Excel note on its item cell."""
    if not text:
        return
    if column is not None:
        ws.cell(row=row, column=column, value=text)
    else:
        ws.cell(row=row, column=item).comment = Comment(text, "planner", width=320, height=60)


def _append(ws: Worksheet, columns: Sequence[str], rows: Sequence[Sequence[object]], log: ProblemLog,
            notes: Sequence[str] = ()) -> bool:
    """Rows below the sheet's last row (or its one table's), in the columns of the sheet's header that have the
    names of `columns`; a column the header lacks is added at its right (and to the table)."""
    tables = list(ws.tables.values())
    table = tables[0] if len(tables) == 1 else None
    if table is not None and table.totalsRowCount:
        log.error(SHEET, "", "", f"its table {table.displayName} has a totals row, below which rows cannot be "
                                 "appended: remove the totals row, or write the sheet anew (without --append)")
        return False
    if table is not None:
        from openpyxl.utils.cell import range_boundaries

        first_col, header_row, last_col, last_row = range_boundaries(table.ref)
    else:
        first_col, header_row = 1, 1
        last_col = max(1, ws.max_column)
        last_row = max((cell.row for cell in ws._cells.values() if cell.value is not None), default=1)
    where: dict[str, int] = {}
    for c in range(first_col, last_col + 1):
        where.setdefault(_key(ws.cell(row=header_row, column=c).value), c)
    for name in columns:
        if _key(name) not in where:
            last_col += 1
            style_header(ws, [name], row=header_row, first_column=last_col)
            where[_key(name)] = last_col
            if table is not None:
                table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=name))
    own = next((where[_key(name)] for name in NOTE_COLUMNS if _key(name) in where), None)
    for k, (r, values) in enumerate(enumerate(rows, start=last_row + 1)):
        for name, value in zip(columns, values):
            _put(ws, r, where[_key(name)], value)
        _note(ws, r, where[_key("item")], own, notes[k] if k < len(notes) else "")
    if table is not None:
        table.ref = f"{get_column_letter(first_col)}{header_row}:{get_column_letter(last_col)}" \
                    f"{max(last_row + len(rows), header_row + 1)}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    return True
