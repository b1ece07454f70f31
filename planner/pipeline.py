"""The whole pipeline, step by step: workbook -> data -> model -> HiGHS -> plan.

Each step is a plain function that can be called alone; this module only
strings them together and records what happened for the Run sheet.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planner import analysis
from planner.gcpause import paused_gc
from planner.check import check_plan
from planner.data import PlanningData, Rule
from planner.dating import in_force, span
from planner.diagnose import Diagnosis, diagnose, elastic_plan
from planner.io.guard import ReadLimits
from planner.lint import lint
from planner.model import SourcingModel, build, structural_conflicts
from planner.problems import InputError, Problem, ProblemLog
from planner.validate import period_problems, two_stage_problems
from planner.results import Plan, build_periods_plan, build_plan, extract_plan
from planner.about import versions
from planner.solver import HighsModel, Progress

if TYPE_CHECKING:
    from planner.stochastic.decompose import Decomposed


def read(path: str | Path, limits: ReadLimits | None = None, *,
         warn_suspicious: bool = True) -> tuple[PlanningData, list[Problem]]:
    """Read and validate a workbook: (data, warnings), or `InputError` listing every problem.

    Warnings include suspicious data (`planner.lint`) unless
    `warn_suspicious` is false (for data about to be changed: see `load`).
    `limits` bound what a file may unpack to before it is parsed
    (`planner.io.guard`).
    """
    from planner.io.read import read_workbook  # openpyxl is only needed when reading a file
    from planner.validate import validate

    log = ProblemLog()
    with paused_gc():
        raw = read_workbook(path, log, limits)
        data = validate(raw, log) if raw is not None else None
    log.raise_if_errors()
    assert data is not None
    return data, log.warnings + (lint(data) if warn_suspicious else [])


def load(path: str | Path, updates: Sequence[str | Path] = (), overrides: Sequence[str] = (),
         allow_new: bool = False, limits: ReadLimits | None = None) -> tuple[PlanningData, list[Problem]]:
    """Read a base workbook, then apply update files and overrides in order: (data, warnings).

    Raises `InputError` with every problem of the base, or else with every
    problem of the updates and overrides together. Nothing is written.
    Suspicious data is looked for once, in the data as changed: a price an
    update corrects is not warned about.
    """
    data, warnings = read(path, limits, warn_suspicious=False)
    changed, more = apply_changes(data, updates, overrides, allow_new, limits)
    said = {(w.sheet, w.cell, w.column, w.message) for w in warnings}  # the checks made again warn once
    return changed, warnings + [w for w in more if (w.sheet, w.cell, w.column, w.message) not in said]


def apply_changes(data: PlanningData, updates: Sequence[str | Path] = (), overrides: Sequence[str] = (),
                  allow_new: bool = False, limits: ReadLimits | None = None) -> tuple[PlanningData, list[Problem]]:
    """Validated data with update files and overrides applied: (data, warnings), or `InputError`.

    The warnings include `planner.lint`'s findings on the data as changed
    (on `data` itself when there is nothing to apply).
    """
    if not updates and not overrides:
        return data, lint(data)
    from planner.io.read import read_update_file
    from planner.update import apply_overrides, apply_updates

    log = ProblemLog()
    files = []
    for update in updates:
        found = read_update_file(update, log, limits)
        if found is not None:
            files.append((Path(update), found[0], found[1]))
    data = apply_updates(data, files, log, allow_new) if files else data
    data = apply_overrides(data, list(overrides), log) if overrides else data
    if not log.errors:  # what only the whole data can say (a lead time a change made too long), checked again
        period_problems(data, log)
        two_stage_problems(data, log)
    log.raise_if_errors()
    return data, log.warnings + lint(data)


class ModelCache:
    """HiGHS instances kept by model shape, for reruns where only numbers change (prices, capacities, demand,
    rule values).

    `get` builds the model (cheap) and returns it with a HiGHS instance: a
    kept one of the same `SourcingModel.shape` into which the new numbers are
    pushed (an LP then re-solves warm from the last basis), or a new one.
    """

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._handles: dict[str, HighsModel] = {}
        self.built = 0
        self.reused = 0

    def get(self, data: PlanningData) -> tuple[SourcingModel, HighsModel, bool]:
        model = build(data)
        handle = self._handles.pop(model.shape, None)
        reused = handle is not None
        if handle is not None:
            handle.refresh(model)
            self.reused += 1
        else:
            handle = HighsModel(model)
            self.built += 1
        self._handles[model.shape] = handle
        while len(self._handles) > self.keep:
            self._handles.pop(next(iter(self._handles)))
        return model, handle, reused

def run_info(data: PlanningData) -> dict[str, object]:
    """Where a result comes from, for a Run sheet: input file and SHA-256, updates applied, versions."""
    run: dict[str, object] = {}
    if data.source is not None:
        run["input file"] = Path(data.source.path).name
        run["input SHA-256"] = data.source.sha256
        for what, detail in data.source.changes:  # in the order applied; one line each, even for one target
            key, n = what, 1
            while key in run:
                n += 1
                key = f"{what} ({n})"
            run[key] = detail
    dating = data.dating
    for position, rule in enumerate(data.inactive_rules, start=1):  # a plan made without a rule says so
        dates = f" ({span(rule)}; not in force on the plan date either)" \
            if dating is not None and not in_force(rule, dating.day) else ""
        run[f"rule switched off: Policy row {rule.row if rule.row is not None else position}"] = \
            f"{rule.label()}{dates}: not applied"
    if dating is not None and dating.matters:  # a workbook without dates gives the same Run sheet on any day
        run["plan date"] = f"{dating.day.isoformat()} ({'the day of the run: Settings plan_date is blank' if dating.of_run else 'Settings plan_date'})"
        for record in dating.out_of_force:  # rows switched on but not in force (those switched off are above)
            sheet = "Policy" if isinstance(record, Rule) else "Scenarios"
            run[f"not in force on the plan date: {sheet} row {record.row}"] = \
                f"{record.label()} ({span(record)}): not applied"
        for bloc, country, source in dating.memberships:
            run[f"built-in member of {bloc}: {country}"] = f"on {dating.day.isoformat()} (source: {source})"
    if data.multi_period:  # a workbook without Periods gives the Run sheet it always gave
        names = data.period_names
        run["periods"] = f"{len(names)}: {names[0]} .. {names[-1]}" if len(names) > 1 else f"1: {names[0]}"
    run.update({f"{name} version": v for name, v in versions().items()})
    run["problem type"] = "MIP" if data.is_mip else "LP"
    if data.two_stage:
        scenarios = ", ".join(f"{s} {p:g}" for s, p in data.probabilities.items())
        run["mode"] = (f"two-stage: contracts now, recourse in each scenario ({scenarios}); objective "
                       f"(1 - {data.settings.risk_weight:g}) E + {data.settings.risk_weight:g} "
                       f"CVaR_{data.settings.cvar_alpha:g}")
    return run


def _engine_line(found: Decomposed) -> str:
    """The Run sheet's `engine` line of an mpi-sppy run."""
    solver = f", subproblems by {found.solver}" if found.solver else ""
    return (f"mpisppy: {found.ranks} MPI ranks ({found.cylinders}), {found.iterations} PH iterations, "
            f"stopped on {found.status}{solver}")  # its seconds are in the timings: a plan file repeats without them


