"""The straightforward path: the formulation written as Pyomo rules, one Python callback per row.

This is how the planner built the model until its families were
rewritten as whole-array blocks for speed (issue 6). It is kept here, as a
test oracle only, so that `tests/test_fast_path.py` can check that the
fast build gives exactly this model (same rows, coefficients, bounds and
costs, under the same names) and the same optimum on every test instance.

Index sets are sparse: variables exist only for usable offers (offers that
exist and are not excluded), and a constraint exists only where it involves
at least one variable. Constraints that would involve none are either
trivially true (skipped) or trivially false: `structural_conflicts` names
those before any model is built.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Literal

import pyomo.environ as pyo

from planner.data import Group, GroupSpec, Offer, OfferKey, PlanningData, Rule
from planner.model import rule_id

def group_members(data: PlanningData, offers: list[Offer], spec: GroupSpec) -> dict[Group, list[Offer]]:
    """The offers among `offers` in each group the spec names.

    For `each <kind>`, only groups holding at least one of the offers appear
    (sparse); a single named group appears even when empty.
    """
    if spec.name is not None:
        group = spec.group
        return {group: [o for o in offers if data.in_group(o, group)]}
    buckets: dict[Group, list[Offer]] = defaultdict(list)
    for offer in offers:
        if spec.kind == "supplier":
            names: tuple[str, ...] = (offer.supplier,)
        elif spec.kind == "country":
            names = (data.country_of(offer).name,)
        else:
            names = data.country_of(offer).blocs
        for name in names:
            buckets[Group(spec.kind, name)].append(offer)
    return dict(buckets)


def big_m(data: PlanningData, offer: Offer, view: View = "plan") -> float:
    """The most an offer can ever deliver: min(offer capacity, supplier capacity, item demand).

    Only the demand when diagnosing, where capacities may be relaxed.
    """
    demand = data.items[offer.item].demand
    if view == "diagnose":
        return demand
    return min(offer.capacity, data.suppliers[offer.supplier].capacity, demand)


View = Literal["plan", "diagnose"]


def offers_by_item(data: PlanningData, offers: tuple[Offer, ...]) -> dict[str, list[Offer]]:
    """The offers grouped by item; every item is a key."""
    by_item: dict[str, list[Offer]] = {name: [] for name in data.items}
    for offer in offers:
        by_item[offer.item].append(offer)
    return by_item


def excluded_by(data: PlanningData) -> dict[OfferKey, list[Rule]]:
    """Offers removed by `exclude` rules, offer by offer (not `data.excluded_by`, which the fast path uses)."""
    hits: dict[OfferKey, list[Rule]] = {}
    for rule in data.rules:
        if rule.kind != "exclude" or rule.group is None:
            continue
        items = set(data.rule_items(rule))
        groups = data.groups(rule.group)
        for offer in data.offers.values():
            if offer.item in items and any(data.in_group(offer, g) for g in groups):
                hits.setdefault(offer.key, []).append(rule)
    return hits


def availability(data: PlanningData, scenario: str, offer: Offer) -> float:
    """The lowest availability any row of the scenario gives the offer, row by row (not `data.availability`)."""
    level = 1.0
    for hit in data.scenario_hits:
        if hit.scenario == scenario and offer.item in data.rule_items(hit) and data.in_group(offer, hit.group):
            level = min(level, hit.availability)
    return level


def model_offers(data: PlanningData, view: View = "plan") -> tuple[Offer, ...]:
    """The offers that get a variable: usable ones to plan; all of them to diagnose."""
    excluded = excluded_by(data)
    return tuple(o for o in data.offers.values() if view == "diagnose" or o.key not in excluded)


def create_model(data: PlanningData, view: View = "plan", cuts: tuple = ()) -> pyo.ConcreteModel:
    """The model `planner.model.build(data, view, cuts)` makes (see its docstring for the two views and the
    cuts), as Pyomo rules."""
    m = pyo.ConcreteModel(name="planner")
    offers = model_offers(data, view)
    by_item = offers_by_item(data, offers)
    add_parameters(m, data, view)
    add_purchases(m, data, offers)
    add_item_demand(m, data, by_item)
    add_supplier_capacity(m, data, offers)
    add_supplier_use(m, data, offers, view)
    add_offer_min_order(m, data, offers, view)
    add_policy_shares(m, data, by_item)
    add_policy_min_coverage(m, data, by_item)
    if view == "diagnose":
        add_policy_exclude(m, data)
    add_max_hhi(m, data, by_item, cuts)
    add_total_cost(m, data, offers)
    return m


def parameter_values(data: PlanningData, view: View = "plan") -> dict[str, dict]:
    """Every number the model takes from the data, by parameter name and index.

    Index sets come from `structure_key`'s ingredients; these values may
    change between runs without changing the model's shape, and
    `update_parameters` then pushes them into a built model.
    """
    offers = model_offers(data, view)
    used = {o.supplier for o in offers}
    rules = {rule_id(data, r): r.value for r in data.rules if r.value is not None}
    return {
        "cost": {o.key: data.landed_cost(o) for o in offers},
        "offer_capacity": {o.key: o.capacity for o in offers if not math.isinf(o.capacity)},
        "demand": {name: item.demand for name, item in data.items.items()},
        "supplier_capacity": {s: data.suppliers[s].capacity for s in sorted(used)
                              if not math.isinf(data.suppliers[s].capacity)},
        "fixed_cost": {s: data.suppliers[s].fixed_cost for s in sorted(used) if data.suppliers[s].fixed_cost > 0},
        "big_m": {o.key: big_m(data, o, view) for o in offers
                  if o.min_order > 0 or data.suppliers[o.supplier].fixed_cost > 0},
        "min_order": {o.key: o.min_order for o in offers if o.min_order > 0},
        "rule_value": rules,
    }


def add_parameters(m: pyo.ConcreteModel, data: PlanningData, view: View) -> None:
    """Mutable parameters for every number from the data (`parameter_values`), so a price or demand
    update re-solves the built model instead of rebuilding it."""
    for name, values in parameter_values(data, view).items():
        m.add_component(name, pyo.Param(list(values), initialize=values, mutable=True, within=pyo.Reals))


def add_purchases(m: pyo.ConcreteModel, data: PlanningData, offers: tuple[Offer, ...]) -> None:
    """Variables `buy[o]` for every usable offer o = (item, supplier), with `Offer-capacity`.

    Applies to every offer not removed by `Policy-exclude`. Bound:
        0 <= buy[o] <= cap_o            (no upper bound when capacity is blank)
    """
    m.OFFERS = pyo.Set(initialize=[o.key for o in offers], dimen=2, ordered=True)
    capped = m.offer_capacity
    m.buy = pyo.Var(m.OFFERS, domain=pyo.NonNegativeReals,
                    bounds=lambda _m, i, s: (0, capped[i, s] if (i, s) in capped else None))


def add_item_demand(m: pyo.ConcreteModel, data: PlanningData, by_item: dict[str, list[Offer]]) -> None:
    """`Item-demand[i]`: for every item with at least one usable offer,
        sum_{o in O_i} buy[o] = d_i
    """
    index = [name for name, offers in by_item.items() if offers]
    m.add_component("Item-demand", pyo.Constraint(
        index, rule=lambda _m, i: sum(m.buy[o.key] for o in by_item[i]) == m.demand[i]))


def add_supplier_capacity(m: pyo.ConcreteModel, data: PlanningData, offers: tuple[Offer, ...]) -> None:
    """`Supplier-capacity[s]`: for every supplier with a capacity and a usable offer,
        sum_{o in O_s} buy[o] <= cap_s
    """
    by_supplier: dict[str, list[OfferKey]] = defaultdict(list)
    for offer in offers:
        if not math.isinf(data.suppliers[offer.supplier].capacity):
            by_supplier[offer.supplier].append(offer.key)
    m.add_component("Supplier-capacity", pyo.Constraint(
        list(by_supplier),
        rule=lambda _m, s: sum(m.buy[k] for k in by_supplier[s]) <= m.supplier_capacity[s]))


def add_supplier_use(m: pyo.ConcreteModel, data: PlanningData, offers: tuple[Offer, ...], view: View) -> None:
    """`Supplier-use[o]`: for every usable offer o of a supplier s with fixed cost F_s > 0,
        buy[o] <= M_o * use_supplier[s],   M_o = min(cap_o, cap_s, d_i)
    with use_supplier[s] binary. One row per offer rather than per supplier:
    the disaggregated form has the tighter LP relaxation.
    """
    keys = [o.key for o in offers if data.suppliers[o.supplier].fixed_cost > 0]
    m.FIXED_SUPPLIERS = pyo.Set(initialize=sorted({s for _, s in keys}), ordered=True)
    m.use_supplier = pyo.Var(m.FIXED_SUPPLIERS, domain=pyo.Binary)
    m.add_component("Supplier-use", pyo.Constraint(
        keys, rule=lambda _m, i, s: m.buy[i, s] <= m.big_m[i, s] * m.use_supplier[s]))


def add_offer_min_order(m: pyo.ConcreteModel, data: PlanningData, offers: tuple[Offer, ...], view: View) -> None:
    """`Offer-use[o]` and `Offer-min-order[o]`: for every usable offer with minimum order q_o > 0,
        buy[o] <= M_o * use_offer[o]
        buy[o] >= q_o * use_offer[o]
    with use_offer[o] binary: buy[o] is 0 or in [q_o, M_o].
    """
    keys = [o.key for o in offers if o.min_order > 0]
    m.MIN_ORDER_OFFERS = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.use_offer = pyo.Var(m.MIN_ORDER_OFFERS, domain=pyo.Binary)
    m.add_component("Offer-use", pyo.Constraint(
        m.MIN_ORDER_OFFERS, rule=lambda _m, i, s: m.buy[i, s] <= m.big_m[i, s] * m.use_offer[i, s]))
    m.add_component("Offer-min-order", pyo.Constraint(
        m.MIN_ORDER_OFFERS, rule=lambda _m, i, s: m.buy[i, s] >= m.min_order[i, s] * m.use_offer[i, s]))


def share_rows(data: PlanningData, kind: str, by_item: dict[str, list[Offer]]
               ) -> dict[tuple[int, str, str, str], tuple[list[OfferKey], float]]:
    """Index (rule id, item, group kind, group name) -> (offers in the group, v * d_i) for `kind` rules.

    Only rows with at least one offer in the group: an empty max-share row
    is always true, an empty min-share row is a structural conflict.
    """
    rows: dict[tuple[int, str, str, str], tuple[list[OfferKey], float]] = {}
    for rule in data.rules:
        if rule.kind != kind or rule.group is None or rule.value is None:
            continue
        for item in data.rule_items(rule):
            for group, offers in group_members(data, by_item[item], rule.group).items():
                if offers:
                    rows[rule_id(data, rule), item, group.kind, group.name] = (
                        [o.key for o in offers], rule.value * data.items[item].demand)
    return rows


def add_policy_shares(m: pyo.ConcreteModel, data: PlanningData, by_item: dict[str, list[Offer]]) -> None:
    """`Policy-max-share[r, i, g]` and `Policy-min-share[r, i, g]`: for rule r with value v,
    every item i it covers and every group g it names (each member, for `each ...`):
        sum_{o in O_i, o in g} buy[o] <= v * d_i      (max_share)
        sum_{o in O_i, o in g} buy[o] >= v * d_i      (min_share)
    """
    for kind, name in (("max_share", "Policy-max-share"), ("min_share", "Policy-min-share")):
        rows = share_rows(data, kind, by_item)
        if kind == "max_share":
            def rule(_m, r, i, gk, gn, rows=rows):
                return sum(m.buy[k] for k in rows[r, i, gk, gn][0]) <= m.rule_value[r] * m.demand[i]
        else:
            def rule(_m, r, i, gk, gn, rows=rows):
                return sum(m.buy[k] for k in rows[r, i, gk, gn][0]) >= m.rule_value[r] * m.demand[i]
        m.add_component(name, pyo.Constraint(list(rows), rule=rule))


def coverage_rows(data: PlanningData, by_item: dict[str, list[Offer]]
                  ) -> dict[tuple[int, str, str], tuple[dict[OfferKey, float], float]]:
    """Index (rule id, scenario, item) -> (availability of each offer, v * d_i).

    Rows where the scenario hits no usable offer of the item are left out:
    then the surviving volume equals demand and the row always holds. So are
    rows asking for nothing (v * d_i = 0).
    """
    rows: dict[tuple[int, str, str], tuple[dict[OfferKey, float], float]] = {}
    for rule in data.rules:
        if rule.kind != "min_coverage" or rule.value is None:
            continue
        for item in data.rule_items(rule):
            for scenario in data.scenarios:
                levels = {o.key: availability(data, scenario, o) for o in by_item[item]}
                bound = rule.value * data.items[item].demand
                if bound > 0 and any(a < 1.0 for a in levels.values()):
                    rows[rule_id(data, rule), scenario, item] = (levels, rule.value * data.items[item].demand)
    return rows


def add_policy_min_coverage(m: pyo.ConcreteModel, data: PlanningData, by_item: dict[str, list[Offer]]) -> None:
    """`Policy-min-coverage[r, s, i]`: for min_coverage rule r with value v, every item i it covers
    and every scenario s that hits an offer of i:
        sum_{o in O_i} a_{s,o} * buy[o] >= v * d_i
    where a_{s,o} is the lowest availability any row of s gives offer o (1 if none hits it).
    """
    rows = {k: v for k, v in coverage_rows(data, by_item).items() if any(a > 0 for a in v[0].values())}

    def rule(_m, r, s, i):
        levels = rows[r, s, i][0]
        return sum(a * m.buy[k] for k, a in levels.items() if a > 0) >= m.rule_value[r] * m.demand[i]

    m.add_component("Policy-min-coverage", pyo.Constraint(list(rows), rule=rule))


def add_policy_exclude(m: pyo.ConcreteModel, data: PlanningData) -> None:
    """`Policy-exclude[r, i, s]` (diagnose view only): for exclude rule r and every offer o = (i, s) it removes,
        buy[o] <= 0
    In the plan view the same rule is a set restriction: o gets no variable.
    """
    rows = sorted({(rule_id(data, r), key[0], key[1]) for key, rules in excluded_by(data).items() for r in rules})
    m.add_component("Policy-exclude", pyo.Constraint(rows, rule=lambda _m, r, i, s: m.buy[i, s] <= 0))


def add_max_hhi(m: pyo.ConcreteModel, data: PlanningData, by_item: dict[str, list[Offer]], cuts: tuple) -> None:
    """`hhi_points[i, c]`, `Item-hhi-points[i, c, k]` and `Policy-max-hhi[r, i]`: for max_hhi rule r with value
    h < 1 and every item i it covers with d_i > 0 and an offer, with n_i the countries of i's offers and
    s_c = sum_{o in O_i from c} buy[o] / d_i,
        hhi_points[i, c] >= 10,000 * (2 a s_c - a^2)     for every tangent point a of (i, c), the k-th
        sum_c hhi_points[i, c] <= 10,000 * h
    The tangent points of (i, c), in order: 1/n_i and sqrt(h) of every cap on i, ascending and each once, then
    the share of every cut for (i, c), in the order of `cuts`.
    """
    scale = 10_000.0
    caps: dict[str, list[tuple[int, float]]] = {}
    for rule in data.rules:
        if rule.kind == "max_hhi" and rule.value is not None and rule.value < 1:
            for item in data.rule_items(rule):
                if data.items[item].demand > 0 and by_item[item]:
                    caps.setdefault(item, []).append((rule_id(data, rule), rule.value))
    offers_from: dict[tuple[str, str], list[OfferKey]] = {}
    for item in caps:
        for offer in by_item[item]:
            offers_from.setdefault((item, data.country_of(offer).name), []).append(offer.key)
    points: dict[tuple[str, str], list[float]] = {}
    for item, country in offers_from:
        n = len({c for i, c in offers_from if i == item})
        points[item, country] = sorted({1 / n} | {math.sqrt(h) for _, h in caps[item]})
    for cut in cuts:
        if (cut.item, cut.country) in points:
            points[cut.item, cut.country].append(cut.share)
    m.hhi_points = pyo.Var(list(offers_from), domain=pyo.NonNegativeReals)
    tangents = [(i, c, k) for (i, c), ps in points.items() for k in range(1, len(ps) + 1)]

    def tangent(_m, i, c, k):
        a, d = points[i, c][k - 1], data.items[i].demand
        return (2 * a * scale / d) * sum(m.buy[o] for o in offers_from[i, c]) - m.hhi_points[i, c] <= scale * a * a

    m.add_component("Item-hhi-points", pyo.Constraint(tangents, rule=tangent))
    rows = [(r, i) for i, rules in caps.items() for r, _ in rules]
    value = {(r, i): h for i, rules in caps.items() for r, h in rules}
    m.add_component("Policy-max-hhi", pyo.Constraint(rows, rule=lambda _m, r, i: sum(
        m.hhi_points[i, c] for (item, c) in offers_from if item == i) <= scale * value[r, i]))


def add_total_cost(m: pyo.ConcreteModel, data: PlanningData, offers: tuple[Offer, ...]) -> None:
    """`Total-cost`: minimise
        sum_o c_o * buy[o] + sum_{s: F_s > 0} F_s * use_supplier[s],
        c_o = price_o * (1 + tariff of the supplier's country) + freight_o
    """
    m.add_component("Total-cost", pyo.Objective(
        expr=sum(m.cost[k] * m.buy[k] for k in m.OFFERS)
        + sum(m.fixed_cost[s] * m.use_supplier[s] for s in m.FIXED_SUPPLIERS),
        sense=pyo.minimize))
