"""`planner frontier`: sweep one Policy rule's value and write cost, concentration and resilience per step."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from planner.cli.envelope import Envelope, records
from planner.cli.exit_codes import EXIT_ERROR, EXIT_INVALID, EXIT_OK
from planner.cli.options import add_change_options, read_limits
from planner.cli.outputs import DEFAULT_OUTPUT_DIR, output_path, write_file
from planner.cli.refusals import invalid_input

if TYPE_CHECKING:
    from pathlib import Path

    from planner.data import PlanningData, Rule

HELP = "sweep one Policy rule's value (or, with --risk, the two-stage risk_weight) and write cost per step"
DESCRIPTION = ("Solve INPUT.xlsx once per value of one Policy rule, from --from to --to in --steps evenly "
               "spaced steps, and write the total cost, the country HHI and the surviving share per "
               "scenario at each step, with charts: how much diversification costs.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT.xlsx")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--rule", metavar="ROW", type=int,
                       help="the rule's row number in the Policy sheet, as Excel shows it")
    which.add_argument("--risk", action="store_true",
                       help="two-stage mode: sweep Settings risk_weight (default from 0 to 1), expected cost "
                            "against CVaR")
    parser.add_argument("--from", dest="start", metavar="A", type=float,
                        help="first value: a share in [0, 1] (for max_spend an amount >= 0; with --risk a weight, "
                             "default 0)")
    parser.add_argument("--to", dest="stop", metavar="B", type=float,
                        help="last value: a share in [0, 1] (for max_spend an amount >= 0; with --risk a weight, "
                             "default 1)")
    parser.add_argument("--steps", metavar="N", type=int, default=11,
                        help="number of values, ends included (default 11)")
    parser.add_argument("-o", "--output", metavar="FRONTIER.xlsx",
                        help=f"workbook to write (default: {DEFAULT_OUTPUT_DIR}/<input name>-frontier.xlsx)")
    parser.add_argument("--json", action="store_true", help="print the table as one JSON object on stdout")
    add_change_options(parser)


def run(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.analysis import MAX_STEPS, sweep_values
    from planner.console import frontier_text
    from planner.pipeline import frontier, load, run_info
    from planner.problems import InputError
    from planner.validate import shown

    if args.risk:
        args.start = 0.0 if args.start is None else args.start
        args.stop = 1.0 if args.stop is None else args.stop
    target, why = output_path(args, args.output, "frontier")
    problems = [why] if target is None else []
    problems += [f"{name} is required with --rule" for name, value in (("--from", args.start), ("--to", args.stop))
                 if value is None]
    if problems:
        return envelope.begin("invalid", message="; ".join(p for p in problems if p)).finish(EXIT_INVALID)
    for name, value in (("--from", args.start), ("--to", args.stop)):
        if not (0.0 <= value < math.inf):  # what else the value must be, its rule's kind says (below)
            problems.append(f"{name} {shown(value)} is not a number >= 0")
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
    if args.risk:
        return _risk_sweep(args, envelope, data, target)
    from planner.model import registry

    def has_value(rule: Rule) -> bool:
        return registry.rule_kind(rule.kind).takes_value

    rules = [r for r in data.rules if r.row == args.rule]
    if not rules or not has_value(rules[0]):
        rows = ", ".join(f"{r.row} ({r.kind})" for r in data.rules if has_value(r)) or "none"
        what = "holds no rule" if not rules else f"is an {rules[0].kind} rule, which has no value to sweep"
        return envelope.begin("invalid", message=f"Policy row {args.rule} {what}; rules with a value: {rows}").finish(
            EXIT_INVALID)
    rule = rules[0]
    from planner.schema import rule_value_problem

    bounds = [f"{name} {problem}" for name, value in (("--from", args.start), ("--to", args.stop))
              if (problem := rule_value_problem(registry.rule_kind(rule.kind), value))]
    if bounds:  # a share sweeps within [0, 1], a max_spend amount any amount >= 0
        return envelope.begin("invalid", message="; ".join(bounds)).finish(EXIT_INVALID)
    from planner.io.write_plan import write_frontier

    table = frontier(data, rule, sweep_values(args.start, args.stop, args.steps))
    run_sheet = {**run_info(data), "rule swept": rule.label(), "steps": len(table)}
    envelope.begin("done", rule=rule.label(), steps=records(table))
    assert target is not None
    if not write_file(envelope, lambda: write_frontier(table, target, rule.label(), data.settings.currency, run_sheet),
                      target):
        return envelope.finish(EXIT_ERROR)
    envelope.set(output=str(target))
    if args.json:
        return envelope.finish(EXIT_OK)
    print(f"sweep of {rule.label()}")
    print(frontier_text(table))
    print(f"frontier written to {target}")
    return EXIT_OK


def _risk_sweep(args: argparse.Namespace, envelope: Envelope, data: PlanningData, target: Path | None) -> int:
    """`frontier --risk`: the two-stage plan at each risk_weight, expected cost against CVaR."""
    from planner.analysis import sweep_values
    from planner.io.write_plan import write_risk_frontier
    from planner.pipeline import risk_frontier, run_info

    bad = [f"{name} {value:g} is not a weight in [0, 1]" for name, value in (("--from", args.start),
                                                                               ("--to", args.stop))
           if not 0.0 <= value <= 1.0]
    if not data.two_stage:
        bad.append("--risk sweeps the two-stage mode's risk_weight: set Settings mode to two_stage (or --set "
                   "mode=two_stage)")
    if bad:
        return envelope.begin("invalid", message="; ".join(bad)).finish(EXIT_INVALID)
    table = risk_frontier(data, sweep_values(args.start, args.stop, args.steps))
    run_sheet = {**run_info(data), "swept": "risk_weight", "steps": len(table)}
    envelope.begin("done", swept="risk_weight", steps=records(table))
    assert target is not None
    if not write_file(envelope, lambda: write_risk_frontier(table, target, data.settings.currency, run_sheet),
                      target):
        return envelope.finish(EXIT_ERROR)
    envelope.set(output=str(target))
    if args.json:
        return envelope.finish(EXIT_OK)
    print(f"sweep of risk_weight (CVaR at alpha {data.settings.cvar_alpha:g})")
    print(table.drop(columns=["why"]).to_string(index=False))
    print(f"frontier written to {target}")
    return EXIT_OK
