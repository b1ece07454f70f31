"""`Tier-one[o]`: an all-units offer is bought in one price band at most."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows
from planner.model.context import BuildContext
from planner.model.families._tiers import OFFER_DIMS, bands, describe_band, offer_index
from planner.model.family import RowFamily, RowRef


class TierOne(RowFamily):
    name = "Tier-one"
    summary = "an all-units offer is bought in one price band at most"
    dims = OFFER_DIMS
    tier = None  # a definition: every unit is priced alike

    def build(self, ctx: BuildContext) -> Rows:
        """`Tier-one[o]`: for every all-units tiered offer o with a band from a break on, with u_0 the most its
        band 0 holds (b_1 - gap(b_1)):
            tier_buy[o, 0] + u_0 * sum_{k >= 1} tier_on[o, k] <= u_0
        (without band 0, when b_1 <= gap(b_1): sum_{k >= 1} tier_on[o, k] <= 1). With `Tier-band-lower`
        and `Tier-band-upper` this is the disaggregated multiple-choice model, whose LP relaxation is the
        convex hull of the offer's cost function.
        """
        found = bands(ctx)
        on = found.switched
        mine = on[~found.incremental[on]]
        offers = np.unique(found.column[mine])
        row_of = np.full(len(found.tiered), -1, dtype=np.int64)
        row_of[offers] = np.arange(len(offers))
        n = len(offers)
        u0 = np.ones(n)  # without band 0 the row is sum_k tier_on <= 1
        zero = np.flatnonzero((found.tier == 0) & ~found.incremental & (row_of[found.column] >= 0))
        u0[row_of[found.column[zero]]] = found.size[zero]
        binary = np.flatnonzero(~found.incremental[on])
        return rows(self.name, self.dims, offer_index(ctx, offers),
                    np.concatenate([row_of[found.column[zero]], row_of[found.column[mine]]]),
                    np.concatenate([ctx.start("tier_buy") + zero, ctx.start("tier_on") + binary]),
                    np.concatenate([np.ones(len(zero)), u0[row_of[found.column[mine]]]]), np.full(n, -INF), u0)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_band(self.name, data, index, "every unit is priced in one band")

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: the checker prices every unit of an all-units purchase at the highest
        break reached (`PlanView.spend`)."""
        return []


FAMILY = TierOne()
