"""The `planner` command: solve, validate, template.

Exit codes (the contract): 0 a plan was written (optimal or feasible);
2 the input is invalid; 3 the rules cannot all hold (infeasible); 1 anything
else. Added here: 4 with `--elastic`, a plan that breaks some rules as little
as possible was written. With `--json`, stdout carries exactly one JSON object and nothing else;
human messages always go to stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from planner.cli.envelope import JSON_SCHEMA_VERSION, LIST_KEYS, SOLVE_KEYS, Envelope, finite, records
from planner.cli.exit_codes import (EXIT_ERROR, EXIT_INFEASIBLE, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_PIPE,
                                    EXIT_RELAXED, EXIT_TERMINATED)
from planner.cli.options import CommandParser, add_change_options, add_limit_options, noise_options, read_limits
from planner.cli.outputs import DEFAULT_OUTPUT_DIR, output_path, write_file
from planner.cli.refusals import invalid_input, refused
from planner.cli.terminal import detail, own_stdout, pipe_closed, progress_bar, say, set_verbosity, spinner
from planner.entry import Terminated, on_sigterm

class _Versions(argparse.Action):
    """`--version`: one line per package, unwrapped (argparse's own version action re-flows the text)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from planner.about import version_text

        print(version_text())
        parser.exit(EXIT_OK)


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="planner",
        description="Plan where to buy: the least-cost supplier mix that meets demand under "
                    "concentration caps, exclusions and disruption scenarios.",
        epilog="Exit codes: 0 plan written, 1 error, 2 invalid input, 3 infeasible rules, "
               "4 relaxed plan written (--elastic). "
               "Run 'planner template FILE.xlsx' for an empty input workbook with explanations.",
    )
    parser.add_argument("--version", action=_Versions, nargs=0,
                        help="show the planner's and its dependencies' versions (as a plan's Run sheet lists them)")
    common = noise_options()
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)

    solve = sub.add_parser(
        "solve", parents=[common], help="solve an input workbook and write the plan workbook",
        description="Read INPUT.xlsx, check it, find the least-cost plan that obeys every Policy rule, "
                    "and write the plan workbook (sheets Plan, Summary, Scenarios, Run). Nothing is written "
                    "when the input is invalid (exit 2) or the rules cannot all hold (exit 3); an existing "
                    "plan file is replaced only by a complete new one.")
    solve.add_argument("input", metavar="INPUT.xlsx", help="input workbook (see 'planner template')")
    solve.add_argument("-o", "--output", metavar="PLAN.xlsx",
                       help=f"plan workbook to write (default: {DEFAULT_OUTPUT_DIR}/<input name>-plan.xlsx)")
    solve.add_argument("--json", action="store_true",
                       help="print one JSON object (status, total_cost, output, ...) on stdout and nothing else")
    add_change_options(solve)
    solve.add_argument("--timings", action="store_true",
                       help="also record wall-clock times in the Run sheet (the plan then differs byte for byte "
                            "between runs; without it the same input gives the same file)")
    solve.add_argument("--no-rule-costs", action="store_true",
                       help="skip the Rules sheet: the cost of each Policy row needs one re-solve per row")
    solve.add_argument("--diagnose", metavar="DIAGNOSIS.xlsx",
                       help="if the rules cannot all hold, also write the conflicting input rows to this workbook")
    solve.add_argument("--elastic", action="store_true",
                       help="if the rules cannot all hold, write the plan that breaks them least (sheet "
                            "Violations) and exit with 4 instead of 3")

    frontier = sub.add_parser(
        "frontier", parents=[common], help="sweep one Policy rule's value and write cost, concentration and resilience per step",
        description="Solve INPUT.xlsx once per value of one Policy rule, from --from to --to in --steps evenly "
                    "spaced steps, and write the total cost, the country HHI and the surviving share per "
                    "scenario at each step, with charts: how much diversification costs.")
    frontier.add_argument("input", metavar="INPUT.xlsx")
    frontier.add_argument("--rule", metavar="ROW", type=int, required=True,
                          help="the rule's row number in the Policy sheet, as Excel shows it")
    frontier.add_argument("--from", dest="start", metavar="A", type=float, required=True, help="first value, a share in [0, 1]")
    frontier.add_argument("--to", dest="stop", metavar="B", type=float, required=True, help="last value, a share in [0, 1]")
    frontier.add_argument("--steps", metavar="N", type=int, default=11, help="number of values, ends included (default 11)")
    frontier.add_argument("-o", "--output", metavar="FRONTIER.xlsx",
                          help=f"workbook to write (default: {DEFAULT_OUTPUT_DIR}/<input name>-frontier.xlsx)")
    frontier.add_argument("--json", action="store_true", help="print the table as one JSON object on stdout")
    add_change_options(frontier)

    batch = sub.add_parser(
        "batch", parents=[common], help="run many plans from a table of runs (base workbook, updates, overrides, output)",
        description="Solve every run of RUNS.csv (or the first sheet of RUNS.xlsx): columns name, base, updates "
                    "(';'-separated), set (';'-separated overrides), output, allow_new. Paths are relative to "
                    "the table's folder. Each base is read once and a run whose model has the shape of an "
                    "earlier one re-uses it. Writes every plan and a summary workbook; exit 0 if every run "
                    "wrote its plan, 1 if any did not (the summary says why), 2 if the table is invalid.")
    batch.add_argument("runs", metavar="RUNS.csv")
    batch.add_argument("-o", "--output", metavar="SUMMARY.xlsx",
                       help=f"summary workbook (default: {DEFAULT_OUTPUT_DIR}/<table name>-summary.xlsx)")
    batch.add_argument("--no-rule-costs", action="store_true", help="skip the Rules sheet of every plan")
    batch.add_argument("--timings", action="store_true", help="record wall-clock times in each plan's Run sheet")
    batch.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    add_limit_options(batch)  # the guard's messages name these options, for the table and every file of a run

    diff = sub.add_parser(
        "diff", parents=[common], help="show what moved between two plan workbooks",
        description="Compare two plans written by 'planner solve': per item and supplier the quantity and "
                    "cost before and after, suppliers entering and leaving, country and bloc share changes, "
                    "and the total cost change split into price, reallocation and fixed-cost effects.")
    diff.add_argument("old", metavar="OLD_PLAN.xlsx")
    diff.add_argument("new", metavar="NEW_PLAN.xlsx")
    diff.add_argument("-o", "--output", metavar="DIFF.xlsx", help="also write the diff to this workbook")
    diff.add_argument("--json", action="store_true", help="print the diff as one JSON object on stdout")
    add_limit_options(diff)  # the guard's messages name these options

    validate = sub.add_parser(
        "validate", parents=[common], help="check an input workbook without solving",
        description="Check every sheet, row and cell of INPUT.xlsx and list every problem at once "
                    "(exit 2 if there is any error, 0 otherwise). Nothing is written.")
    validate.add_argument("input", metavar="INPUT.xlsx")
    validate.add_argument("--json", action="store_true", help="print the result as one JSON object")
    add_change_options(validate)

    template = sub.add_parser(
        "template", parents=[common], help="write an empty input workbook with explanations",
        description="Write an empty input workbook: every sheet and header, a comment on each header, "
                    "dropdowns where a column takes a fixed list, and a README sheet explaining each column.")
    template.add_argument("output", metavar="OUT.xlsx")
    template.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")
    return parser


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()  # "total seconds" in --json is the whole run, parsing included
    console = argv is None and threading.current_thread() is threading.main_thread()
    if console:  # the console command only; not a host program calling main()
        # the console script installed it before importing this module (planner/entry.py); installing it here
        # too covers a console-like caller of main() that did not start there
        signal.signal(signal.SIGTERM, on_sigterm)
        own_stdout()
    try:
        code = _run(argv, started)
        sys.stdout.flush()  # inside the try: a closed pipe shows at the flush when stdout is buffered
        return code
    except BrokenPipeError:
        return pipe_closed()


