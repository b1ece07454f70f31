"""`planner validate`: check an input workbook (with its changes) and list every problem, without solving."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from planner.cli.envelope import Envelope
from planner.cli.exit_codes import EXIT_INVALID, EXIT_OK
from planner.cli.options import add_change_options, read_limits
from planner.cli.refusals import invalid_input

if TYPE_CHECKING:
    from planner.data import PlanningData

HELP = "check an input workbook without solving"
DESCRIPTION = ("Check every sheet, row and cell of INPUT.xlsx and list every problem at once "
               "(exit 2 if there is any error, 0 otherwise). Nothing is written.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT.xlsx")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    add_change_options(parser)


def run(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner.pipeline import load
    from planner.problems import InputError

    try:
        data, warnings = load(args.input, args.update, args.overrides, args.allow_new, read_limits(args))
    except InputError as exc:
        if args.json:
            return invalid_input(args, envelope, exc)
        # the problems are validate's result: on stdout, unlike the other commands' refusals
        for problem in exc.problems:
            print(f"error: {problem}")
        for warning in exc.warnings:
            print(f"warning: {warning}")
        print(f"{len(exc.problems)} error(s), {len(exc.warnings)} warning(s)")
        return EXIT_INVALID
    summary = (f"{len(data.items)} items, {len(data.suppliers)} suppliers, {len(data.countries)} countries, "
               f"{len(data.offers)} offers, {len(data.rules)} rules, {len(data.scenarios)} scenarios"
               + "".join(f", {count} {noun}" for count, noun in ((len(data.periods), "periods"),
                                                                 (len(data.routes), "routes"),
                                                                 (len(data.expansions), "expansions")) if count)
               + _two_stage(data)
               + f"; {'MIP' if data.is_mip else 'LP'}")  # the several-periods counts only where there are some
    if args.json:
        return envelope.begin("valid", message=summary, problems=[],
                              warnings=[w.as_dict() for w in warnings]).finish(EXIT_OK)
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"valid: {summary}")
    return EXIT_OK


def _two_stage(data: PlanningData) -> str:
    """The summary's words on the two-stage mode: its scenarios, the baseline's probability, the risk measure."""
    if not data.two_stage:
        return ""
    from planner.data import BASELINE
    from planner.validate import shown

    probabilities = data.probabilities
    risk = (f", risk_weight {shown(data.settings.risk_weight)} at cvar_alpha {shown(data.settings.cvar_alpha)}"
            if data.settings.risk_weight else "")
    return (f"; two-stage: {len(probabilities) - 1} scenarios and the {BASELINE} (probability "
            f"{shown(round(probabilities[BASELINE], 12))}){risk}")
