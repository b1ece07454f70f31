"""What each Policy rule costs, and how cost moves as one rule is tightened.

Cost of a rule r (exact, for LPs and MIPs alike):

    cost(r) = z(all rules) - z(all rules but r)

where z is the optimum. For share and coverage rules the rows of r are
dropped in the HiGHS instance already built (bounds -inf..inf) and the
model is re-solved, warm-started for an LP; an exclude rule is a set
restriction, so the model without it is rebuilt. The price of resilience is
z(all rules) - z(no Policy rule). Costs of single rules need not add up to it:
rules interact.

Marginal cost (LPs only): a rule with value v has right-hand sides
v * d_i, so dz/dv = sum over its rows k of y_k * d_i(k), with y_k the row
dual (dz/d rhs) HiGHS reports. The table shows 0.01 * dz/dv: the change of
the optimum when the value rises by one percentage point of demand.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.data import PlanningData, Rule
from planner.model import SourcingModel, build, rule_id
from planner.solver import HighsModel, Progress, SolverOutcome

ROW_FAMILIES = {"max_share": "Policy-max-share", "min_share": "Policy-min-share",
                "min_coverage": "Policy-min-coverage"}
RULE_COLUMNS = ["policy_row", "rule", "item", "group", "value", "model_rows", "binds", "cost_of_rule",
                "share_of_optimum", "optimum_without", "marginal_per_point", "meaning", "note"]


@dataclasses.dataclass
class RuleCosts:
    table: pd.DataFrame  # one row per Policy row, RULE_COLUMNS
    with_rules: float
    without_rules: float | None  # None when the solve without rules did not finish optimally
    seconds: float
    resolves: int

    @property
    def price_of_resilience(self) -> float | None:
        return None if self.without_rules is None else self.with_rules - self.without_rules


def without_rules(data: PlanningData, drop: Callable[[Rule], bool]) -> PlanningData:
    """The same data with some Policy rules removed (the records stay untouched)."""
    return dataclasses.replace(data, rules=tuple(r for r in data.rules if not drop(r)))


def solve_data(data: PlanningData) -> SolverOutcome:
    """Build and solve a fresh model for `data` (no plan is extracted)."""
    return HighsModel(build(data)).solve(data.settings.time_limit, data.settings.mip_gap)


def _tolerance(value: float) -> float:
    return 1e-6 * max(1.0, abs(value))


def rule_costs(data: PlanningData, handle: HighsModel, outcome: SolverOutcome, currency: str = "",
               progress: Progress | None = None) -> RuleCosts:
    """The Rules table for a solved plan. `handle` holds the plan's solution; it is re-solved in place."""
    started = time.perf_counter()
    assert outcome.objective is not None
    z = outcome.objective
    duals = handle.row_duals() if not handle.is_mip else None
    activity = handle.row_activity()
    rows_of, demand_of_row = _policy_rows(data, handle.model)

    records = []
    resolves = 0
    for position, rule in enumerate(data.rules, start=1):
        stage = f"cost of rule {position}/{len(data.rules)}"
        rid = rule_id(data, rule)
        note = ""
        marginal = None
        if rule.kind == "exclude":
            alone = without_rules(data, lambda r, rule=rule: r is rule)
            other = HighsModel(build(alone))
            result = other.solve(data.settings.time_limit, data.settings.mip_gap, progress, stage)
            resolves += 1
            excluded = set(data.excluded_by) - set(alone.excluded_by)
            bought = 0.0
            if result.has_plan and other.values is not None:
                positions = {data.table.position[k] for k in excluded}
                bought = float(sum(q for p, q in zip(other.model.offers.tolist(), other.values.tolist()) if p in positions))
            binds = bought > _tolerance(sum(data.items[k[0]].demand for k in excluded) if excluded else 1.0)
            n_rows = len([k for k, rules in data.excluded_by.items() if rule in rules])
            note = "re-solved on a rebuilt model (an exclusion removes offers from the model)"
        else:
            rows = rows_of.get(rid, np.zeros(0, dtype=np.int64))
            n_rows = len(rows)
            slack = np.minimum(np.abs(activity[rows] - handle.row_lower[rows]),
                               np.abs(activity[rows] - handle.row_upper[rows]))
            binds = bool((slack <= 1e-6 * np.maximum(1.0, demand_of_row[rows])).any())
            if duals is not None and len(rows):
                marginal = 0.01 * float(np.dot(duals[rows], demand_of_row[rows]))
            if len(rows):
                with handle.relaxed(rows.tolist()):
                    result = handle.solve(data.settings.time_limit, data.settings.mip_gap, progress, stage)
                resolves += 1
            else:
                result = outcome  # the rule has no row: it holds whatever the plan, so it costs nothing
                note = "no model row: the rule holds whatever the plan"
        if result.status == "optimal" and result.objective is not None:
            without = result.objective
            cost = z - without
            if abs(cost) <= _tolerance(z):
                cost = 0.0
            if handle.is_mip:
                note = (note + "; " if note else "") + f"MIP: exact within the mip_gap setting ({data.settings.mip_gap:g})"
        else:
            without, cost = None, None
            note = (note + "; " if note else "") + f"re-solve without the rule: {result.message}"
        records.append({
            "policy_row": rule.row if rule.row is not None else rid,
            "rule": rule.label(),
            "item": rule.item or "(every item)",
            "group": str(rule.group) if rule.group is not None else "",
            "value": rule.value,
            "model_rows": n_rows,
            "binds": "yes" if binds else "no",
            "cost_of_rule": cost,
            "share_of_optimum": cost / z if cost is not None and z > 0 else None,
            "optimum_without": without,
            "marginal_per_point": marginal,
            "meaning": _meaning(rule, marginal, currency),
            "note": note,
        })
    no_rules = solve_data(without_rules(data, lambda r: True)) if data.rules else outcome
    resolves += 1 if data.rules else 0
    base = no_rules.objective if no_rules.status == "optimal" else None
    table = pd.DataFrame(records, columns=RULE_COLUMNS)
    return RuleCosts(table, z, base, time.perf_counter() - started, resolves)


