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

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Names are imported on first use (PEP 562), so that `import planner.cli` is light: the console command
# installs its signal handlers before pandas, numpy and HiGHS load, and `planner --version` loads none of them.
_EXPORTS: dict[str, str] = {
    **{name: "planner.data" for name in (
        "Country", "Group", "GroupSpec", "Item", "Offer", "PlanningData", "Rule", "ScenarioHit", "Settings",
        "Supplier")},
    **{name: "planner.diff" for name in ("PlanDiff", "PlanTables", "diff_plans")},
    "from_frames": "planner.frames",
    **{name: "planner.pipeline" for name in (
        "ModelCache", "apply_changes", "frontier", "load", "read", "solve", "solve_elastic")},
    **{name: "planner.problems" for name in ("InputError", "Problem", "ProblemLog")},
    "Plan": "planner.results",
}

if TYPE_CHECKING:
    from planner.data import (Country, Group, GroupSpec, Item, Offer, PlanningData, Rule, ScenarioHit, Settings,
                              Supplier)
    from planner.diff import PlanDiff, PlanTables, diff_plans
    from planner.frames import from_frames
    from planner.pipeline import ModelCache, apply_changes, frontier, load, read, solve, solve_elastic
    from planner.problems import InputError, Problem, ProblemLog
    from planner.results import Plan


def __getattr__(name: str) -> Any:
    """An exported name or a submodule (`planner.model`, `planner.solver`, ...), imported when first asked for."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        try:
            value = importlib.import_module(f"planner.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"planner.{name}":
                raise
            raise AttributeError(f"module 'planner' has no attribute '{name}'") from None
    globals()[name] = value
    return value


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
    from planner.problems import ProblemLog

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
