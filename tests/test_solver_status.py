"""What the solver said, reported as it is: never `optimal` unless proven."""

from __future__ import annotations

import math

import pytest
from pyomo.contrib.solver.common.results import SolutionStatus as S
from pyomo.contrib.solver.common.results import TerminationCondition as T

from planner.solve import classify, relative_gap


def test_time_limit_with_incumbent_is_feasible_with_its_gap() -> None:
    status, message, gap = classify(T.maxTimeLimit, S.feasible, 110.0, 100.0, True, 1e-4)
    assert status == "feasible"
    assert gap == pytest.approx(10 / 110)
    assert "time limit" in message and "not proven optimal" in message and "9.0909%" in message


def test_time_limit_without_plan_is_an_error() -> None:
    status, message, gap = classify(T.maxTimeLimit, S.noSolution, None, 90.0, True, 1e-4)
    assert (status, gap) == ("error", None)
    assert "before it found any plan" in message


def test_optimal_mip_states_the_gap() -> None:
    status, message, gap = classify(T.convergenceCriteriaSatisfied, S.optimal, 100.0, 99.995, True, 1e-4)
    assert status == "optimal" and gap == pytest.approx(5e-5)
    assert "within the MIP gap setting (0.0001)" in message


@pytest.mark.parametrize("termination, expected", [
    (T.provenInfeasible, "infeasible"),
    (T.infeasibleOrUnbounded, "infeasible"),
    (T.unbounded, "unbounded"),
    (T.error, "error"),
    (T.interrupted, "error"),
])
def test_no_plan_outcomes(termination: T, expected: str) -> None:
    assert classify(termination, S.noSolution, None, None, False, 1e-4)[0] == expected


def test_relative_gap() -> None:
    assert relative_gap(100.0, 100.0) == 0.0
    assert relative_gap(0.0, 0.0) == 0.0
    assert relative_gap(0.0, -1.0) == math.inf
    assert relative_gap(100.0, None) is None
