"""`Tier-fill[o, k]`: an incremental band from a break on starts only once the band below is full."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows
from planner.model.context import BuildContext
from planner.model.families._tiers import TIER_DIMS, bands, describe_band, offer_index
from planner.model.family import RowFamily, RowRef


class TierFill(RowFamily):
    name = "Tier-fill"
    summary = "an incremental band starts only once the band below it is full"
    dims = TIER_DIMS
    tier = None  # a definition: the units fill the bands in order

    def build(self, ctx: BuildContext) -> Rows:
        """`Tier-fill[o, k]`: for every band k >= 1 of every incremental tiered offer o, with w_(k-1) the width of
        the band below,
            tier_buy[o, k-1] - w_(k-1) * tier_on[o, k] >= 0
        With `Tier-band-upper` (tier_buy[o, k] <= w_k * tier_on[o, k]) this is the incremental (delta) model,
        which is locally ideal: its LP relaxation is the convex hull of the offer's cost function.
        """
        found = bands(ctx)
        on = found.switched
        mine = np.flatnonzero(found.incremental[on])
        above = on[mine]
        below = above - 1  # incremental bands are never dropped: band k - 1 is the one before band k
        n = len(mine)
        return rows(self.name, self.dims, (*offer_index(ctx, found.column[above]), found.tier[above].astype(object)),
                    np.concatenate([np.arange(n), np.arange(n)]),
                    np.concatenate([ctx.start("tier_buy") + below, ctx.start("tier_on") + mine]),
                    np.concatenate([np.ones(n), -found.size[below]]), np.zeros(n), np.full(n, INF))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_band(self.name, data, index, "a band starts only once the band below is full")

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: the checker prices the units of an incremental purchase band by band, in
        order (`PlanView.spend`)."""
        return []


FAMILY = TierFill()
