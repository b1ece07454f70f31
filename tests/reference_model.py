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
    add_route_capacity(m, data, offers)
    add_supplier_use(m, data, offers, view)
    add_offer_min_order(m, data, offers, view)
    bands = {o.key: tier_bands(data, o, view) for o in offers}
    bands = {key: found for key, found in bands.items() if found is not None}
    add_tiers(m, data, bands)
    add_policy_shares(m, data, by_item)
    add_policy_min_coverage(m, data, by_item)
    if view == "diagnose":
        add_policy_exclude(m, data)
    add_count_rules(m, data, by_item)
    add_policy_spend(m, data, by_item, bands)
    add_max_hhi(m, data, by_item, cuts)
    add_total_cost(m, data, offers, bands)
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
    by_item = offers_by_item(data, offers)
    switched = opened_offers(data, by_item) | {o.key for rows in max_country_rows(data, by_item).values()
                                               for o in rows}
    return {
        "cost": {o.key: data.landed_cost(o) for o in offers},
        "offer_capacity": {o.key: o.capacity for o in offers if not math.isinf(o.capacity)},
        "demand": {name: item.demand for name, item in data.items.items()},
        "supplier_capacity": {s: data.suppliers[s].capacity for s in sorted(used)
                              if not math.isinf(data.suppliers[s].capacity)},
        "fixed_cost": {s: data.suppliers[s].fixed_cost for s in sorted(used) if data.suppliers[s].fixed_cost > 0},
        "big_m": {o.key: big_m(data, o, view) for o in offers
                  if o.min_order > 0 or data.suppliers[o.supplier].fixed_cost > 0 or o.key in switched},
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


def add_route_capacity(m: pyo.ConcreteModel, data: PlanningData, offers: tuple[Offer, ...]) -> None:
    """`Route-capacity[r]`: for every route with a capacity and a usable offer on it (one period: lead times
    play no part),
        sum_{o on r} buy[o] <= cap_r
    """
    on: dict[str, list[OfferKey]] = defaultdict(list)
    for offer in offers:
        if offer.route and not math.isinf(data.routes[offer.route].capacity):
            on[offer.route].append(offer.key)
    m.add_component("Route-capacity", pyo.Constraint(
        list(on), rule=lambda _m, r: sum(m.buy[k] for k in on[r]) <= data.routes[r].capacity))


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
    """`Offer-use[o]` and `Offer-min-order[o]`: for every usable offer with minimum order q_o > 0, and (Offer-use
    only) every offer a max_suppliers row or a min_award rule counts (`opened_offers`),
        buy[o] <= M_o * use_offer[o]
        buy[o] >= q_o * use_offer[o]
    with use_offer[o] binary: buy[o] is 0 or in [q_o, M_o].
    """
    keys = [o.key for o in offers if o.min_order > 0]
    switched = opened_offers(data, offers_by_item(data, offers))
    m.OPENED_OFFERS = pyo.Set(initialize=[o.key for o in offers if o.min_order > 0 or o.key in switched], dimen=2,
                              ordered=True)
    m.MIN_ORDER_OFFERS = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.use_offer = pyo.Var(m.OPENED_OFFERS, domain=pyo.Binary)
    m.add_component("Offer-use", pyo.Constraint(
        m.OPENED_OFFERS, rule=lambda _m, i, s: m.buy[i, s] <= m.big_m[i, s] * m.use_offer[i, s]))
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


def count_rows(data: PlanningData, kind: str, by_item: dict[str, list[Offer]]
               ) -> dict[tuple[int, str, str], list[Offer]]:
    """Index (rule id, item, group) -> the offers of the item in the group, for every `kind` rule (a count or
    award rule), every item it covers with demand > 0 and every group it names holding an offer of the item: the
    one group (a blank group is `every supplier`, a named one written as in its cell), or each member of
    `each ...` written `kind:name`."""
    rows: dict[tuple[int, str, str], list[Offer]] = {}
    for rule in data.rules:
        if rule.kind != kind or rule.value is None:
            continue
        for item in data.rule_items(rule):
            if data.items[item].demand <= 0:
                continue
            if rule.group is None:
                groups = {"every supplier": by_item[item]}
            else:
                groups = {str(g): offers for g, offers in group_members(data, by_item[item], rule.group).items()}
            for group, offers in groups.items():
                if offers:
                    rows[rule_id(data, rule), item, group] = offers
    return rows


def countries_of(data: PlanningData, offers: list[Offer]) -> dict[str, list[Offer]]:
    """Country -> the offers among `offers` from its suppliers."""
    out: dict[str, list[Offer]] = defaultdict(list)
    for offer in offers:
        out[data.country_of(offer).name].append(offer)
    return dict(out)


def rule_by_id(data: PlanningData, rid: int) -> Rule:
    """The rule whose rows carry `rid` in their `rule` dimension."""
    return next(r for r in data.rules if rule_id(data, r) == rid)


def max_supplier_rows(data: PlanningData, by_item: dict[str, list[Offer]]) -> dict[tuple, list[Offer]]:
    """max_suppliers rows: where the group holds more offers of the item than the rule's value."""
    return {k: o for k, o in count_rows(data, "max_suppliers", by_item).items()
            if len(o) > rule_by_id(data, k[0]).value}


def max_country_rows(data: PlanningData, by_item: dict[str, list[Offer]]) -> dict[tuple, list[Offer]]:
    """max_countries rows: where the group's offers of the item come from more countries than the rule's value."""
    return {k: o for k, o in count_rows(data, "max_countries", by_item).items()
            if len(countries_of(data, o)) > rule_by_id(data, k[0]).value}


def opened_offers(data: PlanningData, by_item: dict[str, list[Offer]]) -> set[OfferKey]:
    """Offers a max_suppliers row or a min_award rule counts: each gets a use_offer binary."""
    return {o.key for kind in ("max_suppliers", "min_award")
            for rows in ([max_supplier_rows(data, by_item)] if kind == "max_suppliers"
                         else [count_rows(data, kind, by_item)])
            for offers in rows.values() for o in offers}


def add_count_rules(m: pyo.ConcreteModel, data: PlanningData, by_item: dict[str, list[Offer]]) -> None:
    """The count and award rules, for rule r with value k (min_award: v) and min_award m_r, item i with d_i > 0
    and group g, O the offers of i in g, C their suppliers' countries:
        Policy-max-suppliers[r, i, g]:       sum_{o in O} use_offer[o] <= k                    (where |O| > k)
        Policy-min-suppliers-award[r, i, s]: buy[i, s] >= m_r d_i award_supplier[r, i, s]
        Policy-min-suppliers[r, i, g]:       sum_{o = (i, s) in O} award_supplier[r, i, s] >= k
        Policy-max-countries-use[r, i, g, s]: buy[i, s] <= M_o use_country[r, i, g, country(s)] (where |C| > k)
        Policy-max-countries[r, i, g]:       sum_{c in C} use_country[r, i, g, c] <= k
        Policy-min-countries-award[r, i, g, c]: sum_{o in O from c} buy[o] >= m_r d_i award_country[r, i, g, c]
        Policy-min-countries[r, i, g]:       sum_{c in C} award_country[r, i, g, c] >= k
        Policy-min-award[r, i, s]:           buy[i, s] >= v d_i use_offer[i, s]
    """
    award = {rid: rule_by_id(data, rid).min_award for rid in {rule_id(data, r) for r in data.rules}}
    capped = max_supplier_rows(data, by_item)
    m.add_component("Policy-max-suppliers", pyo.Constraint(
        list(capped), rule=lambda _m, r, i, g: sum(m.use_offer[o.key] for o in capped[r, i, g]) <= m.rule_value[r]))

    least = count_rows(data, "min_suppliers", by_item)
    awarded = sorted({(r, i, o.supplier) for (r, i, _), offers in least.items() for o in offers})
    m.award_supplier = pyo.Var(awarded, domain=pyo.Binary)
    m.add_component("Policy-min-suppliers-award", pyo.Constraint(
        awarded, rule=lambda _m, r, i, s: m.buy[i, s] >= award[r] * m.demand[i] * m.award_supplier[r, i, s]))
    m.add_component("Policy-min-suppliers", pyo.Constraint(
        list(least), rule=lambda _m, r, i, g: sum(m.award_supplier[r, i, o.supplier] for o in least[r, i, g])
        >= m.rule_value[r]))

    spread = max_country_rows(data, by_item)
    used = sorted({(r, i, g, c) for (r, i, g), offers in spread.items() for c in countries_of(data, offers)})
    links = {(r, i, g, o.supplier): (o, data.country_of(o).name) for (r, i, g), offers in spread.items()
             for o in offers}
    m.use_country = pyo.Var(used, domain=pyo.Binary)
    m.add_component("Policy-max-countries-use", pyo.Constraint(
        list(links), rule=lambda _m, r, i, g, s: m.buy[i, s]
        <= m.big_m[i, s] * m.use_country[r, i, g, links[r, i, g, s][1]]))
    m.add_component("Policy-max-countries", pyo.Constraint(
        list(spread), rule=lambda _m, r, i, g: sum(m.use_country[r, i, g, c]
                                                   for c in countries_of(data, spread[r, i, g])) <= m.rule_value[r]))

    spread = count_rows(data, "min_countries", by_item)
    by_country = {(r, i, g, c): offers for (r, i, g), all_offers in spread.items()
                  for c, offers in countries_of(data, all_offers).items()}
    m.award_country = pyo.Var(list(by_country), domain=pyo.Binary)
    m.add_component("Policy-min-countries-award", pyo.Constraint(
        list(by_country), rule=lambda _m, r, i, g, c: sum(m.buy[o.key] for o in by_country[r, i, g, c])
        >= award[r] * m.demand[i] * m.award_country[r, i, g, c]))
    m.add_component("Policy-min-countries", pyo.Constraint(
        list(spread), rule=lambda _m, r, i, g: sum(m.award_country[r, i, g, c]
                                                   for c in countries_of(data, spread[r, i, g])) >= m.rule_value[r]))

    floors = sorted({(r, i, o.supplier) for (r, i, _), offers in count_rows(data, "min_award", by_item).items()
                     for o in offers})
    m.add_component("Policy-min-award", pyo.Constraint(
        floors, rule=lambda _m, r, i, s: m.buy[i, s] >= m.rule_value[r] * m.demand[i] * m.use_offer[i, s]))


Band = tuple[int, float, float, float]  # (k, b_k, most it holds or its width, landed unit cost)

# The model's documented gap below an all-units break (models/formulation.md, *Volume-discount tiers*).
BREAK_GAP = 1e-5


def tier_bands(data: PlanningData, offer: Offer, view: View) -> list[Band] | None:
    """The price bands of one offer, straight from its Tiers rows (None: it is priced without bands).

    Breaks the offer can reach make bands: b_k <= M_o (all-units) or b_k < M_o (incremental). All-units band k
    holds [b_k, min(b_(k+1) - gap, M_o)] (band 0 from 0), gap = 1e-5 * max(1, b_(k+1)), and exists only when
    that is not empty (band 0: when b_1 - gap > 0); an incremental band holds up to its width
    min(b_(k+1), M_o) - b_k.
    """
    costs = data.tier_costs(offer)  # [(0, c_0), (b_1, c_1), ...]
    m = big_m(data, offer, view)
    incremental = offer.discount == "incremental"
    reached = [k for k in range(1, len(costs)) if (costs[k][0] < m if incremental else costs[k][0] <= m)]
    if not reached:
        return None
    out: list[Band] = []
    for k in [0, *reached]:
        start, cost = costs[k]
        following = costs[k + 1][0] if k + 1 < len(costs) else math.inf
        if incremental:
            out.append((k, start, min(following, m) - start, cost))
            continue
        most = m if math.isinf(following) else min(following - BREAK_GAP * max(1.0, following), m)
        if (k == 0 and most > 0) or (k > 0 and most >= start):
            out.append((k, start, most, cost))
    return out


def add_tiers(m: pyo.ConcreteModel, data: PlanningData, bands: dict[OfferKey, list[Band]]) -> None:
    """`tier_buy[o, k]` (in [0, u_k], costing c_{o,k}), `tier_on[o, k]` (binary, k >= 1) and the rows that price a
    tiered offer band by band:
        Tier-volume[o]:          buy[o] = sum_k tier_buy[o, k]
        Tier-band-lower[o, k]:   tier_buy[o, k] >= b_k * tier_on[o, k]            (all-units, k >= 1)
        Tier-band-upper[o, k]:   tier_buy[o, k] <= u_k * tier_on[o, k]            (k >= 1)
        Tier-one[o]:             tier_buy[o, 0] <= u_0 * (1 - sum_k tier_on[o, k]) (all-units; without band 0:
                                 sum_k tier_on[o, k] <= 1)
        Tier-fill[o, k]:         tier_buy[o, k-1] >= w_(k-1) * tier_on[o, k]      (incremental, k >= 1)
    """
    size = {(i, s, k): most for (i, s), found in bands.items() for k, _, most, _ in found}
    start = {(i, s, k): b for (i, s), found in bands.items() for k, b, _, _ in found}
    m.TIER_BANDS = pyo.Set(initialize=list(size), dimen=3, ordered=True)
    m.tier_buy = pyo.Var(m.TIER_BANDS, domain=pyo.NonNegativeReals, bounds=lambda _m, i, s, k: (0, size[i, s, k]))
    on = [key for key in size if key[2] >= 1]
    m.TIER_ON = pyo.Set(initialize=on, dimen=3, ordered=True)
    m.tier_on = pyo.Var(m.TIER_ON, domain=pyo.Binary)
    steps = {key: data.offers[key].discount == "incremental" for key in bands}
    m.add_component("Tier-volume", pyo.Constraint(
        list(bands), rule=lambda _m, i, s: m.buy[i, s] == sum(m.tier_buy[i, s, k] for k, _, _, _ in bands[i, s])))
    m.add_component("Tier-band-lower", pyo.Constraint(
        [key for key in on if not steps[key[:2]]],
        rule=lambda _m, i, s, k: m.tier_buy[i, s, k] >= start[i, s, k] * m.tier_on[i, s, k]))
    m.add_component("Tier-band-upper", pyo.Constraint(
        on, rule=lambda _m, i, s, k: m.tier_buy[i, s, k] <= size[i, s, k] * m.tier_on[i, s, k]))

    def one(_m, i, s):
        total = sum(m.tier_on[i, s, k] for k, _, _, _ in bands[i, s] if k >= 1)
        if (i, s, 0) in size:
            return m.tier_buy[i, s, 0] <= size[i, s, 0] * (1 - total)
        return total <= 1

    m.add_component("Tier-one", pyo.Constraint(
        [key for key in bands if not steps[key] and any(k >= 1 for k, _, _, _ in bands[key])], rule=one))
    m.add_component("Tier-fill", pyo.Constraint(
        [key for key in on if steps[key[:2]]],
        rule=lambda _m, i, s, k: m.tier_buy[i, s, k - 1] >= size[i, s, k - 1] * m.tier_on[i, s, k]))


def spend(m: pyo.ConcreteModel, bands: dict[OfferKey, list[Band]], key: OfferKey) -> object:
    """The landed spend of an offer: c_o * buy[o], or sum_k c_{o,k} * tier_buy[o, k] when it is tiered."""
    if key in bands:
        return sum(cost * m.tier_buy[key[0], key[1], k] for k, _, _, cost in bands[key])
    return m.cost[key] * m.buy[key]


def add_policy_spend(m: pyo.ConcreteModel, data: PlanningData, by_item: dict[str, list[Offer]],
                     bands: dict[OfferKey, list[Band]]) -> None:
    """`Policy-max-spend[r, i, g]` and `Policy-max-spend-share[r, i, g]`, for rule r with value v, every item i it
    covers (max_spend with a blank item: all items together, i = `(every item)`) and every group g it names
    holding an offer of i (a blank group: every supplier, g = (all, `(every supplier)`)):
        sum_{o in O_i, o in g} s_o <= v                          (max_spend)
        sum_{o in O_i, o in g} s_o <= v * sum_{o in O_i} s_o     (max_spend_share)
    """
    def groups(offers: list[Offer], spec: GroupSpec | None) -> dict[tuple[str, str], list[Offer]]:
        if spec is None:
            return {("all", "(every supplier)"): offers}
        return {(g.kind, g.name): found for g, found in group_members(data, offers, spec).items() if found}

    capped: dict[tuple, list[OfferKey]] = {}
    shares: dict[tuple, tuple[list[OfferKey], list[OfferKey]]] = {}
    for rule in data.rules:
        if rule.value is None or rule.kind not in ("max_spend", "max_spend_share"):
            continue
        rid = rule_id(data, rule)
        if rule.kind == "max_spend" and rule.item is None and rule.item_class is None:
            everything = [o for item in data.rule_items(rule) for o in by_item[item]]
            for (kind, name), found in groups(everything, rule.group).items():
                capped[rid, "(every item)", kind, name] = [o.key for o in found]
            continue
        for item in data.rule_items(rule):
            for (kind, name), found in groups(by_item[item], rule.group).items():
                if rule.kind == "max_spend":
                    capped[rid, item, kind, name] = [o.key for o in found]
                else:
                    shares[rid, item, kind, name] = ([o.key for o in found], [o.key for o in by_item[item]])
    m.add_component("Policy-max-spend", pyo.Constraint(
        list(capped), rule=lambda _m, r, i, gk, gn: sum(spend(m, bands, k) for k in capped[r, i, gk, gn])
        <= m.rule_value[r]))
    m.add_component("Policy-max-spend-share", pyo.Constraint(
        list(shares), rule=lambda _m, r, i, gk, gn: sum(spend(m, bands, k) for k in shares[r, i, gk, gn][0])
        - m.rule_value[r] * sum(spend(m, bands, k) for k in shares[r, i, gk, gn][1]) <= 0))


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


def add_total_cost(m: pyo.ConcreteModel, data: PlanningData, offers: tuple[Offer, ...],
                   bands: dict[OfferKey, list[Band]]) -> None:
    """`Total-cost`: minimise
        sum_o s_o + sum_{s: F_s > 0} F_s * use_supplier[s],
        s_o = c_o * buy[o] (c_o = rate * (price_o * (1 + tariff_o) + freight_o)), or the tier columns' costs
    """
    m.add_component("Total-cost", pyo.Objective(
        expr=sum(spend(m, bands, k) for k in m.OFFERS)
        + sum(m.fixed_cost[s] * m.use_supplier[s] for s in m.FIXED_SUPPLIERS),
        sense=pyo.minimize))
