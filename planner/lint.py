"""Warnings for data that is valid but suspicious: numbers that cannot mislead silently.

Each check names the cell a person would look at. None of them stops a run;
they are listed on stderr and in the plan's Run sheet:

- a price more than `PRICE_OUTLIER` times the median price of its item's
  offers (a unit or decimal slip);
- an item whose demand exceeds what all its offers can deliver together;
- a scenario that hits no offer, so it changes nothing;
- a rule that can never bind: max_share of 1, min_share or min_coverage of
  0, an exclusion or a share rule whose group holds no offer of its items;
- numbers so far apart in magnitude that the solver may lose precision;
- a Policy rule switched off (its `active` cell, `--set Policy!7=off` or a
  Policy update table): a plan made without it must say so;
- a built-in bloc a Policy or Scenarios row names that has no member among
  the workbook's countries on the plan date (country ids that are no ISO
  codes, a date before the bloc's first member): the row counts nothing;
- a route no offer travels on;
- an expansion of a supplier's total (or of an offer) that is unlimited in
  every period, or that delivers only after the last period (its earliest
  period plus its lead time): it can add nothing;
- the two-stage mode without any scenario in force: the plan is made for the
  baseline alone;
- in the two-stage mode, an item with neither a spot market nor a shortage
  cost whose usable offers, in some scenario, deliver less than its demand
  even when all are contracted to capacity: no contracts can cover it there.

A Periods sheet whose Items stock columns are all blank is fine: stock then
starts at 0, costs nothing to hold, and is neither capped nor reserved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.data import PlanningData, Rule, ScenarioHit
from planner.dating import named_blocs
from planner.model import registry
from planner.problems import Problem

PRICE_OUTLIER = 100.0
MAGNITUDE_SPAN = 1e12


def lint(data: PlanningData) -> list[Problem]:
    out: list[Problem] = []
    out += _price_outliers(data)
    out += _unmeetable_demand(data)
    out += _idle_scenarios(data)
    out += _idle_rules(data)
    out += _magnitudes(data)
    out += _rising_tiers(data)
    out += _memberless_blocs(data)
    out += _idle_routes(data)
    out += _idle_expansions(data)
    out += _two_stage(data)
    out += [_warn("", "", "", rule.switched_off()) for rule in data.inactive_rules]
    return out


def _rising_tiers(data: PlanningData) -> list[Problem]:
    """A break whose price is above the price below it: a volume discount lowers the price, so a rise is more
    likely a typo (a missing digit) than a deal. The plan still prices it as written."""
    out = []
    for key, tiers in data.tiers.items():
        below = data.offers[key].price
        for tier in tiers:
            if tier.price > below:
                cell = data.cell("Tiers", "price", tier.row)
                where, _, at = cell.rpartition("!") if "!" in cell else (cell, "", "")
                out.append(_warn(where, at, "price", f"price {tier.price:g} from {tier.from_quantity:g} of "
                                 f"'{key[0]}' from '{key[1]}' is above the price below the break ({below:g}): a "
                                 "volume discount lowers the price; it is planned as written", tier.price))
            below = tier.price
    return out


def _memberless_blocs(data: PlanningData) -> list[Problem]:
    """A built-in bloc that a row playing a part names and that has no member among the workbook's countries on
    the plan date: the row counts no offer from it, which is more likely a country id that is no ISO code
    (`Germany` for DE) or a plan date before the bloc's first member than what was meant."""
    dating = data.dating
    if dating is None or not dating.built_in:
        return []
    empty = set(dating.built_in) - set(data.blocs)  # a built-in bloc with members is in some country's blocs
    out = []
    for record in (*data.rules, *data.scenario_hits):
        sheet = "Policy" if isinstance(record, Rule) else "Scenarios"
        for bloc in [b for b in dating.built_in if b in empty and b in named_blocs([record])]:
            place = data.cell(sheet, "group", record.row)
            where, _, at = place.rpartition("!") if "!" in place else (place, "", "")
            out.append(_warn(where, at, "group", f"the built-in bloc {bloc} has no member among the workbook's "
                             f"countries on {dating.day.isoformat()}, the plan date: {record.label()} counts nothing "
                             f"from it (a country is a member when its id is the ISO alpha-2 code of a member on that "
                             f"day: planner blocs --bloc {bloc} --date {dating.day.isoformat()})", bloc))
    return out


def _warn(sheet: str, cell: str, column: str, message: str, value: object = None) -> Problem:
    return Problem("warning", sheet, cell, column, message, value)


