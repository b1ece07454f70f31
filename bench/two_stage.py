"""The two-stage mode at scale: the planner's extensive form against plain highspy on the identical LP.

    python bench/two_stage.py                                    # 1k offers x 100, 500, 1000 scenarios, w 0 and 0.5
    python bench/two_stage.py --scenarios 100 --repeat 1 --out /tmp/ts.md   # a quick look
    python bench/two_stage.py --sides highspy model              # leave out planner.solve (and its re-solves)
    python bench/two_stage.py --from-log run1.log run2.log       # no runs: the table of runs printed before

The instance (`arrays`, seeded: the same every run) is an LP of workbook-v2
section 3: 1,000 offers (`--offers`) of 20 items (50 offers each, from
distinct suppliers) from 150 suppliers in 25 countries (drawn skewed, C0
the largest), tariffs 0/5/10 %, a Suppliers capacity on 30 % of suppliers,
a Policy max_share of 0.35 per country on every item (on the contracts, as
in version 1), a spot market on every item (spot_price 2x the item's mean
landed cost, spot_capacity 30 % of demand) and a shortage cost (5x the mean
landed cost) on every fourth item; no fixed costs, minimum orders or tiers:
no binaries. The scenarios (`scenario_specs`) are taken in this order until
there are S (`--scenarios`): each country stops (availability 0), each
country at half (0.5), each pair of countries stops, each supplier stops,
each pair at half, each supplier at half, then triples of countries stopping.
Their probabilities (random weights) add up to 0.3; the baseline has 0.7.
Each size is run with risk_weight 0 and 0.5 (`--risk`; cvar_alpha 0.9).

Three sides, each run in its own process (peak memory is the child's max
RSS, read with os.wait4 by the parent), the same HiGHS options (the
planner's: `planner.highs.new_highs`, `time_limit` and `mip_rel_gap` from
Settings, HiGHS defaults otherwise):

* highspy: the extensive form written straight from the contract with numpy
  (`plain_ef`, its own code: it reads only the arrays) and handed over with
  `Highs.passModel`; build and solve seconds;
* model: `planner.model.build(data)`, `planner.solver.HighsModel(model)`
  (hand-off) and `.solve()`: the planner's extensive form;
* solve: `planner.solve(data, rule_costs=False)`: the above plus the checks
  before the build, the plan's extraction, the checker, and the EVPI and VSS
  (planner/stochastic/metrics.py), which re-solve S + 3 extensive forms: one
  per scenario with a probability (the S and the baseline) planned alone,
  the mean scenario, and the full form with the mean plan's contracts fixed.

The planner's data is built from the arrays in code (`planning_data`, not
timed). Both optima must agree to 1e-6 relative. The machine's 1-minute load
average is written down before and after each run (each run waits, up to
`--patience` seconds, for it to fall below `--quiet`). Not part of the test
suite.
"""

from __future__ import annotations

import argparse
import itertools
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

OFFERS = 1_000
SCENARIOS = (100, 500, 1000)
RISKS = (0.0, 0.5)
ALPHA = 0.9
OFFERS_PER_ITEM = 50  # 1k offers: 20 items
SUPPLIERS = 150
COUNTRIES = 25
COUNTRY_CAP = 0.35  # Policy max_share, each country, every item
DISRUPTED = 0.3  # the scenarios' probabilities add up to this; the baseline has the rest
SPOT_PRICE = 2.0  # x the item's mean landed cost
SPOT_CAPACITY = 0.3  # x the item's demand, per scenario
SHORTAGE_COST = 5.0  # x the item's mean landed cost, on every SHORT_EVERY-th item
SHORT_EVERY = 4
GIB_24 = 24 * 2**30


