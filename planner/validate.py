"""Raw cells -> validated `PlanningData` (step 2 of the pipeline).

Every cell is checked, every problem is logged with its sheet, cell and
column, and nothing is raised until the whole workbook has been seen.

Cells are parsed as `planner.schema` declares their column (`_Validator.cells`:
its kind, whether it is required, the sheet it refers to, the value a blank
reads as), records are built from the fields the columns fill, and each
sheet's key is checked once. What no column declares is the code of its
sheet: a Policy rule's kind says which of its other cells it reads
(`_Validator._rule_fields`), a setting says what its value is, and the
Policy sheet's `active` column may be a column of the workbook's own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from planner.data import (
    BASELINE,
    Country,
    Currency,
    Dating,
    Expansion,
    Group,
    GroupSpec,
    Item,
    Offer,
    Period,
    PeriodValue,
    PlanningData,
    Route,
    Rule,
    ScenarioHit,
    Settings,
    Source,
    Supplier,
    Tariff,
    Tier,
    union,
)
from planner.dating import on_day
from planner.problems import ProblemLog
from planner.raw import RawCell, RawRow, RawSheet, RawWorkbook
from planner.model.family import RuleKind
from planner.schema import BOUNDS, CLASS_CELL, GROUP_KINDS, MAX_NUMBER, MIN_AWARD, PLAIN_NUMBER, RULE_KINDS, \
    SETTING_BY_NAME, SHEET_BY_NAME, STOCK_COLUMNS, UNION, UNWRITABLE, Column, Setting, SheetSpec, \
    escaped, normalize, parse_date, parse_switch, rule_value_problem, setting_choice, setting_number_problem, switch, \
    unwritable, value_words

# `route:NAME` is a group only with its prefix: a bare name is a country, bloc or supplier, as in version 1
_PREFIX = re.compile(r"^\s*(country|bloc|supplier|route)\s*:\s*(.*)$", re.IGNORECASE)
_EACH = {f"each {kind}": kind for kind in GROUP_KINDS}

# The sheets whose rows are records, keyed by the sheet's key, each after the sheets it refers to (references
# are checked against records already built).
_RECORDS: dict[str, type] = {"Periods": Period, "Items": Item, "Countries": Country, "Suppliers": Supplier,
                             "Currencies": Currency, "Routes": Route, "Offers": Offer, "Tiers": Tier,
                             "Expansions": Expansion}


class ItemClass(str):
    """An item cell that names a class (`class:critical`): the class's name, told apart from an item id."""


