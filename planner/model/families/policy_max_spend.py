"""`Policy-max-spend[r, i, g]`: the landed spend on an item (or on every item together: a budget) from a group is
at most an amount."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat, names, repeated, rows
from planner.model.container import SourcingModel
from planner.model.context import BuildContext, rule_id, rules_by_id
from planner.model.families._shares import DIMS, group_holds_nothing
from planner.model.families._spend import spend_terms
from planner.model.family import RowRef, RuleFamily, RuleKind

EVERY_ITEM = "(every item)"  # the item of a budget's one row
EVERY_SUPPLIER = ("all", "(every supplier)")  # the group of a row with a blank group cell


def is_budget(rule: Rule) -> bool:
    """A blank item cell (no class): all items together, one row."""
    return rule.item is None and rule.item_class is None


def _group_text(rule: Rule) -> str:
    if rule.group is None:
        return "every supplier"
    return f"any one {rule.group.kind}" if rule.group.each else str(rule.group)


def _sentence(rule: Rule) -> str:
    on = "all items together" if is_budget(rule) else rule.item if rule.item is not None else \
        f"each item of class {rule.item_class}"
    amount = f"{rule.value:,.2f}" if rule.value is not None else ""
    return f"landed spend on {on} from {_group_text(rule)} at most {amount}"


def most_spend(data: PlanningData, rule: Rule) -> dict[str, float]:
    """Per item the rule covers, the most its demand could cost from the rule's group: d_i times the highest
    landed unit cost, over every band, of a usable offer of i in the group (0 without one)."""
    t = data.table
    inside = data.of_rule(rule) & data.usable
    if rule.group is not None:
        inside &= t.in_any(rule.group)
    highest = t.cost.copy()
    for key in data.tiers:  # a loop over the tiered offers only
        highest[t.position[key]] = max(c for _, c in data.tier_costs(data.offers[key]))
    out = {name: 0.0 for name in data.rule_items(rule)}
    for k in np.flatnonzero(inside).tolist():
        item = str(t.item_names[t.item[k]])
        out[item] = max(out[item], data.items[item].demand * float(highest[k]))
    return out


def _never_binds(data: PlanningData, rule: Rule) -> str:
    empty = group_holds_nothing(data, rule)
    if empty or rule.value is None:
        return empty
    most = most_spend(data, rule)
    total = sum(most.values()) if is_budget(rule) else max(most.values(), default=0.0)
    if rule.value >= total:
        what = "all items together" if is_budget(rule) else "any item it covers"
        return f"{rule.value:,.2f} is at least the most the demand of {what} could cost from " \
               f"{_group_text(rule)} ({total:,.2f})"
    return ""


MAX_SPEND = RuleKind(
    "max_spend", "landed spend (base currency) on the item from the group <= value; item blank: all items "
    "together (a budget), not each item; group blank: every supplier",
    group="optional", value="money", all_items=True, sentence=_sentence, never_binds=_never_binds,
    raising="raising the limit on spend on {on} from {group}", point="1 {currency}")


class PolicyMaxSpend(RuleFamily):
    name = "Policy-max-spend"
    summary = "the landed spend on an item (or all items together) from a group is at most an amount"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MAX_SPEND,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-max-spend[r, i, gk, gn]`: for max_spend rule r with value V, every item i it covers (a blank
        item cell: all items together, one row with i = `(every item)`) and every group g = (gk, gn) it names
        (each member, for `each ...`; a blank group: every supplier, g = (all, `(every supplier)`)) that holds
        an offer of i:
            sum_{o in O_i, o in g} s_o <= V
        with s_o the offer's landed spend: c_o * buy[o], or sum_k c_{o,k} * tier_buy[o, k] for a tiered offer
        (`_spend.spend_terms`). A group with no offer would always hold: it has no row.
        """
        t, blocks = ctx.table, []
        for rule in ctx.data.rules:
            if rule.kind != MAX_SPEND.name or rule.value is None:
                continue
            columns = ctx.of_rule(rule)
            if rule.group is None:
                members, codes, group_names, kind = columns, np.zeros(len(columns), dtype=np.int64), \
                    names([EVERY_SUPPLIER[1]]), EVERY_SUPPLIER[0]
            else:
                (members, codes, group_names), kind = ctx.members(columns, rule.group), rule.group.kind
            items = np.zeros(len(members), dtype=np.int64) if is_budget(rule) else ctx.item[members].astype(np.int64)
            pairs, first, row = np.unique(items * max(1, len(group_names)) + codes, return_index=True,
                                          return_inverse=True)
            n = len(pairs)
            owner, column, coef = spend_terms(ctx, members)
            item_names = repeated(EVERY_ITEM, n) if is_budget(rule) else t.item_names[items[first]]
            blocks.append(rows(self.name, self.dims, (repeated(rule_id(ctx.data, rule), n), item_names,
                                                      repeated(kind, n), group_names[codes[first]]),
                               row[owner], column, coef, np.full(n, -INF), np.full(n, rule.value)))
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        rule = rules_by_id(data)[at["rule"]]
        label = rule.label()
        which = [f"for {at['item']!r}"] if not is_budget(rule) and rule.item is None else []
        if rule.group is not None and rule.group.each:
            which.append(f"from {at['group_kind']}:{at['group']}")
        if which:
            label += f" ({' '.join(which)})"
        return RowRef(self.name, index, (label,), max(rule.value or 0.0, 1.0))

    def value_terms(self, data: PlanningData, model: SourcingModel, values: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """A row's right-hand side is V itself: scale V, and it moves by 1 per unit of V."""
        block, _ = model.row_block(self.name)
        value = {rid: rule.value or 0.0 for rid, rule in rules_by_id(data).items()}
        scale = np.array([value[r] for r in block.coord("rule").tolist()], dtype=float)
        return scale, np.ones(len(block))

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        limit = rule.value or 0.0
        by_group, _ = plan.spend_by_group(rule, together=True)
        return [f"Policy-max-spend: {rule.label()}: landed spend on {spent_on(rule, item, group)} is {spent:,.2f}, "
                f"above {limit:,.2f}" for (item, group), spent in by_group.items() if spent > limit + tol(limit)]


def spent_on(rule: Rule, item: str, group: str) -> str:
    """What a spend check's figure is of: `'A' from country:CN`, `every item together from every supplier`."""
    on = "every item together" if item == "every item" else repr(item)
    source = group if rule.group is None else f"{rule.group.kind}:{group}" if rule.group.each else str(rule.group)
    return f"{on} from {source}"


FAMILY = PolicyMaxSpend()
