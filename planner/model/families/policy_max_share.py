"""`Policy-max-share[r, i, g]`: a group's volume of an item is at most a share of demand."""

from __future__ import annotations

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import Rows
from planner.model.context import BuildContext
from planner.model.families._shares import DIMS, describe_share, group_holds_nothing, sentence, \
    share_rows
from planner.model.family import RowRef, RuleFamily, RuleKind


def _never_binds(data: PlanningData, rule: Rule) -> str:
    if rule.value is not None and rule.value >= 1:
        return "no group can take more than all of the demand"
    return group_holds_nothing(data, rule)


MAX_SHARE = RuleKind(
    "max_share", "volume of the item bought from the group <= value * demand of the item",
    group="required", value="share", sentence=lambda rule: sentence(rule, "at most"), never_binds=_never_binds,
    raising="raising the {group} cap on {on}")


class PolicyMaxShare(RuleFamily):
    name = "Policy-max-share"
    summary = "a group's volume of an item is at most a share of demand"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MAX_SHARE,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-max-share[r, i, gk, gn]`: for max_share rule r with value v, every item i it covers and every
        group g = (gk, gn) it names (each member, for `each ...`) that holds a usable offer of i:
            sum_{o in O_i, o in g} buy[o] <= v * d_i
        An empty group's row would always hold: it is left out.
        """
        return share_rows(self.name, ctx, "max_share")

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_share(self.name, data, index)

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        value = rule.value or 0.0
        return ["Policy-max-share: " + m for m in plan.check_groups(
            rule, False,
            lambda volume, demand: f"is {volume:g}, above {value:g} of {demand:g}"
            if volume > value * demand + tol(demand) else "")]


FAMILY = PolicyMaxShare()
