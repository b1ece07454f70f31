"""An independent formulation of the multi-period model (workbook-v2 section 2), for tests only.

Written from the contract's words and the issue-15 design, with highspy's
own API and nothing from `planner.model` (`planner.highs.new_highs`, in tests/reference_lp.py, only makes a silent instance) (only the records of
`planner.data`, read field by field: even the landed cost and the group
memberships are worked out here again). `solve(data)` gives the optimum and
the plan; `violations(data, ...)` re-checks any plan (this one's or the
planner's) rule by rule from its schedule.

The model, with T the periods in order (t = 0 .. T-1), o = (i, s) an offer
with lead time L_o (its route's, 0 direct), p = t - L_o the order period of
an arrival in t:

    buy[o, t] >= 0            for every arrival period t with p >= 0 (nothing arrives from before the
                              horizon, nothing after it) where no exclude row of period t (or blank) hits o
    stock[i, t] in [min_stock_i, max_stock_i]
    stock[i, t] = stock[i, t-1] + sum_o buy[o, t] - d[i, t],   stock[i, -1] = initial_stock_i
    sum_{t: p = q} buy[o, t] <= cap[o, q] + sum_{e on o} c_e * sum_{tau <= q - L_e} build[e, tau]
    sum_{o of s, ordered in q} buy[o, t] <= cap[s, q] + sum_{e on s's total} (the same)
    sum_{o on route r, ordered in q} buy[o, t] <= cap_r
    sum_tau build[e, tau] <= 1,   build[e, tau] binary for tau >= earliest_e
    buy[o, t] <= M use[s]            (F_s > 0: one binary per supplier over the horizon)
    q_o y[o, t] <= buy[o, t] <= M y[o, t]   (min_order q_o > 0: per order, i.e. per column)
    max_share / min_share v on i, g, period t (or every t): sum_{o in g} buy[o, t] <= / >= v d[i, t]
    min_coverage v, scenario s, period t: sum_o a(s, o, t) buy[o, t] >= v d[i, t], a(s, o, t) the
        lowest availability of the rows of s lasting in t that hit o (1 if none); a row exists where
        some column of i arriving in t has a < 1 (as in one period: elsewhere nothing is hit)
    max_spend v (period blank: the horizon; else arrivals of that period):
        sum cost[o, p] buy[o, t] <= v, over the items (blank: all together) and group (blank: all)
    minimise sum cost[o, p] buy[o, t] + sum h_i stock[i, t] + sum F_s use[s] + sum f_e build[e, tau]

with cost[o, p] = rate_o * (price_o(p) * (1 + tariff_o) + freight_o) + route freight, price_o(p) the
Prices row of (o, p), else the Offers price. Without Periods the same model with one period and stock
held at 0 (so the demand is bought exactly) and lead times 0: today's model, routes adding freight
and capacity.

Big M: the most an arrival can be, min(capacities of its order period with every expansion built,
max_stock_i + d[i, t] (the balance with stock[t-1] >= 0), B_i), B_i = (1 + rules asking a minimum) *
(sum_t d[i, t] + min_stock_i) + the largest min_order of i: a bound on what any one order of an optimal
plan needs (each minimum asks at most a period's demand).

Rules other than exclude, max_share, min_share, min_coverage and max_spend, and Tiers, are refused
(NotImplementedError): the tests here do not need them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from planner.data import Group, GroupSpec, Offer, PlanningData, Rule, ScenarioHit
from reference_lp import Lp

KINDS = {"exclude", "max_share", "min_share", "min_coverage", "max_spend"}
INF = math.inf
TOL = 1e-6


@dataclass
class Result:
    status: str  # optimal | infeasible
    objective: float | None = None
    schedule: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (item, supplier, arrival) > 0
    stock: dict[tuple[str, str], float] = field(default_factory=dict)  # (item, period): end-of-period stock
    builds: dict[str, str] = field(default_factory=dict)  # expansion -> period decided
    used: set[str] = field(default_factory=set)  # suppliers paying their fixed cost


# ---- the data, read again from the records ----

def periods(data: PlanningData) -> list[str]:
    """The periods in order; one unnamed period without a Periods sheet."""
    return [p.name for p in data.periods] if data.periods else [""]


def lead(data: PlanningData, offer: Offer) -> int:
    if not data.periods or not offer.route:
        return 0
    return data.routes[offer.route].lead_time


def demand(data: PlanningData, item: str, t: str) -> float:
    row = data.demands.get((item, t))
    return row.value if row is not None else data.items[item].demand


def offer_cap(data: PlanningData, offer: Offer, t: str) -> float:
    row = data.capacities.get((offer.supplier, offer.item, t))
    return row.value if row is not None else offer.capacity


def supplier_cap(data: PlanningData, supplier: str, t: str) -> float:
    row = data.capacities.get((supplier, None, t))
    return row.value if row is not None else data.suppliers[supplier].capacity


def unit_cost(data: PlanningData, offer: Offer, t: str) -> float:
    """Landed cost per unit of an order placed in t, in the base currency."""
    row = data.prices.get((offer.item, offer.supplier, t))
    price = row.value if row is not None else offer.price
    country = data.suppliers[offer.supplier].country
    tariff = data.tariff(country, offer.item)
    rate = 1.0
    if offer.currency and offer.currency.upper() != data.settings.currency.upper():
        rate = data.currencies[offer.currency].rate
    route = data.routes[offer.route].freight if offer.route else 0.0
    return rate * (price * (1.0 + tariff) + offer.freight) + route


def member(data: PlanningData, offer: Offer, group: Group) -> bool:
    if group.kind == "union":
        return any(member(data, offer, part) for part in group.parts)
    if group.kind == "supplier":
        return offer.supplier == group.name
    if group.kind == "route":
        return offer.route == group.name
    country = data.countries[data.suppliers[offer.supplier].country]
    if group.kind == "country":
        return country.name == group.name
    return group.name in country.blocs


def groups_of(data: PlanningData, spec: GroupSpec) -> list[Group]:
    """The groups a spec names: the one, or every member of `each <kind>`."""
    if spec.name is not None:
        return [Group(spec.kind, spec.name, spec.parts)]
    if spec.kind == "country":
        names = list(data.countries)
    elif spec.kind == "supplier":
        names = list(data.suppliers)
    elif spec.kind == "route":
        names = list(data.routes)
    else:
        names = list(dict.fromkeys(b for c in data.countries.values() for b in c.blocs))
    return [Group(spec.kind, n) for n in names]


def items_of(data: PlanningData, rule: Rule | ScenarioHit) -> list[str]:
    if rule.item is not None:
        return [rule.item]
    if rule.item_class is not None:
        return [i.name for i in data.items.values() if i.item_class == rule.item_class]
    return list(data.items)


def rule_periods(data: PlanningData, rule: Rule) -> list[str]:
    return [rule.period] if rule.period is not None and data.periods else periods(data)


def hit_lasts(data: PlanningData, hit: ScenarioHit, t: str) -> bool:
    if not data.periods:
        return True
    names = periods(data)
    first = names.index(hit.from_period) if hit.from_period is not None else 0
    last = names.index(hit.to_period) if hit.to_period is not None else len(names) - 1
    return first <= names.index(t) <= last


def availability(data: PlanningData, scenario: str, offer: Offer, t: str) -> float:
    level = 1.0
    for hit in data.scenario_hits:
        if hit.scenario == scenario and hit_lasts(data, hit, t) and offer.item in items_of(data, hit) \
                and member(data, offer, hit.group):
            level = min(level, hit.availability)
    return level


def excluded(data: PlanningData, offer: Offer, t: str) -> bool:
    """Whether an exclude row in force in period t (its period blank or t) removes the offer's arrivals."""
    for rule in data.rules:
        if rule.kind == "exclude" and rule.group is not None and t in rule_periods(data, rule) \
                and offer.item in items_of(data, rule) \
                and any(member(data, offer, g) for g in groups_of(data, rule.group)):
            return True
    return False