@dataclass(frozen=True)
class Instance:
    """The extensive form's data as arrays; scenario k's availability is `availability[k]` (one per offer)."""

    item: np.ndarray  # per offer: item number
    supplier: np.ndarray  # per offer: supplier number
    price: np.ndarray
    freight: np.ndarray
    capacity: np.ndarray
    demand: np.ndarray  # per item
    spot_price: np.ndarray  # per item
    spot_capacity: np.ndarray  # per item
    shortage_cost: np.ndarray  # per item (nan: shortage not allowed)
    supplier_country: np.ndarray  # per supplier
    supplier_capacity: np.ndarray  # per supplier (inf: none)
    tariff: np.ndarray  # per country
    scenarios: tuple[tuple[str, tuple[tuple[str, int], ...], float], ...]  # (name, ((kind, code), ...), level)
    probability: np.ndarray  # per scenario (the baseline not included)

    @property
    def offers(self) -> int:
        return len(self.item)

    @property
    def country(self) -> np.ndarray:
        return self.supplier_country[self.supplier]

    @property
    def landed(self) -> np.ndarray:
        """c_o = price_o * (1 + tariff_o) + freight_o (one currency, no tiers)."""
        return self.price * (1 + self.tariff[self.country]) + self.freight

    def availability(self) -> np.ndarray:
        """a(s, o), S x offers, the scenarios in order and the baseline (all 1) last: the lowest level of the
        scenario's groups that hold offer o, 1 where none does."""
        out = np.ones((len(self.scenarios) + 1, self.offers))
        country, supplier = self.country, self.supplier
        for s, (_, groups, level) in enumerate(self.scenarios):
            for kind, code in groups:
                hit = (country == code) if kind == "country" else (supplier == code)
                out[s, hit] = np.minimum(out[s, hit], level)
        return out


def scenario_specs(count: int, suppliers: int) -> list[tuple[str, tuple[tuple[str, int], ...], float]]:
    """The first `count` scenarios of the order in the module docstring: (name, groups hit, availability)."""
    def country_sets(k):
        return itertools.combinations(range(COUNTRIES), k)

    def name(groups, level):
        return "+".join(f"{'C' if kind == 'country' else 'S'}{code}" for kind, code in groups) + \
            (" stop" if level == 0 else f" at {level:g}")

    families = [
        ([(("country", c),) for c in range(COUNTRIES)], 0.0),
        ([(("country", c),) for c in range(COUNTRIES)], 0.5),
        ([tuple(("country", c) for c in pair) for pair in country_sets(2)], 0.0),
        ([(("supplier", s),) for s in range(suppliers)], 0.0),
        ([tuple(("country", c) for c in pair) for pair in country_sets(2)], 0.5),
        ([(("supplier", s),) for s in range(suppliers)], 0.5),
        ([tuple(("country", c) for c in triple) for triple in country_sets(3)], 0.0),
    ]
    out = []
    for groups_list, level in families:
        for groups in groups_list:
            if len(out) == count:
                return out
            out.append((name(groups, level), groups, level))
    assert len(out) == count, f"only {len(out)} scenarios can be generated"
    return out