def _field_order(spec: SheetSpec, record: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields a sheet's columns fill, in its record's order: (those before `row`; those after it). Records are
    made positionally (fastest, for 500k offers), so every field before `row` must be filled by a column; fields
    added later to a record (Offers `route`, the Items stock columns) come after `row` and `origin`, so that
    records made in code by position keep their meaning, and are given after `row` (`_in_bulk`) or by keyword
    (`sheet_records`)."""
    names = [f.name for f in dataclasses.fields(record)]
    filled = {column.record_field for column in spec.columns}
    at = names.index("row")
    if not set(names[:at]) <= filled or not filled - set(names[:at]) <= set(names[at + 1:]):
        raise TypeError(f"{record.__name__} must start with fields {spec.name}'s columns fill, then row")
    return tuple(names[:at]), tuple(n for n in names[at + 1:] if n in filled)


_ORDER = {name: _field_order(SHEET_BY_NAME[name], record) for name, record in _RECORDS.items()}
_FIELDS: dict[str, tuple[str, ...]] = {name: order[0] for name, order in _ORDER.items()}
_LATE: dict[str, tuple[str, ...]] = {name: order[1] for name, order in _ORDER.items()}

# What a repeated key is called where its bare value would not say what repeats.
_REPEATS: dict[str, Callable[..., str]] = {
    "Offers": lambda item, supplier: f"offer of '{supplier}' for '{item}' appears again",
    "Settings": lambda name: f"'{name}' is set again",
    "Tiers": lambda item, supplier, at: f"break {shown(at)} of the offer of '{supplier}' for '{item}' appears again",
    "Tariffs": lambda country, item: f"a tariff on {item or 'every item'} from '{country}' appears again",
    "Demand": lambda item, period: f"demand of '{item}' in '{period}' appears again",
    "Capacity": lambda supplier, item, period: (f"capacity of the offer of '{supplier}' for '{item}'" if item else
                                                f"total capacity of '{supplier}'") + f" in '{period}' appears again",
    "Prices": lambda supplier, item, period: f"price of the offer of '{supplier}' for '{item}' in '{period}' "
                                             "appears again",
}


def shown(number: float) -> str:
    """A number in a message as the user typed it: the shortest text that reads back as the same value.

    `:g` keeps six significant digits, so 1.0000001, which is not a share,
    was reported as "1 is not a share"; a whole number loses its `.0`.
    """
    if isinstance(number, int) and abs(number) < 10**15:
        return str(number)
    text = repr(float(number))
    text = text[:-2] if text.endswith(".0") else text
    if len(text.lstrip("-").split(".")[0]) > 15 and float(f"{float(number):g}") == float(number):
        return f"{float(number):g}"  # 1e+15, not 1000000000000000: sixteen digits are not read at a glance
    return text


def validate(raw: RawWorkbook, log: ProblemLog) -> PlanningData | None:
    """Type and cross-check every sheet; None if any error was logged."""
    v = _Validator(raw, log)
    return v.run()


class CellParser:
    """Typed values from raw cells, each problem logged with its sheet, cell and column.

    Shared by the workbook validator and by update tables (`planner.update`).
    """

    def __init__(self, log: ProblemLog) -> None:
        self.log = log

    def _bad(self, sheet: RawSheet, cell: RawCell, column: str, message: str) -> None:
        self.log.error(sheet.name, cell.coordinate, column, message, cell.value)

    def _unreadable(self, sheet: RawSheet, cell: RawCell, column: str) -> bool:
        """Whether the cell's text holds a character no workbook can hold (logged): a NUL read from `_x0000_` or
        a CSV would make the plan written from it corrupt, or stop its writing half-way."""
        problem = unwritable(cell.value)
        if problem is not None:
            self.log.error(sheet.name, cell.coordinate, column, problem, escaped(cell.value))
        return problem is not None

    def _present(self, sheet: RawSheet, row: RawRow, column: str, required: bool,
                 noun: str, blank_noun: str) -> RawCell | None:
        """The cell if it holds a value usable as `noun`; None (logged if wrong) otherwise.

        Refuses what no column accepts: Excel errors, formulas without a stored
        value, TRUE/FALSE and dates; a blank is an error only if `required`.
        """
        cell = row.cells.get(column)
        if cell is None:
            return None
        if cell.error:
            self._bad(sheet, cell, column, cell.error)
            return None
        value = cell.value
        kind = type(value)
        if kind is float or kind is int:  # most cells: neither text, nor blank, nor TRUE/FALSE, nor a date
            return cell
        if kind is str:  # (`unwritable` reads only exact str)
            # before the blank test: str.strip removes \x1c-\x1f; the search first, as the call costs more
            if UNWRITABLE.search(value) and self._unreadable(sheet, cell, column):
                return None
            if value.strip():
                return cell
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self._bad(sheet, cell, column, f"is blank; {blank_noun} is required")
            return None
        if isinstance(value, bool):
            self._bad(sheet, cell, column, f"{str(value).upper()} is a TRUE/FALSE value, not {noun}")
            return None
        if isinstance(value, (dt.datetime, dt.date, dt.time)):
            self._bad(sheet, cell, column, f"{value} is a date or time, not {noun}")
            return None
        return cell

    def ident(self, sheet: RawSheet, row: RawRow, column: str, required: bool) -> str | None:
        cell = self._present(sheet, row, column, required, "an id", "a value")
        if cell is None:
            return None
        value = cell.value
        if type(value) is str:
            return value.strip()
        if isinstance(value, float):
            if not math.isfinite(value):
                self._bad(sheet, cell, column, f"{value} is not a valid id")
                return None
            return str(int(value)) if value.is_integer() else repr(value)
        return str(value).strip()

    def text(self, sheet: RawSheet, row: RawRow, column: str) -> str:
        cell = row.cells.get(column)
        if cell is None or cell.value is None or cell.error or self._unreadable(sheet, cell, column):
            return ""
        value = cell.value
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    def names(self, sheet: RawSheet, row: RawRow, column: str) -> tuple[str, ...]:
        """Comma-separated names ("EU, MSP"), each trimmed, in order, repeats and empty ones dropped."""
        return tuple(dict.fromkeys(name.strip() for name in self.text(sheet, row, column).split(",") if name.strip()))

    def number(self, sheet: RawSheet, row: RawRow, column: str, *, required: bool = False,
               share: bool = False) -> float | None:
        """A number within `BOUNDS["number"]` (>= 0), or `BOUNDS["share"]` ([0, 1]) if `share`; None if blank
        or bad."""
        cell = self._present(sheet, row, column, required, "a number", "a number")
        if cell is None:
            return None
        low, high = BOUNDS["share" if share else "number"]
        value = cell.value
        if type(value) is float:
            number = value
        elif isinstance(value, str):
            text = value.strip()
            if not PLAIN_NUMBER.fullmatch(text):
                self._bad(sheet, cell, column, f"'{value}' is not a plain number (write it as a number, "
                          "without thousands separators, currency or units; the locale is never guessed)")
                return None
            number = float(text)
            self.log.warning(sheet.name, cell.coordinate, column, f"text '{value}' read as the number {shown(number)}", value)
        elif isinstance(value, (int, float)):
            number = float(value)
        else:
            self._bad(sheet, cell, column, f"'{value}' is not a number")
            return None
        if not math.isfinite(number):
            self._bad(sheet, cell, column, f"{value} is not a finite number")
            return None
        if number < low:
            self._bad(sheet, cell, column, f"{shown(number)} is negative")
            return None
        if number >= MAX_NUMBER:
            self._bad(sheet, cell, column, f"{shown(number)} is too large: every number must be below {MAX_NUMBER:g}, "
                      "the solver's limit (leave a capacity blank for unlimited; otherwise use larger units)")
            return None
        if number > high:
            self._bad(sheet, cell, column, f"{shown(number)} is not a share in [0, 1] (write 30 % as 0.3)")
            return None
        return number


class _Reader(NamedTuple):
    """How one column's cells are read: the record field it fills, its parser, its declaration."""

    field: str
    parse: Callable[[RawSheet, RawRow], object]
    column: Column


class _Readers(NamedTuple):
    """How a sheet's cells in some columns are read: the readers of the columns it has, the `if_blank` of each
    it lacks (by record field), and False if it lacks a required one (no row can then make a record)."""

    present: list[_Reader]
    absent: dict[str, object]
    complete: bool


class _Validator(CellParser):
    """One workbook's validation: the record sheets in `_RECORDS` order, then Policy, Scenarios and Settings."""

    def __init__(self, raw: RawWorkbook, log: ProblemLog) -> None:
        super().__init__(log)
        self.raw = raw
        self.inactive_rules: list[Rule] = []  # Policy rows whose `active` cell is off, whatever their dates
        self.records: dict[str, dict] = {}  # sheet -> its records by key, for the sheets in _RECORDS
        # every id written in a sheet, valid row or not: a reference to an id whose
        # own row is bad is not reported again (that error is already logged)
        self.ids: dict[str, set[str]] = {}
        self._classes: set[str] | None = None  # every class written in Items, valid row or not (`_written_classes`)
        self._offers_written: set[tuple[str, str]] | None = None  # (`_offer_keys`)
        self._numbered: dict[str, dict[int, RawRow]] = {}  # sheet -> its rows by number (`_cell`)
        self.blocs: set[str] = set()  # every bloc a valid country lists
        self.base = "EUR"  # the base currency (Settings), which needs no rate
        self.day = dt.date.today()  # the plan date (Settings plan_date, else the day of the run)
        self.dated = False  # whether some row has a from or to
        # built-in blocs the rows name, in order of first mention: `planner.dating.on_day` gives members to those
        # that rows playing a part name
        self.built_in: dict[str, None] = {}

    # ---- cells, as their columns declare them ----------------------------

    def readers(self, sheet: RawSheet, columns: Iterable[Column]) -> _Readers:
        """How each of `columns` is read from `sheet`, as its kind says (made once per sheet, used for every
        row). A column the sheet lacks is blank in every row: it is not read at all."""
        columns = list(columns)
        return _Readers([_Reader(c.record_field, self._parser(c), c) for c in columns if c.name in sheet.columns],
                        {c.record_field: c.if_blank for c in columns if c.name not in sheet.columns},
                        not any(c.required and c.name not in sheet.columns for c in columns))

    def _parser(self, column: Column) -> Callable[[RawSheet, RawRow], object]:
        """The parser of a column's cells: (sheet, row) -> the value, or None if blank or bad (logged).

        Closures rather than `functools.partial`: a partial with keywords costs twice the call, and a sheet
        read cell by cell makes one call per cell."""
        kind, name, required = column.kind, column.name, column.required
        if kind == "code":
            def code(sheet: RawSheet, row: RawRow) -> str | None:
                text = self.ident(sheet, row, name, required)
                return text.upper() if text is not None else None
            return code
        if kind in ("id", "rule"):  # a rule's name is an id until `_rule_fields` looks it up
            if column.refers == "Periods":
                return lambda sheet, row: self.period(sheet, row, column)
            if column.refers:
                return lambda sheet, row: self.reference(sheet, row, column)
            return lambda sheet, row: self.ident(sheet, row, name, required)
        if kind in BOUNDS:
            share = kind == "share"
            if column.whole or column.above_zero:
                return lambda sheet, row: self.bounded(sheet, row, column)
            return lambda sheet, row: self.number(sheet, row, name, required=required, share=share)
        if kind == "names":
            return lambda sheet, row: self.names(sheet, row, name)
        if kind == "text":
            return lambda sheet, row: self.text(sheet, row, name)
        if kind == "group":
            return lambda sheet, row: self.group(sheet, row, column, required)
        if kind == "items":
            return lambda sheet, row: self.items_ref(sheet, row, column)
        if kind == "choice":
            return lambda sheet, row: self.choice(sheet, row, column)
        if kind == "currency":
            return lambda sheet, row: self.currency(sheet, row, column)
        if kind == "date":
            return lambda sheet, row: self.date(sheet, row, name)
        raise ValueError(f"a {kind} column ({name}) is read by its sheet's own code")

    def cells(self, sheet: RawSheet, row: RawRow, readers: _Readers) -> tuple[dict[str, object], bool]:
        """A row's cells read by `readers`, by the record field each fills, and whether they can make a record.

        A blank cell reads as its column's `if_blank`. The row cannot make a record when a required cell is
        blank or bad, or an optional id or group is given but bad (reported, or naming a row that is itself wrong,
        which is reported there). A bad optional number is reported and reads as `if_blank` too: the workbook
        is refused all the same, and rows that name this row's record are still checked in full (a supplier
        with a bad capacity still has its offers checked).
        """
        present, absent, complete = readers
        values = absent.copy()
        for field, parse, column in present:
            value = parse(sheet, row)
            if value is None:
                if column.required or (column.kind not in BOUNDS and not _blank(row.cells.get(column.name))):
                    complete = False
                value = column.if_blank
            values[field] = value
        return values, complete

    def reference(self, sheet: RawSheet, row: RawRow, column: Column) -> str | None:
        """An id of a record of the sheet `column` refers to; None if blank or bad (logged), and, unreported,
        for an id whose own row is wrong or when that sheet could not be read (their own errors say so)."""
        key = self.ident(sheet, row, column.name, column.required)
        if key is None:
            return None
        known = self.records[column.refers]
        if key in known:
            return key
        if key in self.ids.get(column.refers, set()):
            return None
        if self._readable(column.refers):
            self._bad(sheet, row.cells[column.name], column.name,
                      f"'{key}' is not listed in {column.refers}{_did_you_mean(key, known)}")
        elif not SHEET_BY_NAME[column.refers].required and not self._failed(column.refers) and \
                not any(p.sheet == column.refers for p in self.log.errors):
            # an optional sheet left out, or without rows (Routes): nothing else would say the id is unknown
            self._bad(sheet, row.cells[column.name], column.name, f"'{key}' is not listed in {column.refers} (the "
                      f"workbook has {'no such sheet' if column.refers not in self.raw.sheets else 'it without rows'})")
        return None

    def bounded(self, sheet: RawSheet, row: RawRow, column: Column) -> float | int | None:
        """A number of a column with further bounds (`Column.whole`, `Column.above_zero`); a whole one as int."""
        value = self.number(sheet, row, column.name, required=column.required)
        if value is None:
            return None
        if column.whole and not value.is_integer():
            self._bad(sheet, row.cells[column.name], column.name, f"{shown(value)} is not a whole number of periods")
            return None
        if column.above_zero and value <= 0:
            self._bad(sheet, row.cells[column.name], column.name, f"{shown(value)} must be above 0")
            return None
        return int(value) if column.whole else value

    def period(self, sheet: RawSheet, row: RawRow, column: Column) -> str | None:
        """A period of the Periods sheet; None if blank or bad (logged). Without Periods rows a period cell is an
        error: the row would hold in a period the plan does not have."""
        if self._readable("Periods"):
            return self.reference(sheet, row, column)
        text = self.ident(sheet, row, column.name, column.required)
        if text is not None and not self._failed("Periods"):
            self._bad(sheet, row.cells[column.name], column.name,
                      f"'{text}' names a period, but {self._no_periods()}: list the periods in a Periods sheet, "
                      f"or leave {column.name} blank")
        return None

    def _failed(self, name: str) -> bool:
        """Whether a sheet could not be read (its error is logged: a missing header, two sheets of the name):
        what refers to it is then not reported again."""
        return name not in self.raw.sheets and any(normalize(p.sheet) == normalize(name) for p in self.log.errors)

    def _no_periods(self) -> str:
        """Why the workbook has no periods, in words."""
        return "the workbook has no Periods sheet" if "Periods" not in self.raw.sheets else \
            "the workbook's Periods sheet has no rows"

    def group(self, sheet: RawSheet, row: RawRow, column: Column, required: bool) -> GroupSpec | None:
        """A country, bloc or supplier, an `each ...` word where the column's `choices` list it, or several
        groups joined with `|` (a union; no `each ...` inside)."""
        cell = row.cells.get(column.name)
        text = self.ident(sheet, row, column.name, required)
        if text is None or cell is None:
            return None
        if UNION not in text:
            return self._one_group(sheet, cell, column, text, column.choices)
        parts: list[Group] = []
        bad = False  # every part is checked: all of a cell's problems are reported at once
        written = [p.strip() for p in text.split(UNION)]
        if not all(written):
            self._bad(sheet, cell, column.name, f"'{text}' has an empty part: join groups with | as in "
                      "bloc:CPTPP | bloc:MSP | country:UA")
            bad = True
        for part in filter(None, written):
            if normalize(part) in _EACH:
                self._bad(sheet, cell, column.name, f"'{part}' cannot be part of a union: a union is one group "
                          "made of named countries, blocs and suppliers")
                bad = True
                continue
            spec = self._one_group(sheet, cell, column, part, (), part=True)
            if spec is None:
                bad = True
                continue
            parts.append(spec.group)
        if bad:
            return None
        joined = union(parts)
        return GroupSpec("union", joined.name, joined.parts)

    def _one_group(self, sheet: RawSheet, cell: RawCell, column: Column, text: str,
                   words: tuple[str, ...], part: bool = False) -> GroupSpec | None:
        """One named group (or an `each ...` word among `words`).

        The workbook's names come first, as in version 1: a country, a bloc some Countries cell mentions, a
        supplier. Only a name none of them has may be a built-in bloc (`planner.reference`, the name as written
        or ignoring case), which `run` then gives its members; a supplier `NATO` is that supplier."""
        word = normalize(text)
        each = _EACH.get(word)
        if each is not None:
            if word not in words:
                self._bad(sheet, cell, column.name, f"'{text}' cannot be used here; name one country, bloc or supplier")
                return None
            return GroupSpec(each)  # type: ignore[arg-type]
        members = {"country": self.records["Countries"], "bloc": self.blocs, "supplier": self.records["Suppliers"],
                   "route": self.records.get("Routes", {})}
        prefixed = _PREFIX.match(text)
        if prefixed:
            kind, name = prefixed.group(1).lower(), prefixed.group(2).strip()
            if name in members[kind]:
                return GroupSpec(kind, name)  # type: ignore[arg-type]
            if kind == "route" and name in self.ids.get("Routes", ()):
                return None  # the route's own row is wrong, and says so
            if kind == "bloc":
                builtin, refused = self._built_in_bloc(sheet, cell, column, name)
                if refused:
                    return None
                if builtin is not None:
                    return GroupSpec("bloc", builtin)
            where = {"country": "Countries", "bloc": "the blocs column of Countries (nor a built-in bloc: "
                     f"{', '.join(_builtin_names())})", "supplier": "Suppliers",
                     "route": "Routes" if "Routes" in self.raw.sheets else "Routes (the workbook has no such sheet)"
                     }[kind]
            self._bad(sheet, cell, column.name,
                      f"{kind} '{name}' is not listed in {where}{_did_you_mean(name, members[kind])}")
            return None
        kinds = [kind for kind in GROUP_KINDS if text in members[kind]]
        if len(kinds) > 1:
            forms = " or ".join(f"'{k}:{text}'" for k in kinds)
            self._bad(sheet, cell, column.name, f"'{text}' is both a {' and a '.join(kinds)}; write {forms}")
            return None
        if kinds:
            return GroupSpec(kinds[0], text)  # type: ignore[arg-type]
        builtin, refused = self._built_in_bloc(sheet, cell, column, text)
        if refused:
            return None
        if builtin is not None:
            return GroupSpec("bloc", builtin)
        if not (self._readable("Countries") and self._readable("Suppliers")):
            return None  # a sheet that names groups could not be read: its own error says so
        known = set(members["country"]) | self.blocs | set(members["supplier"]) | set(_builtin_names())
        nor = ", nor one of 'each country', 'each supplier', 'each bloc'" if not part else ""
        self._bad(sheet, cell, column.name, f"'{text}' is not a country, bloc or supplier{nor}"
                  f"{_did_you_mean(text, known)}")
        return None

    def _built_in_bloc(self, sheet: RawSheet, cell: RawCell, column: Column, name: str) -> tuple[str | None, bool]:
        """The built-in bloc a name no country, workbook bloc or supplier has means, noted for `run`; and whether
        the name was refused (logged): the workbook's own bloc in another case (`bloc:eu` where Countries lists
        `EU`). Such a bloc is the workbook's alone, so the name cannot mean the built-in one, nor, as ids are
        case-sensitive, the workbook's; which was meant is the user's to say."""
        builtin = _builtin(name)
        if builtin is None:
            return None, False
        own = sorted(b for b in self.blocs if b.casefold() == builtin.casefold())
        if own:
            self._bad(sheet, cell, column.name,
                      f"'{name}' is not a bloc of this workbook, whose Countries sheet defines the bloc "
                      f"{' and '.join(repr(b) for b in own)} (bloc names are case-sensitive); the built-in "
                      f"{builtin} is not used where the workbook defines a bloc of that name: write {own[0]!r}")
            return None, True
        return self._built_in(builtin), False

    def _built_in(self, bloc: str) -> str:
        """A built-in bloc a row names, noted so that `run` gives it its members on the plan date."""
        self.built_in.setdefault(bloc, None)
        return bloc

    def items_ref(self, sheet: RawSheet, row: RawRow, column: Column) -> str | None:
        """An item of Items, or `class:NAME` (an `ItemClass`) naming a class some item has; None if blank or
        bad (logged).

        `class` is read in any case and with spaces around the colon (`Class : critical`), as the group prefixes
        are; the class's name is an id, case-sensitive. A cell that is exactly an id written in Items is that
        item, even one that reads like a class (a version-1 item `class:x`). A class written only on Items rows
        that are themselves wrong is not reported again (as `reference` does for ids)."""
        text = self.ident(sheet, row, column.name, column.required)
        if text is None:
            return None
        named = CLASS_CELL.match(text)
        if named is None or text in self.records["Items"] or text in self.ids.get("Items", ()):
            return self.reference(sheet, row, column)
        name = named.group(1).strip()
        if not name:
            self._bad(sheet, row.cells[column.name], column.name,
                      f"'{text}' names no class: a class name is missing (write class:NAME, NAME a class of the "
                      "Items class column)")
            return None
        classes = {item.item_class for item in self.records["Items"].values()} - {""}
        if name not in classes:
            if self._readable("Items") and name not in self._written_classes():
                listed = f" (classes: {', '.join(sorted(classes))})" if classes else \
                    " (no item has a class: give Items a class column)"
                self._bad(sheet, row.cells[column.name], column.name,
                          f"no item has the class '{name}'{_did_you_mean(name, classes) or listed}")
            return None
        return ItemClass(name)

    def _written_classes(self) -> set[str]:
        """Every class written in the Items sheet, on valid rows or not (read once)."""
        if self._classes is None:
            sheet = self.raw.sheets.get("Items")
            self._classes = _written(sheet, "class") if sheet is not None else set()
        return self._classes

    def choice(self, sheet: RawSheet, row: RawRow, column: Column) -> str | None:
        """One of the column's `choices`, matched like a header; None if blank or bad (logged)."""
        text = self.ident(sheet, row, column.name, column.required)
        if text is None:
            return None
        word = _choice_word(text)
        if word not in column.choices:
            self._bad(sheet, row.cells[column.name], column.name,
                      f"'{text}' is not one of {', '.join(column.choices)}")
            return None
        return word

    def currency(self, sheet: RawSheet, row: RawRow, column: Column) -> str | None:
        """A currency listed in Currencies, in upper case, or "" for the base currency (in any case, as a blank
        cell); None if blank or bad (logged)."""
        text = self.ident(sheet, row, column.name, column.required)
        if text is None:
            return None
        known = self.records.get("Currencies", {})
        read = _currency_code(self.base, known)(text)  # the base reads as "", as a blank: shown as Settings says
        if read is not None:
            return read
        code = text.upper()
        if "Currencies" in self.raw.sheets and not self._readable("Currencies") or code in self.ids.get("Currencies", ()):
            return None  # the Currencies sheet, or the currency's row, has its own error
        where = "Currencies" if "Currencies" in self.raw.sheets else "Currencies (the workbook has no such sheet)"
        self._bad(sheet, row.cells[column.name], column.name,
                  f"'{text}' is not the base currency ({self.base}) and has no rate: list it in {where} with its "
                  f"rate in {self.base}{_did_you_mean(text, [self.base, *known])}")
        return None

    def date(self, sheet: RawSheet, row: RawRow, column: str) -> dt.date | None:
        """A date cell, or text YYYY-MM-DD; None if blank or bad (logged)."""
        cell = row.cells.get(column)
        if cell is None or _blank(cell):
            return None
        if cell.error:
            self._bad(sheet, cell, column, cell.error)
            return None
        value = cell.value
        if isinstance(value, dt.datetime):
            if value.time() != dt.time():  # a row applies on whole days: say so rather than cut the time silently
                self.log.warning(sheet.name, cell.coordinate, column,
                                 f"{value.isoformat(' ', 'minutes')} has a time of day, which is ignored: read as the "
                                 f"day {value.date().isoformat()} (rows apply on whole days)", value)
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and not self._unreadable(sheet, cell, column):
            day = parse_date(value)
            if day is not None:
                return day
        if isinstance(value, str) and unwritable(value):
            return None
        if isinstance(value, bool):
            self._bad(sheet, cell, column, f"{str(value).upper()} is a TRUE/FALSE value, not a date")
        elif isinstance(value, (int, float)):
            # Excel stores a date as a day number and shows it as a date only when the cell is formatted so
            serial = _excel_day(value)
            said = f" (as a date, Excel's day {shown(value)} is {serial.isoformat()})" if serial is not None else ""
            self._bad(sheet, cell, column, f"{shown(value)} is a number, not a date: format the cell as a date{said}, "
                      "or write text as YYYY-MM-DD: 2026-03-31")
        else:
            self._bad(sheet, cell, column, f"'{value}' is not a date (enter a date, or text as YYYY-MM-DD: 2026-03-31)")
        return None

    # ---- sheets ----------------------------------------------------------

    def _nonempty(self, name: str) -> RawSheet | None:
        sheet = self.raw.sheets.get(name)
        if sheet is not None and not len(sheet):
            self.log.error(sheet.name, "", "", "has no rows below the header")
        return sheet

    def _readable(self, name: str) -> bool:
        """Whether a sheet was read with rows: if not, references into it are not checked (no cascade)."""
        sheet = self.raw.sheets.get(name)
        return sheet is not None and bool(len(sheet))

    def _repeated(self, sheet: RawSheet, row: RawRow, spec: SheetSpec, key: tuple[object, ...], first: int) -> None:
        """Log that `row` repeats the key of row `first` (`key`, its values as the message words them), on the
        row's cell of the key's last column (Offers: `supplier`), or of its first when the sheet lacks that column
        (Tariffs without an `item` column). `_REPEATS` words what repeats where the bare value would not say it."""
        column = spec.key[-1] if spec.key[-1] in row.cells else spec.key[0]
        words = _REPEATS[spec.name](*key) if spec.name in _REPEATS else f"'{key[0]}' appears again"
        self._bad(sheet, row.cells[column], column, f"{words} (first in row {first})")

    def sheet_records(self, name: str) -> dict:
        """The records of sheet `name` (one of `_RECORDS`) by key: a name, or a tuple for a key of several
        columns; a row with a problem, or repeating an earlier row's key, makes none.

        A sheet read as columns that is clean throughout is accepted in bulk (`_in_bulk`); otherwise every
        row is parsed cell by cell. Text cells are read only for rows that make a record: a row already
        refused is reported for what makes it wrong.
        """
        spec = SHEET_BY_NAME[name]
        sheet = self._nonempty(name) if spec.required else self.raw.sheets.get(name)
        if sheet is None:
            return {}
        record = _RECORDS[name]
        bulk = _in_bulk(spec, sheet, self.records, self.base)
        if bulk is not None:
            if len(spec.key) == 1:
                self.ids[name] = set(bulk)
            return bulk
        checked = self.readers(sheet, (c for c in spec.columns if c.kind != "text"))
        texts = self.readers(sheet, (c for c in spec.columns if c.kind == "text")) \
            if any(c.kind == "text" for c in spec.columns) else None
        keyed = [spec.column(column).record_field for column in spec.key]
        key_of, single = itemgetter(*keyed), len(keyed) == 1  # the key's value; a tuple for several columns
        positional = _FIELDS[name]
        fields_of = itemgetter(*positional) if len(positional) > 1 else lambda values: (values[positional[0]],)
        late = _LATE[name]
        out: dict = {}
        first: dict[object, int] = {}
        ids: set[str] = set()
        for row in sheet.rows:
            values, complete = self.cells(sheet, row, checked)
            key = key_of(values)
            parts = (key,) if single else key
            if None not in parts:
                if single:
                    ids.add(key)
                if key in first:
                    self._repeated(sheet, row, spec, parts, first[key])
                    continue
                first[key] = row.row
            if not complete:
                continue
            if texts is not None:
                values.update(self.cells(sheet, row, texts)[0])
            out[key] = record(*fields_of(values), row.row, **{f: values[f] for f in late}) if late else \
                record(*fields_of(values), row.row)
        self.ids[name] = ids
        return out

    def rules(self) -> tuple[Rule, ...]:
        sheet = self.raw.sheets.get("Policy")
        if sheet is None:
            return ()
        spec = SHEET_BY_NAME["Policy"]
        # group, value and min_award: as the kind says
        named = self.readers(sheet, (spec.column("rule"), spec.column("item"), spec.column("from"), spec.column("to"),
                                     spec.column("period")))
        out: list[Rule] = []
        switches = self._switch_column(sheet)
        for row in sheet.rows:
            values, complete = self.cells(sheet, row, named)
            stated = self._rule_fields(sheet, row, values["kind"])  # type: ignore[arg-type]  # `rule` fills kind
            dated = self._span(sheet, row, values)
            if stated is None or not complete or not dated:
                continue
            kind, group, value, award = stated
            item, item_class = _item_and_class(values["item"])
            rule = Rule(kind, item, group, value, row.row, _coordinate(row, "rule"), item_class,  # type: ignore[arg-type]
                        values["start"], values["end"], award, values["period"])  # type: ignore[arg-type]
            self._note_dates(rule)
            (out if not switches or self._active(sheet, row) else self.inactive_rules).append(rule)
        return tuple(out)

    def _span(self, sheet: RawSheet, row: RawRow, values: dict[str, object]) -> bool:
        """Whether a row's `from` is not after its `to` (logged if it is)."""
        start, end = values.get("start"), values.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self._bad(sheet, row.cells["to"], "to", f"{end.isoformat()} is before the row's from ({start.isoformat()})")
            return False
        return True

    def _period_span(self, sheet: RawSheet, row: RawRow, values: dict[str, object]) -> bool:
        """Whether a Scenarios row's from_period is not after its to_period, in the Periods row order (logged if
        it is)."""
        start, end = values.get("from_period"), values.get("to_period")
        if start is None or end is None:
            return True
        order = list(self.records["Periods"])
        if order.index(start) > order.index(end):
            self._bad(sheet, row.cells["to_period"], "to_period",
                      f"'{end}' is before the row's from_period ('{start}') in the Periods order")
            return False
        return True

    def _note_dates(self, record: Rule | ScenarioHit) -> None:
        """Note a row with a `from` or `to`: the plan date then matters (`Dating.matters`), whichever rows it
        leaves in force (`planner.dating.on_day` decides that)."""
        if record.start is not None or record.end is not None:
            self.dated = True

    def _rule_fields(self, sheet: RawSheet, row: RawRow, named: str | None, kinds: Mapping[str, RuleKind] = RULE_KINDS
                     ) -> tuple[str, GroupSpec | None, float | None, float] | None:
        """The kind, group, value and min_award of the rule a Policy row states, its cells read as `kinds`
        declares its kind; None if the row states no rule. Every problem is logged.

        `named` is the row's `rule` cell (None if blank or bad, logged already); a name that is not a kind is
        an error. A kind's group, if it has one, and its value, if it takes one, are required; a group or value
        given to a kind without one is ignored with a warning. When the kind is not known, a group or value
        given is still parsed, so that its own problems are reported at once.
        """
        kind = normalize(named).replace(" ", "_") if named is not None else None
        if kind is not None and kind not in kinds:
            self._bad(sheet, row.cells["rule"], "rule", f"'{named}' is not a rule; use one of {', '.join(kinds)}")
            kind = None
        declared = kinds[kind] if kind is not None else None
        group_cell, value_cell = row.cells.get("group"), row.cells.get("value")
        group: GroupSpec | None = None
        value: float | None = None
        if declared is not None and declared.group == "ignored":
            if group_cell is not None and not _blank(group_cell):
                self.log.warning(sheet.name, group_cell.coordinate, "group",
                                 f"{kind} {declared.no_group}; the group is ignored", group_cell.value)
        elif declared is not None and declared.group == "optional" and _blank(group_cell):
            pass  # every supplier
        elif declared is not None and group_cell is None:  # no group column at all: the row's range names the place
            self._bad(sheet, RawCell(None, f"{row.row}:{row.row}"), "group",
                      f"{kind} needs a group: a country, bloc or supplier, or each country / each supplier / each bloc")
        elif declared is not None or not _blank(group_cell):
            group = self.group(sheet, row, SHEET_BY_NAME["Policy"].column("group"), required=True)
        if declared is not None and declared.value == "none":
            if value_cell is not None and not _blank(value_cell):
                self.log.warning(sheet.name, value_cell.coordinate, "value", f"{kind} takes no value; it is ignored",
                                 value_cell.value)
        elif _blank(value_cell):
            if declared is not None:  # with no value column at all, the row's range names the place
                self._bad(sheet, value_cell or RawCell(None, f"{row.row}:{row.row}"), "value",
                          f"{kind} needs a value: {value_words(declared)}")
        else:
            value = self.number(sheet, row, "value", share=declared is None or declared.value == "share")
            problem = rule_value_problem(declared, value) if declared is not None and value is not None else None
            if problem is not None:
                self._bad(sheet, value_cell, "value", problem)  # type: ignore[arg-type]
                value = None
        award = self._award(sheet, row, declared)
        if declared is None or (declared.group == "required" and group is None) \
                or (declared.group == "optional" and group is None and not _blank(group_cell)) \
                or (declared.value != "none" and value is None) or award is None:
            return None
        return kind, group, value, award  # type: ignore[return-value]

    def _award(self, sheet: RawSheet, row: RawRow, declared: RuleKind | None) -> float | None:
        """A row's `min_award` (MIN_AWARD if blank); a value on a kind that does not read it is ignored with a
        warning; None if bad (logged)."""
        cell = row.cells.get("min_award")
        if _blank(cell):
            return MIN_AWARD
        if declared is not None and not declared.award:
            self.log.warning(sheet.name, cell.coordinate, "min_award",  # type: ignore[union-attr]
                             f"{declared.name} does not read min_award (only min_suppliers and min_countries do); "
                             "it is ignored", cell.value)  # type: ignore[union-attr]
            return MIN_AWARD
        award = self.number(sheet, row, "min_award", share=True)
        if award is not None and award <= 0:
            self._bad(sheet, cell, "min_award", f"{shown(award)} is not in (0, 1]: each counted supplier "  # type: ignore[arg-type]
                      "delivers a share above 0 (write 5 % as 0.05)")
            return None
        return award

    def _switch_column(self, sheet: RawSheet) -> bool:
        """Whether the Policy sheet's `active` column switches rules: it does when it holds at least one on/off
        entry (then any other entry is a typo, an error).

        A contract v1 workbook may have a column of its own under that name (`x` marks, `reviewed 2024`):
        with no on/off entry at all it is ignored, as the contract ignores extra columns, with a warning;
        every rule is then on.
        """
        if "active" not in sheet.columns:
            return False
        cells = [row.cells.get("active") for row in sheet.rows]
        given = [c for c in cells if c is not None and not self._unreadable(sheet, c, "active") and not _blank(c)]
        if not given or any(not c.error and switch(c.value) is not None for c in given):  # type: ignore[union-attr]
            return bool(given)
        shown = ", ".join(f"'{v}'" for v in list(dict.fromkeys(str(c.value) for c in given))[:3])  # type: ignore[union-attr]
        self.log.warning(sheet.name, f"{sheet.columns['active']}{sheet.header_row}", "active",
                         f"holds no on/off entry ({shown}{', ...' if len(given) > 3 else ''}): read as a column of "
                         "the workbook's own and ignored, so every rule is on; write on or off in it to switch "
                         "rules, or rename it to keep it apart")
        return False

    def _active(self, sheet: RawSheet, row: RawRow) -> bool:
        """A Policy row's `active` cell: blank or on means on (a bad value is logged, and read as on)."""
        cell = row.cells.get("active")
        if cell is not None and cell.error:
            self._bad(sheet, cell, "active", cell.error)
            return True
        if cell is not None and unwritable(cell.value):
            return True  # logged by `_switch_column`
        on, problem = parse_switch(cell.value if cell is not None else None)
        if problem is not None:
            self._bad(sheet, cell, "active", problem)  # type: ignore[arg-type]
        return on is not False

    def scenarios(self) -> tuple[ScenarioHit, ...]:
        sheet = self.raw.sheets.get("Scenarios")
        if sheet is None:
            return ()
        spec = SHEET_BY_NAME["Scenarios"]
        readers = self.readers(sheet, spec.columns)
        out: list[ScenarioHit] = []
        for row in sheet.rows:
            values, complete = self.cells(sheet, row, readers)
            dated = self._span(sheet, row, values)  # checked whatever else is wrong: all problems at once
            dated = self._period_span(sheet, row, values) and dated
            group = values["group"]
            if not complete or not dated or not isinstance(group, GroupSpec) or group.name is None:
                continue
            item, item_class = _item_and_class(values["item"])
            hit = ScenarioHit(values["scenario"], group.group, item, values["availability"],  # type: ignore[arg-type]
                              row.row, _coordinate(row, "scenario"), item_class, values["start"],  # type: ignore[arg-type]
                              values["end"], values["from_period"], values["to_period"],  # type: ignore[arg-type]
                              values["probability"])  # type: ignore[arg-type]
            self._note_dates(hit)
            out.append(hit)
        return self._probabilities(sheet, out)

    def _probabilities(self, sheet: RawSheet, hits: list[ScenarioHit]) -> tuple[ScenarioHit, ...]:
        """The rows with every blank probability given its scenario's: the first probability one of its rows
        states, on every row, dated or not (a row out of force on the plan date may be the one that states it).
        A row stating another probability than its scenario's first is an error naming both cells. Checked in
        either mode: a probability written is read, even where it plays no part."""
        if "probability" not in sheet.columns:
            return tuple(hits)
        first: dict[str, ScenarioHit] = {}
        for hit in hits:
            if hit.probability is None:
                continue
            stated = first.setdefault(hit.scenario, hit)
            if stated.probability != hit.probability:
                at = self._cell("Scenarios", stated.row, "probability").coordinate  # type: ignore[arg-type]
                self._bad(sheet, self._cell("Scenarios", hit.row, "probability"), "probability",  # type: ignore[arg-type]
                          f"{shown(hit.probability)} disagrees with the probability of scenario '{hit.scenario}' in "
                          f"{sheet.name}!{at} ({shown(stated.probability)}): the rows of one scenario state one "  # type: ignore[arg-type]
                          "probability (leave it blank on the others)")
        return tuple(dataclasses.replace(hit, probability=first[hit.scenario].probability)
                     if hit.probability is None and hit.scenario in first else hit for hit in hits)

    def settings(self) -> Settings:
        sheet = self.raw.sheets.get("Settings")
        if sheet is None:
            return Settings()
        spec = SHEET_BY_NAME["Settings"]
        values: dict[str, object] = {}
        first: dict[str, int] = {}
        for row in sheet.rows:
            named = self.ident(sheet, row, "setting", True)
            if named is None:
                continue
            name = normalize(named).replace(" ", "_")
            setting = SETTING_BY_NAME.get(name)
            if setting is None:
                self.log.warning(sheet.name, row.cells["setting"].coordinate, "setting",
                                 f"'{named}' is not a known setting and is ignored (known: {', '.join(SETTING_BY_NAME)})",
                                 named)
                continue
            if name in first:
                self._repeated(sheet, row, spec, (name,), first[name])
                continue
            first[name] = row.row
            value = self._setting_value(sheet, row, setting)
            if value is not None:
                values[name] = value
        return Settings(**values)  # type: ignore[arg-type]

    def _setting_value(self, sheet: RawSheet, row: RawRow, setting: Setting) -> str | float | None:
        """A Settings row's value, of its setting's kind; None if blank (the default stays) or bad (logged)."""
        if setting.kind == "text":
            return self.text(sheet, row, "value") or None
        if setting.kind == "date":
            return self.date(sheet, row, "value")  # type: ignore[return-value]
        if setting.kind == "choice":
            text = self.ident(sheet, row, "value", False)
            if text is None:
                return None
            word = setting_choice(setting, text)
            if word is None:
                self._bad(sheet, row.cells["value"], "value", f"'{text}' is not one of {', '.join(setting.choices)}")
            return word
        number = self.number(sheet, row, "value", share=setting.kind == "share")
        if number is not None and setting.kind == "positive" and number <= 0:
            self._bad(sheet, row.cells["value"], "value", f"{setting.name} must be greater than 0")
            return None
        problem = setting_number_problem(setting, number) if number is not None else None
        if problem is not None:
            self._bad(sheet, row.cells["value"], "value", problem)
            return None
        return number

    # ---- all together --------------------------------------------------

    def currencies(self) -> dict[str, Currency]:
        """The Currencies records, by code in upper case (`usd` is USD, and listed twice is a repeated key): a
        rate above 0; the base currency, in any case, if listed, at rate 1."""
        out = self.sheet_records("Currencies")
        for name, currency in list(out.items()):
            problem = ("a rate must be above 0" if currency.rate <= 0 else
                       f"{name} is the base currency (Settings currency): its rate is 1, not {shown(currency.rate)}"
                       if name == self.base.upper() and currency.rate != 1.0 else "")
            if problem:
                self._bad(self.raw.sheets["Currencies"], self._cell("Currencies", currency.row, "rate"), "rate", problem)
                del out[name]
        return out

    def tiers(self) -> dict[tuple[str, str], tuple[Tier, ...]]:
        """Each offer's price breaks, in ascending order whatever the order of its rows: every break above 0, on
        an offer of Offers (a break given twice is a repeated key, reported by `sheet_records`)."""
        records = self.sheet_records("Tiers")
        offers = self.records["Offers"]
        out: dict[tuple[str, str], list[Tier]] = {}
        for tier in records.values():
            key = (tier.item, tier.supplier)
            if key not in offers:
                if key not in self._offer_keys():  # an offer whose own row is wrong has its error there
                    self._bad(self.raw.sheets["Tiers"], self._cell("Tiers", tier.row, "supplier"), "supplier",
                              f"'{tier.supplier}' has no offer for '{tier.item}' in Offers: a break belongs to an offer")
                continue
            if tier.from_quantity <= 0:
                self._bad(self.raw.sheets["Tiers"], self._cell("Tiers", tier.row, "from_quantity"), "from_quantity",
                          "a break must be above 0: the Offers price holds from 0 to the first break")
                continue
            out.setdefault(key, []).append(tier)
        return {key: tuple(sorted(tiers, key=lambda t: t.from_quantity)) for key, tiers in out.items()}

    def tariffs(self) -> tuple[Tariff, ...]:
        sheet = self.raw.sheets.get("Tariffs")
        if sheet is None:
            return ()
        spec = SHEET_BY_NAME["Tariffs"]
        readers = self.readers(sheet, spec.columns)
        out: list[Tariff] = []
        # keyed by (country, item, class): an `ItemClass` equals, and hashes as, the item of the same name, and an
        # item `steel` of the class steel may have a row of its own beside the class's
        first: dict[tuple[object, str | None, str | None], int] = {}
        for row in sheet.rows:
            values, complete = self.cells(sheet, row, readers)
            if not complete:
                continue
            item, item_class = _item_and_class(values["item"])
            key = (values["country"], item, item_class)
            if key in first:
                self._repeated(sheet, row, spec, (values["country"], _item_words(values["item"])), first[key])
                continue
            first[key] = row.row
            out.append(Tariff(values["country"], item, item_class, values["tariff"], row.row))  # type: ignore[arg-type]
        return tuple(out)

    # ---- several periods ------------------------------------------------

    def _needs_periods(self, name: str) -> RawSheet | None:
        """A sheet that means something only with several periods (Demand, Capacity, Prices, Expansions), if it
        has rows and the workbook has periods; with rows but no periods, one error on the sheet (its rows are not read: each of
        them would say the same)."""
        sheet = self.raw.sheets.get(name)
        if sheet is None or not len(sheet):
            return None
        if not self._readable("Periods"):
            if self._failed("Periods"):
                return None
            self.log.error(sheet.name, "", "", f"holds rows, but {self._no_periods()}: {name} rows hold per period, "
                           "so list the periods in a Periods sheet (a single period is one row), or delete the "
                           f"{name} sheet")
            return None
        return sheet

    def period_values(self, name: str) -> dict:
        """The Demand, Capacity or Prices records (`PeriodValue`), by the key `PlanningData` gives them: (item,
        period), (supplier, item or None, period), (item, supplier, period). A key given twice is an error; a
        Capacity row with an item, and every Prices row, must name an offer of Offers; a Prices row must not
        name an offer with Tiers rows (its breaks price it, in every period)."""
        sheet = self._needs_periods(name)
        if sheet is None:
            return {}
        spec = SHEET_BY_NAME[name]
        readers = self.readers(sheet, spec.columns)
        offers, tiers = self.records["Offers"], self.records["Tiers"]
        out: dict = {}
        first: dict[tuple, int] = {}
        for row in sheet.rows:
            values, complete = self.cells(sheet, row, readers)
            if not complete:
                continue
            key = tuple(values[spec.column(c).record_field] for c in spec.key)
            if key in first:
                self._repeated(sheet, row, spec, key, first[key])
                continue
            first[key] = row.row
            item, period, value = values["item"], values["period"], values["value"]
            supplier = values.get("supplier", "")
            if name != "Demand" and item is not None and (item, supplier) not in offers:
                if (item, supplier) not in self._offer_keys():  # an offer whose own row is wrong has its error there
                    what = "leave item blank for the supplier's total" if name == "Capacity" else \
                        "a price belongs to an offer"
                    self._bad(sheet, row.cells["item"], "item",
                              f"'{supplier}' has no offer for '{item}' in Offers: {what}")
                continue
            if name == "Prices" and (item, supplier) in tiers:
                self._bad(sheet, row.cells["item"], "item",
                          f"the offer of '{supplier}' for '{item}' has Tiers rows, which price it in every period: "
                          "a price by period cannot be combined with them (give the offer no Tiers rows, or no "
                          "Prices rows)")
                continue
            record = PeriodValue(period, value, item, supplier, row.row)  # type: ignore[arg-type]
            out[(item, period) if name == "Demand" else (supplier, item, period) if name == "Capacity" else
                (item, supplier, period)] = record
        return out

    def routes(self) -> dict[str, Route]:
        """The Routes records (a route works without Periods too: its freight and capacity apply, its lead time
        is shown); lead times whole (`Column.whole`), a blank one 0."""
        return self.sheet_records("Routes")

    def expansions(self) -> dict[str, Expansion]:
        """The Expansions records, each on an offer of Offers where an item is given; only with periods
        (`_needs_periods`). Capacity above 0 and whole lead times are their columns' (`Column.above_zero`,
        `Column.whole`)."""
        if self._needs_periods("Expansions") is None:
            return {}
        out = self.sheet_records("Expansions")
        sheet = self.raw.sheets["Expansions"]
        for name, expansion in list(out.items()):
            key = (expansion.item, expansion.supplier)
            if expansion.item is not None and key not in self.records["Offers"]:
                if key not in self._offer_keys():
                    self._bad(sheet, self._cell("Expansions", expansion.row, "item"), "item",
                              f"'{expansion.supplier}' has no offer for '{expansion.item}' in Offers: leave item blank "
                              "to expand the supplier's total")
                del out[name]
        return out

    def stock_bounds(self) -> None:
        """Each item's min_stock and initial_stock are at most its max_stock (logged on the cell that is above)."""
        sheet = self.raw.sheets.get("Items")
        if sheet is None or "max_stock" not in sheet.columns:
            return
        for item in self.records["Items"].values():
            if not math.isfinite(item.max_stock):
                continue
            for column, value, why in (("initial_stock", item.initial_stock, "the stock before the first period"),
                                       ("min_stock", item.min_stock, "the reserve every period must end with")):
                if value > item.max_stock:
                    self._bad(sheet, self._cell("Items", item.row, column), column,  # type: ignore[arg-type]
                              f"{shown(value)} is above max_stock ({shown(item.max_stock)}): {why} cannot be held")

    def _offer_keys(self) -> set[tuple[str, str]]:
        """(item, supplier) of every Offers row as written, valid or not (made once: Tiers asks for every break
        of an offer it cannot find)."""
        if self._offers_written is None:
            sheet = self.raw.sheets.get("Offers")
            cells = ((r.cells.get("item"), r.cells.get("supplier")) for r in sheet.rows) if sheet is not None else ()
            self._offers_written = {(_id_text(i.value), _id_text(s.value)) for i, s in cells
                                    if i is not None and s is not None}
        return self._offers_written

    def _cell(self, name: str, row: int, column: str) -> RawCell:
        """A cell of a record's row, by the record's row number (for checks made once the records are built). The
        sheet's rows are indexed by number once: a scan per call was quadratic in the problems of a large sheet."""
        rows = self._numbered.get(name)
        if rows is None:
            rows = self._numbered[name] = {r.row: r for r in self.raw.sheets[name].rows}
        return rows[row].cells.get(column) or RawCell(None, f"{row}:{row}")

    def run(self) -> PlanningData | None:
        settings = self.settings()
        self.base = settings.currency
        self.day = settings.plan_date or dt.date.today()
        for name in _RECORDS:
            if name == "Currencies":
                self.records[name] = self.currencies()
            elif name == "Tiers":
                self.records[name] = self.tiers()
            elif name == "Routes":
                self.records[name] = self.routes()
            elif name == "Expansions":
                self.records[name] = self.expansions()
            else:
                self.records[name] = self.sheet_records(name)
            if name == "Items":
                self.stock_bounds()
        self.blocs = {b for c in self.records["Countries"].values() for b in c.blocs}
        tariffs = self.tariffs()
        demands = self.period_values("Demand")
        capacities = self.period_values("Capacity")
        prices = self.period_values("Prices")
        rules = self.rules()
        hits = self.scenarios()
        if self.log.errors:
            return None
        of_run = settings.plan_date is None
        data = PlanningData(self.records["Items"], self.records["Suppliers"], self.records["Countries"],
                            self.records["Offers"], rules, hits, settings,
                            Source(self.raw.path, self.raw.sha256,
                                   {name: dict(sheet.columns) for name, sheet in self.raw.sheets.items()}),
                            tuple(self.inactive_rules), self.records["Tiers"], self.records["Currencies"], tariffs,
                            Dating(self.day, of_run, dated=self.dated, built_in=tuple(self.built_in)),
                            periods=tuple(self.records["Periods"].values()), demands=demands,
                            capacities=capacities, prices=prices, routes=self.records["Routes"],
                            expansions=self.records["Expansions"])
        period_problems(data, self.log)
        if self.log.errors:
            return None
        data = on_day(data, self.day, of_run)  # the rows in force, and the built-in blocs' members, on the day
        two_stage_problems(data, self.log)
        return None if self.log.errors else data


def two_stage_problems(data: PlanningData, log: ProblemLog) -> None:
    """The checks of the two-stage inputs that need the whole data, on the Scenarios rows in force on the plan
    date (made again after update tables and overrides: `--set mode=two_stage` is one).

    - The scenarios' probabilities (one per scenario: its rows agree, `_Validator._probabilities`) add up to at
      most 1, the rest being the baseline's; in either mode, wherever some are given (a sum above 1 is wrong
      whichever mode reads it). A sum up to 1 + 1e-9 is 1: 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floating
      point.
    - In the two-stage mode: every scenario has a probability, none is named `baseline` (in any case: the name
      of the scenario in which nothing is disrupted), and the workbook plans a single period (no Periods rows).
      A mode without any scenario is valid (the baseline alone; `planner.lint` warns).
    """
    stated: dict[str, float] = {}
    for hit in data.scenario_hits:
        if hit.probability is not None:
            stated.setdefault(hit.scenario, hit.probability)
    total = math.fsum(stated.values())
    if total > 1.0 + 1e-9:
        listed = ", ".join(f"'{name}' {shown(p)}" for name, p in stated.items())
        log.error("Scenarios", "", "probability", f"the probabilities of the scenarios add up to "
                  f"{shown(round(total, 12))} ({listed}): they must add up to at most 1 (the rest is the probability "
                  f"of the {BASELINE}, in which nothing is disrupted)")
    if not data.two_stage:
        return
    changes = data.source.changes if data.source is not None else ()
    how = "--set mode=two_stage" if any(what == "override mode" for what, _ in changes) else "Settings mode"
    if data.multi_period:
        log.error("Periods", "", "", f"holds rows, but the mode is two_stage ({how}): the two-stage mode plans a "
                  "single period only in this version; delete the Periods sheet, or set mode to deterministic")
    missing: dict[str, ScenarioHit] = {}
    named = next((hit for hit in data.scenario_hits if hit.scenario.casefold() == BASELINE), None)
    if named is not None:  # `PlanningData.probabilities` and the Recourse sheet know the baseline by its name
        place = data.cell("Scenarios", "scenario", named.row)
        where, _, at = place.rpartition("!") if "!" in place else (place, "", "")
        log.error(where, at, "scenario", f"'{named.scenario}' is the name of the scenario in which nothing is "
                  f"disrupted in the two-stage mode ({how}): give this scenario another name")
    for hit in data.scenario_hits:
        if hit.scenario not in stated:
            missing.setdefault(hit.scenario, hit)
    if not missing:
        return
    columns = data.source.columns.get("Scenarios", {}) if data.source is not None else {}
    if "probability" not in columns:
        log.error("Scenarios", "", "", f"has no probability column, but the mode is two_stage ({how}): every "
                  "scenario needs a probability on at least one of its rows (scenarios "
                  f"{', '.join(repr(name) for name in missing)})")
        return
    for name, hit in missing.items():
        place = data.cell("Scenarios", "probability", hit.row)
        where, _, at = place.rpartition("!") if "!" in place else (place, "", "")
        log.error(where, at, "probability", f"scenario '{name}' has no probability on any of its "
                  f"rows, but the mode is two_stage ({how}): every scenario needs one (0 for a scenario that should "
                  "weigh nothing)")


def period_problems(data: PlanningData, log: ProblemLog) -> None:
    """The checks of several periods that need the whole data (made again after update tables and overrides).

    Without periods: a value in a stock column of Items plays no part (one warning per column). With periods T:

    - an offer whose route's lead time L >= T can never deliver (ordered in the first period, it would arrive
      after the last): an error on its Offers route cell when its item has no initial_stock, else a warning;
    - an item whose offers all have lead times of at least a >= 1 periods receives nothing in periods 0 .. a-1
      (0-based), so its stock there is initial_stock - cumulative demand, which must stay >= min_stock: with
      D = the demand of periods 0 .. min(a, T) - 1 added up, initial_stock - D < min_stock is an error.
    """
    if not data.multi_period:
        for column in STOCK_COLUMNS:
            blank = SHEET_BY_NAME["Items"].column(column).if_blank
            given = [item for item in data.items.values() if getattr(item, column) != blank]
            if given:
                where, _, at = data.where("Items", given[0], column).rpartition("!")
                more = f" ({len(given)} items have one)" if len(given) > 1 else ""
                log.warning(where or data.where("Items", given[0], column), at, column,
                            f"plays no part: the workbook has no Periods sheet, so stock is not planned{more}",
                            getattr(given[0], column))
        return
    periods = len(data.periods)
    names = data.period_names
    lead = {name: route.lead_time for name, route in data.routes.items()}
    shortest: dict[str, int] = {}
    for offer in data.offers.values():
        wait = lead[offer.route] if offer.route else 0
        if wait < shortest.get(offer.item, periods + 1):
            shortest[offer.item] = wait
        if wait >= periods:
            item = data.items[offer.item]
            where, _, at = data.where("Offers", offer, "route").rpartition("!")
            lead_cell = data.cell("Routes", "lead_time", data.routes[offer.route].row)
            message = (f"the offer of '{offer.supplier}' for '{offer.item}' travels on route '{offer.route}', whose "
                       f"lead time of {_periods(wait)} ({lead_cell}) "
                       f"is not shorter than the {periods} periods planned: nothing ordered on it can arrive")
            if item.initial_stock > 0:
                log.warning(where, at, "route", message + "; it plays no part", offer.route)
            else:
                log.error(where, at, "route", message + f", and '{offer.item}' has no initial_stock", offer.route)
    late = [(name, wait) for name, wait in shortest.items() if wait > 0]
    if not late:
        return
    demand = np.array([[data.demand_in(name, p) for p in names] for name, _ in late], dtype=float)
    cumulative = np.cumsum(demand, axis=1)
    reach = np.minimum(np.array([wait for _, wait in late]), periods)  # the periods before anything can arrive
    need = cumulative[np.arange(len(late)), reach - 1]
    held = np.array([data.items[name].initial_stock - data.items[name].min_stock for name, _ in late])
    for k in np.flatnonzero(need > held + 1e-9 * np.maximum(1.0, need)):
        name, wait = late[k]
        item = data.items[name]
        where, _, at = data.where("Items", item, "item").rpartition("!") if item.row is not None else ("Items", "", "")
        when = f"before period '{names[wait]}'" if wait < periods else "within the periods planned"
        reserve = f" and keep its min_stock of {shown(item.min_stock)}" if item.min_stock else ""
        log.error(where or "Items", at, "item",
                  f"'{name}' needs {shown(float(need[k]))} by the end of period '{names[reach[k] - 1]}'{reserve}, but "
                  f"no offer can deliver {when} (the shortest lead time of its offers is {_periods(wait)}), and its "
                  f"initial_stock is {shown(item.initial_stock)}: the demand cannot be met", name)


def _periods(count: int) -> str:
    return f"{count} period" if count == 1 else f"{count} periods"


def _in_bulk(spec: SheetSpec, sheet: RawSheet, records: dict[str, dict], base: str) -> dict | None:
    """The records of a sheet read as columns, checked column by column; None unless every cell is clean.

    A sheet whose columns are references, numbers, choices and currencies is checked so (Offers); a column of
    any other kind sends the sheet cell by cell. Clean means: every reference is text naming a listed record;
    every number is a number (or blank, where optional), finite, within its kind's `BOUNDS` and below
    MAX_NUMBER; every choice is one of the column's, matched as `_choice_word` matches it (`All units`); every
    currency is the base currency `base` or one listed in Currencies, in any case; and each key appears once. A
    blank reads as the column's `if_blank`, and so does every cell of a column left out, or present and blank in
    every row (the template's Offers has `discount` and `currency` headers over blank cells). Then the
    cell-by-cell checks could not find anything and are skipped; otherwise they run and report every problem (a
    large sheet is checked in bulk, and goes cell by cell only to say what is wrong).
    """
    values, numbers = sheet.values, sheet.numbers
    if values is None or numbers is None:
        return None
    filled: dict[str, list[object]] = {}  # record field -> its value in every row
    for column in spec.columns:
        cells = values.get(column.name)
        if not column.required and (cells is None and column.kind not in BOUNDS or
                                    cells is not None and cells.count(None) == len(cells)):
            # blank throughout, as a column left out: a number's blank must be a number (`if_blank`) to be read so
            if column.kind in BOUNDS and not isinstance(column.if_blank, float):
                return None
            filled[column.record_field] = [column.if_blank] * len(numbers)
            continue
        if column.kind == "id" and column.refers:
            known = records[column.refers]
            if cells is None:
                return None
            kinds = set(map(type, cells))
            if column.required and kinds != {str}:
                return None
            if not column.required:  # an optional reference (Offers route): a blank reads as `if_blank`
                if not kinds <= {str, type(None)} or not isinstance(column.if_blank, str):
                    return None
                blank = column.if_blank
                stripped = [blank if v is None else v.strip() for v in cells]
                if not set(stripped) - {blank} <= known.keys():
                    return None
                canonical = {name: name for name in known}
                canonical[blank] = blank
            else:
                stripped = list(map(str.strip, cells))
                if not set(stripped) <= known.keys():
                    return None
                canonical = {name: name for name in known}  # one string object per name, not one per cell
            filled[column.record_field] = [canonical[name] for name in stripped]
        elif column.kind in BOUNDS:
            if column.whole or column.above_zero:
                return None  # further bounds: the cell-by-cell reader checks them
            blank = column.if_blank
            if cells is None:  # an optional column left out (the reader refuses a required one missing)
                if column.required or not isinstance(blank, float):
                    return None
                filled[column.record_field] = [blank] * len(numbers)
                continue
            if not set(map(type, cells)) <= ({float, int} if column.required else {float, int, type(None)}):
                return None
            array = np.fromiter((np.nan if v is None else v for v in cells), dtype=float, count=len(cells))
            given = array if column.required else array[~np.isnan(array)]
            low, high = BOUNDS[column.kind]
            if not (np.isfinite(given).all() and (given >= low).all() and (given <= high).all()
                    and (given < MAX_NUMBER).all()):
                return None
            if not column.required:
                if not isinstance(blank, float):
                    return None  # no value for a blank: only the cell-by-cell code can say what it means
                array = np.where(np.isnan(array), blank, array)
            filled[column.record_field] = array.tolist()
        elif column.kind in ("choice", "currency") and cells is not None and not column.required:
            # few distinct entries, each read once as the cell-by-cell reader would; anything else goes there
            read = _choice_word if column.kind == "choice" else _currency_code(base, records["Currencies"])
            meaning: dict[object, object] = {}
            for entry in set(cells):
                if entry is None:
                    meaning[entry] = column.if_blank
                    continue
                if type(entry) is not str or not entry.strip() or UNWRITABLE.search(entry):
                    return None
                word = read(entry)
                if word is None or (column.kind == "choice" and word not in column.choices):
                    return None
                meaning[entry] = word
            filled[column.record_field] = [meaning[entry] for entry in cells]
        else:
            return None
    keyed = [filled[spec.column(name).record_field] for name in spec.key]
    keys = list(zip(*keyed)) if len(keyed) > 1 else keyed[0]
    if len(set(keys)) != len(keys):
        return None
    record = _RECORDS[spec.name]
    positional = [filled[field] for field in _FIELDS[spec.name]]
    # a later field (Offers route) blank in every row is left to its default: records made by position alone
    blanks = {c.record_field: c.if_blank for c in spec.columns}
    late = [f for f in _LATE[spec.name] if filled[f].count(blanks[f]) != len(numbers)]
    if not late:
        return dict(zip(keys, map(record, *positional, numbers)))
    # the fields after `row` up to the last one given, by position too (a keyword per record costs twice as
    # much): the given columns, and each field between them at its default (Offer: origin ())
    fields = dataclasses.fields(record)
    names = [f.name for f in fields]
    after = fields[names.index("row") + 1:max(names.index(f) for f in late) + 1]
    tail = [filled[f.name] if f.name in late else itertools.repeat(
        f.default if f.default is not dataclasses.MISSING else f.default_factory()) for f in after]  # type: ignore[misc]
    return dict(zip(keys, map(record, *positional, numbers, *tail)))


def _choice_word(text: str) -> str:
    """A choice cell's entry as the choice it names, matched like a header: `All units`, `all-units` ->
    `all_units` (whether it is one of the column's choices is the caller's to check)."""
    return normalize(text).replace(" ", "_").replace("-", "_")


def _currency_code(base: str, known: Mapping[str, object]) -> Callable[[str], str | None]:
    """How a currency cell's text reads: "" for the base currency, a code of `known` (Currencies) in upper case,
    None for any other (which the cell-by-cell reader reports)."""
    def read(text: str) -> str | None:
        code = text.strip().upper()
        return "" if code == base.upper() else code if code in known else None
    return read


def _item_and_class(value: object) -> tuple[str | None, str | None]:
    """An item cell's value as (item, class): an `ItemClass` names a class, any other text an item."""
    if isinstance(value, ItemClass):
        return None, str(value)
    return value, None  # type: ignore[return-value]


def _item_words(value: object) -> str:
    return f"class:{value}" if isinstance(value, ItemClass) else f"'{value}'" if value else ""


def _builtin(name: str) -> str | None:
    """The built-in bloc a name means (`planner.reference.lookup`), or None."""
    from planner import reference

    return reference.lookup(name)


def _builtin_names() -> tuple[str, ...]:
    from planner import reference

    return reference.blocs()


def _excel_day(number: float) -> dt.date | None:
    """The day an Excel day number stands for in a workbook of the 1900 date system (day 1 is 1900-01-01, and
    Excel counts a 29 February 1900 that never was, so from day 61 on day n is 1899-12-30 + n); None for a
    number that is no whole day of years 1900 to 9999, or is that 29 February."""
    if not float(number).is_integer() or not 1 <= number <= 2958465 or number == 60:
        return None
    return dt.date(1899, 12, 30 if number >= 61 else 31) + dt.timedelta(days=int(number))


def _id_text(value: object) -> str:
    """A cell's value as the id `CellParser.ident` would read it, without checking it: for sets of ids as written,
    valid or not, that are only looked names up in."""
    if type(value) is float and value.is_integer():
        return str(int(value))
    if type(value) is float:
        return repr(value)
    return str(value).strip()


def _written(sheet: RawSheet, column: str) -> set[str]:
    """The ids written in a column of a sheet, valid or not (blank cells left out)."""
    cells = sheet.values.get(column, []) if sheet.values is not None else \
        [r.cells[column].value for r in sheet.rows if column in r.cells]
    return {_id_text(v) for v in cells if v is not None and not (isinstance(v, str) and not v.strip())}


def _coordinate(row: RawRow, column: str) -> str | None:
    """The coordinate of a row's cell in `column` ("A7"), which names the row in later messages."""
    cell = row.cells.get(column)
    return cell.coordinate if cell is not None else None


def _blank(cell: RawCell | None) -> bool:
    if cell is None:
        return True
    if cell.error:
        return False
    return cell.value is None or (isinstance(cell.value, str) and cell.value.strip() == "")


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    known = list(known)
    folded = [k for k in known if k.lower() == key.lower()]
    close = folded or difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
