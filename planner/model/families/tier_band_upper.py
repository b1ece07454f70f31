"""`Tier-band-upper[o, k]`: a band from a break on holds something only when its binary is on."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows
from planner.model.context import BuildContext
from planner.model.families._tiers import TIER_DIMS, bands, describe_band, offer_index
from planner.model.family import RowFamily, RowRef


class TierBandUpper(RowFamily):
    name = "Tier-band-upper"
    summary = "a band from a break on holds something only when it is bought in"
    dims = TIER_DIMS
    tier = None  # a definition: it ties a band's quantity to its binary

    def build(self, ctx: BuildContext) -> Rows:
        """`Tier-band-upper[o, k]`: for every band k >= 1 of every tiered offer o,
            tier_buy[o, k] - u_k * tier_on[o, k] <= 0
        u_k = min(b_(k+1) - gap(b_(k+1)), M_o) for all-units (M_o after the last break; gap(b) =
        1e-5 * max(1, b)), w_k = min(b_(k+1), M_o) - b_k for incremental.
        """
        found = bands(ctx)
        on = found.switched
        n = len(on)
        return rows(self.name, self.dims, (*offer_index(ctx, found.column[on]), found.tier[on].astype(object)),
                    np.concatenate([np.arange(n), np.arange(n)]),
                    np.concatenate([ctx.start("tier_buy") + on, ctx.start("tier_on") + np.arange(n)]),
                    np.concatenate([np.ones(n), -found.size[on]]), np.full(n, -INF), np.zeros(n))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_band(self.name, data, index, "a band holds something only when it is bought in")

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: the checker prices each quantity at the band it reaches
        (`PlanView.spend`)."""
        return []


FAMILY = TierBandUpper()
