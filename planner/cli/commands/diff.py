"""`planner diff`: what moved between two plan workbooks, on stdout and, with -o, in a workbook."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.cli.envelope import Envelope, records
from planner.cli.exit_codes import EXIT_ERROR, EXIT_OK
from planner.cli.options import add_limit_options, read_limits
from planner.cli.outputs import write_file
from planner.cli.refusals import refused

HELP = "show what moved between two plan workbooks"
DESCRIPTION = ("Compare two plans written by 'planner solve': per item and supplier the quantity and "
               "cost before and after, suppliers entering and leaving, country and bloc share changes, "
               "and the total cost change split into price, reallocation and fixed-cost effects.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD_PLAN.xlsx")
    parser.add_argument("new", metavar="NEW_PLAN.xlsx")
    parser.add_argument("-o", "--output", metavar="DIFF.xlsx", help="also write the diff to this workbook")
    parser.add_argument("--json", action="store_true", help="print the diff as one JSON object on stdout")
    add_limit_options(parser)  # the guard's messages name these options


def run(args: argparse.Namespace, envelope: Envelope) -> int:
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
    if d.periods:  # only plans of several periods carry these: a single-period diff's JSON is as before
        envelope.set(periods=list(d.periods))
    if d.note:
        envelope.set(note=d.note)
    if d.plan_costs:  # a two-stage plan on either side: each plan's costs by kind (a deterministic diff is as before)
        envelope.set(costs=d.plan_costs)
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
