"""`Offer-min-order[o]`: an opened offer delivers at least its minimum order."""

from __future__ import annotations

import numpy as np

from planner.check.view import tol
from planner.data import Offer, PlanningData
from planner.model.blocks import INF, Rows
from planner.model.context import BuildContext
from planner.model.families._counts import use_offer_of
from planner.model.families._on_off import DIMS, offer_cell, on_off_rows
from planner.model.family import CheckedFamily, RowFamily, RowRef


class OfferMinOrder(RowFamily):
    name = "Offer-min-order"
    summary = "an opened offer delivers at least its minimum order"
    dims = DIMS
    tier = 100.0  # buying below a minimum order cannot be carried out at all

    def build(self, ctx: BuildContext) -> Rows:
        """`Offer-min-order[o]`: for every usable offer with minimum order q_o > 0,
            buy[o] >= q_o * use_offer[o]
        """
        columns = np.flatnonzero(ctx.table.min_order[ctx.position] > 0)
        return on_off_rows(self.name, ctx, columns, use_offer_of(ctx, columns),
                           -ctx.table.min_order[ctx.position[columns]], 0.0, INF)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return offer_cell(self.name, data, index, "min_order")

    per_offer = True

    def check_offer(self, data: PlanningData, offer: Offer, q: float) -> list[str]:
        # a quantity within the solver's tolerance of 0 is nothing bought, not an order below the minimum
        if 0 < q < offer.min_order - tol(offer.min_order) and q > tol(data.items[offer.item].demand):
            return [f"Offer-min-order: {q:g} of '{offer.item}' from '{offer.supplier}' is below the minimum order "
                    f"{offer.min_order:g}"]
        return []

    check = CheckedFamily.check_each_offer


FAMILY = OfferMinOrder()
