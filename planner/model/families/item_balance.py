"""`Item-balance[i, t]`: stock carried over plus what arrives meets the period's demand (several periods)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import Rows, rows, no_rows
from planner.model.context import BuildContext
from planner.model.families.stock import stock_column
from planner.model.family import RowFamily, RowRef
from planner.model.periods import HorizonContext

if TYPE_CHECKING:
    from planner.check.periods import Timeline


class ItemBalance(RowFamily):
    name = "Item-balance"
    summary = "stock at the end of a period is the stock before plus arrivals minus demand"
    dims = ("item",)
    tier = 10.0  # as Item-demand: falling short leaves the business short, but the plan can be carried out
    periods = "horizon"
    horizon_dims = ("item", "period")

    def build(self, ctx: BuildContext) -> Rows:
        """Without periods, `Item-demand` meets demand: an empty block."""
        return no_rows(self.name, self.dims)

    def build_horizon(self, hz: HorizonContext) -> Rows:
        """`Item-balance[i, t]`: for every item i and period t,
            stock[i, t] - stock[i, t-1] - sum_{o in O_i} buy[o, t] = -d_{i,t}        (t > 1)
            stock[i, 1] - sum_{o in O_i} buy[o, 1] = S_i^0 - d_{i,1}
        buy[o, t] what of offer o ARRIVES in t (ordered in t - L_o), d_{i,t} the item's Demand row for t (else
        its Items demand), S_i^0 its `initial_stock`. Stock left after the last period has no value.
        """
        data, t = hz.data, hz.data.table
        n_i, n_t = len(data.items), len(hz.names)
        row_of = lambda i, p: i * n_t + p  # noqa: E731
        item = t.item[hz.position].astype(np.int64)
        buy_rows = row_of(item, hz.period)
        i_all = np.repeat(np.arange(n_i), n_t)
        p_all = np.tile(np.arange(n_t), n_i)
        own = row_of(i_all, p_all)
        later = p_all > 0
        demand = np.array([[data.demand_in(i, p) for p in hz.names] for i in data.items], dtype=float).reshape(-1)
        initial = np.array([i.initial_stock for i in data.items.values()], dtype=float)
        rhs = -demand
        rhs[p_all == 0] += initial
        row = np.concatenate([buy_rows, own, own[later]])
        column = np.concatenate([hz.start("buy") + np.arange(len(hz.position)), stock_column(hz, i_all, p_all),
                                 stock_column(hz, i_all[later], p_all[later] - 1)])
        coef = np.concatenate([-np.ones(len(buy_rows)), np.ones(len(own)), -np.ones(int(later.sum()))])
        item_names = np.repeat(t.item_names, n_t) if n_i else np.zeros(0, dtype=object)
        period_names = np.array(list(hz.names) * n_i, dtype=object)
        return rows(self.name, self.horizon_dims, (item_names, period_names), row, column, coef, rhs, rhs)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = dict(zip(self.horizon_dims, index))
        name, period = str(at["item"]), str(at["period"])
        item = data.items[name]
        found = data.demands.get((name, period))
        where = data.cell("Demand", "demand", found.row) if found is not None else data.where("Items", item, "demand")
        demand = data.demand_in(name, period)
        labels = [f"{where} demand {demand:g} of '{name}' in period {period}"]
        if period == data.period_names[0] and item.initial_stock:
            labels.append(f"{data.where('Items', item, 'initial_stock')} initial_stock {item.initial_stock:g}")
        return RowRef(self.name, index, tuple(labels), max(demand, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return []

    def check_horizon(self, data: PlanningData, plan: Timeline) -> list[str]:
        bad = []
        for item in data.items.values():
            for period in data.period_names:
                held = plan.stock(item.name, period)
                if held < -tol(data.demand_in(item.name, period)):
                    bad.append(f"Item-balance: '{item.name}' is short by {-held:g} at the end of period {period} "
                               "(what arrived and was held does not meet demand)")
                    break
        return bad

    def conflicts(self, data: PlanningData) -> list[str]:
        """An item whose demand before the first period any offer of it can arrive in exceeds its initial
        stock."""
        if not data.multi_period:
            return []
        from planner.model.periods import Horizon

        hz = Horizon(data)
        t = data.table
        first = np.full(len(data.items), len(hz), dtype=np.int64)
        for p in range(len(hz) - 1, -1, -1):
            first[np.unique(t.item[hz.arriving[p]])] = p
        out = []
        for code, item in enumerate(data.items.values()):
            before = data.period_names[:first[code]]
            need = sum(data.demand_in(item.name, p) for p in before)
            if need > item.initial_stock + tol(need):
                when = f"before period {data.period_names[first[code]]}" if first[code] < len(hz) else \
                    "in any period"
                out.append(f"Item-balance: demand {need:g} of '{item.name}' in periods {before[0]}..{before[-1]} "
                           f"cannot be met: no offer of it can arrive {when}, and its initial stock is "
                           f"{item.initial_stock:g} ({data.where('Items', item, 'initial_stock')})")
        return out


FAMILY = ItemBalance()
