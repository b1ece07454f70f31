"""Several periods at scale: the planner against plain highspy on the identical multi-period LP.

    python bench/periods.py                                   # 12 periods x 100k offers, 3 runs of each side
    python bench/periods.py --periods 4 --offers 20000 --repeat 1 --out /tmp/periods.md   # a quick look
    python bench/periods.py --sides highspy model             # leave out planner.solve
    python bench/periods.py --from-log run1.log run2.log      # no runs: the table of runs printed before
    python bench/periods.py --self-check --periods 4 --offers 3000   # plain_lp against the contract, slowly
    python bench/periods.py --profile                         # seconds of each family's build

The instance (`arrays`, seeded: the same every run) is an LP of workbook-v2
section 2 with every feature that keeps it an LP: 12 periods (`--periods`),
100k offers (`--offers`) of ~150 items (about 667 offers each) from ~2000
suppliers in 40 countries (drawn skewed, country C0 the largest, so that
the per-country caps bind), tariffs 0/5/10 %, Demand rows by period
(seasonal; one pair in ten falls back to Items demand), Capacity rows by
period for 10 % of suppliers (a build-up of their total) and 2 % of offers,
Suppliers capacity on 30 %, Prices rows for 5 % of offers (a rise of 5-20 %
from a random period on), four routes (lead times 0, 1, 1, 2; three with a
capacity per period) carrying 60 % of offers, initial stock on half the
items, a holding cost on every item, min_stock on 20 % and max_stock on
20 %, and Policy rows: at most 35 % of each item's arrivals from any one
country in every period, at least 20 % from bloc ALLY in every period, and a
cap on country C0 that tightens period by period over the second half of
the horizon (one Policy row per period). No fixed costs, minimum orders,
tiers or counts: no binaries.

Three sides, each run in its own process (peak memory is the child's max RSS,
read with os.wait4 by the parent), the same HiGHS options (the planner's:
`planner.highs.new_highs`, `time_limit` and `mip_rel_gap` from Settings, HiGHS
defaults otherwise, so its threads and presolve too):

* highspy: the LP written straight from the contract with numpy (`plain_lp`,
  its own code: it reads only the arrays) and handed over with
  `Highs.passModel`; build and solve seconds;
* model: `planner.model.build(data)`, `planner.solver.HighsModel(model)`
  (hand-off) and `.solve()`: the planner's model against the same LP;
* solve: `planner.solve(data, rule_costs=False)`: the above plus the checks
  before the build, the plan's extraction and the independent checker.

The planner's data is built from the arrays in code (`planning_data`, not
timed). Both optima must agree to 1e-6 relative. The machine's 1-minute load
average is written down before and after each run (each run waits, up to
`--patience` seconds, for it to fall below `--quiet`). Not part of the test
suite.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402 - after the path is set
from report import check_agree, fmt, publish, read_runs, wait_for_quiet  # noqa: E402

PERIODS = 12
OFFERS = 100_000
OFFERS_PER_ITEM = 667  # 100k offers: 150 items
OFFERS_PER_SUPPLIER = 50  # 100k offers: 2,000 suppliers
COUNTRIES = 40
ALLY = 4  # bloc ALLY: every fourth country from C3 on (C3, C7, ..., C39): ~17 % of the suppliers, dearer than C0-C2
COUNTRY_CAP = 0.35  # max_share each country, every period
ALLY_SHARE = 0.20  # min_share bloc:ALLY, every period
C0_CAP = (0.30, 0.02)  # max_share country:C0 in each period of the second half: 0.30, 0.28, ...
# route: (lead time, freight, capacity per order period as a share of all items' mean demand per period; inf: none)
ROUTES = {"AIR": (0, 4.0, 0.05), "SEA": (1, 1.0, 0.15), "RAIL": (1, 1.5, math.inf), "SLOW": (2, 0.3, 0.20)}
ROUTED = 0.6  # share of offers on a route (the rest direct: lead time 0, no route freight)


@dataclass(frozen=True)
class Instance:
    """The multi-period LP as arrays. Periods are 0..T-1; an offer's `lead` is its route's lead time (0 direct)."""

    item: np.ndarray  # per offer: item number
    supplier: np.ndarray  # per offer: supplier number
    price: np.ndarray  # per offer: the Offers price
    freight: np.ndarray  # per offer: the Offers freight
    capacity: np.ndarray  # per offer: the Offers capacity (per order period)
    route: np.ndarray  # per offer: route number, -1 direct
    rise_at: np.ndarray  # per offer: first order period of its price rise (T: none)
    rise_price: np.ndarray  # per offer: the price from rise_at on (its Prices rows)
    cap_offers: np.ndarray  # offers with Capacity rows (all periods)
    cap_values: np.ndarray  # (len(cap_offers), T): their capacity by order period
    base_demand: np.ndarray  # per item: Items demand
    demand: np.ndarray  # (items, T): the demand in each period (a Demand row, else Items demand)
    demand_row: np.ndarray  # (items, T) bool: has a Demand row
    initial_stock: np.ndarray  # per item
    holding_cost: np.ndarray  # per item
    min_stock: np.ndarray  # per item (0: none)
    max_stock: np.ndarray  # per item (inf: none)
    supplier_country: np.ndarray  # per supplier: country number
    supplier_capacity: np.ndarray  # per supplier: Suppliers capacity (inf: none)
    capacity_rows: np.ndarray  # suppliers with Capacity rows (blank item, all periods)
    supplier_capacity_in: np.ndarray  # (suppliers, T): capacity by order period (Capacity row, else Suppliers)
    tariff: np.ndarray  # per country
    route_lead: np.ndarray  # per route
    route_freight: np.ndarray
    route_capacity: np.ndarray  # per route, per order period (inf: none)

    @property
    def offers(self) -> int:
        return len(self.item)

    @property
    def periods(self) -> int:
        return self.demand.shape[1]

    @property
    def lead(self) -> np.ndarray:
        """Per offer: whole periods from order to arrival."""
        return np.append(self.route_lead, 0)[self.route]


def arrays(periods: int = PERIODS, offers: int = OFFERS, seed: int = 1) -> Instance:
    """The instance for a horizon of `periods` and `offers` offers (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n_items = max(1, round(offers / OFFERS_PER_ITEM))
    per_item = np.full(n_items, offers // n_items)
    per_item[: offers % n_items] += 1
    n_suppliers = max(offers // OFFERS_PER_SUPPLIER, 2 * int(per_item.max()))
    # suppliers' countries drawn with weights 1/(k+1): C0 holds ~23 % of the suppliers, C39 ~0.6 %
    weight = 1.0 / np.arange(1, COUNTRIES + 1)
    supplier_country = rng.choice(COUNTRIES, n_suppliers, p=weight / weight.sum())
    # each item's offers come from distinct suppliers
    supplier = np.concatenate([rng.choice(n_suppliers, k, replace=False) for k in per_item.tolist()])
    item = np.repeat(np.arange(n_items), per_item)
    n = offers
    base_demand = rng.integers(2_000, 20_000, n_items).astype(float)
    # seasonal demand, +-25 % over a year of 12 periods with a random phase, +-10 % noise
    phase = rng.uniform(0, 2 * math.pi, n_items)
    season = 1 + 0.25 * np.sin(2 * math.pi * np.arange(periods)[None, :] / 12 + phase[:, None])
    demand_row = rng.random((n_items, periods)) >= 0.1
    demand = np.where(demand_row, np.round(base_demand[:, None] * season * rng.uniform(0.9, 1.1, season.shape)),
                      base_demand[:, None])
    # the large producers sell cheaper: prices x 0.75 in C0 up to x 1.1 in C39, +-5 %
    country_factor = np.linspace(0.75, 1.1, COUNTRIES) * rng.uniform(0.95, 1.05, COUNTRIES)
    price = np.round(rng.uniform(10, 60, n) * country_factor[supplier_country[supplier]], 2)
    freight = np.round(rng.choice([0.0, 0.5, 1.0, 2.0], n), 2)
    # offers sell 0.2-1 % of their item's demand per period: ~4x demand over an item's offers
    capacity = np.round(rng.uniform(0.002, 0.01, n) * base_demand[item], 1)
    route = np.where(rng.random(n) < ROUTED, rng.integers(0, len(ROUTES), n), -1)
    rise_at = np.full(n, periods)
    rising = rng.random(n) < 0.05
    if periods > 1:
        rise_at[rising] = rng.integers(1, periods, int(rising.sum()))
    rise_price = np.round(price * rng.uniform(1.05, 1.20, n), 2)
    cap_offers = np.flatnonzero(rng.random(n) < 0.02)
    ramp = np.linspace(0.5, 1.5, periods) if periods > 1 else np.ones(1)
    cap_values = np.round(capacity[cap_offers, None] * ramp[None, :], 1)
    initial_stock = np.where(rng.random(n_items) < 0.5, np.round(rng.uniform(0, 0.5, n_items) * base_demand), 0.0)
    holding_cost = np.round(rng.uniform(0.005, 0.02, n_items) * 35, 3)  # 0.5-2 % of a mean price per period
    min_stock = np.where(rng.random(n_items) < 0.2, np.round(rng.uniform(0.1, 0.3, n_items) * base_demand), 0.0)
    max_stock = np.where(rng.random(n_items) < 0.2, np.round(rng.uniform(0.35, 0.6, n_items) * base_demand), math.inf)
    # a supplier's own total: half of what its offers could sell together
    total = np.bincount(supplier, weights=capacity, minlength=n_suppliers)
    supplier_capacity = np.where(rng.random(n_suppliers) < 0.3, np.round(0.5 * total, 1), math.inf)
    capacity_rows = np.flatnonzero(rng.random(n_suppliers) < 0.1)
    supplier_capacity_in = np.repeat(supplier_capacity[:, None], periods, axis=1)
    build_up = np.linspace(0.3, 1.0, periods) if periods > 1 else np.ones(1)
    supplier_capacity_in[capacity_rows] = np.round(total[capacity_rows, None] * build_up[None, :], 1)
    mean_total = float(base_demand.sum())
    specs = list(ROUTES.values())
    return Instance(
        item=item, supplier=supplier, price=price, freight=freight, capacity=capacity, route=route,
        rise_at=rise_at, rise_price=rise_price, cap_offers=cap_offers, cap_values=cap_values,
        base_demand=base_demand, demand=demand, demand_row=demand_row, initial_stock=initial_stock,
        holding_cost=holding_cost, min_stock=min_stock, max_stock=max_stock, supplier_country=supplier_country,
        supplier_capacity=supplier_capacity, capacity_rows=capacity_rows, supplier_capacity_in=supplier_capacity_in,
        tariff=rng.choice([0.0, 0.05, 0.1], COUNTRIES),
        route_lead=np.array([s[0] for s in specs], dtype=np.int64),
        route_freight=np.array([s[1] for s in specs]),
        route_capacity=np.array([round(s[2] * mean_total) if math.isfinite(s[2]) else math.inf for s in specs]))


def c0_caps(periods: int) -> dict[int, float]:
    """The cap on country C0 by period (0-based), for the periods of the second half."""
    return {t: round(C0_CAP[0] - C0_CAP[1] * (t - periods // 2), 4) for t in range(periods // 2, periods)}


def period_name(t: int) -> str:
    return f"P{t + 1}"


def planning_data(inst: Instance):
    """The instance as `PlanningData`, built through the public records of planner/data.py."""
    from planner.data import Country, GroupSpec, Item, Offer, Period, PeriodValue, PlanningData, Route, Rule, \
        Settings, Supplier

    T = inst.periods
    names = [period_name(t) for t in range(T)]
    countries = {f"C{k}": Country(f"C{k}", tariff=float(tariff), blocs=("ALLY",) if k % ALLY == ALLY - 1
                                  else ()) for k, tariff in enumerate(inst.tariff.tolist())}
    suppliers = {f"S{k}": Supplier(f"S{k}", f"C{c}", capacity=float(cap)) for k, (c, cap) in
                 enumerate(zip(inst.supplier_country.tolist(), inst.supplier_capacity.tolist()))}
    items = {f"I{k}": Item(f"I{k}", float(d), initial_stock=float(s0), holding_cost=float(h), min_stock=float(lo),
                           max_stock=float(hi))
             for k, (d, s0, h, lo, hi) in enumerate(zip(inst.base_demand.tolist(), inst.initial_stock.tolist(),
                                                        inst.holding_cost.tolist(), inst.min_stock.tolist(),
                                                        inst.max_stock.tolist()))}
    route_names = list(ROUTES)
    routes = {name: Route(name, int(inst.route_lead[k]), float(inst.route_freight[k]), float(inst.route_capacity[k]))
              for k, name in enumerate(route_names)}
    offers = {}
    for i, s, p, f, c, r in zip(inst.item.tolist(), inst.supplier.tolist(), inst.price.tolist(),
                                inst.freight.tolist(), inst.capacity.tolist(), inst.route.tolist()):
        offer = Offer(f"I{i}", f"S{s}", p, c, freight=f, route=route_names[r] if r >= 0 else "")
        offers[offer.key] = offer
    demands = {(f"I{i}", names[t]): PeriodValue(names[t], float(inst.demand[i, t]), item=f"I{i}")
               for i, t in zip(*np.nonzero(inst.demand_row))}
    capacities = {}
    for s in inst.capacity_rows.tolist():
        for t in range(T):
            capacities[(f"S{s}", None, names[t])] = PeriodValue(names[t], float(inst.supplier_capacity_in[s, t]),
                                                                supplier=f"S{s}")
    for k, o in enumerate(inst.cap_offers.tolist()):
        item, supplier = f"I{inst.item[o]}", f"S{inst.supplier[o]}"
        for t in range(T):
            capacities[(supplier, item, names[t])] = PeriodValue(names[t], float(inst.cap_values[k, t]), item=item,
                                                                 supplier=supplier)
    prices = {}
    for o in np.flatnonzero(inst.rise_at < T).tolist():
        item, supplier = f"I{inst.item[o]}", f"S{inst.supplier[o]}"
        for t in range(int(inst.rise_at[o]), T):
            prices[(item, supplier, names[t])] = PeriodValue(names[t], float(inst.rise_price[o]), item=item,
                                                             supplier=supplier)
    rules = [Rule("max_share", None, GroupSpec("country"), COUNTRY_CAP, row=2),
             Rule("min_share", None, GroupSpec("bloc", "ALLY"), ALLY_SHARE, row=3)]
    for t, cap in c0_caps(T).items():
        rules.append(Rule("max_share", None, GroupSpec("country", "C0"), cap, row=len(rules) + 2, period=names[t]))
    return PlanningData(items, suppliers, countries, offers, tuple(rules), settings=Settings(time_limit=3600.0),
                        periods=tuple(Period(name) for name in names), demands=demands, capacities=capacities,
                        prices=prices, routes=routes)


def plain_lp(inst: Instance, time_limit: float = 3600.0, mip_gap: float = 1e-4):
    """The multi-period LP written straight from workbook-v2 section 2 and the design of issue 15, with numpy; a
    `highspy.Highs` loaded with it (the planner's options: `new_highs`, time_limit, mip_rel_gap), and its sizes.

    Columns, T periods 0..T-1, L_o the lead time of offer o, tau = t - L_o its order period; in the order
    models/formulation.md gives them (so that HiGHS sees the planner's matrix, row for row, and the solve
    times compare):

        buy[o, t] >= 0 for every offer o and arrival period t >= L_o (period by period, offers in order)
        stock[i, t] >= 0 for every item i and period t (item by item)

    Objective: sum c_o(t - L_o) * buy[o, t] + sum h_i * stock[i, t], with
    c_o(tau) = price_o(tau) * (1 + tariff_o) + freight_o + freight of o's route, price_o(tau) its Prices
    row for tau, else its Offers price.

    Column bounds: buy[o, t] <= cap_o(t - L_o), its Capacity row, else Offers (Offer-capacity by order period);
    stock[i, t] <= max_stock_i (Item-max-stock).

    Rows, in this order, each only where it has a term:
      Item-balance[i, t]:   stock[i, t] - stock[i, t-1] - sum_{o of i} buy[o, t] = -d[i, t]  (stock[i, -1] the
                            constant initial_stock_i, moved to the right-hand side)
      Item-reserve[i, t]:   stock[i, t] >= min_stock_i, for items with one
      Supplier-capacity[s, tau]: sum_{o of s, tau + L_o <= T-1} buy[o, tau + L_o] <= cap_s(tau)  (finite only)
      Route-capacity[r, t]: sum_{o on r} buy[o, t] <= cap_r  (what was ordered on r in t - L_r; finite only)
      Policy-max-share, per period t: sum_{o of i from country c} buy[o, t] <= 0.35 * d[i, t] for every item
                            and country, then in the periods of the second half
                            sum_{o of i from C0} buy[o, t] <= v_t * d[i, t] for every item
      Policy-min-share[i, t]: sum_{o of i from bloc ALLY} buy[o, t] >= 0.20 * d[i, t]
    """
    import highspy

    from planner.highs import new_highs

    inf = highspy.kHighsInf
    T, n, n_items = inst.periods, inst.offers, len(inst.base_demand)
    lead = inst.lead
    # buy columns, period by period: the grid arrival period x offer without arrivals before the first order
    grid_t, grid_o = np.repeat(np.arange(T), n), np.tile(np.arange(n), T)
    keep = grid_t >= lead[grid_o]
    col_o, col_t = grid_o[keep], grid_t[keep]
    del grid_t, grid_o, keep
    tau = col_t - lead[col_o]
    nb = len(col_o)
    country = inst.supplier_country[inst.supplier]
    price = np.where(tau >= inst.rise_at[col_o], inst.rise_price[col_o], inst.price[col_o])
    route_freight = np.append(inst.route_freight, 0.0)[inst.route]
    cost = price * (1 + inst.tariff[country[col_o]]) + inst.freight[col_o] + route_freight[col_o]
    upper = inst.capacity[col_o]
    cap_row = np.full(n, -1)
    cap_row[inst.cap_offers] = np.arange(len(inst.cap_offers))
    over = cap_row[col_o] >= 0
    upper[over] = inst.cap_values[cap_row[col_o[over]], tau[over]]
    ns = n_items * T  # stock[i, t] is column nb + i * T + t
    buy_cols = np.arange(nb)

    rows: list[np.ndarray] = []  # per block: the row of each term, its column and coefficient, the rows' bounds
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper_rows: list[np.ndarray] = []
    spans: dict[str, int] = {}  # rows of each block, in order
    m = 0

    def block(name: str, key: np.ndarray, columns: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """One row per distinct key, in ascending key order; appends the terms and returns the keys."""
        nonlocal m
        keys, row = np.unique(key, return_inverse=True)
        spans[name] = len(keys)
        rows.append(m + row)
        cols.append(columns)
        vals.append(coef)
        m += len(keys)
        return keys

    # Item-balance[i, t]: every item and period (stock columns are in every one)
    item_t = inst.item[col_o] * T + col_t
    all_it = np.arange(ns)
    later = all_it[all_it % T > 0]
    keys = block("Item-balance", np.concatenate([item_t, all_it, later]),
                 np.concatenate([buy_cols, nb + all_it, nb + later - 1]),
                 np.concatenate([-np.ones(nb), np.ones(ns), -np.ones(len(later))]))
    assert len(keys) == ns
    d = inst.demand.ravel()  # d[i * T + t]
    rhs = np.where(keys % T == 0, inst.initial_stock[keys // T], 0.0) - d
    lower.append(rhs)
    upper_rows.append(rhs)
    # Item-reserve[i, t]
    held = np.flatnonzero(np.repeat(inst.min_stock, T) > 0)
    block("Item-reserve", held, nb + held, np.ones(len(held)))
    lower.append(np.repeat(inst.min_stock, T)[held])
    upper_rows.append(np.full(len(held), inf))
    # Supplier-capacity[s, tau]: a finite capacity in that order period
    sup_cap = inst.supplier_capacity_in[inst.supplier[col_o], tau]
    on = np.isfinite(sup_cap)
    keys = block("Supplier-capacity", (inst.supplier[col_o] * T + tau)[on], buy_cols[on], np.ones(int(on.sum())))
    lower.append(np.full(len(keys), -inf))
    upper_rows.append(inst.supplier_capacity_in[keys // T, keys % T])
    # Route-capacity[r, t]: routes with a capacity, by arrival period
    r = inst.route[col_o]
    on = r >= 0
    on[on] = np.isfinite(inst.route_capacity[r[on]])
    n_routes = len(inst.route_lead)
    keys = block("Route-capacity", (col_t * n_routes + r)[on], buy_cols[on], np.ones(int(on.sum())))
    lower.append(np.full(len(keys), -inf))
    upper_rows.append(inst.route_capacity[keys % n_routes])
    # Policy-max-share: per period, (item, country) of the every-country cap, then (item) of the cap on C0
    c = country[col_o]
    caps = np.full(T, np.nan)
    for t, v in c0_caps(T).items():
        caps[t] = v
    c0 = np.flatnonzero((c == 0) & ~np.isnan(caps[col_t]))
    width = n_items * COUNTRIES
    key = np.concatenate([col_t * 2 * width + inst.item[col_o] * COUNTRIES + c,
                          col_t[c0] * 2 * width + width + inst.item[col_o[c0]]])
    keys = block("Policy-max-share", key, np.concatenate([buy_cols, c0]), np.ones(nb + len(c0)))
    t_of, rest = keys // (2 * width), keys % (2 * width)
    i_of = np.where(rest < width, rest // COUNTRIES, rest - width)
    lower.append(np.full(len(keys), -inf))
    upper_rows.append(np.where(rest < width, COUNTRY_CAP, caps[t_of]) * d[i_of * T + t_of])
    # Policy-min-share[i, t]: bloc ALLY
    on = c % ALLY == ALLY - 1
    keys = block("Policy-min-share", (col_t * n_items + inst.item[col_o])[on], buy_cols[on], np.ones(int(on.sum())))
    lower.append(ALLY_SHARE * d[(keys % n_items) * T + keys // n_items])
    upper_rows.append(np.full(len(keys), inf))

    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")
    num_col = nb + ns
    h = new_highs()
    status = h.passModel(
        num_col, m, len(row), highspy.MatrixFormat.kRowwise.value, highspy.ObjSense.kMinimize.value, 0.0,
        np.concatenate([cost, np.repeat(inst.holding_cost, T)]), np.zeros(num_col),
        np.concatenate([upper, np.repeat(np.where(np.isinf(inst.max_stock), inf, inst.max_stock), T)]),
        np.concatenate(lower), np.where(np.isinf(np.concatenate(upper_rows)), inf, np.concatenate(upper_rows)),
        np.concatenate([[0], np.cumsum(np.bincount(row, minlength=m))]).astype(np.int32),
        np.concatenate(cols)[order].astype(np.int32), np.concatenate(vals)[order],
        np.zeros(num_col, dtype=np.int32))
    assert status != highspy.HighsStatus.kError, "HiGHS refused the plain LP"
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    return h, {"rows": m, "columns": num_col, "buy columns": nb, "stock columns": ns, "nonzeros": len(row),
               "row blocks": spans}


def self_check(periods: int, offers: int) -> dict:
    """`plain_lp` against the contract read through the planner's records, written the slow, obvious way.

    Solves the plain LP, then walks its plan offer by offer and period by period with `PlanningData`'s own
    accessors (`lead_time`, `price_in`, `landed_cost`, `offer_capacity_in`, `supplier_capacity_in`, `demand_in`,
    `in_group`, the rules' `period`): every column's cost and bound, the stock balance, min/max stock, supplier and
    route capacity by order period, and every Policy row per period, and the objective recomputed from them. So
    the two descriptions of the instance (the arrays `plain_lp` reads, the records the planner reads) are one.
    """
    inst = arrays(periods, offers)
    data = planning_data(inst)
    h, sizes = plain_lp(inst)
    h.run()
    assert h.getModelStatus().name == "kOptimal", h.getModelStatus()
    x = np.asarray(h.getSolution().col_value)
    lp = h.getLp()
    names = data.period_names
    T = len(names)
    offer_list = list(data.offers.values())
    buy: dict[tuple[int, int], float] = {}  # (offer number, arrival period) -> quantity
    cost = 0.0
    column = 0
    for t in range(T):
        for k, offer in enumerate(offer_list):
            lead = data.lead_time(offer)
            if t < lead:
                continue
            tau = names[t - lead]
            unit = data.landed_cost(offer, data.price_in(offer, tau))
            assert math.isclose(lp.col_cost_[column], unit, rel_tol=1e-12), (offer, t, lp.col_cost_[column], unit)
            assert math.isclose(lp.col_upper_[column], data.offer_capacity_in(offer, tau), rel_tol=1e-12)
            assert x[column] <= data.offer_capacity_in(offer, tau) + 1e-6
            buy[(k, t)] = x[column]
            cost += unit * x[column]
            column += 1
    assert column == sizes["buy columns"]
    tol = 1e-6
    stock = x[column:].reshape(len(data.items), T)
    for i, (name, item) in enumerate(data.items.items()):
        arrivals = [sum(q for (k, t), q in buy.items() if t == p and offer_list[k].item == name) for p in range(T)]
        before = item.initial_stock
        for t in range(T):
            after = before + arrivals[t] - data.demand_in(name, names[t])
            assert abs(after - stock[i, t]) <= tol * max(1.0, abs(after)), (name, t, after, stock[i, t])
            assert item.min_stock - tol <= stock[i, t] <= item.max_stock + tol
            cost += item.holding_cost * stock[i, t]
            before = stock[i, t]
    ordered: dict[tuple[str, int], float] = {}  # (supplier or route:NAME, order period) -> quantity
    for (k, t), q in buy.items():
        offer = offer_list[k]
        tau = t - data.lead_time(offer)
        ordered[(offer.supplier, tau)] = ordered.get((offer.supplier, tau), 0.0) + q
        if offer.route:
            ordered[("route:" + offer.route, tau)] = ordered.get(("route:" + offer.route, tau), 0.0) + q
    for (who, tau), q in ordered.items():
        cap = data.routes[who[6:]].capacity if who.startswith("route:") else data.supplier_capacity_in(who, names[tau])
        assert q <= cap + tol * max(1.0, cap), (who, tau, q, cap)
    rules = 0
    for rule in data.rules:
        for t in [names.index(rule.period)] if rule.period is not None else range(T):
            for name in data.rule_items(rule):
                d = data.demand_in(name, names[t])
                for group in data.groups(rule.group):
                    volume = sum(q for (k, p), q in buy.items() if p == t and offer_list[k].item == name
                                 and data.in_group(offer_list[k], group))
                    ok = volume <= rule.value * d + tol * d if rule.kind == "max_share" else \
                        volume >= rule.value * d - tol * d
                    assert ok, (rule.description(), name, names[t], group, volume, d)
                    rules += 1
    objective = h.getInfo().objective_function_value
    assert abs(cost - objective) <= 1e-9 * abs(objective), (cost, objective)
    return {"objective": objective, "columns checked": column, "rule rows checked": rules, **sizes}


# ---- the sides, each in a child process -------------------------------------------------------------------------


def run_highspy(periods: int, offers: int) -> dict:
    inst = arrays(periods, offers)
    t = time.perf_counter()
    h, sizes = plain_lp(inst)
    built = time.perf_counter() - t
    h.run()
    solved = time.perf_counter() - t - built
    return {"build": built, "hand-off": 0.0, "solve": solved, "objective": h.getInfo().objective_function_value,
            "status": h.getModelStatus().name, "highs": h.version(), **sizes}


def run_model(periods: int, offers: int) -> dict:
    """`planner.model.build` + `HighsModel(model)` + `.solve()`, timed apart (the offer table of the data, a
    cached property, is made inside the build: it is the planner's work)."""
    from planner.model import build
    from planner.solver import HighsModel

    data = planning_data(arrays(periods, offers))
    t = time.perf_counter()
    model = build(data)
    built = time.perf_counter() - t
    handle = HighsModel(model)
    handed = time.perf_counter() - t - built
    outcome = handle.solve(data.settings.time_limit, data.settings.mip_gap)
    return {"build": built, "hand-off": handed, "solve": outcome.seconds, "objective": outcome.objective,
            "status": outcome.status, "rows": model.num_rows, "columns": model.num_columns,
            "nonzeros": len(model.matrix[2]), "binaries": int(model.integer.sum())}


def run_solve(periods: int, offers: int) -> dict:
    """`planner.solve(data, rule_costs=False)`: the whole call, and the phases its plan records."""
    import planner

    data = planning_data(arrays(periods, offers))
    t = time.perf_counter()
    plan = planner.solve(data, rule_costs=False)
    total = time.perf_counter() - t
    timings = plan.timings or {}
    return {"total": total, "build": timings.get("build seconds"), "hand-off": timings.get("hand-off seconds"),
            "solve": timings.get("solve seconds"), "extract and check": timings.get("extract and check seconds"),
            "objective": plan.total_cost, "status": plan.status, "message": plan.message,
            "rows": plan.run.get("constraints"), "columns": plan.run.get("variables")}


def run_profile(periods: int, offers: int) -> dict:
    """Where `planner.model.build` spends its time: seconds of each family's `build` (every family of the
    registry, timed around its own method), the offer table, and the stacking of the matrix that HighsModel
    reads; not a side of the table (`--profile`)."""
    from planner.model import build, registry

    data = planning_data(arrays(periods, offers))
    seconds: dict[str, float] = {}

    def timed(name: str, method):
        def call(*args, **kwargs):
            t = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t
        return call

    for family in [*registry.variables(), *registry.bounds(), *registry.row_families()]:
        family.build = timed(family.name, family.build)  # an instance attribute: shadows the method for this run
    t = time.perf_counter()
    _ = data.table
    seconds["(offer table)"] = time.perf_counter() - t
    t = time.perf_counter()
    model = build(data)
    seconds["(build, all)"] = time.perf_counter() - t
    t = time.perf_counter()
    _ = model.matrix
    seconds["(matrix)"] = time.perf_counter() - t
    return {"seconds": {k: round(v, 4) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1]) if v >= 1e-3},
            "rows": model.num_rows, "columns": model.num_columns, "status": "optimal", "objective": None}


SIDES = {"highspy": run_highspy, "model": run_model, "solve": run_solve, "profile": run_profile}
TABLED = ["highspy", "model", "solve"]  # the sides of the table, in the order each round runs them


def run_child(side: str, periods: int, offers: int) -> dict:
    """One side in a fresh process: its result, its peak memory and the load average before and after."""
    return {"side": side, "periods": periods, "offers": offers,
            **report.run_child(__file__, ["--child", side, str(periods), str(offers)], f"{side} ({periods} x {offers:,})")}


# ---- the table ---------------------------------------------------------------------------------------------------


def count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def total_of(run: dict) -> float:
    return run["total"] if run["side"] == "solve" else run["build"] + run["hand-off"] + run["solve"]


def render(runs: list[dict]) -> str:
    """Sizes, one line per (size, side) with the median run by total time (the highest peak memory of its runs,
    and the range of loads measured under), and the ratio to plain highspy of the same size."""
    groups: dict[tuple[int, int, str], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["periods"], r["offers"], r["side"]), []).append(r)
    sizes = sorted({(p, o) for p, o, _ in groups})
    size_lines = ["| periods | offers | side | rows | columns | buy columns | stock columns | nonzeros |",
                  "|---:|---:|---|---:|---:|---:|---:|---:|"]
    lines = ["| periods | offers | side | runs | build s | hand-off s | solve s | extract + check s | total s | "
             "ratio to highspy | objective | peak MiB | load (1 min) |", "|---:|---:|---|---:" + "|---:" * 9 + "|"]
    for periods, offers in sizes:
        plain = groups.get((periods, offers, "highspy"))
        base = statistics.median(total_of(r) for r in plain) if plain else None
        for side in ("highspy", "model", "solve"):
            group = groups.get((periods, offers, side))
            if not group:
                continue
            run = sorted(group, key=total_of)[(len(group) - 1) // 2]
            if side != "solve":
                size_lines.append(f"| {periods} | {offers:,} | {side} | {run['rows']:,} | {run['columns']:,} | "
                                  f"{count(run.get('buy columns'))} | {count(run.get('stock columns'))} | "
                                  f"{run['nonzeros']:,} |")
            loads = [r["load before"] for r in group] + [r["load after"] for r in group]
            total = statistics.median(total_of(r) for r in group)
            lines.append(
                f"| {periods} | {offers:,} | {side} | {len(group)} | {fmt(run['build'])} | {fmt(run['hand-off'])} | "
                f"{fmt(run['solve'])} | {fmt(run.get('extract and check'))} | {fmt(total)} | "
                f"{'-' if base is None else format(total / base, '.2f') + 'x'} | {run['objective']:,.2f} | "
                f"{max(r['peak MB'] for r in group):,.0f} | {min(loads):.2f}-{max(loads):.2f} |")
    return "\n".join([
        "Several periods (bench/periods.py): the multi-period LP of workbook-v2 section 2 (Demand, Capacity and Prices "
        "by period, routes with lead times 0-2 and capacities, stock with holding cost, min and max stock, shares per "
        "period; no binaries), built and solved by plain highspy straight from numpy (`plain_lp`), by the planner's "
        "model (`planner.model.build` + `HighsModel(model).solve()`) and by `planner.solve(data, rule_costs=False)` "
        "(with the checks before, the plan's extraction and the independent checker). Every run in its own process; "
        "same HiGHS options (the planner's). Medians of the runs by total time; peak memory (max RSS of the process) "
        "is the highest of the runs; the load is the 1-minute average before and after each run. Both optima agree "
        "to 1e-6 relative in every run.", "", *size_lines, "", *lines, "",
        f"HiGHS {'/'.join(sorted({r['highs'] for r in runs if 'highs' in r}))}."])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--periods", type=int, default=PERIODS)
    parser.add_argument("--offers", type=int, nargs="*", default=[OFFERS])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sides", nargs="*", choices=TABLED, default=TABLED)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "periods.md")
    parser.add_argument("--quiet", type=float, default=1.0, help="wait for a 1-minute load average below this")
    parser.add_argument("--patience", type=float, default=300.0, help="seconds to wait for it before each run")
    parser.add_argument("--from-log", type=Path, nargs="*", help="no runs: the table of the runs in these files")
    parser.add_argument("--self-check", action="store_true",
                        help="no runs: check plain_lp against the planner's records at --periods x --offers")
    parser.add_argument("--profile", action="store_true",
                        help="no runs: seconds of each family's build at --periods x --offers, in a child process")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile:
        for offers in args.offers:
            print(json.dumps(run_child("profile", args.periods, offers)))
        return
    if args.self_check:
        for offers in args.offers:
            print(json.dumps(self_check(args.periods, offers)))
        return
    if args.child:
        side, periods, offers = args.child[0], int(args.child[1]), int(args.child[2])
        print(json.dumps(SIDES[side](periods, offers)))
        return
    if args.from_log:
        runs = read_runs(args.from_log)
    else:
        runs = []
        for offers in args.offers:
            for _ in range(args.repeat):  # the sides alternate, so that all see the machine alike
                for side in args.sides:
                    wait_for_quiet(args.quiet, args.patience)
                    runs.append(run_child(side, args.periods, offers))
                    print(json.dumps(runs[-1]), flush=True)
    check_agree(runs, ("periods", "offers"))
    publish(render(runs), args.out)


if __name__ == "__main__":
    main()