def _no_incumbent(data: PlanningData, found: Decomposed) -> str:
    """Why a decomposition ended without a plan, and what to do. An incumbent is one scenario's contracts
    fixed in all: where an item has neither a shortage cost nor a spot market for all of its demand, the
    contracts made for one scenario can leave another without recourse until PH has nearly converged."""
    open_ended = [i.name for i in data.items.values() if i.shortage_cost is None and i.demand > 0 and
                  (i.spot_price is None or i.spot_capacity < i.demand)]
    hint = ""
    if open_ended:
        many = len(open_ended) > 1
        named = ", ".join(open_ended[:3]) + (" ..." if len(open_ended) > 3 else "")
        hint = (f"; {len(open_ended)} item{'s' if many else ''} {'have' if many else 'has'} no shortage_cost and no "
                f"spot market for all of their demand ({named}), so contracts made for one scenario can leave "
                "another without recourse")
    return (f"the decomposition found no contracts that every scenario can live with in {found.seconds:,.0f} s "
            f"({found.iterations} PH iterations; proven lower bound {found.lower_bound:,.6g}){hint}; no plan: give "
            "it a longer time_limit or more ranks, or solve the extensive form (--engine ef)")


def _decomposed(plan: Plan, run: dict[str, object], found: Decomposed, gap_setting: float) -> None:
    """Say what the mpi-sppy run proved: the plan is optimal only when its objective is within the mip_gap
    setting of the proven lower bound; else it is a feasible plan with both bounds stated."""
    from planner.stochastic.decompose import GAP_FLOOR
    from planner.stochastic.mpisppy_engine import bound_above

    value = float(plan.total_cost or 0.0)
    gap = (value - found.lower_bound) / max(abs(value), 1e-10)
    plan.risk.update(engine="mpisppy", lower_bound=found.lower_bound, upper_bound=value, rel_gap=gap,
                     iterations=found.iterations, ranks=found.ranks)
    run.update({"engine": _engine_line(found), "proven lower bound": found.lower_bound, "relative gap": gap})
    if found.status == "inconsistent" or bound_above(found.lower_bound, value):
        # a lower bound above a plan's cost proves nothing but an error in the bound (a PH setting that
        # breaks the Lagrangian's validity, a subproblem stopped early): never the ground for "optimal"
        plan.status = "feasible"
        plan.risk.update(lower_bound=None, rel_gap=None)
        above = min(value, found.upper_bound)
        run.update({"proven lower bound": None, "relative gap": None,
                    "bound rejected": f"{found.lower_bound:,.6g}, above the cost of a plan found, {above:,.6g}"})
        plan.message = (f"feasible, not proven optimal: the decomposition's lower bound {found.lower_bound:,.6g} is "
                        f"above the cost of a plan it found ({above:,.6g}), so it is not a valid bound and is not used")
    elif plan.status != "optimal":  # the extensive form's pricing of the contracts itself stopped short
        plan.message = (f"feasible, not proven optimal: {plan.message} (the decomposition's lower bound "
                        f"{found.lower_bound:,.6g})")
    elif gap <= max(gap_setting, GAP_FLOOR) + 1e-12 or value - found.lower_bound <= 1e-9:  # (an optimum of 0)
        plan.message = f"optimal within the mip_gap setting ({gap_setting:g}): lower bound {found.lower_bound:,.6g}"
    else:
        plan.status = "feasible"
        plan.message = (f"feasible, not proven optimal: the decomposition stopped on {found.status} with a gap of "
                        f"{gap:.4%} (lower bound {found.lower_bound:,.6g}, this plan {value:,.6g})")


