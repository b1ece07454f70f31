"""Several periods: the tables in which a planner reads time, from the data and what the model decided alone.

`fill(plan, data)` takes the three things a multi-period model decides,

    schedule[i, s, t]   units of item i from supplier s ARRIVING in period t (> 0)
    builds[e]           the period expansion e is decided in (built ones only)

(and `stock_levels`, which it only cross-checks), and sets every table of a multi-period plan. Nothing is read
from a solver: the same schedule and builds on the same data give the same tables (the project's rule that a
plan can be rebuilt from its quantities).

With P the periods in planning order, L(o) the lead time of offer o's route (0 direct), an arrival in period t was
ORDERED in period t - L(o). The definitions, each the one `docs/workbook.md` states for the plan workbook:

    landed unit cost u(o, t)  = rate_o * (p(o, t - L) * (1 + tariff_o) + freight_o) + route freight
                                p the price of the ORDER period (a Prices row, else the Offers price; with Tiers the
                                price of the break the period's order reaches, as in a single period)
    stock(i, t)               = stock(i, t-1) + sum_s schedule[i, s, t] - d(i, t),  stock(i, -1) = initial_stock
    holding cost(t)           = sum_i holding_cost_i * max(0, stock(i, t))  (a negative stock, a shortfall only a
                                relaxed plan can have, holds nothing)
    cost of period t          = landed cost of what is ORDERED in t
                                + fixed cost of each supplier whose first order is placed in t (paid once)
                                + fixed cost of each expansion decided in t
                                + holding cost(t)
    capacity(target, t)       = base capacity in t (Capacity row, else Offers / Suppliers) +
                                sum of the capacity of expansions e of the target with builds[e] + lead_e <= t
    share of g in (i, t)      = arrivals of i in t from g / d(i, t)

so the costs of the periods add up to the total cost.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.data import Offer, PlanningData
from planner.model.families.policy_min_coverage import MIN_COVERAGE
from planner.results import (ZERO, Plan, concentration, cost_by_bloc, cost_by_country, fixed_cost_table,
                             quoted_price, required_coverage, volume_shares)

# beyond this difference (relative to the item's demand) the solver's stock and the stock the arrivals give differ
STOCK_TOLERANCE = 1e-6

LINE_COLUMNS = ["item", "supplier", "country", "period", "order_period", "lead_time", "route", "quantity", "unit",
                "share_of_demand", "price", "tariff", "freight", "route_freight", "quoted_price", "currency",
                "unit_cost", "cost", "country_name", "blocs"]
STOCK_COLUMNS = ["item", "period", "unit", "opening_stock", "arrivals", "demand", "stock", "reserve", "max_stock",
                 "holding_cost"]
BUILDUP_COLUMNS = ["expansion", "supplier", "item", "added_capacity", "fixed_cost", "lead_time", "earliest", "built",
                   "decided", "delivers_from"]
CAPACITY_COLUMNS = ["supplier", "item", "period", "base_capacity", "expansion_capacity", "capacity", "ordered",
                    "utilisation"]
ROUTE_COLUMNS = ["route", "period", "lead_time", "arrives", "ordered", "capacity", "utilisation", "freight_cost"]
SHARE_COLUMNS = ["item", "period", "group_kind", "group", "quantity", "unit", "share_of_demand"]
COST_COLUMNS = ["period", "landed_cost", "supplier_fixed_cost", "expansion_cost", "holding_cost", "total_cost"]
SCENARIO_COLUMNS = ["scenario", "item", "period", "demand", "unit", "surviving", "share_of_demand", "required_share",
                    "shortfall", "status"]
ALL_ITEMS = "(all items)"  # the item cell of a supplier's total capacity


def fill(plan: Plan, data: PlanningData) -> None:
    """Set the multi-period tables and costs of `plan` from `plan.schedule` and `plan.builds` (a single-period
    plan, or one with no plan, is left as it is).

    `plan.lines` becomes one line per (item, supplier, arrival period); `quantities` the totals over the
    periods; the tables by country and bloc and the concentration are over the horizon (shares of the demand of
    every period together); `fixed_cost` is the suppliers' fixed costs, `expansion_cost` the expansions',
    `total_cost` landed + fixed + expansion + holding costs. A stock (`stock_levels`) or a total cost the plan
    came with that differs from what the schedule gives is a warning: the tables are the schedule's. A plan with
    quantities but no schedule (made by a model that does not say when) is left as it is.
    """
    if not data.multi_period or not plan.has_plan:
        return
    if plan.quantities and not plan.schedule:  # bought, but not said when: nothing to show per period
        return
    plan.periods = data.period_names
    came_with = plan.total_cost if plan.schedule else None
    schedule = {key: q for key, q in plan.schedule.items() if q > ZERO * max(1.0, data.demand_in(key[0], key[2]))}
    lines = period_lines(data, schedule)
    plan.lines = lines
    totals: dict[tuple[str, str], float] = {}
    for (item, supplier, _), q in schedule.items():
        totals[(item, supplier)] = totals.get((item, supplier), 0.0) + q
    plan.quantities = {key: totals[key] for key in sorted(totals)}
    plan.stock = stock_table(data, lines)
    plan.warnings.extend(stock_mismatches(data, plan.stock, plan.stock_levels))
    plan.buildup, plan.capacity_by_period = buildup(data, lines, plan.builds)
    plan.route_usage = route_usage(data, lines)
    plan.period_shares = period_shares(data, lines)
    plan.cost_by_country = cost_by_country(data, lines)
    plan.cost_by_bloc = cost_by_bloc(data, lines)
    horizon = {name: sum(data.demand_in(name, p) for p in plan.periods) for name in data.items}
    plan.volume_shares = _over_horizon(volume_shares(data, lines), horizon, "share_of_demand")
    plan.concentration = _concentration_over_horizon(data, lines, horizon)
    plan.fixed_costs = fixed_cost_table(data, plan.quantities)
    plan.scenarios = scenario_table(data, lines)
    plan.cost_by_period = cost_by_period(data, lines, plan.stock, plan.builds)
    costs = plan.cost_by_period
    plan.landed_cost = float(costs["landed_cost"].sum())
    plan.holding_cost = float(costs["holding_cost"].sum())
    plan.expansion_cost = float(costs["expansion_cost"].sum())
    plan.fixed_cost = float(costs["supplier_fixed_cost"].sum())
    plan.total_cost = float(costs["total_cost"].sum())
    if came_with is not None and abs(came_with - plan.total_cost) > 1e-9 * max(1.0, abs(plan.total_cost)):
        plan.warnings.append(f"Summary: the costs by period add up to {plan.total_cost:,.6f}, the plan's total cost "
                             f"was {came_with:,.6f}; the plan shows the first")


def has_lead_times(data: PlanningData) -> bool:
    """Whether some offer travels on a route with a lead time: then orders and arrivals fall in different
    periods, and the Plan sheet shows both."""
    return any(data.lead_time(o) > 0 for o in data.offers.values() if o.route)


def line_columns(data: PlanningData) -> list[str]:
    """The Plan sheet's columns of a multi-period plan: `order_period` and `lead_time` where a lead time applies,
    `route` and `route_freight` when the workbook has Routes."""
    drop = set()
    if not has_lead_times(data):
        drop |= {"order_period", "lead_time"}
    if not data.routes:
        drop |= {"route", "route_freight"}
    return [c for c in LINE_COLUMNS if c not in drop]


def order_period(data: PlanningData, offer: Offer, arrival: str) -> str | None:
    """The period an arrival in `arrival` on `offer` was ordered in (None: before the first period, which the
    model does not allow)."""
    at = data.period_names.index(arrival) - data.lead_time(offer)
    return data.period_names[at] if at >= 0 else None


def unit_cost(data: PlanningData, offer: Offer, ordered_in: str | None, q: float) -> tuple[float, float, float]:
    """(price of the order period, price as quoted, landed cost per unit in the base currency) of q units ordered
    on `offer` in a period: the period's Prices row (else the Offers price), or with Tiers the price of the break
    the period's order reaches; landed = rate * (quoted * (1 + tariff) + freight) + route freight."""
    price = data.price_in(offer, ordered_in) if ordered_in is not None else offer.price
    quoted = price
    if offer.key in data.tiers:  # validation refuses Prices rows on a tiered offer: its price is the Offers price
        quoted = quoted_price(offer.price, [(b.from_quantity, b.price) for b in data.tiers[offer.key]],
                              offer.discount == "incremental", q)
    tariff = data.tariff(data.suppliers[offer.supplier].country, offer.item)
    return price, quoted, data.rate(offer) * (quoted * (1.0 + tariff) + offer.freight) + data.route_freight(offer)


