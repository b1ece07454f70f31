"""Generated instances for tests that need size or hardness (seeded: the same every run)."""

from __future__ import annotations

import random
from pathlib import Path

from helpers import countries, write_workbook


def facility_mip(path: Path, time_limit: float = 60, mip_gap: float = 0.0, items: int = 120, suppliers: int = 50,
                 per_item: int = 14, seed: int = 7) -> Path:
    """A capacitated facility-location-like MIP (fixed costs, capacities, a 40 % cap per country) that
    HiGHS needs many seconds to prove optimal, but finds good plans for within a second."""
    rng = random.Random(seed)
    names = [f"C{k}" for k in range(10)]
    sup = [[f"S{k}", names[k % 10], rng.randint(300, 900), rng.randint(2000, 9000)] for k in range(suppliers)]
    its = [[f"I{k}", rng.randint(20, 120), "t"] for k in range(items)]
    offers = []
    for item in its:
        for s in rng.sample(sup, per_item):
            offers.append([item[0], s[0], round(rng.uniform(10, 60), 2), None, None, round(rng.uniform(0, 5), 2)])
    return write_workbook(path, {
        "Items": its, "Suppliers": sup, "Countries": countries(*names), "Offers": offers,
        "Policy": [["max_share", None, "each country", 0.4]],
        "Settings": [["time_limit", time_limit], ["mip_gap", mip_gap]]})


def large_lp(path: Path, items: int = 400, suppliers: int = 60, per_item: int = 20, seed: int = 3) -> Path:
    """An LP with items * per_item offers: a plan workbook of that many lines takes a while to write."""
    rng = random.Random(seed)
    names = [f"C{k}" for k in range(12)]
    sup = [[f"S{k}", names[k % 12]] for k in range(suppliers)]
    its = [[f"I{k}", rng.randint(20, 120), "t"] for k in range(items)]
    offers = [[item[0], s[0], round(rng.uniform(10, 60), 2), rng.randint(10, 30)]
              for item in its for s in rng.sample(sup, per_item)]
    return write_workbook(path, {"Items": its, "Suppliers": sup, "Countries": countries(*names), "Offers": offers,
                                 "Scenarios": [["C0 stop", None, "C0", 0]]})