def _policy_rows(data: PlanningData, model: SourcingModel) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """The model rows of each share or coverage rule, by rule id, and the demand of each row's item (0 for rows of
    other families): rows are indexed (r, i, kind, name) for shares and (r, scenario, i) for coverage."""
    rows_of: dict[int, list[np.ndarray]] = {}
    demand_of_row = np.zeros(model.num_rows)
    for family, span in model.row_families():
        if family not in ROW_FAMILIES.values() or not len(span):
            continue
        block = model.rows[[r.family for r in model.rows].index(family)]
        rids = np.asarray(block.index[0].tolist())
        items = block.index[2 if family == "Policy-min-coverage" else 1]
        demand_of_row[span.start:span.stop] = [data.items[i].demand for i in items]
        for rid in np.unique(rids).tolist():
            rows_of.setdefault(rid, []).append(span.start + np.flatnonzero(rids == rid))
    return {rid: np.concatenate(parts) for rid, parts in rows_of.items()}, demand_of_row


def _meaning(rule: Rule, marginal: float | None, currency: str) -> str:
    """The marginal cost in words: `raising the country:CN cap on gallium by 1 % of demand saves 4,180.00 EUR`."""
    if marginal is None or math.isclose(marginal, 0.0, abs_tol=1e-9):
        return ""
    on = rule.item if rule.item is not None else "every item"
    what = {"max_share": f"raising the {rule.group} cap on {on}",
            "min_share": f"raising the {rule.group} minimum share of {on}",
            "min_coverage": f"raising the required coverage of {on}"}[rule.kind]
    verb = "saves" if marginal < 0 else "costs"
    return f"{what} by 1 % of demand {verb} {abs(marginal):,.2f} {currency}".rstrip()


def with_value(data: PlanningData, rule: Rule, value: float) -> PlanningData:
    """The data with one rule's value replaced."""
    changed = dataclasses.replace(rule, value=value)
    return dataclasses.replace(data, rules=tuple(changed if r is rule else r for r in data.rules))


MAX_STEPS = 1001  # a step per 0.1 percentage point from 0 to 1; each step is a solve, so more is never useful


def sweep_values(start: float, stop: float, steps: int) -> list[float]:
    """`steps` evenly spaced values from start to stop, both included (at most MAX_STEPS: each is a solve)."""
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"a sweep has 1 to {MAX_STEPS:,} steps, not {steps:,}")
    if steps == 1:
        return [start]
    return [float(v) for v in np.round(np.linspace(start, stop, steps), 12)]
