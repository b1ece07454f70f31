"""Sourcing planner: least landed cost under diversification, sanction and disruption rules.

Data in, data out::

    import planner
    data, warnings = planner.read("inputs/example.xlsx")     # or planner.from_frames(items=..., ...)
    data, more = planner.apply_changes(data, ["prices.csv"], ["Policy!7=0.3"])
    plan = planner.solve(data)          # a Plan: status, total_cost, tables as DataFrames
    planner.write_plan(plan, "outputs/plan.xlsx", data=data)

The steps behind `solve` can each be called alone::

    model = planner.model.build(data)               # plain arrays, one block per family
    handle = planner.solver.HighsModel(model)        # handed to HiGHS
    outcome = handle.solve()
    plan = planner.results.extract_plan(model, handle.values, data, outcome)

`planner.model.create_model(data)` gives the same model as Pyomo components,
and `planner.model.from_pyomo` takes a (possibly extended) Pyomo model back.
No solver object is part of a `Plan`.
"""

from __future__ import annotations

from pathlib import Path

from planner.data import (
    Country,
    Group,
    GroupSpec,
    Item,
    Offer,
    PlanningData,
    Rule,
    ScenarioHit,
    Settings,
    Supplier,
)
from planner.diff import PlanDiff, PlanTables, diff_plans
from planner.frames import from_frames
from planner.pipeline import ModelCache, apply_changes, frontier, load, read, solve, solve_elastic
from planner.problems import InputError, Problem, ProblemLog
from planner.results import Plan

__version__ = "0.1.0"


def write_plan(plan: Plan, path: str | Path, currency: str | None = None, data: PlanningData | None = None,
               timings: bool = False) -> None:
    """Write a plan workbook atomically; the same plan gives the same bytes (unless `timings`).

    With `data`, the currency comes from its settings and the Shares sheet
    shows each cap.
    """
    from planner.io.write_plan import write_plan as _write

    chosen = currency or (data.settings.currency if data is not None else "EUR")
    _write(plan, Path(path), chosen, data, timings)


def read_plan(path: str | Path) -> PlanTables:
    """A plan workbook's purchase lines and fixed costs, for `diff_plans`; `InputError` if it is not one."""
    from planner.io.read_plan import read_plan as _read

    log = ProblemLog()
    tables = _read(path, log)
    log.raise_if_errors()
    assert tables is not None
    return tables


__all__ = [
    "Country", "Group", "GroupSpec", "InputError", "Item", "ModelCache", "Offer", "Plan", "PlanDiff", "PlanTables",
    "PlanningData", "Problem", "Rule", "ScenarioHit", "Settings", "Supplier", "apply_changes", "diff_plans",
    "from_frames", "frontier", "load", "read", "read_plan", "solve", "solve_elastic", "write_plan", "__version__",
]
