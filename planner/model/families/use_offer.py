"""`use_offer[o]`: whether an offer with a minimum order is opened."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.family import VariableFamily


class UseOffer(VariableFamily):
    name = "use_offer"
    summary = "binary: the offer with a minimum order is opened"
    dims = ("item", "supplier")

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `use_offer[o]` for every offer in the model with minimum order q_o > 0 (no cost)."""
        t = ctx.table
        k = np.flatnonzero(t.min_order[ctx.position] > 0)
        return Columns(self.name, (t.item_names[ctx.item[k]], t.supplier_names[ctx.supplier[k]]), np.zeros(len(k)),
                       np.zeros(len(k)), np.ones(len(k)), integer=True, dims=self.dims)


FAMILY = UseOffer()
