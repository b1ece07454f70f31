"""Raw cells -> validated `PlanningData` (step 2 of the pipeline).

Every cell is checked, every problem is logged with its sheet, cell and
column, and nothing is raised until the whole workbook has been seen.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable

import numpy as np

from planner.data import (
    Country,
    Group,
    GroupSpec,
    Item,
    Offer,
    PlanningData,
    Rule,
    ScenarioHit,
    Settings,
    Source,
    Supplier,
)
from planner.problems import ProblemLog
from planner.raw import RawCell, RawRow, RawSheet, RawWorkbook
from planner.schema import BOUNDS, GROUP_KINDS, MAX_NUMBER, PLAIN_NUMBER, RULES, SETTING_BY_NAME, UNWRITABLE, \
    escaped, normalize, parse_switch, switch, unwritable

_PREFIX = re.compile(r"^\s*(country|bloc|supplier)\s*:\s*(.*)$", re.IGNORECASE)
_EACH = {f"each {kind}": kind for kind in GROUP_KINDS}


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
        if type(value) in (float, int):  # most cells: neither text, nor blank, nor TRUE/FALSE, nor a date
            return cell
        # before the blank test: str.strip removes \x1c-\x1f; the search first, as the call costs more
        if type(value) is str and UNWRITABLE.search(value) and self._unreadable(sheet, cell, column):
            return None
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self._bad(sheet, cell, column, f"is blank; {blank_noun} is required")
            return None
        if type(value) is str:
            return cell
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
        if isinstance(value, str):
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


class _Validator(CellParser):
    def __init__(self, raw: RawWorkbook, log: ProblemLog) -> None:
        super().__init__(log)
        self.raw = raw
        self.inactive_rules: list[Rule] = []  # Policy rows whose `active` cell is off
        # every id written in a sheet, valid row or not: a reference to an id whose
        # own row is bad is not reported again (that error is already logged)
        self.ids: dict[str, set[str]] = {}

    # ---- sheets -------------------------------------------------------

    def _unique(self, sheet: RawSheet, rows: Iterable[tuple[RawRow, str | None]], column: str) -> set[int]:
        """Log duplicate ids; return the rows that repeat an earlier id."""
        first: dict[str, int] = {}
        repeats: set[int] = set()
        for row, key in rows:
            if key is None:
                continue
            if key in first:
                cell = row.cells[column]
                self._bad(sheet, cell, column, f"'{key}' appears again (first in row {first[key]})")
                repeats.add(row.row)
            else:
                first[key] = row.row
        return repeats

    def _nonempty(self, name: str) -> RawSheet | None:
        sheet = self.raw.sheets.get(name)
        if sheet is not None and not len(sheet):
            self.log.error(sheet.name, "", "", "has no rows below the header")
        return sheet

    def items(self) -> dict[str, Item]:
        sheet = self._nonempty("Items")
        if sheet is None:
            return {}
        keyed = [(row, self.ident(sheet, row, "item", True)) for row in sheet.rows]
        self.ids["Items"] = {key for _, key in keyed if key is not None}
        repeats = self._unique(sheet, keyed, "item")
        out: dict[str, Item] = {}
        for row, name in keyed:
            demand = self.number(sheet, row, "demand", required=True)
            if name is None or demand is None or row.row in repeats:
                continue
            out[name] = Item(name, demand, self.text(sheet, row, "unit"), row.row)
        return out

    def countries(self) -> dict[str, Country]:
        sheet = self._nonempty("Countries")
        if sheet is None:
            return {}
        keyed = [(row, self.ident(sheet, row, "country", True)) for row in sheet.rows]
        self.ids["Countries"] = {key for _, key in keyed if key is not None}
        repeats = self._unique(sheet, keyed, "country")
        out: dict[str, Country] = {}
        for row, name in keyed:
            tariff = self.number(sheet, row, "tariff")
            blocs = tuple(dict.fromkeys(b.strip() for b in self.text(sheet, row, "blocs").split(",") if b.strip()))
            if name is None or row.row in repeats:
                continue
            out[name] = Country(name, self.text(sheet, row, "name"), blocs, tariff or 0.0, row.row)
        return out

    def suppliers(self, countries: dict[str, Country]) -> dict[str, Supplier]:
        sheet = self._nonempty("Suppliers")
        if sheet is None:
            return {}
        keyed = [(row, self.ident(sheet, row, "supplier", True)) for row in sheet.rows]
        self.ids["Suppliers"] = {key for _, key in keyed if key is not None}
        repeats = self._unique(sheet, keyed, "supplier")
        out: dict[str, Supplier] = {}
        for row, name in keyed:
            country = self._reference(sheet, row, "country", countries, "Countries")
            capacity = self.number(sheet, row, "capacity")
            fixed = self.number(sheet, row, "fixed_cost")
            if name is None or country is None or row.row in repeats:
                continue
            out[name] = Supplier(name, country, math.inf if capacity is None else capacity, fixed or 0.0, row.row)
        return out

    def _readable(self, name: str) -> bool:
        """Whether a sheet was read with rows: if not, references into it are not checked (no cascade)."""
        sheet = self.raw.sheets.get(name)
        return sheet is not None and bool(len(sheet))

    def _reference(self, sheet: RawSheet, row: RawRow, column: str, known: dict, where: str,
                   required: bool = True) -> str | None:
        key = self.ident(sheet, row, column, required)
        if key is None:
            return None
        if key not in known and key not in self.ids.get(where, set()) and self._readable(where):
            self._bad(sheet, row.cells[column], column, f"'{key}' is not listed in {where}{_did_you_mean(key, known)}")
            return None
        return key if key in known else None

    def offers(self, items: dict[str, Item], suppliers: dict[str, Supplier]) -> dict[tuple[str, str], Offer]:
        sheet = self._nonempty("Offers")
        if sheet is None:
            return {}
        clean = _clean_offers(sheet, items, suppliers)
        if clean is not None:
            return clean
        out: dict[tuple[str, str], Offer] = {}
        first: dict[tuple[str, str], int] = {}
        for row in sheet.rows:
            item = self._reference(sheet, row, "item", items, "Items")
            supplier = self._reference(sheet, row, "supplier", suppliers, "Suppliers")
            price = self.number(sheet, row, "price", required=True)
            capacity = self.number(sheet, row, "capacity")
            min_order = self.number(sheet, row, "min_order")
            freight = self.number(sheet, row, "freight")
            if item is None or supplier is None:
                continue
            key = (item, supplier)
            if key in first:
                self._bad(sheet, row.cells["supplier"], "supplier",
                          f"offer of '{supplier}' for '{item}' appears again (first in row {first[key]})")
                continue
            first[key] = row.row
            if price is None:
                continue
            out[key] = Offer(item, supplier, price, math.inf if capacity is None else capacity,
                             min_order or 0.0, freight or 0.0, row.row)
        return out

    # ---- groups, rules, scenarios --------------------------------------

    def group(self, sheet: RawSheet, row: RawRow, countries: dict, suppliers: dict, blocs: set[str],
              allow_each: bool) -> GroupSpec | None:
        cell = row.cells.get("group")
        text = self.ident(sheet, row, "group", True)
        if text is None or cell is None:
            return None
        each = _EACH.get(normalize(text))
        if each is not None:
            if not allow_each:
                self._bad(sheet, cell, "group", f"'{text}' cannot be used here; name one country, bloc or supplier")
                return None
            return GroupSpec(each)  # type: ignore[arg-type]
        members = {"country": countries, "bloc": blocs, "supplier": suppliers}
        prefixed = _PREFIX.match(text)
        if prefixed:
            kind, name = prefixed.group(1).lower(), prefixed.group(2).strip()
            if name not in members[kind]:
                where = {"country": "Countries", "bloc": "the blocs column of Countries", "supplier": "Suppliers"}[kind]
                self._bad(sheet, cell, "group", f"{kind} '{name}' is not listed in {where}{_did_you_mean(name, members[kind])}")
                return None
            return GroupSpec(kind, name)  # type: ignore[arg-type]
        kinds = [kind for kind in GROUP_KINDS if text in members[kind]]
        if len(kinds) > 1:
            forms = " or ".join(f"'{k}:{text}'" for k in kinds)
            self._bad(sheet, cell, "group", f"'{text}' is both a {' and a '.join(kinds)}; write {forms}")
            return None
        if not kinds:
            if not (self._readable("Countries") and self._readable("Suppliers")):
                return None  # a sheet that names groups could not be read: its own error says so
            known = set(countries) | blocs | set(suppliers)
            self._bad(sheet, cell, "group", f"'{text}' is not a country, bloc or supplier, nor one of "
                      f"'each country', 'each supplier', 'each bloc'{_did_you_mean(text, known)}")
            return None
        return GroupSpec(kinds[0], text)  # type: ignore[arg-type]

    def rules(self, items: dict, countries: dict, suppliers: dict, blocs: set[str]) -> tuple[Rule, ...]:
        sheet = self.raw.sheets.get("Policy")
        if sheet is None:
            return ()
        out: list[Rule] = []
        switches = self._switch_column(sheet)
        for row in sheet.rows:
            kind_text = self.ident(sheet, row, "rule", True)
            kind = None
            if kind_text is not None:
                kind = normalize(kind_text).replace(" ", "_")
                if kind not in RULES:
                    self._bad(sheet, row.cells["rule"], "rule",
                              f"'{kind_text}' is not a rule; use one of {', '.join(RULES)}")
                    kind = None
            item = self._reference(sheet, row, "item", items, "Items", required=False)
            item_given = not _blank(row.cells.get("item"))
            group_cell = row.cells.get("group")
            group_given = group_cell is not None and not _blank(group_cell)
            value_cell = row.cells.get("value")
            value_given = value_cell is not None and not _blank(value_cell)
            group: GroupSpec | None = None
            value: float | None = None
            if kind == "min_coverage":
                if group_given:
                    self.log.warning(sheet.name, group_cell.coordinate, "group",  # type: ignore[union-attr]
                                     "min_coverage counts all offers of the item; the group is ignored", group_cell.value)  # type: ignore[union-attr]
            elif kind is not None or group_given:
                group = self.group(sheet, row, countries, suppliers, blocs, allow_each=True)
            if kind == "exclude":
                if value_given:
                    self.log.warning(sheet.name, value_cell.coordinate, "value",  # type: ignore[union-attr]
                                     "exclude takes no value; it is ignored", value_cell.value)  # type: ignore[union-attr]
            elif value_cell is None or not value_given:
                if kind is not None:
                    cell = value_cell or RawCell(None, f"{row.row}:{row.row}")
                    self._bad(sheet, cell, "value", f"{kind} needs a value: a share of demand in [0, 1]")
            else:
                value = self.number(sheet, row, "value", share=True)
            if kind is None or (item_given and item is None):
                continue
            if kind in ("max_share", "min_share", "exclude") and group is None:
                continue
            if kind != "exclude" and value is None:
                continue
            rule = Rule(kind, item, group, value, row.row, _coordinate(row, "rule"))  # type: ignore[arg-type]
            (out if not switches or self._active(sheet, row) else self.inactive_rules).append(rule)
        return tuple(out)

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

    def scenarios(self, items: dict, countries: dict, suppliers: dict, blocs: set[str]) -> tuple[ScenarioHit, ...]:
        sheet = self.raw.sheets.get("Scenarios")
        if sheet is None:
            return ()
        out: list[ScenarioHit] = []
        for row in sheet.rows:
            name = self.ident(sheet, row, "scenario", True)
            item = self._reference(sheet, row, "item", items, "Items", required=False)
            item_given = not _blank(row.cells.get("item"))
            spec = self.group(sheet, row, countries, suppliers, blocs, allow_each=False)
            availability = self.number(sheet, row, "availability", share=True)
            if name is None or spec is None or spec.name is None or (item_given and item is None):
                continue
            if availability is None and not _blank(row.cells.get("availability")):
                continue  # bad availability, already logged
            out.append(ScenarioHit(name, Group(spec.kind, spec.name), item, availability or 0.0, row.row,
                                       _coordinate(row, "scenario")))
        return tuple(out)

    def settings(self) -> Settings:
        sheet = self.raw.sheets.get("Settings")
        values: dict[str, object] = {}
        if sheet is None:
            return Settings()
        seen: dict[str, int] = {}
        for row in sheet.rows:
            name_text = self.ident(sheet, row, "setting", True)
            if name_text is None:
                continue
            name = normalize(name_text).replace(" ", "_")
            spec = SETTING_BY_NAME.get(name)
            if spec is None:
                self.log.warning(sheet.name, row.cells["setting"].coordinate, "setting",
                                 f"'{name_text}' is not a known setting and is ignored (known: {', '.join(SETTING_BY_NAME)})",
                                 name_text)
                continue
            if name in seen:
                self._bad(sheet, row.cells["setting"], "setting", f"'{name}' is set again (first in row {seen[name]})")
                continue
            seen[name] = row.row
            if spec.kind == "text":
                text = self.text(sheet, row, "value")
                if text:
                    values[name] = text
                continue
            number = self.number(sheet, row, "value", share=spec.kind == "share")
            if number is None:
                continue
            if spec.kind == "positive" and number <= 0:
                self._bad(sheet, row.cells["value"], "value", f"{name} must be greater than 0")
                continue
            values[name] = number
        return Settings(**values)  # type: ignore[arg-type]

    # ---- all together --------------------------------------------------

    def run(self) -> PlanningData | None:
        items = self.items()
        countries = self.countries()
        suppliers = self.suppliers(countries)
        offers = self.offers(items, suppliers)
        blocs = {b for c in countries.values() for b in c.blocs}
        rules = self.rules(items, countries, suppliers, blocs)
        hits = self.scenarios(items, countries, suppliers, blocs)
        settings = self.settings()
        if self.log.errors:
            return None
        return PlanningData(items, suppliers, countries, offers, rules, hits, settings,
                            Source(self.raw.path, self.raw.sha256,
                                   {name: dict(sheet.columns) for name, sheet in self.raw.sheets.items()}),
                            tuple(self.inactive_rules))


def _clean_offers(sheet: RawSheet, items: dict[str, Item], suppliers: dict[str, Supplier]
                  ) -> dict[tuple[str, str], Offer] | None:
    """The offers of a sheet read as columns, checked column by column; None unless every cell is clean.

    Clean means: item and supplier are text naming a listed item and supplier,
    each pair appears once, price is a number and the other number columns
    are numbers or blank, all finite, >= 0 and < MAX_NUMBER. Then the
    cell-by-cell checks could not find anything and are skipped; otherwise
    they run and report every problem (a large sheet is checked in bulk, and
    goes cell by cell only to say what is wrong).
    """
    values = sheet.values
    if values is None or sheet.numbers is None:
        return None
    names: dict[str, list[str]] = {}
    for column, known in (("item", items), ("supplier", suppliers)):
        cells = values.get(column)
        if cells is None or set(map(type, cells)) != {str}:
            return None
        stripped = list(map(str.strip, cells))
        if not set(stripped) <= known.keys():
            return None
        canonical = {name: name for name in known}  # one string object per name, not one per cell
        names[column] = [canonical[name] for name in stripped]
    numbers: dict[str, np.ndarray] = {}
    for column in ("price", "capacity", "min_order", "freight"):
        cells = values.get(column)
        if cells is None:
            numbers[column] = np.full(len(sheet.numbers), np.nan)
            continue
        allowed = {float, int} if column == "price" else {float, int, type(None)}
        if not set(map(type, cells)) <= allowed:
            return None
        array = np.fromiter((np.nan if v is None else v for v in cells), dtype=float, count=len(cells))
        given = array[~np.isnan(array)] if column != "price" else array
        if not (np.isfinite(given).all() and (given >= 0).all() and (given < MAX_NUMBER).all()):
            return None
        numbers[column] = array
    keys = list(zip(names["item"], names["supplier"]))
    if len(set(keys)) != len(keys):
        return None
    capacity = np.where(np.isnan(numbers["capacity"]), math.inf, numbers["capacity"])
    min_order, freight = np.nan_to_num(numbers["min_order"]), np.nan_to_num(numbers["freight"])
    return {key: Offer(key[0], key[1], p, c, m, f, n) for key, p, c, m, f, n in zip(
        keys, numbers["price"].tolist(), capacity.tolist(), min_order.tolist(), freight.tolist(), sheet.numbers)}


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