def period_lines(data: PlanningData, schedule: dict[tuple[str, str, str], float]) -> pd.DataFrame:
    """One line per (item, supplier, arrival period) with a quantity, by item, supplier, then planning order;
    `share_of_demand` is of the arrival period's demand."""
    at = {p: k for k, p in enumerate(data.period_names)}
    rows = []
    for (item, supplier, period), q in sorted(schedule.items(), key=lambda e: (e[0][0], e[0][1], at[e[0][2]])):
        offer = data.offers[(item, supplier)]
        country = data.country_of(offer)
        ordered = order_period(data, offer, period)
        price, quoted, cost = unit_cost(data, offer, ordered, q)
        demand = data.demand_in(item, period)
        rows.append({
            "item": item, "supplier": supplier, "country": country.name, "period": period, "order_period": ordered,
            "lead_time": data.lead_time(offer), "route": offer.route or "(direct)", "quantity": q,
            "unit": data.items[item].unit, "share_of_demand": q / demand if demand > 0 else None, "price": price,
            "tariff": data.tariff(country.name, item), "freight": offer.freight,
            "route_freight": data.route_freight(offer), "quoted_price": quoted,
            "currency": offer.currency or data.settings.currency, "unit_cost": cost, "cost": q * cost,
            "country_name": country.label, "blocs": ", ".join(country.blocs)})
    return pd.DataFrame(rows, columns=LINE_COLUMNS)[line_columns(data)]


