"""`award_supplier[r, i, s]`: whether a supplier is counted by a min_suppliers rule (it delivers at least the
rule's min_award share of demand)."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns, names, repeated
from planner.model.container import SourcingModel
from planner.model.context import BuildContext
from planner.model.families._counts import Spread, awarded, plan_context, spreads
from planner.model.family import VariableFamily

DIMS = ("rule", "item", "supplier")


def supplier_awards(ctx: BuildContext) -> list[tuple[Spread, np.ndarray, np.ndarray]]:
    """For each min_suppliers rule: its spread, the buy columns it awards (once each), and the binary of each of
    its terms, counted from the family's first column."""
    out, at = [], 0
    for s in spreads(ctx, "min_suppliers"):
        columns, term = awarded(s.columns)
        out.append((s, columns, at + term))
        at += len(columns)
    return out


class AwardSupplier(VariableFamily):
    name = "award_supplier"
    summary = "binary: a supplier is counted by a min_suppliers rule (delivering at least min_award of demand)"
    dims = DIMS
    integer = True

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `award_supplier[r, i, s]` (no cost) for min_suppliers rule r, every item i it covers with
        d_i > 0 and every supplier s with an offer of i in the model in a group r names: one per offer, shared by
        the groups of `each bloc` that hold it (whether s delivers m * d_i does not depend on the group)."""
        t = ctx.table
        parts = [(repeated(s.rid, len(columns)), t.item_names[ctx.item[columns]],
                  t.supplier_names[ctx.supplier[columns]]) for s, columns, _ in supplier_awards(ctx)]
        index = tuple(np.concatenate([p[d] for p in parts]) if parts else names([]) for d in range(len(DIMS)))
        n = len(index[0])
        return Columns(self.name, index, np.zeros(n), np.zeros(n), np.ones(n), integer=True, dims=self.dims)

    def needed(self, data: PlanningData) -> bool:
        """A min_suppliers rule with a usable offer of an item with demand in a group it names."""
        return any(len(columns) for _, columns, _ in supplier_awards(plan_context(data)))

    def closes(self, data: PlanningData, model: SourcingModel, closed: np.ndarray) -> np.ndarray:
        """Nothing: a supplier not counted may still deliver less than min_award."""
        return np.zeros(len(model.offers), dtype=bool)


FAMILY = AwardSupplier()
