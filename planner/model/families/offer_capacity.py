"""`Offer-capacity`: an offer delivers at most its capacity (a bound on `buy`)."""

from __future__ import annotations

import dataclasses

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import Offer, PlanningData
from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.family import BoundFamily, RowRef


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
        at = self.key(index)
        item, supplier = at["item"], at["supplier"]
        o = data.offers[item, supplier]
        label = f"{data.where('Offers', o, 'capacity')} capacity {o.capacity:g} of '{item}' from '{supplier}'"
        return RowRef(self.name, index, (label,), max(data.items[item].demand, 1.0))

    per_offer = True

    def check_offer(self, data: PlanningData, offer: Offer, q: float) -> list[str]:
        if q > offer.capacity + tol(offer.capacity):
            return [f"Offer-capacity: {q:g} of '{offer.item}' from '{offer.supplier}' exceeds capacity "
                    f"{offer.capacity:g}"]
        return []

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return [m for offer, q in plan.entries for m in self.check_offer(data, offer, q)]


FAMILY = OfferCapacity()
