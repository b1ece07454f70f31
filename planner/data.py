"""Validated, typed planning data: plain Python, no solver and no Excel objects.

`PlanningData` is what the model is built from and what results are reported
against. Every record keeps the worksheet row it came from (`row`) so that any
later message can point back to the cell a person edits. Rows are None for
data built in code rather than read from a workbook.

Later extensions (periods, currencies, discount tiers, two-stage scenarios)
add fields and records here; the model reads only these structures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

GroupKind = Literal["country", "bloc", "supplier", "route", "union"]  # union: several groups joined with |
RuleKind = str  # a Policy rule kind: the names `planner.model.registry` declares (max_share, ...)
OfferKey = tuple[str, str]  # (item, supplier)
BASELINE = "baseline"  # the two-stage mode's scenario in which nothing is disrupted
# the share of demand each counted supplier (or country) of a min_suppliers or min_countries rule delivers when its
# Policy `min_award` cell is blank, and so of a rule built in code that does not say
MIN_AWARD = 0.05


@dataclass(frozen=True)
class Item:
    name: str
    demand: float
    unit: str = ""
    item_class: str = ""  # the Items `class` cell: Policy and Scenarios rows may name `class:NAME`
    row: int | None = None
    origin: tuple[tuple[str, str], ...] = ()  # (column, cell) of values set by an update file
    # several periods (a Periods sheet): stock(0), cost per unit and period held, the most that may be held, and
    # the strategic reserve every period must end with; without Periods they play no part
    initial_stock: float = 0.0
    holding_cost: float = 0.0
    max_stock: float = math.inf
    min_stock: float = 0.0
    # the two-stage mode (workbook-v2 section 3): what is missing in a scenario may be bought on the spot market
    # at `spot_price` (landed, per unit; None: no spot market), at most `spot_capacity` per scenario, or go short
    # at `shortage_cost` per unit (None: shortage not allowed)
    spot_price: float | None = None
    spot_capacity: float = math.inf
    shortage_cost: float | None = None
    # which material(s) of the built-in export controls the item is (`;`-separated: gallium; Dy; none): `planner
    # scenarios` matches this cell instead of the id and class (planner.scenarios.matches); "" : by id and class
    material: str = ""


@dataclass(frozen=True)
class Supplier:
    name: str
    country: str
    capacity: float = math.inf
    fixed_cost: float = 0.0
    row: int | None = None
    origin: tuple[tuple[str, str], ...] = ()  # (column, cell) of values set by an update file


@dataclass(frozen=True)
class Country:
    name: str
    label: str = ""
    blocs: tuple[str, ...] = ()
    tariff: float = 0.0
    row: int | None = None
    origin: tuple[tuple[str, str], ...] = ()  # (column, cell) of values set by an update file


@dataclass(frozen=True, slots=True)  # slots: a catalogue holds millions of offers
class Offer:
    item: str
    supplier: str
    price: float
    capacity: float = math.inf
    min_order: float = 0.0
    freight: float = 0.0
    discount: str = "all_units"  # how its Tiers rows price it: all_units or incremental
    currency: str = ""  # of price, freight and its Tiers prices, upper case; "" is the base currency
    row: int | None = None
    origin: tuple[tuple[str, str], ...] = ()  # (column, cell) of values set by an update file
    route: str = ""  # a Routes row it travels on ("" : direct, lead time 0)

    @property
    def key(self) -> OfferKey:
        return (self.item, self.supplier)


@dataclass(frozen=True)
class Group:
    """A concrete group: one country, one bloc or one supplier, or a union of such groups (kind "union", its
    `parts` the groups joined, its name their text `bloc:CPTPP | country:UA`): an offer is in a union when it
    is in any part, counted once."""

    kind: GroupKind
    name: str
    parts: tuple[Group, ...] = ()

    def __str__(self) -> str:
        return self.name if self.kind == "union" else f"{self.kind}:{self.name}"


def union(parts: Iterable[Group]) -> Group:
    """The union of groups, named by its parts in the order written."""
    parts = tuple(dict.fromkeys(parts))
    return Group("union", " | ".join(str(p) for p in parts), parts)


@dataclass(frozen=True)
class GroupSpec:
    """A group as written in a rule: one group (or a union), or `each <kind>` (name None)."""

    kind: GroupKind
    name: str | None = None
    parts: tuple[Group, ...] = ()  # of a union

    @property
    def each(self) -> bool:
        return self.name is None

    @property
    def group(self) -> Group:
        """The one group a spec that is not `each ...` names."""
        assert self.name is not None
        return Group(self.kind, self.name, self.parts)

    def __str__(self) -> str:
        if self.name is None:
            return f"each {self.kind}"
        return self.name if self.kind == "union" else f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    item: str | None = None  # None: every item, separately (or of `item_class`)
    group: GroupSpec | None = None
    value: float | None = None
    row: int | None = None
    cell: str | None = None  # coordinate of the row's `rule` cell, "A7"
    item_class: str | None = None  # `class:NAME` in the item cell: every item of the class, separately
    start: dt.date | None = None  # the row's `from` and `to`: it applies when plan_date is in [start, end]
    end: dt.date | None = None
    min_award: float = MIN_AWARD  # the share of demand each counted supplier delivers (min_suppliers, min_countries)
    period: str | None = None  # the Policy `period` cell: the rule holds in that period only (None: in every period)

    @property
    def item_cell(self) -> str:
        """The item column of the Rules sheet: `gallium`, `class:critical`, `(every item)`."""
        return self.item or (f"class:{self.item_class}" if self.item_class is not None else "(every item)")

    @property
    def items_text(self) -> str:
        """The rule's item cell in words: `gallium`, `class:critical`, `every item`."""
        return self.item if self.item is not None else \
            f"class:{self.item_class}" if self.item_class is not None else "every item"

    def label(self) -> str:
        """How the user knows the rule: `Policy!A7 max_share country:CN 0.5 on gallium`."""
        where = f"Policy!{self.cell or self.row} " if self.row is not None else ""
        return where + self.description()

    def description(self) -> str:
        """The rule without its place: `max_share country:CN 0.5 on gallium`."""
        parts: list[str] = [self.kind]
        if self.group is not None:
            parts.append(str(self.group))
        if self.value is not None:
            parts.append(f"{self.value:g}")
        parts.append(f"on {self.items_text}")
        if self.period is not None:
            parts.append(f"in period {self.period}")
        return " ".join(parts)

    def switched_off(self) -> str:
        """What a plan made without the rule says about it: `Policy row 2 (exclude country:RU on every item) is
        switched off: not applied`."""
        return f"{'Policy row ' + str(self.row) if self.row is not None else 'the rule'} ({self.description()}) " \
               "is switched off: not applied"


