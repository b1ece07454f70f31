"""Time the planner at scale, phase by phase, against plain highspy on the identical LP.

    python bench/scale.py                          # API 10k..2M (3 runs each), workbooks 10k..500k (~25 min)
    python bench/scale.py --api 100000 --workbook  # a quick look
    python bench/scale.py --out bench/results/scale.md

Instances come from `bench/instance.py` (seeded). Every measurement runs in a
fresh subprocess, so that its peak memory (max RSS) is its own:

* api: planner data built in code from the arrays (`planning_data`, not
  timed), then `planner.solve(data, rule_costs=False)`, whose plan records
  build, hand-off, solve, and extract (plan tables and the independent check)
  seconds. Import time is measured separately.
* highspy: the same LP built straight from the arrays with numpy and solved by
  highspy (`instance.plain_lp`): build and solve seconds. Both optima must agree.
* workbook: `planner solve IN.xlsx -o OUT.xlsx --json`, the command a user
  types, timed from process start to exit (Python start-up and imports
  included); its JSON gives read and validate, ..., write seconds.
  Without rule costs and with them (the default: one re-solve per Policy row
  and one without any rule).

Prints a Markdown table and writes it to --out. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from report import publish  # noqa: E402 - after the path is set


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_api(offers: int) -> dict:
    from instance import arrays, planning_data

    started = time.perf_counter()
    import planner

    imported = time.perf_counter() - started
    data = planning_data(arrays(offers))
    t = time.perf_counter()
    plan = planner.solve(data, rule_costs=False)
    total = time.perf_counter() - t
    assert plan.status == "optimal", plan.message
    return {"import": imported, **plan.timings, "planner.solve": total, "objective": plan.total_cost,
            "rows": plan.run["constraints"], "columns": plan.run["variables"], "peak MB": _peak_mb()}


def run_highspy(offers: int) -> dict:
    from instance import arrays, plain_lp

    inst = arrays(offers)
    t = time.perf_counter()
    h = plain_lp(inst)
    built = time.perf_counter() - t
    h.run()
    solved = time.perf_counter() - t - built
    return {"build": built, "solve": solved, "objective": h.getInfo().objective_function_value,
            "status": h.getModelStatus().name, "rows": h.getNumRow(), "peak MB": _peak_mb()}


def run_child(kind: str, offers: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(offers)], capture_output=True, text=True,
                         check=True, cwd=HERE)
    return json.loads(out.stdout)


# `python -m planner`, plus a line on stderr with the process's own peak memory when it exits
CLI = ("import atexit, resource, sys; atexit.register(lambda: sys.stderr.write("
       "'PEAK_MB %f\\n' % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))); "
       "from planner.cli import main; sys.exit(main())")


def run_cli(path: Path, rule_costs: bool) -> dict:
    """`planner solve` in a subprocess: wall seconds from start to exit, its JSON timings, and its peak memory."""
    out = path.with_name(path.stem + "-plan.xlsx")
    cmd = [sys.executable, "-c", CLI, "solve", str(path), "-o", str(out), "--json"]
    if not rule_costs:
        cmd.append("--no-rule-costs")
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    peak = float(proc.stderr.rsplit("PEAK_MB", 1)[1])
    return {"wall": wall, **result["timings"], "objective": result["total_cost"], "peak MB": peak}


def median_run(runs: list[dict], key) -> dict:
    """The run with the median `key` (of an odd number of runs; the lower middle of an even one), with the
    highest peak memory of all runs."""
    chosen = dict(sorted(runs, key=key)[(len(runs) - 1) // 2])
    chosen["peak MB"] = max(r["peak MB"] for r in runs)
    return chosen


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", type=int, nargs="*", default=[10_000, 100_000, 500_000, 2_000_000])
    parser.add_argument("--workbook", type=int, nargs="*", default=[10_000, 100_000, 500_000])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale.md")
    parser.add_argument("--repeat", type=int, default=3, help="runs per API size; the table shows the median run")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, offers = args.child[0], int(args.child[1])
        print(json.dumps(run_api(offers) if kind == "api" else run_highspy(offers)))
        return

    api_rows = []
    for offers in args.api:
        runs = []
        for _ in range(args.repeat):  # alternating, so that both sides see the machine alike
            ours, plain = run_child("api", offers), run_child("highspy", offers)
            assert plain["status"] == "kOptimal" and plain["rows"] == ours["rows"], (plain, ours)
            assert abs(ours["objective"] - plain["objective"]) <= 1e-7 * abs(plain["objective"]), (ours, plain)
            runs.append((ours, plain))
            print(json.dumps({"offers": offers, "planner": ours, "highspy": plain}), flush=True)
        ours = median_run([r[0] for r in runs], lambda r: r["planner.solve"])
        plain = median_run([r[1] for r in runs], lambda r: r["build"] + r["solve"])
        api_rows.append((offers, ours, plain))

    book_rows = []
    with tempfile.TemporaryDirectory() as folder:
        from instance import arrays, write_workbook

        for offers in args.workbook:
            path = write_workbook(arrays(offers), Path(folder) / f"offers-{offers}.xlsx")
            size = path.stat().st_size / 1e6
            lean, full = run_cli(path, rule_costs=False), run_cli(path, rule_costs=True)
            book_rows.append((offers, size, lean, full))
            print(json.dumps({"offers": offers, "MB": size, "no rule costs": lean, "rule costs": full}), flush=True)

    lines = [
        "### Model: `planner.solve(data)` against plain highspy on the same LP (data built from the API)",
        "",
        f"Median of {args.repeat} runs each (by total time); peak memory is the highest of the runs.",
        "",
        "| offers | rows | build | hand-off | solve | extract + check | planner total | highspy build | "
        "highspy solve | highspy total | ratio | planner peak MiB | highspy peak MiB |",
        "|---:" * 13 + "|",
    ]
    for offers, ours, plain in api_rows:
        total = ours["planner.solve"]
        theirs = plain["build"] + plain["solve"]
        lines.append(
            f"| {offers:,} | {ours['rows']:,} | {fmt(ours['build seconds'])} | {fmt(ours['hand-off seconds'])} | "
            f"{fmt(ours['solve seconds'])} | {fmt(ours['extract and check seconds'])} | {fmt(total)} | "
            f"{fmt(plain['build'])} | {fmt(plain['solve'])} | {fmt(theirs)} | {total / theirs:.2f}x | "
            f"{ours['peak MB']:,.0f} | {plain['peak MB']:,.0f} |")
    if book_rows:
        lines += [
            "",
            "### Whole command: `planner solve IN.xlsx -o OUT.xlsx` (wall clock, Python start-up included)",
            "",
            "| offers | workbook MB | read + validate | build + hand-off | solve | extract + check | write | "
            "wall, --no-rule-costs | wall, with rule costs | rule analysis | peak MiB |",
            "|---:" * 11 + "|",
        ]
        for offers, size, lean, full in book_rows:
            lines.append(
                f"| {offers:,} | {size:.1f} | {fmt(lean['read and validate seconds'])} | "
                f"{fmt(lean['build seconds'] + lean['hand-off seconds'])} | {fmt(lean['solve seconds'])} | "
                f"{fmt(lean['extract and check seconds'])} | {fmt(lean['write seconds'])} | {fmt(lean['wall'])} | "
                f"{fmt(full['wall'])} | {fmt(full.get('rule analysis seconds'))} | {full['peak MB']:,.0f} |")
    text = "\n".join([
        "Seconds per phase (bench/scale.py, instances from bench/instance.py: items x 20 suppliers, 20 countries, "
        "a 40 % cap per country and item, 50 % coverage in 5 scenarios that each stop one country). "
        "The planner's optimum equals plain highspy's in every row.",
        "", *lines])
    publish(text, args.out)

if __name__ == "__main__":
    main()