def _run(argv: list[str] | None, started: float) -> int:
    args = build_parser().parse_args(argv)
    set_verbosity(getattr(args, "quiet", False), getattr(args, "verbose", False))
    printed = getattr(args, "json", False)
    envelope = Envelope(args.command, started, printed)
    try:
        if args.command == "solve":
            return _solve(args, envelope)
        if args.command == "validate":
            return _validate(args, envelope)
        if args.command == "frontier":
            return _frontier(args, envelope)
        if args.command == "batch":
            return _batch(args, envelope)
        if args.command == "diff":
            return _diff(args, envelope)
        return _template(args, envelope)
    except BrokenPipeError:
        raise  # the reader of stdout went away: not an error of ours (see `terminal.pipe_closed`)
    except (KeyboardInterrupt, Terminated) as exc:
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "terminated"
        say(f"{what}; nothing was written")
        if printed:  # a fresh object: what the command had filled in no longer holds
            Envelope(args.command, started, printed).begin("error", message=f"{what}; nothing was written").emit()
        return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_TERMINATED
    except Exception as exc:  # the contract: a message, never a traceback
        if os.environ.get("PLANNER_DEBUG"):
            traceback.print_exc()
        message = f"internal error: {type(exc).__name__}: {exc} (set PLANNER_DEBUG=1 for details)"
        if printed:
            Envelope(args.command, started, printed).begin("error", message=message).emit()
        else:
            say(message)
        return EXIT_ERROR