@dataclass(frozen=True)
class ScenarioHit:
    """One Scenarios row: `group` (on `item`, or every item) keeps `availability`."""

    scenario: str
    group: Group
    item: str | None = None
    availability: float = 0.0
    row: int | None = None
    cell: str | None = None  # coordinate of the row's `scenario` cell, "A4"
    item_class: str | None = None  # `class:NAME`: every item of the class
    start: dt.date | None = None  # the row's `from` and `to`: it applies when plan_date is in [start, end]
    end: dt.date | None = None
    from_period: str | None = None  # the periods the disruption lasts, both ends included (None: from the first
    to_period: str | None = None  # period, to the last)
    probability: float | None = None  # of its scenario, in the two-stage mode (rows of one scenario agree)

    def label(self) -> str:
        """How the user knows the row: `Scenarios!A4 CN stop: country:CN keeps 0 of every item`."""
        where = f"Scenarios!{self.cell or self.row} " if self.row is not None else ""
        on = f"of {self.item}" if self.item is not None else \
            f"of class:{self.item_class}" if self.item_class is not None else "of every item"
        return f"{where}{self.scenario}: {self.group} keeps {self.availability:g} {on}"


@dataclass(frozen=True)
class Settings:
    currency: str = "EUR"
    time_limit: float = 60.0
    mip_gap: float = 1e-4
    plan_date: dt.date | None = None  # blank: the day of the run (`Dating.day` is the day read on)
    mode: str = "deterministic"  # or "two_stage": contracts now, recourse in each scenario (workbook-v2 section 3)
    risk_weight: float = 0.0  # w: the objective is (1 - w) * expected cost + w * CVaR_alpha(cost)
    cvar_alpha: float = 0.9
    # how the two-stage mode is solved: "ef" (the extensive form, by HiGHS) or "mpisppy" (scenario decomposition);
    # set by `planner solve --engine`, not a Settings row (the same workbook runs under either)
    engine: str = "ef"


