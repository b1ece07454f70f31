"""Replace a file all at once or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(target: Path, save: Callable[[Path], None]) -> None:
    """Call `save(tmp)` on a temporary file beside `target`, then rename it over `target`.

    The rename is atomic on one file system, so a reader sees the old file or
    the new one, never half of either; on any failure the temporary file is
    removed and `target` is untouched.
    """
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        save(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
