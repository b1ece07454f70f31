"""`tier_on[o, k]`: whether a tiered offer's price band k (from its k-th break on) is the one bought in."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns
from planner.model.container import SourcingModel
from planner.model.context import BuildContext
from planner.model.families._tiers import TIER_DIMS, bands, offer_index, plan_bands
from planner.model.family import VariableFamily


class TierOn(VariableFamily):
    name = "tier_on"
    summary = "binary: a tiered offer's band from a break on is bought in (all-units: the band priced; " \
              "incremental: the band reached)"
    dims = TIER_DIMS
    integer = True

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `tier_on[o, k]` for every band k >= 1 (from the k-th break on) of every tiered offer in the
        model, in the order of `tier_buy` (no cost)."""
        found = bands(ctx)
        on = found.switched
        return Columns(self.name, (*offer_index(ctx, found.column[on]), found.tier[on].astype(object)),
                       np.zeros(len(on)), np.zeros(len(on)), np.ones(len(on)), integer=True, dims=self.dims)

    def needed(self, data: PlanningData) -> bool:
        """A usable offer with a Tiers break it can reach (all-units b <= M_o, incremental b < M_o)."""
        return bool(len(plan_bands(data).switched))

    def closes(self, data: PlanningData, model: SourcingModel, closed: np.ndarray) -> np.ndarray:
        """The purchase of each offer with no band below its first break (an all-units first break within the
        gap of 0) whose every tier_on is 0: it can buy nothing. Elsewhere a tier_on at 0 closes a band, not the
        purchase: band 0 still delivers."""
        block, _ = model.column_block(self.name)
        table = data.table
        column_of = np.full(len(table), -1, dtype=np.int64)
        column_of[model.offers] = np.arange(len(model.offers))
        keys = list(zip(block.coord("item").tolist(), block.coord("supplier").tolist()))
        open_ = np.zeros(len(model.offers), dtype=bool)
        has = np.zeros(len(model.offers), dtype=bool)
        shut = np.zeros(len(block), dtype=bool)
        shut[closed] = True
        for at, key in enumerate(keys):
            j = column_of[table.position[key]]
            has[j] = True
            open_[j] |= not shut[at]
        mask = has & ~open_
        if mask.any():
            buy, _ = model.column_block("tier_buy")
            with_zero = {(i, s) for i, s, k in zip(buy.coord("item").tolist(), buy.coord("supplier").tolist(),
                                                   buy.coord("tier").tolist()) if k == 0}
            for j in np.flatnonzero(mask).tolist():
                if table.keys[model.offers[j]] in with_zero:
                    mask[j] = False
        return mask


FAMILY = TierOn()
