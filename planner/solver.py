"""Model -> HiGHS -> `SolverOutcome` (step 4 of the pipeline).

The model's blocks are stacked into one row-wise sparse matrix with row and
column bounds and handed to highspy (`HighsModel`). Keeping the HiGHS instance lets the
analysis re-solve the same model after changing row bounds (dropping a rule,
sweeping its value) without rebuilding it, read duals, ask HiGHS for an
irreducible infeasible subset, and add elastic columns.

The status reported to the user is derived from what HiGHS said and nothing
else: `optimal` only when HiGHS proved optimality (within `mip_gap` for a
MIP), `feasible` when it stopped early (time limit, interruption) holding a
plan, and the gap is always stated.

A model with a convex rule held by tangent rows (`max_hhi`:
`planner/model/outer.py`) is solved in rounds: after each, the plan's HHI
is measured, a tangent is appended at every violated share, and HiGHS
re-solves, until every cap holds to within `CUT_TOL` (then the status is
HiGHS's: every tangent is valid, so the last round's optimum, or its MIP
bound, bounds the true optimum from below while its plan meets the rule) or
`MAX_CUT_ROUNDS` rounds or the time limit are spent (then it is not
`optimal`: `feasible` if the plan meets every cap to within the contract's
1e-6, else `error`, with no plan).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np

from planner.highs import new_highs
from planner.model import SourcingModel
from planner.model.outer import CONTRACT_TOL, CUT_TOL, Caps, Cut, Separation, caps_of, separate

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


MAX_CUT_ROUNDS = 200  # solves of one model with tangent rows before the cut loop gives up (read at each solve)


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
    cut_rounds: int = 0  # HiGHS solves of a model with tangent rows (0: it has none)
    cuts: int = 0  # tangent rows those rounds added

    @property
    def has_plan(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass(frozen=True)
class StartReport:
    """What became of a starting plan handed to `HighsModel.solve`: whether HiGHS got a complete feasible start
    (`objective`: its cost), the seconds spent completing it, and why not if it did not."""

    accepted: bool
    objective: float | None
    seconds: float
    message: str


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / |objective|, as HiGHS defines its MIP gap (0 when both are 0)."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    difference = abs(objective - bound)
    if difference <= 1e-12 * max(1.0, abs(objective)):
        return 0.0
    return difference / abs(objective) if objective != 0 else math.inf


START_SLACK = 1e-4  # how far `HighsModel.solve` lets a start's positive values move while completing it
MIP_ABS_GAP = 1e-6  # HiGHS's mip_abs_gap (default, never changed here): it stops at either gap


def proven_within(objective: float | None, bound: float | None, mip_gap: float) -> bool:
    """Whether a MIP bound proves the objective optimal within `mip_gap`, as HiGHS's stopping rule reads:
    the bound lies below the objective by at most mip_gap * |objective| or the absolute gap; a bound above the
    objective (beyond rounding) proves nothing, it is wrong."""
    if objective is None or bound is None or not math.isfinite(bound):
        return False
    slack = 1e-9 * max(1.0, abs(objective))  # the last digits of two doubles computed apart
    return -slack <= objective - bound <= max(mip_gap * abs(objective), MIP_ABS_GAP) + slack


def classify(model_status: str, has_solution: bool, objective: float | None, bound: float | None,
             is_mip: bool, mip_gap: float) -> tuple[Status, str, float | None]:
    """The planner's status, a sentence, and the gap, from what HiGHS reported.

    `model_status` is the name of HiGHS's `HighsModelStatus` (`kOptimal`, ...).
    """
    has_solution = has_solution and objective is not None
    gap = relative_gap(objective, bound) if has_solution else None
    if model_status == "kOptimal" and has_solution:
        if is_mip and not proven_within(objective, bound, mip_gap):
            # HiGHS checks its gap between its primal and dual bounds in the presolved model, whose objective
            # offset absorbs the costs of the columns presolve eliminates: a cost of 9e14 on a demand of 112 puts
            # ~1e17 into it, exact only to ~16, so both bounds can sit 11 below the objective of the plan HiGHS
            # returns (gap 0 for HiGHS, 0.07 % here). A plan is called optimal only if the bound reported proves it.
            assert objective is not None and bound is not None and gap is not None
            return "feasible", (f"not proven optimal within the MIP gap setting ({mip_gap:g}): HiGHS reported "
                                f"optimal, but its best bound {bound:,.6g} is {gap:.4%} from the plan's cost "
                                f"{objective:,.6g}; the model's numbers span too many orders of magnitude for the "
                                "solver's arithmetic (see the warnings)"), gap
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
    """A `SourcingModel` handed to one HiGHS instance, kept for re-solves.

    Row k and column j of HiGHS are row k and column j of the model, so
    anything HiGHS reports (values, duals, an IIS) maps back to the names of
    `models/formulation.md` through `model.row_label` and `model.column_label`.
    After a solve with a plan, `values` holds the column values.
    """

    def __init__(self, model: SourcingModel) -> None:
        self.model = model
        self.values: np.ndarray | None = None
        # the model's own arrays, never changed in place: `relaxed` restores row bounds from them
        self.cost = model.cost
        self.col_lower, self.col_upper = model.col_lower, model.col_upper
        self.row_lower, self.row_upper = model.row_lower, model.row_upper
        self.is_mip = model.is_mip
        start, column, coef = model.matrix
        integrality = np.where(model.integer, highspy.HighsVarType.kInteger.value,
                               highspy.HighsVarType.kContinuous.value).astype(np.int32)
        self.highs = new_highs()
        # the arrays go straight to HiGHS (no HighsLp in between: at millions of offers its copy costs memory)
        status = self.highs.passModel(
            model.num_columns, model.num_rows, len(coef), highspy.MatrixFormat.kRowwise.value,
            highspy.ObjSense.kMinimize.value, 0.0, self.cost, self.col_lower, self.col_upper, self.row_lower,
            self.row_upper, start.astype(np.int32), np.asarray(column, dtype=np.int32), coef, integrality)
        if status == highspy.HighsStatus.kError:
            raise ValueError(f"HiGHS refused the model ({model.num_columns} columns, {model.num_rows} rows)")
        self.highs.HandleUserInterrupt = True  # so that cancelSolve (on Ctrl-C) stops HiGHS at its next check
        self._relaxed: Counter[int] = Counter()  # rows `relaxed` has dropped for now
        self.start_report: StartReport | None = None  # of the last solve given a start
        self._start_cuts()

    def _start_cuts(self) -> None:
        """What the cut loop keeps per model: its caps, the points of every pair, and the rows it appended (HiGHS
        row, tangent family, index) with their cuts."""
        self._caps: list[Caps] = []
        for spec in self.model.outer:
            block, span = self.model.row_block(spec.caps)
            self._caps.append(caps_of(spec, block.coord("item"), block.coord("rule"), span,
                                      self.model.row_upper[span.start:span.stop]))
        self._points = [[list(p) for p in spec.points] for spec in self.model.outer]
        self._appended: dict[int, tuple[str, tuple]] = {}
        self._cuts: list[Cut] = []

    @property
    def cut_pool(self) -> tuple[Cut, ...]:
        """The tangent points of the HiGHS instance beyond the data's: `build(data, view, cut_pool)` holds the
        same rows as the instance."""
        return tuple(self.model.cuts) + tuple(self._cuts)

    def row_label(self, k: int) -> tuple[str, tuple]:
        """HiGHS row k by family and index: a model row, or a tangent row a solve appended."""
        if k < self.model.num_rows:
            return self.model.row_label(k)
        return self._appended[k]

    def refresh(self, model: SourcingModel) -> None:
        """Push a model of the same shape (`SourcingModel.shape`) into HiGHS in place of the current one: costs,
        bounds, right-hand sides and changed coefficients. An LP then re-solves warm from the last basis."""
        if model.shape != self.model.shape:
            raise ValueError("the model's shape changed: build a new HighsModel")
        h = self.highs
        n, m = model.num_columns, model.num_rows
        if h.getNumRow() > m:  # the tangents solves appended hold for the old numbers only: drop them
            extra = np.arange(m, h.getNumRow(), dtype=np.int32)
            h.deleteRows(len(extra), extra)
        old_coef = self.model.terms()[2]
        start, column, coef = model.matrix
        self.model, self.values = model, None
        self.cost = model.cost
        self.col_lower, self.col_upper = model.col_lower, model.col_upper
        self.row_lower, self.row_upper = model.row_lower, model.row_upper
        columns = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, columns, self.cost)
        h.changeColsBounds(n, columns, self.col_lower, self.col_upper)
        if m:
            h.changeRowsBounds(m, np.arange(m, dtype=np.int32), self.row_lower, self.row_upper)
        for position in np.flatnonzero(coef != old_coef):
            row = int(np.searchsorted(start, position, side="right") - 1)
            h.changeCoeff(row, int(column[position]), float(coef[position]))
        self._start_cuts()

    def solve(self, time_limit: float = 60.0, mip_gap: float = 1e-4, progress: Progress | None = None,
              stage: str = "solving", start: Mapping[str, np.ndarray] | None = None) -> SolverOutcome:
        """Run HiGHS on the current bounds; keep the column values in `values` if there is a plan.

        `progress(stage, elapsed seconds, MIP gap or None)` is called about
        four times a second while HiGHS runs, and `progress(..., done=True)`
        at the end. A model with tangent rows is solved in rounds (the
        module's docstring): `time_limit` is for all of them.

        `start` (a MIP only; ignored for an LP): values of some variable
        families' columns, by family name (`{"buy": q}`, q in column order),
        a starting plan to complete and hand HiGHS as its first incumbent
        (`_hand_start`; `start_report` says what became of it). Its time
        counts in the outcome's seconds and against the time limit.
        """
        if not self.model.outer:
            return self._solve_once(time_limit, mip_gap, progress, stage, start)
        return self._solve_with_cuts(time_limit, mip_gap, progress, stage, start)

    def _solve_with_cuts(self, time_limit: float, mip_gap: float, progress: Progress | None,
                         stage: str, start: Mapping[str, np.ndarray] | None = None) -> SolverOutcome:
        """Solve, measure every active cap from the plan, append a tangent at each violated share, re-solve.

        Ends when every cap holds to within CUT_TOL (HiGHS's status stands), when HiGHS ends without a plan
        (an infeasible round proves the rules infeasible: every tangent is valid), or when MAX_CUT_ROUNDS, the
        time limit or the tangents themselves (none left to add) stop it first (`_stopped`).
        """
        started = time.perf_counter()
        limit = MAX_CUT_ROUNDS
        rounds = added = 0
        while True:
            left = time_limit - (time.perf_counter() - started)
            # a start is for the first round; later rounds begin from HiGHS's own plan of the round before
            outcome = self._solve_once(max(left, 0.0), mip_gap, progress,
                                       stage if not rounds else f"{stage} (max_hhi cut round {rounds + 1})",
                                       start if not rounds else None)
            rounds += 1
            seconds = time.perf_counter() - started
            if not outcome.has_plan or self.values is None:
                return dataclasses.replace(outcome, seconds=seconds, cut_rounds=rounds, cuts=added)
            found = [separate(spec, caps, self.values, set(self._relaxed), self._points[s])
                     for s, (spec, caps) in enumerate(zip(self.model.outer, self._caps))]
            worst = max(found, key=lambda f: f.excess)
            if worst.excess <= CUT_TOL:
                return dataclasses.replace(outcome, seconds=seconds, cut_rounds=rounds, cuts=added)
            if rounds >= limit:
                why = f"its limit of {_count(limit, 'round')}"
            elif outcome.status != "optimal":  # HiGHS stopped early in this round: its plan is all there is
                why = f"a round the solver did not finish ({outcome.message})"
            elif time.perf_counter() - started >= time_limit:
                why = "the time limit"
            elif not any(f.cuts for f in found):
                why = "a round that needs no tangent it does not have already (the solver's tolerance)"
            else:
                why = ""
            if why:
                return self._stopped(outcome, worst, why, seconds, rounds, added)
            for s, f in enumerate(found):
                added += self._append(s, f.cuts)

    def _append(self, s: int, cuts: list[tuple[int, float]]) -> int:
        """Append the tangent rows of `cuts` ((pair, share) of spec s) to the HiGHS instance, in one call."""
        if not cuts:
            return 0
        spec, h = self.model.outer[s], self.highs
        pairs = np.array([j for j, _ in cuts], dtype=np.int64)
        shares = np.array([a for _, a in cuts])
        start, columns, coef, upper = spec.tangents(pairs, shares)
        first = h.getNumRow()
        h.addRows(len(cuts), np.full(len(cuts), -INF), upper, len(coef), start[:-1].astype(np.int32),
                  columns.astype(np.int32), coef)
        for k, (j, share) in enumerate(cuts):
            self._points[s][j].append(share)
            item, country = str(spec.item[j]), str(spec.country[j])
            index = (item, country, len(self._points[s][j]))
            self._appended[first + k] = (spec.rows, index if spec.period is None else (*index, spec.period))
            self._cuts.append(Cut(item, country, share, spec.period))
        return len(cuts)

    def _stopped(self, outcome: SolverOutcome, worst: Separation, why: str, seconds: float, rounds: int,
                 added: int) -> SolverOutcome:
        """The outcome of a cut loop stopped by `why` with a cap still above CUT_TOL: never optimal. Within the
        contract's 1e-6 the plan meets every rule as the contract reads it, so it is kept as `feasible` (not
        proven optimal); beyond, it breaks a rule and there is no plan. Either way the round's bound (an LP's
        optimum, a MIP's dual bound) bounds the true optimum from below: every tangent is valid."""
        where = (f"the HHI of '{worst.item}' is {worst.hhi:.9g} against its cap {worst.value:g} (Policy row "
                 f"{worst.rule})")
        bound = outcome.bound if outcome.bound is not None else outcome.objective  # an LP's bound is its optimum
        lower = f"the optimum is at least {bound:,.6g} (the last round's bound)" if bound is not None else \
            "the last round has no bound"
        if worst.excess <= CONTRACT_TOL:
            return dataclasses.replace(
                outcome, status="feasible", gap=None, seconds=seconds, cut_rounds=rounds, cuts=added,
                message=(f"not proven optimal: the max_hhi cuts stopped at {why} ({_count(rounds, 'round')}, "
                         f"{_count(added, 'cut')}) with every cap held to within {worst.excess:.2g}, inside the "
                         f"contract's 1e-6 but not the 1e-9 the loop asks for ({where}); {lower}"))
        self.values = None
        return dataclasses.replace(
            outcome, status="error", objective=None, gap=None, seconds=seconds, cut_rounds=rounds, cuts=added,
            bound=bound,
            message=(f"no plan: the max_hhi cuts stopped at {why} ({_count(rounds, 'round')}, "
                     f"{_count(added, 'cut')}) before every HHI cap held: {where}; {lower}"))

    def _solve_once(self, time_limit: float, mip_gap: float, progress: Progress | None,
                    stage: str, start: Mapping[str, np.ndarray] | None = None) -> SolverOutcome:
        """One HiGHS run on the current rows and bounds."""
        h = self.highs
        started = time.perf_counter()
        self.start_report = None
        if start is not None and self.is_mip:
            self.start_report = self._hand_start(start, time_limit, mip_gap)
        h.setOptionValue("time_limit", max(0.0, float(time_limit) - (time.perf_counter() - started)))
        h.setOptionValue("mip_rel_gap", float(mip_gap))
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
        self.values = np.asarray(h.getSolution().col_value, dtype=float) if status in ("optimal", "feasible") else None
        return SolverOutcome(status, status_name, message, objective if status in ("optimal", "feasible") else None,
                             bound if math.isfinite(bound or 0.0) else None, gap, seconds, self.is_mip)

    def _hand_start(self, start: Mapping[str, np.ndarray], time_limit: float, mip_gap: float) -> StartReport:
        """Complete a partial starting plan into a whole solution and give it to HiGHS (`Highs.setSolution`).

        HiGHS's own completion of a sparse solution (highspy 1.16) fixes only
        the discrete columns it is given and re-solves everything else: a
        start of purchases alone (continuous) is thrown away, and HiGHS
        solves the whole MIP under a node limit to "complete" it (its log:
        "User-supplied values fix only 0 / N discrete variables"). So the
        given columns are fixed here instead (a zero to zero, a positive value
        v to within START_SLACK * max(1, v), inside the column's bounds),
        HiGHS solves what is left (the binaries and other columns the
        purchases decide), the bounds are restored, and the whole solution is
        handed over; HiGHS's log then says
        "MIP start solution is feasible". A start that cannot be completed
        (the heuristic's plan breaks a rule) is dropped and said so.
        """
        h = self.highs
        started = time.perf_counter()
        index = np.concatenate([np.arange(self.model.column_range(name).start, self.model.column_range(name).stop)
                                for name in start]).astype(np.int32) if start else np.zeros(0, dtype=np.int32)
        value = np.concatenate([np.asarray(v, dtype=float) for v in start.values()]) if start else np.zeros(0)
        if len(index) != len(value):
            raise ValueError(f"a start gives {len(value)} values for {len(index)} columns of "
                             f"{', '.join(start)}")
        # a positive value may move by START_SLACK (relative), zero stays zero: the heuristic's sums may miss a
        # demand or land a hair below an all-units break by rounding, which a box this small absorbs
        slack = np.where(value > 0, START_SLACK * np.maximum(1.0, np.abs(value)), 0.0)
        lower = np.clip(value - slack, self.col_lower[index], self.col_upper[index])
        upper = np.clip(value + slack, self.col_lower[index], self.col_upper[index])
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        try:
            h.changeColsBounds(len(index), index, lower, upper)
            self._run(None, "completing the start", started)
            if h.getModelStatus() == MS.kInterrupt:
                raise KeyboardInterrupt
            info = h.getInfo()
            feasible = info.primal_solution_status == 2
            status = h.getModelStatus().name
            solution = np.asarray(h.getSolution().col_value, dtype=float) if feasible else None
        finally:
            h.changeColsBounds(len(index), index, self.col_lower[index], self.col_upper[index])
        seconds = time.perf_counter() - started
        if solution is None:
            return StartReport(False, None, seconds, f"the start does not complete to a feasible plan ({status}); "
                               "solved without it")
        everything = np.arange(len(solution), dtype=np.int32)
        if h.setSolution(len(everything), everything, solution) == highspy.HighsStatus.kError:
            return StartReport(False, None, seconds, "HiGHS refused the completed start; solved without it")
        return StartReport(True, float(info.objective_function_value), seconds,
                           f"started from a plan of cost {info.objective_function_value:,.6g}")

    def relax_integrality(self) -> None:
        """Make every integer column continuous (the LP relaxation); not undone."""
        n = self.model.num_columns
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
        except BaseException:
            # Ctrl-C, SIGTERM (planner.cli raises it as a BaseException) or anything else: stop HiGHS's thread
            # before unwinding, or the interpreter exits under a running solver thread and aborts (SIGABRT).
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
        """Drop the given rows (bounds -inf..inf) for the duration of the block (a cap row dropped: the cut
        loop leaves its item alone)."""
        if rows:
            idx = np.array(rows, dtype=np.int32)
            self.highs.changeRowsBounds(len(idx), idx, np.full(len(idx), -INF), np.full(len(idx), INF))
            self._relaxed.update(rows)
        try:
            yield
        finally:
            if rows:
                self.highs.changeRowsBounds(len(idx), idx, self.row_lower[idx], self.row_upper[idx])
                self._relaxed.subtract(rows)
                self._relaxed = +self._relaxed


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def solve_model(model: SourcingModel, time_limit: float = 60.0, mip_gap: float = 1e-4
                ) -> tuple[HighsModel, SolverOutcome]:
    """Hand the model to HiGHS and solve it: the `HighsModel` (its `values` hold the plan, if there is one) and
    what HiGHS said."""
    handle = HighsModel(model)
    return handle, handle.solve(time_limit, mip_gap)
