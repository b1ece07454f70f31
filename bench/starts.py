"""One timed MIP solve with or without the heuristic start, each in a child process; for bench/mip.py and
bench/mip_tiers.py.

    python bench/starts.py mip_tiers 10000 --gap 0.01 [--start]   # one run, its JSON on stdout

`solve_once` builds an instance's model, then (with `--start`) times
`planner.heuristic.greedy_plan` and hands its plan to
`HighsModel.solve(start={"buy": plan})`, which completes it (the purchases
fixed, HiGHS decides the rest) and gives it to HiGHS with `setSolution`.
Every time is counted from the moment the heuristic starts (or, without a
start, the solve starts): the heuristic and the completion count against the
start. It records the time to the first incumbent of the real model (the
completion's own incumbents are of the model with purchases fixed and do not
count), the time to the gap (HiGHS stops as soon as it proves it), every
incumbent with its gap, whether HiGHS's log says it took the start, the
sizes, peak memory (max RSS of the child) and the load average before and
after. `compare` runs the configurations alternately, each in a fresh child,
so that each has its own peak memory and both see the machine alike.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402 - after the path is set
from report import wait_for_quiet  # noqa: E402


def _data(instance: str, offers: int):
    if instance == "mip":
        from mip import mip_data

        return mip_data(offers)
    from mip_tiers import tiers_data

    return tiers_data(offers)


def solve_once(instance: str, offers: int, gap: float, start: bool, time_limit: float) -> dict:
    from planner.heuristic import greedy_plan
    from planner.model import build
    from planner.solver import HighsModel

    load = os.getloadavg()[0]
    data = _data(instance, offers)
    t = time.perf_counter()
    model = build(data)
    built = time.perf_counter() - t
    nonzeros = len(model.matrix[2])
    lines: list[str] = []
    log = logging.getLogger("planner.solver-log")
    log.setLevel(logging.INFO)  # new_highs reads it: HiGHS's log then reaches the handler, not stdout
    log.propagate = False
    log.addHandler(type("Keep", (logging.Handler,), {"emit": lambda self, record: lines.append(record.getMessage())})())
    handle = HighsModel(model)
    seen: list[tuple[float, float, float]] = []
    handle.highs.cbMipImprovingSolution.subscribe(
        lambda e: seen.append((time.perf_counter(), float(e.data_out.mip_primal_bound), float(e.data_out.mip_gap))))
    origin = time.perf_counter()
    heuristic = None
    plan = None
    if start:
        plan = greedy_plan(data, model.offers)
        heuristic = time.perf_counter() - origin
    solved_from = time.perf_counter()
    outcome = handle.solve(time_limit, gap, start={"buy": plan} if plan is not None else None)
    total = time.perf_counter() - origin
    report = handle.start_report
    # the completion's incumbents are of the model with purchases fixed: the real model's come after it
    real_from = solved_from + (report.seconds if report is not None else 0.0)
    incumbents = [(at - origin, objective, g) for at, objective, g in seen if at >= real_from]
    size = model.size()
    return {
        "instance": instance, "offers": offers, "gap target": gap, "start": start, "time limit": time_limit,
        "rows": size["constraints"], "columns": size["variables"], "binaries": size["binaries"],
        "nonzeros": nonzeros, "build seconds": built, "heuristic seconds": heuristic,
        "completion seconds": report.seconds if report is not None else None,
        "start objective": report.objective if report is not None else None,
        "start message": report.message if report is not None else None,
        "highs took the start": any("MIP start solution is feasible" in line for line in lines),
        "first incumbent seconds": incumbents[0][0] if incumbents else None,
        "first incumbent objective": incumbents[0][1] if incumbents else None,
        "seconds": total, "status": outcome.status, "termination": outcome.termination,
        "objective": outcome.objective, "bound": outcome.bound, "gap": outcome.gap,
        "incumbents": incumbents[:60], "peak MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load before": load, "load after": os.getloadavg()[0],
    }


def run_child(instance: str, offers: int, gap: float, start: bool, time_limit: float) -> dict:
    cmd = [sys.executable, __file__, instance, str(offers), "--gap", repr(gap), "--time-limit", repr(time_limit)]
    out = subprocess.run(cmd + (["--start"] if start else []), capture_output=True, text=True, check=True, cwd=HERE)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(instance: str, offers: int, gap: float, repeat: int, time_limit: float, quiet: float = 0.5,
            patience: float = 1200.0) -> list[dict]:
    """`repeat` runs without and with the start, alternating, each after waiting for a quiet machine."""
    runs = []
    for _ in range(repeat):
        for start in (False, True):
            wait_for_quiet(quiet, patience)
            runs.append(run_child(instance, offers, gap, start, time_limit))
            print(json.dumps(runs[-1]), flush=True)  # one line per run: `read_runs` rebuilds a table from them
    return runs


def read_runs(paths: list[Path]) -> list[dict]:
    """The runs `compare` printed (one JSON line each) to the given files, in order."""
    runs = report.read_runs(paths, key="instance")
    for run in runs:
        run.setdefault("incumbents", [])
    return runs


def median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 1) -> str:
    return report.fmt(value, digits)


def comparison_table(runs: list[dict]) -> list[str]:
    """Markdown rows, one per (instance, offers, gap, start): medians over the runs, the loads measured under."""
    lines = ["| instance | offers | mip_gap | start | runs | heuristic + completion s | first incumbent s | "
             "first incumbent cost | seconds to gap | status | gap reached | HiGHS took the start | peak MiB | "
             "load (1 min) |", "|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---|---:|---|"]
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        groups.setdefault((r["instance"], r["offers"], r["gap target"], r["start"]), []).append(r)
    for (instance, offers, gap, start), group in groups.items():
        prep = [(r["heuristic seconds"] or 0) + (r["completion seconds"] or 0) for r in group]
        loads = [r["load before"] for r in group] + [r["load after"] for r in group]
        lines.append(
            f"| {instance} | {offers:,} | {gap:.2%} | {'greedy' if start else 'none'} | {len(group)} | "
            f"{fmt(statistics.median(prep), 2) if start else '-'} | {fmt(median(group, 'first incumbent seconds'))} | "
            f"{fmt(median(group, 'first incumbent objective'), 0)} | {fmt(median(group, 'seconds'))} | "
            f"{'/'.join(sorted({r['status'] for r in group}))} | "
            f"{'/'.join('-' if r['gap'] is None else format(r['gap'], '.3%') for r in group)} | "
            f"{'yes' if all(r['highs took the start'] for r in group) else 'no' if start else '-'} | "
            f"{max(r['peak MB'] for r in group):,.0f} | {min(loads):.2f}-{max(loads):.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("instance", choices=["mip", "mip_tiers"])
    parser.add_argument("offers", type=int)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--start", action="store_true")
    parser.add_argument("--time-limit", type=float, default=1800.0)
    args = parser.parse_args()
    print(json.dumps(solve_once(args.instance, args.offers, args.gap, args.start, args.time_limit)))


if __name__ == "__main__":
    main()
