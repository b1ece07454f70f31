"""`Policy-max-countries-use[r, i, g, s]`: an offer counted by a max_countries rule delivers only if its
country is counted."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, concat, repeated, rows
from planner.model.context import BuildContext
from planner.model.families._counts import rule_of, where
from planner.model.families.use_country import country_columns
from planner.model.family import RowFamily, RowRef


class PolicyMaxCountriesUse(RowFamily):
    name = "Policy-max-countries-use"
    summary = "an offer counted by a max_countries rule delivers only if its country is counted"
    dims = ("rule", "item", "group", "supplier")
    tier = None  # a definition: it only ties the quantity to use_country

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-max-countries-use[r, i, g, s]`: for every offer o = (i, s) in the model of a group g with a
        `Policy-max-countries[r, i, g]` row, c the country of s,
            buy[o] <= M_o * use_country[r, i, g, c],   M_o = min(cap_o, cap_s, d_i)  (d_i when diagnosing)
        One row per offer rather than one per country (sum of its offers <= M * use_country): the
        disaggregated form has the tighter LP relaxation.
        """
        t, blocks = ctx.table, []
        for s, units, at in country_columns(ctx)[1]:
            binary = at + units.term
            n = len(s.columns)
            index = (repeated(s.rid, n), t.item_names[ctx.item[s.columns]], s.group[s.pair],
                     t.supplier_names[ctx.supplier[s.columns]])
            blocks.append(rows(self.name, self.dims, index, np.concatenate([np.arange(n), np.arange(n)]),
                               np.concatenate([ctx.start("buy") + s.columns, ctx.start("use_country") + binary]),
                               np.concatenate([np.ones(n), -ctx.big_m(s.columns)]), np.full(n, -INF), np.zeros(n)))
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        rule, item, supplier = rule_of(data, at["rule"]), at["item"], at["supplier"]
        country = data.suppliers[supplier].country
        label = f"{rule.label()}{where(rule, item, at['group'])} ('{supplier}' delivers only if '{country}' is " \
                "counted: links the quantity to its country's on/off decision)"
        return RowRef(self.name, index, (label,), max(data.items[item].demand, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: `Policy-max-countries` counts the countries that deliver."""
        return []


FAMILY = PolicyMaxCountriesUse()
