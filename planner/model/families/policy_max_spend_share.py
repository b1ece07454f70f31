"""`Policy-max-spend-share[r, i, g]`: the landed spend on an item from a group is at most a share of the landed
spend on the item."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat, names, repeated, rows
from planner.model.container import SourcingModel
from planner.model.context import BuildContext, rule_id, rules_by_id
from planner.model.families._shares import DIMS, group_holds_nothing
from planner.model.families._spend import merged, spend_terms
from planner.model.families.policy_max_spend import EVERY_SUPPLIER, most_spend, spent_on
from planner.model.family import RowRef, RuleFamily, RuleKind


def _sentence(rule: Rule) -> str:
    of = f"the landed spend on {rule.item}" if rule.item is not None else "each item's landed spend" \
        if rule.item_class is None else f"the landed spend on each item of class {rule.item_class}"
    share = f"{rule.value * 100:g} %" if rule.value is not None else ""
    group = "every supplier" if rule.group is None else \
        f"any one {rule.group.kind}" if rule.group.each else str(rule.group)
    return f"at most {share} of {of} from {group}"


def _never_binds(data: PlanningData, rule: Rule) -> str:
    if rule.value is not None and rule.value >= 1:
        return "no group can take more than all of the spend"
    return group_holds_nothing(data, rule)


MAX_SPEND_SHARE = RuleKind(
    "max_spend_share", "landed spend on the item from the group <= value * landed spend on the item; group "
    "blank: every supplier",
    group="optional", value="share", sentence=_sentence, never_binds=_never_binds,
    raising="raising the {group} cap on the spend on {on}", point="1 % of the spend")


class PolicyMaxSpendShare(RuleFamily):
    name = "Policy-max-spend-share"
    summary = "the landed spend on an item from a group is at most a share of the spend on the item"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MAX_SPEND_SHARE,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-max-spend-share[r, i, gk, gn]`: for max_spend_share rule r with value v, every item i it covers
        and every group g = (gk, gn) it names (each member, for `each ...`; a blank group: every supplier,
        g = (all, `(every supplier)`)) that holds an offer of i:
            sum_{o in O_i, o in g} s_o - v * sum_{o in O_i} s_o <= 0
        that is sum_{o in g} (1 - v) s_o - sum_{o not in g} v s_o <= 0, with s_o the offer's landed spend as in
        `Policy-max-spend`. A group with no offer of i would always hold: it has no row.
        """
        t, blocks = ctx.table, []
        order, start = ctx.by_item
        for rule in ctx.data.rules:
            if rule.kind != MAX_SPEND_SHARE.name or rule.value is None:
                continue
            columns = ctx.of_rule(rule)
            if rule.group is None:
                members, codes, group_names, kind = columns, np.zeros(len(columns), dtype=np.int64), \
                    names([EVERY_SUPPLIER[1]]), EVERY_SUPPLIER[0]
            else:
                (members, codes, group_names), kind = ctx.members(columns, rule.group), rule.group.kind
            items = ctx.item[members].astype(np.int64)
            pairs, first, row = np.unique(items * max(1, len(group_names)) + codes, return_index=True,
                                          return_inverse=True)
            n = len(pairs)
            owner, column, coef = spend_terms(ctx, members)
            # every offer of the row's item, whatever its group: - v * s_o
            item_of_row = items[first]
            count = start[item_of_row + 1] - start[item_of_row]
            offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
            everyone = order[np.repeat(start[item_of_row], count) + offset]
            all_owner, all_column, all_coef = spend_terms(ctx, everyone)
            term_row, term_column, term_coef = merged(
                np.concatenate([row[owner], np.repeat(np.arange(n), count)[all_owner]]),
                np.concatenate([column, all_column]), np.concatenate([coef, -rule.value * all_coef]))
            blocks.append(rows(self.name, self.dims, (repeated(rule_id(ctx.data, rule), n),
                                                      t.item_names[item_of_row], repeated(kind, n),
                                                      group_names[codes[first]]),
                               term_row, term_column, term_coef, np.full(n, -INF), np.zeros(n)))
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        rule = rules_by_id(data)[at["rule"]]
        label = rule.label()
        which = [f"for {at['item']!r}"] if rule.item is None else []
        if rule.group is not None and rule.group.each:
            which.append(f"from {at['group_kind']}:{at['group']}")
        if which:
            label += f" ({' '.join(which)})"
        # a violation is money: measured against the most the item's demand could cost
        return RowRef(self.name, index, (label,), max(most_spend_of_item(data, at["item"]), 1.0))

    def value_terms(self, data: PlanningData, model: SourcingModel, values: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """A rise dv of v loosens row (r, i, g) by dv * S_i, S_i the landed spend on i at the plan (the sum of
        the costs in `Total-cost` of i's columns): scale S_i, slope S_i (NaN without a plan)."""
        block, _ = model.row_block(self.name)
        spent: dict[str, float] = {}
        if values is not None:
            for name in ("buy", "tier_buy"):
                columns, at = model.column_block(name)
                for item, amount in zip(columns.coord("item").tolist(), (model.cost[at] * values[at]).tolist()):
                    spent[item] = spent.get(item, 0.0) + amount
        slope = np.array([spent.get(i, np.nan) if values is not None else np.nan for i in block.coord("item")],
                         dtype=float)
        return np.nan_to_num(slope, nan=1.0), slope

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        value = rule.value or 0.0
        by_group, by_item = plan.spend_by_group(rule, together=False)
        return [f"Policy-max-spend-share: {rule.label()}: landed spend on {spent_on(rule, item, group)} is "
                f"{spent:,.2f}, above {value:g} of {by_item[item]:,.2f}"
                for (item, group), spent in by_group.items() if spent > value * by_item[item] + tol(by_item[item])]


def most_spend_of_item(data: PlanningData, item: str) -> float:
    """The most the demand of one item could cost, from any usable offer of it."""
    return most_spend(data, Rule(MAX_SPEND_SHARE.name, item))[item]


FAMILY = PolicyMaxSpendShare()
