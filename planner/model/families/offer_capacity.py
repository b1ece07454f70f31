"""`Offer-capacity`: an offer delivers at most its capacity (a bound on `buy`)."""

from __future__ import annotations

import dataclasses

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.family import BoundFamily, RowRef


class OfferCapacity(BoundFamily):
    name = "Offer-capacity"
    summary = "bound: buy[o] <= capacity of the offer"
    dims = ("item", "supplier")
    variable = "buy"
    tier = 100.0  # buying past a capacity cannot be carried out at all

    def build(self, ctx: BuildContext, columns: Columns) -> Columns:
        """For every usable offer with a capacity (no bound when it is blank):
            buy[o] <= cap_o
        """
        return dataclasses.replace(columns, upper=ctx.table.capacity[ctx.position])

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        item, supplier = index
        o = data.offers[item, supplier]
        label = f"{data.where('Offers', o, 'capacity')} capacity {o.capacity:g} of '{item}' from '{supplier}'"
        return RowRef(self.name, index, (label,), max(data.items[item].demand, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return [f"Offer-capacity: {q:g} of '{o.item}' from '{o.supplier}' exceeds capacity {o.capacity:g}"
                for o, q in plan.entries if q > o.capacity + tol(o.capacity)]


FAMILY = OfferCapacity()
