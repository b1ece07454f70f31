"""`Policy-max-countries[r, i, g]`: the suppliers of a group that deliver an item are in at most k countries."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat
from planner.model.context import BuildContext
from planner.model.families._counts import DIMS, count_never_binds, counting, describe_count, \
    pair_rows
from planner.model.families._shares import group_holds_nothing
from planner.model.families.use_country import country_columns
from planner.model.family import RowRef, RuleFamily, RuleKind


def _never_binds(data: PlanningData, rule: Rule) -> str:
    return group_holds_nothing(data, rule) or count_never_binds(data, rule, "countries")


MAX_COUNTRIES = RuleKind(
    "max_countries", "the suppliers of the group that deliver the item are in at most value (a whole number) "
    "countries; group blank: any",
    group="optional", value="count",
    sentence=lambda rule: counting(rule, "at most", "countries"),
    never_binds=_never_binds)


def _delivering(data: PlanningData, plan: PlanView, rule: Rule) -> list[tuple[str, str, list[str]]]:
    """(item, group, the countries of the group's suppliers delivering the item: a quantity above tol(d_i)), per
    group with volume."""
    return [(item, group, sorted({data.suppliers[s].country for s, q in bought.items()
                                  if q > tol(data.items[item].demand)}))
            for item, group, bought in plan.deliveries(rule, False)]


class PolicyMaxCountries(RuleFamily):
    name = "Policy-max-countries"
    summary = "the suppliers of a group that deliver an item are in at most k countries"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MAX_COUNTRIES,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-max-countries[r, i, g]`: for max_countries rule r with value k, every item i it covers with
        d_i > 0 and every group g it names (blank: every supplier; each member for `each ...`) whose suppliers
        with an offer of i in the model are in more than k countries C_{r,i,g} (elsewhere the row always holds:
        it is left out):
            sum_{c in C_{r,i,g}} use_country[r, i, g, c] <= k
        with `Policy-max-countries-use` tying every offer of g from c to use_country[r, i, g, c].
        """
        blocks = [pair_rows(self.name, ctx, s, units.pair, ctx.start("use_country") + at +
                            np.arange(len(units.pair)), -INF, float(s.rule.value))
                  for s, units, at in country_columns(ctx)[1]]
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_count(self.name, data, index)

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        return [f"Policy-max-countries: {rule.label()}: '{item}' from {group} is delivered from {len(found)} "
                f"countries ({', '.join(found)}), above {rule.value:g}"
                for item, group, found in _delivering(data, plan, rule) if len(found) > (rule.value or 0)]

    def binds(self, data: PlanningData, plan: PlanView, rule: Rule) -> bool | None:
        """A group of the rule delivers from k countries."""
        return any(len(found) == rule.value for _, _, found in _delivering(data, plan, rule))


FAMILY = PolicyMaxCountries()
