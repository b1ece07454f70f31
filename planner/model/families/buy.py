"""`buy[o]`: how much of each usable offer is bought."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.family import VariableFamily


class Buy(VariableFamily):
    name = "buy"
    summary = "quantity bought of each usable offer (continuous, >= 0)"
    dims = ("item", "supplier")
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """Variables `buy[o]` for every usable offer o = (item, supplier), with their part of `Total-cost`.

        Applies to every offer not removed by `Policy-exclude` (every offer in
        the diagnose view). Domain and cost (the upper bound is `Offer-capacity`'s):
            buy[o] >= 0
            c_o * buy[o],   c_o = price_o * (1 + tariff of the supplier's country) + freight_o
        """
        t, n = ctx.table, len(ctx.position)
        return Columns(self.name, (t.item_names[ctx.item], t.supplier_names[ctx.supplier]), t.cost[ctx.position],
                       np.zeros(n), np.full(n, np.inf), integer=False, dims=self.dims)


FAMILY = Buy()
