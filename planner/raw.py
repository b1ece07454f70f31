"""Cells as read from a worksheet, before any typing: the reader's output.

Kept apart from the reader so that validation never needs openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

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


class RawSheet:
    """One sheet's data rows, keyed by the schema's column names.

    Filled row by row (`rows.append`), or, for large sheets, column by
    column (`set_columns`): then `values[column][k]` is the value of data
    row `numbers[k]`, and `rows` is built from them only when asked for, so
    that a validator can check clean columns in bulk and go cell by cell only
    to report problems.
    """

    def __init__(self, name: str, spec_name: str, header_row: int, columns: dict[str, str],
                 rows: list[RawRow] | None = None) -> None:
        self.name = name  # as spelt in the workbook
        self.spec_name = spec_name  # as named in the schema
        self.header_row = header_row
        self.columns = columns  # schema column name -> column letter
        self._rows: list[RawRow] | None = rows if rows is not None else []
        self.values: dict[str, list[object]] | None = None
        self.numbers: list[int] | None = None
        self._whole_as_int = False

    def set_columns(self, values: dict[str, list[object]], numbers: list[int], whole_as_int: bool = False) -> None:
        """The data as columns: `values[column][k]` is in row `numbers[k]`; no cell holds an error.

        `whole_as_int`: the values come from a reader that gives every number
        as a float; rows then show whole numbers as int, as Excel stores them.
        """
        self.values, self.numbers, self._rows, self._whole_as_int = values, numbers, None, whole_as_int

    def fill_columns(self, values: dict[str, list[object]], first_row: int, whole_as_int: bool = False) -> None:
        """`set_columns` from columns that start at row `first_row` and may hold blank rows (left out, as a
        row-by-row reader leaves them out): a row is blank when all its cells are None or whitespace."""
        length = len(next(iter(values.values()), []))
        filled = np.zeros(length, dtype=bool)
        for column in values.values():
            if str in set(map(type, column)):
                filled |= np.fromiter((v is not None and not (type(v) is str and not v.strip()) for v in column),
                                      dtype=bool, count=length)
            else:
                filled |= np.fromiter((v is not None for v in column), dtype=bool, count=length)
        keep = np.flatnonzero(filled)
        if len(keep) < length:
            values = {key: [column[k] for k in keep.tolist()] for key, column in values.items()}
        self.set_columns(values, (keep + first_row).tolist(), whole_as_int)

    @property
    def rows(self) -> list[RawRow]:
        if self._rows is None:
            assert self.values is not None and self.numbers is not None
            letters = [(key, self.columns[key], column) for key, column in self.values.items()]
            read = _as_read if self._whole_as_int else (lambda value: value)
            self._rows = [RawRow(number, {key: RawCell(read(column[k]), f"{letter}{number}")
                                          for key, letter, column in letters})
                          for k, number in enumerate(self.numbers)]
        return self._rows

    def __len__(self) -> int:
        return len(self.numbers) if self._rows is None and self.numbers is not None else len(self.rows)


def _as_read(value: object) -> object:
    """A value as a cell-by-cell reader gives it: whole numbers as int (as Excel stores them)."""
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


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
    from planner.schema import escaped, normalize, unwritable

    known = {normalize(c.name): c.name for c in spec.columns}
    columns: dict[str, str] = {}
    extra: list[str] = []
    for number, label in labels:
        if label is None or str(label).strip() == "":
            continue
        letter = column_letter(number)
        problem = unwritable(label)
        if problem is not None:  # a header is text like any other, and an ignored one is named in a warning
            log.error(sheet, f"{letter}{header_row}", "", f"the header {problem}", escaped(label))
            continue
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
