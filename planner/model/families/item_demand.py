"""`Item-demand[i]`: the purchases of an item add up to its demand."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import Rows, no_rows, rows
from planner.model.context import BuildContext
from planner.model.family import RowFamily, RowRef


class ItemDemand(RowFamily):
    name = "Item-demand"
    summary = "the purchases of an item add up to its demand"
    dims = ("item",)
    tier = 10.0  # buying less than demand leaves the business short, but the plan can be carried out
    periods = "single"  # with several periods, Item-balance meets demand from arrivals and stock

    def build(self, ctx: BuildContext) -> Rows:
        """`Item-demand[i]`: for every item with at least one usable offer,
            sum_{o in O_i} buy[o] = d_i
        In the two-stage mode contracts may be above or below demand: `Scenario-demand` meets it, scenario by
        scenario, and there is no row here.
        """
        if ctx.data.two_stage:
            return no_rows(self.name, self.dims)
        items, row = np.unique(ctx.item, return_inverse=True)
        demand = ctx.table.demand[items]
        n = len(ctx.position)
        return rows(self.name, self.dims, (ctx.table.item_names[items],), row, ctx.start("buy") + np.arange(n),
                    np.ones(n), demand, demand)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        item = self.key(index)["item"]
        d = data.items[item]
        return RowRef(self.name, index, (f"{data.where('Items', d, 'demand')} demand {d.demand:g} of '{item}'",),
                      max(d.demand, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        if data.two_stage:  # contracts need not add up to demand (Scenario-demand's check)
            return []
        bad = []
        for record in data.items.values():
            total = sum(plan.bought[record.name].values())
            if abs(total - record.demand) > tol(record.demand):
                bad.append(f"Item-demand: buys {total:g} of '{record.name}' against a demand of {record.demand:g}")
        return bad

    def conflicts(self, data: PlanningData) -> list[str]:
        """An item with demand whose every offer is excluded, or that has no offer at all (in the two-stage mode
        `Scenario-demand` says it, as the spot market or shortage may meet it)."""
        if data.two_stage:
            return []
        out: list[str] = []
        count = np.bincount(data.table.item[data.usable], minlength=len(data.items))
        for code, item in enumerate(data.items.values()):
            if item.demand > 0 and not count[code]:
                where = f"{data.where('Items', item, 'demand')} " if item.row is not None or item.origin else ""
                excluded = sorted({r.label() for key, rules in data.excluded_by.items() if key[0] == item.name
                                   for r in rules})
                reason = (f"every offer is excluded by {'; '.join(excluded)}" if excluded
                          else "there is no offer for it in Offers")
                out.append(f"Item-demand: {where}demand {item.demand:g} of '{item.name}' cannot be bought: {reason}")
        return out

    def missing(self, data: PlanningData) -> list[tuple[tuple, float]]:
        """Items with demand and no offer at all (the diagnose view keeps excluded offers)."""
        if data.two_stage:
            return []
        count = np.bincount(data.table.item, minlength=len(data.items))
        return [((name,), item.demand) for code, (name, item) in enumerate(data.items.items())
                if item.demand > 0 and not count[code]]


FAMILY = ItemDemand()
