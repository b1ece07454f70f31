"""MIP speed with volume-discount tiers on every offer and a supplier count per item, with and without a start.

    python bench/mip_tiers.py [--offers 10000 50000] [--gaps 0.01 0.001] [--repeat 2] [--time-limit 1800]
                              [--out bench/results/mip_tiers.md]
    python bench/mip_tiers.py --offers 10000 --gaps 0.01 --repeat 1 --time-limit 300   # a first look

The instance is bench/instance.py's (items x 20 suppliers, 20 countries, a
40 % cap per country and item, 50 % coverage in 5 scenarios) plus:

* 2 or 3 price breaks on every offer (`Tiers` rows): breaks at 5-50 % of
  the item's demand, the price falling 3-8 % at each break; every other
  offer all-units, the others incremental (`--discount` for one kind only);
* a `max_suppliers` rule: at most k = 3 suppliers deliver each item
  (one Policy row with a blank item: every item, separately).

For each size and each mip_gap setting the model is built and solved from
scratch, without a start and with planner/heuristic.py's greedy start
(bench/starts.py: each run in its own process, alternating, after waiting
for a load average below 0.5), `--repeat` times each; HiGHS stops as soon as
it proves the gap, so its time is the time to that gap. The table gives
sizes, medians of the time to the first incumbent and to the gap, peak memory
and the load measured under; the incumbents of one run per setting are
listed with their gaps. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from report import publish  # noqa: E402 - after the path is set

MAX_SUPPLIERS = 3
BREAKS = (2, 3)  # price breaks per offer, drawn from this range
BREAK_AT = (0.05, 0.5)  # breaks at these fractions of the item's demand
PRICE_DROP = (0.03, 0.08)  # the price falls by this much at each break


def tiers_data(offers: int, discount: str = "mixed", k: int = MAX_SUPPLIERS, seed: int = 7):
    """bench/instance.py's instance with 2-3 price breaks on every offer (all-units on even offers and incremental
    on odd ones for "mixed", else `discount` on all) and a max_suppliers rule of k for every item."""
    import numpy as np
    from instance import arrays, planning_data

    from planner.data import Rule, Tier

    data = planning_data(arrays(offers))
    rng = np.random.default_rng(seed)
    n = len(data.offers)
    count = rng.integers(BREAKS[0], BREAKS[1] + 1, n)
    fraction = np.sort(rng.uniform(*BREAK_AT, (n, BREAKS[1])), axis=1)
    factor = np.cumprod(1.0 - rng.uniform(*PRICE_DROP, (n, BREAKS[1])), axis=1)
    tiers, priced = {}, {}
    for j, (key, offer) in enumerate(data.offers.items()):
        demand = data.items[offer.item].demand
        at = np.round(fraction[j, :count[j]] * demand, 1)
        at = np.round(np.maximum.accumulate(at + 0.1 * np.arange(count[j])), 1)  # strictly ascending
        tiers[key] = tuple(Tier(offer.item, offer.supplier, float(b), round(offer.price * float(f), 2))
                           for b, f in zip(at.tolist(), factor[j, :count[j]].tolist()))
        kind = discount if discount != "mixed" else ("all_units" if j % 2 == 0 else "incremental")
        priced[key] = dataclasses.replace(offer, discount=kind)
    rules = data.rules + (Rule("max_suppliers", None, None, float(k), row=len(data.rules) + 2),)
    return dataclasses.replace(data, offers=priced, tiers=tiers, rules=rules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--gaps", type=float, nargs="*", default=[0.01, 0.001])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=1800.0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "mip_tiers.md")
    parser.add_argument("--patience", type=float, default=1200.0,
                        help="seconds to wait for a load average below 0.5 before each run (then it runs anyway)")
    args = parser.parse_args()

    from starts import compare, comparison_table

    runs: list[dict] = []
    for offers in args.offers:
        for gap in args.gaps:
            runs += compare("mip_tiers", offers, gap, args.repeat, args.time_limit, patience=args.patience)
    sizes = {r["offers"]: r for r in runs}
    lines = ["| offers | items | rows | columns | binaries | nonzeros | build s |", "|---:" * 7 + "|"]
    for offers, r in sizes.items():
        lines.append(f"| {offers:,} | {offers // 20:,} | {r['rows']:,} | {r['columns']:,} | {r['binaries']:,} | "
                     f"{r['nonzeros']:,} | {r['build seconds']:.1f} |")
    traces = []
    for r in runs:
        key = (r["offers"], r["gap target"], r["start"])
        if key not in {t[0] for t in traces}:
            traces.append((key, r["incumbents"]))
    trace_lines = [f"* {offers:,} offers, mip_gap {gap:.2%}, {'greedy start' if start else 'no start'}: "
                   + ", ".join(f"{t:.1f}: {g:.3%}" for t, _, g in incumbents[:25]) for (offers, gap, start), incumbents
                   in traces]
    text = "\n".join([
        "MIP with tiers and supplier counts (bench/mip_tiers.py): bench/instance.py's instance plus 2-3 price breaks "
        f"on every offer (at {BREAK_AT[0]:.0%}-{BREAK_AT[1]:.0%} of the item's demand, the price falling "
        f"{PRICE_DROP[0]:.0%}-{PRICE_DROP[1]:.0%} at each; every other offer all-units, the rest incremental) and "
        f"at most {MAX_SUPPLIERS} suppliers per item. Each run builds the model and solves it from scratch in its own "
        f"process, time limit {args.time_limit:g} s; HiGHS stops as soon as it proves the gap, so its time is the "
        "time to that gap. With a start, planner/heuristic.py's greedy plan is completed (purchases fixed, HiGHS "
        "decides the binaries and tier columns) and handed to HiGHS with setSolution; times count from the start of "
        "the heuristic (or of the solve, without one). Medians over the runs; peak memory is the highest; the load "
        "is the 1-minute average before and after each run.", "",
        *lines, "", *comparison_table(runs), "",
        "Incumbents of the first run of each setting (seconds: gap; inf until HiGHS has a bound):", "", *trace_lines])
    publish(text, args.out)


if __name__ == "__main__":
    main()
