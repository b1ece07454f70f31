"""`planner solve`: read an input workbook, find the least-cost plan, write the plan workbook, or say why not.

Exit 0 when the plan is written, 2 when the input is invalid, 3 when the
rules cannot all hold (with `--diagnose`, the conflicting rows are written),
4 when `--elastic` wrote the plan that breaks them least, 1 otherwise.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.cli.envelope import Envelope, finite, records
from planner.cli.exit_codes import EXIT_ERROR, EXIT_INFEASIBLE, EXIT_INVALID, EXIT_OK, EXIT_RELAXED
from planner.cli.options import add_change_options, add_engine_option, read_limits
from planner.cli.outputs import DEFAULT_OUTPUT_DIR, output_path, write_file
from planner.cli.refusals import invalid_input
from planner.cli.terminal import detail, say, spinner

if TYPE_CHECKING:
    from planner.data import PlanningData
    from planner.results import Plan

HELP = "solve an input workbook and write the plan workbook"
DESCRIPTION = ("Read INPUT.xlsx, check it, find the least-cost plan that obeys every Policy rule, "
               "and write the plan workbook (sheets Plan, Summary, Scenarios, Run). Nothing is written "
               "when the input is invalid (exit 2) or the rules cannot all hold (exit 3); an existing "
               "plan file is replaced only by a complete new one.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT.xlsx", help="input workbook (see 'planner template')")
    parser.add_argument("-o", "--output", metavar="PLAN.xlsx",
                        help=f"plan workbook to write (default: {DEFAULT_OUTPUT_DIR}/<input name>-plan.xlsx)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (status, total_cost, output, ...) on stdout and nothing else")
    add_change_options(parser)
    add_engine_option(parser)
    parser.add_argument("--timings", action="store_true",
                        help="also record wall-clock times in the Run sheet (the plan then differs byte for byte "
                             "between runs; without it the same input gives the same file)")
    parser.add_argument("--no-rule-costs", action="store_true",
                        help="skip the Rules sheet: the cost of each Policy row needs one re-solve per row")
    parser.add_argument("--diagnose", metavar="DIAGNOSIS.xlsx",
                        help="if the rules cannot all hold, also write the conflicting input rows to this workbook")
    parser.add_argument("--elastic", action="store_true",
                        help="if the rules cannot all hold, write the plan that breaks them least (sheet "
                             "Violations) and exit with 4 instead of 3")


def run(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.io.paths import same_file
    from planner.pipeline import load, solve
    from planner.problems import InputError

    target, why = output_path(args)
    diagnosis_path = None
    if target is not None and args.diagnose is not None:
        diagnosis_path, why = output_path(args, args.diagnose, "diagnosis")
        if diagnosis_path is not None and same_file(diagnosis_path, target):  # a hard link, a case apart
            diagnosis_path, why = None, "the diagnosis and the plan must be different files"
    if target is None or (args.diagnose is not None and diagnosis_path is None):
        return envelope.begin("invalid", message=why).finish(EXIT_INVALID)
    reading = time.perf_counter()
    try:
        data, warnings = load(args.input, args.update, args.overrides, args.allow_new, read_limits(args))
    except InputError as exc:
        return invalid_input(args, envelope, exc)
    if args.engine != data.settings.engine:
        if not data.two_stage:
            return envelope.begin("invalid", message=f"--engine {args.engine} solves the two-stage mode, but the "
                                  "mode is deterministic: add --two-stage (or set mode to two_stage in Settings)"
                                  ).finish(EXIT_INVALID)
        import dataclasses

        data = dataclasses.replace(data, settings=dataclasses.replace(data.settings, engine=args.engine))
    read_seconds = time.perf_counter() - reading
    for warning in warnings:
        say(f"warning: {warning}", info=True)

    if data.two_stage and data.settings.engine == "mpisppy":
        from planner.stochastic.mpisppy_engine import rank

        if rank() != 0:  # a worker of `mpiexec -n K`: it takes part in the solve; rank 0 alone reports and writes
            solve(data, rule_costs=False, explain=False)
            return EXIT_OK
    plan = solve(data, rule_costs=not args.no_rule_costs, progress=spinner())
    plan.timings = {"read and validate seconds": read_seconds, **plan.timings}
    for key, value in {**plan.run, **plan.timings}.items():
        detail(f"  {key}: {value:.3f}" if isinstance(value, float) and "seconds" in key else f"  {key}: {value}")
    plan.warnings = [str(w) for w in warnings] + plan.warnings
    # solve's object starts with `output`, not `status`: its order since schema version 2
    envelope.set(output=None, **_figures(plan), mip_gap=finite(plan.mip_gap), problem_type=plan.run.get("problem type"),
                 warnings=[w.as_dict() for w in warnings], timings=plan.timings)
    if plan.resilience:
        envelope.set(price_of_resilience=finite(plan.resilience.get("price of resilience")))
    if "max_hhi cut rounds" in plan.run:  # the solve refined max_hhi caps with tangent rows: how many it took
        envelope.set(max_hhi_cuts={"rounds": plan.run["max_hhi cut rounds"], "cuts": plan.run["max_hhi cuts added"]})
    if plan.status == "infeasible":
        envelope.set(conflicts=plan.conflicts)
        if not args.json:
            say("infeasible: the rules cannot all hold." + ("" if args.elastic else " No plan was written."))
            say(f"  solver: {plan.run.get('solver said', plan.message)}")
            for conflict in plan.conflicts:
                say(f"  {conflict}")
        if diagnosis_path is not None:
            from planner.io.write_plan import write_diagnosis

            if not write_file(envelope, lambda: write_diagnosis(plan, diagnosis_path), diagnosis_path):
                return envelope.finish(EXIT_ERROR)
            envelope.set(diagnosis=str(diagnosis_path))
            if not args.json:
                say(f"diagnosis written to {diagnosis_path}", info=True)
        if not args.elastic:
            return envelope.finish(EXIT_INFEASIBLE, quiet=True)
        return _solve_elastic(args, envelope, data, target, plan.warnings)
    if not plan.has_plan:
        envelope.set(conflicts=plan.conflicts)
        return envelope.finish(EXIT_ERROR)
    return _write_plan(args, envelope, data, plan, target, EXIT_OK)


def _figures(plan: Plan) -> dict[str, Any]:
    """A plan's status and costs as --json reports them."""
    from planner.results import reported

    figures: dict[str, Any] = {
        "status": plan.status, "message": plan.message, "total_cost": reported(finite(plan.total_cost)),
        "objective": reported(finite(plan.total_cost)), "landed_cost": reported(finite(plan.landed_cost)),
        "fixed_cost": reported(finite(plan.fixed_cost))}
    if plan.risk:  # the two-stage mode: the contract's figures (workbook-v2 section 3)
        for key in ("objective", "expected_cost", "cvar", "evpi", "vss", "wait_and_see", "eev"):
            value = plan.risk.get(key)
            figures[key] = reported(finite(float(value))) if isinstance(value, (int, float)) else None
        if "lower_bound" in plan.risk:  # --engine mpisppy: what the decomposition proved
            bound, gap = plan.risk["lower_bound"], plan.risk["rel_gap"]  # None: a bound rejected as invalid
            figures.update(lower_bound=None if bound is None else reported(finite(float(bound))),
                           rel_gap=None if gap is None else finite(float(gap)))
        figures.update(worst_scenario=plan.risk.get("worst_scenario"), risk_weight=plan.risk.get("risk_weight"),
                       cvar_alpha=plan.risk.get("cvar_alpha"), engine=plan.risk.get("engine", "ef"))
    if plan.periods:  # several periods: the rest of the total, and the cost of each period (by order period)
        figures.update(holding_cost=reported(plan.holding_cost), expansion_cost=reported(plan.expansion_cost),
                       periods=list(plan.periods), builds=dict(plan.builds))
        if len(plan.cost_by_period):
            figures["cost_by_period"] = {str(row["period"]): reported(float(row["total_cost"]))
                                         for _, row in plan.cost_by_period.iterrows()}
    return figures