def _warn_at(data: PlanningData, sheet: str, record: object, column: str, message: str, value: object) -> Problem:
    """A warning about a record's value, placed where the value was last set: the input workbook's cell,
    or an update file's (`data.where`)."""
    place = data.where(sheet, record, column) if hasattr(record, "origin") else \
        data.cell(sheet, column, record.row)  # type: ignore[arg-type,attr-defined]  # Routes, Expansions: no updates
    where, _, cell = place.rpartition("!") if "!" in place else (place, "", "")
    return _warn(where, cell, column, message, value)


def _price_outliers(data: PlanningData) -> list[Problem]:
    t = data.table
    if not len(t):
        return []
    count = np.bincount(t.item, minlength=len(t.item_names))
    median = pd.Series(t.price).groupby(t.item).median().reindex(range(len(t.item_names))).to_numpy()
    # with two offers there is no telling which one is off
    flagged = np.flatnonzero((count[t.item] >= 3) & (median[t.item] > 0) & (t.price > PRICE_OUTLIER * median[t.item]))
    out = []
    for k in flagged[np.lexsort((flagged, t.item[flagged]))].tolist():
        o, m = data.offers[t.keys[k]], float(median[t.item[k]])
        out.append(_warn_at(data, "Offers", o, "price",
                            f"price {o.price:g} of '{o.item}' from '{o.supplier}' is over {PRICE_OUTLIER:g} times "
                            f"the median price of '{o.item}' ({m:g}): a unit or decimal slip?", o.price))
    return out


def _idle_routes(data: PlanningData) -> list[Problem]:
    """A Routes row no offer names: its freight, capacity and lead time apply to nothing (a route:NAME group of it
    holds no offer either)."""
    used = {o.route for o in data.offers.values()} if data.routes else set()
    return [_warn_at(data, "Routes", route, "route", f"no offer travels on route '{name}' (no Offers route cell "
                     "names it): it changes nothing", name)
            for name, route in data.routes.items() if name not in used]


def _idle_expansions(data: PlanningData) -> list[Problem]:
    """An expansion of a capacity that is unlimited in every period (no Suppliers or Offers capacity, no finite
    Capacity row): building it could add nothing, so the plan never pays for it."""
    out = []
    for expansion in data.expansions.values():
        if expansion.item is None:
            unlimited = all(data.supplier_capacity_in(expansion.supplier, p) == np.inf for p in data.period_names)
            what = f"the total capacity of '{expansion.supplier}'"
        else:
            offer = data.offers[(expansion.item, expansion.supplier)]
            unlimited = all(data.offer_capacity_in(offer, p) == np.inf for p in data.period_names)
            what = f"the capacity of the offer of '{expansion.supplier}' for '{expansion.item}'"
        if unlimited:
            out.append(_warn_at(data, "Expansions", expansion, "supplier", f"expansion '{expansion.name}' adds to "
                                f"{what}, which is unlimited in every period: it can add nothing",
                                expansion.supplier))
            continue
        # decided in its earliest period at the soonest, it delivers lead_time periods later: after the last?
        first = data.period_names.index(expansion.earliest) if expansion.earliest is not None else 0
        if first + expansion.lead_time >= len(data.periods):
            out.append(_warn_at(data, "Expansions", expansion, "lead_time", f"expansion '{expansion.name}' decided "
                                f"in period '{data.period_names[first]}' at the soonest delivers {expansion.lead_time} "
                                f"periods later, after the last period '{data.period_names[-1]}': it can add nothing",
                                expansion.lead_time))
    return out


