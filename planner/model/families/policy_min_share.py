"""`Policy-min-share[r, i, g]`: a group's volume of an item is at least a share of demand."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import Group, PlanningData, Rule
from planner.model.blocks import Rows
from planner.model.container import View
from planner.model.context import BuildContext, model_offers, rule_id
from planner.model.families._shares import DIMS, describe_share, sentence, share_rows
from planner.model.family import RowRef, RuleFamily, RuleKind


def _never_binds(data: PlanningData, rule: Rule) -> str:
    return "it asks for nothing" if rule.value == 0 else ""


MIN_SHARE = RuleKind(
    "min_share", "volume of the item bought from the group >= value * demand of the item",
    group="required", value="share", sentence=lambda rule: sentence(rule, "at least"), never_binds=_never_binds,
    raising="raising the {group} minimum share of {on}")


def empty_min_share_rows(data: PlanningData, view: View, items: str = "with demand"
                         ) -> list[tuple[Rule, str, Group]]:
    """(rule, item, group) of min_share rows with a positive value whose group has no offer of the item.

    `items="with demand"` looks at items with demand > 0, `"with offers"` at
    items with at least one offer in the view.
    """
    ctx = BuildContext(data, data.table, model_offers(data, view), view)
    t = ctx.table
    out: list[tuple[Rule, str, Group]] = []
    count = np.bincount(ctx.item, minlength=len(t.item_names))
    for rule in data.rules:
        if rule.kind != "min_share" or rule.group is None or not rule.value:
            continue
        present: set[tuple[int, str]] = set()
        columns, codes, group_names = ctx.members(ctx.of_rule(rule), rule.group)
        present.update(zip(ctx.item[columns].tolist(), group_names[codes].tolist()))
        groups = data.groups(rule.group)
        for name in data.rule_items(rule):
            code = t.code["item"][name]
            if (items == "with demand" and data.items[name].demand <= 0) or (items == "with offers" and not count[code]):
                continue
            out.extend((rule, name, g) for g in groups if (code, g.name) not in present)
    return out


class PolicyMinShare(RuleFamily):
    name = "Policy-min-share"
    summary = "a group's volume of an item is at least a share of demand"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MIN_SHARE,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-min-share[r, i, gk, gn]`: for min_share rule r with value v, every item i it covers and every
        group g = (gk, gn) it names (each member, for `each ...`) that holds a usable offer of i:
            sum_{o in O_i, o in g} buy[o] >= v * d_i
        An empty group's row with v * d_i > 0 is a structural conflict (`conflicts`).
        """
        return share_rows(self.name, ctx, "min_share")

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_share(self.name, data, index)

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        value = rule.value or 0.0
        return ["Policy-min-share: " + m for m in plan.check_groups(
            rule, True,
            lambda volume, demand: f"is {volume:g}, below {value:g} of {demand:g}"
            if volume < value * demand - tol(demand) else "")]

    def conflicts(self, data: PlanningData) -> list[str]:
        """A minimum share from a group with no usable offer of the item."""
        return [f"Policy-min-share: {rule.label()} asks for {rule.value:g} of '{item}' from {group}, which has no "
                "usable offer for it" for rule, item, group in empty_min_share_rows(data, "plan")]

    def missing(self, data: PlanningData) -> list[tuple[tuple, float]]:
        return [((rule_id(data, rule), item, group.kind, group.name), (rule.value or 0.0) * data.items[item].demand)
                for rule, item, group in empty_min_share_rows(data, "diagnose", items="with offers")]


FAMILY = PolicyMinShare()
