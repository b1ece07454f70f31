"""Sourcing planner: least landed cost under diversification, sanction and disruption rules.

Data in, data out::

    import planner
    data, warnings = planner.read("inputs/example.xlsx")
    plan = planner.solve(data)          # a Plan: status, total_cost, tables as DataFrames
    planner.write_plan(plan, "outputs/plan.xlsx")

The steps behind `solve` can each be called alone: `planner.model.create_model`,
`planner.solve.solve_model`, `planner.results.extract_plan`.
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
from planner.pipeline import read, solve
from planner.problems import InputError, Problem
from planner.results import Plan

__version__ = "0.1.0"


def write_plan(plan: Plan, path: str | Path, currency: str = "EUR") -> None:
    """Write a plan workbook atomically."""
    from planner.io.write_plan import write_plan as _write

    _write(plan, Path(path), currency)


__all__ = [
    "Country", "Group", "GroupSpec", "InputError", "Item", "Offer", "Plan", "PlanningData", "Problem",
    "Rule", "ScenarioHit", "Settings", "Supplier", "read", "solve", "write_plan", "__version__",
]
