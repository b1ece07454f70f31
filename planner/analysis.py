"""What each Policy rule costs, and how cost moves as one rule is tightened.

Cost of a rule r (exact, for LPs and MIPs alike):

    cost(r) = z(all rules) - z(all rules but r)

where z is the optimum. For share and coverage rules the rows of r are
dropped in the HiGHS instance already built (bounds -inf..inf) and the
model is re-solved, warm-started for an LP; an exclude rule is a set
restriction, so the model without it is rebuilt. The price of resilience is
z(all rules) - z(no Policy rule). Costs of single rules need not add up to it:
rules interact (a cap and a coverage floor on the same items may each be
redundant given the other, so each alone costs 0 while both cost plenty).

Joint cost (Shapley value). The rules that cover an item (an exclusion:
that remove an offer) are grouped: two rules are in one group when they
cover a common item, and groups are the connected components of that
relation. A rule with no row in the plan view is a player too (a cap on a
country whose offers an exclusion removed: with the exclusion dropped, the
cap holds again), and so are rules that do not bind: one that is slack at the
plan may cost something once its neighbours are dropped (a 20 % floor on a
third country, slack under a 50 % cap, binds once the cap goes), and leaving
it out would leave that share of the price of resilience unattributed.
For a group G, with N every rule and v(T) = z(N) - z(N - T) the cost of
dropping the rules T of G together,

    cost of the group = v(G)
    joint_cost(r) = sum over T subset of G - {r} of |T|! (|G| - |T| - 1)! / |G|! * (v(T + r) - v(T))

(exact: every subset is re-solved, with the rows of T relaxed in the kept
HiGHS instance; a group holding an exclusion is solved on one instance of
the diagnose view, where exclusions are rows, with every rule's rows taken
from that view). A rule with no row in its group's instance is a null
player: joint cost 0, no re-solve. The joint costs of a group add up to its
cost. Groups of more than MAX_SHAPLEY_RULES rules with rows (2^|G| - 1
re-solves) are not split: their rows give the group's cost only. The whole
analysis has a budget, JOINT_BUDGET (re-solves, seconds): once spent, the
groups left get no cost_of_group or joint_cost, and their note says so. The
sum of the groups' costs is the price of resilience when the groups are
independent (no supplier capacity or fixed cost shared by items of two
groups); the difference is stated as `not attributed`, shown as 0 within
solver noise (`RuleCosts.unattributed_tolerance`: 1e-6 z for an LP,
k * mip_gap * z for a MIP with k groups).

Marginal cost (LPs only): a rule with value v has right-hand sides
v * d_i, so dz/dv = sum over its rows k of y_k * d_i(k), with y_k the row
dual (dz/d rhs) HiGHS reports. The table shows 0.01 * dz/dv: the change of
the optimum when the value rises by one percentage point of demand.
Each rule family says how far its rows' right-hand sides move per unit of
the value (`RuleFamily.value_terms`: d_i by default, 1 for a `max_spend`
amount, the item's spend for a `max_spend_share`), and each kind how large
a step is (`RuleKind.step`: 0.01 for a share, 1 for an amount).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.check.view import PlanView
from planner.data import PlanningData, Rule
from planner.model import SourcingModel, build, registry, rule_id
from planner.model.family import RuleFamily
from planner.results import quantities_from_values
from planner.solver import HighsModel, Progress, SolverOutcome

RULE_COLUMNS = ["policy_row", "rule", "item", "group", "value", "model_rows", "binds", "cost_of_rule",
                "share_of_optimum", "optimum_without", "overlap_group", "cost_of_group", "joint_cost",
                "marginal_per_point", "meaning", "note"]
MAX_SHAPLEY_RULES = 6  # a group of k rules takes 2^k - 1 re-solves: 63 at 6
JOINT_BUDGET = (1000, 600.0)  # the joint-cost analysis stops once it has made this many re-solves or spent these seconds


@dataclasses.dataclass
class RuleCosts:
    table: pd.DataFrame  # one row per Policy row, RULE_COLUMNS
    with_rules: float
    without_rules: float | None  # None when the solve without rules did not finish optimally
    seconds: float
    resolves: int
    mip_gap: float | None = None  # the mip_gap setting for a MIP, None for an LP
    joint_stopped: str = ""  # why some groups have no joint cost (the budget was spent), "" when all were done

    @property
    def price_of_resilience(self) -> float | None:
        return None if self.without_rules is None else self.with_rules - self.without_rules

    @property
    def unattributed(self) -> float | None:
        """Price of resilience minus the costs of the groups (what the joint costs leave out), None if unknown;
        0 within `unattributed_tolerance`."""
        price = self.price_of_resilience
        groups = self.table.drop_duplicates("overlap_group").dropna(subset=["overlap_group"])
        if price is None or groups["cost_of_group"].isna().any():
            return None
        rest = price - float(groups["cost_of_group"].sum())
        return 0.0 if abs(rest) <= self.unattributed_tolerance else rest

    @property
    def unattributed_tolerance(self) -> float:
        """What solver noise alone can put between the price of resilience and the sum of the k groups' costs.

        LP: 1e-6 * z. MIP: each reported optimum z' is within the gap of the true one, 0 <= z' - z* <= g * z'
        (g the mip_gap setting). With independent groups the true values give
        price - sum_G cost(G) = (1 - k) z(N) + sum_G z(N - G) - z(no rule) = 0, so the reported difference is
        (1 - k) e_N + sum_G e_G - e_0 with each e in [0, g z]: at most k * g * z either way.
        """
        if self.mip_gap is None:
            return _tolerance(self.with_rules)
        groups = max(1, int(self.table["overlap_group"].nunique()))
        return max(_tolerance(self.with_rules), groups * self.mip_gap * abs(self.with_rules))


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
    rows_of, (scale_of_row, slope_of_row) = _policy_rows(data, handle.model, handle.values)
    # for rule families that say from the plan whether they bind (a plan of one period: with several, the rows say)
    plan_view = PlanView.of(data, quantities_from_values(handle.model, handle.values, data)) \
        if handle.values is not None and not data.multi_period else None

    records = []
    resolves = 0
    for position, rule in enumerate(data.rules, start=1):
        stage = f"cost of rule {position}/{len(data.rules)}"
        rid = rule_id(data, rule)
        note = ""
        marginal = None
        if registry.rule_kind(rule.kind).restricts_offers:
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
            binds = bool((slack <= 1e-6 * np.maximum(1.0, scale_of_row[rows])).any())
            family = registry.family_of_rule(rule.kind)
            said = family.binds(data, plan_view, rule) \
                if isinstance(family, RuleFamily) and plan_view is not None and len(rows) else None
            binds = binds if said is None else said
            # a kind without `raising` has no marginal (max_hhi: a tangent row's dual prices the tangent at its
            # point, not the cap)
            if duals is not None and len(rows) and not np.isnan(slope_of_row[rows]).any() \
                    and registry.rule_kind(rule.kind).raising is not None:
                # dz/dv = sum_k y_k * d(rhs_k)/dv (d_i(k) for a share of demand), per step of the value
                marginal = registry.rule_kind(rule.kind).step * float(np.dot(duals[rows], slope_of_row[rows]))
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
            "rule": rule.kind,
            "item": rule.item_cell,
            "group": str(rule.group) if rule.group is not None else "",
            "value": rule.value,
            "model_rows": n_rows,
            "binds": "yes" if binds else "no",
            "cost_of_rule": cost,
            "share_of_optimum": cost / z if cost is not None and z > 0 else None,
            "optimum_without": without,
            "marginal_per_point": marginal,
            "overlap_group": None,
            "cost_of_group": None,
            "joint_cost": None,
            "meaning": _meaning(rule, marginal, currency),
            "note": note,
        })
    joint = _joint_costs(data, handle, z, {rule_id(data, rule): record["cost_of_rule"]
                                           for rule, record in zip(data.rules, records)}, rows_of, progress)
    for rule, record in zip(data.rules, records):
        found = joint.by_rule.get(rule_id(data, rule))
        if found is not None:
            record.update(overlap_group=found.overlap_group, cost_of_group=found.cost_of_group,
                          joint_cost=found.joint_cost)
            if found.note:
                record["note"] = (record["note"] + "; " if record["note"] else "") + found.note
    resolves += joint.resolves
    no_rules = solve_data(without_rules(data, lambda r: True)) if data.rules else outcome
    resolves += 1 if data.rules else 0
    base = no_rules.objective if no_rules.status == "optimal" else None
    table = pd.DataFrame(records, columns=RULE_COLUMNS)
    return RuleCosts(table, z, base, time.perf_counter() - started, resolves,
                     data.settings.mip_gap if handle.is_mip else None, joint.stopped)


def _rule_items(data: PlanningData, rule: Rule) -> set[str]:
    """The items a rule covers (for an exclusion: those of the offers it removes): rules sharing one interact."""
    if registry.rule_kind(rule.kind).restricts_offers:
        return {key[0] for key, rules in data.excluded_by.items() if rule in rules}
    return set(data.rule_items(rule))


def overlap_groups(data: PlanningData, rules: list[Rule]) -> list[list[Rule]]:
    """`rules` split into groups of rules that share items, transitively (connected components), in input order."""
    parent = list(range(len(rules)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first_with: dict[str, int] = {}
    for k, rule in enumerate(rules):
        for item in sorted(_rule_items(data, rule)):
            if item in first_with:
                parent[root(k)] = root(first_with[item])
            else:
                first_with[item] = k
    groups: dict[int, list[Rule]] = {}
    for k, rule in enumerate(rules):
        groups.setdefault(root(k), []).append(rule)
    return list(groups.values())


def shapley(players: list[int], value: Callable[[frozenset[int]], float]) -> dict[int, float]:
    """Shapley value of each player of the game `value` (v(empty set) = 0):

        phi(r) = sum over T subset of P - {r} of |T|! (|P| - |T| - 1)! / |P|! * (v(T + r) - v(T))
    """
    n = len(players)
    out: dict[int, float] = {}
    for r in players:
        others = [p for p in players if p != r]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                t = frozenset(subset)
                total += weight * (value(t | {r}) - value(t))
        out[r] = total
    return out


@dataclasses.dataclass
class JointCost:
    """One rule's share of the joint-cost analysis: its group, the group's cost, its Shapley value, and why a figure
    is missing (`note`; empty when both are there)."""

    overlap_group: int
    cost_of_group: float | None
    joint_cost: float | None
    note: str = ""


@dataclasses.dataclass
class JointCosts:
    by_rule: dict[int, JointCost]  # by rule id; rules that cover no item are not in any group
    resolves: int
    groups: int
    stopped: str = ""  # why groups were left out once the budget was spent ("" when every group was done)


def _joint_costs(data: PlanningData, handle: HighsModel, z: float, single: dict[int, float | None],
                 rows_of: dict[int, np.ndarray], progress: Progress | None,
                 budget: tuple[int, float] | None = None) -> JointCosts:
    """Groups, their costs and the rules' joint costs (see the module's docstring), by rule id.

    The players are the rules that cover an item (`_rule_items`), binding
    or not. `single` holds each rule's cost alone, found on the plan view
    (`cost_of_rule`): it is v({r}). Every other v(T) is a re-solve of the
    plan view `handle` with the rows of T relaxed, or, for a group holding
    an exclusion, of one instance of the diagnose view (where exclusions
    are rows), with the rows of every rule of the group taken from that
    view. A rule with no row in its group's instance changes no v(T): its
    joint cost is 0 (the null player) and it is left out of the sums. For an
    LP both views have the same optima. For a MIP each solve is within
    mip_gap of its own optimum, and v(T) = z - z'(N - T) mixes the gap of the
    plan's solve with that of a re-solve, of the plan view for single rules
    and of the diagnose view (another instance, another gap) for the other
    subsets of a group with an exclusion: each v(T + r) - v(T), and so each
    joint cost, is within mip_gap * z. The joint costs of a group still add
    up to its cost exactly (the Shapley value is efficient for any v).

    `budget` (re-solves, seconds; default JOINT_BUDGET) bounds the whole
    analysis: a group whose re-solves no longer fit is not done, nor is any
    group after it that needs a re-solve (their `cost_of_group` and
    `joint_cost` stay None, `note` and `stopped` say why); each re-solve gets
    at most the seconds left.
    """
    max_resolves, max_seconds = budget if budget is not None else JOINT_BUDGET
    started = time.perf_counter()
    players = [rule for rule in data.rules if _rule_items(data, rule)]
    out: dict[int, JointCost] = {}
    resolves = 0
    stopped = ""
    limit, gap = data.settings.time_limit, data.settings.mip_gap
    diagnose_view: tuple[HighsModel, dict[int, list[int]]] | None = None
    groups = overlap_groups(data, players)
    for number, group in enumerate(groups, start=1):
        rids = [rule_id(data, rule) for rule in group]
        if any(registry.rule_kind(rule.kind).restricts_offers for rule in group) and len(group) > 1:
            if diagnose_view is None:  # one instance where exclusions are rows, for every such group
                # (its optimum with every rule is z: the same feasible set, with excluded offers fixed at 0)
                other = HighsModel(build(data, "diagnose"))
                rows_by_rule, _ = _policy_rows(data, other.model)  # exclusions too: they are rows in this view
                diagnose_view = (other, {rid: rows.tolist() for rid, rows in rows_by_rule.items()})
            instance, rows_by_rid = diagnose_view
        else:
            instance = handle
            rows_by_rid = {rid: rows.tolist() for rid, rows in rows_of.items()}
        active = [rid for rid in rids if rows_by_rid.get(rid) or len(group) == 1]
        if len(active) <= 1:  # no re-solve: v(G) = v({r}) for its one rule with a row, 0 without any
            whole = single.get(active[0]) if active else 0.0
            for rid in rids:
                out[rid] = JointCost(number, whole, whole if rid in active else 0.0 if whole is not None else None)
            continue
        needed = 1 if len(active) > MAX_SHAPLEY_RULES else 2 ** len(active) - 1 - len(active)
        if not stopped and (resolves + needed > max_resolves or time.perf_counter() - started >= max_seconds):
            stopped = (f"the joint-cost analysis stopped at group {number} of {len(groups)}: its budget of "
                       f"{max_resolves:,} re-solves or {max_seconds:g} seconds was spent")
        if stopped:
            for rid in rids:
                out[rid] = JointCost(number, None, None, f"joint cost not found: {stopped}")
            continue
        cache: dict[frozenset[int], float | None] = {frozenset(): 0.0}  # v(empty set) = 0
        cache.update({frozenset([rid]): single[rid] for rid in active if single.get(rid) is not None})
        failed: list[str] = []
        out_of_time = False

        def value(dropped: frozenset[int]) -> float:
            nonlocal resolves, out_of_time
            if dropped not in cache:
                left = max_seconds - (time.perf_counter() - started)
                rows = sorted(k for rid in dropped for k in rows_by_rid.get(rid, []))
                if left <= 0:
                    out_of_time, result = True, None
                else:
                    with instance.relaxed(rows):
                        result = instance.solve(min(limit, left), gap, progress,
                                                f"joint cost of rules {sorted(dropped)}")
                    resolves += 1
                ok = result is not None and result.status == "optimal" and result.objective is not None
                cache[dropped] = z - result.objective if ok else None  # type: ignore[union-attr,operator]
                if not ok and result is not None:
                    if time.perf_counter() - started >= max_seconds:
                        out_of_time = True
                    else:
                        failed.append(result.message)
            found = cache[dropped]
            return math.nan if found is None else found

        whole = value(frozenset(active))
        note = ""
        if len(active) > MAX_SHAPLEY_RULES:
            shares: dict[int, float] = {}
            note = f"{len(active)} rules overlap (more than {MAX_SHAPLEY_RULES}): the group's cost is not split"
        else:
            shares = shapley(active, value)
        if out_of_time and not failed:
            stopped = (f"the joint-cost analysis stopped at group {number} of {len(groups)}: its budget of "
                       f"{max_seconds:g} seconds was spent")
            whole, shares, note = math.nan, {}, f"joint cost not found: {stopped}"
        elif failed or out_of_time:
            whole, shares = math.nan, {}
            note = f"joint cost not found: {failed[0]}"
        for rid in rids:
            share = shares.get(rid, 0.0 if rid not in active and not math.isnan(whole) else None)
            out[rid] = JointCost(number, None if math.isnan(whole) else _clean(whole, z),
                                 None if share is None or math.isnan(share) else _clean(share, z), note)
    return JointCosts(out, resolves, len(groups), stopped)


def _clean(cost: float, z: float) -> float:
    """A cost, with solver noise (within the tolerance of the optimum) shown as 0."""
    return 0.0 if abs(cost) <= _tolerance(z) else cost


def _policy_rows(data: PlanningData, model: SourcingModel, values: np.ndarray | None = None
                 ) -> tuple[dict[int, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The model rows of each rule that has rows in this view, by rule id (their `rule` dimension); and (scale,
    slope) per model row, as its family says (`RuleFamily.value_terms`, at the plan `values`), the scale its slack is measured
    against (1 for rows of other families) and how far its right-hand side moves per unit of its rule's value
    (d_i for a share of an item's demand; NaN where it does not move in proportion: that rule gets no
    marginal; 0 for rows of other families)."""
    rows_of: dict[int, list[np.ndarray]] = {}
    scale_of_row = np.ones(model.num_rows)
    slope_of_row = np.zeros(model.num_rows)
    for family in registry.row_families():
        if not family.rule_kinds or not model.has_rows(family.name):
            continue
        block, span = model.row_block(family.name)
        if not len(span):
            continue
        rids = np.asarray(block.coord("rule").tolist())
        assert isinstance(family, RuleFamily)
        scale, slope = family.value_terms(data, model, values)
        scale_of_row[span.start:span.stop] = np.nan_to_num(scale)
        slope_of_row[span.start:span.stop] = slope
        for rid in np.unique(rids).tolist():
            rows_of.setdefault(rid, []).append(span.start + np.flatnonzero(rids == rid))
    return {rid: np.concatenate(parts) for rid, parts in rows_of.items()}, (scale_of_row, slope_of_row)


def rule_sentence(rule: Rule) -> str:
    """What a rule asks, in words (its kind's `sentence`): `at most 50 % of each item's demand from country:CN`."""
    said = registry.rule_kind(rule.kind).sentence(rule)
    return f"{said} in period {rule.period}" if rule.period is not None else said


def _meaning(rule: Rule, marginal: float | None, currency: str) -> str:
    """The rule in words and, for LPs, its marginal cost: `at most 50 % of the demand of gallium from country:CN;
    raising the country:CN cap on gallium by 1 % of demand saves 4,180.00 EUR`."""
    sentence = rule_sentence(rule)
    if marginal is None or math.isclose(marginal, 0.0, abs_tol=1e-9):
        return sentence
    on = rule.items_text
    kind = registry.rule_kind(rule.kind)
    if kind.raising is None:  # a kind without a value has no marginal
        return sentence
    what = kind.raising.format(group=rule.group if rule.group is not None else "every supplier", on=on)
    point = kind.point.format(currency=currency or "unit of money").strip()
    verb = "saves" if marginal < 0 else "costs"
    return f"{sentence}; {what} by {point} {verb} {abs(marginal):,.2f} {currency}".rstrip()


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