def _write_plan(args: argparse.Namespace, envelope: Envelope, data: PlanningData, plan: Plan, target: Path,
                code: int) -> int:
    """Write the plan workbook, then say so: exit `code` once the file is complete."""
    from planner.io.write_plan import write_plan

    writing = time.perf_counter()
    if not write_file(envelope, lambda: write_plan(plan, target, data.settings.currency, data, args.timings), target):
        return envelope.finish(EXIT_ERROR)
    envelope.add_timing("write seconds", time.perf_counter() - writing)
    envelope.set(output=str(target))
    if not args.json:
        mip = plan.mip_gap is not None and plan.run.get("problem type") == "MIP"
        gap = f", MIP gap {plan.mip_gap:.4%}" if mip else ""
        if plan.risk.get("engine") == "mpisppy" and plan.risk.get("lower_bound") is not None:
            gap = f", decomposition's lower bound {plan.risk['lower_bound']:,.2f} (gap {plan.risk['rel_gap']:.2%})"
        print(f"{plan.status}: total cost {plan.total_cost:,.2f} {data.settings.currency}{gap}")
        if plan.status != "optimal":
            print(f"  {plan.message}")
        if plan.resilience.get("price of resilience") is not None:
            print(f"  price of resilience: {plan.resilience['price of resilience']:,.2f} {data.settings.currency} "
                  f"(see the Rules sheet for each rule)")
        print(f"plan written to {target}")
        return code
    return envelope.finish(code)


def _solve_elastic(args: argparse.Namespace, envelope: Envelope, data: PlanningData, target: Path,
                   warnings: list[str]) -> int:
    """--elastic after an infeasible solve: the plan that breaks the rules least, written with exit 4."""
    from planner.pipeline import solve_elastic

    plan = solve_elastic(data)
    plan.warnings = warnings
    if not plan.has_plan:
        envelope.set(status="error", message=plan.message)
        return envelope.finish(EXIT_ERROR)
    envelope.set(**_figures(plan), violations=records(plan.violations))
    if not args.json:
        say(f"relaxed plan: it breaks {len(plan.violations)} row(s) of the input as little as possible:")
        for v in plan.violations.itertuples(index=False):
            say(f"  {v.constraint}: {v[2]} (relaxed by {v.relaxed_by:,.6g})")
    return _write_plan(args, envelope, data, plan, target, EXIT_RELAXED)
