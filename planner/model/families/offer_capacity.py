"""`Offer-capacity`: an offer delivers at most its capacity (a bound on `buy`)."""

from __future__ import annotations

import dataclasses

import numpy as np

from planner.check.view import tol
from planner.data import Offer, PlanningData
from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.families._on_off import offer_cell
from planner.model.family import BoundFamily, CheckedFamily, RowRef


class OfferCapacity(BoundFamily):
    name = "Offer-capacity"
    summary = "bound: buy[o] <= capacity of the offer"
    dims = ("item", "supplier")
    variable = "buy"
    side = "upper"
    tier = 100.0  # buying past a capacity cannot be carried out at all

    def build(self, ctx: BuildContext, columns: Columns) -> Columns:
        """For every usable offer with a capacity (no bound when it is blank):
            buy[o] <= cap_o
        """
        return dataclasses.replace(columns, upper=np.minimum(columns.upper, ctx.table.capacity[ctx.position]))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return offer_cell(self.name, data, index, "capacity")

    per_offer = True

    def check_offer(self, data: PlanningData, offer: Offer, q: float) -> list[str]:
        if q > offer.capacity + tol(offer.capacity):
            return [f"Offer-capacity: {q:g} of '{offer.item}' from '{offer.supplier}' exceeds capacity "
                    f"{offer.capacity:g}"]
        return []

    check = CheckedFamily.check_each_offer


FAMILY = OfferCapacity()