def _finish(plan: Plan, run: dict[str, object], said: str) -> Plan:
    run.update({"status": plan.status, "solver said": said})
    plan.run = run
    return plan


def solve(data: PlanningData, rule_costs: bool = True, explain: bool = True, cache: ModelCache | None = None,
          progress: Progress | None = None, foresight: bool = True) -> Plan:
    """Plan from validated data: returns a `Plan` whatever the outcome; `plan.status` says which.

    With `rule_costs`, an optimal plan carries the cost of each Policy rule
    (`plan.rules`) and the price of resilience (`plan.resilience`). With
    `explain`, an infeasible one carries the conflicting input rows
    (`plan.conflicts`), found as `diagnose.diagnose` describes. With a
    `cache`, a model of the same shape built before is re-used. `progress`
    is told how a long solve goes (see `HighsModel.solve`). In the two-stage mode, `foresight` adds EVPI and
    VSS to `plan.risk` (one re-solve per scenario, and two for the mean scenario).
    """
    started = time.perf_counter()
    run = run_info(data)
    conflicts = structural_conflicts(data)
    if conflicts:
        plan = Plan(status="infeasible", message="the rules cannot all hold, whatever the plan", conflicts=conflicts)
        _attach_diagnosis(plan, Diagnosis("structural", notes=conflicts))
        return _finish(plan, run, "not called: conflicts found before solving")
    # no variable at all: every demand is 0 (else a conflict above); with several periods there is always stock
    if not data.multi_period and not data.usable.any():
        plan = build_plan(data, {}, "optimal", "nothing to buy: every item's demand is 0")
        violations = check_plan(data, {}, 0.0)  # the empty plan, checked like any other before it is called optimal
        if violations:
            plan = Plan(status="error", message="the empty plan breaks rules of the input: " + "; ".join(violations[:5]),
                        conflicts=violations)
        return _finish(plan, run, "not called: the model has no variable")

    decomposed = None
    if data.two_stage and data.settings.engine == "mpisppy":  # contracts by decomposition, on every MPI rank
        from planner.stochastic.decompose import contracts_by_decomposition

        decomposed = contracts_by_decomposition(data)
        if decomposed is None:
            return Plan(status="worker", message="an MPI worker of the mpi-sppy run: rank 0 reports and writes")
        if decomposed.status == "no incumbent":  # no contracts to price: never fall back on buying nothing
            run.update({"engine": _engine_line(decomposed), "proven lower bound": decomposed.lower_bound})
            return _finish(Plan(status="error", message=_no_incumbent(data, decomposed)), run, "mpi-sppy: no incumbent")
        cache = None  # the contracts are fixed in the instance below: it is not one to keep
    if cache is not None:
        model, handle, reused = cache.get(data)
        run["model"] = "re-used: new numbers pushed into the HiGHS instance built before" if reused else "built"
        timings = {"build and hand-off seconds": time.perf_counter() - started}
    else:
        model = build(data)
        timings = {"build seconds": time.perf_counter() - started}
        handle = HighsModel(model)
        model.release_terms()  # HiGHS has them; nothing here reads them again (a cached model keeps them)
        timings["hand-off seconds"] = time.perf_counter() - started - timings["build seconds"]
    run.update(model.size())
    if decomposed is not None:  # price the decomposition's contracts: each scenario's recourse in the EF
        from planner.stochastic.metrics import fix_contracts

        fix_contracts(model, handle, decomposed.contracts)
    outcome = handle.solve(data.settings.time_limit, data.settings.mip_gap, progress)
    timings["solve seconds"] = outcome.seconds
    extracting = time.perf_counter()
    plan = extract_plan(model, handle.values, data, outcome)
    if plan.has_plan:
        violations = check_plan(data, plan.schedule if data.multi_period else plan.quantities, outcome.objective,
                                builds=plan.builds)
        if violations:
            plan = Plan(status="error", message="the solver's plan breaks rules of the input; it is not written: "
                        + "; ".join(violations[:5]), conflicts=violations)
        elif data.two_stage and foresight:  # the worth of foresight, by re-solving: each scenario alone, and the mean scenario
            from planner.stochastic import metrics

            figures = metrics.foresight(data, float(plan.total_cost or 0.0))
            plan.warnings.extend(str(n) for n in figures.pop("notes"))  # type: ignore[union-attr]
            plan.risk.update(figures)
    if decomposed is not None and plan.has_plan:
        _decomposed(plan, run, decomposed, data.settings.mip_gap)
        timings["decomposition seconds"] = decomposed.seconds
    elif decomposed is not None and plan.status == "infeasible":
        # not the rules: the decomposition's contracts, fixed, leave some scenario without recourse (one of
        # probability 0, which the decomposition does not see, or a subproblem's tolerance)
        run["engine"] = _engine_line(decomposed)
        plan = Plan(status="error", message=(
            "the decomposition's contracts leave some scenario without any recourse (scenarios of probability "
            "0 are not part of the decomposition; give their items a shortage_cost, or solve the extensive "
            "form, --engine ef); no plan"))
    timings["extract and check seconds"] = time.perf_counter() - extracting
    run.update({
        "objective": outcome.objective,
        "best bound": outcome.bound,
        "MIP gap": outcome.gap,
        "mip_gap setting": data.settings.mip_gap,
        "time_limit setting (seconds)": data.settings.time_limit,
    })
    if model.outer:  # max_hhi: the tangent rows the solve added until every cap held (models/formulation.md)
        run["max_hhi cut rounds"] = outcome.cut_rounds
        run["max_hhi cuts added"] = outcome.cuts
        plan.cuts = handle.cut_pool
    if plan.status == "infeasible" and explain:
        diagnosis = diagnose(data)
        _attach_diagnosis(plan, diagnosis)
        run["diagnosis"] = f"{diagnosis.method}: {len(diagnosis.rows) or len(diagnosis.notes)} row(s)"
    if plan.status == "optimal" and rule_costs and data.rules and decomposed is None:
        costs = analysis.rule_costs(data, handle, outcome, data.settings.currency, progress)
        plan.rules = _with_inactive(costs.table, data)
        plan.resilience = {"optimum with all Policy rules": costs.with_rules,
                           "optimum without any Policy rule": costs.without_rules,
                           "price of resilience": costs.price_of_resilience,
                           "not attributed to a group of rules (groups interact)": costs.unattributed}
        timings["rule analysis seconds"] = costs.seconds
        run["rule analysis re-solves"] = costs.resolves
        if costs.joint_stopped:
            run["joint costs"] = costs.joint_stopped
    elif data.rules:
        run["rule analysis"] = "skipped" if not rule_costs else (
            "not done: the contracts come from the decomposition (the rule costs re-solve the extensive form "
            "once per rule)" if decomposed is not None else f"not done: the plan is {plan.status}")
    timings["planning seconds"] = time.perf_counter() - started  # model, solve and analysis; the CLI adds the whole run
    plan.timings = timings
    return _finish(plan, run, f"{outcome.termination}: {outcome.message}")


