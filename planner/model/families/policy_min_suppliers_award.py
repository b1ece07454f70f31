"""`Policy-min-suppliers-award[r, i, s]`: a supplier counted by a min_suppliers rule delivers at least the rule's
min_award share of demand."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, concat, repeated, rows
from planner.model.context import BuildContext
from planner.model.families._counts import rule_of, where
from planner.model.families.award_supplier import DIMS, supplier_awards
from planner.model.family import RowFamily, RowRef


class PolicyMinSuppliersAward(RowFamily):
    name = "Policy-min-suppliers-award"
    summary = "a supplier counted by a min_suppliers rule delivers at least min_award of demand"
    dims = DIMS
    tier = None  # a definition of award_supplier: relaxing `Policy-min-suppliers` is the way out of a conflict

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-min-suppliers-award[r, i, s]`: for every `award_supplier[r, i, s]`, with m the min_award of
        rule r,
            buy[i, s] >= m * d_i * award_supplier[r, i, s]
        """
        t, blocks, at = ctx.table, [], ctx.start("award_supplier")
        for s, columns, _ in supplier_awards(ctx):
            n = len(columns)
            d = t.demand[ctx.item[columns]]
            index = (repeated(s.rid, n), t.item_names[ctx.item[columns]], t.supplier_names[ctx.supplier[columns]])
            blocks.append(rows(self.name, self.dims, index, np.concatenate([np.arange(n), np.arange(n)]),
                               np.concatenate([ctx.start("buy") + columns, at + np.arange(n)]),
                               np.concatenate([np.ones(n), -s.rule.min_award * d]), np.zeros(n), np.full(n, INF)))
            at += n
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        rule, item, supplier = rule_of(data, at["rule"]), at["item"], at["supplier"]
        label = f"{rule.label()}{where(rule, item)} ('{supplier}' counted: it delivers at least " \
                f"{rule.min_award:g} of the demand of '{item}')"
        return RowRef(self.name, index, (label,), max(data.items[item].demand, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: `Policy-min-suppliers` counts the suppliers that deliver min_award."""
        return []


FAMILY = PolicyMinSuppliersAward()
