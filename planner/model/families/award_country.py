"""`award_country[r, i, g, c]`: whether a country is counted by a min_countries rule (the group's suppliers in
it deliver, together, at least the rule's min_award share of demand)."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns, names, repeated
from planner.model.container import SourcingModel
from planner.model.context import BuildContext
from planner.model.families._counts import Countries, Spread, countries, plan_context, spreads
from planner.model.family import VariableFamily

DIMS = ("rule", "item", "group", "country")


def country_awards(ctx: BuildContext) -> list[tuple[Spread, Countries, int]]:
    """For each min_countries rule: its spread, its countries (a unit per (item, group, country)) and where its
    binaries start, counted from the family's first column."""
    out, at = [], 0
    for s in spreads(ctx, "min_countries"):
        units = countries(ctx, s)
        out.append((s, units, at))
        at += len(units.pair)
    return out


class AwardCountry(VariableFamily):
    name = "award_country"
    summary = "binary: a country is counted by a min_countries rule (its group's suppliers deliver min_award)"
    dims = DIMS
    integer = True

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `award_country[r, i, g, c]` (no cost) for min_countries rule r, every item i it covers with
        d_i > 0, every group g it names and every country c of a supplier of g with an offer of i in the model.
        Per group: with `each bloc` a country in two blocs gets one per bloc, and a group holding some of a
        country's suppliers only (`supplier:S5 | country:DE`) counts what those deliver."""
        t = ctx.table
        parts = [(repeated(s.rid, len(units.pair)), t.item_names[s.item[units.pair]], s.group[units.pair],
                  t.country_names[units.country]) for s, units, _ in country_awards(ctx)]
        index = tuple(np.concatenate([p[d] for p in parts]) if parts else names([]) for d in range(len(DIMS)))
        n = len(index[0])
        return Columns(self.name, index, np.zeros(n), np.zeros(n), np.ones(n), integer=True, dims=self.dims)

    def needed(self, data: PlanningData) -> bool:
        """A min_countries rule with a usable offer of an item with demand in a group it names."""
        return any(len(units.pair) for _, units, _ in country_awards(plan_context(data)))

    def closes(self, data: PlanningData, model: SourcingModel, closed: np.ndarray) -> np.ndarray:
        """Nothing: a country not counted may still deliver less than min_award."""
        return np.zeros(len(model.offers), dtype=bool)


FAMILY = AwardCountry()