@dataclass(frozen=True)
class Tier:
    """A Tiers row: from `from_quantity` units bought on the offer on, `price` (in the offer's currency)."""

    item: str
    supplier: str
    from_quantity: float
    price: float
    row: int | None = None


@dataclass(frozen=True)
class Currency:
    """A Currencies row: one unit of `name` is `rate` units of the base currency."""

    name: str
    rate: float
    row: int | None = None


@dataclass(frozen=True)
class Tariff:
    """A Tariffs row: the duty on goods from `country`, for one item, one class of items, or every item (both
    None). Where several match an offer, the item's row wins over its class's, and that over the blank one
    (`PlanningData.tariff`)."""

    country: str
    item: str | None
    item_class: str | None
    tariff: float
    row: int | None = None


@dataclass(frozen=True)
class Period:
    """A Periods row: one planning period, in planning order."""

    name: str
    row: int | None = None


@dataclass(frozen=True)
class PeriodValue:
    """A Demand, Capacity or Prices row: a value that holds in one period. `item` None on a Capacity row is the
    supplier's total over items; `supplier` is "" on a Demand row."""

    period: str
    value: float
    item: str | None = None
    supplier: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Route:
    """A Routes row: what travels on it arrives `lead_time` whole periods after it is ordered, pays `freight` per
    unit on top of the offer's (in the base currency), and at most `capacity` units may be ordered on it per
    period."""

    name: str
    lead_time: int = 0
    freight: float = 0.0
    capacity: float = math.inf
    row: int | None = None


@dataclass(frozen=True)
class Expansion:
    """An Expansions row: capacity that can be built once. Decided in period t (not before `earliest`), it adds
    `capacity` per period to the supplier's total (`item` None) or to its offer of `item`, from period
    t + lead_time on; `fixed_cost` is paid once if it is built."""

    name: str
    supplier: str
    capacity: float
    item: str | None = None
    fixed_cost: float = 0.0
    lead_time: int = 0
    earliest: str | None = None  # a period name (None: the first period)
    row: int | None = None


@dataclass(frozen=True)
class Dating:
    """What the plan date decided (`planner.dating.on_day`): the date, whether it was the day of the run, the
    rows it left out and the bloc memberships taken from the built-in tables (bloc, country, source)."""

    day: dt.date
    of_run: bool = False
    # Policy rows switched on and Scenarios rows that are not in force on `day` (Policy rows first, each sheet in
    # row order); a row switched off is in `PlanningData.inactive_rules` whatever its dates
    out_of_force: tuple[Rule | ScenarioHit, ...] = ()
    memberships: tuple[tuple[str, str, str], ...] = ()  # of the built-in blocs rows playing a part name
    dated: bool = False  # some Policy or Scenarios row has a `from` or `to`
    # every built-in bloc some row names (switched off, or not in force, too): those that rows playing a part
    # name get their members from `planner.reference` when the data is read on a day
    built_in: tuple[str, ...] = ()

    @property
    def matters(self) -> bool:
        """Whether the Run sheet states the date: when it was given, or when a dated row or a built-in
        membership depends on it (so that a workbook without dates gives the same plan on any day)."""
        return self.dated or bool(self.memberships) or not self.of_run


@dataclass(frozen=True)
class Source:
    """Where the data came from, for the Run sheet."""

    path: str
    sha256: str
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> column name -> letter
    changes: tuple[tuple[str, str], ...] = ()  # (what, detail) of each update file and override applied


