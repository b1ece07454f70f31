"""`Policy-min-countries-award[r, i, g, c]`: a country counted by a min_countries rule delivers, by its
suppliers' total, at least the rule's min_award share of demand."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, concat, repeated, rows
from planner.model.context import BuildContext
from planner.model.families._counts import rule_of, where
from planner.model.families.award_country import DIMS, country_awards
from planner.model.family import RowFamily, RowRef


class PolicyMinCountriesAward(RowFamily):
    name = "Policy-min-countries-award"
    summary = "a country counted by a min_countries rule delivers at least min_award of demand"
    dims = DIMS
    tier = None  # a definition of award_country: relaxing `Policy-min-countries` is the way out of a conflict

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-min-countries-award[r, i, g, c]`: for every `award_country[r, i, g, c]`, with m the min_award
        of rule r,
            sum_{o in O_i, o in g, o from c} buy[o] >= m * d_i * award_country[r, i, g, c]
        """
        t, blocks = ctx.table, []
        for s, units, at in country_awards(ctx):
            n, terms = len(units.pair), len(s.columns)
            d = t.demand[s.item[units.pair]]
            index = (repeated(s.rid, n), t.item_names[s.item[units.pair]], s.group[units.pair],
                     t.country_names[units.country])
            blocks.append(rows(self.name, self.dims, index, np.concatenate([units.term, np.arange(n)]),
                               np.concatenate([ctx.start("buy") + s.columns,
                                               ctx.start("award_country") + at + np.arange(n)]),
                               np.concatenate([np.ones(terms), -s.rule.min_award * d]), np.zeros(n),
                               np.full(n, INF)))
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        rule, item, country = rule_of(data, at["rule"]), at["item"], at["country"]
        label = f"{rule.label()}{where(rule, item, at['group'])} ('{country}' counted: its suppliers deliver at " \
                f"least {rule.min_award:g} of the demand of '{item}')"
        return RowRef(self.name, index, (label,), max(data.items[item].demand, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: `Policy-min-countries` counts the countries that deliver min_award."""
        return []


FAMILY = PolicyMinCountriesAward()
