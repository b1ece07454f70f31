"""Time each phase of the planner at scale, against plain highspy on the identical LP.

    python bench/scale.py --offers 10000 100000 [--workbook] [--out bench/results/scale.md]

For each size, in a fresh subprocess (so that peak memory is that run's own):
generate an instance (items x 20 suppliers each, 20 countries, a 40 % cap per
country and item, 50 % coverage in 5 scenarios that each stop one country),
optionally write it as a workbook and read it back, then time validate
(workbook only), build (`create_model`), hand-off (`HighsModel`: compile and
pass to HiGHS), solve, extract (`extract_plan`) and write (`write_plan`, with
the workbook); and build + solve the same LP directly with highspy from numpy
arrays. Both optima must agree. Prints a table and writes it to --out.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPPLIERS_PER_ITEM = 20
COUNTRIES = 20
SCENARIOS = 5


def generate(offers: int, seed: int = 1):
    """PlanningData with `offers` offers, built through the public dataclasses (no workbook)."""
    import numpy as np

    from planner.data import Country, GroupSpec, Group, Item, Offer, PlanningData, Rule, ScenarioHit, Supplier

    rng = np.random.default_rng(seed)
    n_items = max(1, offers // SUPPLIERS_PER_ITEM)
    n_suppliers = max(SUPPLIERS_PER_ITEM, n_items // 10)
    countries = {f"C{k}": Country(f"C{k}", tariff=float(rng.choice([0, 0.05, 0.1]))) for k in range(COUNTRIES)}
    suppliers = {f"S{k}": Supplier(f"S{k}", f"C{k % COUNTRIES}") for k in range(n_suppliers)}
    items = {f"I{k}": Item(f"I{k}", float(rng.integers(50, 500))) for k in range(n_items)}
    offer_map = {}
    for item in items.values():
        chosen = rng.choice(n_suppliers, size=SUPPLIERS_PER_ITEM, replace=False)
        prices = rng.uniform(10, 60, size=SUPPLIERS_PER_ITEM).round(2)
        caps = rng.uniform(0.1, 0.6, size=SUPPLIERS_PER_ITEM) * item.demand
        for s, p, c in zip(chosen, prices, caps):
            offer_map[item.name, f"S{s}"] = Offer(item.name, f"S{s}", float(p), float(round(c, 1)))
    rules = (Rule("max_share", None, GroupSpec("country"), 0.4, row=2), Rule("min_coverage", None, None, 0.5, row=3))
    hits = tuple(ScenarioHit(f"stop C{k}", Group("country", f"C{k}"), None, 0.0, row=2 + k) for k in range(SCENARIOS))
    return PlanningData(items, suppliers, countries, offer_map, rules, hits)


def plain_highspy(data) -> tuple[float, float, float]:
    """The same LP built straight from arrays: (build seconds, solve seconds, objective)."""
    import highspy
    import numpy as np

    started = time.perf_counter()
    offers = list(data.offers.values())
    n = len(offers)
    item_index = {name: k for k, name in enumerate(data.items)}
    country_names = list(data.countries)
    country_index = {c: k for k, c in enumerate(country_names)}
    item_of = np.fromiter((item_index[o.item] for o in offers), dtype=np.int64, count=n)
    country_of = np.fromiter((country_index[data.suppliers[o.supplier].country] for o in offers), dtype=np.int64, count=n)
    price = np.fromiter((o.price for o in offers), dtype=float, count=n)
    tariff = np.array([data.countries[c].tariff for c in country_names])[country_of]
    cost = price * (1 + tariff)
    cap = np.fromiter((o.capacity for o in offers), dtype=float, count=n)
    demand = np.array([i.demand for i in data.items.values()])
    share, cover = data.rules[0].value, data.rules[1].value
    n_items = len(demand)
    cols = np.arange(n)
    # rows: demand (item), cap (item, country) for pairs that exist, coverage (item, scenario)
    pair = item_of * len(country_names) + country_of
    pairs, pair_row = np.unique(pair, return_inverse=True)
    stopped = [country_index[h.group.name] for h in data.scenario_hits]
    row_parts = [item_of, n_items + pair_row]
    col_parts = [cols, cols]
    val_parts = [np.ones(n), np.ones(n)]
    base = n_items + len(pairs)
    for k, c in enumerate(stopped):
        alive = country_of != c
        row_parts.append(base + k * n_items + item_of[alive])
        col_parts.append(cols[alive])
        val_parts.append(np.ones(int(alive.sum())))
    rows = np.concatenate(row_parts)
    order = np.lexsort((np.concatenate(col_parts), rows))
    m = base + len(stopped) * n_items
    lower = np.concatenate([demand, np.full(len(pairs), -highspy.kHighsInf), np.tile(cover * demand, len(stopped))])
    upper = np.concatenate([demand, share * demand[pairs // len(country_names)],
                            np.full(len(stopped) * n_items, highspy.kHighsInf)])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(n), cap
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=m))]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(col_parts)[order].astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(val_parts)[order]
    h = highspy.Highs()
    h.silent()
    h.passModel(lp)
    built = time.perf_counter() - started
    h.run()
    solved = time.perf_counter() - started - built
    return built, solved, h.getInfo().objective_function_value


def one(offers: int, workbook: bool) -> dict:
    """Run every phase for one size in this process; returns the timings."""
    out: dict[str, object] = {"offers": offers}
    started = time.perf_counter()
    import planner  # noqa: F401 - import time is part of a run
    from planner.io.write_plan import write_plan
    from planner.model import build, structural_conflicts
    from planner.results import extract_plan
    from planner.solve import HighsModel

    out["import"] = time.perf_counter() - started
    data = generate(offers)
    with tempfile.TemporaryDirectory() as folder:
        if workbook:
            from bench_workbook import write_instance

            path = write_instance(data, Path(folder) / "in.xlsx")
            t = time.perf_counter()
            data, _ = planner.read(path)
            out["read + validate"] = time.perf_counter() - t
        t = time.perf_counter()
        assert not structural_conflicts(data)
        model = build(data)
        out["build"] = time.perf_counter() - t
        t = time.perf_counter()
        handle = HighsModel(model)
        out["hand-off"] = time.perf_counter() - t
        outcome = handle.solve(600, 1e-4)
        out["solve"] = outcome.seconds
        t = time.perf_counter()
        plan = extract_plan(model, handle.values, data, outcome)
        out["extract"] = time.perf_counter() - t
        if workbook:
            t = time.perf_counter()
            write_plan(plan, Path(folder) / "plan.xlsx", "EUR", data)
            out["write"] = time.perf_counter() - t
    out["objective"] = outcome.objective
    built, solved, objective = plain_highspy(data)
    out["highspy build"], out["highspy solve"], out["highspy objective"] = built, solved, objective
    out["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workbook", action="store_true", help="also write, read and validate a workbook")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.md")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.workbook)))
        return
    rows = []
    for size in args.offers:
        cmd = [sys.executable, __file__, "--one", str(size)] + (["--workbook"] if args.workbook else [])
        result = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        assert abs(result["objective"] - result["highspy objective"]) <= 1e-6 * abs(result["objective"]), result
        rows.append(result)
        print(json.dumps(result), flush=True)
    phases = ["read + validate", "build", "hand-off", "solve", "extract", "write"]
    lines = ["| offers | " + " | ".join(phases) + " | planner build..extract | highspy build + solve | ratio | peak MB |",
             "|---" * (len(phases) + 5) + "|"]
    for r in rows:
        ours = sum(r[p] for p in ("build", "hand-off", "solve", "extract"))
        theirs = r["highspy build"] + r["highspy solve"]
        cells = [f"{r[p]:.2f}" if p in r else "-" for p in phases]
        lines.append(f"| {r['offers']:,} | " + " | ".join(cells) + f" | {ours:.2f} | {theirs:.2f} | "
                     f"{ours / theirs:.1f}x | {r['peak MB']:,.0f} |")
    text = "\n".join([
        "Seconds per phase (bench/scale.py); LP of items x 20 suppliers, 20 countries, a 40 % cap per country "
        "and item, 50 % coverage in 5 scenarios. Same optimum as plain highspy in every row.",
        "", *lines, "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores."])
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
