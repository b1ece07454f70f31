"""`planner batch`: run every plan of a table of runs, then write a summary workbook of them all."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner.cli.envelope import Envelope, records
from planner.cli.exit_codes import EXIT_ERROR, EXIT_OK
from planner.cli.options import add_limit_options, read_limits
from planner.cli.outputs import DEFAULT_OUTPUT_DIR, output_path, write_file
from planner.cli.refusals import refused
from planner.cli.terminal import progress_bar

HELP = "run many plans from a table of runs (base workbook, updates, overrides, output)"
DESCRIPTION = ("Solve every run of RUNS.csv (or the first sheet of RUNS.xlsx): columns name, base, updates "
               "(';'-separated), set (';'-separated overrides), output, allow_new. Paths are relative to "
               "the table's folder. Each base is read once and a run whose model has the shape of an "
               "earlier one re-uses it. Writes every plan and a summary workbook; exit 0 if every run "
               "wrote its plan, 1 if any did not (the summary says why), 2 if the table is invalid.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", metavar="RUNS.csv")
    parser.add_argument("-o", "--output", metavar="SUMMARY.xlsx",
                        help=f"summary workbook (default: {DEFAULT_OUTPUT_DIR}/<table name>-summary.xlsx)")
    parser.add_argument("--no-rule-costs", action="store_true", help="skip the Rules sheet of every plan")
    parser.add_argument("--timings", action="store_true", help="record wall-clock times in each plan's Run sheet")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    add_limit_options(parser)  # the guard's messages name these options, for the table and every file of a run


def run(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.batch import check_files, parse_runs, run_batch
    from planner.console import batch_text
    from planner.io.read import read_text_table
    from planner.io.write_plan import write_batch_summary
    from planner.problems import ProblemLog

    args.input = args.runs  # the table is this run's input: the default summary path and clashes go by it
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
