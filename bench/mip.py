"""Time to a 1 % and to a 0.01 % MIP gap at scale (fixed costs and minimum orders), and with a heuristic start.

    python bench/mip.py [--offers 50000] [--time-limit 1800] [--out bench/results/mip.md]
    python bench/mip.py --compare-start [--repeat 2] [--out bench/results/mip_start.md]

The instance is bench/instance.py's with a fixed cost of 2,000-20,000 on
every supplier and a minimum order of 5 % of demand on every fifth offer.
The model is built once and solved from scratch with mip_gap 1 % and with
mip_gap 0.01 % (HiGHS stops as soon as it proves the gap, so its time is
the time to that gap), each within the time limit; the incumbents of the
second run and their gaps are listed too.

`--compare-start` instead solves to mip_gap 1 % with and without the
greedy start of planner/heuristic.py (bench/starts.py: each run in its own
process, alternating, after waiting for a load average below 0.5), and
reports the medians of the time to the first incumbent and to the gap.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from report import publish  # noqa: E402 - after the path is set


def mip_data(offers: int):
    """bench/instance.py's instance with fixed costs on every supplier and a minimum order on every fifth offer."""
    import numpy as np
    from instance import arrays, planning_data

    data = planning_data(arrays(offers))
    rng = np.random.default_rng(5)
    suppliers = {k: dataclasses.replace(s, fixed_cost=float(rng.integers(2_000, 20_000)))
                 for k, s in data.suppliers.items()}
    offers_ = {k: (dataclasses.replace(o, min_order=round(0.05 * data.items[o.item].demand, 1)) if n % 5 == 0 else o)
               for n, (k, o) in enumerate(data.offers.items())}
    return dataclasses.replace(data, suppliers=suppliers, offers=offers_)


def compare_start(offers: int, repeat: int, time_limit: float, out: Path, patience: float) -> None:
    from starts import compare, comparison_table

    runs = compare("mip", offers, 0.01, repeat, time_limit, patience=patience)
    first = runs[0]
    text = "\n".join([
        f"Heuristic start against none (bench/mip.py --compare-start): bench/mip.py's instance, {offers:,} offers, "
        f"{first['columns']:,} columns ({first['binaries']:,} binary), {first['rows']:,} rows, "
        f"{first['nonzeros']:,} nonzeros. Each run in its own process, solved from scratch to mip_gap 1 % (time limit "
        f"{time_limit:g} s); with a start, planner/heuristic.py's greedy plan is completed (purchases fixed, HiGHS "
        "decides the binaries) and handed to HiGHS with setSolution. Times count from the start of the heuristic "
        "(or of the solve, without one); medians over the runs; the load is the 1-minute average before and after "
        "each run.", "", *comparison_table(runs)])
    publish(text, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=50_000)
    parser.add_argument("--time-limit", type=float, default=1800.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare-start", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--patience", type=float, default=1200.0,
                        help="seconds to wait for a load average below 0.5 before each run (then it runs anyway)")
    args = parser.parse_args()
    if args.compare_start:
        compare_start(args.offers, args.repeat, args.time_limit, args.out or HERE / "results" / "mip_start.md",
                      args.patience)
        return

    from planner.model import build
    from planner.solver import HighsModel

    data = mip_data(args.offers)
    started = time.perf_counter()
    model = build(data)
    built = time.perf_counter() - started
    size = model.size()
    rows, trace = [], []
    for target in (0.01, 0.0001):
        # a fresh instance per gap: HiGHS stops as soon as it proves the gap, so its time is the time to that gap
        handle = HighsModel(model)
        seen: list[tuple[float, float]] = []

        def progress(stage: str, elapsed: float, gap: float | None, done: bool = False, seen=seen) -> None:
            if gap is not None and (not seen or seen[-1][1] != gap):
                seen.append((elapsed, gap))

        outcome = handle.solve(args.time_limit, target, progress)
        rows.append(f"| {target:.2%} | {outcome.seconds:.1f} | {outcome.status} | "
                    f"{(outcome.gap if outcome.gap is not None else float('nan')):.4%} |")
        print(rows[-1], flush=True)
        trace = seen
    text = "\n".join([
        f"MIP to two gaps (bench/mip.py): {args.offers:,} offers, {len(data.items):,} items, {len(data.suppliers):,} "
        f"suppliers, all with fixed costs, a minimum order on every fifth offer: {size['variables']:,} variables "
        f"({size['binaries']:,} binary), {size['constraints']:,} rows, built and handed to HiGHS in {built:.1f} s. "
        f"Solved from scratch once per mip_gap setting, time limit {args.time_limit:g} s; HiGHS stops as soon as it "
        "proves the gap, so its time is the time to that gap.", "",
        "| mip_gap | HiGHS seconds | status | gap reached |", "|---|---:|---|---:|", *rows, "",
        "Gap at each new incumbent of the 0.01 % run (seconds: gap): "
        + ", ".join(f"{t:.0f}: {g:.3%}" for t, g in trace[:40])])
    publish(text, args.out or HERE / "results" / "mip.md")


if __name__ == "__main__":
    main()
