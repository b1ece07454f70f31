"""`short[s, i]`: what of an item's demand goes unmet in a scenario (the two-stage mode)."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns, no_columns
from planner.model.context import BuildContext
from planner.model.families._stages import recourse_columns, short_items
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
        items, records = short_items(data), list(data.items.values())
        penalty = np.array([records[k].shortage_cost for k in items], dtype=float)
        return recourse_columns(ctx, self.name, self.dims, items, penalty, np.full(len(items), np.inf))


FAMILY = Short()
