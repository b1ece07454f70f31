"""Solved model -> `Plan`: plain tables a person reads (step 5 of the pipeline).

Everything here is computed from the validated data and the purchase
quantities alone, so a plan can be rebuilt from a quantities table without
any solver object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.data import OfferKey, PlanningData
from planner.model import SourcingModel
from planner.solve import SolverOutcome

# Quantities below this (relative to the item's demand) are solver noise, not purchases.
ZERO = 1e-9


@dataclass
class Plan:
    """A sourcing plan, or the reason there is none (`status` not optimal/feasible)."""

    status: str  # optimal | feasible | relaxed | infeasible | unbounded | error
    message: str
    quantities: dict[OfferKey, float] = field(default_factory=dict)
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

    @property
    def has_plan(self) -> bool:
        """A plan to write: optimal, feasible, or (from `--elastic`) relaxed."""
        return self.status in ("optimal", "feasible", "relaxed")


def quantities_from_values(model: SourcingModel, values: np.ndarray, data: PlanningData) -> dict[OfferKey, float]:
    """Purchases (every offer with a `buy` column) from the solver's column values, with solver noise removed.

    |x| below ZERO * demand becomes 0, and so does x whose on/off binary is
    0: a MIP solver accepts x = 1e-6 with its binary at 0 within its
    integrality tolerance, but a person would read that as an order placed.
    """
    table = data.table
    buy = values[model.column_block("buy")[1]].copy()
    buy[np.abs(buy) <= ZERO * np.maximum(1.0, table.demand[table.item[model.offers]])] = 0.0
    column_of = np.full(len(table), -1, dtype=np.int64)
    column_of[model.offers] = np.arange(len(model.offers))
    use_offer, at = model.column_block("use_offer")
    for k in np.flatnonzero(np.round(values[at]) == 0):
        buy[column_of[table.position[use_offer.label(int(k))]]] = 0.0
    use_supplier, at = model.column_block("use_supplier")
    idle = [table.code["supplier"][use_supplier.label(int(k))[0]] for k in np.flatnonzero(np.round(values[at]) == 0)]
    if idle:
        buy[np.isin(table.supplier[model.offers], idle)] = 0.0
    keys = table.keys
    return {keys[p]: q for p, q in zip(model.offers.tolist(), buy.tolist())}


def extract_plan(model: SourcingModel, values: np.ndarray | None, data: PlanningData, outcome: SolverOutcome) -> Plan:
    """Read the solver's column values into a `Plan` (no solver object kept)."""
    if not outcome.has_plan or values is None:
        return Plan(status=outcome.status, message=outcome.message)
    return build_plan(data, quantities_from_values(model, values, data), outcome.status, outcome.message, outcome.gap)


def build_plan(data: PlanningData, quantities: dict[OfferKey, float], status: str = "optimal",
               message: str = "", gap: float | None = None) -> Plan:
    """Every table of a plan from data and quantities."""
    lines = plan_lines(data, quantities)
    landed = float(lines["cost"].sum()) if len(lines) else 0.0
    fixed = fixed_cost_table(data, quantities)
    fixed_total = float(fixed["fixed_cost"].sum()) if len(fixed) else 0.0
    return Plan(
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
        scenarios=scenario_table(data, quantities),
    )


def plan_lines(data: PlanningData, quantities: dict[OfferKey, float]) -> pd.DataFrame:
    rows = []
    for key in sorted(k for k, q in quantities.items() if q > 0):
        offer = data.offers[key]
        item = data.items[offer.item]
        country = data.country_of(offer)
        unit_cost = data.landed_cost(offer)
        q = quantities[key]
        rows.append({
            "item": offer.item,
            "supplier": offer.supplier,
            "country": country.name,
            "quantity": q,
            "unit": item.unit,
            "share_of_demand": q / item.demand if item.demand > 0 else None,
            "price": offer.price,
            "tariff": country.tariff,
            "freight": offer.freight,
            "unit_cost": unit_cost,
            "cost": q * unit_cost,
            "country_name": country.label,
            "blocs": ", ".join(country.blocs),
        })
    columns = ["item", "supplier", "country", "quantity", "unit", "share_of_demand", "price", "tariff",
               "freight", "unit_cost", "cost", "country_name", "blocs"]
    return pd.DataFrame(rows, columns=columns)


def fixed_cost_table(data: PlanningData, quantities: dict[OfferKey, float]) -> pd.DataFrame:
    used = sorted({s for (_, s), q in quantities.items() if q > 0 and data.suppliers[s].fixed_cost > 0})
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


