"""`Policy-min-coverage[r, s, i]`: in every scenario, the surviving volume of an item covers a share of demand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat, repeated, rows
from planner.model.container import View
from planner.model.context import BuildContext, model_offers, rule_id, rules_by_id
from planner.model.family import RowRef, RuleFamily, RuleKind


def _sentence(rule: Rule) -> str:
    of = f"the demand of {rule.item}" if rule.item is not None else "each item's demand" if rule.item_class is None \
        else f"the demand of each item of class {rule.item_class}"
    share = f"{rule.value * 100:g} %" if rule.value is not None else ""
    return f"in every scenario, at least {share} of {of} still arrives"


def _never_binds(data: PlanningData, rule: Rule) -> str:
    return "it asks for nothing" if rule.value == 0 else ""


MIN_COVERAGE = RuleKind(
    "min_coverage", "in every scenario, the planned volume of the item still delivered >= value * demand; group blank",
    group="ignored", value="share", sentence=_sentence, never_binds=_never_binds,
    raising="raising the required coverage of {on}", no_group="counts all offers of the item")


@dataclass(frozen=True)
class Coverage:
    """For one min_coverage rule and one scenario, per buy column and per item code of the columns."""

    rid: int
    scenario: str
    columns: np.ndarray  # buy columns the rule covers
    level: np.ndarray  # a_{s,o} of those columns
    bound: np.ndarray  # v * d_i per item code
    hit: np.ndarray  # bool per item code: the scenario cuts some covered offer of the item
    zero: np.ndarray  # bool per item code: the scenario stops every covered offer of the item (that has one)


def coverage(ctx: BuildContext) -> Iterator[Coverage]:
    t = ctx.table
    n_items = len(t.item_names)
    for rule in ctx.data.rules:
        if rule.kind != "min_coverage" or rule.value is None:
            continue
        columns = ctx.of_rule(rule)
        items = ctx.item[columns]
        count = np.bincount(items, minlength=n_items)
        for scenario in ctx.data.scenarios:
            level = ctx.data.availability_levels(scenario)[ctx.position[columns]]
            cut = np.bincount(items, weights=level < 1.0, minlength=n_items) > 0
            alive = np.bincount(items, weights=level > 0.0, minlength=n_items) > 0
            yield Coverage(rule_id(ctx.data, rule), scenario, columns, level, rule.value * t.demand,
                           cut, (count > 0) & ~alive)


def zero_coverage_rows(data: PlanningData, view: View) -> list[tuple[int, str, str, float]]:
    """(rule id, scenario, item, v * d_i) of coverage rows where the scenario stops every offer of the item that
    the view has, though the rule asks for something and the scenario cuts an offer."""
    ctx = BuildContext(data, data.table, model_offers(data, view), view)
    names = ctx.table.item_names
    return [(c.rid, c.scenario, names[code], float(c.bound[code]))
            for c in coverage(ctx) for code in np.flatnonzero(c.zero & c.hit & (c.bound > 0))]


class PolicyMinCoverage(RuleFamily):
    name = "Policy-min-coverage"
    summary = "in every scenario, the surviving volume of an item covers a share of demand"
    dims = ("rule", "scenario", "item")
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MIN_COVERAGE,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-min-coverage[r, s, i]`: for min_coverage rule r with value v, every item i it covers
        and every scenario s that hits an offer of i:
            sum_{o in O_i} a_{s,o} * buy[o] >= v * d_i
        where a_{s,o} is the lowest availability any row of s gives offer o (1 if none hits it).
        Rows asking for nothing (v * d_i = 0) are left out, and so are rows where s
        stops every offer of i (a structural conflict, `conflicts`).
        """
        t, blocks = ctx.table, []
        for c in coverage(ctx):
            keep_item = c.hit & (c.bound > 0) & ~c.zero
            items = ctx.item[c.columns]
            take = keep_item[items] & (c.level > 0)
            codes, row = np.unique(items[take], return_inverse=True)
            n = len(codes)
            index = (repeated(c.rid, n), repeated(c.scenario, n), t.item_names[codes])
            blocks.append(rows(self.name, self.dims, index, row, ctx.start("buy") + c.columns[take], c.level[take],
                               c.bound[codes], np.full(n, INF)))
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        scenario, item = at["scenario"], at["item"]
        label = f"{rules_by_id(data)[at['rule']].label()} (in scenario '{scenario}', for '{item}')"
        hits = [h.label() for h in data.scenario_hits if h.scenario == scenario and item in data.rule_items(h)
                and any(data.in_group(o, h.group) for o in data.offers.values() if o.item == item)]
        return RowRef(self.name, index, (label, *hits), max(data.items[item].demand, 1.0))

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        bad = []
        items = plan.items_of(rule)
        for scenario in plan.scenarios:
            for item in items:
                # a scenario that hits no offer of the item asks nothing of it: with several periods its
                # arrivals in a period may be below demand (stock meets it), which no disruption explains
                if not plan.hits(scenario, item):
                    continue
                surviving = plan.surviving(scenario, item)
                need = (rule.value or 0.0) * data.items[item].demand
                if surviving < need - tol(need):
                    bad.append(f"Policy-min-coverage: {rule.label()}: in scenario '{scenario}' {surviving:g} of "
                               f"'{item}' survives, {need:g} required")
        return bad

    def conflicts(self, data: PlanningData) -> list[str]:
        """A scenario that stops every usable offer of an item a coverage rule asks something of."""
        out = []
        for _, scenario, item, _ in zero_coverage_rows(data, "plan"):
            labels = "; ".join(r.label() for r in data.rules if r.kind == "min_coverage"
                               and item in data.rule_items(r))
            out.append(f"Policy-min-coverage: scenario '{scenario}' stops every usable offer of '{item}', so "
                       f"{labels} cannot hold")
        return out

    def missing(self, data: PlanningData) -> list[tuple[tuple, float]]:
        return [((rid, scenario, item), bound) for rid, scenario, item, bound in zero_coverage_rows(data, "diagnose")]


FAMILY = PolicyMinCoverage()
