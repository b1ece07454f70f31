"""What every benchmark prints last: the machine it ran on, and the table written to its results file."""

from __future__ import annotations

import os
import platform
import time
from importlib.metadata import version
from pathlib import Path


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, {memory:.0f} GiB; Python "
            f"{platform.python_version()}, highspy {version('highspy')}; {time.strftime('%Y-%m-%d')}.")


def publish(text: str, out: Path) -> None:
    """Print `text` with the machine line and write both to `out`."""
    text = f"{text}\n\n{machine()}\n"
    print(text, end="")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
