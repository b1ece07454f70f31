"""An independent check of a plan against every rule of the input contract.

Written from the contract's text, not from the model: it shares no group,
availability or cost helper with `model.py`, so a mistake in the model's
index sets shows up here as a violation. Every solve runs it before a plan
is written, and the tests run it on every solved instance.
"""

from __future__ import annotations

import math

from planner.data import OfferKey, PlanningData

# Absolute tolerance per unit of scale (demand or capacity): HiGHS's default
# primal feasibility tolerance is 1e-7, so 1e-6 leaves room without hiding errors.
TOL = 1e-6


def _tol(scale: float) -> float:
    return TOL * max(1.0, abs(scale))


def _members(data: PlanningData, kind: str, name: str | None) -> list[tuple[str, set[str]]]:
    """(group name, suppliers in it) for one group or for each group of a kind."""
    supplier_country = {s.name: s.country for s in data.suppliers.values()}
    if kind == "supplier":
        names = [name] if name is not None else list(data.suppliers)
        return [(n, {n}) for n in names]
    if kind == "country":
        names = [name] if name is not None else list(data.countries)
        return [(n, {s for s, c in supplier_country.items() if c == n}) for n in names]
    blocs = sorted({b for c in data.countries.values() for b in c.blocs})
    names = [name] if name is not None else blocs
    return [(n, {s for s, c in supplier_country.items() if n in data.countries[c].blocs}) for n in names]


def check_plan(data: PlanningData, quantities: dict[OfferKey, float],
               objective: float | None = None) -> list[str]:
    """Every violated rule, as a sentence; an empty list means the plan obeys the contract."""
    bad: list[str] = []
    bought: dict[str, dict[str, float]] = {i: {} for i in data.items}  # item -> supplier -> qty
    for (item, supplier), q in quantities.items():
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

    for seller in data.suppliers.values():
        total = sum(q for per_item in bought.values() for s, q in per_item.items() if s == seller.name)
        if total > seller.capacity + _tol(seller.capacity):
            bad.append(f"Supplier-capacity: buys {total:g} from '{seller.name}' against a capacity of {seller.capacity:g}")

    for rule in data.rules:
        items = [rule.item] if rule.item is not None else list(data.items)
        if rule.kind == "min_coverage":
            for scenario in dict.fromkeys(h.scenario for h in data.scenario_hits):
                for item in items:
                    surviving = sum(q * _availability(data, scenario, item, s) for s, q in bought[item].items())
                    need = rule.value * data.items[item].demand  # type: ignore[operator]
                    if surviving < need - _tol(need):
                        bad.append(f"Policy-min-coverage: {rule.label()}: in scenario '{scenario}' {surviving:g} of "
                                   f"'{item}' survives, {need:g} required")
            continue
        assert rule.group is not None
        for group_name, suppliers in _members(data, rule.group.kind, rule.group.name):
            for item in items:
                volume = sum(q for s, q in bought[item].items() if s in suppliers)
                demand = data.items[item].demand
                where = f"{rule.label()}: '{item}' from {rule.group.kind}:{group_name}"
                if rule.kind == "exclude" and volume > 0:
                    bad.append(f"Policy-exclude: {where} buys {volume:g}")
                if rule.kind == "max_share" and volume > rule.value * demand + _tol(demand):  # type: ignore[operator]
                    bad.append(f"Policy-max-share: {where} is {volume:g}, above {rule.value:g} of {demand:g}")
                if rule.kind == "min_share" and volume < rule.value * demand - _tol(demand):  # type: ignore[operator]
                    bad.append(f"Policy-min-share: {where} is {volume:g}, below {rule.value:g} of {demand:g}")

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


def _availability(data: PlanningData, scenario: str, item: str, supplier: str) -> float:
    country = data.suppliers[supplier].country
    level = 1.0
    for hit in data.scenario_hits:
        if hit.scenario != scenario or (hit.item is not None and hit.item != item):
            continue
        g = hit.group
        if (g.kind == "supplier" and g.name == supplier) or (g.kind == "country" and g.name == country) or (
                g.kind == "bloc" and g.name in data.countries[country].blocs):
            level = min(level, hit.availability)
    return level


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
