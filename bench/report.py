"""What the benchmarks share: a run in a fresh process (its last JSON line, its peak memory), waiting for a quiet
machine, the runs read back from their logs, the table's number formats, and the machine line every benchmark
prints last."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path


def run_child(script: str | Path, argv: list[str], what: str) -> dict:
    """`python script *argv` in a fresh process: the JSON of its last stdout line, with its peak memory
    ("peak MB": max RSS from os.wait4, so the child's own and not the parent's) and the 1-minute load average
    before and after. A child that fails raises, with the end of its stderr and `what` it was."""
    load = os.getloadavg()[0]
    script = Path(script)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, str(script), *argv], stdout=out, stderr=err, cwd=script.parent)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{err.read().decode()[-4000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    return {**result, "peak MB": usage.ru_maxrss / 1024, "load before": load, "load after": os.getloadavg()[0]}


def wait_for_quiet(threshold: float, patience: float) -> float:
    """Wait (at most `patience` seconds) until the 1-minute load average is below `threshold`; the load then."""
    waited = time.perf_counter()
    while os.getloadavg()[0] >= threshold and time.perf_counter() - waited < patience:
        time.sleep(15)
    return os.getloadavg()[0]


def read_runs(paths: list[Path], key: str = "side") -> list[dict]:
    """The runs a benchmark printed (one JSON line each, with `key` among its fields) to the given files, in order."""
    return [json.loads(line) for path in paths for line in path.read_text().splitlines()
            if line.startswith("{") and f'"{key}"' in line]


def check_agree(runs: list[dict], size: tuple[str, ...], rel: float = 1e-6) -> None:
    """Every run optimal, and its objective plain highspy's (the runs of side "highspy") of the same size (the
    fields `size`) to `rel`, relative."""
    plain = {tuple(r[k] for k in size): r["objective"] for r in runs if r["side"] == "highspy"}
    for r in runs:
        assert r["status"] in ("optimal", "kOptimal"), r
        base = plain.get(tuple(r[k] for k in size))
        if base is not None:
            assert abs(r["objective"] - base) <= rel * abs(base), (r, base)


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, {memory:.0f} GiB; Python "
            f"{platform.python_version()}, highspy {version('highspy')}; {time.strftime('%Y-%m-%d')}.")


NOTES = "Notes ("  # how a results file's hand-written notes begin: a line of its own after the machine line


def hand_notes(out: Path) -> str:
    """The hand-written notes of a results file: from its first line that starts with `NOTES`, after the
    machine line, to the end ("" if it has none, or does not exist)."""
    if not out.exists():
        return ""
    lines = out.read_text().splitlines(keepends=True)
    machine_at = next((i for i, line in enumerate(lines) if line.startswith("Machine: ")), None)
    if machine_at is None:
        return ""
    start = next((i for i in range(machine_at + 1, len(lines)) if lines[i].startswith(NOTES)), None)
    return "" if start is None else "".join(lines[start:])


def publish(text: str, out: Path) -> None:
    """Print `text` with the machine line and write both to `out`, followed by the notes written there by
    hand (`hand_notes`), kept as they were: a rerun remakes the table, never the notes."""
    text = f"{text}\n\n{machine()}\n"
    print(text, end="")
    notes = hand_notes(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + (f"\n{notes}" if notes else ""))