def _with_inactive(table: pd.DataFrame, data: PlanningData) -> pd.DataFrame:
    """The Rules table with an `active` column: `on` for the rules priced, and a row `off` for each rule switched
    off (no cost: it plays no part), so that the Rules sheet of a plan made without a rule shows it."""
    records = table.assign(active="on").to_dict(orient="records")
    for rule in data.inactive_rules:
        records.append({
            "policy_row": rule.row, "rule": rule.kind, "item": rule.item_cell,
            "group": str(rule.group) if rule.group is not None else "", "value": rule.value, "model_rows": 0,
            "binds": "no", "meaning": "",
            "note": f"switched off: not applied (switch it on with --set Policy!{rule.row}=on)"
                    if rule.row is not None else "switched off: not applied", "active": "off"})
    return pd.DataFrame(records, columns=[*table.columns, "active"])


def _attach_diagnosis(plan: Plan, diagnosis: Diagnosis) -> None:
    plan.conflicts = diagnosis.lines()
    columns = ["constraint", "family", "input rows", "relaxed_by"]
    if diagnosis.method == "structural":
        rows: list[dict[str, object]] = [{"constraint": "", "family": line.split(":", 1)[0], "input rows": line.split(":", 1)[-1].strip(),
                 "relaxed_by": None} for line in diagnosis.notes]
        notes = ["found before solving: no plan can meet these rows"]
    else:
        rows = [{"constraint": ref.name, "family": ref.family, "input rows": ref.what, "relaxed_by": amount}
                for ref, amount in zip(diagnosis.rows, diagnosis.amounts)]
        notes = [f"method: {diagnosis.method}", *diagnosis.notes]
    plan.diagnosis = pd.DataFrame(rows, columns=columns)
    plan.diagnosis_notes = notes


