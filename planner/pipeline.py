"""The whole pipeline, step by step: workbook -> data -> model -> HiGHS -> plan.

Each step is a plain function that can be called alone; this module only
strings them together and records what happened for the Run sheet.
"""

from __future__ import annotations

import time
from pathlib import Path

import pyomo.environ as pyo

from planner.check import check_plan
from planner.data import PlanningData
from planner.model import create_model, structural_conflicts
from planner.problems import InputError, Problem, ProblemLog
from planner.results import Plan, build_plan, extract_plan
from planner.solve import solve_model, versions


def read(path: str | Path) -> tuple[PlanningData, list[Problem]]:
    """Read and validate a workbook: (data, warnings), or `InputError` listing every problem."""
    from planner.io.read import read_workbook  # openpyxl is only needed when reading a file
    from planner.validate import validate

    log = ProblemLog()
    raw = read_workbook(path, log)
    data = validate(raw, log) if raw is not None else None
    log.raise_if_errors()
    assert data is not None
    return data, log.warnings


def model_size(model: pyo.ConcreteModel) -> dict[str, int]:
    variables = list(model.component_data_objects(pyo.Var))
    return {
        "variables": len(variables),
        "binaries": sum(1 for v in variables if v.is_binary()),
        "constraints": sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True)),
    }


def solve(data: PlanningData) -> Plan:
    """Plan from validated data: returns a `Plan` whatever the outcome; `plan.status` says which."""
    started = time.perf_counter()
    run: dict[str, object] = {}
    if data.source is not None:
        run["input file"] = Path(data.source.path).name
        run["input SHA-256"] = data.source.sha256
    run.update({f"{name} version": v for name, v in versions().items()})
    run["problem type"] = "MIP" if data.is_mip else "LP"

    conflicts = structural_conflicts(data)
    if conflicts:
        plan = Plan(status="infeasible", message="the rules cannot all hold, whatever the plan", conflicts=conflicts)
        run.update({"status": plan.status, "solver said": "not called: conflicts found before solving"})
        plan.run = run
        return plan

    if not data.usable_offers:  # no variable at all: every demand is 0 (else a conflict above)
        plan = build_plan(data, {}, "optimal", "nothing to buy: every item's demand is 0")
        run.update({"status": plan.status, "solver said": "not called: the model has no variable"})
        plan.run = run
        return plan

    model = create_model(data)
    run.update(model_size(model))
    run["build seconds"] = time.perf_counter() - started
    outcome = solve_model(model, data.settings.time_limit, data.settings.mip_gap)
    plan = extract_plan(model, data, outcome)
    if plan.has_plan:
        violations = check_plan(data, plan.quantities, outcome.objective)
        if violations:
            plan = Plan(status="error", message="the solver's plan breaks rules of the input; it is not written: "
                        + "; ".join(violations[:5]), conflicts=violations)
    run.update({
        "status": plan.status,
        "solver said": f"{outcome.termination}: {outcome.message}",
        "objective": outcome.objective,
        "best bound": outcome.bound,
        "MIP gap": outcome.gap,
        "mip_gap setting": data.settings.mip_gap,
        "time_limit setting (seconds)": data.settings.time_limit,
        "solve seconds": outcome.seconds,
        "total seconds": time.perf_counter() - started,
    })
    plan.run = run
    return plan


__all__ = ["read", "solve", "InputError", "Plan"]
