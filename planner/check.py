"""An independent check of a plan against every rule of the input contract.

Written from the contract's text, not from the model: it shares no group,
availability or cost helper with `model.py`, so a mistake in the model's
index sets shows up here as a violation. Every solve runs it before a plan
is written, and the tests run it on every solved instance.
"""

from __future__ import annotations

import math

from planner.data import OfferKey, PlanningData, Rule

# Absolute tolerance per unit of scale (demand or capacity): HiGHS's default
# primal feasibility tolerance is 1e-7, so 1e-6 leaves room without hiding errors.
TOL = 1e-6


def _tol(scale: float) -> float:
    return TOL * max(1.0, abs(scale))


def _groups_of(data: PlanningData, kind: str) -> dict[str, tuple[str, ...]]:
    """Supplier -> the names of the groups of `kind` it belongs to (itself, its country, or its country's blocs)."""
    if kind == "supplier":
        return {s: (s,) for s in data.suppliers}
    if kind == "country":
        return {s.name: (s.country,) for s in data.suppliers.values()}
    return {s.name: data.countries[s.country].blocs for s in data.suppliers.values()}


def _all_groups(data: PlanningData, kind: str) -> list[str]:
    if kind == "supplier":
        return list(data.suppliers)
    if kind == "country":
        return list(data.countries)
    return sorted({b for c in data.countries.values() for b in c.blocs})


def check_plan(data: PlanningData, quantities: dict[OfferKey, float],
               objective: float | None = None) -> list[str]:
    """Every violated rule, as a sentence; an empty list means the plan obeys the contract."""
    bad: list[str] = []
    bought: dict[str, dict[str, float]] = {i: {} for i in data.items}  # item -> supplier -> qty
    for (item, supplier), q in quantities.items():
        if q == 0.0:
            continue  # nothing bought: no offer, capacity, minimum order or rule is concerned
        offer = data.offers.get((item, supplier))
        if offer is None:
            bad.append(f"buys {q:g} of '{item}' from '{supplier}', which made no offer for it")
            continue
        if not math.isfinite(q) or q < -_tol(q):
            bad.append(f"quantity {q} of '{item}' from '{supplier}' is negative or not finite")
        if q > offer.capacity + _tol(offer.capacity):
            bad.append(f"Offer-capacity: {q:g} of '{item}' from '{supplier}' exceeds capacity {offer.capacity:g}")
        if 0 < q < offer.min_order - _tol(offer.min_order) and q > _tol(data.items[item].demand):
            bad.append(f"Offer-min-order: {q:g} of '{item}' from '{supplier}' is below the minimum order {offer.min_order:g}")
        if q > 0:
            bought[item][supplier] = bought[item].get(supplier, 0.0) + q

    for record in data.items.values():
        total = sum(bought[record.name].values())
        if abs(total - record.demand) > _tol(record.demand):
            bad.append(f"Item-demand: buys {total:g} of '{record.name}' against a demand of {record.demand:g}")

    per_supplier: dict[str, float] = {}
    for volumes_of_item in bought.values():
        for s, q in volumes_of_item.items():
            per_supplier[s] = per_supplier.get(s, 0.0) + q
    for seller in data.suppliers.values():
        total = per_supplier.get(seller.name, 0.0)
        if total > seller.capacity + _tol(seller.capacity):
            bad.append(f"Supplier-capacity: buys {total:g} from '{seller.name}' against a capacity of {seller.capacity:g}")

    scenarios = list(dict.fromkeys(h.scenario for h in data.scenario_hits))
    levels = {scenario: _availability(data, scenario) for scenario in scenarios}
    for rule in data.rules:
        items = [rule.item] if rule.item is not None else list(data.items)
        if rule.kind == "min_coverage":
            for scenario in scenarios:
                every_item, per_item = levels[scenario]
                for item in items:
                    surviving = sum(q * per_item.get((item, s), every_item.get(s, 1.0)) for s, q in bought[item].items())
                    need = rule.value * data.items[item].demand  # type: ignore[operator]
                    if surviving < need - _tol(need):
                        bad.append(f"Policy-min-coverage: {rule.label()}: in scenario '{scenario}' {surviving:g} of "
                                   f"'{item}' survives, {need:g} required")
            continue
        assert rule.group is not None
        groups_of = _groups_of(data, rule.group.kind)
        named = [rule.group.name] if rule.group.name is not None else None
        for item in items:
            volumes: dict[str, float] = {}
            for s, q in bought[item].items():
                for group_name in groups_of[s]:
                    volumes[group_name] = volumes.get(group_name, 0.0) + q
            # a group with no volume can break only a minimum: check every group for min_share
            checked = named if named is not None else (_all_groups(data, rule.group.kind) if rule.kind == "min_share"
                                                       else list(volumes))
            demand = data.items[item].demand
            for group_name in checked:
                volume = volumes.get(group_name, 0.0)
                if rule.kind == "exclude" and volume > 0:
                    bad.append(f"Policy-exclude: {_where(rule, item, group_name)} buys {volume:g}")
                if rule.kind == "max_share" and volume > rule.value * demand + _tol(demand):  # type: ignore[operator]
                    bad.append(f"Policy-max-share: {_where(rule, item, group_name)} is {volume:g}, "
                               f"above {rule.value:g} of {demand:g}")
                if rule.kind == "min_share" and volume < rule.value * demand - _tol(demand):  # type: ignore[operator]
                    bad.append(f"Policy-min-share: {_where(rule, item, group_name)} is {volume:g}, "
                               f"below {rule.value:g} of {demand:g}")

    if objective is not None:
        cost, used = _cost(data, bought)
        # An incumbent may pay a fixed cost for a supplier it then gives no volume:
        # the solver's figure can exceed the plan's by at most those fixed costs.
        idle_fixed = sum(s.fixed_cost for s in data.suppliers.values() if s.name not in used)
        excess = objective - cost
        tol = 1e-6 * max(1.0, abs(cost))
        if not (-tol <= excess <= idle_fixed + tol):
            bad.append(f"Total-cost: the plan costs {cost:.10g}, the solver reported {objective:.10g}")
    return bad


