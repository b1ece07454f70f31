"""`use_supplier[s]`: whether a supplier with a fixed cost is used (and its fixed cost paid)."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns
from planner.model.container import SourcingModel
from planner.model.context import BuildContext
from planner.model.family import VariableFamily
from planner.model.periods import HorizonContext


def fixed_suppliers(ctx: BuildContext) -> np.ndarray:
    """Codes of the suppliers with fixed cost F_s > 0 and an offer in the model (in any period), by name."""
    if ctx.horizon is not None:  # one binary per supplier over the horizon: the suppliers of every period
        ctx = ctx.horizon.union
    t = ctx.table
    used = np.unique(ctx.supplier[t.fixed_cost[ctx.supplier] > 0])
    return used[np.argsort(t.supplier_names[used].astype(str), kind="stable")]


class UseSupplier(VariableFamily):
    name = "use_supplier"
    summary = "binary: the supplier is used and its fixed cost paid"
    dims = ("supplier",)
    integer = True
    periods = "horizon"  # the fixed cost is paid once over the horizon if the supplier delivers in any period
    horizon_dims = ("supplier",)

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `use_supplier[s]` for every supplier with fixed cost F_s > 0 and an offer in the model, in
        supplier name order, with their part of `Total-cost`:
            F_s * use_supplier[s]
        In the two-stage mode the fixed cost counts in every scenario: (1 - w) * F_s in the expected part (the
        CVaR part in `Scenario-excess`).
        """
        t, used = ctx.table, fixed_suppliers(ctx)
        cost = t.fixed_cost[used] * ((1.0 - ctx.data.settings.risk_weight) if ctx.data.two_stage else 1.0)
        return Columns(self.name, (t.supplier_names[used],), cost, np.zeros(len(used)),
                       np.ones(len(used)), integer=True, dims=self.dims)

    def build_horizon(self, hz: HorizonContext) -> Columns:
        """With several periods, one binary per supplier over the horizon (its fixed cost paid once): built as
        above from every offer that gets a column in some period."""
        return self.build(hz.union)

    def needed(self, data: PlanningData) -> bool:
        """A usable offer of a supplier with a fixed cost."""
        t = data.table
        return bool((t.fixed_cost[t.supplier[data.usable]] > 0).any())

    def closes(self, data: PlanningData, model: SourcingModel, closed: np.ndarray) -> np.ndarray:
        """Every purchase from a supplier whose use_supplier is 0."""
        block, _ = model.column_block(self.name)
        table = data.table
        idle = [table.code["supplier"][name] for name in block.coord("supplier")[closed].tolist()]
        return np.isin(table.supplier[model.offers], idle)


FAMILY = UseSupplier()
