"""The console command's first lines: SIGTERM is ours before anything else is imported.

`planner` (the console script) and `python -m planner` start here. The
handler is installed before `planner.cli` and everything it imports are
loaded, so a SIGTERM from the first milliseconds of a run on ends with the
planner's message and exit code 143 (what is left uncovered is Python's own
start-up, before any code of ours runs). Host programs that call
`planner.cli.main(argv)` keep their own handlers.
"""

from __future__ import annotations

import signal
import sys


class Terminated(BaseException):
    """SIGTERM as an exception that half-done work is cleaned up by; a BaseException, like KeyboardInterrupt,
    so that no `except Exception` mistakes it for a failure of its own."""


def on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def run() -> int:
    """Install the SIGTERM handler, then import and run the command line."""
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        from planner.cli import main
    except Terminated:  # during the imports themselves: nothing has been read or written yet
        print("terminated; nothing was written", file=sys.stderr)
        return 143
    return main()


def console() -> None:
    sys.exit(run())