def solve_elastic(data: PlanningData) -> Plan:
    """The plan that breaks the rules least (then costs least), with `plan.violations` saying how.

    Call it when `solve` says infeasible: its status is `relaxed` when it
    found a plan, with every relaxed row listed, else what the solver said.
    """
    started = time.perf_counter()
    run = run_info(data)
    quantities, diagnosis, outcome = elastic_plan(data)
    if quantities is None:
        plan = Plan(status="error", message=f"no relaxed plan: {outcome.message}")
        return _finish(plan, run, f"{outcome.termination}: {outcome.message}")
    said = "the rules cannot all hold; this plan breaks the ones listed in Violations as little as possible"
    builds: dict[str, str] = {}
    if data.multi_period:
        quantities, builds = quantities  # type: ignore[misc]
        plan = build_periods_plan(data, quantities, builds, "relaxed", said)
    else:
        plan = build_plan(data, quantities, "relaxed", said)
    plan.violations = pd.DataFrame(
        [{"constraint": ref.name, "family": ref.family, "input rows": ref.what, "relaxed_by": amount,
          "share_of_scale": (amount or 0.0) / ref.scale} for ref, amount in zip(diagnosis.rows, diagnosis.amounts)],
        columns=["constraint", "family", "input rows", "relaxed_by", "share_of_scale"])
    plan.conflicts = check_plan(data, quantities, builds=builds)  # the independent check names every broken rule
    run["relaxed rows"] = len(diagnosis.rows)
    plan.timings = {"solve seconds": outcome.seconds, "planning seconds": time.perf_counter() - started}
    return _finish(plan, run, f"{outcome.termination}: elastic re-solve, {outcome.message}")


