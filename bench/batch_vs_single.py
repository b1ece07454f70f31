"""Time a batch of price updates against the same runs as single `planner solve` commands.

    python bench/batch_vs_single.py [--runs 50] [--out bench/results/batch.md]

Generates RUNS price-update files for the bundled example (every offer price
moved by a seeded random factor in [0.9, 1.1]), then times, as a user would
run them, one `planner batch` over all of them and RUNS separate
`planner solve --update` commands; checks that both give the same total cost
per run; prints and writes a table. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "example.xlsx"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "batch.md")
    args = parser.parse_args()
    offers = list(csv.DictReader((ROOT / "inputs" / "example" / "offers.csv").open()))
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        lines = ["name,base,updates,output"]
        for k in range(1, args.runs + 1):
            update = work / f"prices-{k:02d}.csv"
            with update.open("w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["item", "supplier", "price"])
                for o in offers:
                    w.writerow([o["item"], o["supplier"], round(float(o["price"]) * rng.uniform(0.9, 1.1), 2)])
            lines.append(f"week{k:02d},{EXAMPLE},{update.name},batch-{k:02d}.xlsx")
        (work / "runs.csv").write_text("\n".join(lines) + "\n")

        started = time.perf_counter()
        batch = subprocess.run([sys.executable, "-m", "planner", "batch", str(work / "runs.csv"), "--json",
                                "-o", str(work / "summary.xlsx")], capture_output=True, text=True, check=True)
        batch_seconds = time.perf_counter() - started
        summary = json.loads(batch.stdout)
        batch_costs = {r["name"]: r["total_cost"] for r in summary["runs"]}

        started = time.perf_counter()
        single_costs = {}
        for k in range(1, args.runs + 1):
            out = subprocess.run([sys.executable, "-m", "planner", "solve", str(EXAMPLE), "--update",
                                  str(work / f"prices-{k:02d}.csv"), "-o", str(work / f"single-{k:02d}.xlsx"),
                                  "--json"], capture_output=True, text=True, check=True)
            single_costs[f"week{k:02d}"] = json.loads(out.stdout)["total_cost"]
        single_seconds = time.perf_counter() - started

    assert all(abs(batch_costs[n] - single_costs[n]) <= 1e-6 * abs(single_costs[n]) for n in single_costs), \
        "batch and single runs disagree"
    ratio = batch_seconds / single_seconds
    table = "\n".join([
        f"Batch of {args.runs} price updates on inputs/example.xlsx (MIP, 45 variables; every plan with its Rules "
        "sheet), measured by bench/batch_vs_single.py",
        "",
        "| runs | one `planner batch` (s) | separate `planner solve` (s) | ratio | models built / re-used |",
        "|---|---|---|---|---|",
        f"| {args.runs} | {batch_seconds:.1f} | {single_seconds:.1f} | {ratio:.2f} | "
        f"{summary['totals']['models built']} / {summary['totals']['models re-used']} |",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{_cores()} cores. Same total cost in every run both ways.",
    ])
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table + "\n")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


if __name__ == "__main__":
    main()
