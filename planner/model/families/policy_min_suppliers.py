"""`Policy-min-suppliers[r, i, g]`: at least k suppliers of a group each deliver a share of an item's demand."""

from __future__ import annotations

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat
from planner.model.context import BuildContext
from planner.model.families._counts import DIMS, counting, describe_count, min_conflicts, min_missing, pair_rows
from planner.model.families.award_supplier import supplier_awards
from planner.model.family import RowRef, RuleFamily, RuleKind


def _sentence(rule: Rule) -> str:
    return f"{counting(rule, 'at least', 'suppliers')}, each at least {rule.min_award * 100:g} % of its demand"


MIN_SUPPLIERS = RuleKind(
    "min_suppliers", "at least value (a whole number) suppliers of the group deliver the item, each at least "
    "min_award of its demand; group blank: any",
    group="optional", value="count", award=True, sentence=_sentence, never_binds=lambda data, rule: "")


def _counted(data: PlanningData, plan: PlanView, rule: Rule) -> list[tuple[str, str, float, int]]:
    """(item, group, m * d_i, how many of the group's suppliers deliver at least m * d_i - tol(d_i)), for every
    group the rule names (each group of the kind, for `each ...`)."""
    out = []
    for item, group, bought in plan.deliveries(rule, True):
        d = data.items[item].demand
        least = rule.min_award * d
        out.append((item, group, least, sum(1 for q in bought.values() if q >= least - tol(d))))
    return out


class PolicyMinSuppliers(RuleFamily):
    name = "Policy-min-suppliers"
    summary = "at least k suppliers of a group each deliver min_award of an item's demand"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MIN_SUPPLIERS,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-min-suppliers[r, i, g]`: for min_suppliers rule r with value k, every item i it covers with
        d_i > 0 and every group g it names (blank: every supplier; each member for `each ...`) that holds an
        offer of i in the model:
            sum_{s in g: (i, s) in O_i} award_supplier[r, i, s] >= k
        with `Policy-min-suppliers-award` (buy[i, s] >= m * d_i * award_supplier[r, i, s]): a counted supplier
        delivers at least the row's min_award m of d_i; others may deliver less. A group with fewer than k
        such offers, or k * m > 1, is a structural conflict (`conflicts`).
        """
        blocks = [pair_rows(self.name, ctx, s, s.pair, ctx.start("award_supplier") + term, float(s.rule.value),
                            INF) for s, _, term in supplier_awards(ctx)]
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_count(self.name, data, index)

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        return [f"Policy-min-suppliers: {rule.label()}: '{item}' from {group} has {n} suppliers delivering at "
                f"least {least:g}, below {rule.value:g}"
                for item, group, least, n in _counted(data, plan, rule) if n < (rule.value or 0)]

    def binds(self, data: PlanningData, plan: PlanView, rule: Rule) -> bool | None:
        """A group of the rule has exactly k suppliers delivering min_award."""
        return any(n == rule.value for _, _, _, n in _counted(data, plan, rule))

    def conflicts(self, data: PlanningData) -> list[str]:
        """A group with fewer than k suppliers offering an item it asks k of, or k * min_award > 1."""
        return min_conflicts(self.name, data, "min_suppliers", "suppliers")

    def missing(self, data: PlanningData) -> list[tuple[tuple, float]]:
        return min_missing(data, "min_suppliers", "suppliers")


FAMILY = PolicyMinSuppliers()
