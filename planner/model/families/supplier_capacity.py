"""`Supplier-capacity[s]`: a supplier's purchases over all items stay within its capacity."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows
from planner.model.context import BuildContext
from planner.model.family import RowFamily, RowRef


class SupplierCapacity(RowFamily):
    name = "Supplier-capacity"
    summary = "a supplier's purchases over all items stay within its capacity"
    dims = ("supplier",)
    tier = 100.0  # buying past a capacity cannot be carried out at all

    def build(self, ctx: BuildContext) -> Rows:
        """`Supplier-capacity[s]`: for every supplier with a capacity and a usable offer,
            sum_{o in O_s} buy[o] <= cap_s
        """
        t = ctx.table
        capped = np.flatnonzero(np.isfinite(t.supplier_capacity[ctx.supplier]))
        suppliers, row = np.unique(ctx.supplier[capped], return_inverse=True)
        return rows(self.name, self.dims, (t.supplier_names[suppliers],), row, ctx.start("buy") + capped,
                    np.ones(len(capped)), np.full(len(suppliers), -INF), t.supplier_capacity[suppliers])

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        name = self.key(index)["supplier"]
        s = data.suppliers[name]
        return RowRef(self.name, index,
                      (f"{data.where('Suppliers', s, 'capacity')} capacity {s.capacity:g} of '{name}'",),
                      max(s.capacity, 1.0))

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
