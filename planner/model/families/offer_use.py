"""`Offer-use[o]`: an opened offer (a minimum order, or a count or award rule) delivers only if it is opened."""

from __future__ import annotations

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows
from planner.model.context import BuildContext
from planner.model.families._counts import opened, use_offer_of
from planner.model.families._on_off import DIMS, linking_row, on_off_rows
from planner.model.family import RowFamily, RowRef


class OfferUse(RowFamily):
    name = "Offer-use"
    summary = "an offer with a use_offer binary delivers only if it is opened"
    dims = DIMS
    tier = None  # a definition: it only ties the quantity to use_offer

    def build(self, ctx: BuildContext) -> Rows:
        """`Offer-use[o]`: for every usable offer with a `use_offer` binary (minimum order q_o > 0, in a
        `Policy-max-suppliers` row, or covered by a min_award rule),
            buy[o] <= M_o * use_offer[o],   M_o = min(cap_o, cap_s, d_i)  (d_i when diagnosing)
        with use_offer[o] binary; with `Offer-min-order`, buy[o] is 0 or in [q_o, M_o].
        """
        columns = opened(ctx)
        return on_off_rows(self.name, ctx, columns, use_offer_of(ctx, columns), -ctx.big_m(columns), -INF, 0.0)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        return linking_row(self.name, data, index)

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: an offer bought from is opened by definition; `Offer-min-order`,
        `Policy-max-suppliers` and `Policy-min-award` check the quantities."""
        return []


FAMILY = OfferUse()
