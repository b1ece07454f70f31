"""The fast build (`planner.model.build`, whole-array families) gives the straightforward path's model and optimum.

The straightforward path is the formulation written as Pyomo rules
(`tests/reference_model.py`), compiled row by row by Pyomo and solved by
Pyomo's own HiGHS interface (`appsi_highs`). Every model the suite builds
through the pipeline is compared row for row in `conftest.py`; here larger
and harder instances are compared as well, optimum included.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest

import planner
import reference_model
from fast_path import assert_same_model
from instances import facility_mip, large_lp
from planner.model import build
from planner.solver import HighsModel

ROOT = Path(__file__).resolve().parents[1]


def straightforward_optimum(data: planner.PlanningData, mip_gap: float = 0.0) -> float:
    model = reference_model.create_model(data)
    solver = pyo.SolverFactory("appsi_highs")
    solver.config.mip_gap = mip_gap
    result = solver.solve(model)
    assert str(result.solver.termination_condition) == "optimal"
    return float(pyo.value(model.component("Total-cost")))


def fast_optimum(data: planner.PlanningData, mip_gap: float = 0.0) -> float:
    outcome = HighsModel(build(data)).solve(120, mip_gap)
    assert outcome.status == "optimal", outcome.message
    assert outcome.objective is not None
    return outcome.objective


def test_large_lp(tmp_path: Path) -> None:
    """8,000 offers, a scenario: same rows and the same optimum."""
    data, _ = planner.read(large_lp(tmp_path / "lp.xlsx"))
    assert len(data.offers) == 8000
    assert_same_model(data)
    assert fast_optimum(data) == pytest.approx(straightforward_optimum(data), rel=1e-9)


def test_facility_mip(tmp_path: Path) -> None:
    """Fixed costs, supplier capacities and an each-country cap, solved to a zero gap both ways."""
    data, _ = planner.read(facility_mip(tmp_path / "mip.xlsx", items=30, suppliers=12, per_item=6))
    assert data.is_mip
    assert_same_model(data)
    assert fast_optimum(data) == pytest.approx(straightforward_optimum(data), rel=1e-9)


def test_example_in_both_views() -> None:
    """The bundled example: exclusions, bloc minimums, coverage; the plan view and the diagnose view."""
    data, _ = planner.read(ROOT / "inputs" / "example.xlsx")
    assert_same_model(data, "plan")
    assert_same_model(data, "diagnose")
    assert fast_optimum(data) == pytest.approx(straightforward_optimum(data), rel=1e-9)


def test_benchmark_instance() -> None:
    """The benchmark's own instance (bench/instance.py) at 10,000 offers."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from instance import arrays, planning_data
    finally:
        sys.path.remove(str(ROOT / "bench"))
    data = planning_data(arrays(10_000))
    assert_same_model(data)
    assert fast_optimum(data) == pytest.approx(straightforward_optimum(data), rel=1e-9)
