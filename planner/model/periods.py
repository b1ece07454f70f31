"""Several periods: the one-period world of each arrival period, and what ties the periods together.

A model of several periods (the workbook has a Periods sheet) is indexed by
the period in which a purchase ARRIVES: `buy[i, s, t]` is what of offer
(i, s) arrives in period t, ordered in period t - L_o (L_o its route's lead
time). Columns exist only where that order period is within the horizon, so
nothing is ordered before the first period or arrives after the last.

Every one-period family holds per arrival period, unchanged: in period t it
sees `world(t)`, a `PlanningData` whose items carry that period's demand,
whose rules are the Policy rows of that period (its `period` cell, or blank),
whose Scenarios rows are those lasting that period, and whose offers carry
the capacity and price of their order period. Shares, counts, HHI, spend and
coverage therefore count what arrives in t, relative to t's demand; offer
capacities, minimum orders, tiers and prices bound or price what is ordered.

What spans periods has its own families (`periods = "horizon"` in
`planner/model/family.py`): stock and its balance, supplier capacity by
order period (offers of one supplier may travel on routes of different
lead times), expansions, the fixed cost of a supplier paid once, and
`max_spend` with a blank period (one budget over the horizon).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from planner.data import Offer, PlanningData, Rule, ScenarioHit
from planner.model.context import BuildContext


def horizon_rule(data: PlanningData, rule: Rule) -> bool:
    """Whether a rule holds over the whole horizon at once rather than in each period: a rule kind that reads a
    blank item as all items together (`max_spend`), with a blank `period`."""
    from planner.model import registry

    return rule.period is None and rule.kind in {k.name for k in registry.rule_kinds() if k.all_items}


def rules_of(data: PlanningData, period: str) -> tuple[Rule, ...]:
    """The Policy rows of `period`'s world: its `period` cell names it, or is blank. A rule over the whole horizon
    (`horizon_rule`) is among them too: the builder sums its rows over the periods, the checker its spend."""
    return tuple(r for r in data.rules if r.period in (None, period))


def hits_of(data: PlanningData, period: str) -> tuple[ScenarioHit, ...]:
    """The Scenarios rows whose disruption lasts `period` (from_period..to_period, both included)."""
    at = data.period_names.index(period)
    position = {name: k for k, name in enumerate(data.period_names)}
    return tuple(h for h in data.scenario_hits
                 if position.get(h.from_period, 0) <= at <= position.get(h.to_period, len(position) - 1))


@dataclass(frozen=True, eq=False)
class Horizon:
    """The periods of a multi-period model: each arrival period's world and the offers that can arrive in it.

    `arriving[t]` holds the positions in `data.table` of the offers that can arrive in period t (usable in the
    world of t, ordered in t - L_o >= 0); the model's `buy` columns are these, period after period.
    """

    data: PlanningData
    view: str = "plan"
    worlds: list[PlanningData] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.worlds.extend(world(self.data, t) for t in range(len(self.data.periods)))

    @property
    def names(self) -> tuple[str, ...]:
        return self.data.period_names

    def __len__(self) -> int:
        return len(self.data.periods)

    @cached_property
    def arriving(self) -> list[np.ndarray]:
        lead = self.data.table.lead
        out = []
        for t, w in enumerate(self.worlds):
            usable = w.usable if self.view == "plan" else np.ones(len(w.table), dtype=bool)
            out.append(np.flatnonzero(usable & (lead <= t)))
        return out

    @cached_property
    def offsets(self) -> np.ndarray:
        """Where each period's `buy` columns start within the block (and the block's length last)."""
        return np.cumsum([0] + [len(a) for a in self.arriving])

    @cached_property
    def position(self) -> np.ndarray:
        """For every `buy` column, its offer's position in `data.table`."""
        return np.concatenate(self.arriving) if self.arriving else np.zeros(0, dtype=np.int64)

    @cached_property
    def period(self) -> np.ndarray:
        """For every `buy` column, the code of the period it arrives in."""
        return np.repeat(np.arange(len(self)), np.diff(self.offsets))

    @cached_property
    def ordered(self) -> np.ndarray:
        """For every `buy` column, the code of the period it is ordered in (arrival minus lead time)."""
        return self.period - self.data.table.lead[self.position]

    def reach(self, t: int) -> np.ndarray:
        """See `need`."""
        return self.need[t]

    @cached_property
    def need(self) -> list[np.ndarray]:
        """Per item code: the most the item still needs from an arrival in period t (`still_needed`)."""
        return [still_needed(self.data)[:, t] for t in range(len(self))]


@dataclass(eq=False)
class HorizonContext:
    """What a family built over the horizon reads: every period's build context, the `buy` columns of all
    periods (their offer, arrival and order period) and where each variable family starts.

    `union` is a build context over every offer that gets a column in some period, once each: a family with
    one variable per supplier over the horizon (`use_supplier`) is built from it.
    """

    data: PlanningData
    horizon: Horizon
    view: str
    contexts: list[BuildContext]
    union: BuildContext
    starts: dict[str, int] = field(default_factory=dict)
    memo: dict[str, object] = field(default_factory=dict)

    def start(self, family: str) -> int:
        return self.starts[family]

    @property
    def position(self) -> np.ndarray:
        return self.horizon.position

    @property
    def period(self) -> np.ndarray:
        return self.horizon.period

    @property
    def ordered(self) -> np.ndarray:
        return self.horizon.ordered

    @property
    def names(self) -> tuple[str, ...]:
        return self.horizon.names

    def buy_column(self, t: int, local: np.ndarray) -> np.ndarray:
        """Model-wide columns of the `buy` columns `local` (positions in period t's context)."""
        return self.start("buy") + self.horizon.offsets[t] + local