def _arrivals(lines: pd.DataFrame) -> dict[tuple[str, str], float]:
    """Units arriving per (item, period)."""
    if not len(lines):
        return {}
    return {key: float(v) for key, v in lines.groupby(["item", "period"])["quantity"].sum().items()}


def _ordered(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines with the period they were ordered in (`order_period`, which a plan without lead times does not
    show: there it is the arrival period)."""
    if "order_period" in lines.columns:
        return lines
    return lines.assign(order_period=lines["period"])


def stock_table(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """Per item (name order) and period (planning order): opening stock, arrivals, demand, end-of-period stock
    stock(t) = stock(t-1) + arrivals(t) - d(t) from stock(-1) = initial_stock, the reserve (`min_stock`), the
    most that may be held (blank: unlimited) and the holding cost h * max(0, stock(t))."""
    arrivals = _arrivals(lines)
    rows = []
    for name in sorted(data.items):
        item = data.items[name]
        level = shown = item.initial_stock
        carried = 0.0
        for period in data.period_names:
            came, demand = arrivals.get((name, period), 0.0), data.demand_in(name, period)
            opening, level = shown, level + came - demand
            # the quantities are known to the solver's tolerance, and so the stock to their sum over the periods
            # so far: a stock within it is none (a holding cost 10^4 the price would otherwise pay for crumbs)
            carried += STOCK_TOLERANCE * max(1.0, abs(demand))
            shown = 0.0 if abs(level) <= carried else level
            rows.append({"item": name, "period": period, "unit": item.unit, "opening_stock": opening,
                         "arrivals": came, "demand": demand, "stock": shown, "reserve": item.min_stock,
                         "max_stock": item.max_stock if math.isfinite(item.max_stock) else None,
                         "holding_cost": item.holding_cost * max(0.0, shown)})
    return pd.DataFrame(rows, columns=STOCK_COLUMNS)


def stock_mismatches(data: PlanningData, stock: pd.DataFrame, levels: dict[tuple[str, str], float]) -> list[str]:
    """A warning per (item, period) whose stock as the solver reports it differs from what the arrivals give."""
    out = []
    for name, period, level in zip(stock["item"], stock["period"], stock["stock"]):
        solver = levels.get((name, period))
        if solver is not None and abs(solver - level) > STOCK_TOLERANCE * max(1.0, data.demand_in(name, period)):
            out.append(f"Stock: {name} in {period} ends at {level:,.6g} by its arrivals and demand, the solver "
                       f"reports {solver:,.6g}; the plan shows the first")
    return out


def _target_offers(by_supplier: dict[str, list[Offer]], supplier: str, item: str | None) -> list[Offer]:
    return [o for o in by_supplier.get(supplier, []) if item is None or o.item == item]


def buildup(data: PlanningData, lines: pd.DataFrame, builds: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per Expansions row: built or not, decided when, delivering from when; capacity per period of
    every supplier, or supplier's offer of an item, that an expansion or a Capacity row concerns: base, added by
    the expansions built, the total, and what is ordered on it in the period).

    An expansion decided in period t delivers from t + lead_time on; one that would deliver after the last period
    shows `after the last period` (the model has no reason to build it, but the table says what it would do)."""
    periods = data.period_names
    at = {p: k for k, p in enumerate(periods)}
    rows = []
    for e in data.expansions.values():
        decided = builds.get(e.name)
        delivers = None
        if decided is not None:
            k = at[decided] + e.lead_time
            delivers = periods[k] if k < len(periods) else "after the last period"
        rows.append({"expansion": e.name, "supplier": e.supplier, "item": e.item or ALL_ITEMS,
                     "added_capacity": e.capacity, "fixed_cost": e.fixed_cost, "lead_time": e.lead_time,
                     "earliest": e.earliest or periods[0], "built": "yes" if decided is not None else "no",
                     "decided": decided, "delivers_from": delivers})
    expansions = pd.DataFrame(rows, columns=BUILDUP_COLUMNS)
    targets = sorted({(e.supplier, e.item) for e in data.expansions.values()}
                     | {(s, i) for s, i, _ in data.capacities}, key=lambda t: (t[0], t[1] or ""))
    ordered = _ordered(lines)
    # plain dicts: a pandas lookup per (offer, period) took 6 s, a scan of the offers per target 10 s, at 100k
    by_period: dict = ordered.groupby(["supplier", "item", "order_period"])["quantity"].sum().to_dict() \
        if len(lines) else {}
    by_supplier: dict[str, list[Offer]] = {}
    for o in data.offers.values():
        by_supplier.setdefault(o.supplier, []).append(o)
    rows = []
    for supplier, item in targets:
        offers = _target_offers(by_supplier, supplier, item)
        for k, period in enumerate(periods):
            if item is None:
                base = data.supplier_capacity_in(supplier, period)
            else:
                base = data.offer_capacity_in(offers[0], period) if offers else math.inf
            added = sum(e.capacity for e in data.expansions.values() if (e.supplier, e.item) == (supplier, item)
                        and e.name in builds and at[builds[e.name]] + e.lead_time <= k)
            used = sum(float(by_period.get((supplier, o.item, period), 0.0)) for o in offers)
            total = base + added
            rows.append({"supplier": supplier, "item": item or ALL_ITEMS, "period": period,
                         "base_capacity": base if math.isfinite(base) else None, "expansion_capacity": added,
                         "capacity": total if math.isfinite(total) else None, "ordered": used,
                         "utilisation": used / total if math.isfinite(total) and total > 0 else None})
    return expansions, pd.DataFrame(rows, columns=CAPACITY_COLUMNS)


def route_usage(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """Per route (Routes order) and ORDER period: units ordered on it, its capacity, the share of it used, the
    period they arrive in and the route's freight on them (in the base currency)."""
    periods = data.period_names
    ordered = _ordered(lines)
    by_period = ordered.groupby(["route", "order_period"])["quantity"].sum() if len(lines) and data.routes else {}
    rows = []
    for route in data.routes.values():
        for k, period in enumerate(periods):
            used = float(by_period.get((route.name, period), 0.0))
            arrives = k + route.lead_time
            rows.append({"route": route.name, "period": period, "lead_time": route.lead_time,
                         "arrives": periods[arrives] if arrives < len(periods) else "after the last period",
                         "ordered": used, "capacity": route.capacity if math.isfinite(route.capacity) else None,
                         "utilisation": used / route.capacity if math.isfinite(route.capacity) and route.capacity > 0
                         else None, "freight_cost": used * route.freight})
    return pd.DataFrame(rows, columns=ROUTE_COLUMNS)


def period_shares(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """Per item, arrival period, and country (then bloc: a country in several blocs counts in each): the units
    arriving and their share of that period's demand (above 1 when buying ahead for stock)."""
    if not len(lines):
        return pd.DataFrame([], columns=SHARE_COLUMNS)
    at = {p: k for k, p in enumerate(data.period_names)}
    by_country = lines.groupby(["item", "period", "country"])["quantity"].sum()
    rows = []
    for (item, period, country), q in by_country.items():
        rows.append((item, period, "country", country, float(q)))
        for bloc in data.countries[country].blocs or ("(no bloc)",):
            rows.append((item, period, "bloc", bloc, float(q)))
    frame = pd.DataFrame(rows, columns=["item", "period", "group_kind", "group", "quantity"])
    frame = frame.groupby(["item", "period", "group_kind", "group"], sort=False)["quantity"].sum().reset_index()
    frame["order"] = frame["period"].map(at)
    frame["kind"] = (frame["group_kind"] == "bloc").astype(int)
    frame = frame.sort_values(["item", "order", "kind", "group"], kind="stable").drop(columns=["order", "kind"])
    demand = np.array([data.demand_in(i, p) for i, p in zip(frame["item"], frame["period"])], dtype=float)
    frame["unit"] = frame["item"].map({n: i.unit for n, i in data.items.items()})
    frame["share_of_demand"] = [q / d if d > 0 else None for q, d in zip(frame["quantity"], demand)]
    return frame[SHARE_COLUMNS].reset_index(drop=True)


def cost_by_period(data: PlanningData, lines: pd.DataFrame, stock: pd.DataFrame, builds: dict[str, str]
                   ) -> pd.DataFrame:
    """Per period: landed cost of what is ORDERED in it, fixed costs of the suppliers whose first order is placed
    in it, fixed costs of the expansions decided in it, holding cost of its end stock, and their sum."""
    periods = data.period_names
    ordered = _ordered(lines)
    landed = ordered.groupby("order_period")["cost"].sum() if len(lines) else {}
    first: dict[str, str] = {}
    at = {p: k for k, p in enumerate(periods)}
    for supplier, period in zip(ordered["supplier"], ordered["order_period"]):
        if period is not None and (supplier not in first or at[period] < at[first[supplier]]):
            first[supplier] = period
    holding = stock.groupby("period")["holding_cost"].sum() if len(stock) else {}
    rows = []
    for period in periods:
        fixed = sum(data.suppliers[s].fixed_cost for s, p in first.items() if p == period)
        built = sum(data.expansions[e].fixed_cost for e, p in builds.items() if p == period)
        row = {"period": period, "landed_cost": float(landed.get(period, 0.0)), "supplier_fixed_cost": float(fixed),
               "expansion_cost": float(built), "holding_cost": float(holding.get(period, 0.0))}
        row["total_cost"] = row["landed_cost"] + row["supplier_fixed_cost"] + row["expansion_cost"] + \
            row["holding_cost"]
        rows.append(row)
    return pd.DataFrame(rows, columns=COST_COLUMNS)


def _over_horizon(frame: pd.DataFrame, horizon: dict[str, float], column: str) -> pd.DataFrame:
    """`frame`'s share column against the item's demand over every period together."""
    frame = frame.copy()
    if len(frame):
        demand = frame["item"].map(horizon)
        frame[column] = [q / d if d > 0 else None for q, d in zip(frame["quantity"], demand)]
    return frame


def _concentration_over_horizon(data: PlanningData, lines: pd.DataFrame, horizon: dict[str, float]
                                ) -> pd.DataFrame:
    """`results.concentration` over the horizon: `demand` the item's demand over every period, the top country's
    share of it."""
    frame = concentration(data, lines.groupby(["item", "supplier", "country"], as_index=False)["quantity"].sum()
                          if len(lines) else lines)
    demand = frame["item"].map(horizon)
    if len(frame) and len(lines):
        top = lines.groupby(["item", "country"])["quantity"].sum().groupby(level=0).max()
        frame["top_country_share"] = [top.get(i) / d if d > 0 and i in top.index else None
                                      for i, d in zip(frame["item"], demand)]
    frame["demand"] = demand.astype(float)
    return frame


def scenario_table(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """For each scenario, item and period the scenario lasts (its rows' `from_period`..`to_period`, blank ends
    the first and the last period): the arrivals still delivered, their share of the period's demand, the
    required coverage and any shortfall. A row hits what arrives in the periods it lasts; where several rows hit
    an offer in a period, the lowest availability counts. An item of which no row of the scenario cuts an offer
    (availability below 1) in a period is `not required` there, as the model and the checker read it."""
    periods = data.period_names
    at = {p: k for k, p in enumerate(periods)}
    table = data.table
    where = np.array([table.position[(i, s)] for i, s in zip(lines["item"], lines["supplier"])], dtype=np.int64)
    arrival = np.array([at[p] for p in lines["period"]], dtype=np.int64)
    q = lines["quantity"].to_numpy(dtype=float) if len(lines) else np.zeros(0)
    names = sorted(data.items)
    code = np.array([table.code["item"][n] for n in names], dtype=np.int64)
    cell = table.item[where].astype(np.int64) * len(periods) + arrival  # (item code, period) of each line
    rows = []
    for scenario in data.scenarios:
        hits = [h for h in data.scenario_hits if h.scenario == scenario]
        spans = [(at[h.from_period] if h.from_period else 0, at[h.to_period] if h.to_period else len(periods) - 1)
                 for h in hits]
        lasts = sorted({k for a, b in spans for k in range(a, b + 1)})
        level = np.ones(len(q))
        cut: set[tuple[str, int]] = set()  # (item, period) of which some row cuts an offer, bought or not
        for hit, (a, b) in zip(hits, spans):
            offers = table.in_group(hit.group) & data.of_rule(hit)
            hit_mask = offers[where] & (arrival >= a) & (arrival <= b)
            level[hit_mask] = np.minimum(level[hit_mask], hit.availability)
            if hit.availability < 1.0:
                for name in set(table.item_names[table.item[offers]].tolist()):
                    cut.update((str(name), k) for k in range(a, b + 1))
        surviving = np.bincount(cell, weights=level * q, minlength=len(table.item_names) * len(periods))
        for name, c in zip(names, code.tolist()):
            required = _required(data, name)
            for k in lasts:
                period = periods[k]
                kept = float(surviving[c * len(periods) + k])
                demand = data.demand_in(name, period)
                # a scenario that cuts no offer of the item in the period asks nothing of it there (as the model
                # and the checker read it): its arrivals may fall short of demand because stock meets it
                need = required.get(period) if (name, k) in cut else None
                short = max(0.0, need * demand - kept) if need is not None else None
                if short is not None and short <= 1e-6 * max(1.0, demand):
                    short = 0.0
                rows.append({"scenario": scenario, "item": name, "period": period, "demand": demand,
                             "unit": data.items[name].unit, "surviving": kept,
                             "share_of_demand": kept / demand if demand > 0 else None, "required_share": need,
                             "shortfall": short, "status": "not required" if need is None else
                             "short" if short else "covered"})
    return pd.DataFrame(rows, columns=SCENARIO_COLUMNS)


def _required(data: PlanningData, item: str) -> dict[str, float]:
    """Per period, the strictest min_coverage on the item in force there (a row's `period`, blank: every one)."""
    if required_coverage(data, item) is None:
        return {}
    out: dict[str, float] = {}
    for rule in data.rules:
        if rule.kind == MIN_COVERAGE.name and rule.value is not None and item in data.rule_items(rule):
            for period in ([rule.period] if rule.period else data.period_names):
                out[period] = max(out.get(period, 0.0), rule.value)
    return out


ONE_PERIOD_ROUTE_COLUMNS = ["route", "lead_time", "ordered", "capacity", "utilisation", "freight_cost"]


def one_period_routes(plan: Plan, data: PlanningData) -> None:
    """A single-period plan of a workbook with Routes: the Plan lines get `route`, `lead_time` (shown; without
    Periods it has no effect) and `route_freight` after `freight`, and `route_usage` one row per route (Routes
    order): units on it, its capacity, the share used and its freight. Without Routes the plan is left as it
    is, and so is a plan of several periods (`fill` does its own)."""
    if data.multi_period or not data.routes:
        return
    lines = plan.lines
    if len(lines.columns) and "route" not in lines.columns:
        offers = [data.offers[(i, s)] for i, s in zip(lines["item"], lines["supplier"])]
        at = list(lines.columns).index("freight") + 1
        lines.insert(at, "route", [o.route or "(direct)" for o in offers])
        lines.insert(at + 1, "lead_time", [data.lead_time(o) for o in offers])
        lines.insert(at + 2, "route_freight", [data.route_freight(o) for o in offers])
    used = lines.groupby("route")["quantity"].sum() if len(lines) else {}
    rows = []
    for route in data.routes.values():
        q = float(used.get(route.name, 0.0))
        finite = math.isfinite(route.capacity)
        rows.append({"route": route.name, "lead_time": route.lead_time, "ordered": q,
                     "capacity": route.capacity if finite else None,
                     "utilisation": q / route.capacity if finite and route.capacity > 0 else None,
                     "freight_cost": q * route.freight})
    plan.route_usage = pd.DataFrame(rows, columns=ONE_PERIOD_ROUTE_COLUMNS)
