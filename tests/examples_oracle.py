"""An independent optimum for the bundled multi-period examples (inputs/defence, inputs/trader).

Written from the words of `/work/shared/spec/workbook-v2.md` section 2 (and the Prices extension of
docs/workbook.md), not from `planner/model`: one highspy model built column by column, for the few features the
two examples use. It takes the data as records (`planner.data.PlanningData`), either read from the bundled
workbook by `planner.read` or made here from the examples' CSV files (`data_from_csv`), so that it can be run
before, and compared after, the workbook reader of the new sheets.

The model, for periods t = 1..T in row order, offers o (item i(o), supplier s(o), route r(o) with lead time
L(o), 0 for a direct offer) not excluded in every period:

    x[o, t] >= 0        units of o ARRIVING in t, a column only where the order period t - L(o) >= 1
    stock[i, t]         end-of-period stock, stock[i, 0] = initial_stock_i
    build[e, t] in {0, 1}  expansion e decided in t (t >= earliest_e)
    use[s] in {0, 1}    supplier s delivers in some period (only for suppliers with a fixed cost)

    min   sum_{o,t} c(o, t - L(o)) x[o, t] + sum_{i,t} h_i stock[i, t] + sum_s F_s use[s] + sum_{e,t} F_e build[e, t]

    c(o, tau) = rate_o * (p(o, tau) * (1 + tariff_o) + freight_o) + route freight_o, p(o, tau) its Prices row
    for orders placed in tau, else its Offers price

    stock[i, t] = stock[i, t-1] + sum_{o of i} x[o, t] - d(i, t)           (Item balance)
    min_stock_i <= stock[i, t] <= max_stock_i
    sum_{o of i, s} x[o, tau + L(o)] <= cap(o, tau) + sum_{e on o, t' + L_e <= tau} K_e build[e, t']
                                                                         (what is ORDERED in tau)
    the same for a supplier's total over items, and per route over the offers on it
    sum_t build[e, t] <= 1
    sum_{o of s, t} x[o, t] <= M_s use[s]

    exclude g (period p, or every period): x[o, t] = 0 for o in g and t = p (arrivals)
    min_share / max_share g v (period p or every period): sum_{o of i in g} x[o, t] >=/<= v d(i, t)
    min_coverage v: in every scenario S and period t the scenario lasts,
        sum_{o of i} a_S,t(o) x[o, t] >= v d(i, t)      (a: the lowest availability of S's rows lasting in t
                                                        that hit o, 1 where none does)

Anything else the examples do not use (tiers, minimum orders, counts, HHI, spend rules, currencies other than
the base) is refused with NotImplementedError rather than silently ignored.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np

from planner.data import (Country, Expansion, Group, GroupSpec, Item, Offer, Period, PeriodValue, PlanningData,
                          Route, Rule, ScenarioHit, Settings, Supplier, union)
from planner.highs import new_highs

ROOT = Path(__file__).resolve().parents[1]
BLOCS_CSV = ROOT / "planner" / "reference" / "blocs.csv"


# ---------------------------------------------------------------------------------------------- CSV -> records

def _rows(folder: Path, name: str) -> list[tuple[int, dict[str, str]]]:
    """(sheet row, cells) of a CSV; row 2 is the first data row, as in the workbook built from it."""
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [(k, {c: (v or "").strip() for c, v in row.items()}) for k, row in enumerate(csv.DictReader(handle), 2)]


def _number(text: str, blank: float) -> float:
    return float(text) if text else blank


def _group(text: str) -> GroupSpec:
    """A group cell of the examples: `kind:NAME`, joined with `|` for a union (every part prefixed)."""
    parts = []
    for piece in text.split("|"):
        kind, _, name = piece.strip().partition(":")
        if kind not in ("country", "bloc", "supplier", "route") or not name:
            raise ValueError(f"the examples write every group as kind:NAME; got {piece!r}")
        parts.append(Group(kind, name.strip()))  # type: ignore[arg-type]
    if len(parts) == 1:
        return GroupSpec(parts[0].kind, parts[0].name)
    joined = union(parts)
    return GroupSpec("union", joined.name, joined.parts)


def _built_in_blocs(day: dt.date) -> dict[str, set[str]]:
    """Country -> the built-in blocs it belongs to on `day`, read from the table itself."""
    out: dict[str, set[str]] = {}
    with open(BLOCS_CSV, newline="", encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines):
        joined = dt.date.fromisoformat(row["joined"])
        left = dt.date.fromisoformat(row["left"]) if row.get("left") else None
        if joined <= day and (left is None or day < left):
            out.setdefault(row["country"], set()).add(row["bloc"])
    return out


def data_from_csv(folder: Path) -> PlanningData:
    """The records an example's CSV files describe, as the contract defines them (blank cells at their
    defaults, built-in blocs on the plan date for countries whose `blocs` cell is blank)."""
    settings = {r["setting"]: r["value"] for _, r in _rows(folder, "settings")}
    day = dt.date.fromisoformat(settings["plan_date"])
    items = {r["item"]: Item(r["item"], float(r["demand"]), r.get("unit", ""), r.get("class", ""), row=k,
                             initial_stock=_number(r.get("initial_stock", ""), 0.0),
                             holding_cost=_number(r.get("holding_cost", ""), 0.0),
                             max_stock=_number(r.get("max_stock", ""), math.inf),
                             min_stock=_number(r.get("min_stock", ""), 0.0))
             for k, r in _rows(folder, "items")}
    suppliers = {r["supplier"]: Supplier(r["supplier"], r["country"], _number(r.get("capacity", ""), math.inf),
                                         _number(r.get("fixed_cost", ""), 0.0), row=k)
                 for k, r in _rows(folder, "suppliers")}
    rules = tuple(Rule(r["rule"], r["item"] or None, _group(r["group"]) if r["group"] else None,
                       float(r["value"]) if r["value"] else None, row=k, cell=f"A{k}",
                       period=r.get("period") or None)
                  for k, r in _rows(folder, "policy") if r.get("active", "on") != "off")
    hits = tuple(ScenarioHit(r["scenario"], _group(r["group"]).group, r["item"] or None,
                             _number(r["availability"], 0.0), row=k, cell=f"A{k}",
                             from_period=r.get("from_period") or None, to_period=r.get("to_period") or None)
                 for k, r in _rows(folder, "scenarios"))
    named = {p.name for rule in rules if rule.group is not None for p in
             (rule.group.parts or (rule.group.group,)) if p.kind == "bloc"}
    built_in = _built_in_blocs(day)
    countries = {}
    for k, r in _rows(folder, "countries"):
        blocs = tuple(b.strip() for b in r["blocs"].split(",") if b.strip()) if r.get("blocs") else \
            tuple(sorted(named & built_in.get(r["country"], set())))
        countries[r["country"]] = Country(r["country"], r.get("name", ""), blocs, _number(r.get("tariff", ""), 0.0),
                                          row=k)
    offers = {(r["item"], r["supplier"]): Offer(r["item"], r["supplier"], float(r["price"]),
                                                _number(r.get("capacity", ""), math.inf),
                                                _number(r.get("min_order", ""), 0.0),
                                                _number(r.get("freight", ""), 0.0), row=k, route=r.get("route", ""))
              for k, r in _rows(folder, "offers")}
    periods = tuple(Period(r["period"], row=k) for k, r in _rows(folder, "periods"))
    demands = {(r["item"], r["period"]): PeriodValue(r["period"], float(r["demand"]), r["item"], row=k)
               for k, r in _rows(folder, "demand")}
    capacities = {(r["supplier"], r["item"] or None, r["period"]):
                  PeriodValue(r["period"], float(r["capacity"]), r["item"] or None, r["supplier"], row=k)
                  for k, r in _rows(folder, "capacity")}
    prices = {(r["item"], r["supplier"], r["period"]):
              PeriodValue(r["period"], float(r["price"]), r["item"], r["supplier"], row=k)
              for k, r in _rows(folder, "prices")}
    routes = {r["route"]: Route(r["route"], int(r["lead_time"] or 0), _number(r.get("freight", ""), 0.0),
                                _number(r.get("capacity", ""), math.inf), row=k)
              for k, r in _rows(folder, "routes")}
    expansions = {r["expansion"]: Expansion(r["expansion"], r["supplier"], float(r["capacity"]), r["item"] or None,
                                            _number(r.get("fixed_cost", ""), 0.0), int(r.get("lead_time") or 0),
                                            r.get("earliest") or None, row=k)
                  for k, r in _rows(folder, "expansions")}
    return PlanningData(items, suppliers, countries, offers, rules, hits,
                        Settings(settings.get("currency", "EUR"), float(settings.get("time_limit", 60)),
                                 float(settings.get("mip_gap", 1e-4)), day),
                        periods=periods, demands=demands, capacities=capacities, prices=prices, routes=routes,
                        expansions=expansions)


# --------------------------------------------------------------------------------------------------- the model

@dataclass(frozen=True)
class Optimum:
    """What the oracle found: the objective and its parts, the arrivals, the end-of-period stock, the builds."""

    status: str
    total: float
    purchases: float  # landed cost of what is ordered
    holding: float
    fixed: float  # suppliers' fixed costs
    expansions: float
    schedule: dict[tuple[str, str, str], float]  # (item, supplier, ARRIVAL period) -> units, > 0 only
    stock: dict[tuple[str, str], float]  # (item, period) -> end-of-period stock
    builds: dict[str, str]  # expansion -> the period it is decided in
    ordered: dict[tuple[str, str, str], float]  # (item, supplier, ORDER period) -> units, > 0 only


def without(data: PlanningData, rows: Iterable[int]) -> PlanningData:
    """The data with the Policy rows of the given sheet rows left out."""
    drop = set(rows)
    return dataclasses.replace(data, rules=tuple(r for r in data.rules if r.row not in drop))


def _in(data: PlanningData, offer: Offer, group: Group) -> bool:
    if group.kind == "union":
        return any(_in(data, offer, part) for part in group.parts)
    country = data.countries[data.suppliers[offer.supplier].country]
    return {"supplier": offer.supplier == group.name, "route": offer.route == group.name,
            "country": country.name == group.name, "bloc": group.name in country.blocs}[group.kind]


def _rule_items(data: PlanningData, rule: Rule | ScenarioHit) -> list[str]:
    if rule.item is not None:
        return [rule.item]
    if rule.item_class is not None:
        return [i for i, item in data.items.items() if item.item_class == rule.item_class]
    return list(data.items)


def solve(data: PlanningData) -> Optimum:
    """The least-cost plan over the periods, as the module docstring writes it."""
    supported = {"exclude", "min_share", "max_share", "min_coverage"}
    if {r.kind for r in data.rules} - supported or data.tiers or any(o.min_order for o in data.offers.values()) \
            or any(o.currency for o in data.offers.values()):
        raise NotImplementedError("the oracle covers the features the bundled multi-period examples use")
    periods = [p.name for p in data.periods]
    at = {p: k for k, p in enumerate(periods)}
    T = len(periods)

    def lead(o: Offer) -> int:
        return data.routes[o.route].lead_time if o.route else 0

    def demand(i: str, t: str) -> float:
        found = data.demands.get((i, t))
        return found.value if found is not None else data.items[i].demand

    def unit_cost(o: Offer, order: str) -> float:
        found = data.prices.get((o.item, o.supplier, order))
        price = found.value if found is not None else o.price
        tariff = data.countries[data.suppliers[o.supplier].country].tariff
        route = data.routes[o.route].freight if o.route else 0.0
        return price * (1 + tariff) + o.freight + route

    def rule_periods(rule: Rule) -> list[int]:
        return list(range(T)) if rule.period is None else [at[rule.period]]

    # arrivals excluded: (offer key, arrival period index)
    banned: set[tuple[tuple[str, str], int]] = set()
    for rule in data.rules:
        if rule.kind == "exclude":
            for o in data.offers.values():
                if o.item in _rule_items(data, rule) and _in(data, o, rule.group.group):
                    banned.update((o.key, t) for t in rule_periods(rule))

    h = new_highs()  # the project's one factory of HiGHS instances: none writes its banner on stdout
    h.setOptionValue("mip_rel_gap", 1e-9)
    inf = highspy.kHighsInf
    cols: list[tuple[str, tuple]] = []

    def column(cost: float, lower: float, upper: float, name: tuple, integer: bool = False) -> int:
        h.addVar(lower, upper)
        k = len(cols)
        h.changeColCost(k, cost)
        if integer:
            h.changeColIntegrality(k, highspy.HighsVarType.kInteger)
        cols.append((name[0], name))
        return k

    def row(lower: float, upper: float, terms: dict[int, float]) -> None:
        if not terms:
            if lower > 1e-12 or upper < -1e-12:
                raise AssertionError("an empty row that cannot hold")
            return
        idx = np.array(list(terms), dtype=np.int32)
        h.addRow(lower, upper, len(idx), idx, np.array([terms[k] for k in idx], dtype=float))

    x: dict[tuple[tuple[str, str], int], int] = {}
    for o in data.offers.values():
        for t in range(lead(o), T):
            if (o.key, t) not in banned:
                x[o.key, t] = column(unit_cost(o, periods[t - lead(o)]), 0.0, inf, ("x", o.key, t))
    stock = {(i, t): column(item.holding_cost, item.min_stock, item.max_stock, ("stock", i, t))
             for i, item in data.items.items() for t in range(T)}
    build = {(e.name, t): column(e.fixed_cost, 0.0, 1.0, ("build", e.name, t), integer=True)
             for e in data.expansions.values() for t in range(at[e.earliest] if e.earliest else 0, T)}
    use = {s: column(sup.fixed_cost, 0.0, 1.0, ("use", s), integer=True)
           for s, sup in data.suppliers.items() if sup.fixed_cost > 0}

    # Item balance: stock(t) - stock(t-1) - arrivals(t) = -d(t), stock(-1) = initial stock
    for i, item in data.items.items():
        for t in range(T):
            terms = {stock[i, t]: 1.0}
            if t > 0:
                terms[stock[i, t - 1]] = -1.0
            for (key, a), k in x.items():
                if key[0] == i and a == t:
                    terms[k] = -1.0
            rhs = -demand(i, periods[t]) + (item.initial_stock if t == 0 else 0.0)
            row(rhs, rhs, terms)

    def ordered_in(keys: Iterable[tuple[str, str]], tau: int) -> dict[int, float]:
        """The columns of what is ordered in period tau on the offers."""
        return {x[key, tau + lead(data.offers[key])]: 1.0 for key in keys
                if (key, tau + lead(data.offers[key])) in x}

    def added(supplier: str, item: str | None, tau: int) -> dict[int, float]:
        """-K_e build[e, t'] for the expansions on (supplier, item) decided by t' with t' + L_e <= tau."""
        return {k: -e.capacity for e in data.expansions.values() if e.supplier == supplier and e.item == item
                for (name, t2), k in build.items() if name == e.name and t2 + e.lead_time <= tau}

    for tau in range(T):
        p = periods[tau]
        for o in data.offers.values():
            found = data.capacities.get((o.supplier, o.item, p))
            cap = found.value if found is not None else o.capacity
            terms = ordered_in([o.key], tau) | added(o.supplier, o.item, tau)
            if math.isfinite(cap) and terms:
                row(-inf, cap, terms)
        for s, sup in data.suppliers.items():
            found = data.capacities.get((s, None, p))
            cap = found.value if found is not None else sup.capacity
            terms = ordered_in([k for k in data.offers if k[1] == s], tau) | added(s, None, tau)
            if math.isfinite(cap) and terms:
                row(-inf, cap, terms)
        for r in data.routes.values():
            if math.isfinite(r.capacity):
                row(-inf, r.capacity, ordered_in([k for k, o in data.offers.items() if o.route == r.name], tau))
    for e in data.expansions.values():
        row(-inf, 1.0, {k: 1.0 for (name, _), k in build.items() if name == e.name})
    for s, k_use in use.items():
        # no more than every period's total demand plus the largest stock can arrive from one supplier
        big = sum(demand(i, p) for i in data.items for p in periods) + \
            sum(item.max_stock if math.isfinite(item.max_stock) else 0 for item in data.items.values()) + 1e6
        row(-inf, 0.0, {k: 1.0 for (key, _), k in x.items() if key[1] == s} | {k_use: -big})

    def share_terms(i: str, g: Group, t: int) -> dict[int, float]:
        return {k: 1.0 for (key, a), k in x.items() if key[0] == i and a == t and _in(data, data.offers[key], g)}

    scenarios = list(dict.fromkeys(hit.scenario for hit in data.scenario_hits))
    for rule in data.rules:
        for i in _rule_items(data, rule):
            for t in rule_periods(rule):
                d = demand(i, periods[t])
                if rule.kind in ("min_share", "max_share"):
                    for g in ([rule.group.group] if rule.group.name is not None else
                              [Group(rule.group.kind, n) for n in {"country": data.countries,
                                                                   "supplier": data.suppliers,
                                                                   "route": data.routes}[rule.group.kind]]):
                        terms = share_terms(i, g, t)
                        if rule.kind == "min_share":
                            row(rule.value * d, inf, terms)
                        else:
                            row(-inf, rule.value * d, terms)
                elif rule.kind == "min_coverage":
                    for s in scenarios:
                        lasting = [hit for hit in data.scenario_hits if hit.scenario == s and
                                   (hit.from_period is None or at[hit.from_period] <= t) and
                                   (hit.to_period is None or t <= at[hit.to_period])]
                        if not lasting:
                            continue
                        terms = {}
                        for (key, a), k in x.items():
                            if key[0] != i or a != t:
                                continue
                            level = min([hit.availability for hit in lasting
                                         if i in _rule_items(data, hit) and _in(data, data.offers[key], hit.group)],
                                        default=1.0)
                            terms[k] = level
                        row(rule.value * d, inf, terms)

    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return Optimum(status, math.nan, 0, 0, 0, 0, {}, {}, {}, {})
    value = list(h.getSolution().col_value)
    purchases = sum(h.getLp().col_cost_[k] * value[k] for k in x.values())
    schedule = {(key[0], key[1], periods[t]): value[k] for (key, t), k in x.items() if value[k] > 1e-7}
    ordered = {(key[0], key[1], periods[t - lead(data.offers[key])]): value[k] for (key, t), k in x.items()
               if value[k] > 1e-7}
    return Optimum(
        status="optimal", total=h.getInfo().objective_function_value, purchases=purchases,
        holding=sum(data.items[i].holding_cost * value[k] for (i, _), k in stock.items()),
        fixed=sum(data.suppliers[s].fixed_cost * value[k] for s, k in use.items()),
        expansions=sum(data.expansions[name].fixed_cost * value[k] for (name, _), k in build.items()),
        schedule=schedule, stock={(i, periods[t]): value[k] for (i, t), k in stock.items()},
        builds={name: periods[t] for (name, t), k in build.items() if value[k] > 0.5}, ordered=ordered)


def report(data: PlanningData, best: Optimum) -> str:
    """The optimum in words, for designing the examples (`python tests/examples_oracle.py inputs/defence`)."""
    lines = [f"status {best.status} total {best.total:,.2f} = purchases {best.purchases:,.2f} + holding "
             f"{best.holding:,.2f} + fixed {best.fixed:,.2f} + expansions {best.expansions:,.2f}",
             f"builds {best.builds}"]
    for (i, s, p), q in sorted(best.schedule.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
        lines.append(f"  {i:12} {p:8} {s:18} {q:12,.2f}")
    for (i, p), q in best.stock.items():
        lines.append(f"  stock {i:12} {p:8} {q:12,.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    folder = Path(sys.argv[1])
    data = data_from_csv(folder)
    best = solve(data)
    print(report(data, best))
    for rule in data.rules:
        alone = solve(without(data, [rule.row]))
        print(f"without Policy row {rule.row} ({rule.description()} period {rule.period}): {alone.total:,.2f} "
              f"cost of rule {best.total - alone.total:,.2f} builds {alone.builds}")
