"""Cells as read from a worksheet, before any typing: the reader's output.

Kept apart from the reader so that validation never needs openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawCell:
    value: object  # str, int, float, bool, datetime, or None for blank
    coordinate: str  # "C14"
    error: str | None = None  # a formula without stored value, an Excel error value


@dataclass(frozen=True)
class RawRow:
    row: int  # as Excel shows it
    cells: dict[str, RawCell]  # keyed by the schema's column name


@dataclass
class RawSheet:
    name: str  # as spelt in the workbook
    spec_name: str  # as named in the schema
    header_row: int
    columns: dict[str, str]  # schema column name -> column letter
    rows: list[RawRow] = field(default_factory=list)


@dataclass
class RawWorkbook:
    path: str
    sha256: str
    sheets: dict[str, RawSheet]  # keyed by schema sheet name


def column_letter(number: int) -> str:
    """Spreadsheet column letters for a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
