"""Validated, typed planning data: plain Python, no solver and no Excel objects.

`PlanningData` is what the model is built from and what results are reported
against. Every record keeps the worksheet row it came from (`row`) so that any
later message can point back to the cell a person edits. Rows are None for
data built in code rather than read from a workbook.

Later extensions (periods, currencies, discount tiers, two-stage scenarios)
add fields and records here; the model reads only these structures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

GroupKind = Literal["country", "bloc", "supplier"]
RuleKind = str  # a Policy rule kind: the names `planner.model.registry` declares (max_share, ...)
OfferKey = tuple[str, str]  # (item, supplier)


@dataclass(frozen=True)
class Item:
    name: str
    demand: float
    unit: str = ""
    row: int | None = None
    origin: tuple[tuple[str, str], ...] = ()  # (column, cell) of values set by an update file


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
    row: int | None = None
    origin: tuple[tuple[str, str], ...] = ()  # (column, cell) of values set by an update file

    @property
    def key(self) -> OfferKey:
        return (self.item, self.supplier)


@dataclass(frozen=True)
class Group:
    """A concrete group: one country, one bloc or one supplier."""

    kind: GroupKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class GroupSpec:
    """A group as written in a rule: one group, or `each <kind>` (name None)."""

    kind: GroupKind
    name: str | None = None

    @property
    def each(self) -> bool:
        return self.name is None

    def __str__(self) -> str:
        return f"each {self.kind}" if self.name is None else f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    item: str | None = None  # None: every item, separately
    group: GroupSpec | None = None
    value: float | None = None
    row: int | None = None
    cell: str | None = None  # coordinate of the row's `rule` cell, "A7"

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
        parts.append(f"on {self.item}" if self.item is not None else "on every item")
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

    def label(self) -> str:
        """How the user knows the row: `Scenarios!A4 CN stop: country:CN keeps 0 of every item`."""
        where = f"Scenarios!{self.cell or self.row} " if self.row is not None else ""
        on = f"of {self.item}" if self.item is not None else "of every item"
        return f"{where}{self.scenario}: {self.group} keeps {self.availability:g} {on}"


@dataclass(frozen=True)
class Settings:
    currency: str = "EUR"
    time_limit: float = 60.0
    mip_gap: float = 1e-4


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
    tariff: np.ndarray  # of the supplier's country
    cost: np.ndarray  # landed cost per unit: price * (1 + tariff) + freight
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
        if group.kind == "bloc":
            if group.name not in self.bloc_names:
                return np.zeros(len(self), dtype=bool)
            return self.in_bloc[self.country, self.bloc_names.index(group.name)]
        code = self.code[group.kind].get(group.name)
        codes = self.supplier if group.kind == "supplier" else self.country
        return codes == code if code is not None else np.zeros(len(self), dtype=bool)

    def in_any(self, spec: GroupSpec) -> np.ndarray:
        """Bool per offer: is it in any group the spec names?"""
        if spec.name is not None:
            return self.in_group(Group(spec.kind, spec.name))
        if spec.kind == "bloc":
            return self.in_bloc.any(axis=1)[self.country]
        return np.ones(len(self), dtype=bool)

    def of_item(self, item: str | None) -> np.ndarray:
        """Bool per offer: is it an offer of `item` (None: of every item)?"""
        if item is None:
            return np.ones(len(self), dtype=bool)
        code = self.code["item"].get(item)
        return self.item == code if code is not None else np.zeros(len(self), dtype=bool)


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
    # Policy rows switched off (`active` off, `--set Policy!7=off`, an update table): kept so that they can be
    # switched on again; nothing else reads them, so an inactive rule plays no part at all.
    inactive_rules: tuple[Rule, ...] = ()

    # ---- derived views (pure functions of the records above) ----

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

    def landed_cost(self, offer: Offer) -> float:
        """price * (1 + tariff of the supplier's country) + freight."""
        return offer.price * (1.0 + self.country_of(offer).tariff) + offer.freight

    def in_group(self, offer: Offer, group: Group) -> bool:
        if group.kind == "supplier":
            return offer.supplier == group.name
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
            return [Group(spec.kind, spec.name)]
        names: Iterable[str] = (self.countries if spec.kind == "country" else
                                self.suppliers if spec.kind == "supplier" else self.blocs)
        return [Group(spec.kind, name) for name in names]

    def rule_items(self, rule: Rule) -> list[str]:
        return [rule.item] if rule.item is not None else list(self.items)

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
        tariff = np.array([c.tariff for c in self.countries.values()], dtype=float)
        price = np.fromiter((o.price for o in offers), dtype=float, count=n)
        freight = np.fromiter((o.freight for o in offers), dtype=float, count=n)
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
            keys=tuple(self.offers), item=np.fromiter((item_code[o.item] for o in offers), dtype=np.int32, count=n),
            supplier=supplier, country=country, price=price, freight=freight, tariff=tariff[country],
            cost=price * (1.0 + tariff[country]) + freight,
            capacity=np.fromiter((o.capacity for o in offers), dtype=float, count=n),
            min_order=np.fromiter((o.min_order for o in offers), dtype=float, count=n),
            item_names=names(self.items), supplier_names=names(self.suppliers), country_names=names(self.countries),
            demand=np.array([i.demand for i in self.items.values()], dtype=float),
            supplier_capacity=np.array([s.capacity for s in self.suppliers.values()], dtype=float),
            fixed_cost=np.array([s.fixed_cost for s in self.suppliers.values()], dtype=float),
            bloc_names=blocs, in_bloc=in_bloc)

    @cached_property
    def excluded_by(self) -> dict[OfferKey, tuple[Rule, ...]]:
        """Offers removed by `exclude` rules, with the rules that remove them."""
        hits: dict[OfferKey, list[Rule]] = {}
        table = self.table
        for rule in self.rules:
            if rule.kind not in _restricting_kinds() or rule.group is None:
                continue
            for k in np.flatnonzero(table.of_item(rule.item) & table.in_any(rule.group)):
                hits.setdefault(table.keys[k], []).append(rule)
        return {key: tuple(rules) for key, rules in hits.items()}

    @cached_property
    def usable(self) -> np.ndarray:
        """Bool per offer of `table`: not excluded by any rule."""
        table = self.table
        mask = np.ones(len(table), dtype=bool)
        for rule in self.rules:
            if rule.kind in _restricting_kinds() and rule.group is not None:
                mask &= ~(table.of_item(rule.item) & table.in_any(rule.group))
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
                hit_mask = table.in_group(hit.group) & table.of_item(hit.item)
                level[hit_mask] = np.minimum(level[hit_mask], hit.availability)
        return level

    @property
    def is_mip(self) -> bool:
        """Whether the model needs binaries: any family of binaries the data needs (fixed costs or minimum
        orders on a usable offer), as each such family declares (`VariableFamily.needed`)."""
        from planner.model import registry

        return any(f.needed(self) for f in registry.variables() if f.integer)


def _restricting_kinds() -> frozenset[str]:
    """The rule kinds that remove offers from the model (exclude): their families declare it."""
    from planner.model import registry  # the model is built from this module's records: import it when asked

    return frozenset(k.name for k in registry.rule_kinds() if k.restricts_offers)
