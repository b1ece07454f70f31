"""Pyomo model -> HiGHS -> `SolverOutcome` (step 4 of the pipeline).

The model is compiled once into a row-wise sparse matrix with row and column
bounds (Pyomo's `generate_standard_repn` per row) and handed to highspy
(`HighsModel`). Keeping the HiGHS instance lets the
analysis re-solve the same model after changing row bounds (dropping a rule,
sweeping its value) without rebuilding it, read duals, ask HiGHS for an
irreducible infeasible subset, and add elastic columns.

The status reported to the user is derived from what HiGHS said and nothing
else: `optimal` only when HiGHS proved optimality (within `mip_gap` for a
MIP), `feasible` when it stopped early (time limit, interruption) holding a
plan, and the gap is always stated.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from typing import Literal

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.repn.standard_repn import generate_standard_repn

Status = Literal["optimal", "feasible", "infeasible", "unbounded", "error"]
Progress = Callable[..., None]  # (stage, elapsed seconds, MIP gap or None, done=False)
INF = highspy.kHighsInf
MS = highspy.HighsModelStatus

_STOPPED_EARLY = {
    "kTimeLimit": "stopped at the time limit",
    "kIterationLimit": "stopped at an iteration limit",
    "kObjectiveBound": "stopped at an objective bound",
    "kObjectiveTarget": "stopped at an objective target",
    "kSolutionLimit": "stopped at a solution limit",
    "kInterrupt": "was interrupted",
    "kMemoryLimit": "stopped at its memory limit",
}


@dataclass(frozen=True)
class SolverOutcome:
    status: Status
    termination: str  # HiGHS's model status, as HiGHS names it
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


def classify(model_status: str, has_solution: bool, objective: float | None, bound: float | None,
             is_mip: bool, mip_gap: float) -> tuple[Status, str, float | None]:
    """The planner's status, a sentence, and the gap, from what HiGHS reported.

    `model_status` is the name of HiGHS's `HighsModelStatus` (`kOptimal`, ...).
    """
    has_solution = has_solution and objective is not None
    gap = relative_gap(objective, bound) if has_solution else None
    if model_status == "kOptimal" and has_solution:
        if is_mip:
            return "optimal", f"optimal within the MIP gap setting ({mip_gap:g}); gap reached {gap if gap is not None else 'n/a'}", gap
        return "optimal", "optimal", 0.0 if gap is None else gap
    if model_status == "kInfeasible":
        return "infeasible", "the solver proved that the rules cannot all hold", None
    if model_status == "kUnboundedOrInfeasible":
        # costs are >= 0 and purchases bounded below, so this model cannot be unbounded
        return "infeasible", "the solver found the rules infeasible (reported as infeasible or unbounded)", None
    if model_status == "kUnbounded":
        return "unbounded", "the solver reports the cost as unbounded below", None
    if model_status in _STOPPED_EARLY:
        what = _STOPPED_EARLY[model_status]
        if has_solution:
            gap_text = f"{gap:.4%}" if gap is not None else "unknown"
            return "feasible", f"the solver {what} with a feasible plan that is not proven optimal (gap {gap_text})", gap
        return "error", f"the solver {what} before it found any plan", None
    return "error", f"the solver ended with '{model_status}'", gap


class HighsModel:
    """A Pyomo model compiled into one HiGHS instance, kept for re-solves.

    `rows[k]` is the Pyomo constraint behind HiGHS row k and `columns[j]` the
    variable behind column j, so anything HiGHS reports (values, duals, an
    IIS) maps back to the names of `models/formulation.md`.
    """

    def __init__(self, model: pyo.ConcreteModel) -> None:
        self.model = model
        self.columns: list[VarData] = []
        self.rows: list[ConstraintData] = []
        column_of: dict[int, int] = {}

        def column(var: VarData) -> int:
            j = column_of.get(id(var))
            if j is None:
                j = column_of[id(var)] = len(self.columns)
                self.columns.append(var)
            return j

        # Columns in declaration order, so HiGHS sees the model as written.
        for var in model.component_data_objects(pyo.Var, active=True, descend_into=True, sort=False):
            column(var)
        starts: list[int] = [0]
        indices: list[int] = []
        values: list[float] = []
        lower: list[float] = []
        upper: list[float] = []
        # Coefficients and constants that depend on mutable parameters, kept as
        # expressions so that `refresh` can re-evaluate them after an update.
        self._row_terms: list[tuple[int, int, object]] = []
        self._row_constants: dict[int, object] = {}
        for k, con in enumerate(model.component_data_objects(pyo.Constraint, active=True, descend_into=True,
                                                             sort=False)):
            repn = generate_standard_repn(con.body, compute_values=False, quadratic=False)
            if repn.nonlinear_expr is not None:
                raise ValueError(f"{con.name} is not linear")
            constant = repn.constant
            if not isinstance(constant, (int, float)):
                self._row_constants[k] = constant
            for var, coef in zip(repn.linear_vars, repn.linear_coefs):
                j = column(var)
                if not isinstance(coef, (int, float)):
                    self._row_terms.append((len(indices), j, coef))
                indices.append(j)
                values.append(float(pyo.value(coef)))
            starts.append(len(indices))
            constant_value = float(pyo.value(constant))
            lower.append(-INF if con.lb is None else float(con.lb) - constant_value)
            upper.append(INF if con.ub is None else float(con.ub) - constant_value)
            self.rows.append(con)
        (objective,) = list(model.component_data_objects(pyo.Objective, active=True))
        if objective.sense != pyo.minimize:
            raise ValueError("the planner's models minimise cost")
        obj = generate_standard_repn(objective.expr, compute_values=False, quadratic=False)
        self._objective_terms = [(column(var), coef) for var, coef in zip(obj.linear_vars, obj.linear_coefs)]
        self._objective_constant = obj.constant
        n, m = len(self.columns), len(self.rows)
        self.cost = self._evaluate_cost()
        self.offset = float(pyo.value(obj.constant))
        self.row_lower, self.row_upper = np.array(lower, dtype=float), np.array(upper, dtype=float)
        self.col_lower, self.col_upper = self._evaluate_col_bounds()
        self.is_mip = any(v.is_integer() or v.is_binary() for v in self.columns)
        self._starts = np.array(starts, dtype=np.int64)

        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = self.cost
        lp.offset_ = self.offset
        lp.col_lower_, lp.col_upper_ = self.col_lower, self.col_upper
        lp.row_lower_, lp.row_upper_ = self.row_lower, self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=float)
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
        if self.is_mip:
            lp.integrality_ = [highspy.HighsVarType.kInteger if (v.is_integer() or v.is_binary())
                               else highspy.HighsVarType.kContinuous for v in self.columns]
        self.highs = highspy.Highs()
        self.highs.silent()
        self.highs.passModel(lp)
        self.highs.HandleUserInterrupt = True  # so that cancelSolve (on Ctrl-C) stops HiGHS at its next check

    def _evaluate_cost(self) -> np.ndarray:
        cost = np.zeros(len(self.columns))
        for j, coef in self._objective_terms:
            cost[j] += float(pyo.value(coef))
        return cost

    def _evaluate_col_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lower = np.array([-INF if v.lb is None else v.lb for v in self.columns], dtype=float)
        upper = np.array([INF if v.ub is None else v.ub for v in self.columns], dtype=float)
        return lower, upper

    def refresh(self) -> None:
        """Push the model's current parameter values into HiGHS: costs, bounds, right-hand sides and the
        coefficients that depend on parameters. The model's shape must not have changed."""
        h = self.highs
        n, m = len(self.columns), len(self.rows)
        self.cost = self._evaluate_cost()
        self.offset = float(pyo.value(self._objective_constant))
        self.col_lower, self.col_upper = self._evaluate_col_bounds()
        lower, upper = np.empty(m), np.empty(m)
        for k, con in enumerate(self.rows):
            constant = float(pyo.value(self._row_constants[k])) if k in self._row_constants else 0.0
            lower[k] = -INF if con.lb is None else float(con.lb) - constant
            upper[k] = INF if con.ub is None else float(con.ub) - constant
        self.row_lower, self.row_upper = lower, upper
        columns = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, columns, self.cost)
        h.changeObjectiveOffset(self.offset)
        h.changeColsBounds(n, columns, self.col_lower, self.col_upper)
        if m:
            h.changeRowsBounds(m, np.arange(m, dtype=np.int32), lower, upper)
        for position, j, coef in self._row_terms:
            row = int(np.searchsorted(self._starts, position, side="right") - 1)
            h.changeCoeff(row, j, float(pyo.value(coef)))

    def solve(self, time_limit: float = 60.0, mip_gap: float = 1e-4, progress: Progress | None = None,
              stage: str = "solving") -> SolverOutcome:
        """Run HiGHS on the current bounds and load any plan into the Pyomo variables.

        `progress(stage, elapsed seconds, MIP gap or None)` is called about
        four times a second while HiGHS runs, and `progress(..., done=True)`
        at the end.
        """
        h = self.highs
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        started = time.perf_counter()
        self._run(progress, stage, started)
        seconds = time.perf_counter() - started
        if h.getModelStatus() == MS.kInterrupt:
            raise KeyboardInterrupt
        info = h.getInfo()
        status_name = h.getModelStatus().name
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        objective = info.objective_function_value if has_solution else None
        bound = info.mip_dual_bound if self.is_mip else objective
        status, message, gap = classify(status_name, has_solution, objective, bound, self.is_mip, mip_gap)
        if status in ("optimal", "feasible"):
            values = h.getSolution().col_value
            for var, value in zip(self.columns, values):
                var.set_value(value, skip_validation=True)
        return SolverOutcome(status, status_name, message, objective if status in ("optimal", "feasible") else None,
                             bound if math.isfinite(bound or 0.0) else None, gap, seconds, self.is_mip)

    def relax_integrality(self) -> None:
        """Make every integer column continuous (the LP relaxation); not undone."""
        n = len(self.columns)
        if n and self.is_mip:
            self.highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                                             np.array([highspy.HighsVarType.kContinuous] * n))
        self.is_mip = False

    def _run(self, progress: Progress | None, stage: str, started: float) -> None:
        """HiGHS in its own thread, watched from here: Ctrl-C cancels it cleanly and is re-raised."""
        h = self.highs
        gap: list[float | None] = [None]

        def on_solution(event: object) -> None:
            gap[0] = float(event.data_out.mip_gap)  # type: ignore[attr-defined]

        if progress is not None:
            h.cbMipImprovingSolution.subscribe(on_solution)
            h.cbMipLogging.subscribe(on_solution)
        try:
            h.startSolve()
            while not h.wait(0.1)[0]:
                if progress is not None:
                    progress(stage, time.perf_counter() - started, gap[0])
        except KeyboardInterrupt:
            h.cancelSolve()
            h.wait()
            raise
        finally:
            if progress is not None:
                h.cbMipImprovingSolution.unsubscribe(on_solution)
                h.cbMipLogging.unsubscribe(on_solution)
                progress(stage, time.perf_counter() - started, gap[0], done=True)

    def row_duals(self) -> np.ndarray:
        """d(objective)/d(right-hand side) of each row at the last LP optimum."""
        return np.asarray(self.highs.getSolution().row_dual, dtype=float)

    def row_activity(self) -> np.ndarray:
        return np.asarray(self.highs.getSolution().row_value, dtype=float)

    @contextmanager
    def relaxed(self, rows: list[int]) -> Iterator[None]:
        """Drop the given rows (bounds -inf..inf) for the duration of the block."""
        if rows:
            idx = np.array(rows, dtype=np.int32)
            self.highs.changeRowsBounds(len(idx), idx, np.full(len(idx), -INF), np.full(len(idx), INF))
        try:
            yield
        finally:
            if rows:
                self.highs.changeRowsBounds(len(idx), idx, self.row_lower[idx], self.row_upper[idx])


def solve_model(model: pyo.ConcreteModel, time_limit: float = 60.0, mip_gap: float = 1e-4) -> SolverOutcome:
    """Compile, solve with HiGHS, and load the solution into the model if there is one."""
    return HighsModel(model).solve(time_limit, mip_gap)
