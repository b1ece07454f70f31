"""`Item-max-stock`: at most `max_stock` of an item is held at the end of a period (a bound on `stock`)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.family import BoundFamily, RowRef
from planner.model.periods import HorizonContext

if TYPE_CHECKING:
    from planner.check.periods import Timeline


class ItemMaxStock(BoundFamily):
    name = "Item-max-stock"
    summary = "bound: stock[i, t] <= max_stock of the item"
    dims = ("item",)
    variable = "stock"
    side = "upper"
    tier = 100.0  # a warehouse holds no more than it holds
    periods = "horizon"
    horizon_dims = ("item", "period")

    def build(self, ctx: BuildContext, columns: Columns) -> Columns:
        """Without periods there is no stock to bound."""
        return columns

    def build_horizon(self, hz: HorizonContext, columns: Columns) -> Columns:  # type: ignore[override]
        """For every item with a `max_stock` (no bound when it is blank) and every period:
            stock[i, t] <= S_i^max
        """
        cap = np.array([hz.data.items[str(i)].max_stock for i in columns.coord("item")], dtype=float)
        return dataclasses.replace(columns, upper=np.minimum(columns.upper, cap))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = dict(zip(self.horizon_dims, index))
        item = data.items[str(at["item"])]
        return RowRef(self.name, index, (f"{data.where('Items', item, 'max_stock')} max_stock {item.max_stock:g} of "
                                         f"'{item.name}' at the end of period {at['period']}",),
                      max(item.max_stock, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return []

    def check_horizon(self, data: PlanningData, plan: Timeline) -> list[str]:
        return [f"Item-max-stock: holds {held:g} of '{item.name}' at the end of period {period}, above max_stock "
                f"{item.max_stock:g}"
                for item in data.items.values() for period in data.period_names
                for held in [plan.stock(item.name, period)] if held > item.max_stock + tol(item.max_stock)]


FAMILY = ItemMaxStock()
