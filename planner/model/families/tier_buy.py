"""`tier_buy[o, k]`: how much of a tiered offer is bought in its price band k."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns
from planner.model.context import BuildContext
from planner.model.families._stages import expected_share
from planner.model.families._tiers import TIER_DIMS, bands, offer_index
from planner.model.family import VariableFamily


class TierBuy(VariableFamily):
    name = "tier_buy"
    summary = "quantity of a tiered offer bought in one price band (continuous, >= 0), at the band's landed cost"
    dims = TIER_DIMS
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """Variables `tier_buy[o, k]` for every price band k of every tiered offer o in the model (an offer with
        a Tiers break it can reach: all-units b_k <= M_o, incremental b_k < M_o), with their part of
        `Total-cost`; band 0 lies below the first break, band k from the k-th break on:
            0 <= tier_buy[o, k] <= u_k   (all-units: the most band k holds; incremental: its width w_k)
            c_{o,k} * tier_buy[o, k],   c_{o,k} = rate_o * (p_{o,k} * (1 + tariff_{o}) + freight_o)
        The offer's `buy[o]` then carries no cost (`Tier-volume` ties the two).
        In the two-stage mode the band's cost is that of what it delivers, (1 - w) * sum_s p_s a(s, o) c_{o,k}.
        """
        found = bands(ctx)
        cost = found.cost * expected_share(ctx, found.column) if ctx.data.two_stage else found.cost.copy()
        return Columns(self.name, (*offer_index(ctx, found.column), found.tier.astype(object)), cost,
                       np.zeros(len(found)), found.size.copy(), integer=False, dims=self.dims)


FAMILY = TierBuy()
