"""Where a command's files go: the default path, the checks made before any work, and writing one file.

An output path is checked before anything is read or solved, so that a
long solve never ends in "cannot write there"; a write that still fails
(a full disk) is reported in the envelope, and the file is left as it was.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from planner.cli.envelope import Envelope

DEFAULT_OUTPUT_DIR = Path("outputs")


def output_path(args: argparse.Namespace, given: str | None = None, suffix: str = "plan"
                ) -> tuple[Path | None, str | None]:
    """An output path (the plan's by default), or why it cannot be used; checked before any work is done."""
    from planner.io.paths import open_elsewhere, read_by, run_reads

    source = Path(args.input)
    if given is None and suffix == "plan":
        given = args.output
    if given is None:
        DEFAULT_OUTPUT_DIR.mkdir(exist_ok=True)
        target = DEFAULT_OUTPUT_DIR / f"{source.stem}-{suffix}.xlsx"
    else:
        target = Path(given)
    if target.suffix.lower() != ".xlsx":
        return None, f"the {suffix} must be an .xlsx file, got '{target}'"
    main_input = "the batch table" if getattr(args, "runs", None) is not None else "the input file"
    clash = read_by(target, run_reads(source, getattr(args, "update", ()), main_input))
    if clash is not None:  # any file this run reads, not only the input: an update file is data too
        return None, f"the output '{target}' is {clash}; choose another output path"
    if not target.parent.is_dir():
        return None, f"the output folder '{target.parent}' does not exist"
    if target.is_dir():
        return None, f"the output '{target}' is a folder"
    if not os.access(target.parent, os.W_OK | os.X_OK):
        return None, f"cannot write in the output folder '{target.parent}' (permission denied)"
    if target.exists() and not os.access(target, os.W_OK):
        return None, f"the output '{target}' is read-only"
    why = open_elsewhere(target)
    return (None, why) if why else (target, None)


def write_file(envelope: Envelope, write: Callable[[], object], target: Path) -> bool:
    """Run `write` (which writes `target`); False, with status error and the reason in the envelope, if it failed."""
    try:
        write()
    except OSError as exc:
        envelope.set(status="error", message=f"could not write '{target}': {exc.strerror or exc}")
        return False
    return True
