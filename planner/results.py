"""Solved model -> `Plan`: plain tables a person reads (step 5 of the pipeline).

Everything here is computed from the validated data and the purchase
quantities alone, so a plan can be rebuilt from a quantities table without
any solver object.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.check.view import TOL
from planner.data import Item, OfferKey, PlanningData
from planner.model import Columns, SourcingModel, registry
from planner.model.families.buy import FAMILY as BUY
from planner.model.families.policy_min_coverage import MIN_COVERAGE
from planner.model.outer import Cut
from planner.solver import SolverOutcome

RULE_FAMILIES = frozenset(f.name for f in registry.row_families() if f.rule_kinds)

# Quantities below this (relative to the item's demand) are solver noise, not purchases.
ZERO = 1e-9


@dataclass
class Plan:
    """A sourcing plan, or the reason there is none (`status` not optimal/feasible)."""

    status: str  # optimal | feasible | relaxed | infeasible | unbounded | error
    message: str
    quantities: dict[OfferKey, float] = field(default_factory=dict)  # the offers bought (> 0) and how much
    total_cost: float | None = None
    landed_cost: float | None = None
    fixed_cost: float | None = None
    mip_gap: float | None = None
    conflicts: list[str] = field(default_factory=list)
    lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    cost_by_country: pd.DataFrame = field(default_factory=pd.DataFrame)
    cost_by_bloc: pd.DataFrame = field(default_factory=pd.DataFrame)
    volume_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    concentration: pd.DataFrame = field(default_factory=pd.DataFrame)
    fixed_costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenarios: pd.DataFrame = field(default_factory=pd.DataFrame)
    rules: pd.DataFrame = field(default_factory=pd.DataFrame)  # cost of each Policy row (analysis.RULE_COLUMNS)
    resilience: dict[str, float | None] = field(default_factory=dict)  # optimum with / without Policy rules
    violations: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows an elastic plan relaxes
    diagnosis: pd.DataFrame = field(default_factory=pd.DataFrame)  # conflicting input rows of an infeasible input
    diagnosis_notes: list[str] = field(default_factory=list)
    run: dict[str, object] = field(default_factory=dict)  # provenance and solver outcome: the Run sheet
    timings: dict[str, float] = field(default_factory=dict)  # wall-clock seconds; in the Run sheet only on request
    warnings: list[str] = field(default_factory=list)
    # max_hhi: the tangent points the solve added (`planner.model.outer.Cut`); `build(data, cuts=plan.cuts)`
    # and `create_model(data, cuts=plan.cuts)` give the model it ended with
    cuts: tuple[Cut, ...] = ()
    # the two-stage mode (workbook-v2 section 3): `quantities` are the contracts; per scenario what they deliver
    # and the recourse (Recourse sheet), each scenario's cost, and the figures of the Risk sheet and the JSON
    # (objective, expected_cost, cvar, evpi, vss, worst_scenario, ...)
    contracts: pd.DataFrame = field(default_factory=pd.DataFrame)
    recourse: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenario_costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    risk: dict[str, object] = field(default_factory=dict)
    # several periods (`data.multi_period`): what of each offer arrives in each period, (item, supplier, period) ->
    # quantity (`quantities` then holds the totals over the horizon); end-of-period stock per (item, period) as the
    # solver reported it (the Stock sheet shows it as the schedule gives it, and warns where they differ); the
    # period each built expansion is decided in; the holding cost and the expansions' fixed costs in `total_cost`
    schedule: dict[tuple[str, str, str], float] = field(default_factory=dict)
    stock_levels: dict[tuple[str, str], float] = field(default_factory=dict)
    builds: dict[str, str] = field(default_factory=dict)
    holding_cost: float = 0.0
    expansion_cost: float = 0.0
    # what `planner.timeline.fill` computes from the data and the schedule and builds: the periods in planning
    # order and the tables of the Stock, Build-up, Routes and Shares sheets and of the Summary's cost by period
    periods: tuple[str, ...] = ()
    stock: pd.DataFrame = field(default_factory=pd.DataFrame)
    buildup: pd.DataFrame = field(default_factory=pd.DataFrame)
    capacity_by_period: pd.DataFrame = field(default_factory=pd.DataFrame)
    route_usage: pd.DataFrame = field(default_factory=pd.DataFrame)
    period_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    cost_by_period: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def purchases(self) -> pd.DataFrame:
        """The offers bought, as a table with the dimensions of `buy`: item, supplier, quantity (`quantities`
        as a dict keyed by (item, supplier) holds the same)."""
        if self.schedule:
            return pd.DataFrame([(i, s, p, q) for (i, s, p), q in self.schedule.items()],
                                columns=["item", "supplier", "period", "quantity"])
        return pd.DataFrame([(item, supplier, q) for (item, supplier), q in self.quantities.items()],
                            columns=["item", "supplier", "quantity"])

    @property
    def has_plan(self) -> bool:
        """A plan to write: optimal, feasible, or (from `--elastic`) relaxed."""
        return self.status in ("optimal", "feasible", "relaxed")

    def named_conflicts(self, limit: int = 3, width: int = 200) -> str:
        """The conflicting input rows of `diagnosis` in one line a summary table can hold.

        Policy rows come first, as they are what a batch run's override or a frontier step changes, and a
        rule listed after a few capacities would be cut off; then at most `limit` rows in all (each cut at
        `width` characters) and how many more there are. `planner solve --diagnose` lists them all.
        Model rows of one input row (a cap on `each country` gives one per country) are one entry, counted:
        `Policy!A3 max_share each country 0.3 on every item (3 rows)`.
        """
        if not len(self.diagnosis):
            text = "; ".join(self.conflicts) or self.message
            return text if len(text) <= limit * width else text[:limit * width - 3] + "..."
        rows = list(zip(self.diagnosis["family"].astype(str), self.diagnosis["input rows"].astype(str)))
        ordered = [t for f, t in rows if _is_rule_family(f)] + [t for f, t in rows if not _is_rule_family(f)]
        groups: dict[str, list[str]] = {}
        for text in ordered:
            groups.setdefault(_input_row(text), []).append(text)
        texts = [members[0] if len(set(members)) == 1 else f"{_WHICH.sub('', members[0].split('; ')[0])} "
                 f"({len(set(members))} rows)" for members in groups.values()]
        shown = [t if len(t) <= width else t[:width - 3] + "..." for t in texts[:limit]]
        more = [f"and {len(texts) - limit} more"] if len(texts) > limit else []
        return f"{len(texts)} conflicting input row(s): " + " | ".join(shown + more)


# what tells apart the model rows of one input row: `(for 'A' from country:C1)`, `('A' from 'S1')`,
# `(in scenario 'C4 stop', for 'A')`, at the end of the rule's label
_WHICH = re.compile(r" \((?:for |from |in scenario |').*\)$")


def reported(value: float | None, scale: float | None = None) -> float | None:
    """A money figure as the JSON and the batch summary report it: rounded to 1e-12 of `scale` (by default the
    figure itself; for a change, the larger of the two totals it is the difference of), 12 significant digits.

    Float sums leave noise in the last digits (a total of 99300.00000000001, a change of 99.99999999998545
    between totals near 1e5): a few parts in 1e16 of the total, far below one part in 1e12, while a cent of a
    total up to 1e10 is kept. `-0.0` is reported as 0.0. What is compared (each run's change) is computed
    from the figures unrounded.
    """
    if value is None or not math.isfinite(value):
        return value
    size = abs(scale) if scale is not None and math.isfinite(scale) else abs(value)
    if size == 0:
        return 0.0 if value == 0 else value
    return round(value, 12 - math.floor(math.log10(size))) + 0.0


def _is_rule_family(name: str) -> bool:
    """Rows a Policy rule puts in the model (its family owns rule kinds)."""
    return name in RULE_FAMILIES


def _input_row(text: str) -> str:
    """The input row a diagnosis entry comes from: its leading cell (`Policy!A3`, `prices.csv!C2`), or the whole
    text when it names none."""
    first = text.split(" ", 1)[0]
    return first if "!" in first else text


def quantities_from_values(model: SourcingModel, values: np.ndarray, data: PlanningData) -> dict[OfferKey, float]:
    """`purchases` as a dict: offer -> quantity, for the offers bought (quantity > 0)."""
    return _as_dict(data, *_positive(model, purchases(model, values, data)))


def _positive(model: SourcingModel, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions in the offer table, quantities) of the `buy` columns with a quantity > 0."""
    bought = q > 0
    return model.offers[bought], q[bought]


def _as_dict(data: PlanningData, at: np.ndarray, q: np.ndarray) -> dict[OfferKey, float]:
    keys = data.table.keys
    return {keys[p]: v for p, v in zip(at.tolist(), q.tolist())}


def purchases(model: SourcingModel, values: np.ndarray, data: PlanningData) -> np.ndarray:
    """The quantity of each `buy` column (offer `model.offers[k]`) from the solver's column values, with solver
    noise removed.

    |x| below ZERO * demand becomes 0, and so does x whose on/off binary is
    0: a MIP solver accepts x = 1e-6 with its binary at 0 within its
    integrality tolerance, but a person would read that as an order placed.
    """
    table = data.table
    buy = values[model.column_block(BUY.name)[1]].copy()
    buy[np.abs(buy) <= ZERO * np.maximum(1.0, table.demand[table.item[model.offers]])] = 0.0
    if model.periods is not None:
        return _closed_per_period(model, values, data, buy)
    for family in registry.variables():
        if family.integer and any(c.name == family.name for c in model.columns):
            _, at = model.column_block(family.name)
            closed = np.flatnonzero(np.round(values[at]) == 0)
            if len(closed):
                buy[family.closes(data, model, closed)] = 0.0
    return buy


@dataclass(eq=False)
class _PeriodSlice:
    """One period's part of a model of several: its `buy` columns and each family's columns of that period, as
    a model of one period shows them to a family's `closes`."""

    model: SourcingModel
    t: int
    offers: np.ndarray
    view: str

    def column_block(self, name: str) -> tuple[Columns, np.ndarray]:
        block, at = self.model.column_block(name)
        if "period" not in block.dims or not len(block):
            return block, at
        keep = np.flatnonzero(block.coord("period") == self.model.period_names[self.t])
        dims = tuple(d for d in block.dims if d != "period")
        index = tuple(block.coord(d)[keep] for d in dims)
        return Columns(block.name, index, block.cost[keep], block.lower[keep], block.upper[keep], block.integer,
                       dims), at[keep]


def _closed_per_period(model: SourcingModel, values: np.ndarray, data: PlanningData, buy: np.ndarray) -> np.ndarray:
    """`purchases` of a model of several periods: each binary family built per period closes purchases of its
    period, read on that period's world; `use_supplier` (one binary over the horizon) closes every period's."""
    from planner.model.periods import world

    assert model.periods is not None
    bounds = np.searchsorted(model.periods, np.arange(len(model.period_names) + 1))
    for family in registry.variables():
        if not (family.integer and any(c.name == family.name for c in model.columns)):
            continue
        block, at = model.column_block(family.name)
        if family.periods == "horizon":
            closed = np.flatnonzero(np.round(values[at]) == 0)
            if len(closed):
                buy[family.closes(data, model, closed)] = 0.0
            continue
        for t in range(len(model.period_names)):
            a, b = int(bounds[t]), int(bounds[t + 1])
            part = _PeriodSlice(model, t, model.offers[a:b], model.view)
            _, where = part.column_block(family.name)
            closed = np.flatnonzero(np.round(values[where]) == 0)
            if len(closed):
                mask = family.closes(world(data, t), part, closed)  # type: ignore[arg-type]
                buy[a:b][mask] = 0.0
    return buy


def extract_plan(model: SourcingModel, values: np.ndarray | None, data: PlanningData, outcome: SolverOutcome) -> Plan:
    """Read the solver's column values into a `Plan` (no solver object kept)."""
    if not outcome.has_plan or values is None:
        return Plan(status=outcome.status, message=outcome.message)
    if model.periods is not None:
        return _extract_periods(model, values, data, outcome)
    if data.two_stage:
        return _extract_two_stage(model, values, data, outcome)
    at, q = _positive(model, purchases(model, values, data))
    return build_plan(data, _as_dict(data, at, q), outcome.status, outcome.message, outcome.gap,
                      _in_name_order(data, at, q))


def _extract_two_stage(model: SourcingModel, values: np.ndarray, data: PlanningData,
                       outcome: SolverOutcome) -> Plan:
    """A two-stage plan: the contracts (`buy`); each scenario's recourse follows from them (`cheapest_recourse`)."""
    at, q = _positive(model, purchases(model, values, data))
    return build_two_stage_plan(data, _as_dict(data, at, q), outcome.status, outcome.message, outcome.gap,
                                outcome.objective)


def cheapest_recourse(item: Item, delivered: float) -> tuple[float, float]:
    """(spot, short) of `item` in a scenario in which its contracts deliver `delivered`: what is missing of
    demand, m = max(0, d - delivered), is bought on the spot market up to its capacity while the spot price is
    at most the shortage cost (or shortage is not allowed), the rest goes short.

    Computed here, not read off the solver's columns: a scenario the objective gives no weight (probability 0,
    or below the value at risk when risk_weight is 1) may hold any feasible recourse in the solver's answer,
    and the plan states what that scenario would cost, which is the cost of its cheapest recourse."""
    missing = max(0.0, item.demand - delivered)
    if missing <= ZERO * max(1.0, item.demand):
        return 0.0, 0.0
    spot = 0.0
    if item.spot_price is not None and (item.shortage_cost is None or item.spot_price <= item.shortage_cost):
        spot = min(missing, item.spot_capacity)
    short = missing - spot if item.shortage_cost is not None else 0.0
    return spot, short


def build_two_stage_plan(data: PlanningData, contracts: dict[OfferKey, float], status: str = "optimal",
                         message: str = "", gap: float | None = None, objective: float | None = None) -> Plan:
    """Every table of a two-stage plan from data and its contracts: the Plan sheet's lines are the contracts;
    each scenario's cost is the landed cost of what the contracts deliver (a(s, o) of each, at the contract's
    unit price), every fixed cost, and the cheapest recourse (`cheapest_recourse`) for what is missing;
    `total_cost` is (1 - w) * expected cost + w * CVaR_alpha."""
    from planner.model.families._stages import scenario_set

    plan = build_plan(data, contracts, status, message, gap)
    found = scenario_set(data)
    t = data.table
    at, q = bought(data, contracts)
    _, unit_cost = purchase_prices(data, at, q)
    fixed = plan.fixed_cost or 0.0
    items = list(data.items.values())
    rows, costs = [], []
    for s, scenario in enumerate(found.names):
        delivered = found.availability[s, at] * q
        by_item = np.bincount(t.item[at], weights=delivered, minlength=len(items))
        landed = np.bincount(t.item[at], weights=delivered * unit_cost, minlength=len(items))
        total = fixed
        for k, item in enumerate(items):
            spot, short = cheapest_recourse(item, float(by_item[k]))
            cost = float(landed[k]) + spot * (item.spot_price or 0.0) + short * (item.shortage_cost or 0.0)
            total += cost
            rows.append({"scenario": scenario, "probability": float(found.probability[s]), "item": item.name,
                         "demand": item.demand, "delivered": float(by_item[k]), "spot": spot, "short": short,
                         "cost": cost})
        costs.append(total)
    plan.recourse = pd.DataFrame(rows, columns=["scenario", "probability", "item", "demand", "delivered", "spot",
                                                "short", "cost"])
    plan.scenario_costs = pd.DataFrame({"scenario": list(found.names), "probability": found.probability,
                                        "cost": costs}, columns=["scenario", "probability", "cost"])
    lines = plan.lines
    plan.contracts = pd.DataFrame({"item": lines["item"], "supplier": lines["supplier"],
                                   "country": lines["country"], "contract": lines["quantity"],
                                   "unit_cost": lines["unit_cost"]},
                                  columns=["item", "supplier", "country", "contract", "unit_cost"]) \
        if len(lines) else pd.DataFrame(columns=["item", "supplier", "country", "contract", "unit_cost"])
    expected = float(np.dot(found.probability, costs)) if costs else fixed
    tail = cvar_of(np.array(costs), found.probability, data.settings.cvar_alpha) if costs else fixed
    w = data.settings.risk_weight
    value = (1.0 - w) * expected + w * tail
    worst = int(np.argmax([c if p > 0 else -np.inf for c, p in zip(costs, found.probability)])) if costs else None
    plan.risk = {"objective": value, "expected_cost": expected, "cvar": tail, "cvar_alpha": data.settings.cvar_alpha,
                 "risk_weight": w, "worst_scenario": found.names[worst] if worst is not None else None,
                 "worst_cost": costs[worst] if worst is not None else None,
                 "solver_objective": objective}
    plan.total_cost = value
    plan.landed_cost = expected - fixed - float(sum(
        p * sum(r["spot"] * (data.items[r["item"]].spot_price or 0.0) +
                r["short"] * (data.items[r["item"]].shortage_cost or 0.0) for r in rows if r["scenario"] == s)
        for s, p in zip(found.names, found.probability)))
    return plan


def cvar_of(costs: np.ndarray, probability: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of a discrete cost distribution (Rockafellar-Uryasev): min_eta eta + E[max(0, cost - eta)] /
    (1 - alpha), at eta the alpha-quantile: the mean of the worst 1 - alpha of probability mass."""
    order = np.argsort(-costs, kind="stable")
    left, total = 1.0 - alpha, 0.0
    for k in order.tolist():
        take = min(float(probability[k]), left)
        total += take * float(costs[k])
        left -= take
        if left <= 1e-15:
            break
    return total / (1.0 - alpha)


def _extract_periods(model: SourcingModel, values: np.ndarray, data: PlanningData, outcome: SolverOutcome) -> Plan:
    """A plan of several periods: the schedule (what of each offer arrives in each period), the expansions
    built (the period each is decided in), and every table `build_periods_plan` computes from them."""
    schedule, builds = schedule_from_values(model, values, data)
    block, at = model.column_block("stock")
    levels = {(str(i), str(p)): float(v) for i, p, v in zip(block.coord("item"), block.coord("period"), values[at])}
    return build_periods_plan(data, schedule, builds, outcome.status, outcome.message, outcome.gap, levels)


def schedule_from_values(model: SourcingModel, values: np.ndarray, data: PlanningData
                         ) -> tuple[dict[tuple[str, str, str], float], dict[str, str]]:
    """A model of several periods' solution as a plan states it: (item, supplier, arrival period) -> quantity
    of the purchases > 0, and expansion -> the period it is decided in."""
    assert model.periods is not None
    q = purchases(model, values, data)
    bought = np.flatnonzero(q > 0)
    keys = data.table.keys
    schedule = {(*keys[int(model.offers[k])], model.period_names[int(model.periods[k])]): float(q[k])
                for k in bought.tolist()}
    builds: dict[str, str] = {}
    if any(c.name == "expand" for c in model.columns):
        block, at = model.column_block("expand")
        for k in np.flatnonzero(np.round(values[at]) == 1).tolist():
            builds[str(block.coord("expansion")[k])] = str(block.coord("period")[k])
    return schedule, builds


def build_periods_plan(data: PlanningData, schedule: dict[tuple[str, str, str], float], builds: dict[str, str],
                       status: str = "optimal", message: str = "", gap: float | None = None,
                       levels: dict[tuple[str, str], float] | None = None) -> Plan:
    """Every table of a plan of several periods from data and its schedule (`planner.timeline.fill`): the lines
    of each arrival period priced in the period each was ordered in, stock, holding cost, fixed costs paid once,
    and the expansions' costs. `levels`: the end-of-period stock as the solver reports it, which the tables
    (computed from the schedule) are cross-checked against."""
    from planner import timeline  # the tables of the plan workbook of several periods, from the same schedule

    plan = Plan(status=status, message=message, mip_gap=gap, schedule=schedule, builds=builds,
                stock_levels=dict(levels or {}))
    timeline.fill(plan, data)
    return plan


def build_plan(data: PlanningData, quantities: dict[OfferKey, float], status: str = "optimal",
               message: str = "", gap: float | None = None,
               purchased: tuple[np.ndarray, np.ndarray] | None = None) -> Plan:
    """Every table of a plan from data and quantities (`purchased`: `bought(data, quantities)`, if known)."""
    purchased = purchased if purchased is not None else bought(data, quantities)
    lines = plan_lines(data, quantities, purchased)
    landed = float(lines["cost"].sum()) if len(lines) else 0.0
    fixed = fixed_cost_table(data, quantities, purchased)
    fixed_total = float(fixed["fixed_cost"].sum()) if len(fixed) else 0.0
    plan = Plan(
        status=status,
        message=message,
        quantities=quantities,
        total_cost=landed + fixed_total,
        landed_cost=landed,
        fixed_cost=fixed_total,
        mip_gap=gap,
        lines=lines,
        cost_by_country=cost_by_country(data, lines),
        cost_by_bloc=cost_by_bloc(data, lines),
        volume_shares=volume_shares(data, lines),
        concentration=concentration(data, lines),
        fixed_costs=fixed,
        scenarios=scenario_table(data, quantities, purchased),
    )
    if data.routes and not data.multi_period:  # routes without periods: shown with their freight and usage
        from planner import timeline

        timeline.one_period_routes(plan, data)
    return plan


def bought(data: PlanningData, quantities: dict[OfferKey, float]) -> tuple[np.ndarray, np.ndarray]:
    """(positions in `data.table`, quantities) of the offers bought (q > 0), in (item, supplier) name order."""
    position = data.table.position
    pairs = [(position[k], q) for k, q in quantities.items() if q > 0]
    return _in_name_order(data, np.array([p for p, _ in pairs], dtype=np.int64),
                          np.array([q for _, q in pairs], dtype=float))


def _in_name_order(data: PlanningData, at: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offers (positions in `data.table`) and their quantities, sorted by item name, then supplier name."""
    t = data.table
    order = np.lexsort((t.supplier_names[t.supplier[at]].astype(str), t.item_names[t.item[at]].astype(str))) \
        if len(at) else np.zeros(0, dtype=np.int64)
    return at[order], q[order]


def plan_lines(data: PlanningData, quantities: dict[OfferKey, float],
               lines: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """One line per offer bought, in (item, supplier) order; `lines` is `bought(data, quantities)` if known."""
    t = data.table
    at, q = lines if lines is not None else bought(data, quantities)
    item, country = t.item[at], t.country[at]
    demand = t.demand[item]
    units = np.array([i.unit for i in data.items.values()], dtype=object)
    labels = np.array([c.label for c in data.countries.values()], dtype=object)
    blocs = np.array([", ".join(c.blocs) for c in data.countries.values()], dtype=object)
    share = np.full(len(q), None, dtype=object)
    positive = demand > 0
    share[positive] = (q[positive] / demand[positive]).tolist()
    quoted, unit_cost = purchase_prices(data, at, q)
    return pd.DataFrame({
        "item": t.item_names[item], "supplier": t.supplier_names[t.supplier[at]], "country": t.country_names[country],
        "quantity": q, "unit": units[item] if len(units) else np.zeros(0, dtype=object), "share_of_demand": share,
        "price": t.price[at], "tariff": t.tariff[at], "freight": t.freight[at],
        # as quoted, beside the landed cost in the base currency: the two prices of a purchase side by side
        "quoted_price": quoted, "currency": _currencies(data, at), "unit_cost": unit_cost,
        "cost": q * unit_cost, "country_name": labels[country] if len(labels) else np.zeros(0, dtype=object),
        "blocs": blocs[country] if len(blocs) else np.zeros(0, dtype=object),
    })


def purchase_prices(data: PlanningData, at: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per purchase (the offer at table position `at[k]`, quantity `q[k]`): the price per unit as quoted, in the
    offer's currency (its Offers price; with Tiers rows the price of the highest break reached, a break counted
    reached within the checker's tolerance, or for incremental tiers the mean price of the units bought), and
    the landed cost per unit in the base currency, rate * (quoted * (1 + tariff) + freight) + route freight."""
    t = data.table
    quoted, unit_cost = t.price[at].copy(), t.cost[at].copy()
    if not data.tiers:
        return quoted, unit_cost
    tiered = np.zeros(len(t), dtype=bool)
    tiered[[t.position[key] for key in data.tiers]] = True
    for k in np.flatnonzero(tiered[at]).tolist():  # a loop over the tiered purchases only
        p, x = int(at[k]), float(q[k])
        offer = data.offers[t.keys[p]]
        quoted[k] = quoted_price(offer.price, [(b.from_quantity, b.price) for b in data.tiers[offer.key]],
                                 offer.discount == "incremental", x)
        # route freight is per unit in the base currency, on top of the tier price (as `t.cost` and the model)
        unit_cost[k] = t.rate[p] * (quoted[k] * (1.0 + t.tariff[p]) + t.freight[p]) + data.route_freight(offer)
    return quoted, unit_cost


def quoted_price(price: float, breaks: list[tuple[float, float]], incremental: bool, x: float) -> float:
    """The price per unit of x units as quoted: all-units, the price of the highest break b reached (x >= b within
    1e-6 * max(1, b); `price` below the first); incremental, the mean over the units of each band's price."""
    bands = [(0.0, price)] + breaks
    if not incremental:
        return [p for b, p in bands if x >= b - TOL * max(1.0, b)][-1]
    if x <= 0:
        return price
    ends = [b for b, _ in bands[1:]] + [math.inf]
    return sum(p * max(0.0, min(x, end) - b) for (b, p), end in zip(bands, ends)) / x


def _currencies(data: PlanningData, at: np.ndarray) -> np.ndarray:
    """Per purchase, the currency its price is quoted in (the base currency's code for a blank one)."""
    base = data.settings.currency
    out = np.empty(len(at), dtype=object)
    out[:] = [data.offers[data.table.keys[p]].currency or base for p in at.tolist()]
    return out


def fixed_cost_table(data: PlanningData, quantities: dict[OfferKey, float],
                     purchased: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    t = data.table
    at, _ = purchased if purchased is not None else bought(data, quantities)
    codes = np.unique(t.supplier[at])
    used = sorted(str(s) for s in t.supplier_names[codes[t.fixed_cost[codes] > 0]])
    return pd.DataFrame(
        [{"supplier": s, "country": data.suppliers[s].country, "fixed_cost": data.suppliers[s].fixed_cost} for s in used],
        columns=["supplier", "country", "fixed_cost"])


def cost_by_country(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    total = lines["cost"].sum() if len(lines) else 0.0
    grouped = lines.groupby("country", sort=True)["cost"].sum() if len(lines) else pd.Series(dtype=float)
    rows = [{"country": c, "name": data.countries[c].label, "blocs": ", ".join(data.countries[c].blocs),
             "cost": float(cost), "share_of_spend": float(cost / total) if total > 0 else None}
            for c, cost in grouped.items()]
    return pd.DataFrame(rows, columns=["country", "name", "blocs", "cost", "share_of_spend"])


def cost_by_bloc(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """Spend per bloc; a country in several blocs counts in each, so shares may add up to more than 1."""
    total = lines["cost"].sum() if len(lines) else 0.0
    spend: dict[str, float] = {}
    for country, cost in (lines.groupby("country")["cost"].sum().items() if len(lines) else []):
        for bloc in data.countries[country].blocs or ("(no bloc)",):
            spend[bloc] = spend.get(bloc, 0.0) + float(cost)
    rows = [{"bloc": b, "cost": c, "share_of_spend": c / total if total > 0 else None} for b, c in sorted(spend.items())]
    return pd.DataFrame(rows, columns=["bloc", "cost", "share_of_spend"])


def volumes_by(lines: pd.DataFrame, column: str) -> pd.Series:
    """Quantity bought per (item, value of `column`), sorted by item then value."""
    return lines.groupby(["item", column], sort=True)["quantity"].sum()


def _by_bloc(data: PlanningData, by_country: pd.Series) -> pd.Series:
    """(item, country) volumes as (item, bloc) volumes; a country in several blocs counts in each."""
    pairs = [(item, bloc, q) for (item, country), q in by_country.items()
             for bloc in data.countries[country].blocs or ("(no bloc)",)]
    frame = pd.DataFrame(pairs, columns=["item", "bloc", "quantity"])
    return frame.groupby(["item", "bloc"], sort=True)["quantity"].sum()


def volume_shares(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """Per item, the share of demand bought from each country and each bloc."""
    columns = ["item", "group_kind", "group", "quantity", "unit", "share_of_demand"]
    if not len(lines):
        return pd.DataFrame([], columns=columns)
    by_country = volumes_by(lines, "country")
    parts = []
    for kind, series in (("country", by_country), ("bloc", _by_bloc(data, by_country))):
        part = series.reset_index()
        part.columns = ["item", "group", "quantity"]
        part.insert(1, "group_kind", kind)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["kind_order"] = (frame["group_kind"] == "bloc").astype(int)
    frame = frame.sort_values(["item", "kind_order", "group"], kind="stable").drop(columns="kind_order")
    demand = frame["item"].map({name: i.demand for name, i in data.items.items()})
    frame["unit"] = frame["item"].map({name: i.unit for name, i in data.items.items()})
    frame["share_of_demand"] = (frame["quantity"] / demand).where(demand > 0, None).astype(object)
    frame.loc[demand <= 0, "share_of_demand"] = None
    return frame[columns].reset_index(drop=True)


def hhi(quantities: Iterable[float]) -> float | None:
    """Herfindahl-Hirschman index on the 0-10,000 scale: sum of squared percentage shares."""
    values = list(quantities)
    total = sum(values)
    if total <= 0:
        return None
    return float(sum((q / total * 100.0) ** 2 for q in values))


def _hhi(volumes: pd.Series) -> pd.Series:
    """Per item (first index level), `hhi` of the volumes."""
    total = volumes.groupby(level=0).transform("sum")
    index = ((volumes / total * 100.0) ** 2).groupby(level=0).sum()
    return index.where(volumes.groupby(level=0).sum() > 0)


def concentration(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """Per item: suppliers and countries used, HHI by country and by supplier, and the top country's share."""
    columns = ["item", "demand", "unit", "suppliers_used", "countries_used", "hhi_country", "hhi_supplier",
               "top_country", "top_country_share"]
    names = sorted(data.items)
    frame = pd.DataFrame({"item": names, "demand": [data.items[n].demand for n in names],
                          "unit": [data.items[n].unit for n in names]})
    if not len(lines):
        for column in columns[3:]:
            frame[column] = 0 if column.endswith("_used") else None
        return frame[columns]
    by_country, by_supplier = volumes_by(lines, "country"), volumes_by(lines, "supplier")
    top = by_country.groupby(level=0).idxmax()  # the first of equals in name order
    top_volume = by_country.groupby(level=0).max()
    frame["suppliers_used"] = frame["item"].map(by_supplier.groupby(level=0).size()).fillna(0).astype(int)
    frame["countries_used"] = frame["item"].map(by_country.groupby(level=0).size()).fillna(0).astype(int)
    frame["hhi_country"] = frame["item"].map(_hhi(by_country)).astype(object)
    frame["hhi_supplier"] = frame["item"].map(_hhi(by_supplier)).astype(object)
    frame["top_country"] = frame["item"].map(top.map(lambda pair: pair[1])).astype(object)
    share = frame["item"].map(top_volume) / frame["demand"]
    frame["top_country_share"] = share.where(frame["demand"] > 0).astype(object)
    for column in ("hhi_country", "hhi_supplier", "top_country", "top_country_share"):
        frame[column] = frame[column].where(frame[column].notna(), None)
    return frame[columns]


def required_coverage(data: PlanningData, item: str) -> float | None:
    values = [r.value for r in data.rules if r.kind == MIN_COVERAGE.name and r.value is not None
              and item in data.rule_items(r)]
    return max(values) if values else None


def scenario_table(data: PlanningData, quantities: dict[OfferKey, float],
                   lines: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """For each scenario and item: planned volume surviving, its share of demand, and any shortfall.

    `lines` is `bought(data, quantities)` when the caller has it already.
    """
    columns = ["scenario", "item", "demand", "unit", "surviving", "share_of_demand", "required_share", "shortfall",
               "status"]
    t = data.table
    at, q = lines if lines is not None else bought(data, quantities)
    names = sorted(data.items)
    codes = np.array([t.code["item"][n] for n in names], dtype=np.int64)
    demand = t.demand[codes]
    units = [data.items[n].unit for n in names]
    required_of = [required_coverage(data, n) for n in names]
    required = np.array([np.nan if r is None else r for r in required_of])
    has_rule = ~np.isnan(required)
    needed = np.where(has_rule, required, 0.0) * demand
    parts = []
    for scenario in data.scenarios:
        level = data.availability_levels(scenario)[at]
        surviving = np.bincount(t.item[at], weights=level * q, minlength=len(t.item_names))[codes]
        shortfall = np.maximum(0.0, needed - surviving)
        shortfall[shortfall <= 1e-6 * np.maximum(1.0, demand)] = 0.0
        share = np.divide(surviving, demand, out=np.zeros(len(names)), where=demand > 0)
        parts.append(pd.DataFrame({
            "scenario": scenario, "item": names, "demand": demand, "unit": units, "surviving": surviving,
            "share_of_demand": np.where(demand > 0, share, None).astype(object),
            "required_share": required_of,
            "shortfall": np.where(has_rule, shortfall, None).astype(object),
            "status": np.where(~has_rule, "not required", np.where(shortfall > 0, "short", "covered")).astype(object),
        }))
    if not parts:
        return pd.DataFrame([], columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]