def volumes_by(data: PlanningData, lines: pd.DataFrame, column: str) -> dict[str, dict[str, float]]:
    """Item -> (value of `column` -> quantity bought), in one pass over the lines; every item present."""
    out: dict[str, dict[str, float]] = {name: {} for name in data.items}
    if len(lines):
        for item, key, q in zip(lines["item"], lines[column], lines["quantity"]):
            out[item][key] = out[item].get(key, 0.0) + float(q)
    return out


def volume_shares(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    """Per item, the share of demand bought from each country and each bloc."""
    rows = []
    by_country_of = volumes_by(data, lines, "country")
    for item_name in sorted(data.items):
        item = data.items[item_name]
        by_country = by_country_of[item_name]
        by_bloc: dict[str, float] = {}
        for country, q in by_country.items():
            for bloc in data.countries[country].blocs or ("(no bloc)",):
                by_bloc[bloc] = by_bloc.get(bloc, 0.0) + q
        for kind, table in (("country", by_country), ("bloc", by_bloc)):
            for group, q in sorted(table.items()):
                rows.append({"item": item_name, "group_kind": kind, "group": group, "quantity": q,
                             "unit": item.unit, "share_of_demand": q / item.demand if item.demand > 0 else None})
    return pd.DataFrame(rows, columns=["item", "group_kind", "group", "quantity", "unit", "share_of_demand"])


def hhi(quantities: Iterable[float]) -> float | None:
    """Herfindahl-Hirschman index on the 0-10,000 scale: sum of squared percentage shares."""
    values = list(quantities)
    total = sum(values)
    if total <= 0:
        return None
    return float(sum((q / total * 100.0) ** 2 for q in values))


def concentration(data: PlanningData, lines: pd.DataFrame) -> pd.DataFrame:
    rows = []
    by_country_of = volumes_by(data, lines, "country")
    by_supplier_of = volumes_by(data, lines, "supplier")
    for item_name in sorted(data.items):
        item = data.items[item_name]
        by_country, by_supplier = by_country_of[item_name], by_supplier_of[item_name]
        top = max(sorted(by_country), key=lambda c: by_country[c]) if by_country else None
        rows.append({
            "item": item_name,
            "demand": item.demand,
            "unit": item.unit,
            "suppliers_used": len(by_supplier),
            "countries_used": len(by_country),
            "hhi_country": hhi(by_country.values()),
            "hhi_supplier": hhi(by_supplier.values()),
            "top_country": top,
            "top_country_share": by_country[top] / item.demand if top is not None and item.demand > 0 else None,
        })
    return pd.DataFrame(rows, columns=["item", "demand", "unit", "suppliers_used", "countries_used",
                                       "hhi_country", "hhi_supplier", "top_country", "top_country_share"])


def required_coverage(data: PlanningData, item: str) -> float | None:
    values = [r.value for r in data.rules if r.kind == "min_coverage" and r.value is not None
              and (r.item is None or r.item == item)]
    return max(values) if values else None


def scenario_table(data: PlanningData, quantities: dict[OfferKey, float]) -> pd.DataFrame:
    """For each scenario and item: planned volume surviving, its share of demand, and any shortfall."""
    bought: dict[str, list[tuple[OfferKey, float]]] = {name: [] for name in data.items}
    for key, q in quantities.items():
        if q > 0:
            bought[key[0]].append((key, q))
    required = {name: required_coverage(data, name) for name in data.items}
    rows = []
    for scenario in data.scenarios:
        for item_name in sorted(data.items):
            item = data.items[item_name]
            surviving = sum(data.availability(scenario, data.offers[k]) * q for k, q in bought[item_name])
            needed = (required[item_name] or 0.0) * item.demand
            shortfall = max(0.0, needed - surviving)
            if shortfall <= 1e-6 * max(1.0, item.demand):
                shortfall = 0.0
            rows.append({
                "scenario": scenario,
                "item": item_name,
                "demand": item.demand,
                "unit": item.unit,
                "surviving": surviving,
                "share_of_demand": surviving / item.demand if item.demand > 0 else None,
                "required_share": required[item_name],
                "shortfall": shortfall if required[item_name] is not None else None,
                "status": "not required" if required[item_name] is None else ("short" if shortfall > 0 else "covered"),
            })
    return pd.DataFrame(rows, columns=["scenario", "item", "demand", "unit", "surviving", "share_of_demand",
                                       "required_share", "shortfall", "status"])
