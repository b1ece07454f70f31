"""Replace a file all at once or not at all, and leave nothing behind if killed.

The new content is complete in memory before the file system is touched, so
a process killed while it builds a plan has written nothing. On Linux the
bytes then go to an unnamed file (`O_TMPFILE`) in the target's folder, which
vanishes by itself if the process dies; only once complete and flushed does
it get a name, renamed over the target in one step. Where the file system
cannot name an unnamed file (some sandboxes and overlays), a named
temporary file `.NAME.PID.RANDOM.tmp` is used instead, removed on any error;
one left by a process killed in the few milliseconds of writing it is
removed by the next write to the same target (its process is gone). Either
way a reader sees the old file or the new one, never part of either.
"""

from __future__ import annotations

import errno
import glob
import os
import secrets
from pathlib import Path


def atomic_write(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically (see the module's docstring)."""
    target = Path(target)
    remove_stale(target)
    fd = _unnamed(target.parent)
    if fd is None:
        _named(target, data)
        return
    staged = _temporary_name(target)
    try:
        _write_all(fd, data)
        try:
            os.link(f"/proc/self/fd/{fd}", staged, follow_symlinks=True)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EOPNOTSUPP, errno.EPERM, errno.ENOENT):
                raise
            _named(target, data)  # some file systems (overlays) cannot name an unnamed file
            return
        os.replace(staged, target)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    _sync_folder(target.parent)


def _unnamed(folder: Path) -> int | None:
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None  # the file system cannot make unnamed files: fall back to a named one
        raise


def _temporary_name(target: Path) -> Path:
    return target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"


def remove_stale(target: Path) -> list[Path]:
    """Remove temporary files of `target` left by processes that no longer run; return them."""
    removed = []
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        parts = leftover.name[len(target.name) + 2:].split(".")
        if len(parts) != 3 or not parts[0].isdigit() or _alive(int(parts[0])):
            continue
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _named(target: Path, data: bytes) -> None:
    tmp = _temporary_name(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _write_all(fd, data)
        os.close(fd)
        fd = -1
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself is still atomic
    finally:
        os.close(fd)

