"""Time to a 1 % and to a 0.01 % MIP gap at scale (fixed costs and minimum orders).

    python bench/mip.py [--offers 50000] [--time-limit 600] [--out bench/results/mip.md]

Generates an instance like bench/scale.py's, with a fixed cost on every
supplier and a minimum order on every fifth offer, builds the model once,
and solves it to each gap from scratch, recording HiGHS's time, the status
and the gap reached. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=50_000)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "mip.md")
    args = parser.parse_args()

    import numpy as np

    from planner.model import create_model
    from planner.solve import HighsModel
    from scale import generate

    data = generate(args.offers)
    rng = np.random.default_rng(5)
    suppliers = {k: dataclasses.replace(s, fixed_cost=float(rng.integers(2_000, 20_000)))
                 for k, s in data.suppliers.items()}
    offers = {k: (dataclasses.replace(o, min_order=round(0.05 * data.items[o.item].demand, 1)) if n % 5 == 0 else o)
              for n, (k, o) in enumerate(data.offers.items())}
    data = dataclasses.replace(data, suppliers=suppliers, offers=offers)
    started = time.perf_counter()
    model = create_model(data)
    build = time.perf_counter() - started
    rows = []
    for gap in (0.01, 0.0001):
        handle = HighsModel(model)
        outcome = handle.solve(args.time_limit, gap)
        rows.append(f"| {args.offers:,} | {gap:.2%} | {outcome.seconds:.1f} | {outcome.status} | "
                    f"{(outcome.gap or 0):.4%} |")
        print(rows[-1], flush=True)
    text = "\n".join([
        f"MIP to two gaps (bench/mip.py): {len(data.items):,} items, {len(data.suppliers):,} suppliers with fixed "
        f"costs, a minimum order on every fifth offer; model built in {build:.1f} s, time limit "
        f"{args.time_limit:g} s.", "",
        "| offers | mip_gap | HiGHS seconds | status | gap reached |", "|---|---|---|---|---|", *rows, "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}."])
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
