"""Cells as read from a worksheet, before any typing: the reader's output.

Kept apart from the reader so that validation never needs openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.problems import ProblemLog
    from planner.schema import SheetSpec


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


def match_header(sheet: str, header_row: int, labels: Iterable[tuple[int, object]], spec: SheetSpec,
                 log: ProblemLog, ignored_note: str = "not part of the input format") -> dict[str, str]:
    """Column name -> letter for the headers that `spec` knows, from (column number, header text) pairs.

    Headers match as `schema.normalize` says; a header given twice is an
    error, unknown headers are listed in one warning.
    """
    from planner.schema import normalize

    known = {normalize(c.name): c.name for c in spec.columns}
    columns: dict[str, str] = {}
    extra: list[str] = []
    for number, label in labels:
        if label is None or str(label).strip() == "":
            continue
        letter = column_letter(number)
        key = known.get(normalize(label))
        if key is None:
            extra.append(f"{label} ({letter})")
        elif key in columns:
            log.error(sheet, f"{letter}{header_row}", key, f"column appears twice (also in column {columns[key]})", label)
        else:
            columns[key] = letter
    if extra:
        log.warning(sheet, f"{header_row}:{header_row}", "", f"columns ignored ({ignored_note}): {', '.join(extra)}")
    return columns
