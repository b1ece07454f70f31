"""The scenario models a decomposition engine (mpi-sppy) solves: built from the same family blocks as the
extensive form, one scenario at a time, rendered as Pyomo (`planner.model.to_pyomo`).

Scenario s's model is the extensive form of the same data with s alone, probability 1
(`_stages.with_scenarios`): its objective is (1 - w) * cost_s + w * (eta + excess[s] / (1 - alpha)), so that
sum_s p_s times it is the extensive form's objective. Its first-stage variables, which must agree across the
scenarios (nonanticipativity), are every variable family but the second stage's (`spot`, `short`, `excess`):
the contracts (`buy`), their on/off decisions and tiers, the fixed costs (`use_supplier`), and `eta`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.data import PlanningData
from planner.model.families._stages import ScenarioSet, scenario_set, with_scenarios

if TYPE_CHECKING:
    import pyomo.environ as pyo

SECOND_STAGE = frozenset({"spot", "short", "excess"})  # the variable families of the second stage


def scenario_names(data: PlanningData) -> list[str]:
    """The scenarios of the two-stage plan, the baseline last, those with probability > 0 only."""
    found = scenario_set(data)
    return [name for name, p in zip(found.names, found.probability) if p > 0]


def scenario_data(data: PlanningData, name: str) -> PlanningData:
    """The data planned against scenario `name` alone (probability 1 in its own model)."""
    found = scenario_set(data)
    s = found.names.index(name)
    return with_scenarios(data, ScenarioSet((name,), np.ones(1), found.availability[s:s + 1]))


def probability(data: PlanningData, name: str) -> float:
    found = scenario_set(data)
    return float(found.probability[found.names.index(name)])


def scenario_model(data: PlanningData, name: str) -> tuple[pyo.ConcreteModel, list]:
    """(the Pyomo model of scenario `name`, its first-stage variables in a fixed order: the same order in every
    scenario, as decomposition needs)."""
    from planner.model import to_pyomo

    from planner.stochastic.highs_subproblem import attach

    model = first_stage_model(data, name)
    m = to_pyomo(model)
    first = [v for block in model.columns if block.name not in SECOND_STAGE
             for v in m.component(block.name).values()]
    attach(m, model, [v for block in model.columns for v in m.component(block.name).values()])
    return m, first


def first_stage_model(data: PlanningData, name: str):  # noqa: ANN201 - a SourcingModel
    from planner.model import build

    return build(scenario_data(data, name))


def rho_of(data: PlanningData) -> np.ndarray:
    """PH's rho per first-stage variable, in the order of `scenario_model`'s list (the same in every scenario, so
    that the hub keeps sum_s p_s W_s = 0 and the Lagrangian bound stays a bound):
        contract o of item i:  c_o / max(1, d_i / n_i)       (n_i the item's offers in the model)
        a tier column:         the mean of the contracts' rho
        a binary:              max(F, mean_o c_o d_i / n_i)  (its fixed cost, else a typical contract's value)
        eta:                   w / max(1, sum_i d_i cbar_i)  (cbar_i the item's mean landed cost)
    rho is in objective units per unit squared: a step W += rho (x_s - xbar) of a contract that strays by a
    typical contract size moves its weight by about its landed cost, and eta's by about w. One rho for every
    variable (1 in objective units) left contracts of cost 30 and size 10^3 oscillating and eta (a cost of
    order 10^6) with weights far outside (-w, w alpha / (1 - alpha)), where its subproblem is bounded."""
    model = first_stage_model(data, scenario_names(data)[-1])
    t = data.table
    position = model.offers
    items = t.item[position]
    count = np.bincount(items, minlength=len(t.item_names)).astype(float)
    size = np.maximum(1.0, t.demand[items] / np.maximum(count[items], 1.0))
    contract = t.cost[position] / size
    value = float(np.mean(t.cost[position] * size)) if len(position) else 1.0
    mean_cost = np.bincount(items, weights=t.cost[position], minlength=len(t.item_names)) / np.maximum(count, 1.0)
    spend = max(1.0, float(t.demand @ mean_cost))
    out = []
    for block in model.columns:
        if block.name in SECOND_STAGE:
            continue
        if block.name == "buy":
            part = contract
        elif block.name == "eta":
            part = np.full(len(block), data.settings.risk_weight / spend)
        elif block.integer:
            part = np.maximum(np.abs(block.cost), value)
        else:
            part = np.full(len(block), float(np.mean(contract)) if len(contract) else 1.0)
        out.append(np.maximum(part, 1e-9))
    return np.concatenate(out) if out else np.zeros(0)