@dataclass(frozen=True, eq=False)
class OfferTable:
    """Every offer as columns of numbers, in `PlanningData.offers` order, for work done per offer at scale.

    Codes index the name arrays: `item[k]` is offer k's position in
    `item_names` (the order of `PlanningData.items`), and so on. Per-item,
    per-supplier and per-country values are indexed by those codes.
    """

    keys: tuple[OfferKey, ...]
    item: np.ndarray  # int code of each offer's item
    supplier: np.ndarray
    country: np.ndarray  # code of the supplier's country
    price: np.ndarray
    freight: np.ndarray
    tariff: np.ndarray  # on the offer's item from the supplier's country (Tariffs, else the country's)
    cost: np.ndarray  # landed cost per unit in the base currency: rate * (price * (1 + tariff) + freight) + route freight
    capacity: np.ndarray  # inf where blank
    min_order: np.ndarray
    item_names: np.ndarray  # object arrays of names, indexed by code
    supplier_names: np.ndarray
    country_names: np.ndarray
    demand: np.ndarray  # per item code
    supplier_capacity: np.ndarray  # per supplier code
    fixed_cost: np.ndarray  # per supplier code
    bloc_names: tuple[str, ...]
    in_bloc: np.ndarray  # bool, country code x bloc position
    rate: np.ndarray  # base currency per unit of the offer's currency
    # the Routes an offer travels on: code into `route_names`, -1 for a direct offer; its lead time in periods
    route: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    route_names: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    lead: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.keys)

    @cached_property
    def position(self) -> dict[OfferKey, int]:
        return {key: k for k, key in enumerate(self.keys)}

    @cached_property
    def code(self) -> dict[str, dict[str, int]]:
        """Name -> code for "item", "supplier" and "country"."""
        return {kind: {str(name): k for k, name in enumerate(names)} for kind, names in
                (("item", self.item_names), ("supplier", self.supplier_names), ("country", self.country_names))}

    def in_group(self, group: Group) -> np.ndarray:
        """Bool per offer: is it in the group? (All false for a name no record has.)"""
        if group.kind == "union":
            inside = np.zeros(len(self), dtype=bool)
            for part in group.parts:
                inside |= self.in_group(part)
            return inside
        if group.kind == "bloc":
            if group.name not in self.bloc_names:
                return np.zeros(len(self), dtype=bool)
            return self.in_bloc[self.country, self.bloc_names.index(group.name)]
        if group.kind == "route":
            names = list(self.route_names)
            if group.name not in names or not len(self.route):
                return np.zeros(len(self), dtype=bool)
            return self.route == names.index(group.name)
        code = self.code[group.kind].get(group.name)
        codes = self.supplier if group.kind == "supplier" else self.country
        return codes == code if code is not None else np.zeros(len(self), dtype=bool)

    def in_any(self, spec: GroupSpec) -> np.ndarray:
        """Bool per offer: is it in any group the spec names?"""
        if spec.name is not None:
            return self.in_group(spec.group)
        if spec.kind == "bloc":
            return self.in_bloc.any(axis=1)[self.country]
        if spec.kind == "route":
            return self.route >= 0 if len(self.route) else np.zeros(len(self), dtype=bool)
        return np.ones(len(self), dtype=bool)


