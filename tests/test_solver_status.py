"""What the solver said, reported as it is: never `optimal` unless proven."""

from __future__ import annotations

import math

import pytest
from planner.solver import classify, relative_gap


def test_time_limit_with_incumbent_is_feasible_with_its_gap() -> None:
    status, message, gap = classify("kTimeLimit", True, 110.0, 100.0, True, 1e-4)
    assert status == "feasible"
    assert gap == pytest.approx(10 / 110)
    assert "time limit" in message and "not proven optimal" in message and "9.0909%" in message


def test_time_limit_without_plan_is_an_error() -> None:
    status, message, gap = classify("kTimeLimit", False, None, 90.0, True, 1e-4)
    assert (status, gap) == ("error", None)
    assert "before it found any plan" in message


def test_optimal_mip_states_the_gap() -> None:
    status, message, gap = classify("kOptimal", True, 100.0, 99.995, True, 1e-4)
    assert status == "optimal" and gap == pytest.approx(5e-5)
    assert "within the MIP gap setting (0.0001)" in message


@pytest.mark.parametrize("model_status, expected", [
    ("kInfeasible", "infeasible"),
    ("kUnboundedOrInfeasible", "infeasible"),
    ("kUnbounded", "unbounded"),
    ("kSolveError", "error"),
    ("kInterrupt", "error"),
])
def test_no_plan_outcomes(model_status: str, expected: str) -> None:
    assert classify(model_status, False, None, None, False, 1e-4)[0] == expected


def test_relative_gap() -> None:
    assert relative_gap(100.0, 100.0) == 0.0
    assert relative_gap(0.0, 0.0) == 0.0
    assert relative_gap(0.0, -1.0) == math.inf
    assert relative_gap(100.0, None) is None
