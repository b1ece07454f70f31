"""`Tier-band-lower[o, k]`: an all-units band from a break on holds at least its break, when bought in."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows
from planner.model.context import BuildContext
from planner.model.families._tiers import TIER_DIMS, bands, describe_band, offer_index
from planner.model.family import RowFamily, RowRef


class TierBandLower(RowFamily):
    name = "Tier-band-lower"
    summary = "an all-units band holds at least its break when it is the band bought in"
    dims = TIER_DIMS
    tier = None  # a definition: it ties a band's quantity to its binary

    def build(self, ctx: BuildContext) -> Rows:
        """`Tier-band-lower[o, k]`: for every band k >= 1 of every all-units tiered offer o, with break b_k,
            tier_buy[o, k] - b_k * tier_on[o, k] >= 0
        """
        found = bands(ctx)
        on = found.switched
        mine = np.flatnonzero(~found.incremental[on])
        bands_of = on[mine]
        n = len(mine)
        return rows(self.name, self.dims, (*offer_index(ctx, found.column[bands_of]),
                                           found.tier[bands_of].astype(object)),
                    np.concatenate([np.arange(n), np.arange(n)]),
                    np.concatenate([ctx.start("tier_buy") + bands_of, ctx.start("tier_on") + mine]),
                    np.concatenate([np.ones(n), -found.start[bands_of]]), np.zeros(n), np.full(n, INF))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_band(self.name, data, index, "a band bought in holds at least its break")

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: the checker prices each quantity at the band it reaches
        (`PlanView.spend`)."""
        return []


FAMILY = TierBandLower()
