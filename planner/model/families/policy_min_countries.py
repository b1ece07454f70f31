"""`Policy-min-countries[r, i, g]`: at least k countries of a group's suppliers each deliver a share of an
item's demand."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat
from planner.model.context import BuildContext
from planner.model.families._counts import DIMS, counting, describe_count, min_conflicts, min_missing, pair_rows
from planner.model.families.award_country import country_awards
from planner.model.family import RowRef, RuleFamily, RuleKind


def _sentence(rule: Rule) -> str:
    return f"{counting(rule, 'at least', 'countries')}, each (its suppliers together) at least " \
           f"{rule.min_award * 100:g} % of its demand"


MIN_COUNTRIES = RuleKind(
    "min_countries", "at least value (a whole number) countries of the group's suppliers deliver the item, each "
    "(its suppliers together) at least min_award of its demand; group blank: any",
    group="optional", value="count", award=True, sentence=_sentence, never_binds=lambda data, rule: "")


def _counted(data: PlanningData, plan: PlanView, rule: Rule) -> list[tuple[str, str, float, int]]:
    """(item, group, m * d_i, how many countries the group's suppliers in them deliver at least
    m * d_i - tol(d_i) from, together), for every group the rule names (each group of the kind, for `each ...`)."""
    out = []
    for item, group, bought in plan.deliveries(rule, True):
        d = data.items[item].demand
        least = rule.min_award * d
        by_country: dict[str, float] = {}
        for s, q in bought.items():
            country = data.suppliers[s].country
            by_country[country] = by_country.get(country, 0.0) + q
        out.append((item, group, least, sum(1 for q in by_country.values() if q >= least - tol(d))))
    return out


class PolicyMinCountries(RuleFamily):
    name = "Policy-min-countries"
    summary = "at least k countries of a group each deliver min_award of an item's demand"
    dims = DIMS
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MIN_COUNTRIES,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-min-countries[r, i, g]`: for min_countries rule r with value k, every item i it covers with
        d_i > 0 and every group g it names (blank: every supplier; each member for `each ...`) that holds an
        offer of i in the model, C_{r,i,g} the countries of those offers' suppliers:
            sum_{c in C_{r,i,g}} award_country[r, i, g, c] >= k
        with `Policy-min-countries-award` (the group's volume of i from c >= m * d_i * award_country): a counted
        country delivers at least the row's min_award m of d_i; others may deliver less. A group with fewer than
        k such countries, or k * m > 1, is a structural conflict (`conflicts`).
        """
        blocks = [pair_rows(self.name, ctx, s, units.pair, ctx.start("award_country") + at +
                            np.arange(len(units.pair)), float(s.rule.value), INF)
                  for s, units, at in country_awards(ctx)]
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_count(self.name, data, index)

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        return [f"Policy-min-countries: {rule.label()}: '{item}' from {group} has {n} countries delivering at "
                f"least {least:g}, below {rule.value:g}"
                for item, group, least, n in _counted(data, plan, rule) if n < (rule.value or 0)]

    def binds(self, data: PlanningData, plan: PlanView, rule: Rule) -> bool | None:
        """A group of the rule has exactly k countries delivering min_award."""
        return any(n == rule.value for _, _, _, n in _counted(data, plan, rule))

    def conflicts(self, data: PlanningData) -> list[str]:
        """A group whose suppliers offering an item are in fewer than k countries, or k * min_award > 1."""
        return min_conflicts(self.name, data, "min_countries", "countries")

    def missing(self, data: PlanningData) -> list[tuple[tuple, float]]:
        return min_missing(data, "min_countries", "countries")


FAMILY = PolicyMinCountries()
