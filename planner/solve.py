"""Pyomo model -> HiGHS -> `SolverOutcome` (step 4 of the pipeline).

The status reported to the user is derived from what HiGHS said and nothing
else: `optimal` only when HiGHS proved optimality (within `mip_gap` for a
MIP), `feasible` when it stopped early (time limit, interruption) holding a
plan, and the gap is always stated.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

Status = Literal["optimal", "feasible", "infeasible", "unbounded", "error"]

_STOPPED_EARLY = {
    TerminationCondition.maxTimeLimit: "stopped at the time limit",
    TerminationCondition.iterationLimit: "stopped at an iteration limit",
    TerminationCondition.objectiveLimit: "stopped at an objective limit",
    TerminationCondition.interrupted: "was interrupted",
    TerminationCondition.minStepLength: "stopped: step too small",
}


@dataclass(frozen=True)
class SolverOutcome:
    status: Status
    termination: str  # HiGHS's termination, as Pyomo names it
    message: str  # what happened, in a sentence
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    is_mip: bool

    @property
    def has_plan(self) -> bool:
        return self.status in ("optimal", "feasible")


def versions() -> dict[str, str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "unknown"

    return {"planner": version("planner"), "pyomo": version("pyomo"), "highspy": version("highspy")}


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / |objective|, as HiGHS defines its MIP gap (0 when both are 0)."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    difference = abs(objective - bound)
    if difference <= 1e-12 * max(1.0, abs(objective)):
        return 0.0
    return difference / abs(objective) if objective != 0 else math.inf


def classify(termination: TerminationCondition, solution: SolutionStatus, objective: float | None,
             bound: float | None, is_mip: bool, mip_gap: float) -> tuple[Status, str, float | None]:
    """The planner's status, a sentence, and the gap, from what the solver reported."""
    has_solution = solution in (SolutionStatus.optimal, SolutionStatus.feasible) and objective is not None
    gap = relative_gap(objective, bound) if has_solution else None
    if termination == TerminationCondition.convergenceCriteriaSatisfied and has_solution:
        if is_mip:
            return "optimal", f"optimal within the MIP gap setting ({mip_gap:g}); gap reached {gap if gap is not None else 'n/a'}", gap
        return "optimal", "optimal", 0.0 if gap is None else gap
    if termination in (TerminationCondition.provenInfeasible, TerminationCondition.locallyInfeasible):
        return "infeasible", "the solver proved that the rules cannot all hold", None
    if termination == TerminationCondition.infeasibleOrUnbounded:
        # costs are >= 0 and purchases bounded below, so this model cannot be unbounded
        return "infeasible", "the solver found the rules infeasible (reported as infeasible or unbounded)", None
    if termination == TerminationCondition.unbounded:
        return "unbounded", "the solver reports the cost as unbounded below", None
    if termination in _STOPPED_EARLY:
        what = _STOPPED_EARLY[termination]
        if has_solution:
            gap_text = f"{gap:.4%}" if gap is not None else "unknown"
            return "feasible", f"the solver {what} with a feasible plan that is not proven optimal (gap {gap_text})", gap
        return "error", f"the solver {what} before it found any plan", None
    return "error", f"the solver ended with '{termination.name}' ({solution.name})", gap


def solve_model(model: pyo.ConcreteModel, time_limit: float = 60.0, mip_gap: float = 1e-4) -> SolverOutcome:
    """Solve with HiGHS (via highspy) and load the solution into the model if there is one."""
    is_mip = any(v.is_integer() or v.is_binary() for v in model.component_data_objects(pyo.Var, active=True))
    solver = Highs()
    started = time.perf_counter()
    results = solver.solve(
        model,
        tee=False,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        time_limit=time_limit,
        rel_gap=mip_gap,
    )
    seconds = time.perf_counter() - started
    objective = results.incumbent_objective
    bound = results.objective_bound
    status, message, gap = classify(results.termination_condition, results.solution_status,
                                    objective, bound, is_mip, mip_gap)
    if status in ("optimal", "feasible"):
        results.solution_loader.load_vars()
    return SolverOutcome(status, results.termination_condition.name, message,
                         objective if status in ("optimal", "feasible") else None,
                         bound, gap, seconds, is_mip)