def still_needed(data: PlanningData) -> np.ndarray:
    """Items x periods: what the item can still need from what arrives in period t, the demand of periods t..
    plus the reserve kept at the end. The bound on-off rows use as big-M where capacities do not bound an arrival
    (`BuildContext.big_m`), raised per offer where an arrival may overshoot it (`BuildContext.overshoot`).
    Computed once per data."""
    kept = data.__dict__.get("_still_needed")
    if kept is None:
        demand = np.array([[data.demand_in(i, p) for p in data.period_names] for i in data.items], dtype=float)
        demand = demand.reshape(len(data.items), len(data.period_names))
        ahead = np.cumsum(demand[:, ::-1], axis=1)[:, ::-1]  # demand of periods t.. per item
        reserve = np.array([i.min_stock for i in data.items.values()], dtype=float)
        kept = data.__dict__["_still_needed"] = ahead + reserve[:, None]
    return kept


def world(data: PlanningData, t: int) -> PlanningData:
    """The one-period world of arrival period t (see the module's docstring), computed once per data: the
    builder, the structural conflicts, the plan's tables and the checker all read it."""
    kept = data.__dict__.setdefault("_worlds", {})  # the data is immutable: its worlds are too
    if t not in kept:
        kept[t] = _world(data, t)
    return kept[t]


def _world(data: PlanningData, t: int) -> PlanningData:
    """The one-period world of arrival period t (see the module's docstring).

    Offers carry the capacity and price of the period they are ordered in for arrival in t (t - L_o; an offer
    that cannot arrive in t keeps its Offers values, as it gets no column there). Suppliers carry no capacity:
    a supplier's capacity is per order period over all its routes (`Supplier-capacity`, a horizon family).
    The offer table is the data's, with the arrays that differ replaced: computing it anew per period took a
    second at 100k offers.
    """
    period = data.period_names[t]
    position = {name: k for k, name in enumerate(data.period_names)}
    items = {name: dataclasses.replace(item, demand=data.demand_in(name, period), initial_stock=0.0,
                                       min_stock=0.0, max_stock=math.inf, holding_cost=0.0)
             for name, item in data.items.items()}
    base = data.table
    capacity, price = base.capacity, base.price
    changed: dict[tuple[str, str], Offer] = {}
    for rows, column in ((data.capacities, "capacity"), (data.prices, "price")):
        for key, row in rows.items():
            item, supplier = (key[1], key[0]) if column == "capacity" else (key[0], key[1])
            offer = data.offers.get((item, supplier)) if item is not None else None
            if offer is None or position[row.period] != t - data.lead_time(offer):
                continue
            k = base.position[offer.key]
            if column == "capacity":
                capacity = capacity.copy() if capacity is base.capacity else capacity
                capacity[k] = row.value
            else:
                price = price.copy() if price is base.price else price
                price[k] = row.value
            changed[offer.key] = dataclasses.replace(changed.get(offer.key, offer), **{column: row.value})
    # an offer's expansions: its capacity in the world is the most it can ever deliver, expansions built, so that
    # the bound and big-M allow them; what is built is held by Expansion-offer-capacity over the horizon
    for e in data.expansions.values():
        offer = data.offers.get((e.item, e.supplier)) if e.item is not None else None
        if offer is None:
            continue
        k = base.position[offer.key]
        capacity = capacity.copy() if capacity is base.capacity else capacity
        capacity[k] = capacity[k] + e.capacity
        changed[offer.key] = dataclasses.replace(changed.get(offer.key, offer), capacity=float(capacity[k]))
    offers = {**data.offers, **changed} if changed else data.offers
    suppliers = {name: dataclasses.replace(s, capacity=math.inf) if math.isfinite(s.capacity) else s
                 for name, s in data.suppliers.items()}
    rules = rules_of(data, period)
    numbers = tuple(data.rules.index(r) + 1 for r in rules)
    out = dataclasses.replace(data, items=items, offers=offers, suppliers=suppliers, rules=rules, rule_numbers=numbers,
                              scenario_hits=hits_of(data, period), periods=(), demands={}, capacities={}, prices={},
                              expansions={})
    route_freight = np.array([r.freight for r in data.routes.values()] + [0.0], dtype=float)[base.route]
    cost = base.cost if price is base.price else \
        base.rate * (price * (1.0 + base.tariff) + base.freight) + route_freight
    out.__dict__["table"] = dataclasses.replace(
        base, demand=np.array([i.demand for i in items.values()], dtype=float), capacity=capacity, price=price,
        cost=cost, supplier_capacity=np.full(len(suppliers), math.inf))
    # an offer that would have to be ordered before the first period to arrive in t is not usable there: the
    # families' conflicts then see that nothing of it can arrive (a min_share of a group whose offers all travel
    # longer than t is a conflict of period t, as an excluded group is in one period)
    out.__dict__["usable"] = out.usable & (base.lead <= t)
    # every build context on the world bounds arrivals as the model's context of period t does (`needed` and
    # the structural conflicts ask the world, and must see the bands and binaries the model has)
    out.__dict__["_reach"] = still_needed(data)[:, t]
    return out
