"""Apply update tables and overrides to validated data, without touching the base workbook.

An update table's key columns say what each row updates:

| key columns       | updates    | value columns                     |
|-------------------|------------|-----------------------------------|
| item, supplier    | Offers     | price, capacity, min_order, freight, route |
| supplier          | Suppliers  | capacity, fixed_cost, country     |
| country           | Countries  | tariff, name, blocs               |
| item              | Items      | demand, unit, initial_stock, holding_cost, max_stock, min_stock |
| policy_row        | Policy     | active (on/off), value, period    |
| item, period      | Demand     | demand                            |
| supplier, (item), period | Capacity | capacity (item blank: the supplier's total) |
| supplier, item, period | Prices | price                            |
| route             | Routes     | lead_time, freight, capacity      |
| expansion         | Expansions | supplier, item, capacity, fixed_cost, lead_time, earliest |

A table with a `period` column is a Demand, Capacity or Prices table (by its value column); their rows of a
key the base lacks are added, as the rows of a sheet would be (the item, supplier, offer and period must
exist), without `allow_new`.

A value present replaces the base value, a blank keeps it, `unlimited`
removes a capacity. A key missing from the base is an error naming the file,
row and column, unless `allow_new` adds it (then the columns a new record
needs must be given). Tables apply in dependency order (Countries, Items,
Suppliers, Offers, Policy), in the order given within each kind.

A Policy table's key `policy_row` is the rule's row in the base workbook's
Policy sheet; it switches rules on and off (`active`) and sets their
`value`, and never adds a rule.

Overrides (`--set`) change one Settings value, one Policy row's value, or
switch one Policy row (any rule, exclusions too) off and on again:

    time_limit=30            Settings!mip_gap=0.001
    Policy!7=0.3             Policy!7.value=0.3          Policy!D7=0.3
    Policy!7=off             Policy!7=on                 Policy!7.active=off

or one cell of a row of Items, Offers, Demand, Capacity, Prices, Routes or Expansions, by its column letter or
name, as a one-row update table of that kind would (`CELL_SHEETS`):

    Routes!B3=4              Routes!3.lead_time=4        Items!3.max_stock=unlimited

A rule switched off is kept in `data.inactive_rules` and plays no part
until it is switched on again. `plan_date=2027-01-01` reads the data on
that day (`planner.dating.on_day`), `plan_date=` (blank) on the day of the
run, as a blank Settings cell does.

The currency cannot be changed this way: it would relabel amounts that are
not converted.

Every value is checked as in the workbook, every problem is collected, and
the changes applied are recorded in `data.source.changes` for the Run sheet.
No solver object and no file is touched here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from pathlib import Path

from planner.data import Country, Expansion, Item, Offer, PeriodValue, PlanningData, Route, Rule, Settings, Source, \
    Supplier
from planner.dating import in_force, on_day, span, without_built_in
from planner.model import registry
from planner.problems import ProblemLog
from planner.raw import RawCell, RawRow, RawSheet
from planner.schema import PLAIN_NUMBER, RECOURSE_COLUMNS, SETTING_BY_NAME, UPDATE_KINDS, normalize, parse_date, \
    parse_switch, rule_value_problem, setting_choice, setting_number_problem
from planner.validate import CellParser, shown

ORDER = ("Countries", "Items", "Suppliers", "Routes", "Offers", "Demand", "Capacity", "Prices", "Expansions",
         "Policy")
NUMBER_COLUMNS = {"price", "capacity", "min_order", "freight", "fixed_cost", "tariff", "demand", "initial_stock",
                  "holding_cost", "max_stock", "min_stock", "lead_time", "spot_price", "spot_capacity",
                  "shortage_cost"}
UNLIMITED = {"capacity", "max_stock", "spot_capacity"}  # the columns whose blank in a sheet is unlimited: `unlimited` sets that
PERIOD_KINDS = ("Demand", "Capacity", "Prices")
# value columns that mean something only with several periods: a table on data without periods does not set them
# (they are ignored with the warning that names the columns a table sets)
PERIOD_COLUMNS = {"Policy": ("period",), "Items": ("initial_stock", "holding_cost", "max_stock", "min_stock")}
_POLICY = re.compile(r"^policy\s*!\s*([a-z]*)(\d+)(?:\s*\.\s*(value|active|period))?$", re.IGNORECASE)
# `--set Sheet!B3=value` or `--set Sheet!3.column=value`: one cell of these sheets, as a one-row update table
CELL_SHEETS = ("Items", "Offers", "Demand", "Capacity", "Prices", "Routes", "Expansions")
_CELL = re.compile(r"^([a-z]+)\s*!\s*(?:([a-z]+)(\d+)|(\d+)\s*\.\s*([a-z_ ]+))$", re.IGNORECASE)
# the record field an update column sets, where it is not the column's name
_FIELDS = {("Countries", "name"): "label", ("Demand", "demand"): "value", ("Capacity", "capacity"): "value",
           ("Prices", "price"): "value"}


def table_kind(sheet: RawSheet) -> str | None:
    """What a table updates, from its key columns (most specific first; `policy_row` names no other kind, so a
    Policy table that also has an `item` column, say as a note, is still a Policy table). A `period` column makes
    a table one of Prices, Capacity or Demand, told apart by its value column; an `expansion` column an
    Expansions table; a `route` column without item and supplier a Routes table."""
    present = set(sheet.columns)
    if set(UPDATE_KINDS["Policy"][0]) <= present:
        return "Policy"
    if "period" in present:
        for kind, needed in (("Prices", {"supplier", "item", "price"}), ("Capacity", {"supplier", "capacity"}),
                             ("Demand", {"item", "demand"})):
            if needed <= present:
                return kind
    if "expansion" in present:
        return "Expansions"
    if set(UPDATE_KINDS["Offers"][0]) <= present:
        return "Offers"
    if "route" in present:
        return "Routes"
    for kind in ("Suppliers", "Countries", "Items"):
        if set(UPDATE_KINDS[kind][0]) <= present:
            return kind
    return None


class _Updater(CellParser):
    def __init__(self, data: PlanningData, log: ProblemLog, allow_new: bool) -> None:
        super().__init__(log)
        self.allow_new = allow_new
        self.records: dict[str, dict] = {
            "Items": dict(data.items), "Suppliers": dict(data.suppliers),
            "Countries": dict(data.countries), "Offers": dict(data.offers), "Demand": dict(data.demands),
            "Capacity": dict(data.capacities), "Prices": dict(data.prices), "Routes": dict(data.routes),
            "Expansions": dict(data.expansions)}
        self.periods = data.period_names
        self.tiers = data.tiers
        self.kind = ""  # the kind of the table being applied

    def value(self, sheet: RawSheet, row: RawRow, column: str) -> object:
        """The typed value of a cell, `None` for blank (keep), or `_BAD` (logged)."""
        cell = row.cells.get(column)
        if cell is not None and self._unreadable(sheet, cell, column):
            return _BAD
        if cell is None or cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            return None if cell is None or not cell.error else self._error(sheet, cell, column, cell.error)
        if column in UNLIMITED and isinstance(cell.value, str) and normalize(cell.value) == "unlimited":
            return math.inf
        if column in NUMBER_COLUMNS:
            number = self.number(sheet, row, column)
            if number is not None and column == "lead_time":
                if not number.is_integer():
                    return self._error(sheet, cell, column, f"{shown(number)} is not a whole number of periods")
                return int(number)
            if number is not None and column == "capacity" and self.kind == "Expansions" and number <= 0:
                return self._error(sheet, cell, column, "an expansion must add capacity above 0")
            return _BAD if number is None else number
        if column == "route":  # an Offers route: one of Routes, or `direct` (no route) where no route is so named
            name = self.ident(sheet, row, column, True)
            if name is not None and normalize(name) == "direct" and name not in self.records["Routes"]:
                return ""
            if name is not None and name not in self.records["Routes"]:
                return self._error(sheet, cell, column, f"'{name}' is not listed in Routes (write direct for no route)")
            return _BAD if name is None else name
        if column in ("period", "earliest"):
            return self.period(sheet, row, column)
        if column in ("supplier", "item"):  # an Expansions value (elsewhere they are keys)
            name = self.ident(sheet, row, column, True)
            where = "Suppliers" if column == "supplier" else "Items"
            if name is not None and name not in self.records[where]:
                return self._error(sheet, cell, column, f"'{name}' is not listed in {where}")
            return _BAD if name is None else name
        if column == "country":
            name = self.ident(sheet, row, column, True)
            if name is not None and name not in self.records["Countries"]:
                self._bad(sheet, cell, column, f"'{name}' is not listed in Countries")
                return _BAD
            return _BAD if name is None else name
        if column == "blocs":
            return tuple(dict.fromkeys(b.strip() for b in str(cell.value).split(",") if b.strip()))
        return self.text(sheet, row, column)

    def _error(self, sheet: RawSheet, cell: RawCell, column: str, message: str) -> object:
        self._bad(sheet, cell, column, message)
        return _BAD

    def period(self, sheet: RawSheet, row: RawRow, column: str) -> object:
        """A period of the base workbook's Periods sheet, or `_BAD` (logged)."""
        name = self.ident(sheet, row, column, True)
        if name is None:
            return _BAD
        if name not in self.periods:
            listed = f"its periods are {', '.join(self.periods)}" if self.periods else "it has no Periods sheet"
            return self._error(sheet, row.cells[column], column, f"'{name}' is not a period of the base workbook "
                               f"({listed})")
        return name

    def key(self, sheet: RawSheet, row: RawRow, kind: str) -> tuple | None:
        """The key a row of a table of `kind` names, each part checked (None if any is blank or bad: logged). A
        Capacity row's item may be blank (the supplier's total); the parts of Demand, Capacity and Prices keys
        must exist in the base (an item, a supplier, an offer, a period), since their rows may be added."""
        keys = UPDATE_KINDS[kind][0]
        parts = [self.ident(sheet, row, k, not (kind == "Capacity" and k == "item")) for k in keys]
        if any(p is None for k, p in zip(keys, parts) if not (kind == "Capacity" and k == "item")):
            return None
        if kind not in PERIOD_KINDS:
            return tuple(parts)
        given = dict(zip(keys, parts))
        ok = True
        for column, where in (("item", "Items"), ("supplier", "Suppliers")):
            name = given.get(column)
            if name is not None and name not in self.records[where]:
                self._bad(sheet, row.cells[column], column, f"'{name}' is not listed in Items" if where == "Items"
                          else f"'{name}' is not listed in Suppliers")
                ok = False
        if self.period(sheet, row, "period") is _BAD:
            ok = False
        item, supplier = given.get("item"), given.get("supplier")
        if ok and kind != "Demand" and item is not None and (item, supplier) not in self.records["Offers"]:
            self._bad(sheet, row.cells["item"], "item", f"'{supplier}' has no offer for '{item}' in Offers")
            ok = False
        if ok and kind == "Prices" and (item, supplier) in self.tiers:
            self._bad(sheet, row.cells["item"], "item", f"the offer of '{supplier}' for '{item}' has Tiers rows, "
                      "which price it in every period: a price by period cannot be combined with them")
            ok = False
        return tuple(parts) if ok else None

    def allowed(self, kind: str) -> tuple[str, ...]:
        """The columns a table of `kind` sets: with periods every one, without them not `PERIOD_COLUMNS`."""
        columns = UPDATE_KINDS[kind][1]
        return columns if self.periods else tuple(c for c in columns if c not in PERIOD_COLUMNS.get(kind, ()))

    def apply(self, sheet: RawSheet, kind: str) -> tuple[int, int]:
        """Apply one table; (rows changed, rows added)."""
        keys, allowed = UPDATE_KINDS[kind][0], self.allowed(kind)
        ignored = [c for c in sheet.columns if c not in keys and c not in allowed]
        if ignored:
            self.log.warning(sheet.name, f"{sheet.header_row}:{sheet.header_row}", "",
                             f"columns ignored in a {kind} update (it sets {', '.join(allowed)}): {', '.join(ignored)}")
        records = self.records[kind]
        seen: dict[tuple, int] = {}
        changed = added = 0
        self.kind = kind
        for row in sheet.rows:
            key = self.key(sheet, row, kind)
            values = {c: self.value(sheet, row, c) for c in allowed if c in sheet.columns}
            if key is None or any(v is _BAD for v in values.values()):
                continue
            if key in seen:
                self._bad(sheet, row.cells[keys[-1]], keys[-1], f"{_name(key, kind)} appears again in this table "
                          f"(first in row {seen[key]})")
                continue
            seen[key] = row.row
            given = {c: v for c, v in values.items() if v is not None}
            # a value set by `--set Items!2.min_stock=30` is known by that text, not by a cell of a table
            origin = tuple((c, sheet.name if sheet.name.startswith("--set ") else
                            f"{sheet.name}!{row.cells[c].coordinate}") for c in given)
            record_key = _record_key(kind, key)
            old = records.get(record_key)
            if old is None:
                new = self._new(sheet, row, kind, key, given, origin)
                if new is not None:
                    records[record_key] = new
                    added += 1
                continue
            fields = {_field(kind, c): v for c, v in given.items()}
            if any(f.name == "origin" for f in dataclasses.fields(old)):
                fields["origin"] = _merge(old.origin, origin)
            updated = dataclasses.replace(old, **fields)
            if kind == "Items" and not self._stock_holds(sheet, row, updated):
                continue
            if kind == "Expansions" and updated.item is not None and \
                    (updated.item, updated.supplier) not in self.records["Offers"]:
                column = "item" if "item" in given else "supplier"
                self._bad(sheet, row.cells[column], column, f"'{updated.supplier}' has no offer for '{updated.item}' "
                          f"in Offers: expansion '{updated.name}' cannot grow it")
                continue
            if any(getattr(updated, _field(kind, c)) != getattr(old, _field(kind, c)) for c in given):
                changed += 1
            records[record_key] = updated
        return changed, added

    def _stock_holds(self, sheet: RawSheet, row: RawRow, item: Item) -> bool:
        """Whether an item's initial_stock and min_stock are at most its max_stock, as the table leaves them
        (logged on the table's cell, else on its max_stock cell, if not)."""
        ok = True
        for column, value in (("initial_stock", item.initial_stock), ("min_stock", item.min_stock)):
            if value > item.max_stock:
                at = column if column in row.cells else "max_stock" if "max_stock" in row.cells else None
                cell = row.cells[at] if at is not None else row.cells["item"]
                self._bad(sheet, cell, at or "item", f"{column} {shown(value)} is above max_stock "
                          f"({shown(item.max_stock)}) as this table leaves '{item.name}'")
                ok = False
        return ok

    def apply_policy(self, sheet: RawSheet, rules: PolicyRules) -> tuple[int, int]:
        """Apply one Policy table (`policy_row`, `active`, `value`); (rows changed, 0): a table adds no rule."""
        keys, allowed = UPDATE_KINDS["Policy"][0], self.allowed("Policy")
        ignored = [c for c in sheet.columns if c not in keys and c not in allowed]
        if ignored:
            self.log.warning(sheet.name, f"{sheet.header_row}:{sheet.header_row}", "",
                             f"columns ignored in a Policy update (it sets {', '.join(allowed)}): {', '.join(ignored)}")
        changed = 0
        seen: dict[int, int] = {}
        for row in sheet.rows:
            text = self.ident(sheet, row, "policy_row", True)
            if text is None:
                continue
            cell = row.cells["policy_row"]
            number = int(float(text)) if PLAIN_NUMBER.fullmatch(text) and float(text).is_integer() else None
            if number is None or rules.find(number) is None:
                self._bad(sheet, cell, "policy_row", f"'{text}' is not a row of the base workbook's Policy that "
                          f"holds a rule (rules are in rows {rules.rows()})")
                continue
            if number in seen:
                self._bad(sheet, cell, "policy_row", f"Policy row {number} appears again in this table "
                          f"(first in row {seen[number]})")
                continue
            seen[number] = row.row
            active_cell = row.cells.get("active")
            on: bool | None = None
            if active_cell is not None:
                if self._unreadable(sheet, active_cell, "active"):
                    continue
                on, problem = parse_switch(active_cell.value)
                if problem is not None:
                    self._bad(sheet, active_cell, "active", problem)
                    continue
            value_cell = row.cells.get("value")
            value: float | None = None
            if value_cell is not None and value_cell.value is not None and str(value_cell.value).strip():
                kind = rules.find(number).kind  # type: ignore[union-attr]
                if not registry.rule_kind(kind).takes_value:
                    self._bad(sheet, value_cell, "value", f"Policy row {number} is an {kind} rule, which has no "
                              "value (switch it with active: on or off)")
                    continue
                declared = registry.rule_kind(kind)
                value = self.number(sheet, row, "value", share=declared.value == "share")
                problem = rule_value_problem(declared, value) if value is not None else None
                if problem is not None:
                    self._bad(sheet, value_cell, "value", problem)
                    continue
                if value is None:
                    continue
            where = f"update {sheet.name}!{cell.coordinate}"
            rules.note(number, sheet.name, cell.coordinate, "policy_row")
            done = [rules.set_value(number, value, where) if value is not None else None,
                    rules.switch(number, on, where) if on is not None else None]
            period_cell = row.cells.get("period") if "period" in allowed else None
            if period_cell is not None and not (period_cell.value is None or not str(period_cell.value).strip()):
                period = self.period(sheet, row, "period")
                if period is _BAD:
                    continue
                done.append(rules.set_period(number, period, where))  # type: ignore[arg-type]
            changed += any(done)
        return changed, 0

    def _new(self, sheet: RawSheet, row: RawRow, kind: str, key: tuple, given: dict, origin: tuple) -> object:
        first = row.cells[UPDATE_KINDS[kind][0][0]]
        if kind in PERIOD_KINDS:  # a row of a sheet by period: its parts were checked by `key`
            value_column = UPDATE_KINDS[kind][1][0]
            if value_column not in given:
                self._bad(sheet, first, value_column, f"a new {kind} row needs {value_column}")
                return None
            parts = dict(zip(UPDATE_KINDS[kind][0], key))
            return PeriodValue(parts["period"], given[value_column], parts.get("item"), parts.get("supplier", ""))
        if not self.allow_new:
            self._bad(sheet, first, UPDATE_KINDS[kind][0][0], f"{_name(key, kind)} is not in the base workbook's "
                      f"{kind} "
                      "(add it there, or pass --allow-new to add it from this file)")
            return None
        required = {"Offers": ("price",), "Suppliers": ("country",), "Items": ("demand",), "Countries": (),
                    "Routes": (), "Expansions": ("supplier", "capacity")}[kind]
        missing = [c for c in required if c not in given]
        if missing:
            what = _name(key, kind) if kind == "Offers" else f"{kind[:-1].lower()} {_name(key, kind)}"
            self._bad(sheet, first, missing[0], f"a new {what} needs {', '.join(missing)}")
            return None
        if kind == "Offers":
            item, supplier = key
            unknown = [(c, n, k) for c, n, k in (("item", item, "Items"), ("supplier", supplier, "Suppliers"))
                       if n not in self.records[k]]
            for column, name, where in unknown:
                self._bad(sheet, row.cells[column], column, f"'{name}' is not listed in {where}")
            if unknown:
                return None
            return Offer(item, supplier, given["price"], given.get("capacity", math.inf), given.get("min_order", 0.0),
                         given.get("freight", 0.0), row=None, origin=origin, route=given.get("route", ""))
        if kind == "Suppliers":
            return Supplier(key[0], given["country"], given.get("capacity", math.inf), given.get("fixed_cost", 0.0),
                            None, origin)
        if kind == "Items":
            return Item(key[0], given["demand"], given.get("unit", ""), row=None, origin=origin,
                        **{c: given[c] for c in (*PERIOD_COLUMNS["Items"], *RECOURSE_COLUMNS) if c in given})
        if kind == "Routes":
            return Route(key[0], given.get("lead_time", 0), given.get("freight", 0.0), given.get("capacity", math.inf))
        if kind == "Expansions":
            item = given.get("item")
            if item is not None and (item, given["supplier"]) not in self.records["Offers"]:
                self._bad(sheet, row.cells["item"], "item",
                          f"'{given['supplier']}' has no offer for '{item}' in Offers")
                return None
            return Expansion(key[0], given["supplier"], given["capacity"], item, given.get("fixed_cost", 0.0),
                             given.get("lead_time", 0), given.get("earliest"))
        return Country(key[0], given.get("name", ""), given.get("blocs", ()), given.get("tariff", 0.0), None, origin)


