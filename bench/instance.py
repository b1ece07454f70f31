"""Large sourcing instances for the benchmarks, generated as numpy arrays (seeded: the same every run).

`arrays(offers)` is the instance itself: items x 20 suppliers each (drawn
from a pool of items/10 suppliers, each in a random one of 20 countries), with with tariffs of 0, 5 or
10 %, prices 10-60, offer capacities of 10-60 % of the item's demand, one
rule capping each country at 40 % of every item, and 5 scenarios, each
stopping one country, under a rule that 50 % of every item's demand must
survive any of them. From the arrays come the same instance as planner data
(`planning_data`), as an input workbook (`write_workbook`), and as the LP
built straight from numpy for plain highspy (`plain_highspy` in scale.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SUPPLIERS_PER_ITEM = 20
COUNTRIES = 20
SCENARIOS = 5
CAP = 0.4
COVERAGE = 0.5


@dataclass(frozen=True)
class Instance:
    item: np.ndarray  # per offer: item number
    supplier: np.ndarray  # per offer: supplier number
    price: np.ndarray
    capacity: np.ndarray
    demand: np.ndarray  # per item
    supplier_country: np.ndarray  # per supplier: country number
    tariff: np.ndarray  # per country
    stopped: np.ndarray  # per scenario: the country it stops

    @property
    def offers(self) -> int:
        return len(self.item)


def arrays(offers: int, seed: int = 1) -> Instance:
    rng = np.random.default_rng(seed)
    n_items = max(1, offers // SUPPLIERS_PER_ITEM)
    n_suppliers = max(SUPPLIERS_PER_ITEM, n_items // 10)
    demand = rng.integers(50, 500, n_items).astype(float)
    # 20 distinct suppliers per item: a random start and a random stride below n / 20
    start = rng.integers(0, n_suppliers, n_items)
    stride = rng.integers(1, max(2, n_suppliers // SUPPLIERS_PER_ITEM), n_items)
    supplier = (start[:, None] + np.arange(SUPPLIERS_PER_ITEM)[None, :] * stride[:, None]) % n_suppliers
    item = np.repeat(np.arange(n_items), SUPPLIERS_PER_ITEM)
    price = rng.uniform(10, 60, item.size).round(2)
    capacity = (rng.uniform(0.1, 0.6, item.size) * demand[item]).round(1)
    return Instance(item, supplier.ravel(), price, capacity, demand, rng.integers(0, COUNTRIES, n_suppliers),
                    rng.choice([0.0, 0.05, 0.1], COUNTRIES), np.arange(SCENARIOS))


def planning_data(inst: Instance):
    """The instance as `PlanningData`, built through the public dataclasses."""
    from planner.data import Country, Group, GroupSpec, Item, Offer, PlanningData, Rule, ScenarioHit, Supplier

    countries = {f"C{k}": Country(f"C{k}", tariff=float(t)) for k, t in enumerate(inst.tariff)}
    suppliers = {f"S{k}": Supplier(f"S{k}", f"C{c}") for k, c in enumerate(inst.supplier_country.tolist())}
    items = {f"I{k}": Item(f"I{k}", float(d)) for k, d in enumerate(inst.demand.tolist())}
    item_names, supplier_names = list(items), list(suppliers)
    offers = {}
    for i, s, p, c in zip(inst.item.tolist(), inst.supplier.tolist(), inst.price.tolist(), inst.capacity.tolist()):
        offer = Offer(item_names[i], supplier_names[s], p, c)
        offers[offer.key] = offer
    rules = (Rule("max_share", None, GroupSpec("country"), CAP, row=2), Rule("min_coverage", None, None, COVERAGE, row=3))
    hits = tuple(ScenarioHit(f"stop C{c}", Group("country", f"C{c}"), None, 0.0, row=2 + k)
                 for k, c in enumerate(inst.stopped.tolist()))
    return PlanningData(items, suppliers, countries, offers, rules, hits)


def write_workbook(inst: Instance, path: Path) -> Path:
    """The instance as an input workbook (openpyxl write-only mode)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)

    def sheet(name: str, header: list[str], rows) -> None:
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)

    sheet("Items", ["item", "demand", "unit"], ([f"I{k}", d, "t"] for k, d in enumerate(inst.demand.tolist())))
    sheet("Suppliers", ["supplier", "country"], ([f"S{k}", f"C{c}"] for k, c in enumerate(inst.supplier_country.tolist())))
    sheet("Countries", ["country", "name", "blocs", "tariff"],
          ([f"C{k}", f"Country {k}", None, t] for k, t in enumerate(inst.tariff.tolist())))
    sheet("Offers", ["item", "supplier", "price", "capacity"],
          ([f"I{i}", f"S{s}", p, None if math.isinf(c) else c] for i, s, p, c in
           zip(inst.item.tolist(), inst.supplier.tolist(), inst.price.tolist(), inst.capacity.tolist())))
    sheet("Policy", ["rule", "item", "group", "value"], [["max_share", None, "each country", CAP],
                                                         ["min_coverage", None, None, COVERAGE]])
    sheet("Scenarios", ["scenario", "item", "group", "availability"],
          ([f"stop C{c}", None, f"C{c}", 0] for c in inst.stopped.tolist()))
    sheet("Settings", ["setting", "value"], [["time_limit", 3600]])
    wb.save(path)
    return path


def plain_lp(inst: Instance):
    """The same LP built straight from the arrays with highspy, rows in the planner's family order:
    demand (item), country cap (item, country), coverage (scenario, item). Returns a `highspy.Highs` loaded with it."""
    import highspy

    from planner.highs import new_highs

    n, n_items = inst.offers, len(inst.demand)
    inf = highspy.kHighsInf
    country = inst.supplier_country[inst.supplier]
    cost = inst.price * (1 + inst.tariff[country])
    columns = np.arange(n)
    pairs, pair_row = np.unique(inst.item * COUNTRIES + country, return_inverse=True)
    rows, cols = [inst.item, n_items + pair_row], [columns, columns]
    lower = [inst.demand, np.full(len(pairs), -inf)]
    upper = [inst.demand, CAP * inst.demand[pairs // COUNTRIES]]
    m = n_items + len(pairs)
    for c in inst.stopped.tolist():
        hit = np.unique(inst.item[country == c])  # a row only for items the scenario cuts
        row_of = np.full(n_items, -1)
        row_of[hit] = m + np.arange(len(hit))
        alive = (country != c) & (row_of[inst.item] >= 0)
        rows.append(row_of[inst.item[alive]])
        cols.append(columns[alive])
        lower.append(COVERAGE * inst.demand[hit])
        upper.append(np.full(len(hit), inf))
        m += len(hit)
    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(n), inst.capacity
    lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=m))]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(cols)[order].astype(np.int32)
    lp.a_matrix_.value_ = np.ones(len(row))
    h = new_highs()
    h.passModel(lp)
    return h
