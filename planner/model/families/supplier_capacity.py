"""`Supplier-capacity[s]`: a supplier's purchases over all items stay within its capacity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows
from planner.model.context import BuildContext
from planner.model.families._periods import expansion_columns, names_of
from planner.model.family import RowFamily, RowRef
from planner.model.periods import HorizonContext

if TYPE_CHECKING:
    from planner.check.periods import Timeline


class SupplierCapacity(RowFamily):
    name = "Supplier-capacity"
    summary = "a supplier's purchases over all items stay within its capacity"
    dims = ("supplier",)
    tier = 100.0  # buying past a capacity cannot be carried out at all
    periods = "horizon"  # per ORDER period, over offers that may travel on routes of different lead times
    horizon_dims = ("supplier", "period")

    def build(self, ctx: BuildContext) -> Rows:
        """`Supplier-capacity[s]`: for every supplier with a capacity and a usable offer,
            sum_{o in O_s} buy[o] <= cap_s
        """
        t = ctx.table
        capped = np.flatnonzero(np.isfinite(t.supplier_capacity[ctx.supplier]))
        suppliers, row = np.unique(ctx.supplier[capped], return_inverse=True)
        return rows(self.name, self.dims, (t.supplier_names[suppliers],), row, ctx.start("buy") + capped,
                    np.ones(len(capped)), np.full(len(suppliers), -INF), t.supplier_capacity[suppliers])

    def build_horizon(self, hz: HorizonContext) -> Rows:
        """With several periods, `Supplier-capacity[s, t]` for every supplier s and ORDER period t in which it has
        a capacity (Capacity row with a blank item, else Suppliers `capacity`) and a column ordered then:
            sum_{o in O_s, ordered in t} buy[o, t + L_o]
                - sum_{e in E_s} cap_e * sum_{t' <= t - lead_e} expand[e, t']  <=  cap_{s,t}
        E_s: the expansions of the supplier's total (Expansions rows with a blank item).
        """
        data, t = hz.data, hz.data.table
        names = hz.names
        supplier = t.supplier[hz.position]
        cap = np.array([[data.supplier_capacity_in(s, p) for p in names] for s in data.suppliers], dtype=float)
        if not len(cap):
            cap = np.zeros((0, len(names)))
        capped = np.flatnonzero(np.isfinite(cap[supplier, hz.ordered]))
        key = supplier[capped].astype(np.int64) * len(names) + hz.ordered[capped]
        keys, row = np.unique(key, return_inverse=True)
        s_code, p_code = keys // len(names), keys % len(names)
        column = [hz.start("buy") + capped]
        coef = [np.ones(len(capped))]
        terms_row = [row]
        for r, (sc, pc) in enumerate(zip(s_code.tolist(), p_code.tolist())):
            for col, e in expansion_columns(hz, str(t.supplier_names[sc]), None, pc):
                column.append(np.array([col]))
                coef.append(np.array([-e.capacity]))
                terms_row.append(np.array([r]))
        return rows(self.name, self.horizon_dims, (t.supplier_names[s_code], names_of(names, p_code)),
                    np.concatenate(terms_row), np.concatenate(column), np.concatenate(coef),
                    np.full(len(keys), -INF), cap[s_code, p_code])

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        if data.multi_period:
            return self._describe_period(data, index)
        name = self.key(index)["supplier"]
        s = data.suppliers[name]
        return RowRef(self.name, index,
                      (f"{data.where('Suppliers', s, 'capacity')} capacity {s.capacity:g} of '{name}'",),
                      max(s.capacity, 1.0))

    def _describe_period(self, data: PlanningData, index: tuple) -> RowRef:
        at = dict(zip(self.horizon_dims, index))
        name, period = str(at["supplier"]), str(at["period"])
        row = data.capacities.get((name, None, period))
        cap = data.supplier_capacity_in(name, period)
        where = data.cell("Capacity", "capacity", row.row) if row is not None else \
            data.where("Suppliers", data.suppliers[name], "capacity")
        labels = [f"{where} capacity {cap:g} of '{name}' for orders in period {period}"]
        labels += [f"{data.cell('Expansions', 'capacity', e.row)} expansion '{e.name}' of '{name}' (+{e.capacity:g})"
                   for e in data.expansions.values() if e.supplier == name and e.item is None]
        return RowRef(self.name, index, tuple(labels), max(cap, 1.0))

    def check_horizon(self, data: PlanningData, plan: Timeline) -> list[str]:
        bad = []
        for name in data.suppliers:
            for period in data.period_names:
                limit = data.supplier_capacity_in(name, period) + plan.built(name, None, period)
                ordered = plan.ordered(name, None, period)
                if ordered > limit + tol(limit):
                    bad.append(f"Supplier-capacity: orders {ordered:g} from '{name}' in period {period} against a "
                               f"capacity of {limit:g}")
        return bad

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        per_supplier = plan.per_supplier()
        bad = []
        for seller in data.suppliers.values():
            total = per_supplier.get(seller.name, 0.0)
            if total > seller.capacity + tol(seller.capacity):
                bad.append(f"Supplier-capacity: buys {total:g} from '{seller.name}' against a capacity of "
                           f"{seller.capacity:g}")
        return bad


FAMILY = SupplierCapacity()
