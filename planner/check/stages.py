"""The check of a two-stage plan's objective, from its contracts alone (workbook-v2 section 3).

Given the contracts, each scenario's cheapest recourse is found by hand:
offer o delivers a(s, o) * contract[o] (a(s, o) the lowest availability of
the scenario's rows that hit it, 1 if none, and 1 throughout the baseline);
what is missing of an item's demand is bought on the spot market, up to its
capacity, where that is cheaper than going short, and the rest goes short
(where shortage is allowed). A scenario's cost is the landed cost of what is
delivered (each unit at its contract's unit price, tiers included), every
fixed cost, spot purchases and shortage. The objective is
(1 - w) * E[cost] + w * CVaR_alpha[cost], the CVaR of the discrete
distribution computed from the sorted costs.
"""

from __future__ import annotations

import math

from planner.check.view import PlanView, tol
from planner.data import BASELINE, PlanningData


def cvar(costs: list[float], probabilities: list[float], alpha: float) -> float:
    """CVaR_alpha of a discrete distribution: the mean of its worst 1 - alpha of probability mass (the largest
    costs first, the last of them in part)."""
    tail = 1.0 - alpha
    left, total = tail, 0.0
    for cost, p in sorted(zip(costs, probabilities), key=lambda e: -e[0]):
        take = min(p, left)
        total += take * cost
        left -= take
        if left <= 1e-15:
            break
    return total / tail


def scenario_costs(data: PlanningData, plan: PlanView) -> dict[str, tuple[float, float, dict[str, tuple]]]:
    """Per scenario (the baseline last): (probability, cost, item -> (delivered, spot, short)); the cost is
    math.inf when demand cannot be met (no shortage allowed)."""
    landed_per_unit: dict[tuple[str, str], float] = {}
    for item, per_supplier in plan.bought.items():
        for supplier, q in per_supplier.items():
            landed_per_unit[item, supplier] = plan.spend(item, supplier, q) / q if q > 0 else 0.0
    used = {s for per in plan.bought.values() for s, q in per.items() if q > 0}
    fixed = sum(data.suppliers[s].fixed_cost for s in used)
    out = {}
    for scenario, p in data.probabilities.items():
        every_item, per_item = ({}, {}) if scenario == BASELINE else plan._availability(scenario)
        cost, recourse = fixed, {}
        for item in data.items.values():
            delivered = 0.0
            for supplier, q in plan.bought[item.name].items():
                level = per_item.get((item.name, supplier), every_item.get(supplier, 1.0))
                delivered += level * q
                cost += level * q * landed_per_unit[item.name, supplier]
            missing = max(0.0, item.demand - delivered)
            spot = short = 0.0
            if missing > tol(item.demand):
                spot_first = item.spot_price is not None and (item.shortage_cost is None or
                                                              item.spot_price <= item.shortage_cost)
                if spot_first:
                    spot = min(missing, item.spot_capacity)
                short = missing - spot
                if short > tol(item.demand):
                    if item.shortage_cost is None:
                        cost = math.inf
                    else:
                        cost += item.shortage_cost * short
                else:
                    short = 0.0
                if spot:
                    cost += item.spot_price * spot  # type: ignore[operator]
            recourse[item.name] = (delivered, spot, short)
        out[scenario] = (p, cost, recourse)
    return out


def objective_of(data: PlanningData, plan: PlanView) -> tuple[float, float, float]:
    """(objective, expected cost, CVaR) of the contracts, each scenario with its cheapest recourse."""
    found = scenario_costs(data, plan)
    costs = [c for _, c, _ in found.values()]
    probabilities = [p for p, _, _ in found.values()]
    expected = sum(p * c for p, c in zip(probabilities, costs) if p > 0)
    tail = cvar(costs, probabilities, data.settings.cvar_alpha)
    w = data.settings.risk_weight
    return (1.0 - w) * expected + w * tail, expected, tail


def check_objective(data: PlanningData, plan: PlanView, objective: float) -> list[str]:
    """Whether the solver's objective is what the contracts cost with the cheapest recourse in every scenario.
    The solver may do no better (the recourse here is the cheapest); a plan that pays a fixed cost for a
    supplier it gives no volume, or buys more on the spot market than needed, may show the solver's figure
    above it by at most that."""
    found, _, _ = objective_of(data, plan)
    if not math.isfinite(found):
        return ["Scenario-demand: some scenario's demand cannot be met with these contracts, and shortage is not "
                "allowed"]
    idle = sum(s.fixed_cost for s in data.suppliers.values() if not any(s.name in per for per in plan.bought.values()))
    slack = 1e-6 * max(1.0, abs(found))
    if not (-slack <= objective - found <= idle + slack):
        return [f"Total-cost: the contracts cost {found:.10g} with the cheapest recourse in every scenario "
                f"((1 - w) E + w CVaR), the solver reported {objective:.10g}"]
    return []
