"""`Item-reserve[i, t]`: every period ends with at least the item's strategic reserve in stock."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows, no_rows
from planner.model.context import BuildContext
from planner.model.families.stock import stock_column
from planner.model.family import RowFamily, RowRef
from planner.model.periods import HorizonContext

if TYPE_CHECKING:
    from planner.check.periods import Timeline


class ItemReserve(RowFamily):
    name = "Item-reserve"
    summary = "stock at the end of every period is at least the item's min_stock"
    dims = ("item",)
    tier = 10.0  # a reserve short of its target weakens the buffer, but the plan can be carried out
    periods = "horizon"
    horizon_dims = ("item", "period")

    def build(self, ctx: BuildContext) -> Rows:
        """Without periods there is no stock: an empty block."""
        return no_rows(self.name, self.dims)

    def build_horizon(self, hz: HorizonContext) -> Rows:
        """`Item-reserve[i, t]`: for every item with `min_stock` S_i^min > 0 and every period t,
            stock[i, t] >= S_i^min
        A row, not a lower bound on stock, so that an IIS and `--elastic` can name and relax it.
        """
        data = hz.data
        reserve = np.array([i.min_stock for i in data.items.values()], dtype=float)
        held = np.flatnonzero(reserve > 0)
        n_t = len(hz.names)
        i_all = np.repeat(held, n_t)
        p_all = np.tile(np.arange(n_t), len(held))
        n = len(i_all)
        return rows(self.name, self.horizon_dims, (data.table.item_names[i_all] if n else np.zeros(0, dtype=object),
                                                   np.array([hz.names[p] for p in p_all], dtype=object)),
                    np.arange(n), stock_column(hz, i_all, p_all), np.ones(n), reserve[i_all], np.full(n, INF))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = dict(zip(self.horizon_dims, index))
        item = data.items[str(at["item"])]
        return RowRef(self.name, index, (f"{data.where('Items', item, 'min_stock')} min_stock {item.min_stock:g} of "
                                         f"'{item.name}' at the end of period {at['period']}",),
                      max(item.min_stock, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return []

    def check_horizon(self, data: PlanningData, plan: Timeline) -> list[str]:
        return [f"Item-reserve: holds {held:g} of '{item.name}' at the end of period {period}, below min_stock "
                f"{item.min_stock:g}"
                for item in data.items.values() if item.min_stock > 0 for period in data.period_names
                for held in [plan.stock(item.name, period)] if held < item.min_stock - tol(item.min_stock)]


FAMILY = ItemReserve()