def _two_stage(data: PlanningData) -> list[Problem]:
    """The two-stage mode's warnings. With no scenario, the plan is the baseline's alone (nothing disrupted), as the
    deterministic mode would make it without coverage rules: more likely Scenarios were forgotten than meant.

    An item i with neither spot_price nor shortage_cost must be delivered in full in every scenario s: with
    capacities K_o = min(offer capacity, supplier capacity) of its usable offers, sum_o a(s,o) K_o < d_i means no
    contracts can do it (a necessary condition only: suppliers' capacities are shared among items). One warning
    per item, naming the first such scenario and the deliverable quantity; the baseline (a = 1) is the
    deterministic check of `_unmeetable_demand`."""
    if not data.two_stage:
        return []
    if not data.scenarios:
        return [_warn("Settings", "", "", "mode is two_stage, but no scenario is in force: the plan is made for the "
                      "baseline alone (nothing disrupted), as the deterministic mode would make it; list the "
                      "disruptions in Scenarios, each with its probability")]
    bare = [(code, item) for code, item in enumerate(data.items.values())
            if item.spot_price is None and item.shortage_cost is None and item.demand > 0]
    if not bare:
        return []
    t, usable = data.table, data.usable
    most = np.where(usable, np.minimum(t.capacity, t.supplier_capacity[t.supplier]), 0.0)
    found: dict[int, tuple[str, float, int]] = {}  # item code -> (first scenario short, deliverable, scenarios short)
    for scenario in data.scenarios:
        level = data.availability_levels(scenario)
        # an offer cut to 0 delivers nothing, however large its capacity (inf * 0 would be nan)
        kept = np.bincount(t.item, weights=np.where(level > 0, most, 0.0) * level, minlength=len(t.item_names))
        for code, item in bare:
            if kept[code] < item.demand * (1 - 1e-9):
                first = found.get(code)
                found[code] = (scenario, float(kept[code]), 1) if first is None else (*first[:2], first[2] + 1)
    out = []
    for code, item in bare:
        if code not in found:
            continue
        scenario, kept, count = found[code]
        more = f" (and in {count - 1} more scenarios)" if count > 1 else ""
        out.append(_warn_at(data, "Items", item, "item",
                            f"in scenario '{scenario}'{more} the offers of '{item.name}' deliver at most {kept:g} of "
                            f"its demand of {item.demand:g}, whatever is contracted, and it has neither a spot_price "
                            "nor a shortage_cost: no two-stage plan can meet it", item.name))
    return out


def _unmeetable_demand(data: PlanningData) -> list[Problem]:
    if data.multi_period:
        return []  # stock carries capacity over from period to period: one period's demand says nothing alone
    t, usable = data.table, data.usable
    most = np.minimum(t.capacity, t.supplier_capacity[t.supplier])[usable]
    deliverable = np.bincount(t.item[usable], weights=most, minlength=len(t.item_names))
    count = np.bincount(t.item[usable], minlength=len(t.item_names))
    out = []
    for code, item in enumerate(data.items.values()):
        if not count[code] or item.demand <= 0:
            continue  # no usable offer at all is reported as a conflict when solving
        if deliverable[code] < item.demand * (1 - 1e-9):
            out.append(_warn_at(data, "Items", item, "demand",
                                f"demand {item.demand:g} of '{item.name}' is more than all its usable offers can "
                                f"deliver ({float(deliverable[code]):g}): no plan can meet it", item.demand))
    return out


def _idle_scenarios(data: PlanningData) -> list[Problem]:
    out = []
    for scenario in data.scenarios:
        hits = [h for h in data.scenario_hits if h.scenario == scenario]
        if not any(h.availability < 1.0 and _hits_an_offer(data, h) for h in hits):
            first = hits[0]
            out.append(_warn("Scenarios", first.cell or "", "scenario",
                             f"scenario '{scenario}' hits no offer (or keeps all of them): it changes nothing",
                             scenario))
    return out


def _hits_an_offer(data: PlanningData, hit: ScenarioHit) -> bool:
    """Whether a Scenarios row's group holds an offer (of its item, if it names one)."""
    return bool((data.table.in_group(hit.group) & data.of_rule(hit)).any())


def _idle_rules(data: PlanningData) -> list[Problem]:
    out = []
    for rule in data.rules:
        why = _never_binds(data, rule)
        if why:
            out.append(_warn("Policy", rule.cell or "", "rule", f"{rule.label()} can never bind: {why}", rule.kind))
    return out


def _never_binds(data: PlanningData, rule: Rule) -> str:
    """Why a rule can never bind, as its kind declares (`RuleKind.never_binds`); "" if it can."""
    return registry.rule_kind(rule.kind).never_binds(data, rule)


def _magnitudes(data: PlanningData) -> list[Problem]:
    t = data.table
    values = np.abs(np.concatenate([t.demand, t.price, t.freight, t.capacity, t.min_order, t.supplier_capacity,
                                    t.fixed_cost]))
    numbers = values[(values > 0) & np.isfinite(values)]
    if len(numbers) and numbers.max() / numbers.min() > MAGNITUDE_SPAN:
        low, high = float(numbers.min()), float(numbers.max())
        return [_warn("", "", "", f"the numbers range from {low:g} to {high:g}, more than "
                                  f"{MAGNITUDE_SPAN:g} apart: the solver may lose precision; consider other units")]
    return []
