"""What a person sees while a command runs: who owns stdout, what is said on stderr and how loudly, progress.

Stdout carries only the planner's results (or the one JSON object of
`--json`); every message, warning, spinner and solver log line goes to
stderr, and `-q` / `-v` decide how much of it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from planner.cli.exit_codes import EXIT_PIPE

if TYPE_CHECKING:  # only for the hints: importing them for real would load pandas and HiGHS
    from planner.batch import BatchRun
    from planner.batch import Progress as BatchProgress
    from planner.results import Plan
    from planner.solver import Progress

# -1 with -q, 1 with -v. One setting for the process, as the options are one per run: main() sets it from them
# before a command starts, and every message of that run reads it.
_verbosity = 0


def set_verbosity(quiet: bool, verbose: bool) -> None:
    """-q: only errors on stderr; -v: also the run's details and HiGHS's log."""
    global _verbosity
    _verbosity = -1 if quiet else (1 if verbose else 0)
    if _verbosity > 0:
        _show_solver_log()


def own_stdout() -> None:
    """Keep file descriptor 1 for the planner's own output.

    A library writing to the C-level stdout (HiGHS's banner, a solver log)
    would corrupt `--json` and what scripts parse. Descriptor 1 is pointed
    at stderr for the whole run and `sys.stdout` is rebound to a private
    copy of the real stdout, which only Python code writes to.
    """
    try:
        own = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # stdout or stderr closed: nothing to protect, nothing to gain
        return
    sys.stdout = os.fdopen(own, "w", encoding=sys.stdout.encoding or "utf-8", errors="replace",
                           buffering=1 if sys.stdout.isatty() else -1)


def pipe_closed() -> int:
    """Whoever read stdout stopped reading (`planner diff A B | head`): end quietly, as Unix tools do.

    Nothing more can be said on stdout; stdout is pointed at /dev/null so
    that Python's flush at exit does not complain, and the exit code is
    128 + SIGPIPE, what a shell reports for a tool that the closed pipe
    stopped. Files were complete before any line was printed (each is
    written before its message), so nothing is left half-written.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_PIPE


def say(text: str, info: bool = False) -> None:
    """A human message on stderr; `info` messages (warnings, notes) are dropped by -q."""
    if info and _verbosity < 0:
        return
    print(text, file=sys.stderr)


def detail(text: str) -> None:
    """Shown with -v only."""
    if _verbosity > 0:
        print(text, file=sys.stderr)


def _show_solver_log() -> None:
    """-v: HiGHS's log lines (see `planner.highs`) on stderr, each marked as the solver's."""
    import logging  # here, not at the top: only -v needs it, and `import planner.cli` stays light

    logger = logging.getLogger("planner.solver-log")
    if not any(getattr(h, "_planner", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("  HiGHS: %(message)s"))
        handler._planner = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def spinner() -> Progress | None:
    """Progress for long solves on a terminal: stage, elapsed time and MIP gap, shown after one second."""
    if _verbosity < 0 or not sys.stderr.isatty():
        return None
    frames = "|/-\\"
    state = {"tick": 0, "shown": False}

    def show(stage: str, elapsed: float, gap: float | None, done: bool = False) -> None:
        if done:
            if state["shown"]:
                sys.stderr.write("\r" + " " * 78 + "\r")
                sys.stderr.flush()
                state["shown"] = False
            return
        if elapsed < 1.0:
            return
        state["tick"] += 1
        gap_text = f", gap {gap:.2%}" if gap is not None and gap == gap and gap != float("inf") else ""
        sys.stderr.write(f"\r{frames[state['tick'] % 4]} {stage}: {elapsed:.1f} s{gap_text}".ljust(78)[:78])
        sys.stderr.flush()
        state["shown"] = True
    return show


def progress_bar() -> BatchProgress:
    """A one-line progress bar on stderr for terminals: runs done, share, and the last run's outcome."""
    def show(done: int, total: int, run: BatchRun, plan: Plan | None, status: str) -> None:
        width = 24
        filled = int(width * done / total)
        cost = f" {plan.total_cost:,.2f}" if plan is not None and plan.has_plan else ""
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {run.name}: {status}{cost}"
        sys.stderr.write(line[:120].ljust(120))
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show
