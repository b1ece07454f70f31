"""`Policy-min-award[r, i, s]`: a supplier of a group that delivers an item delivers at least a share of its
demand, or nothing."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat, repeated, rows
from planner.model.context import BuildContext
from planner.model.families._counts import awarded, from_group, of_items, rule_of, spreads, use_offer_at, \
    use_offer_of, where
from planner.model.families._shares import group_holds_nothing
from planner.model.family import RowRef, RuleFamily, RuleKind


def _sentence(rule: Rule) -> str:
    return f"each supplier{from_group(rule)} delivering {of_items(rule)} delivers at least " \
           f"{(rule.value or 0) * 100:g} % of its demand, or nothing"


MIN_AWARD = RuleKind(
    "min_award", "a supplier of the group that delivers the item delivers at least value * demand of the item, or "
    "nothing; group blank: any",
    group="optional", value="fraction", sentence=_sentence, never_binds=group_holds_nothing)


def _purchases(data: PlanningData, plan: PlanView, rule: Rule) -> list[tuple[str, str, float, float]]:
    """(item, supplier, quantity, d_i) of each purchase of an item with demand from a group the rule names, once
    (a supplier in two blocs of `each bloc` too)."""
    seen: dict[tuple[str, str], tuple[str, str, float, float]] = {}
    for item, _, bought in plan.deliveries(rule, False):
        for s, q in bought.items():
            seen[item, s] = (item, s, q, data.items[item].demand)
    return list(seen.values())


class PolicyMinAward(RuleFamily):
    name = "Policy-min-award"
    summary = "a supplier of a group that delivers an item delivers at least a share of its demand, or nothing"
    dims = ("rule", "item", "supplier")
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MIN_AWARD,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-min-award[r, i, s]`: for min_award rule r with value v, every item i it covers with d_i > 0
        and every offer o = (i, s) in the model in a group r names (once, however many of `each bloc` hold it):
            buy[o] >= v * d_i * use_offer[o]
        with `Offer-use` (buy[o] <= M_o * use_offer[o]): buy[o] is 0 or at least v * d_i.
        """
        t, blocks, at = ctx.table, [], use_offer_at(ctx)
        for s in spreads(ctx, "min_award"):
            columns, _ = awarded(s.columns)
            n = len(columns)
            index = (repeated(s.rid, n), t.item_names[ctx.item[columns]], t.supplier_names[ctx.supplier[columns]])
            blocks.append(rows(self.name, self.dims, index, np.concatenate([np.arange(n), np.arange(n)]),
                               np.concatenate([ctx.start("buy") + columns, use_offer_of(ctx, columns, at)]),
                               np.concatenate([np.ones(n), -float(s.rule.value) * t.demand[ctx.item[columns]]]),
                               np.zeros(n), np.full(n, INF)))
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        rule, item, supplier = rule_of(data, at["rule"]), at["item"], at["supplier"]
        label = f"{rule.label()}{where(rule, item)} ('{item}' from '{supplier}')"
        return RowRef(self.name, index, (label,), max(data.items[item].demand, 1.0))

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        return [f"Policy-min-award: {rule.label()}: {q:g} of '{item}' from '{s}' is below {rule.value:g} of {d:g} "
                "(and is not nothing)"
                for item, s, q, d in _purchases(data, plan, rule) if tol(d) < q < (rule.value or 0.0) * d - tol(d)]

    def binds(self, data: PlanningData, plan: PlanView, rule: Rule) -> bool | None:
        """A supplier of the group delivers exactly v * d_i."""
        return any(abs(q - (rule.value or 0.0) * d) <= tol(d) for _, _, q, d in _purchases(data, plan, rule))


FAMILY = PolicyMinAward()