def scenarios(data: PlanningData) -> list[str]:
    return list(dict.fromkeys(h.scenario for h in data.scenario_hits))


def check_supported(data: PlanningData) -> None:
    unknown = sorted({r.kind for r in data.rules} - KINDS)
    if unknown or data.tiers or (data.expansions and not data.periods):
        raise NotImplementedError(f"periods_reference does not model {unknown or 'tiers or expansions'}")


# ---- the model ----



def solve(data: PlanningData, gap: float = 1e-9) -> Result:
    """The optimum of the multi-period model (module docstring) and its plan."""
    check_supported(data)
    names = periods(data)
    at = {t: k for k, t in enumerate(names)}
    multi = bool(data.periods)
    lp = Lp()

    # columns: buy[o, t] for arrival t, order period t - L >= 0, not excluded in t
    buy: dict[tuple[str, str, str], int] = {}
    order: dict[tuple[str, str, str], str] = {}
    has_offer_expansion = {(e.supplier, e.item) for e in data.expansions.values() if e.item is not None}
    minima = sum(1 for r in data.rules if r.kind in ("min_share", "min_coverage"))
    for offer in data.offers.values():
        for t in names:
            p = at[t] - lead(data, offer)
            if p < 0 or excluded(data, offer, t):
                continue
            q = names[p]
            key = (offer.item, offer.supplier, t)
            ub = INF if (offer.supplier, offer.item) in has_offer_expansion else offer_cap(data, offer, q)
            buy[key] = lp.col(unit_cost(data, offer, q), 0.0, ub)
            order[key] = q

    # stock and balance
    stock: dict[tuple[str, str], int] = {}
    for item in data.items.values():
        previous = None
        for t in names:
            if multi:
                stock[item.name, t] = lp.col(item.holding_cost, item.min_stock, item.max_stock)
            else:
                stock[item.name, t] = lp.col(0.0, 0.0, 0.0)
            terms = {stock[item.name, t]: 1.0}
            if previous is not None:
                terms[previous] = -1.0
            for key, col in buy.items():
                if key[0] == item.name and key[2] == t:
                    terms[col] = terms.get(col, 0.0) - 1.0
            start = item.initial_stock if (multi and previous is None) else 0.0
            rhs = start - demand(data, item.name, t)
            lp.row(rhs, rhs, terms)
            previous = stock[item.name, t]

    # expansions: build[e, tau]
    build: dict[tuple[str, str], int] = {}
    for e in data.expansions.values():
        first = at[e.earliest] if e.earliest is not None else 0
        cols = {}
        for t in names[first:]:
            cols[t] = build[e.name, t] = lp.col(e.fixed_cost, 0.0, 1.0, integer=True)
        if cols:
            lp.row(-INF, 1.0, {c: 1.0 for c in cols.values()})

    def built_by(e, q: str) -> dict[int, float]:
        """Terms c_e * build[e, tau] for every tau with tau + L_e <= q."""
        return {col: e.capacity for (name, tau), col in build.items()
                if name == e.name and at[tau] + e.lead_time <= at[q]}

    def most(e_item: str | None, supplier: str) -> float:
        return sum(e.capacity for e in data.expansions.values() if e.supplier == supplier and e.item == e_item)

    # offer capacity rows where an expansion adds to the offer
    for offer in data.offers.values():
        if (offer.supplier, offer.item) not in has_offer_expansion:
            continue
        for q in names:
            cap = offer_cap(data, offer, q)
            if math.isinf(cap):
                continue
            terms = {col: 1.0 for key, col in buy.items() if key[:2] == offer.key and order[key] == q}
            for e in data.expansions.values():
                if e.supplier == offer.supplier and e.item == offer.item:
                    for col, c in built_by(e, q).items():
                        terms[col] = -c
            lp.row(-INF, cap, terms)

    # supplier capacity per order period
    for supplier in data.suppliers:
        for q in names:
            cap = supplier_cap(data, supplier, q)
            if math.isinf(cap):
                continue
            terms = {col: 1.0 for key, col in buy.items() if key[1] == supplier and order[key] == q}
            for e in data.expansions.values():
                if e.supplier == supplier and e.item is None:
                    for col, c in built_by(e, q).items():
                        terms[col] = -c
            lp.row(-INF, cap, terms)

    # route capacity per order period
    for route in data.routes.values():
        if math.isinf(route.capacity):
            continue
        for q in names:
            terms = {col: 1.0 for key, col in buy.items()
                     if data.offers[key[:2]].route == route.name and order[key] == q}
            if terms:
                lp.row(-INF, route.capacity, terms)

    def big_m(key: tuple[str, str, str]) -> float:
        item, supplier, t = key
        offer, q = data.offers[item, supplier], order[key]
        bounds = [offer_cap(data, offer, q) + most(item, supplier), supplier_cap(data, supplier, q) + most(None, supplier)]
        if offer.route:
            bounds.append(data.routes[offer.route].capacity)
        it = data.items[item]
        bounds.append((it.max_stock if multi else 0.0) + demand(data, item, t))
        largest = max((o.min_order for o in data.offers.values() if o.item == item), default=0.0)
        bounds.append((1 + minima) * (sum(demand(data, item, u) for u in names) + (it.min_stock if multi else 0.0))
                      + largest)
        return max(0.0, min(bounds))

    # fixed cost once over the horizon
    use: dict[str, int] = {}
    for supplier, s in data.suppliers.items():
        cols = {key: col for key, col in buy.items() if key[1] == supplier}
        if s.fixed_cost > 0 and cols:
            use[supplier] = lp.col(s.fixed_cost, 0.0, 1.0, integer=True)
            for key, col in cols.items():
                lp.row(-INF, 0.0, {col: 1.0, use[supplier]: -big_m(key)})

    # min_order per order
    for key, col in buy.items():
        q = data.offers[key[:2]].min_order
        if q > 0:
            y = lp.col(0.0, 0.0, 1.0, integer=True)
            lp.row(0.0, INF, {col: 1.0, y: -q})
            lp.row(-INF, 0.0, {col: 1.0, y: -big_m(key)})

    # Policy
    def in_group(key: tuple[str, str, str], group: Group) -> bool:
        return member(data, data.offers[key[:2]], group)

    for rule in data.rules:
        if rule.kind in ("max_share", "min_share") and rule.group is not None and rule.value is not None:
            for item in items_of(data, rule):
                offers_of = [o for o in data.offers.values() if o.item == item and not _removed(data, o)]
                for g in groups_of(data, rule.group):
                    if rule.group.each and not any(member(data, o, g) for o in offers_of):
                        continue  # `each ...`: only the members offering the item
                    for t in rule_periods(data, rule):
                        terms = {col: 1.0 for key, col in buy.items()
                                 if key[0] == item and key[2] == t and in_group(key, g)}
                        bound = rule.value * demand(data, item, t)
                        if rule.kind == "max_share":
                            if terms:
                                lp.row(-INF, bound, terms)
                        elif bound > 0:
                            lp.row(bound, INF, terms)
        elif rule.kind == "min_coverage" and rule.value is not None:
            for item in items_of(data, rule):
                for t in rule_periods(data, rule):
                    bound = rule.value * demand(data, item, t)
                    if bound <= 0:
                        continue
                    for s in scenarios(data):
                        levels = {col: availability(data, s, data.offers[key[:2]], t) for key, col in buy.items()
                                  if key[0] == item and key[2] == t}
                        if any(a < 1.0 for a in levels.values()):
                            lp.row(bound, INF, {c: a for c, a in levels.items() if a > 0})
        elif rule.kind == "max_spend" and rule.value is not None:
            together = rule.item is None and rule.item_class is None
            item_sets = [items_of(data, rule)] if together else [[i] for i in items_of(data, rule)]
            spend_periods = set(rule_periods(data, rule)) if rule.period is not None else set(names)
            groups = [None] if rule.group is None else groups_of(data, rule.group)
            for items in item_sets:
                for g in groups:
                    terms = {col: lp.cost[col] for key, col in buy.items()
                             if key[0] in items and key[2] in spend_periods and (g is None or in_group(key, g))}
                    if terms:
                        lp.row(-INF, rule.value, terms)

    status, objective, x = lp.solve(gap)
    if status != "optimal":
        return Result(status)
    result = Result(status, objective)
    result.schedule = {key: x[col] for key, col in buy.items() if x[col] > 1e-9}
    if multi:
        result.stock = {key: x[col] for key, col in stock.items()}
    result.builds = {name: t for (name, t), col in build.items() if x[col] > 0.5}
    result.used = {s for s, col in use.items() if x[col] > 0.5}
    return result


