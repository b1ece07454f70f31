"""`buy[o]`: how much of each usable offer is bought."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.families._stages import expected_share
from planner.model.families._tiers import bands
from planner.model.family import VariableFamily


class Buy(VariableFamily):
    name = "buy"
    summary = "quantity bought of each usable offer (continuous, >= 0)"
    dims = ("item", "supplier")
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """Variables `buy[o]` for every usable offer o = (item, supplier), with their part of `Total-cost`.

        Applies to every offer not removed by `Policy-exclude` (every offer in
        the diagnose view). Domain and cost (the upper bound is `Offer-capacity`'s):
            buy[o] >= 0
            c_o * buy[o],   c_o = rate_o * (price_o * (1 + tariff_o) + freight_o)
        with tariff_o the most specific Tariffs row for the item and the supplier's country (else the country's).
        A tiered offer's buy[o] costs nothing: its `tier_buy` columns carry the cost, band by band.
        In the two-stage mode buy[o] is the contract, and its cost the expected cost of what it delivers,
            (1 - w) * sum_s p_s a(s, o) * c_o
        (`planner/model/families/_stages.py`; the CVaR part prices it in `Scenario-excess`).
        """
        t, n = ctx.table, len(ctx.position)
        cost = t.cost[ctx.position].copy()
        if ctx.data.two_stage:
            cost *= expected_share(ctx)
        cost[bands(ctx).tiered] = 0.0
        # a contract beyond what it can ever need is never worth more (`BuildContext.contract_reach`): bounded, so
        # that a decomposition's Lagrangian subproblem, which prices contracts below cost, stays bounded
        upper = ctx.contract_reach[ctx.position] if ctx.data.two_stage else np.full(n, np.inf)
        return Columns(self.name, (t.item_names[ctx.item], t.supplier_names[ctx.supplier]), cost,
                       np.zeros(n), upper, integer=False, dims=self.dims)


FAMILY = Buy()