def _solve(args: argparse.Namespace, envelope: Envelope) -> int:
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
    read_seconds = time.perf_counter() - reading
    for warning in warnings:
        say(f"warning: {warning}", info=True)

    plan = solve(data, rule_costs=not args.no_rule_costs, progress=spinner())
    plan.timings = {"read and validate seconds": read_seconds, **plan.timings}
    for key, value in {**plan.run, **plan.timings}.items():
        detail(f"  {key}: {value:.3f}" if isinstance(value, float) and "seconds" in key else f"  {key}: {value}")
    plan.warnings = [str(w) for w in warnings]
    # solve's object starts with `output`, not `status`: its order since version 2
    envelope.set(output=None, **_figures(plan), mip_gap=finite(plan.mip_gap), problem_type=plan.run.get("problem type"),
                 warnings=[w.as_dict() for w in warnings], timings=plan.timings)
    if plan.resilience:
        envelope.set(price_of_resilience=finite(plan.resilience.get("price of resilience")))
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


def _figures(plan: Any) -> dict[str, Any]:
    """A plan's status and costs as --json reports them."""
    from planner.results import reported

    return {"status": plan.status, "message": plan.message, "total_cost": reported(finite(plan.total_cost)),
            "objective": reported(finite(plan.total_cost)), "landed_cost": reported(finite(plan.landed_cost)),
            "fixed_cost": reported(finite(plan.fixed_cost))}


def _write_plan(args: argparse.Namespace, envelope: Envelope, data: Any, plan: Any, target: Path, code: int) -> int:
    from planner.io.write_plan import write_plan

    writing = time.perf_counter()
    if not write_file(envelope, lambda: write_plan(plan, target, data.settings.currency, data, args.timings), target):
        return envelope.finish(EXIT_ERROR)
    envelope.add_timing("write seconds", time.perf_counter() - writing)
    envelope.set(output=str(target))
    if not args.json:
        gap = f", MIP gap {plan.mip_gap:.4%}" if plan.mip_gap is not None and plan.run.get("problem type") == "MIP" else ""
        print(f"{plan.status}: total cost {plan.total_cost:,.2f} {data.settings.currency}{gap}")
        if plan.status != "optimal":
            print(f"  {plan.message}")
        if plan.resilience.get("price of resilience") is not None:
            print(f"  price of resilience: {plan.resilience['price of resilience']:,.2f} {data.settings.currency} "
                  f"(see the Rules sheet for each rule)")
        print(f"plan written to {target}")
        return code
    return envelope.finish(code)


