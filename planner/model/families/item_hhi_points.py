"""`Item-hhi-points[i, c, k]`: tangent k of a country's squared share holds `hhi_points[i, c]` from below."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, concat, names, rows
from planner.model.context import BuildContext
from planner.model.families._hhi import pairs
from planner.model.family import RowFamily, RowRef
from planner.model.outer import POINTS, SquaredShares


class ItemHhiPoints(RowFamily):
    name = "Item-hhi-points"
    summary = "tangents of a country's squared share of an item hold its HHI points from below"
    dims = ("item", "country", "tangent")
    tier = None  # a definition: it only says what hhi_points is; the cap on their sum is the rule

    def build(self, ctx: BuildContext) -> Rows:
        """`Item-hhi-points[i, c, k]`: for every pair (i, c) of `hhi_points` and every tangent point a_k of it
        (k from 1: 1/n_i and sqrt(h) of each cap on i, ascending, then the build's cuts for (i, c) in order),

            (2 a_k 10,000 / d_i) * sum_{o in O_i, country(o) = c} buy[o] - hhi_points[i, c] <= 10,000 a_k^2

        i.e. hhi_points[i, c] >= 10,000 (2 a_k s_c - a_k^2), the tangent at a_k of 10,000 s_c^2, with
        s_c = sum buy[o] / d_i. Every tangent lies below the parabola, so no plan is cut off that meets the cap.
        """
        spec, t = self.outer(ctx), ctx.table
        if spec is None:
            return concat(self.name, self.dims, [])
        found = pairs(ctx)
        counts = np.array([len(points) for points in spec.points], dtype=np.int64)
        pair = np.repeat(np.arange(len(spec)), counts)
        number = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
        start, columns, coef, upper = spec.tangents(pair, np.array([a for points in spec.points for a in points]))
        index = (t.item_names[found.item[pair]], t.country_names[found.country[pair]], names(number.tolist()))
        return rows(self.name, self.dims, index, np.repeat(np.arange(len(pair)), np.diff(start)), columns, coef,
                    np.full(len(pair), -INF), upper)

    def outer(self, ctx: BuildContext) -> SquaredShares | None:
        """The pairs of the build as tangent rows the solve refines (`planner/model/outer.py`)."""
        found = pairs(ctx)
        if not len(found):
            return None
        t = ctx.table
        _, group = np.unique(found.item, return_inverse=True)
        return SquaredShares(self.name, "Policy-max-hhi", t.item_names[found.item], t.country_names[found.country],
                             group.astype(np.int64), ctx.start("hhi_points") + np.arange(len(found)),
                             t.demand[found.item].astype(float), found.start, ctx.start("buy") + found.members,
                             found.points, ctx.period)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        item, country, k = at["item"], at["country"], at["tangent"]
        return RowRef(self.name, index, (f"tangent {k} of the squared share of '{item}' from {country} (a "
                                         f"definition the max_hhi rows on '{item}' rest on)",), POINTS)

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: a country's squared share is what it is; `Policy-max-hhi` checks the
        HHI."""
        return []


FAMILY = ItemHhiPoints()
