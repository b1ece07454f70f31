"""`Expansion-capacity[i, s, t]`: an offer whose capacity an expansion adds to delivers at most what is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, names, rows, no_rows
from planner.model.context import BuildContext
from planner.model.families._periods import expansion_columns
from planner.model.family import RowFamily, RowRef
from planner.model.periods import HorizonContext

if TYPE_CHECKING:
    from planner.check.periods import Timeline


class ExpansionCapacity(RowFamily):
    name = "Expansion-capacity"
    summary = "an offer with expansions orders at most its capacity plus the expansions built in time"
    dims = ("item", "supplier")
    tier = 100.0  # ordering past a capacity cannot be carried out at all
    periods = "horizon"
    horizon_dims = ("item", "supplier", "period")

    def build(self, ctx: BuildContext) -> Rows:
        """Without periods there are no expansions: an empty block."""
        return no_rows(self.name, self.dims)

    def build_horizon(self, hz: HorizonContext) -> Rows:
        """`Expansion-capacity[i, s, t]`: for every offer o = (i, s) that an Expansions row names (its item given)
        and that has a capacity cap_{o,t} (Capacity row, else Offers) in ORDER period t, and a column ordered then:
            buy[o, t + L_o] - sum_{e in E_o} cap_e * sum_{t' <= t - lead_e} expand[e, t']  <=  cap_{o,t}
        `Offer-capacity` bounds the same column by cap_{o,t} plus every expansion of the offer (the most it can
        ever order); this row holds it to what is built in time.
        """
        data, t = hz.data, hz.data.table
        expanded = {(e.item, e.supplier) for e in data.expansions.values() if e.item is not None}
        keys = [k for k in expanded if k in data.offers]
        if not keys:
            return no_rows(self.name, self.horizon_dims)
        wanted = np.isin(hz.position, [t.position[k] for k in keys])
        columns = np.flatnonzero(wanted)
        index_i, index_s, index_p, lower, upper = [], [], [], [], []
        row, column, coef = [], [], []
        for j in columns.tolist():
            offer = data.offers[t.keys[hz.position[j]]]
            order = int(hz.ordered[j])
            cap = data.offer_capacity_in(offer, hz.names[order])
            if not np.isfinite(cap):
                continue
            r = len(upper)
            index_i.append(offer.item)
            index_s.append(offer.supplier)
            index_p.append(hz.names[order])
            lower.append(-INF)
            upper.append(cap)
            row.append(r)
            column.append(hz.start("buy") + j)
            coef.append(1.0)
            for col, e in expansion_columns(hz, offer.supplier, offer.item, order):
                row.append(r)
                column.append(col)
                coef.append(-e.capacity)
        return rows(self.name, self.horizon_dims, (names(index_i), names(index_s), names(index_p)),
                    np.array(row, dtype=np.int64), np.array(column, dtype=np.int64), np.array(coef, dtype=float),
                    np.array(lower, dtype=float), np.array(upper, dtype=float))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = dict(zip(self.horizon_dims, index))
        item, supplier, period = str(at["item"]), str(at["supplier"]), str(at["period"])
        offer = data.offers[item, supplier]
        found = data.capacities.get((supplier, item, period))
        where = data.cell("Capacity", "capacity", found.row) if found is not None else \
            data.where("Offers", offer, "capacity")
        cap = data.offer_capacity_in(offer, period)
        labels = [f"{where} capacity {cap:g} of '{item}' from '{supplier}' for orders in period {period}"]
        labels += [f"{data.cell('Expansions', 'capacity', e.row)} expansion '{e.name}' (+{e.capacity:g})"
                   for e in data.expansions.values() if e.supplier == supplier and e.item == item]
        return RowRef(self.name, index, tuple(labels), max(cap, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return []

    def check_horizon(self, data: PlanningData, plan: Timeline) -> list[str]:
        bad = []
        for item, supplier in sorted({(e.item, e.supplier) for e in data.expansions.values() if e.item is not None}):
            offer = data.offers.get((item, supplier))
            if offer is None:
                continue
            for period in data.period_names:
                limit = data.offer_capacity_in(offer, period) + plan.built(supplier, item, period)
                ordered = plan.ordered(supplier, item, period)
                if ordered > limit + tol(limit):
                    bad.append(f"Expansion-capacity: orders {ordered:g} of '{item}' from '{supplier}' in period "
                               f"{period} against a capacity of {limit:g} with the expansions built by then")
        return bad


FAMILY = ExpansionCapacity()
