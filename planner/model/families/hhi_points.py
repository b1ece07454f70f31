"""`hhi_points[i, c]`: country c's part of item i's HHI, on the 0-10,000 scale, for items a max_hhi rule caps."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import INF, Columns
from planner.model.context import BuildContext
from planner.model.families._hhi import pairs
from planner.model.family import VariableFamily


class HhiPoints(VariableFamily):
    name = "hhi_points"
    summary = "a country's part of an item's HHI (0-10,000 scale), bounded below by tangent rows"
    dims = ("item", "country")
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """Columns `hhi_points[i, c] >= 0` (no cost) for every item i a max_hhi rule caps (value below 1, demand
        above 0) and every country c with an offer of i in the view. `Item-hhi-points` holds each above
        10,000 * s_c^2 (s_c the share of i bought from c) by tangents; `Policy-max-hhi` caps their sum."""
        t, found = ctx.table, pairs(ctx)
        n = len(found)
        return Columns(self.name, (t.item_names[found.item], t.country_names[found.country]), np.zeros(n),
                       np.zeros(n), np.full(n, INF), integer=False, dims=self.dims)


FAMILY = HhiPoints()