def frontier(data: PlanningData, rule: Rule, values: list[float]) -> pd.DataFrame:
    """Cost, concentration and surviving share as one rule's value sweeps `values`.

    Each step is solved on the data with that value (re-using the model when
    only the value changed), so a step where the rules cannot hold is
    reported as infeasible, not skipped, and `why` names its conflicting input
    rows as `solve` finds them (`Plan.named_conflicts`): which rows make the
    value too tight.
    """
    items = sorted(data.rule_items(rule))
    rows = []
    first: float | None = None
    cache = ModelCache()  # only the rule's value changes: one model, re-solved per step
    for step, value in enumerate(values, start=1):
        plan = solve(analysis.with_value(data, rule, value), rule_costs=False, cache=cache)
        row: dict[str, object] = {"step": step, "value": value, "status": plan.status,
                                  "total_cost": plan.total_cost if plan.has_plan else None}
        if plan.has_plan and first is None:
            first = plan.total_cost
        cost = plan.total_cost
        row["change_vs_first"] = cost - first if plan.has_plan and cost is not None and first is not None else None
        if plan.has_plan:
            conc = plan.concentration[plan.concentration["item"].isin(items)]
            weights = conc["demand"].where(conc["hhi_country"].notna(), 0.0)
            row["hhi_country"] = float((conc["hhi_country"].fillna(0.0) * weights).sum() / weights.sum()) \
                if weights.sum() > 0 else None
            for scenario in data.scenarios:
                part = plan.scenarios[(plan.scenarios["scenario"] == scenario) & plan.scenarios["item"].isin(items)]
                row[f"surviving: {scenario}"] = float(part["share_of_demand"].min()) if len(part) else None
        row["why"] = (None if plan.has_plan else f"the rules cannot all hold: {plan.named_conflicts()}"
                      if plan.status == "infeasible" else plan.message)
        rows.append(row)
    columns = ["step", "value", "status", "total_cost", "change_vs_first", "hhi_country",
               *[f"surviving: {s}" for s in data.scenarios], "why"]
    return pd.DataFrame(rows, columns=columns)


def risk_frontier(data: PlanningData, weights: list[float]) -> pd.DataFrame:
    """The two-stage plan's expected cost and CVaR as Settings `risk_weight` sweeps `weights` (0: the cheapest
    on average, 1: the best worst tail): one solve per weight, without rule costs or the foresight figures."""
    rows = []
    for step, w in enumerate(weights, start=1):
        settings = dataclasses.replace(data.settings, risk_weight=w)
        plan = solve(dataclasses.replace(data, settings=settings), rule_costs=False, explain=False,
                     foresight=False)
        risk = plan.risk if plan.has_plan else {}
        rows.append({"step": step, "risk_weight": w, "status": plan.status,
                     "objective": risk.get("objective"), "expected_cost": risk.get("expected_cost"),
                     "cvar": risk.get("cvar"), "worst_scenario": risk.get("worst_scenario"),
                     "why": None if plan.has_plan else plan.message})
    return pd.DataFrame(rows, columns=["step", "risk_weight", "status", "objective", "expected_cost", "cvar",
                                       "worst_scenario", "why"])


__all__ = ["read", "load", "solve", "solve_elastic", "frontier", "risk_frontier", "InputError", "Plan"]
