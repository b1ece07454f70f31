"""`planner template`: write an empty input workbook with every sheet, header and explanation."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.cli.envelope import Envelope
from planner.cli.exit_codes import EXIT_ERROR, EXIT_INVALID, EXIT_OK
from planner.cli.terminal import say

HELP = "write an empty input workbook with explanations"
DESCRIPTION = ("Write an empty input workbook: every sheet and header, a comment on each header, "
               "dropdowns where a column takes a fixed list, and a README sheet explaining each column.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("output", metavar="OUT.xlsx")
    parser.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")


def run(args: argparse.Namespace, envelope: Envelope) -> int:
    """The template has no --json: `envelope` is never printed, and every message is for a person."""
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
