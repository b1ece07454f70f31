"""Output paths the planner may write: never a file the same run reads, never a file open in Excel.

Every command checks its outputs here before it does any work, so that a
mistyped `-o` (the input, an update file, a batch's base) is refused with a
message instead of replacing the data it was meant to read. Paths are
compared as the file system sees them: resolved (so `./x.xlsx`, `../d/x.xlsx`
and a symlink to `x.xlsx` are `x.xlsx`) and, when both exist, by identity
(a hard link is the same file under another name). Resolved paths that differ
only in case are the same file too (`path_key`): on the case-insensitive file
systems of macOS and Windows `Plan.xlsx` is `plan.xlsx`, even before either
exists, and `resolve()` keeps the case it is given. On a case-sensitive file
system this refuses a pair that would not clash; the cost is choosing another
name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def path_key(path: str | Path) -> str:
    """A path as outputs are compared: resolved and case-folded (may raise OSError, RuntimeError)."""
    return str(Path(path).resolve()).casefold()


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when writing `a` would replace what `b` holds (or might, on a case-insensitive file system)."""
    a, b = Path(a), Path(b)
    try:
        if path_key(a) == path_key(b):
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, RuntimeError):  # a symlink loop, a folder we may not look into: not provably the same file
        return False


def read_by(target: str | Path, reads: Iterable[tuple[str, str | Path]]) -> str | None:
    """What the run reads at `target` (the description paired with the first file that is `target`), or None.

    `reads` pairs each file the run reads with how messages name it ("the input file", "the update file 'u.csv'").
    """
    for what, path in reads:
        if same_file(target, path):
            return what
    return None


def open_elsewhere(target: str | Path) -> str | None:
    """Why `target` must not be replaced now: Excel or LibreOffice holds it open (its lock file is beside it)."""
    target = Path(target)
    for lock, program in ((target.parent / f"~${target.name}", "Excel"),
                          (target.parent / f".~lock.{target.name}#", "LibreOffice")):
        if lock.exists():
            return (f"'{target.name}' is open in {program} (lock file '{lock.name}'): close it first, or "
                    f"delete the lock file if {program} is not running")
    return None


def run_reads(input_file: str | Path | None, updates: Iterable[str | Path] = (), name: str = "the input file"
              ) -> list[tuple[str, str | Path]]:
    """The files a solve, validate, frontier or batch run reads, named as messages name them (`name`: the
    main input's, "the batch table" for a batch)."""
    reads: list[tuple[str, str | Path]] = [(name, input_file)] if input_file is not None else []
    return reads + [(f"the update file '{u}'", u) for u in updates]


def overwrite_problem(target: str | Path, reads: Iterable[tuple[str, str | Path]]) -> str | None:
    """Why the run may not write `target` (it reads it, or it is open in Excel), or None."""
    what = read_by(target, reads)
    if what is not None:
        return f"the output '{target}' is {what}; choose another output path"
    return open_elsewhere(target)
