"""`Tier-volume[o]`: a tiered offer's quantity is the sum of what its price bands hold."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import Rows, rows
from planner.model.context import BuildContext
from planner.model.families._tiers import OFFER_DIMS, bands, describe_band, offer_index
from planner.model.family import RowFamily, RowRef


class TierVolume(RowFamily):
    name = "Tier-volume"
    summary = "a tiered offer's quantity is the sum of its price bands"
    dims = OFFER_DIMS
    tier = None  # a definition: it only splits the quantity into bands

    def build(self, ctx: BuildContext) -> Rows:
        """`Tier-volume[o]`: for every tiered offer o in the model (one with a band from a break on),
            buy[o] - sum_k tier_buy[o, k] = 0
        """
        found = bands(ctx)
        offers = np.flatnonzero(found.tiered)
        row_of = np.full(len(found.tiered), -1, dtype=np.int64)
        row_of[offers] = np.arange(len(offers))
        n = len(offers)
        return rows(self.name, self.dims, offer_index(ctx, offers),
                    np.concatenate([np.arange(n), row_of[found.column]]),
                    np.concatenate([ctx.start("buy") + offers, ctx.start("tier_buy") + np.arange(len(found))]),
                    np.concatenate([np.ones(n), -np.ones(len(found))]), np.zeros(n), np.zeros(n))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return describe_band(self.name, data, index, "splits the quantity into its price bands")

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: which band a quantity falls in is the checker's own reading of the price
        (`PlanView.spend`), which `Total-cost` compares with the solver's objective."""
        return []


FAMILY = TierVolume()
