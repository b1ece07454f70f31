"""The header style shared by every workbook the planner writes (inputs, templates, plans), and how a number
shows in a cell of a given number format (to size columns by it)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")


def header(ws: Worksheet, names: Iterable[object], row: int = 1, first_column: int = 1) -> list[Cell]:
    """Write `names` as a styled header row; return the cells (for comments or alignment)."""
    cells = []
    for col, name in enumerate(names, start=first_column):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


_FIXED = re.compile(r"^(#,##)?0(\.(0+))?(%?)$")


def displayed(value: object, number_format: str | None) -> str:
    """The text a spreadsheet shows for `value` in a cell of `number_format`, as far as its width goes.

    Columns are sized on this text: sized on the bare number instead, 2679200 (7 characters) in `#,##0.00`
    shows as 2,679,200.00 (12), and the cell shows ###. Formats of the form `0`, `#,##0`, `0.00`, `#,##0.00`
    and `0.00%` are rendered exactly; any other format, and `General`, as Python writes the number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    match = _FIXED.match(number_format or "")
    if match is None:
        return str(value) if isinstance(value, int) else f"{value:.10g}"  # General shows about 10 digits
    separators, decimals, percent = match.group(1) is not None, len(match.group(3) or ""), match.group(4)
    number = value * 100 if percent else value
    return f"{number:{',' if separators else ''}.{decimals}f}{percent}"