def arrays(scenarios: int, offers: int = OFFERS, seed: int = 1) -> Instance:
    """The instance with `scenarios` scenarios and `offers` offers (see the module docstring); the offers are
    the same for every S (their draws come first)."""
    rng = np.random.default_rng(seed)
    n_items = max(1, round(offers / OFFERS_PER_ITEM))
    per_item = np.full(n_items, offers // n_items)
    per_item[: offers % n_items] += 1
    n_suppliers = max(SUPPLIERS, int(per_item.max()))
    weight = 1.0 / np.arange(1, COUNTRIES + 1) ** 0.5  # C0 ~8 % of suppliers, C24 ~1.6 %
    supplier_country = rng.choice(COUNTRIES, n_suppliers, p=weight / weight.sum())
    supplier = np.concatenate([rng.choice(n_suppliers, k, replace=False) for k in per_item.tolist()])
    item = np.repeat(np.arange(n_items), per_item)
    demand = rng.integers(2_000, 20_000, n_items).astype(float)
    country_factor = np.linspace(0.8, 1.1, COUNTRIES) * rng.uniform(0.95, 1.05, COUNTRIES)
    price = np.round(rng.uniform(10, 60, offers) * country_factor[supplier_country[supplier]], 2)
    freight = np.round(rng.choice([0.0, 0.5, 1.0, 2.0], offers), 2)
    # an offer sells 4-12 % of its item's demand: ~4x demand over the item's 50 offers
    capacity = np.round(rng.uniform(0.04, 0.12, offers) * demand[item], 1)
    total = np.bincount(supplier, weights=capacity, minlength=n_suppliers)
    supplier_capacity = np.where(rng.random(n_suppliers) < 0.3, np.round(0.5 * total, 1), math.inf)
    tariff = rng.choice([0.0, 0.05, 0.1], COUNTRIES)
    landed = price * (1 + tariff[supplier_country[supplier]]) + freight
    mean_landed = np.bincount(item, weights=landed) / np.bincount(item)
    spot_price = np.round(SPOT_PRICE * mean_landed, 2)
    shortage = np.where(np.arange(n_items) % SHORT_EVERY == SHORT_EVERY - 1, np.round(SHORTAGE_COST * mean_landed, 2),
                        np.nan)
    specs = scenario_specs(scenarios, n_suppliers)
    weights = np.random.default_rng(seed + 1).uniform(0.5, 1.5, len(specs))
    probability = np.round(DISRUPTED * weights / weights.sum(), 12)
    return Instance(item=item, supplier=supplier, price=price, freight=freight, capacity=capacity, demand=demand,
                    spot_price=spot_price, spot_capacity=np.round(SPOT_CAPACITY * demand, 1), shortage_cost=shortage,
                    supplier_country=supplier_country, supplier_capacity=supplier_capacity, tariff=tariff,
                    scenarios=tuple(specs), probability=probability)


def planning_data(inst: Instance, risk: float):
    """The instance as `PlanningData` in the two-stage mode, built through the public records of planner/data.py."""
    from planner.data import Country, Group, GroupSpec, Item, Offer, PlanningData, Rule, ScenarioHit, Settings, \
        Supplier

    countries = {f"C{k}": Country(f"C{k}", tariff=float(t)) for k, t in enumerate(inst.tariff.tolist())}
    suppliers = {f"S{k}": Supplier(f"S{k}", f"C{c}", capacity=float(cap)) for k, (c, cap) in
                 enumerate(zip(inst.supplier_country.tolist(), inst.supplier_capacity.tolist()))}
    items = {f"I{k}": Item(f"I{k}", float(d), spot_price=float(sp), spot_capacity=float(sc),
                           shortage_cost=None if math.isnan(sh) else float(sh))
             for k, (d, sp, sc, sh) in enumerate(zip(inst.demand.tolist(), inst.spot_price.tolist(),
                                                     inst.spot_capacity.tolist(), inst.shortage_cost.tolist()))}
    offers = {}
    for i, s, p, f, c in zip(inst.item.tolist(), inst.supplier.tolist(), inst.price.tolist(), inst.freight.tolist(),
                             inst.capacity.tolist()):
        offer = Offer(f"I{i}", f"S{s}", p, c, freight=f)
        offers[offer.key] = offer
    hits = []
    for (name, groups, level), p in zip(inst.scenarios, inst.probability.tolist()):
        for kind, code in groups:
            hits.append(ScenarioHit(name, Group(kind, f"{'C' if kind == 'country' else 'S'}{code}"),
                                    availability=level, row=len(hits) + 2, probability=p))
    rules = (Rule("max_share", None, GroupSpec("country"), COUNTRY_CAP, row=2),)
    settings = Settings(time_limit=3600.0, mode="two_stage", risk_weight=risk, cvar_alpha=ALPHA)
    return PlanningData(items, suppliers, countries, offers, rules, scenario_hits=tuple(hits), settings=settings)


def plain_ef(inst: Instance, risk: float, time_limit: float = 3600.0, mip_gap: float = 1e-4):
    """The extensive form written straight from workbook-v2 section 3 and models/formulation.md "Two-stage
    mode", with numpy; a `highspy.Highs` loaded with it (the planner's options), and its sizes.

    Scenarios s = 0..S-1 the disrupted ones, s = S the baseline (a = 1, p_S = 1 - sum p_s); w the risk weight,
    alpha the CVaR level, c_o the landed cost, I_x the items with a shortage cost. Columns, in the planner's
    order (so that HiGHS sees its matrix and the solve times compare):

        buy[o] in [0, cap_o]                 cost (1 - w) * sum_s p_s a(s, o) c_o
        spot[s, i] in [0, spot_capacity_i]   cost (1 - w) p_s spot_price_i        (scenario-major)
        short[s, i] >= 0, i in I_x           cost (1 - w) p_s shortage_cost_i
        eta free                             cost w                               (w > 0 only)
        excess[s] >= 0                       cost w / (1 - alpha) p_s             (w > 0 only)

    Rows, in this order:
      Scenario-demand[s, i]:   sum_{o of i, a(s,o) > 0} a(s, o) buy[o] + spot[s, i] + short[s, i] >= d_i
      Supplier-capacity[s]:    sum_{o of s} buy[o] <= cap_s            (finite only)
      Policy-max-share[i, c]:  sum_{o of i from c} buy[o] <= 0.35 d_i  (every pair with an offer)
      Scenario-excess[s]:      excess[s] + eta - sum_o a(s, o) c_o buy[o] - spot_price . spot[s]
                               - shortage_cost . short[s] >= 0         (w > 0 only)
    """
    import highspy

    from planner.highs import new_highs

    inf = highspy.kHighsInf
    a = inst.availability()
    n_s, n = a.shape
    p = np.append(inst.probability, max(0.0, 1.0 - inst.probability.sum()))
    n_i = len(inst.demand)
    c = inst.landed
    short = np.flatnonzero(~np.isnan(inst.shortage_cost))
    n_x = len(short)
    with_risk = risk > 0
    spot0 = n
    short0 = spot0 + n_s * n_i
    eta = short0 + n_s * n_x
    excess0 = eta + 1
    num_col = excess0 + n_s if with_risk else eta
    cost = np.concatenate([(1 - risk) * (p @ a) * c, (1 - risk) * np.outer(p, inst.spot_price).ravel(),
                           (1 - risk) * np.outer(p, inst.shortage_cost[short]).ravel()] +
                          ([np.array([risk]), risk / (1 - ALPHA) * p] if with_risk else []))
    lower_col = np.zeros(num_col)
    upper_col = np.concatenate([inst.capacity, np.tile(inst.spot_capacity, n_s), np.full(n_s * n_x, inf)] +
                               ([np.array([inf]), np.full(n_s, inf)] if with_risk else []))
    if with_risk:
        lower_col[eta] = -inf

    rows, cols, vals, lo, up = [], [], [], [], []
    m = 0
    # Scenario-demand[s, i]: row m + s * n_i + i
    s_of, o_of = np.nonzero(a > 0)
    rows += [m + s_of * n_i + inst.item[o_of], m + np.arange(n_s * n_i)]
    cols += [o_of, spot0 + np.arange(n_s * n_i)]
    vals += [a[s_of, o_of], np.ones(n_s * n_i)]
    rows.append(m + (np.arange(n_s)[:, None] * n_i + short[None, :]).ravel())
    cols.append(short0 + np.arange(n_s * n_x))
    vals.append(np.ones(n_s * n_x))
    lo.append(np.tile(inst.demand, n_s))
    up.append(np.full(n_s * n_i, inf))
    m += n_s * n_i
    # Supplier-capacity[s]: suppliers with a finite capacity and an offer
    finite = np.isfinite(inst.supplier_capacity[inst.supplier])
    keys, at = np.unique(inst.supplier[finite], return_inverse=True)
    rows.append(m + at)
    cols.append(np.flatnonzero(finite))
    vals.append(np.ones(int(finite.sum())))
    lo.append(np.full(len(keys), -inf))
    up.append(inst.supplier_capacity[keys])
    m += len(keys)
    # Policy-max-share[i, c]
    keys, at = np.unique(inst.item * COUNTRIES + inst.country, return_inverse=True)
    rows.append(m + at)
    cols.append(np.arange(n))
    vals.append(np.ones(n))
    lo.append(np.full(len(keys), -inf))
    up.append(COUNTRY_CAP * inst.demand[keys // COUNTRIES])
    m += len(keys)
    if with_risk:  # Scenario-excess[s]
        rows += [m + np.arange(n_s), m + np.arange(n_s), m + s_of, m + np.repeat(np.arange(n_s), n_i),
                 m + np.repeat(np.arange(n_s), n_x)]
        cols += [excess0 + np.arange(n_s), np.full(n_s, eta), o_of, spot0 + np.arange(n_s * n_i),
                 short0 + np.arange(n_s * n_x)]
        vals += [np.ones(n_s), np.ones(n_s), -a[s_of, o_of] * c[o_of], -np.tile(inst.spot_price, n_s),
                 -np.tile(inst.shortage_cost[short], n_s)]
        lo.append(np.zeros(n_s))
        up.append(np.full(n_s, inf))
        m += n_s
    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")
    h = new_highs()
    status = h.passModel(
        num_col, m, len(row), highspy.MatrixFormat.kRowwise.value, highspy.ObjSense.kMinimize.value, 0.0,
        cost, lower_col, upper_col, np.concatenate(lo), np.concatenate(up),
        np.concatenate([[0], np.cumsum(np.bincount(row, minlength=m))]).astype(np.int32),
        np.concatenate(cols)[order].astype(np.int32), np.concatenate(vals)[order], np.zeros(num_col, dtype=np.int32))
    assert status != highspy.HighsStatus.kError, "HiGHS refused the plain extensive form"
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    return h, {"rows": m, "columns": num_col, "nonzeros": len(row), "scenarios with baseline": n_s}


# ---- the sides, each in a child process -------------------------------------------------------------------------


def run_highspy(scenarios: int, offers: int, risk: float) -> dict:
    inst = arrays(scenarios, offers)
    t = time.perf_counter()
    h, sizes = plain_ef(inst, risk)
    built = time.perf_counter() - t
    h.run()
    solved = time.perf_counter() - t - built
    return {"build": built, "hand-off": 0.0, "solve": solved, "objective": h.getInfo().objective_function_value,
            "status": h.getModelStatus().name, "highs": h.version(), **sizes}


def run_model(scenarios: int, offers: int, risk: float) -> dict:
    """`planner.model.build` + `HighsModel(model)` + `.solve()`, timed apart (the offer table and the scenarios'
    availabilities, cached on the data, are made inside the build: they are the planner's work)."""
    from planner.model import build
    from planner.solver import HighsModel

    data = planning_data(arrays(scenarios, offers), risk)
    t = time.perf_counter()
    model = build(data)
    built = time.perf_counter() - t
    handle = HighsModel(model)
    handed = time.perf_counter() - t - built
    outcome = handle.solve(data.settings.time_limit, data.settings.mip_gap)
    return {"build": built, "hand-off": handed, "solve": outcome.seconds, "objective": outcome.objective,
            "status": outcome.status, "rows": model.num_rows, "columns": model.num_columns,
            "nonzeros": len(model.matrix[2]), "binaries": int(model.integer.sum())}


def run_solve(scenarios: int, offers: int, risk: float) -> dict:
    """`planner.solve(data, rule_costs=False)`: the whole call (EVPI and VSS included), and the phases its plan
    records."""
    import planner

    data = planning_data(arrays(scenarios, offers), risk)
    t = time.perf_counter()
    plan = planner.solve(data, rule_costs=False)
    total = time.perf_counter() - t
    timings = plan.timings or {}
    risk_figures = plan.risk or {}
    return {"total": total, "build": timings.get("build seconds"), "hand-off": timings.get("hand-off seconds"),
            "solve": timings.get("solve seconds"), "extract and check": timings.get("extract and check seconds"),
            "objective": plan.total_cost, "status": plan.status, "message": plan.message,
            "evpi": risk_figures.get("evpi"), "vss": risk_figures.get("vss"),
            "rows": plan.run.get("constraints"), "columns": plan.run.get("variables")}


def run_alone(scenarios: int, offers: int, risk: float, count: int = 20) -> dict:
    """Seconds to build and solve one scenario planned alone (probability 1, the planner's model, as the EVPI
    re-solves and a decomposition's subproblems do): the median over `count` scenarios spread over the S; the
    figure the 64-rank estimate starts from (`--alone`)."""
    from planner.model import build
    from planner.model.families._stages import ScenarioSet, scenario_set, with_scenarios
    from planner.solver import HighsModel

    data = planning_data(arrays(scenarios, offers), risk)
    found = scenario_set(data)
    times, solves = [], []
    for s in np.linspace(0, len(found.names) - 1, count).astype(int).tolist():
        alone = with_scenarios(data, ScenarioSet((found.names[s],), np.ones(1), found.availability[s:s + 1]))
        t = time.perf_counter()
        outcome = HighsModel(build(alone)).solve(data.settings.time_limit, data.settings.mip_gap)
        times.append(time.perf_counter() - t)
        solves.append(outcome.seconds)
    return {"alone seconds": statistics.median(times), "alone solve seconds": statistics.median(solves),
            "alone runs": count, "status": "optimal", "objective": None}


SIDES = {"highspy": run_highspy, "model": run_model, "solve": run_solve, "alone": run_alone}
TABLED = ["highspy", "model", "solve"]


def run_child(side: str, scenarios: int, offers: int, risk: float) -> dict:
    """One side in a fresh process: its result, its peak memory and the load average before and after."""
    return {"side": side, "scenarios": scenarios, "offers": offers, "risk": risk,
            **report.run_child(__file__, ["--child", side, str(scenarios), str(offers), str(risk)],
                               f"{side} ({scenarios} x {offers:,}, w {risk})")}


# ---- the table ---------------------------------------------------------------------------------------------------


def total_of(run: dict) -> float:
    return run["total"] if run["side"] == "solve" else run["build"] + run["hand-off"] + run["solve"]


def memory_fit(runs: list[dict]) -> list[str]:
    """Peak MiB = a + b * S by least squares over the sizes measured (per side, w 0.5, the larger form), and
    the S where it reaches 24 GiB."""
    lines = ["| side (risk_weight 0.5) | peak MiB = a + b x S | S at 24 GiB | nonzeros per scenario |",
             "|---|---:|---:|---:|"]
    for side in ("highspy", "model"):
        points = [(r["scenarios"], r["peak MB"], r["nonzeros"]) for r in runs if r["side"] == side and r["risk"] > 0]
        sizes = sorted({s for s, _, _ in points})
        if len(sizes) < 2:
            continue
        peak = {s: max(m for t, m, _ in points if t == s) for s in sizes}
        b, a = np.polyfit(sizes, [peak[s] for s in sizes], 1)
        nnz = {s: next(z for t, _, z in points if t == s) for s in sizes}
        per = (nnz[sizes[-1]] - nnz[sizes[0]]) / (sizes[-1] - sizes[0])
        lines.append(f"| {side} | {a:,.0f} + {b:,.3f} x S | {(GIB_24 / 2**20 - a) / b:,.0f} | {per:,.0f} |")
    return lines


def render(runs: list[dict]) -> str:
    """Sizes, one line per (S, risk, side) with the median run by total time (the highest peak memory of its
    runs, the range of loads), and the ratio to plain highspy of the same size; the memory fit."""
    groups: dict[tuple[int, int, float, str], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["scenarios"], r["offers"], r["risk"], r["side"]), []).append(r)
    sizes = sorted({(s, o, w) for s, o, w, _ in groups})
    size_lines = ["| scenarios | offers | risk_weight | side | rows | columns | nonzeros |",
                  "|---:|---:|---:|---|---:|---:|---:|"]
    lines = ["| scenarios | risk_weight | side | runs | build s | hand-off s | solve s | extract + check + EVPI/VSS s "
             "| total s | ratio to highspy | objective | EVPI | VSS | peak MiB | load (1 min) |",
             "|---:|---:|---|---:" + "|---:" * 11 + "|"]
    for scenarios, offers, risk in sizes:
        plain = groups.get((scenarios, offers, risk, "highspy"))
        base = statistics.median(total_of(r) for r in plain) if plain else None
        for side in TABLED:
            group = groups.get((scenarios, offers, risk, side))
            if not group:
                continue
            run = sorted(group, key=total_of)[(len(group) - 1) // 2]
            if side != "solve":
                size_lines.append(f"| {scenarios:,} | {offers:,} | {risk:g} | {side} | {run['rows']:,} | "
                                  f"{run['columns']:,} | {run['nonzeros']:,} |")
            loads = [r["load before"] for r in group] + [r["load after"] for r in group]
            total = statistics.median(total_of(r) for r in group)
            rest = run.get("extract and check")
            if side == "solve":  # what the plan's phases do not hold: extraction, checker, the EVPI/VSS re-solves
                rest = total - sum(run.get(k) or 0.0 for k in ("build", "hand-off", "solve"))
            lines.append(
                f"| {scenarios:,} | {risk:g} | {side} | {len(group)} | {fmt(run['build'])} | {fmt(run['hand-off'])} | "
                f"{fmt(run['solve'])} | {fmt(rest)} | {fmt(total)} | "
                f"{'-' if base is None else format(total / base, '.2f') + 'x'} | {run['objective']:,.2f} | "
                f"{fmt(run.get('evpi'))} | {fmt(run.get('vss'))} | "
                f"{max(r['peak MB'] for r in group):,.0f} | {min(loads):.2f}-{max(loads):.2f} |")
    return "\n".join([
        "Two-stage mode (bench/two_stage.py): the extensive form of workbook-v2 section 3 (1k offers of 20 items "
        "from 150 suppliers in 25 countries; S generated scenarios of countries, pairs and suppliers stopping or at "
        "half, probabilities adding up to 0.3, and the baseline; spot market on every item, shortage cost on every "
        "fourth, max_share 0.35 per country; no binaries), built and solved by plain highspy straight from numpy "
        "(`plain_ef`), by the planner's model (`planner.model.build` + `HighsModel(model).solve()`) and by "
        "`planner.solve(data, rule_costs=False)` (with the checks before, the plan's extraction, the checker, and "
        "EVPI and VSS: S + 3 more extensive forms built and solved). Every run in its own process; same HiGHS "
        "options (the planner's). Medians of the runs by total time; peak memory (max RSS of the process) is the "
        "highest of the runs; the load is the 1-minute average before and after each run. Both optima agree to "
        "1e-6 relative in every run.", "", *size_lines, "", *lines, "",
        "Peak memory against S, fitted linearly (the nonzeros grow as offers x S; the assumption is that "
        "everything else does too, or is constant):", "", *memory_fit(runs), "",
        f"HiGHS {'/'.join(sorted({r['highs'] for r in runs if 'highs' in r}))}."])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, nargs="*", default=list(SCENARIOS))
    parser.add_argument("--offers", type=int, default=OFFERS)
    parser.add_argument("--risk", type=float, nargs="*", default=list(RISKS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sides", nargs="*", choices=TABLED, default=TABLED)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "two_stage.md")
    parser.add_argument("--quiet", type=float, default=1.0, help="wait for a 1-minute load average below this")
    parser.add_argument("--patience", type=float, default=120.0, help="seconds to wait for it before each run")
    parser.add_argument("--from-log", type=Path, nargs="*", help="no runs: the table of the runs in these files")
    parser.add_argument("--alone", action="store_true",
                        help="no table: seconds of one scenario planned alone, at each --scenarios, in a child")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.alone:
        for scenarios in args.scenarios:
            print(json.dumps(run_child("alone", scenarios, args.offers, args.risk[-1])))
        return
    if args.child:
        side, scenarios, offers, risk = args.child[0], int(args.child[1]), int(args.child[2]), float(args.child[3])
        print(json.dumps(SIDES[side](scenarios, offers, risk)))
        return
    if args.from_log:
        runs = read_runs(args.from_log)
    else:
        runs = []
        for scenarios in args.scenarios:
            for risk in args.risk:
                for _ in range(args.repeat):  # the sides alternate, so that all see the machine alike
                    for side in args.sides:
                        wait_for_quiet(args.quiet, args.patience)
                        runs.append(run_child(side, scenarios, args.offers, risk))
                        print(json.dumps(runs[-1]), flush=True)
    check_agree(runs, ("scenarios", "offers", "risk"))
    publish(render(runs), args.out)


if __name__ == "__main__":
    main()
