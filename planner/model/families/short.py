"""`short[s, i]`: what of an item's demand goes unmet in a scenario (the two-stage mode)."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns, names, no_columns
from planner.model.context import BuildContext
from planner.model.families._stages import scenario_set, short_items
from planner.model.family import VariableFamily


class Short(VariableFamily):
    name = "short"
    summary = "units of an item's demand left unmet in a scenario, at its shortage cost (two-stage mode)"
    dims = ("scenario", "item")
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """In the two-stage mode, variables `short[s, i]` for every scenario s and every item i with a
        `shortage_cost` and demand, with their part of the objective:
            short[s, i] >= 0,   (1 - w) * p_s * shortage_cost_i * short[s, i]
        """
        data = ctx.data
        if not data.two_stage:
            return no_columns(self.name, self.dims, integer=False)
        found, items = scenario_set(data), short_items(data)
        records = list(data.items.values())
        penalty = np.array([records[k].shortage_cost for k in items], dtype=float)
        cost = (1.0 - data.settings.risk_weight) * np.outer(found.probability, penalty).reshape(-1)
        return Columns(self.name, (names([s for s in found.names for _ in items]),
                                   names([records[k].name for _ in found.names for k in items])),
                       cost, np.zeros(len(cost)), np.full(len(cost), np.inf), integer=False, dims=self.dims)


FAMILY = Short()
