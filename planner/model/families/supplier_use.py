"""`Supplier-use[o]`: a supplier with a fixed cost delivers only if its fixed cost is paid."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows
from planner.model.context import BuildContext
from planner.model.families._on_off import DIMS, linking_row, on_off_rows
from planner.model.families.use_supplier import fixed_suppliers
from planner.model.family import RowFamily, RowRef


class SupplierUse(RowFamily):
    name = "Supplier-use"
    summary = "a supplier with a fixed cost delivers only if its fixed cost is paid"
    dims = DIMS
    tier = None  # a definition: relaxing it would buy without paying, never a way out of a conflict

    def build(self, ctx: BuildContext) -> Rows:
        """`Supplier-use[o]`: for every usable offer o of a supplier s with fixed cost F_s > 0,
            buy[o] <= M_o * use_supplier[s],   M_o = min(cap_o, cap_s, d_i)
        (M_o = d_i in the diagnose view, where capacities may be relaxed). One row
        per offer rather than per supplier: the disaggregated form has the tighter LP relaxation.
        """
        columns = np.flatnonzero(ctx.table.fixed_cost[ctx.supplier] > 0)
        used = fixed_suppliers(ctx)
        binary_of = np.zeros(len(ctx.table.supplier_names), dtype=np.int64)
        binary_of[used] = ctx.start("use_supplier") + np.arange(len(used))
        return on_off_rows(self.name, ctx, columns, binary_of[ctx.supplier[columns]], -ctx.big_m(columns), -INF, 0.0)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return linking_row(self.name, data, index)

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: whoever delivers is paid for in `Total-cost`, which the checker recomputes
        with the fixed cost of every supplier with volume."""
        return []


FAMILY = SupplierUse()