def _solve_elastic(args: argparse.Namespace, envelope: Envelope, data: Any, target: Path, warnings: list[str]) -> int:
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


def _validate(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.pipeline import load
    from planner.problems import InputError

    try:
        data, warnings = load(args.input, args.update, args.overrides, args.allow_new, read_limits(args))
    except InputError as exc:
        if args.json:
            return invalid_input(args, envelope, exc)
        for problem in exc.problems:
            print(f"error: {problem}")
        for warning in exc.warnings:
            print(f"warning: {warning}")
        print(f"{len(exc.problems)} error(s), {len(exc.warnings)} warning(s)")
        return EXIT_INVALID
    summary = (f"{len(data.items)} items, {len(data.suppliers)} suppliers, {len(data.countries)} countries, "
               f"{len(data.offers)} offers, {len(data.rules)} rules, {len(data.scenarios)} scenarios; "
               f"{'MIP' if data.is_mip else 'LP'}")
    if args.json:
        return envelope.begin("valid", message=summary, problems=[],
                              warnings=[w.as_dict() for w in warnings]).finish(EXIT_OK)
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"valid: {summary}")
    return EXIT_OK


def _frontier(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.analysis import MAX_STEPS, sweep_values
    from planner.console import frontier_text
    from planner.pipeline import frontier, load, run_info
    from planner.problems import InputError
    from planner.validate import shown

    target, why = output_path(args, args.output, "frontier")
    problems = [why] if target is None else []
    for name, value in (("--from", args.start), ("--to", args.stop)):
        if not (0.0 <= value <= 1.0):
            problems.append(f"{name} {shown(value)} is not a share in [0, 1] (write 30 % as 0.3)")
    if args.steps < 1:
        problems.append(f"--steps {args.steps} must be at least 1")
    elif args.steps > MAX_STEPS:  # checked before the values are built: a billion steps would exhaust memory
        problems.append(f"--steps {args.steps:,} is more than {MAX_STEPS:,}, the most a sweep takes (each step "
                        "is one solve; 1,001 steps go from 0 to 1 by 0.1 percentage point)")
    if problems:
        return envelope.begin("invalid", message="; ".join(p for p in problems if p)).finish(EXIT_INVALID)
    try:
        data, _ = load(args.input, args.update, args.overrides, args.allow_new, read_limits(args))
    except InputError as exc:
        return invalid_input(args, envelope, exc)
    rules = [r for r in data.rules if r.row == args.rule]
    if not rules or rules[0].kind == "exclude":
        rows = ", ".join(f"{r.row} ({r.kind})" for r in data.rules if r.kind != "exclude") or "none"
        what = "holds no rule" if not rules else "is an exclude rule, which has no value to sweep"
        return envelope.begin("invalid", message=f"Policy row {args.rule} {what}; rules with a value: {rows}").finish(
            EXIT_INVALID)
    rule = rules[0]
    from planner.io.write_plan import write_frontier

    table = frontier(data, rule, sweep_values(args.start, args.stop, args.steps))
    run = {**run_info(data), "rule swept": rule.label(), "steps": len(table)}
    envelope.begin("done", rule=rule.label(), steps=records(table))
    assert target is not None
    if not write_file(envelope, lambda: write_frontier(table, target, rule.label(), data.settings.currency, run), target):
        return envelope.finish(EXIT_ERROR)
    envelope.set(output=str(target))
    if args.json:
        return envelope.finish(EXIT_OK)
    print(f"sweep of {rule.label()}")
    print(frontier_text(table))
    print(f"frontier written to {target}")
    return EXIT_OK


def _diff(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.console import diff_text
    from planner.diff import check_comparable, diff_plans
    from planner.io.paths import overwrite_problem
    from planner.io.read_plan import read_plan
    from planner.problems import ProblemLog

    log = ProblemLog()
    old, new = read_plan(args.old, log, read_limits(args)), read_plan(args.new, log, read_limits(args))
    check_comparable(old, new, log)
    target = Path(args.output) if args.output else None
    if target is not None and (target.suffix.lower() != ".xlsx" or not target.parent.is_dir()):
        log.error(str(target), "", "", "the diff must be an .xlsx file in an existing folder")
    why = overwrite_problem(target, [("the old plan", args.old), ("the new plan", args.new)]) if target else None
    if why is not None:
        log.error(str(target), "", "", why)
    if old is None or new is None or log.errors:
        return refused(args, envelope, log, "; ".join(str(p) for p in log.errors))
    d = diff_plans(old, new)
    envelope.begin("done", total_cost=d.totals["total cost new"], currency=d.currency or None, totals=d.totals,
                   suppliers_entering=d.suppliers_entering, suppliers_leaving=d.suppliers_leaving,
                   lines=records(d.lines))
    if target is not None:
        from planner.io.write_plan import write_diff

        if not write_file(envelope, lambda: write_diff(d, target, old.name, new.name), target):
            return envelope.finish(EXIT_ERROR)
        envelope.set(output=str(target))
    if args.json:
        return envelope.finish(EXIT_OK)
    print(diff_text(d))
    if target is not None:
        print(f"diff written to {target}")
    return EXIT_OK


def _batch(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.batch import check_files, parse_runs, run_batch
    from planner.console import batch_text
    from planner.io.read import read_text_table
    from planner.io.write_plan import write_batch_summary
    from planner.problems import ProblemLog

    args.input = args.runs
    target, why = output_path(args, args.output, "summary")
    log = ProblemLog()
    table = read_text_table(args.runs, log, read_limits(args))
    runs = parse_runs(table[0], table[1], Path(args.runs).resolve().parent, log) if table is not None else []
    if table is not None:
        check_files(table[0], runs, Path(args.runs), target, log)
    if target is None or log.errors:
        return refused(args, envelope, log, why or f"{len(log.errors)} problem(s) in the batch table")
    progress = progress_bar() if not args.json and sys.stderr.isatty() else None
    summary, totals = run_batch(runs, rule_costs=not args.no_rule_costs, timings=args.timings, progress=progress,
                                limits=read_limits(args))
    assert target is not None
    envelope.begin("done", totals=totals, runs=records(summary))
    if not write_file(envelope, lambda: write_batch_summary(summary, totals, target), target):
        return envelope.finish(EXIT_ERROR)
    envelope.set(output=str(target))
    code = EXIT_OK if totals["plans written"] == totals["runs"] else EXIT_ERROR
    if args.json:
        return envelope.finish(code)
    print(batch_text(summary))
    print(f"{totals['plans written']} of {totals['runs']} plans written in {totals['seconds']:.1f} s "
          f"(models built {totals['models built']}, re-used {totals['models re-used']}); summary written to {target}")
    return code


def _template(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.io.write_input import write_input_workbook

    target = Path(args.output)
    if target.suffix.lower() != ".xlsx":
        say(f"the template must be an .xlsx file, got '{target}'")
        return EXIT_INVALID
    if target.exists() and not args.force:
        say(f"'{target}' exists; use --force to replace it")
        return EXIT_ERROR
    from planner.io.paths import open_elsewhere

    why = open_elsewhere(target)
    if why is not None:  # not even with --force: the open copy's next save would undo it
        say(why)
        return EXIT_INVALID
    if not target.parent.is_dir():
        say(f"the folder '{target.parent}' does not exist")
        return EXIT_ERROR
    write_input_workbook(target)
    print(f"template written to {target}")
    return EXIT_OK