def _removed(data: PlanningData, offer: Offer) -> bool:
    """Removed in every period by exclude rows (not a member of `each ...` groups then)."""
    return all(excluded(data, offer, t) for t in periods(data))


# ---- the check of a plan, from the contract ----

def violations(data: PlanningData, schedule: dict[tuple[str, str, str], float], cost: float | None,
               builds: dict[str, str] | None = None, stock: dict[tuple[str, str], float] | None = None,
               tol: float = TOL) -> list[str]:
    """Every rule of the contract the plan breaks, from its schedule (item, supplier, arrival period) -> units,
    its builds (expansion -> decision period) and its reported stock (checked against the balance); `cost` the
    reported total (checked against the cost recomputed, with the suppliers that deliver paying once)."""
    builds = builds or {}
    names = periods(data)
    at = {t: k for k, t in enumerate(names)}
    multi = bool(data.periods)
    out: list[str] = []

    def scale(x: float) -> float:
        return tol * max(1.0, abs(x))

    order: dict[tuple[str, str, str], str] = {}
    for key, x in schedule.items():
        item, supplier, t = key
        if x < -scale(0):
            out.append(f"{key}: negative {x}")
        offer = data.offers.get((item, supplier))
        if offer is None:
            out.append(f"{key}: no such offer")
            continue
        if t not in at:
            out.append(f"{key}: unknown period")
            continue
        p = at[t] - lead(data, offer)
        if p < 0:
            out.append(f"{key}: arrives in {t}, ordered {-p} period(s) before the first (lead {lead(data, offer)})")
            continue
        order[key] = names[p]
        if excluded(data, offer, t):
            out.append(f"{key}: excluded in {t} but bought {x}")
        q = offer.min_order
        if q > 0 and x > scale(q) and x < q - scale(q):
            out.append(f"{key}: {x} below min_order {q}")

    def ordered(pred) -> float:
        return sum(x for key, x in schedule.items() if key in order and pred(key))

    # balance and stock bounds
    for item in data.items.values():
        level = item.initial_stock if multi else 0.0
        for t in names:
            arrivals = sum(x for key, x in schedule.items() if key[0] == item.name and key[2] == t)
            level += arrivals - demand(data, item.name, t)
            lo, hi = (item.min_stock, item.max_stock) if multi else (0.0, 0.0)
            if level < lo - scale(lo + arrivals) or level > hi + scale(hi + arrivals):
                out.append(f"stock of {item.name} at the end of {t!r} is {level}, outside [{lo}, {hi}]")
            if stock is not None and multi and abs(stock.get((item.name, t), 0.0) - level) > scale(level):
                out.append(f"stock of {item.name} in {t!r} reported {stock.get((item.name, t), 0.0)}, balance {level}")

    # capacities per order period, with what builds add
    for name, tau in builds.items():
        e = data.expansions[name]
        if e.earliest is not None and at[tau] < at[e.earliest]:
            out.append(f"expansion {name} decided in {tau}, before its earliest {e.earliest}")

    def added(supplier: str, item: str | None, q: str) -> float:
        return sum(data.expansions[n].capacity for n, tau in builds.items()
                   if data.expansions[n].supplier == supplier and data.expansions[n].item == item
                   and at[tau] + data.expansions[n].lead_time <= at[q])

    for offer in data.offers.values():
        for q in names:
            got = ordered(lambda k: k[:2] == offer.key and order[k] == q)
            cap = offer_cap(data, offer, q) + added(offer.supplier, offer.item, q)
            if got > cap + scale(cap):
                out.append(f"offer {offer.key} ordered {got} in {q!r}, capacity {cap}")
    for supplier in data.suppliers:
        for q in names:
            got = ordered(lambda k: k[1] == supplier and order[k] == q)
            cap = supplier_cap(data, supplier, q) + added(supplier, None, q)
            if got > cap + scale(cap):
                out.append(f"supplier {supplier} ordered {got} in {q!r}, capacity {cap}")
    for route in data.routes.values():
        for q in names:
            got = ordered(lambda k: data.offers[k[:2]].route == route.name and order[k] == q)
            if got > route.capacity + scale(route.capacity):
                out.append(f"route {route.name} carries {got} ordered in {q!r}, capacity {route.capacity}")

    # Policy
    def arrived(item: str, t: str, pred) -> float:
        return sum(x for key, x in schedule.items() if key[0] == item and key[2] == t and pred(key))

    for rule in data.rules:
        v = rule.value
        if rule.kind in ("max_share", "min_share") and rule.group is not None and v is not None:
            for item in items_of(data, rule):
                for g in groups_of(data, rule.group):
                    if rule.group.each and not any(member(data, o, g) for o in data.offers.values()
                                                   if o.item == item and not _removed(data, o)):
                        continue
                    for t in rule_periods(data, rule):
                        got = arrived(item, t, lambda k: member(data, data.offers[k[:2]], g))
                        bound = v * demand(data, item, t)
                        if rule.kind == "max_share" and got > bound + scale(bound):
                            out.append(f"{rule.label()}: {g} delivers {got} of {item} in {t!r} > {bound}")
                        if rule.kind == "min_share" and got < bound - scale(bound):
                            out.append(f"{rule.label()}: {g} delivers {got} of {item} in {t!r} < {bound}")
        elif rule.kind == "min_coverage" and v is not None:
            for item in items_of(data, rule):
                for t in rule_periods(data, rule):
                    bound = v * demand(data, item, t)
                    for s in scenarios(data):
                        levels = {key: availability(data, s, data.offers[key[:2]], t) for key in order
                                  if key[0] == item and key[2] == t}
                        hit = any(availability(data, s, o, t) < 1 for o in data.offers.values()
                                  if o.item == item and not excluded(data, o, t) and at[t] - lead(data, o) >= 0)
                        got = sum(a * schedule[key] for key, a in levels.items())
                        if hit and got < bound - scale(bound):
                            out.append(f"{rule.label()}: scenario {s} leaves {got} of {item} in {t!r} < {bound}")
        elif rule.kind == "max_spend" and v is not None:
            together = rule.item is None and rule.item_class is None
            item_sets = [items_of(data, rule)] if together else [[i] for i in items_of(data, rule)]
            spend_periods = {rule.period} if (rule.period is not None and multi) else set(names)
            for items in item_sets:
                for g in ([None] if rule.group is None else groups_of(data, rule.group)):
                    got = sum(x * unit_cost(data, data.offers[key[:2]], order[key]) for key, x in schedule.items()
                              if key in order and key[0] in items and key[2] in spend_periods
                              and (g is None or member(data, data.offers[key[:2]], g)))
                    if got > v + scale(v):
                        out.append(f"{rule.label()}: spend {got} > {v}")

    # the cost
    if cost is not None:
        total = sum(x * unit_cost(data, data.offers[key[:2]], order[key]) for key, x in schedule.items()
                    if key in order)
        delivering = {s for (_, s, _), x in schedule.items() if x > tol}
        total += sum(data.suppliers[s].fixed_cost for s in delivering)
        total += sum(data.expansions[n].fixed_cost for n in builds)
        if multi:
            for item in data.items.values():
                level = item.initial_stock
                for t in names:
                    level += sum(x for key, x in schedule.items() if key[0] == item.name and key[2] == t)
                    level -= demand(data, item.name, t)
                    total += item.holding_cost * level
        if abs(total - cost) > scale(total):
            out.append(f"reported cost {cost} but the schedule costs {total}")
    return out


