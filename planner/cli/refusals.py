"""Exit 2 before any work is done: an input with problems, or a run refused for what it was given.

Either way every problem is listed once, as `  error: ...` lines on stderr
or as the envelope's `problems`, and nothing is written.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from planner.cli.envelope import Envelope
from planner.cli.exit_codes import EXIT_INVALID
from planner.cli.terminal import say

if TYPE_CHECKING:
    from planner.problems import InputError, ProblemLog


def invalid_input(args: argparse.Namespace, envelope: Envelope, exc: InputError) -> int:
    """The input workbook (with its updates and overrides) has problems: each one, and its warnings."""
    envelope.begin("invalid", message=f"{len(exc.problems)} problem(s) in the input",
                   problems=[p.as_dict() for p in exc.problems], warnings=[p.as_dict() for p in exc.warnings])
    if not args.json:
        changed = getattr(args, "update", None) or getattr(args, "overrides", None)
        said = " (with its updates and overrides)" if changed else ""
        say(f"{args.input}{said}: {len(exc.problems)} problem(s); nothing was written.")
        for problem in exc.problems:
            say(f"  error: {problem}")
        for warning in exc.warnings:
            say(f"  warning: {warning}", info=True)
    return envelope.finish(EXIT_INVALID, quiet=True)


def refused(args: argparse.Namespace, envelope: Envelope, log: ProblemLog, message: str) -> int:
    """Problems found before any work (a batch table, the plans to diff): a headline, then each problem once."""
    if not args.json:
        listed = message == "; ".join(str(p) for p in log.errors)
        say(f"invalid: {len(log.errors)} problem(s); nothing was written" if listed else f"invalid: {message}")
        for problem in log.errors:
            say(f"  error: {problem}")
    return envelope.begin("invalid", message=message, problems=[p.as_dict() for p in log.errors]).finish(
        EXIT_INVALID, quiet=True)
