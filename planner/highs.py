"""The one place a HiGHS instance is made (`new_highs`).

HiGHS writes to the process's standard output from C++ (highspy 1.16 prints
a banner when the first `Highs()` is created, before any option can be set),
so `print` redirection cannot catch it. `new_highs` points file descriptor 1
elsewhere while the instance is created and switches HiGHS's console output
off before handing it out; the solver's log then reaches only the `log`
callback or, by default, the `planner.solver-log` logger (which the CLI
shows on stderr with `-v`), or nowhere when that logger is off. Every
HiGHS instance of the planner comes from here, so no code path can forget
it (`tests/test_stdout.py` checks that nothing else calls `highspy.Highs`).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import highspy

_CREATING = threading.Lock()
SOLVER_LOG = logging.getLogger("planner.solver-log")


@contextmanager
def stdout_diverted() -> Iterator[None]:
    """Send whatever is written to file descriptor 1 to /dev/null for the block.

    Python's own `sys.stdout` buffer is flushed first, so nothing the
    program printed before is lost or reordered.
    """
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        saved = os.dup(1)
    except OSError:  # no standard output at all: nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def new_highs(log: Callable[[str], None] | None = None) -> highspy.Highs:
    """A HiGHS instance that never writes to stdout; its log lines go to `log`, if given, else to the
    `planner.solver-log` logger at INFO when that logger is enabled at the time the instance is made.

    The lock keeps two threads from diverting descriptor 1 at once (the
    second would restore the first's diversion).
    """
    with _CREATING, stdout_diverted():
        highs = highspy.Highs()
    highs.setOptionValue("log_to_console", False)
    if log is None and SOLVER_LOG.isEnabledFor(logging.INFO):
        log = SOLVER_LOG.info
    if log is None:
        highs.setOptionValue("output_flag", False)
    else:
        highs.setOptionValue("output_flag", True)

        def forward(event: object) -> None:
            text = str(getattr(event, "message", "")).rstrip("\n")
            if text:
                log(text)

        highs.cbLogging.subscribe(forward)
    return highs
