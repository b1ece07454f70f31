"""`use_offer[o]`: whether an offer is opened (it has a minimum order, or a count or award rule counts it)."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns
from planner.model.container import SourcingModel
from planner.model.context import BuildContext
from planner.model.families._counts import opened, plan_context
from planner.model.family import VariableFamily


class UseOffer(VariableFamily):
    name = "use_offer"
    summary = "binary: the offer is opened (a minimum order, or a max_suppliers or min_award rule counts it)"
    dims = ("item", "supplier")
    integer = True

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `use_offer[o]` (no cost) for every offer in the model with minimum order q_o > 0, in a
        `Policy-max-suppliers` row, or of an item with d_i > 0 in a group a min_award rule names: one binary per
        offer however many of these ask for it ("supplier s delivers i" is "offer (i, s) is opened")."""
        t = ctx.table
        k = opened(ctx)
        return Columns(self.name, (t.item_names[ctx.item[k]], t.supplier_names[ctx.supplier[k]]), np.zeros(len(k)),
                       np.zeros(len(k)), np.ones(len(k)), integer=True, dims=self.dims)

    def needed(self, data: PlanningData) -> bool:
        """A usable offer with a minimum order, or one a max_suppliers or min_award rule counts."""
        if (data.table.min_order[data.usable] > 0).any():
            return True
        return bool(len(opened(plan_context(data))))

    def closes(self, data: PlanningData, model: SourcingModel, closed: np.ndarray) -> np.ndarray:
        """The purchase of each offer whose use_offer is 0."""
        block, _ = model.column_block(self.name)
        table = data.table
        column_of = np.full(len(table), -1, dtype=np.int64)
        column_of[model.offers] = np.arange(len(model.offers))
        mask = np.zeros(len(model.offers), dtype=bool)
        keys = zip(block.coord("item")[closed].tolist(), block.coord("supplier")[closed].tolist())
        mask[[column_of[table.position[key]] for key in keys]] = True
        return mask


FAMILY = UseOffer()
