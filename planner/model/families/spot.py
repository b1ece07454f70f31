"""`spot[s, i]`: what of an item is bought on the spot market in a scenario (the two-stage mode)."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns, no_columns
from planner.model.context import BuildContext
from planner.model.families._stages import recourse_columns, spot_items
from planner.model.family import VariableFamily


class Spot(VariableFamily):
    name = "spot"
    summary = "units of an item bought on the spot market in a scenario (continuous, two-stage mode)"
    dims = ("scenario", "item")
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """In the two-stage mode, variables `spot[s, i]` for every scenario s (the baseline included) and every
        item i with a `spot_price` and demand, scenario by scenario, with their part of the objective:
            0 <= spot[s, i] <= spot_capacity_i,   (1 - w) * p_s * spot_price_i * spot[s, i]
        (the CVaR part prices them in `Scenario-excess`).
        """
        data = ctx.data
        if not data.two_stage:
            return no_columns(self.name, self.dims, integer=False)
        items, records = spot_items(data), list(data.items.values())
        price = np.array([records[k].spot_price for k in items], dtype=float)
        cap = np.array([records[k].spot_capacity for k in items], dtype=float)
        return recourse_columns(ctx, self.name, self.dims, items, price, cap)


FAMILY = Spot()
