"""`Policy-exclude`: nothing is bought from an excluded group (sanctions, embargoes)."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, names, rows
from planner.model.context import BuildContext, rule_id, rules_by_id
from planner.model.families._shares import group_holds_nothing
from planner.model.family import RowRef, RuleFamily, RuleKind


def _sentence(rule: Rule) -> str:
    return f"nothing of {rule.item if rule.item is not None else 'any item' if rule.item_class is None else 'any item of class ' + rule.item_class} from {rule.group}"


EXCLUDE = RuleKind(
    "exclude", "nothing of the item is bought from the group (sanctions, embargoes); value blank",
    group="required", value="none", sentence=_sentence, never_binds=group_holds_nothing, restricts_offers=True)


class PolicyExclude(RuleFamily):
    name = "Policy-exclude"
    summary = "offers of an excluded group get no variable (set restriction); a row buy <= 0 when diagnosing"
    dims = ("rule", "item", "supplier")
    views = frozenset({"diagnose"})  # in the plan view the rule removes offers from the model (`data.usable`)
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (EXCLUDE,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-exclude[r, i, s]` (diagnose view only): for exclude rule r and every offer o = (i, s) it
        removes,
            buy[o] <= 0
        In the plan view the same rule is a set restriction: o gets no variable.
        """
        data = ctx.data
        found = sorted({(rule_id(data, r), key[0], key[1]) for key, rules in data.excluded_by.items() for r in rules})
        position = data.table.position  # in the diagnose view, buy column j is table position j
        columns = ctx.start("buy") + np.array([position[i, s] for _, i, s in found], dtype=np.int64)
        index = tuple(names([r[p] for r in found]) for p in range(3))
        return rows(self.name, self.dims, index, np.arange(len(found)), columns, np.ones(len(found)),
                    np.full(len(found), -INF), np.zeros(len(found)))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        item, supplier = at["item"], at["supplier"]
        return RowRef(self.name, index, (f"{rules_by_id(data)[at['rule']].label()} ('{item}' from '{supplier}')",),
                      max(data.items[item].demand, 1.0))

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        return ["Policy-exclude: " + m for m in plan.check_groups(
            rule, False, lambda volume, demand: f"buys {volume:g}" if volume > 0 else "")]


FAMILY = PolicyExclude()
