"""The header style shared by every workbook the planner writes (inputs, templates, plans)."""

from __future__ import annotations

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