_BAD = object()


class PolicyRules:
    """The Policy rules being changed: those switched on, in row order, whether in force on the plan date or not,
    and those switched off. Each change is recorded as (what, detail) for the Run sheet, `what` naming the
    override or the update cell; each row changed is remembered with where it was changed, so that `apply` can
    warn about those not in force on the plan date the changes end on (`planner.dating`)."""

    def __init__(self, data: PlanningData) -> None:
        dating = data.dating
        later = [r for r in dating.out_of_force if isinstance(r, Rule)] if dating is not None else []
        self.active = sorted([*data.rules, *later], key=_row_order)
        self.inactive = list(data.inactive_rules)
        self.changes: list[tuple[str, str]] = []
        self.touched: dict[int, tuple[str, str, str]] = {}  # row -> (sheet, cell, column) of the change, first

    def find(self, row: int) -> Rule | None:
        return next((r for r in self.active + self.inactive if r.row == row), None)

    def rows(self) -> str:
        return ", ".join(str(r) for r in sorted(r.row for r in self.active + self.inactive if r.row is not None)) \
            or "none"

    def is_on(self, row: int) -> bool:
        return any(r.row == row for r in self.active)

    def note(self, row: int, sheet: str, cell: str = "", column: str = "") -> None:
        """Remember where a row was changed: the warning on a row not in force on the plan date names it."""
        self.touched.setdefault(row, (sheet, cell, column))

    def switch(self, row: int, on: bool, where: str) -> bool:
        """Switch the rule of a Policy row on or off; whether that changed anything. A row not in force on the
        plan date is switched all the same (`apply` warns): switching and dating are kept apart."""
        rule = self.find(row)
        assert rule is not None
        was = self.is_on(row)
        self.changes.append((where, f"{'on' if on else 'off'} (was {'on' if was else 'off'}) {rule.label()}"))
        if was == on:
            return False
        (self.active if was else self.inactive).remove(rule)
        if on:
            # back in Policy row order (rules built in code, with no row, keep their place at the end)
            self.active.append(rule)
            self.active.sort(key=_row_order)
        else:
            self.inactive.append(rule)
        return True

    def set_period(self, row: int, period: str | None, where: str) -> bool:
        """Give the rule of a Policy row the period it holds in; whether that changed anything."""
        rule = self.find(row)
        assert rule is not None
        self.changes.append((where, f"period {period or 'every period'} (was {rule.period or 'every period'}) in "
                                    f"{rule.label()}"))
        new = dataclasses.replace(rule, period=period)
        for rules in (self.active, self.inactive):
            if rule in rules:
                rules[rules.index(rule)] = new
        return new != rule

    def set_value(self, row: int, value: float, where: str) -> bool:
        rule = self.find(row)
        assert rule is not None and rule.value is not None
        self.changes.append((where, f"value {shown(value)} (was {shown(rule.value)}) in {rule.label()}"))
        new = dataclasses.replace(rule, value=value)
        for rules in (self.active, self.inactive):
            if rule in rules:
                rules[rules.index(rule)] = new
        return new != rule

    def apply(self, data: PlanningData, log: ProblemLog, day: dt.date | None = None,
              of_run: bool | None = None) -> PlanningData:
        """The data with these rules, read on `day` (default: the data's plan date) by `planner.dating.on_day`:
        the rules switched on and in force play a part, and the built-in blocs they name have their members.
        Each row changed that is not in force on that day is warned about: the change is kept, and counts on a
        plan date within the row's dates."""
        dating = data.dating
        if dating is None:  # data built in code, without dates: every rule switched on applies
            return dataclasses.replace(data, rules=tuple(self.active), inactive_rules=tuple(self.inactive))
        hits = tuple(h for h in dating.out_of_force if not isinstance(h, Rule))  # the rules are all in `active`
        merged = dataclasses.replace(data, rules=tuple(self.active), inactive_rules=tuple(self.inactive),
                                     dating=dataclasses.replace(dating, out_of_force=hits))
        out = on_day(merged, dating.day if day is None else day, dating.of_run if of_run is None else of_run)
        for row, (sheet, cell, column) in self.touched.items():
            rule = self.find(row)
            if rule is not None and not in_force(rule, out.dating.day):  # type: ignore[union-attr]
                log.warning(sheet, cell, column, f"Policy row {row} ({rule.description()}) is not in force on the "
                            f"plan date {out.dating.day.isoformat()} ({span(rule)}): the change is kept, and "  # type: ignore[union-attr]
                            f"counts on a plan date within those dates (--set plan_date=YYYY-MM-DD); switched "
                            f"{'on' if self.is_on(row) else 'off'}, it plays no part until then")
        return out