def by_period(schedule: dict[tuple[str, str, str], float]) -> dict[str, dict[tuple[str, str], float]]:
    """The schedule as period -> (item, supplier) -> units (for messages)."""
    out: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for (i, s, t), x in schedule.items():
        out[t][i, s] = x
    return dict(out)


# ---- data built in code, for the tests ----

def make_data(items, suppliers, offers, *, periods_: tuple[str, ...] = (), demands=None, prices=None,
              capacities=None, routes=(), expansions=(), rules=(), hits=(), countries=None) -> PlanningData:
    """PlanningData from records: `demands` {(item, period): d}, `prices` {(item, supplier, period): p},
    `capacities` {(supplier, item or None, period): c}; countries made from the suppliers' when not given.
    The MIP gap is 1e-9: the tests compare optima to 1e-6."""
    from planner.data import Country, Period, PeriodValue, Settings

    if countries is None:
        countries = [Country(c) for c in dict.fromkeys(s.country for s in suppliers)]
    return PlanningData(
        items={i.name: i for i in items}, suppliers={s.name: s for s in suppliers},
        countries={c.name: c for c in countries}, offers={o.key: o for o in offers}, rules=tuple(rules),
        scenario_hits=tuple(hits), settings=Settings(mip_gap=1e-9),
        periods=tuple(Period(p) for p in periods_),
        demands={(i, p): PeriodValue(p, v, item=i) for (i, p), v in (demands or {}).items()},
        prices={(i, s, p): PeriodValue(p, v, item=i, supplier=s) for (i, s, p), v in (prices or {}).items()},
        capacities={(s, i, p): PeriodValue(p, v, item=i, supplier=s) for (s, i, p), v in (capacities or {}).items()},
        routes={r.name: r for r in routes}, expansions={e.name: e for e in expansions})
