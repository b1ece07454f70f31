"""`stock[i, t]`: what of an item is held at the end of a period (several periods only)."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns, names, no_columns
from planner.model.context import BuildContext
from planner.model.family import VariableFamily
from planner.model.periods import HorizonContext


def stock_column(hz: HorizonContext, item_code: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Model-wide column of stock[i, t] (items in Items order, periods within each item)."""
    return hz.start("stock") + item_code * len(hz.names) + period


class Stock(VariableFamily):
    name = "stock"
    summary = "stock of an item at the end of a period (continuous, >= 0; several periods only)"
    dims = ("item",)
    integer = False
    periods = "horizon"
    horizon_dims = ("item", "period")

    def build(self, ctx: BuildContext) -> Columns:
        """Without periods there is no stock: an empty block."""
        return no_columns(self.name, self.dims, integer=False)

    def build_horizon(self, hz: HorizonContext) -> Columns:
        """Variables `stock[i, t]` for every item i and period t, with their part of `Total-cost`:
            stock[i, t] >= 0,   h_i * stock[i, t]
        h_i the Items `holding_cost`, paid on the stock at the end of each period. The reserve (`Item-reserve`)
        and the most that may be held (`Item-max-stock`) are rows and bounds of their own.
        """
        items = list(hz.data.items.values())
        n_t = len(hz.names)
        item = names([i.name for i in items for _ in range(n_t)])
        period = names([p for _ in items for p in hz.names])
        cost = np.repeat(np.array([i.holding_cost for i in items], dtype=float), n_t)
        return Columns(self.name, (item, period), cost, np.zeros(len(cost)), np.full(len(cost), np.inf),
                       integer=False, dims=self.horizon_dims)


FAMILY = Stock()
