"""The `planner` command: parse the command line, run the command it names, end every run with an exit code.

Exit codes (the contract, `planner.cli.exit_codes`): 0 a plan was written
(optimal or feasible); 2 the input is invalid; 3 the rules cannot all hold
(infeasible); 1 anything else. Added here: 4 with `--elastic`, a plan that
breaks some rules as little as possible was written. With `--json`, stdout
carries exactly one JSON object (`planner.cli.envelope`) and nothing else;
human messages always go to stderr (`planner.cli.terminal`).

Each command is a module of `planner.cli.commands`, found through its
table. This module and everything it imports stay light: `planner/entry.py`
imports it after installing the SIGTERM handler, and pandas, the pipeline
and the writers load inside the commands.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import traceback
from typing import Any

from planner.cli.commands import COMMANDS
from planner.cli.envelope import JSON_SCHEMA_VERSION, LIST_KEYS, SOLVE_KEYS, Envelope
from planner.cli.exit_codes import (EXIT_ERROR, EXIT_INFEASIBLE, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_PIPE,
                                    EXIT_RELAXED, EXIT_TERMINATED)
from planner.cli.options import CommandParser, noise_options
from planner.cli.outputs import DEFAULT_OUTPUT_DIR
from planner.cli.terminal import own_stdout, pipe_closed, say, set_verbosity
from planner.entry import Terminated, on_sigterm

# what planner.cli offered before it became a package, for host programs that read the codes or the envelope's keys
__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_ERROR", "EXIT_INVALID", "EXIT_INFEASIBLE", "EXIT_RELAXED",
           "EXIT_PIPE", "DEFAULT_OUTPUT_DIR", "JSON_SCHEMA_VERSION", "LIST_KEYS", "SOLVE_KEYS"]


class _Versions(argparse.Action):
    """`--version`: one line per package, unwrapped (argparse's own version action re-flows the text)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from planner.about import version_text

        print(version_text())
        parser.exit(EXIT_OK)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: `planner`'s own options, then each command's from its module."""
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
    for name, command in COMMANDS.items():
        command.add_arguments(sub.add_parser(name, parents=[common], help=command.HELP,
                                             description=command.DESCRIPTION))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line `argv` (the process's own when None) and return its exit code."""
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
    try:
        return COMMANDS[args.command].run(args, Envelope(args.command, started, printed))
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