def _where(rule: Rule, item: str, group_name: str) -> str:
    assert rule.group is not None
    return f"{rule.label()}: '{item}' from {rule.group.kind}:{group_name}"


def _availability(data: PlanningData, scenario: str) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """What survives of each supplier's deliveries in a scenario: (supplier -> level for every item,
    (item, supplier) -> level where a row naming the item cuts deeper). The lowest level of the rows that hit counts;
    1 where none does."""
    every_item: dict[str, float] = {}
    per_item: dict[tuple[str, str], float] = {}
    hits = [h for h in data.scenario_hits if h.scenario == scenario]
    for supplier in data.suppliers.values():
        country = supplier.country
        for hit in hits:
            g = hit.group
            if (g.kind == "supplier" and g.name == supplier.name) or (g.kind == "country" and g.name == country) or (
                    g.kind == "bloc" and g.name in data.countries[country].blocs):
                if hit.item is None:
                    every_item[supplier.name] = min(every_item.get(supplier.name, 1.0), hit.availability)
                else:
                    key = (hit.item, supplier.name)
                    per_item[key] = min(per_item.get(key, 1.0), hit.availability)
    for (item, name), level in per_item.items():
        per_item[item, name] = min(level, every_item.get(name, 1.0))
    return every_item, per_item


def _cost(data: PlanningData, bought: dict[str, dict[str, float]]) -> tuple[float, set[str]]:
    """Landed cost price * (1 + tariff) + freight per unit, plus fixed costs of suppliers with volume."""
    total = 0.0
    used: set[str] = set()
    for item, per_supplier in bought.items():
        for supplier, q in per_supplier.items():
            offer = data.offers[item, supplier]
            tariff = data.countries[data.suppliers[supplier].country].tariff
            total += q * (offer.price * (1 + tariff) + offer.freight)
            used.add(supplier)
    return total + sum(data.suppliers[s].fixed_cost for s in used), used
