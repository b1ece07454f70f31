"""Problems found in an input workbook, collected and raised once.

Every check appends to a `ProblemLog` instead of raising, so the user sees
every problem of a workbook in one run (calliope's habit); the caller raises
`InputError` at the end if any problem is an error. Each problem carries
`(sheet, cell, column, value, message)` as frePPLe's importer does, and prints
as `Offers!C14 (price): -3 is negative`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    sheet: str
    cell: str  # "C14", a row range "1:1", or "" for the whole sheet/workbook
    column: str
    message: str
    value: object = None

    def location(self) -> str:
        place = self.sheet
        if self.cell:
            place = f"{place}!{self.cell}" if place else self.cell
        if self.column:
            place = f"{place} ({self.column})"
        return place

    def __str__(self) -> str:
        place = self.location()
        return f"{place}: {self.message}" if place else self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "column": self.column,
            "value": _jsonable(self.value),
            "message": self.message,
            "text": str(self),
        }


def _jsonable(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no inf or NaN: the problem's value as text, not an encoder failure
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@dataclass
class ProblemLog:
    problems: list[Problem] = field(default_factory=list)

    def error(self, sheet: str, cell: str, column: str, message: str, value: object = None) -> None:
        self.problems.append(Problem("error", sheet, cell, column, message, value))

    def warning(self, sheet: str, cell: str, column: str, message: str, value: object = None) -> None:
        self.problems.append(Problem("warning", sheet, cell, column, message, value))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(sorted(self.errors, key=reading_order), sorted(self.warnings, key=reading_order))


def reading_order(problem: Problem) -> tuple[int, int, int, str]:
    """Workbook-level problems first, then sheet by sheet in the schema's order, row by row, left to right."""
    from planner.schema import SHEETS

    names = [s.name.lower() for s in SHEETS]
    sheet = problem.sheet.strip().lower()
    rank = names.index(sheet) if sheet in names else (-1 if not problem.sheet else len(names))
    match = re.fullmatch(r"([A-Z]*)(\d*)(?::\d+)?", problem.cell)
    letters, digits = (match.group(1), match.group(2)) if match else ("", "")
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return rank, int(digits) if digits else 0, column, problem.column


class InputError(Exception):
    """The workbook cannot be planned from; `problems` lists every error found."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.problems = problems
        self.warnings = warnings or []
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the input:\n{lines}")
