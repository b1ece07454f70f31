"""mpi-sppy's subproblem solver for the planner's scenario models: one highspy instance per scenario, built
from the planner's own scenario matrix, that only changes what progressive hedging changes.

Each PH iteration solves every scenario's model with a new objective, and the spokes solve it again with
the first stage fixed or the proximal term off. Through Pyomo's persistent interface each of those solves
spent ~0.15 s re-reading the objective's mutable coefficients (W, xbar, rho) around a HiGHS solve of
~0.03 s (1k offers; `bench/results/decomposition.md`). This plugin reads the same numbers straight from
mpi-sppy's parameters and hands HiGHS only what changed. mpi-sppy's objective is

    f_s(x, y) + W_on * sum_j W_j x_j + prox_on * sum_j rho_j / 2 (x_j^2 - 2 xbar_j x_j + xbar_j^2)

and over the scenario's columns (c the planner's cost vector, j over the first-stage columns) HiGHS gets

    cost c + W_on W on the first-stage columns, and with the proximal term on, per first-stage column:
    - a binary (x^2 = x; mpi-sppy's linearize_binary_proximal_terms, which the engine sets):
      rho_j / 2 - rho_j xbar_j on x_j, offset rho_j / 2 xbar_j^2;
    - where mpi-sppy linearises the term (with integer first-stage columns: no quadratic MIP in HiGHS): its
      column xsqvar_j for x_j^2 at rho_j / 2, -rho_j xbar_j on x_j, the offset, and its tangent cut rows
      as it adds them (`add_constraint`);
    - exact (`proximal="exact"`, the default `DEFAULT_PROXIMAL`): rho_j on the Hessian's diagonal,
      -rho_j xbar_j on x_j, the offset (a convex QP);
    - tangents (`proximal="tangents"`, for a column with a finite range; `_Tangents`): the term
      under-estimated by 17 fixed tangent rows in d_j = x_j - xbar_j, an LP whose rows never change
      (twice as fast, 14x the memory);

and a first-stage variable mpi-sppy fixes (the xhat spoke, the hub's own pricing) becomes equal column
bounds. The planner's rows are passed once and never rebuilt: an LP re-solve starts from the last basis.

mpi-sppy keeps evaluating its objective itself (`Eobjective`, for every candidate first stage); for the
scenarios this plugin solves that comes from the arrays (`objective_value`, `_fast_eobjective`). The first
solve of each scenario with each combination of W and the proximal term on or off compares HiGHS's optimum
and the arrays' objective with Pyomo's expression at the loaded values and stops the run if they differ
(HiGHS's may be below where the tangents under-estimate), so a change in how mpi-sppy builds its objective
cannot go unnoticed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from planner.highs import new_highs
from planner.model import SourcingModel

NAME = "planner_highs"  # the name mpi-sppy's cfg.solver_name takes
OPTION_NAMES = {"mipgap": "mip_rel_gap"}  # mpi-sppy's solver-neutral option names, as HiGHS calls them (mpi-sppy
# translates them for solver names it knows; this one it does not)
ATTRIBUTE = "_planner_matrix"  # where the scenario's Pyomo model carries its `ScenarioMatrix`
CHECK_TOL = 1e-6  # relative: HiGHS's objective against Pyomo's expression at the loaded values
PROXIMAL = frozenset({"tangents", "exact"})
# the default for a continuous column with a finite range: "exact" (a QP, ~1.1 MB of HiGHS per scenario);
# "tangents" made PH's subproblems LPs twice as fast at 100 scenarios x 1k offers, but each instance holds
# 17 rows per contract: ~16 MB per scenario, 20.5 GB on one rank at 1,000 scenarios, and a 2-rank run on the
# 24 GB machine was killed for memory (bench/results/decomposition.md)
DEFAULT_PROXIMAL = "exact"
TANGENT_HALVINGS = 7  # tangent points at d = 0, +-span, +-span/2, ..., +-span/2^7: 17 per column
EXACT, TANGENTS = -1, -2  # `_square` codes: the Hessian's diagonal, the plugin's tangent rows


@dataclass
class ScenarioMatrix:
    """What the plugin needs of one scenario: its planner model and its Pyomo variables in column order (the
    Pyomo model is `to_pyomo(model)`, so column j of the model is `columns[j]`)."""

    model: SourcingModel
    columns: list[Any]
    proximal: str = DEFAULT_PROXIMAL  # how an exact proximal term of a continuous column is solved: "tangents" or "exact"


def attach(m: Any, model: SourcingModel, columns: list[Any], proximal: str | None = None) -> None:
    """Give the Pyomo model `m` (= `to_pyomo(model)`) the matrix this plugin solves."""
    proximal = DEFAULT_PROXIMAL if proximal is None else proximal
    if proximal not in PROXIMAL:
        raise ValueError(f"proximal must be one of {sorted(PROXIMAL)}, not {proximal!r}")
    setattr(m, ATTRIBUTE, ScenarioMatrix(model, columns, proximal))


def _termination(status: highspy.HighsModelStatus) -> tuple[Any, Any, Any]:
    from pyomo.opt import SolutionStatus, SolverStatus, TerminationCondition as TC

    name = status.name
    if name == "kOptimal":
        return SolverStatus.ok, TC.optimal, SolutionStatus.optimal
    if name == "kInfeasible":
        return SolverStatus.warning, TC.infeasible, SolutionStatus.infeasible
    if name == "kUnboundedOrInfeasible":
        return SolverStatus.warning, TC.infeasibleOrUnbounded, SolutionStatus.unsure
    if name == "kUnbounded":
        return SolverStatus.warning, TC.unbounded, SolutionStatus.unbounded
    if name == "kTimeLimit":
        return SolverStatus.aborted, TC.maxTimeLimit, SolutionStatus.feasible
    if name == "kIterationLimit":
        return SolverStatus.aborted, TC.maxIterations, SolutionStatus.feasible
    if name == "kInterrupt":
        return SolverStatus.aborted, TC.userInterrupt, SolutionStatus.feasible
    return SolverStatus.error, TC.error, SolutionStatus.unknown


@dataclass
class _Tangents:
    """A proximal term rho_j / 2 (x_j - xbar_j)^2 under-estimated by tangents on a fixed grid, as LP rows:
        Prox-link[j]:     x_j - d_j = xbar_j                       (d_j free; xbar_j changes per solve)
        Prox-tangent[j,k]: t_j - rho_j a_jk d_j >= -rho_j a_jk^2 / 2 (t_j >= 0, cost 1 with the term on)
    at a_jk in {0, +-span_j, +-span_j / 2, ..., +-span_j / 2^TANGENT_HALVINGS}, span_j = the column's range
    (x_j and xbar_j both lie in it, so |d_j| <= span_j). The rows do not depend on xbar, so they are
    added once and an LP re-solve starts from the last basis; the error is at most rho_j / 8 times the
    squared spacing around d_j: rho_j span_j^2 / 2^(2 TANGENT_HALVINGS + 5) near consensus."""

    d: np.ndarray  # HiGHS columns
    t: np.ndarray
    link: np.ndarray  # HiGHS rows
    first_cut: int
    points: np.ndarray  # (columns, points): a_jk
    rho: np.ndarray

    @staticmethod
    def add(h: highspy.Highs, columns: np.ndarray, span: np.ndarray, rho: np.ndarray) -> _Tangents:
        inf = highspy.kHighsInf
        n, count = len(columns), h.getNumCol()
        none = (0, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        h.addCols(n, np.zeros(n), np.full(n, -inf), np.full(n, inf), *none)
        h.addCols(n, np.zeros(n), np.zeros(n), np.full(n, inf), *none)
        d = count + np.arange(n, dtype=np.int32)
        t = count + n + np.arange(n, dtype=np.int32)
        rows = h.getNumRow()
        h.addRows(n, np.zeros(n), np.zeros(n), 2 * n, (2 * np.arange(n)).astype(np.int32),
                  np.stack([columns, d], 1).ravel().astype(np.int32), np.tile([1.0, -1.0], n))
        link = rows + np.arange(n, dtype=np.int32)
        halves = np.concatenate([[0.0], 0.5 ** np.arange(TANGENT_HALVINGS + 1)])
        steps = np.concatenate([halves, -halves[1:]])
        points = span[:, None] * steps[None, :]
        g = points.shape[1]
        cuts = n * g
        h.addRows(cuts, (-np.repeat(rho, g) * points.ravel() ** 2 / 2.0), np.full(cuts, inf), 2 * cuts,
                  (2 * np.arange(cuts)).astype(np.int32),
                  np.stack([np.repeat(t, g), np.repeat(d, g)], 1).ravel().astype(np.int32),
                  np.stack([np.ones(cuts), -np.repeat(rho, g) * points.ravel()], 1).ravel())
        return _Tangents(d, t, link, rows + n, points, rho.copy())

    def set_rho(self, h: highspy.Highs, rho: np.ndarray) -> None:
        g = self.points.shape[1]
        for j in np.flatnonzero(rho != self.rho):
            for k in range(g):
                a = float(self.points[j, k])
                row = self.first_cut + j * g + k
                h.changeCoeff(row, int(self.d[j]), -float(rho[j]) * a)
                h.changeRowBounds(row, -float(rho[j]) * a * a / 2.0, highspy.kHighsInf)
        self.rho = rho.copy()


def plugin_class() -> type:
    """The plugin, a Pyomo persistent solver as mpi-sppy expects (`set_instance`, `set_objective`, `update_var`,
    `solve`, `load_vars`); defined on first use so that importing this module needs no Pyomo."""
    from pyomo.solvers.plugins.solvers.persistent_solver import PersistentSolver

    class HighsSubproblem(PersistentSolver):
        """One highspy instance for one scenario's model (the module's docstring)."""

        def __init__(self, **kwds: Any) -> None:
            kwds.setdefault("type", NAME)
            super().__init__(**kwds)
            self._python_api_exists = True
            self._capabilities.linear = True
            self._capabilities.quadratic_objective = True  # convex: PH's proximal term
            self._highs: highspy.Highs | None = None
            self._matrix: ScenarioMatrix | None = None
            self._values: np.ndarray | None = None
            self._checked: set[tuple[bool, bool]] = set()
            self._params: list[tuple[Any, Any, Any]] | None = None
            self._pending: tuple[bool, bool, float, bool] | None = None

        # --- what mpi-sppy calls -----------------------------------------------------------------------------

        def available(self, exception_flag: bool = True) -> bool:
            return True

        def set_instance(self, model: Any, **kwds: Any) -> None:
            """The scenario's matrix into HiGHS, and mpi-sppy's proximal cuts (`xsqvar`, `xsqvar_cuts`) when it
            linearises the proximal term; called again by mpi-sppy once it has put the PH terms in."""
            matrix = getattr(model, ATTRIBUTE, None)
            if matrix is None:
                raise ValueError(f"{NAME} solves the planner's scenario models only (no {ATTRIBUTE} on {model.name})")
            self._pyomo_model = model
            self._matrix = matrix
            sm = matrix.model
            start, column, coef = sm.matrix
            ph = getattr(model, "_mpisppy_model", None)
            squares = getattr(ph, "xsqvar", None)  # mpi-sppy's x_j^2 stand-ins, when the term is linearised
            self._nonants: list[tuple[Any, Any]] = list(model._mpisppy_data.nonant_indices.items())
            extra = [squares[key] for key, v in self._nonants if squares is not None and not v.is_binary()]
            self._columns = list(matrix.columns) + extra
            self._cost = np.concatenate([np.asarray(sm.cost, dtype=float), np.zeros(len(extra))])
            self._lower = np.concatenate([np.asarray(sm.col_lower, dtype=float), np.zeros(len(extra))])
            self._upper = np.concatenate([np.asarray(sm.col_upper, dtype=float), np.full(len(extra), highspy.kHighsInf)])
            self._integer = np.concatenate([np.asarray(sm.integer, dtype=bool), np.zeros(len(extra), dtype=bool)])
            h = new_highs()
            status = h.passModel(
                sm.num_columns, sm.num_rows, len(coef), highspy.MatrixFormat.kRowwise.value,
                highspy.ObjSense.kMinimize.value, 0.0, self._cost[:sm.num_columns], self._lower[:sm.num_columns],
                self._upper[:sm.num_columns], np.asarray(sm.row_lower, dtype=float),
                np.asarray(sm.row_upper, dtype=float), start.astype(np.int32), np.asarray(column, dtype=np.int32),
                coef, np.where(self._integer[:sm.num_columns], 1, 0).astype(np.int32))
            if status == highspy.HighsStatus.kError:
                raise ValueError(f"HiGHS refused scenario model {model.name}")
            if extra:
                h.addCols(len(extra), np.zeros(len(extra)), np.zeros(len(extra)),
                          np.full(len(extra), highspy.kHighsInf), 0, np.zeros(0, dtype=np.int32),
                          np.zeros(0, dtype=np.int32), np.zeros(0))
            self._highs = h
            self._position = {id(v): j for j, v in enumerate(self._columns)}
            try:
                self._first = np.array([self._position[id(v)] for _, v in self._nonants], dtype=np.int32)
                # per first-stage column, the column that stands for its square in the proximal term: its own
                # for a binary (x^2 = x: mpi-sppy's linearize_binary_proximal_terms, which the engine sets),
                # mpi-sppy's xsqvar where the term is linearised, -1 where it is exact (the Hessian's diagonal)
                # tangents need a finite range to lay their grid on (|x_j - xbar_j| <= the column's range)
                ranged = (np.isfinite(self._upper - self._lower) & (self._upper > self._lower)).tolist()
                unsquared = TANGENTS if matrix.proximal == "tangents" else EXACT
                self._square = np.array(
                    [self._position[id(v)] if v.is_binary()
                     else self._position[id(squares[key])] if squares is not None
                     else unsquared if ranged[self._position[id(v)]] else EXACT
                     for key, v in self._nonants], dtype=np.int32)
            except KeyError as exc:
                raise ValueError(f"a first-stage variable of {model.name} is not a column of its matrix") from exc
            self._bounds_at = (self._lower[self._first].copy(), self._upper[self._first].copy())
            self._hessian_on = False
            self._tangents: _Tangents | None = None
            self._params = None
            self._checked.clear()
            self._solver_model = h
            cuts = getattr(ph, "xsqvar_cuts", None)
            if cuts is not None:
                for cut in cuts.values():
                    self.add_constraint(cut)

        def has_instance(self) -> bool:
            return self._highs is not None

        def set_objective(self, obj: Any) -> None:
            """Nothing to compile: the objective's PH terms are read from mpi-sppy's parameters at each solve."""

        def update_var(self, var: Any) -> None:
            """Fixing is read at each solve (`_push_bounds`)."""

        def add_constraint(self, con: Any) -> None:
            """A linear row on the model's columns: mpi-sppy's tangent cuts of the proximal term's squares
            (`xsqvar[j] - 2 a x_j >= -a^2`) as it adds them."""
            from pyomo.repn.standard_repn import generate_standard_repn

            repn = generate_standard_repn(con.body, quadratic=False)
            if repn.nonlinear_expr is not None:
                raise ValueError(f"{NAME}: {con.name} is not linear")
            try:
                index = np.array([self._position[id(v)] for v in repn.linear_vars], dtype=np.int32)
            except KeyError as exc:
                raise NotImplementedError(f"{NAME}: {con.name} has a variable outside the scenario's columns") from exc
            constant = float(repn.constant)
            lower = -highspy.kHighsInf if con.lower is None else float(con.lower) - constant
            upper = highspy.kHighsInf if con.upper is None else float(con.upper) - constant
            self._highs.addRow(lower, upper, len(index), index, np.array(repn.linear_coefs, dtype=float))

        def add_var(self, var: Any) -> None:
            raise NotImplementedError(f"{NAME} does not take variables beyond the scenario's columns")

        def solve(self, *args: Any, **kwds: Any) -> Any:
            from pyomo.opt import SolverResults
            from pyomo.opt.results.solution import Solution

            if self._highs is None:
                self.set_instance(args[0])
            h = self._highs
            for key, value in self.options.items():
                key = OPTION_NAMES.get(str(key), str(key))
                if h.setOptionValue(key, value) == highspy.HighsStatus.kError:
                    raise ValueError(f"HiGHS has no option {key!r} (value {value!r})")
            w_on, prox_on = self._push_objective()
            self._push_bounds()
            h.run()
            status = h.getModelStatus()
            info = h.getInfo()
            results = SolverResults()
            results.solver.name = NAME
            results.solver.status, results.solver.termination_condition, solution_status = _termination(status)
            self._values, self._pending = None, None
            if info.primal_solution_status == 2:  # a feasible point
                self._values = np.asarray(h.getSolution().col_value, dtype=float)[:len(self._columns)]
                solved = float(info.objective_function_value)
                # with the tangents in, HiGHS minimised an under-estimate of the proximal term: its optimum
                # bounds the subproblem's from below, the plan's exact objective from above
                objective = self._objective_at(self._values)
                if self._integer.any():  # HiGHS's bound: a MIP stops within mip_rel_gap
                    results.problem.lower_bound = float(info.mip_dual_bound)
                else:
                    results.problem.lower_bound = solved if status.name == "kOptimal" else -math.inf
                results.problem.upper_bound = objective
                solution = Solution()
                solution.status = solution_status
                results.solution.insert(solution)
                if status.name == "kOptimal" and (w_on, prox_on) not in self._checked:
                    approximate = prox_on and bool((self._square == TANGENTS).any())
                    # checked once the values are in the Pyomo model
                    self._pending = (w_on, prox_on, solved, approximate)
                if kwds.get("load_solutions", True):
                    self.load_vars()
            return results

        def load_vars(self, vars_to_load: Any = None) -> None:
            if self._values is None:
                raise RuntimeError(f"{NAME}: no solution to load")
            for v, x in zip(self._columns, self._values.tolist()):
                v.set_value(x, skip_validation=True)
            if self._pending is not None:
                w_on, prox_on, solved, approximate = self._pending
                self._pending = None
                self._check(solved, approximate)
                self._checked.add((w_on, prox_on))

        # --- the objective and the bounds ------------------------------------------------------------------

        def _ph_terms(self) -> tuple[bool, bool, np.ndarray, np.ndarray, np.ndarray]:
            """(W on, proximal term on, W_j, rho_j, xbar_j per first-stage column in `_first`'s order). A term
            counts only where mpi-sppy put it into the objective (a Lagrangian spoke's has no ProxExpr)."""
            ph = self._pyomo_model._mpisppy_model
            w_on = bool(getattr(ph, "WExpr", None) is not None and ph.W_on._value)
            prox_on = bool(getattr(ph, "ProxExpr", None) is not None and ph.prox_on._value)
            if not (w_on or prox_on):
                empty = np.zeros(0)
                return False, False, empty, empty, empty
            if self._params is None:  # mpi-sppy's parameters exist from its PH setup on, and are never replaced
                self._params = [(ph.W[key], ph.rho[key], ph.xbars[key]) for key, _ in self._nonants]
            terms = np.array([(w._value, rho._value, xbar._value) for w, rho, xbar in self._params],
                             dtype=float).reshape(-1, 3)
            return w_on, prox_on, terms[:, 0], terms[:, 1], terms[:, 2]

        def objective_value(self) -> float:
            """The Pyomo model's active objective at the values its variables hold now (what
            `pyo.value(objective)` gives, computed from the arrays instead of Pyomo's expression tree: 1,000
            contracts made that 0.05 s, as much as a solve)."""
            return self._objective_at(np.array([v._value for v in self._columns], dtype=float))

        def _objective_at(self, x: np.ndarray) -> float:
            """mpi-sppy's objective at column values x (the Pyomo model's columns), the proximal term exact
            wherever mpi-sppy wrote it exact: f_s(x) + W_on W'x + prox_on sum_j rho_j / 2 (x_j^2 - 2 xbar_j x_j
            + xbar_j^2), x_j^2 read from x_j's stand-in column where mpi-sppy linearised it."""
            value = float(self._cost[:len(x)] @ x)
            w_on, prox_on, w, rho, xbar = self._ph_terms()
            first = x[self._first]
            if w_on:
                value += float(w @ first)
            if prox_on:
                own = self._square >= 0
                square = np.where(own, x[np.maximum(self._square, 0)], first * first)
                value += float(np.sum(rho / 2.0 * (square - 2.0 * xbar * first + xbar * xbar)))
            return value

        def _push_objective(self) -> tuple[bool, bool]:
            """cost c + W_on W on the first-stage columns, and with the proximal term on, per first-stage column:
            its own square's column (a binary's own, an xsqvar) -rho xbar on x, rho / 2 on the square, offset
            rho / 2 xbar^2; exact: the same with rho on the Hessian's diagonal; tangents: cost 1 on the
            column t_j >= the tangents of rho_j / 2 d_j^2, d_j = x_j - xbar_j (`_Tangents`)."""
            w_on, prox_on, w, rho, xbar = self._ph_terms()
            h, first = self._highs, self._first
            own, exact, tangent = self._square >= 0, self._square == EXACT, self._square == TANGENTS
            grid = self._tangent_rows(rho[tangent]) if prox_on and tangent.any() else None
            cost = np.zeros(h.getNumCol())
            cost[:len(self._cost)] = self._cost
            offset = 0.0
            if w_on:
                np.add.at(cost, first, w)
            if prox_on:
                squared = own | exact
                np.add.at(cost, first[squared], -rho[squared] * xbar[squared])
                np.add.at(cost, self._square[own], rho[own] / 2.0)
                offset = float(np.sum(rho[squared] / 2.0 * xbar[squared] ** 2))
                if grid is not None:
                    h.changeRowsBounds(len(grid.link), grid.link, xbar[tangent], xbar[tangent])
                    cost[grid.t] = 1.0
            h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
            h.changeObjectiveOffset(offset)
            if prox_on and exact.any():
                if self._integer.any():
                    raise ValueError(f"{NAME}: an exact proximal term with integer columns is a quadratic MIP, "
                                     "which HiGHS does not solve: linearise it (linearize_proximal_terms)")
                self._pass_hessian(np.where(exact, rho, 0.0))
            elif self._hessian_on:
                h.passHessian(highspy.HighsHessian())
                self._hessian_on = False
            return w_on, prox_on

        def _tangent_rows(self, rho: np.ndarray) -> _Tangents:
            """The tangent columns and rows, added at the first solve with the proximal term on, the cut
            coefficients changed if rho has changed since."""
            h = self._highs
            columns = self._first[self._square == TANGENTS]
            if self._tangents is None:
                span = self._upper[columns] - self._lower[columns]  # finite and > 0 (set_instance)
                self._tangents = _Tangents.add(h, columns, span, rho)
            elif not np.array_equal(rho, self._tangents.rho):
                self._tangents.set_rho(h, rho)
            return self._tangents

        def _pass_hessian(self, rho: np.ndarray) -> None:
            n = len(self._cost)
            diagonal = np.zeros(n)  # rho of the exactly squared first-stage columns, 0 elsewhere
            np.add.at(diagonal, self._first, rho)
            columns = np.flatnonzero(diagonal).astype(np.int32)
            start = np.zeros(n + 1, dtype=np.int32)
            np.add.at(start, columns + 1, 1)
            start = np.cumsum(start).astype(np.int32)
            self._highs.passHessian(n, len(columns), highspy.HessianFormat.kTriangular.value, start, columns,
                                    diagonal[columns])
            self._hessian_on = True

        def _push_bounds(self) -> None:
            """Fixed first-stage variables as equal bounds, released ones back to the model's bounds; only the
            columns that changed since the last solve reach HiGHS."""
            first = self._first
            lower, upper = self._lower[first].copy(), self._upper[first].copy()
            for k, (_, v) in enumerate(self._nonants):
                if v.fixed:
                    lower[k] = upper[k] = float(v._value)
            changed = np.flatnonzero((lower != self._bounds_at[0]) | (upper != self._bounds_at[1]))
            if len(changed):
                self._highs.changeColsBounds(len(changed), first[changed], lower[changed], upper[changed])
                self._bounds_at = (lower, upper)

        def _check(self, solved: float, approximate: bool) -> None:
            """Pyomo's value of mpi-sppy's objective at the loaded values against the arrays' (`_objective_at`)
            and HiGHS's optimum: equal, or HiGHS's at most it where the tangents under-estimate the term."""
            import pyomo.environ as pyo

            from mpisppy.utils import sputils

            expected = float(pyo.value(sputils.find_active_objective(self._pyomo_model)))
            ours = self.objective_value()
            tol = CHECK_TOL * max(1.0, abs(expected))
            off = solved - expected > tol if approximate else abs(solved - expected) > tol
            if off or abs(ours - expected) > tol:
                raise RuntimeError(f"{NAME}: HiGHS's objective {solved!r} (by the arrays {ours!r}) is not the Pyomo "
                                   f"model's {expected!r} at the same point ({self._pyomo_model.name}): mpi-sppy's "
                                   "objective has terms this plugin does not read")

    return HighsSubproblem


_PLUGIN: type | None = None


def register() -> None:
    """Make `NAME` a solver mpi-sppy can create (`pyomo.opt.SolverFactory(NAME)`), and let mpi-sppy's expected
    objective read the plugin's `objective_value` for scenarios it solves (`_fast_eobjective`)."""
    from pyomo.opt import SolverFactory

    global _PLUGIN
    if NAME in SolverFactory:
        return
    _PLUGIN = plugin_class()
    SolverFactory.register(NAME, doc="HiGHS on the planner's scenario matrix (planner.stochastic.highs_subproblem)")(
        _PLUGIN)
    _fast_eobjective()


def _fast_eobjective() -> None:
    """mpi-sppy's `SPOpt.Eobjective` (sum_s p_s times each scenario's objective at its current values: the xhat
    spoke and the hub's own pricing call it for every candidate) evaluates each objective through Pyomo's
    expression tree. For scenarios this plugin solves, the same number comes from `objective_value`; any other
    call (verbose, AML-agnostic, another solver) goes to mpi-sppy's own."""
    import mpisppy.spopt as spopt
    from mpi4py import MPI

    original = spopt.SPOpt.Eobjective
    if getattr(original, "_planner", False):
        return

    def Eobjective(self: Any, verbose: bool = False) -> float:  # noqa: N802 - mpi-sppy's name
        scenarios = list(self.local_scenarios.items())
        if verbose or getattr(self, "Ag", None) is not None or not all(
                isinstance(getattr(s, "_solver_plugin", None), _PLUGIN) and self.saved_objectives.get(k) is not None
                and s._solver_plugin.has_instance() for k, s in scenarios):
            return original(self, verbose)
        local = np.array([math.fsum(s._mpisppy_probability * s._solver_plugin.objective_value() for _, s in scenarios)])
        total = np.zeros(1)
        self.mpicomm.Allreduce(local, total, op=MPI.SUM)
        return float(total[0])

    Eobjective._planner = True  # type: ignore[attr-defined]
    spopt.SPOpt.Eobjective = Eobjective
