"""What the family builders read: the offers that get a variable, indexed for whole-array work.

`BuildContext` holds the data, the offer table, the positions of the offers
that get a `buy` column in the view being built, and helpers the families
share (the columns of an item, the members of a group, the big-M of an
offer). Families compute their rows from it with numpy, no Python loop per
offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from planner.data import Group, GroupSpec, OfferTable, PlanningData, Rule
from planner.model.blocks import names
from planner.model.container import View
from planner.model.outer import Cut

if TYPE_CHECKING:
    from planner.model.periods import HorizonContext


def rule_id(data: PlanningData, rule: Rule) -> int:
    """The index a rule has in row names: its Policy row (position+1 for rules built in code)."""
    if rule.row is not None:
        return rule.row
    return (data.rule_numbers[data.rules.index(rule)] if data.rule_numbers else data.rules.index(rule) + 1)


@dataclass(frozen=True, eq=False)
class BuildContext:
    """The offers that get a `buy` variable, as the families need them, and where each variable family starts.

    `start(name)` is the model-wide position of the first column of the
    variable family `name` (set by the builder once the variable families are
    built): a row family refers to another family's columns through it.
    `cuts` are tangent points a solve added to a convex rule's rows
    (`planner/model/outer.py`); `memo` holds what several families of one
    build compute once (`planner/model/families/_hhi.py`).
    """

    data: PlanningData
    table: OfferTable
    position: np.ndarray  # in `table`, for each buy column
    view: View
    starts: dict[str, int] = field(default_factory=dict)
    cuts: tuple[Cut, ...] = ()
    memo: dict[str, object] = field(default_factory=dict)
    # several periods: the horizon this context is one arrival period of (`planner/model/periods.py`), and per
    # item code the most an offer need deliver in the period, the big-M where capacities do not bound it
    horizon: HorizonContext | None = None
    reach: np.ndarray | None = None
    period: str | None = None  # the arrival period this context builds, with several periods

    def __post_init__(self) -> None:
        if self.reach is None and "_reach" in self.data.__dict__:  # a period's world (`planner.model.periods`)
            object.__setattr__(self, "reach", self.data.__dict__["_reach"])

    @cached_property
    def overshoot(self) -> np.ndarray:
        """Several periods: per offer of `table`, the most one arrival of it may need to be whatever the item still
        needs (`reach`): an order at its minimum (q_o), at an all-units offer's last break b_o (buying up to a
        break may cost less, the rest goes to stock), and, for each min_coverage rule v on the item and
        scenario s keeping 0 < a_{s,o} < 1 of the offer, v * d_i / a_{s,o} (the period's coverage asks that much
        of o's arrivals when o alone meets it)."""
        t, data = self.table, self.data
        out = t.min_order.astype(float, copy=True)
        for key, tiers in data.tiers.items():
            offer = data.offers.get(key)
            if offer is not None and tiers and offer.discount != "incremental":
                k = t.position[key]
                out[k] = max(out[k], max(tier.from_quantity for tier in tiers))
        for rule in data.rules:
            if rule.kind != "min_coverage" or not rule.value:
                continue
            covered = data.of_rule(rule)
            for scenario in data.scenarios:
                level = data.availability_levels(scenario)
                part = covered & (level > 0.0) & (level < 1.0)
                need = rule.value * t.demand[t.item[part]] / level[part]
                out[part] = np.maximum(out[part], need)
        return out

    @cached_property
    def contract_reach(self) -> np.ndarray:
        """The two-stage mode: per offer of `table`, the most a contract of it need ever be,
            max(d_i / a_min(o), overshoot_o),   a_min(o) = min {a(s, o) > 0 : s a scenario, the baseline or their
                                                            probability-weighted mean}
        Beyond d_i / a_min(o) the contract delivers the whole demand in every scenario where it delivers at all
        (more is paid and wasted), unless a minimum order, an all-units break or a coverage row asks for more
        (`overshoot`). The mean is among the scenarios so that the VSS's mean plan, fixed, fits under it; the
        data's own scenarios are read (not a sub-solve's one scenario: `_stages.availability_floor`), so every
        solve of a plan has one bound."""
        from planner.model.families._stages import availability_floor

        t = self.table
        lowest = availability_floor(self.data)
        return np.maximum(t.demand[t.item] / lowest, self.overshoot)

    @cached_property
    def item(self) -> np.ndarray:
        return self.table.item[self.position]

    @cached_property
    def supplier(self) -> np.ndarray:
        return self.table.supplier[self.position]

    @cached_property
    def country(self) -> np.ndarray:
        return self.table.country[self.position]

    @cached_property
    def by_item(self) -> tuple[np.ndarray, np.ndarray]:
        """(order, start): the columns of item code c are order[start[c]:start[c+1]]."""
        order = np.argsort(self.item, kind="stable")
        start = np.zeros(len(self.table.item_names) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.item, minlength=len(self.table.item_names)), out=start[1:])
        return order, start

    def of_item(self, item: str | None) -> np.ndarray:
        """The buy columns of `item` (None: every column)."""
        if item is None:
            return np.arange(len(self.position))
        code = self.table.code["item"].get(item)
        if code is None:
            return np.zeros(0, dtype=np.int64)
        order, start = self.by_item
        return order[start[code]:start[code + 1]]

    def of_rule(self, rule: Rule) -> np.ndarray:
        """The buy columns of the items a rule is for: its item, its class's items, or every item."""
        if rule.item is None and rule.item_class is None:
            return np.arange(len(self.position))
        parts = [self.of_item(name) for name in self.data.rule_items(rule)]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def big_m(self, columns: np.ndarray) -> np.ndarray:
        """The most an offer can ever deliver: min(cap_o, cap_s, d_i); only d_i when diagnosing, where capacities
        may be relaxed. With several periods d_i is the larger of the item's `reach` in the period (what it can
        still need, `Horizon.reach`) and the offer's `overshoot`, and cap_s the supplier's most in any period,
        its expansions built."""
        need = self.table.demand if self.reach is None else self.reach
        demand = need[self.item[columns]]
        if self.reach is not None:
            demand = np.maximum(demand, self.overshoot[self.position[columns]])
        elif self.data.two_stage:  # contracts may exceed demand (a hedge): `contract_reach`
            demand = self.contract_reach[self.position[columns]]
        if self.view == "diagnose":
            return demand
        t = self.table
        return np.minimum(np.minimum(t.capacity[self.position[columns]], t.supplier_capacity[self.supplier[columns]]),
                          demand)

    def members(self, columns: np.ndarray, spec: GroupSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The columns among `columns` that are in a group the spec names: (column, group code, group names by code).

        A column in several groups (a country in several blocs) appears once
        per group. Group codes follow the order of the Suppliers or Countries
        sheet, or of the blocs' first mention.
        """
        t = self.table
        if spec.name is not None:
            inside = columns[t.in_group(spec.group)[self.position[columns]]]
            return inside, np.zeros(len(inside), dtype=np.int64), names([spec.name])
        if spec.kind == "bloc":
            parts = [columns[t.in_bloc[self.country[columns], b]] for b in range(len(t.bloc_names))]
            codes = [np.full(len(part), b, dtype=np.int64) for b, part in enumerate(parts)]
            return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64),
                    np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64), names(list(t.bloc_names)))
        if spec.kind == "supplier":
            return columns, self.supplier[columns], t.supplier_names
        return columns, self.country[columns], t.country_names

    def start(self, family: str) -> int:
        """Model-wide position of the first column of a variable family (built before any row family)."""
        return self.starts[family]


def model_offers(data: PlanningData, view: View = "plan") -> np.ndarray:
    """Positions in `data.table` of the offers that get a variable: usable ones to plan; all of them to diagnose."""
    return np.flatnonzero(data.usable) if view == "plan" else np.arange(len(data.table))


def rules_by_id(data: PlanningData) -> dict[int, Rule]:
    """Every rule by the id its rows carry in the `rule` dimension."""
    return {rule_id(data, rule): rule for rule in data.rules}
