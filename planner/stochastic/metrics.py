"""EVPI and VSS of a two-stage plan (workbook-v2 section 3), by re-solving the extensive form.

With rho(cost) = (1 - w) * E[cost] + w * CVaR_alpha[cost] the plan's risk
measure and z* its optimum:

* EVPI = z* - rho(z_s), z_s the optimum of scenario s planned alone with
  perfect foresight (its own contracts, probability 1);
* VSS = EEV - z*, EEV the objective of the contracts planned for the mean
  scenario (availabilities sum_s p_s a(s, o), probability 1), those contracts
  then fixed and each scenario given its cheapest recourse.

With w = 0 these are the textbook figures, both >= 0 (up to the MIP gap).
"""

from __future__ import annotations

import math

import numpy as np

from planner.data import PlanningData
from planner.model import SourcingModel, build
from planner.model.families._stages import ScenarioSet, scenario_set, with_scenarios
from planner.results import cvar_of
from planner.solver import HighsModel


def fix_contracts(model: SourcingModel, handle: HighsModel, contracts: dict[int, float]) -> None:
    """Hold the `buy` columns of a HiGHS instance at `contracts` (position in the block -> value, 0 elsewhere):
    the model then prices those contracts, each scenario given its cheapest recourse."""
    _, at = model.column_block("buy")
    index = np.asarray(at, dtype=np.int32)
    value = np.array([contracts.get(k, 0.0) for k in range(len(at))], dtype=float)
    handle.highs.changeColsBounds(len(index), index, value, value)


def _optimum(data: PlanningData, fixed: dict[int, float] | None = None) -> tuple[float | None, np.ndarray | None]:
    """(objective, values of the `buy` columns) of the extensive form of `data`, with the `buy` columns at
    `fixed` (position in the block -> value) if given; (None, None) when it has no plan."""
    model = build(data)
    handle = HighsModel(model)
    _, at = model.column_block("buy")
    if fixed is not None:
        fix_contracts(model, handle, fixed)
    outcome = handle.solve(data.settings.time_limit, data.settings.mip_gap)
    if not outcome.has_plan or outcome.objective is None or handle.values is None:
        return None, None
    return float(outcome.objective), handle.values[at]


def foresight(data: PlanningData, objective: float) -> dict[str, object]:
    """{evpi, vss, wait_and_see, eev, notes} of the plan whose optimum is `objective` (see the module)."""
    found = scenario_set(data)
    w, alpha = data.settings.risk_weight, data.settings.cvar_alpha
    notes: list[str] = []
    alone = []
    for s, name in enumerate(found.names):
        if found.probability[s] <= 0:
            alone.append(0.0)
            continue
        value, _ = _optimum(with_scenarios(data, ScenarioSet((name,), np.ones(1), found.availability[s:s + 1])))
        alone.append(math.inf if value is None else value)
    costs = np.array(alone)
    wait_and_see = (1.0 - w) * float(found.probability @ costs) + w * cvar_of(costs, found.probability, alpha) \
        if np.isfinite(costs).all() else math.inf
    evpi = objective - wait_and_see if math.isfinite(wait_and_see) else None
    if evpi is None:
        notes.append("EVPI: some scenario has no plan even with perfect foresight")
    mean = ScenarioSet(("mean",), np.ones(1), (found.probability @ found.availability)[None, :])
    mean_data = with_scenarios(data, mean)
    value, values = _optimum(mean_data)
    eev = vss = None
    if value is not None and values is not None:
        contracts = {k: float(v) for k, v in enumerate(values)}
        eev, _ = _optimum(data, contracts)
        if eev is None:
            notes.append("VSS: the contracts of the mean scenario leave some scenario without a plan (demand that "
                         "cannot be met and no shortage allowed): the stochastic solution is worth more than any "
                         "number")
        else:
            vss = eev - objective
    else:
        notes.append("VSS: the mean scenario has no plan")
    return {"evpi": evpi, "vss": vss, "wait_and_see": wait_and_see if math.isfinite(wait_and_see) else None,
            "eev": eev, "notes": notes}
