"""`expand[e, t]`: whether an expansion is decided in a period (several periods only)."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns, names, no_columns
from planner.model.context import BuildContext
from planner.model.families._periods import decisions
from planner.model.family import VariableFamily
from planner.model.periods import HorizonContext


class Expand(VariableFamily):
    name = "expand"
    summary = "binary: the expansion is decided in the period (its fixed cost paid)"
    dims = ("expansion",)
    integer = True
    periods = "horizon"
    horizon_dims = ("expansion", "period")

    def build(self, ctx: BuildContext) -> Columns:
        """Without periods an expansion has no time to be built in: an empty block."""
        return no_columns(self.name, self.dims, integer=True)

    def build_horizon(self, hz: HorizonContext) -> Columns:
        """Binaries `expand[e, t]` for every Expansions row e and every period t from its `earliest` on with
        t + lead_e <= the last period (a decision that would deliver after the horizon gets no column), with their
        part of `Total-cost`:
            F_e * expand[e, t]
        """
        found = decisions(hz.data)
        cost = np.array([e.fixed_cost for e, _ in found], dtype=float)
        return Columns(self.name, (names([e.name for e, _ in found]), names([hz.names[t] for _, t in found])), cost,
                       np.zeros(len(found)), np.ones(len(found)), integer=True, dims=self.horizon_dims)

    def needed(self, data: PlanningData) -> bool:
        """An expansion that can be decided in time to deliver within the horizon."""
        return data.multi_period and bool(decisions(data))

    def closes(self, data: PlanningData, model, closed: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
        """Nothing: an expansion not built leaves the capacity without it, which its rows hold."""
        return np.zeros(len(model.offers), dtype=bool)


FAMILY = Expand()