def _row_order(rule: Rule) -> tuple[bool, int]:
    return (rule.row is None, rule.row or 0)


def _field(kind: str, column: str) -> str:
    """The record field an update column sets (Countries' `name` is the record's `label`, Demand's `demand` a
    `PeriodValue`'s `value`)."""
    return _FIELDS.get((kind, column), column)


def _record_key(kind: str, key: tuple) -> object:
    """The key of `PlanningData`'s records of `kind` from a table's key (in `UPDATE_KINDS` order)."""
    if kind in ("Offers", "Demand", "Capacity"):  # Capacity: (supplier, item or None, period)
        return key
    if kind == "Prices":
        supplier, item, period = key
        return (item, supplier, period)
    return key[0]


def _merge(old: tuple[tuple[str, str], ...], new: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    replaced = {c for c, _ in new}
    return tuple(p for p in old if p[0] not in replaced) + new


def _name(key: tuple, kind: str = "Offers") -> str:
    """A table's key in words: `offer of 'S1' for 'A'`, `'A' in 'P2'`, `'gallium'`."""
    if kind == "Demand":
        return f"'{key[0]}' in '{key[1]}'"
    if kind in ("Capacity", "Prices"):
        supplier, item, period = key
        return (f"offer of '{supplier}' for '{item}'" if item is not None else f"total of '{supplier}'") + \
            f" in '{period}'"
    return f"offer of '{key[1]}' for '{key[0]}'" if len(key) == 2 else f"'{key[0]}'"


def apply_updates(data: PlanningData, files: list[tuple[Path, str, list[RawSheet]]], log: ProblemLog,
                  allow_new: bool = False) -> PlanningData:
    """Data with every update table applied: `files` holds (path, SHA-256, tables) in the order given.

    A table sets a Countries `blocs` cell as the workbook would: the memberships taken from the built-in table
    are taken off first, and given back by `PolicyRules.apply` (`planner.dating.on_day`) to the countries as
    the tables leave them, so that the plan and its Run sheet list the same members.
    """
    data = without_built_in(data)
    updater = _Updater(data, log, allow_new)
    tagged: list[tuple[int, int, Path, str, RawSheet, str]] = []
    for path, digest, tables in files:
        if not tables:
            log.warning(path.name, "", "", "holds no update table; nothing applied")
        for sheet in tables:
            kind = table_kind(sheet)
            if kind is None:
                log.error(sheet.name, f"{sheet.header_row}:{sheet.header_row}", "",
                          "cannot tell what this table updates: it needs the key columns item and supplier "
                          "(Offers), supplier (Suppliers), country (Countries), item (Items) or policy_row "
                          "(Policy)" + ("" if not data.multi_period and not data.routes else
                                        "; with a period column, item and demand (Demand), supplier and capacity "
                                        "(Capacity) or supplier, item and price (Prices); route (Routes) or "
                                        "expansion (Expansions)"))
                continue
            tagged.append((ORDER.index(kind), len(tagged), path, digest, sheet, kind))
    changes: list[tuple[str, str]] = []
    policy = PolicyRules(data)
    for _, _, path, digest, sheet, kind in sorted(tagged, key=lambda t: (t[0], t[1])):
        changed, added = updater.apply_policy(sheet, policy) if kind == "Policy" else updater.apply(sheet, kind)
        changes.append((f"update {sheet.name}", f"{kind}: {changed} row(s) changed, {added} added; "
                                                 f"file {path.name}, SHA-256 {digest}"))
    return policy.apply(dataclasses.replace(_with_records(data, updater.records),
                                            source=_with_changes(data.source, changes + policy.changes)), log)


def _with_records(data: PlanningData, records: dict[str, dict]) -> PlanningData:
    """The data with the records an `_Updater` holds."""
    return dataclasses.replace(data, items=records["Items"], suppliers=records["Suppliers"],
                               countries=records["Countries"], offers=records["Offers"], demands=records["Demand"],
                               capacities=records["Capacity"], prices=records["Prices"], routes=records["Routes"],
                               expansions=records["Expansions"])


def _with_changes(source: Source | None, changes: list[tuple[str, str]]) -> Source:
    base = source or Source(path="(built in code)", sha256="")
    return dataclasses.replace(base, changes=base.changes + tuple(changes))


def apply_overrides(data: PlanningData, overrides: list[str], log: ProblemLog) -> PlanningData:
    """Data with every `--set` override applied; problems are logged against `--set`."""
    rules = PolicyRules(data)
    settings = dataclasses.asdict(data.settings)
    redate = False  # whether plan_date was set: the data is then read on the new day (blank: the day of the run)
    changes: list[tuple[str, str]] = rules.changes  # one list: the Run sheet lists overrides in the order given
    cells: _Updater | None = None  # the records `Sheet!B3=value` overrides change, made when first needed
    for text in overrides:
        target, sep, raw_value = text.partition("=")
        target, raw_value = target.strip(), raw_value.strip()
        if not sep or not target:
            log.error(f"--set {text}", "", "", "write NAME=VALUE: a setting (time_limit=30) or a Policy row's value "
                                         "(Policy!7=0.3)", text)
            continue
        cell = _CELL.match(target)
        sheet_name = next((n for n in CELL_SHEETS if cell and normalize(cell.group(1)) == normalize(n)), None)
        if cell and sheet_name is not None:
            cells = cells or _Updater(data, log, allow_new=False)
            _set_cell(cells, data, sheet_name, cell, text, raw_value, changes, log)
            continue
        policy = _POLICY.match(target)
        if policy:
            letter, row, field = policy.group(1).upper(), int(policy.group(2)), (policy.group(3) or "").lower()
            columns = data.source.columns.get("Policy", {}) if data.source else {}
            value_letter, active_letter = columns.get("value"), columns.get("active")
            # a column letter names the field: Policy!E7 (the active column) is Policy!7.active, and Policy!D7
            # (the value column) is Policy!7.value, which takes a value and never a switch
            if letter and letter == active_letter:
                field = "active"
            elif letter and letter == columns.get("period"):
                field = "period"
            elif letter and letter == value_letter:
                field = "value"
            elif letter and value_letter:
                log.error(f"--set {text}", "", "", f"column {letter} of Policy is not its value column ({value_letter})", text)
                continue
            rule = rules.find(row)
            if rule is None:
                log.error(f"--set {text}", "", "", f"Policy row {row} holds no rule (rules are in rows {rules.rows()})",
                          text)
                continue
            rules.note(row, f"--set {text}")
            if field == "period":  # the period the rule holds in (several periods), `every` for every period
                if not data.multi_period:
                    log.error(f"--set {text}", "", "", "the workbook has no Periods sheet: a rule holds in its one "
                              "period", text)
                elif normalize(raw_value) in ("every", "every period", ""):
                    rules.set_period(row, None, f"override {target}")
                elif raw_value not in data.period_names:
                    log.error(f"--set {text}", "", "", f"'{raw_value}' is not a period of the base workbook (its "
                              f"periods are {', '.join(data.period_names)})", text)
                else:
                    rules.set_period(row, raw_value, f"override {target}")
                continue
            # on/off switch a rule; 1 and 0 stay values (shares) unless the target says `.active`
            on, problem = parse_switch(raw_value) if field == "active" else (None, None)
            if field == "active":
                if problem is not None or on is None:
                    log.error(f"--set {text}", "", "", problem or "needs on or off", text)
                else:
                    rules.switch(row, on, f"override {target}")
                continue
            word = normalize(raw_value) in ("on", "off")
            if word and not field:
                rules.switch(row, normalize(raw_value) == "on", f"override {target}")
                continue
            said = parse_switch(raw_value)[0] if not PLAIN_NUMBER.fullmatch(raw_value) else None
            if said is not None:  # a switch word where a value goes: say how to switch
                if field:
                    log.error(f"--set {text}", "", "", f"'{raw_value}' is not a value: {target} sets the rule's "
                              f"value; to switch the rule write Policy!{row}={'on' if said else 'off'} or "
                              f"Policy!{row}.active={raw_value}", text)
                else:
                    log.error(f"--set {text}", "", "", f"'{raw_value}' is not a plain number; to switch the rule "
                              f"write Policy!{row}.active={raw_value} (or Policy!{row}={'on' if said else 'off'})",
                              text)
                continue
            if not registry.rule_kind(rule.kind).takes_value:
                log.error(f"--set {text}", "", "", f"Policy row {row} is an {rule.kind} rule, which has no value; "
                                                   f"switch it off or on with Policy!{row}=off or Policy!{row}=on", text)
                continue
            value = _number(raw_value, text, log)
            if value is not None and value < 0:
                log.error(f"--set {text}", "", "", f"{shown(value)} is negative", text)
                continue
            problem = rule_value_problem(registry.rule_kind(rule.kind), value) if value is not None else None
            if problem is not None:
                log.error(f"--set {text}", "", "", problem, text)
                continue
            if value is None:
                continue
            rules.set_value(row, value, f"override {target}")
            continue
        name = normalize(re.sub(r"^settings\s*!\s*", "", target, flags=re.IGNORECASE)).replace(" ", "_")
        spec = SETTING_BY_NAME.get(name)
        if spec is None:
            log.error(f"--set {text}", "", "", f"'{target}' is neither a setting ({', '.join(SETTING_BY_NAME)}) nor "
                                         "a Policy row (Policy!7)", text)
            continue
        if spec.kind == "text":
            if not raw_value:
                log.error(f"--set {text}", "", "", f"{name} needs a value", text)
                continue
            new: object = raw_value
            if name == "currency":
                current = str(settings[name])
                if raw_value.upper() != current.upper():
                    # The amounts would stay as they are under another name: a plan claiming RUB for EUR figures.
                    log.error(f"--set {text}", "", "", f"the workbook's amounts are in {current}; setting {raw_value} "
                              "would relabel them without converting them (the base currency is what every cost "
                              f"is reported in). Give offers quoted in other currencies a currency column and "
                              f"list their rates in Currencies, or, if the amounts are in {raw_value} after all, "
                              f"write {raw_value} as the currency in the Settings sheet", text)
                    continue
                new = current
        elif spec.kind == "date":
            new = parse_date(raw_value) if raw_value.strip() else None
            if raw_value.strip() and new is None:
                log.error(f"--set {text}", "", "", f"'{raw_value}' is not a date: write it as YYYY-MM-DD", text)
                continue
            redate = True
        elif spec.kind == "choice":
            new = setting_choice(spec, raw_value)
            if new is None:
                log.error(f"--set {text}", "", "", f"'{raw_value}' is not one of {', '.join(spec.choices)}", text)
                continue
        elif spec.kind == "below_one":
            new = _number(raw_value, text, log)
            problem = setting_number_problem(spec, new) if new is not None else None
            if problem is not None:
                log.error(f"--set {text}", "", "", problem, text)
            if new is None or problem is not None:
                continue
        else:
            new = _share(raw_value, text, log) if spec.kind == "share" else _positive(raw_value, text, log)
            if new is None:
                continue
        changes.append((f"override {name}", f"{_setting_words(new)} (was {_setting_words(settings[name])})"))
        settings[name] = new
    if cells is not None:
        data = _with_records(data, cells.records)
    changed = dataclasses.replace(data, settings=Settings(**settings), source=_with_changes(data.source, changes))
    if not redate:
        return rules.apply(changed, log)
    plan_date = settings["plan_date"]
    return rules.apply(changed, log, plan_date or dt.date.today(), plan_date is None)


def _set_cell(updater: _Updater, data: PlanningData, sheet_name: str, cell: re.Match[str], text: str, raw: str,
              changes: list[tuple[str, str]], log: ProblemLog) -> None:
    """Apply `--set Sheet!B3=value` (or `Sheet!3.column=value`): the record of the base workbook's row 3 of the
    sheet gets the value as a one-row update table of that kind would give it, checked as such."""
    where = f"--set {text}"
    kind = sheet_name
    keys, allowed = UPDATE_KINDS[kind][0], updater.allowed(kind)
    letter, number = (cell.group(2), cell.group(3)) if cell.group(2) else (None, cell.group(4))
    row = int(number)
    if letter is not None:
        letters = data.source.columns.get(sheet_name, {}) if data.source is not None else {}
        column = next((c for c, at in letters.items() if at == letter.upper()), None)
        if column is None:
            log.error(where, "", "", f"column {letter.upper()} of {sheet_name} holds no column the planner reads", text)
            return
    else:
        column = normalize(cell.group(5)).replace(" ", "_")
    if column not in allowed:
        log.error(where, "", "", f"{sheet_name} {column} cannot be set so; --set {sheet_name}!... sets "
                  f"{', '.join(allowed)}", text)
        return
    record = next((r for r in updater.records[kind].values() if r.row == row), None)
    if record is None:
        log.error(where, "", "", f"{sheet_name} row {row} of the base workbook holds no {sheet_name} record", text)
        return
    if not raw:
        log.error(where, "", column, "needs a value", text)
        return
    key = {"Items": lambda r: {"item": r.name}, "Offers": lambda r: {"item": r.item, "supplier": r.supplier},
           "Demand": lambda r: {"item": r.item, "period": r.period},
           "Capacity": lambda r: {"supplier": r.supplier, "item": r.item, "period": r.period},
           "Prices": lambda r: {"supplier": r.supplier, "item": r.item, "period": r.period},
           "Routes": lambda r: {"route": r.name}, "Expansions": lambda r: {"expansion": r.name}}[kind](record)
    value: object = float(raw) if PLAIN_NUMBER.fullmatch(raw) else raw
    table = RawSheet(where, "Update", 1, {name: "" for name in (*key, column)})
    table.rows.append(RawRow(row, {**{k: RawCell(v, "") for k, v in key.items()}, column: RawCell(value, "")}))
    before = len(log.errors)
    was = getattr(record, _field(kind, column))
    updater.apply(table, kind)
    if len(log.errors) == before:
        now = getattr(updater.records[kind][_record_key(kind, tuple(key[k] for k in keys))], _field(kind, column))
        changes.append((f"override {text.partition('=')[0].strip()}", f"{column} {_cell_words(now)} (was "
                                                                        f"{_cell_words(was)})"))


def _cell_words(value: object) -> str:
    """A cell's value in the Run sheet's override lines: numbers as typed, an infinite one `unlimited`, no route
    `direct`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "unlimited" if value == math.inf else shown(value)
    return "direct" if value == "" else "blank" if value is None else str(value)


def _setting_words(value: object) -> str:
    """A setting's value in the Run sheet's override lines; a blank plan_date is the day of the run."""
    return "blank: the day of the run" if value is None else str(value)


def _number(raw: str, text: str, log: ProblemLog) -> float | None:
    if not PLAIN_NUMBER.fullmatch(raw) or not math.isfinite(float(raw)):
        log.error(f"--set {text}", "", "", f"'{raw}' is not a plain number", text)
        return None
    return float(raw)


def _share(raw: str, text: str, log: ProblemLog) -> float | None:
    value = _number(raw, text, log)
    if value is not None and not 0.0 <= value <= 1.0:
        log.error(f"--set {text}", "", "", f"{shown(value)} is not a share in [0, 1] (write 30 % as 0.3)", text)
        return None
    return value


def _positive(raw: str, text: str, log: ProblemLog) -> float | None:
    value = _number(raw, text, log)
    if value is not None and value <= 0:
        log.error(f"--set {text}", "", "", f"{shown(value)} must be positive", text)
        return None
    return value
