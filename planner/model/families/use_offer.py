"""`use_offer[o]`: whether an offer with a minimum order is opened."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns
from planner.model.container import SourcingModel
from planner.model.context import BuildContext
from planner.model.family import VariableFamily


class UseOffer(VariableFamily):
    name = "use_offer"
    summary = "binary: the offer with a minimum order is opened"
    dims = ("item", "supplier")
    integer = True

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `use_offer[o]` for every offer in the model with minimum order q_o > 0 (no cost)."""
        t = ctx.table
        k = np.flatnonzero(t.min_order[ctx.position] > 0)
        return Columns(self.name, (t.item_names[ctx.item[k]], t.supplier_names[ctx.supplier[k]]), np.zeros(len(k)),
                       np.zeros(len(k)), np.ones(len(k)), integer=True, dims=self.dims)

    def needed(self, data: PlanningData) -> bool:
        """A usable offer with a minimum order."""
        return bool((data.table.min_order[data.usable] > 0).any())

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
