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
    from planner.model import build, to_pyomo

    model = build(scenario_data(data, name))
    m = to_pyomo(model)
    first = [v for block in model.columns if block.name not in SECOND_STAGE
             for v in m.component(block.name).values()]
    return m, first