@dataclass(frozen=True)
class PlanningData:
    items: dict[str, Item]
    suppliers: dict[str, Supplier]
    countries: dict[str, Country]
    offers: dict[OfferKey, Offer]
    rules: tuple[Rule, ...] = ()
    scenario_hits: tuple[ScenarioHit, ...] = ()
    settings: Settings = field(default_factory=Settings)
    source: Source | None = None
    # Policy rows switched off (`active` off, `--set Policy!7=off`, an update table), in force on the plan date or
    # not: kept so that they can be switched on again; nothing else reads them, so an inactive rule plays no part.
    inactive_rules: tuple[Rule, ...] = ()
    tiers: dict[OfferKey, tuple[Tier, ...]] = field(default_factory=dict)  # each offer's breaks, ascending
    currencies: dict[str, Currency] = field(default_factory=dict)
    tariffs: tuple[Tariff, ...] = ()
    dating: Dating | None = None  # None: data built in code without dates
    # several periods (workbook-v2 section 2): none without a Periods sheet, and then nothing below plays a part
    periods: tuple[Period, ...] = ()
    demands: dict[tuple[str, str], PeriodValue] = field(default_factory=dict)  # (item, period) -> Demand row
    # (supplier, item or None, period) -> Capacity row: the offer's (or with item None the supplier's) capacity
    capacities: dict[tuple[str, str | None, str], PeriodValue] = field(default_factory=dict)
    prices: dict[tuple[str, str, str], PeriodValue] = field(default_factory=dict)  # (item, supplier, period)
    routes: dict[str, Route] = field(default_factory=dict)
    expansions: dict[str, Expansion] = field(default_factory=dict)
    # the number each rule built in code (no Policy row) has in row names, when `rules` is a part of another
    # data's (a period's world): position + 1 there, so that a rule is called alike in every period
    rule_numbers: tuple[int, ...] = ()

    # ---- derived views (pure functions of the records above) ----

    @property
    def two_stage(self) -> bool:
        """Whether the plan is made in two stages: contracts now, recourse in each scenario (section 3)."""
        return self.settings.mode == "two_stage"

    @cached_property
    def probabilities(self) -> dict[str, float]:
        """Each scenario's probability (the first row of it that states one; 0 where none does), in Scenarios
        order, then `baseline` (nothing disrupted) with the rest, 1 minus their sum."""
        found: dict[str, float] = {}
        for hit in self.scenario_hits:
            if hit.scenario not in found or (found[hit.scenario] == 0.0 and hit.probability is not None):
                found[hit.scenario] = hit.probability if hit.probability is not None else 0.0
        found[BASELINE] = max(0.0, 1.0 - sum(found.values()))
        return found

    @property
    def multi_period(self) -> bool:
        """Whether the workbook plans several periods (it has a Periods sheet, even of one row)."""
        return bool(self.periods)

    @cached_property
    def period_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.periods)

    def demand_in(self, item: str, period: str) -> float:
        """The item's demand in a period: its Demand row, else the Items `demand`."""
        found = self.demands.get((item, period))
        return found.value if found is not None else self.items[item].demand

    def lead_time(self, offer: Offer) -> int:
        """Whole periods from order to arrival: its route's lead time, 0 for a direct offer."""
        return self.routes[offer.route].lead_time if offer.route else 0

    def offer_capacity_in(self, offer: Offer, period: str) -> float:
        """What may be ordered on the offer in a period: its Capacity row, else the Offers `capacity`."""
        found = self.capacities.get((offer.supplier, offer.item, period))
        return found.value if found is not None else offer.capacity

    def supplier_capacity_in(self, supplier: str, period: str) -> float:
        """What may be ordered from the supplier over all items in a period: its Capacity row with a blank item,
        else the Suppliers `capacity`."""
        found = self.capacities.get((supplier, None, period))
        return found.value if found is not None else self.suppliers[supplier].capacity

    def price_in(self, offer: Offer, period: str) -> float:
        """The offer's price for orders placed in a period: its Prices row, else the Offers `price`."""
        found = self.prices.get((offer.item, offer.supplier, period))
        return found.value if found is not None else offer.price

    def where(self, sheet: str, record: Item | Supplier | Country | Offer, column: str) -> str:
        """Where a record's value was last set: an update file's cell, or the input workbook's."""
        for name, place in record.origin:
            if name == column:
                return place
        return self.cell(sheet, column, record.row)

    def cell(self, sheet: str, column: str, row: int | None) -> str:
        """Where a value sits in the input workbook, as Excel names it: `Offers!D12`.

        Falls back to `Offers row 12` when the column's letter is unknown and
        to `Offers` for data built in code.
        """
        if row is None:
            return sheet
        letter = self.source.columns.get(sheet, {}).get(column) if self.source is not None else None
        return f"{sheet}!{letter}{row}" if letter else f"{sheet} row {row}"

    def country_of(self, offer: Offer) -> Country:
        return self.countries[self.suppliers[offer.supplier].country]

    def rate(self, offer: Offer) -> float:
        """Units of the base currency per unit of the offer's currency (1 for the base currency)."""
        if not offer.currency or offer.currency.upper() == self.settings.currency.upper():  # codes ignore case
            return 1.0
        return self.currencies[offer.currency].rate

    def tariff(self, country: str, item: str) -> float:
        """The duty on `item` from `country`: the most specific Tariffs row (item over class over blank), else
        the country's `tariff`."""
        by_item, by_class, by_country = self._tariff_index
        found = by_item.get((country, item))
        if found is None and by_class and self.items[item].item_class:
            found = by_class.get((country, self.items[item].item_class))
        if found is None:
            found = by_country.get(country)
        return found if found is not None else self.countries[country].tariff

    @cached_property
    def _tariff_index(self) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float], dict[str, float]]:
        """The Tariffs rows by (country, item), by (country, class) and by country (the blank item): looked up,
        not scanned, for each offer. Of rows with one key (data built in code; a workbook refuses them) the
        first counts."""
        by_item: dict[tuple[str, str], float] = {}
        by_class: dict[tuple[str, str], float] = {}
        by_country: dict[str, float] = {}
        for row in self.tariffs:
            if row.item is not None:
                by_item.setdefault((row.country, row.item), row.tariff)
            elif row.item_class is not None:
                by_class.setdefault((row.country, row.item_class), row.tariff)
            else:
                by_country.setdefault(row.country, row.tariff)
        return by_item, by_class, by_country

    def _offer_tariffs(self, item: np.ndarray, country: np.ndarray) -> np.ndarray:
        """The duty on each offer (its item code and its supplier's country code, in `table` order) as `tariff`
        gives it, for all offers at once: calling `tariff` offer by offer took seconds at 200k offers."""
        by_item, by_class, by_country = self._tariff_index
        country_code = {name: k for k, name in enumerate(self.countries)}
        item_code = {name: k for k, name in enumerate(self.items)}
        out = np.array([c.tariff for c in self.countries.values()], dtype=float)[country]
        if by_country:
            blank = np.full(len(self.countries), np.nan)
            for name, value in by_country.items():
                if name in country_code:
                    blank[country_code[name]] = value
            out = np.where(np.isnan(blank[country]), out, blank[country])
        if by_class:
            classes = {name: k for k, name in enumerate(dict.fromkeys(cls for _, cls in by_class))}
            of_item = np.array([classes.get(i.item_class, -1) for i in self.items.values()], dtype=np.int64)
            rows = [(country_code[c], classes[cls], v) for (c, cls), v in by_class.items() if c in country_code]
            found = _keyed(rows, len(classes), country.astype(np.int64), of_item[item])
            out = np.where(np.isnan(found), out, found)
        if by_item:
            rows = [(country_code[c], item_code[i], v) for (c, i), v in by_item.items()
                    if c in country_code and i in item_code]
            found = _keyed(rows, len(self.items), country.astype(np.int64), item.astype(np.int64))
            out = np.where(np.isnan(found), out, found)
        return out

    def landed_cost(self, offer: Offer, price: float | None = None) -> float:
        """rate * (price * (1 + tariff) + freight) + route freight, in the base currency; `price` a tier's price in
        the offer's currency (default: the offer's `price`)."""
        quoted = offer.price if price is None else price
        tariff = self.tariff(self.suppliers[offer.supplier].country, offer.item)
        return self.rate(offer) * (quoted * (1.0 + tariff) + offer.freight) + self.route_freight(offer)

    def route_freight(self, offer: Offer) -> float:
        """The freight per unit of the offer's route, in the base currency (0 for a direct offer)."""
        return self.routes[offer.route].freight if offer.route else 0.0

    def tier_costs(self, offer: Offer) -> list[tuple[float, float]]:
        """(break, landed unit cost) of each price band of an offer, from (0, the `price`'s) up."""
        return [(0.0, self.landed_cost(offer))] + [(t.from_quantity, self.landed_cost(offer, t.price))
                                                   for t in self.tiers.get(offer.key, ())]

    def items_of_class(self, name: str) -> list[str]:
        return [item.name for item in self.items.values() if item.item_class == name]

    def in_group(self, offer: Offer, group: Group) -> bool:
        if group.kind == "union":
            return any(self.in_group(offer, part) for part in group.parts)
        if group.kind == "supplier":
            return offer.supplier == group.name
        if group.kind == "route":
            return offer.route == group.name
        country = self.country_of(offer)
        if group.kind == "country":
            return country.name == group.name
        return group.name in country.blocs

    @cached_property
    def blocs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for country in self.countries.values():
            for bloc in country.blocs:
                seen.setdefault(bloc, None)
        return tuple(seen)

    def groups(self, spec: GroupSpec) -> list[Group]:
        """The concrete groups a spec names: one, or every member of its kind."""
        if spec.name is not None:
            return [spec.group]
        names: Iterable[str] = (self.countries if spec.kind == "country" else
                                self.suppliers if spec.kind == "supplier" else
                                self.routes if spec.kind == "route" else self.blocs)
        return [Group(spec.kind, name) for name in names]

    def rule_items(self, rule: Rule | ScenarioHit) -> list[str]:
        """The items a rule (or Scenarios row) is for: its item, its class's items, or every item."""
        if rule.item is not None:
            return [rule.item]
        if rule.item_class is not None:
            return self.items_of_class(rule.item_class)
        return list(self.items)

    def of_rule(self, rule: Rule | ScenarioHit) -> np.ndarray:
        """Bool per offer of `table`: is it an offer of an item the rule is for?"""
        if rule.item is None and rule.item_class is None:
            return np.ones(len(self.table), dtype=bool)
        codes = [self.table.code["item"][name] for name in self.rule_items(rule)]
        return np.isin(self.table.item, np.array(codes, dtype=np.int32))

    @cached_property
    def table(self) -> OfferTable:
        """The offers as columns of numbers (`OfferTable`)."""
        offers = list(self.offers.values())
        n = len(offers)
        item_code = {name: k for k, name in enumerate(self.items)}
        supplier_code = {name: k for k, name in enumerate(self.suppliers)}
        country_code = {name: k for k, name in enumerate(self.countries)}
        # int32 codes: half the memory of int64 at millions of offers
        supplier_country = np.fromiter((country_code[s.country] for s in self.suppliers.values()), dtype=np.int32,
                                       count=len(self.suppliers))
        supplier = np.fromiter((supplier_code[o.supplier] for o in offers), dtype=np.int32, count=n)
        country = supplier_country[supplier] if n else np.zeros(0, dtype=np.int32)
        item = np.fromiter((item_code[o.item] for o in offers), dtype=np.int32, count=n)
        if self.tariffs:  # rows by item, class or country override the country's duty
            tariff = self._offer_tariffs(item, country)
        else:
            tariff = np.array([c.tariff for c in self.countries.values()], dtype=float)[country]
        rate = np.ones(n)
        if any(o.currency for o in offers):
            rate = np.fromiter((self.rate(o) for o in offers), dtype=float, count=n)
        price = np.fromiter((o.price for o in offers), dtype=float, count=n)
        freight = np.fromiter((o.freight for o in offers), dtype=float, count=n)
        route_code = {name: k for k, name in enumerate(self.routes)}
        route = np.fromiter((route_code[o.route] if o.route else -1 for o in offers), dtype=np.int32, count=n) \
            if self.routes else np.full(n, -1, dtype=np.int32)
        routes = list(self.routes.values())
        lead = np.array([r.lead_time for r in routes] + [0], dtype=np.int32)[route]
        route_freight = np.array([r.freight for r in routes] + [0.0], dtype=float)[route]
        blocs = self.blocs
        in_bloc = np.zeros((len(self.countries), len(blocs)), dtype=bool)
        for k, c in enumerate(self.countries.values()):
            for bloc in c.blocs:
                in_bloc[k, blocs.index(bloc)] = True

        def names(records: Iterable[str]) -> np.ndarray:
            out = np.empty(len(list(records)), dtype=object)
            out[:] = list(records)
            return out

        return OfferTable(
            keys=tuple(self.offers), item=item,
            supplier=supplier, country=country, price=price, freight=freight, tariff=tariff,
            cost=rate * (price * (1.0 + tariff) + freight) + route_freight, rate=rate,
            capacity=np.fromiter((o.capacity for o in offers), dtype=float, count=n),
            min_order=np.fromiter((o.min_order for o in offers), dtype=float, count=n),
            item_names=names(self.items), supplier_names=names(self.suppliers), country_names=names(self.countries),
            demand=np.array([i.demand for i in self.items.values()], dtype=float),
            supplier_capacity=np.array([s.capacity for s in self.suppliers.values()], dtype=float),
            fixed_cost=np.array([s.fixed_cost for s in self.suppliers.values()], dtype=float),
            bloc_names=blocs, in_bloc=in_bloc, route=route, route_names=names(self.routes), lead=lead)

    @cached_property
    def excluded_by(self) -> dict[OfferKey, tuple[Rule, ...]]:
        """Offers removed by `exclude` rules, with the rules that remove them."""
        hits: dict[OfferKey, list[Rule]] = {}
        table = self.table
        for rule in self.rules:
            if rule.kind not in _restricting_kinds() or rule.group is None:
                continue
            for k in np.flatnonzero(self.of_rule(rule) & table.in_any(rule.group)):
                hits.setdefault(table.keys[k], []).append(rule)
        return {key: tuple(rules) for key, rules in hits.items()}

    @cached_property
    def usable(self) -> np.ndarray:
        """Bool per offer of `table`: not excluded by any rule."""
        table = self.table
        mask = np.ones(len(table), dtype=bool)
        for rule in self.rules:
            if rule.kind in _restricting_kinds() and rule.group is not None:
                mask &= ~(self.of_rule(rule) & table.in_any(rule.group))
        return mask

    @cached_property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.scenario for h in self.scenario_hits))

    def availability_levels(self, scenario: str) -> np.ndarray:
        """Share of each offer's planned volume delivered in a scenario, for every offer of `table`: 1 where no row
        of the scenario hits the offer; where several rows hit it, the lowest availability counts. Computed anew
        each time: at millions of offers, a kept array per scenario weighs as much as a column of the model."""
        table = self.table
        level = np.ones(len(table))
        for hit in self.scenario_hits:
            if hit.scenario == scenario:
                hit_mask = table.in_group(hit.group) & self.of_rule(hit)
                level[hit_mask] = np.minimum(level[hit_mask], hit.availability)
        return level

    @cached_property
    def is_mip(self) -> bool:
        """Whether the model needs binaries: any family of binaries the data needs (fixed costs or minimum
        orders on a usable offer), as each such family declares (`VariableFamily.needed`)."""
        from planner.model import registry

        if self.multi_period:  # a family built per period needs binaries if some period's world does
            from planner.model.periods import world

            worlds = [world(self, t) for t in range(len(self.periods))]
            return any(f.needed(self) if f.periods == "horizon" else any(f.needed(w) for w in worlds)
                       for f in registry.variables() if f.integer)
        return any(f.needed(self) for f in registry.variables() if f.integer)


def _keyed(rows: list[tuple[int, int, float]], width: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """For each pair of codes (first[k], second[k]), the value of the row (first, second, value) with those codes;
    NaN where no row has them, and where second[k] < 0 (no code). Codes of the second kind are below `width`."""
    out = np.full(len(first), np.nan)
    if not rows:
        return out
    codes = np.array([a * width + b for a, b, _ in rows], dtype=np.int64)
    values = np.array([v for _, _, v in rows], dtype=float)
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    wanted = first * width + second
    at = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
    hit = (codes[at] == wanted) & (second >= 0)
    out[hit] = values[at[hit]]
    return out


def _restricting_kinds() -> frozenset[str]:
    """The rule kinds that remove offers from the model (exclude): their families declare it."""
    from planner.model import registry  # the model is built from this module's records: import it when asked

    return frozenset(k.name for k in registry.rule_kinds() if k.restricts_offers)
