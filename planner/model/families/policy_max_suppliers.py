"""`Policy-max-suppliers[r, i, g]`: at most k suppliers of a group deliver an item."""

from __future__ import annotations

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat
from planner.model.context import BuildContext
from planner.model.families._counts import DIMS, capped_suppliers, count_never_binds, counting, describe_count, \
    pair_rows, use_offer_at, use_offer_of
from planner.model.families._shares import group_holds_nothing
from planner.model.family import RowRef, RuleFamily, RuleKind


def _never_binds(data: PlanningData, rule: Rule) -> str:
    return group_holds_nothing(data, rule) or count_never_binds(data, rule, "suppliers")


MAX_SUPPLIERS = RuleKind(
    "max_suppliers", "at most value (a whole number) suppliers of the group deliver the item; group blank: any",
    group="optional", value="count",
    sentence=lambda rule: counting(rule, "at most", "suppliers"),
    never_binds=_never_binds)


def _delivering(data: PlanningData, plan: PlanView, rule: Rule) -> list[tuple[str, str, list[str]]]:
    """(item, group, the group's suppliers delivering the item: a quantity above tol(d_i)), per group with volume."""
    return [(item, group, sorted(s for s, q in bought.items() if q > tol(data.items[item].demand)))
            for item, group, bought in plan.deliveries(rule, False)]


class PolicyMaxSuppliers(RuleFamily):
    name = "Policy-max-suppliers"
    summary = "at most k suppliers of a group deliver an item"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MAX_SUPPLIERS,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-max-suppliers[r, i, g]`: for max_suppliers rule r with value k, every item i it covers with
        d_i > 0 and every group g it names (blank: every supplier; each member for `each ...`) whose offers of i
        in the model number more than k (elsewhere the row always holds: it is left out):
            sum_{o in O_i, o in g} use_offer[o] <= k
        with `Offer-use` tying buy[o] <= M_o * use_offer[o]: a supplier delivers i only if its offer is opened.
        """
        at = use_offer_at(ctx)
        blocks = [pair_rows(self.name, ctx, s, s.pair, use_offer_of(ctx, s.columns, at), -INF, float(s.rule.value))
                  for s in capped_suppliers(ctx)]
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_count(self.name, data, index)

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        return [f"Policy-max-suppliers: {rule.label()}: '{item}' from {group} is delivered by {len(found)} "
                f"suppliers ({', '.join(found)}), above {rule.value:g}"
                for item, group, found in _delivering(data, plan, rule) if len(found) > (rule.value or 0)]

    def binds(self, data: PlanningData, plan: PlanView, rule: Rule) -> bool | None:
        """A group of the rule has k suppliers delivering."""
        return any(len(found) == rule.value for _, _, found in _delivering(data, plan, rule))


FAMILY = PolicyMaxSuppliers()
