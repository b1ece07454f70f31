"""`excess[s]`: how far a scenario's cost lies above the value at risk (the CVaR's tail)."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns, names, no_columns
from planner.model.context import BuildContext
from planner.model.families._stages import scenario_set, with_risk
from planner.model.family import VariableFamily


class Excess(VariableFamily):
    name = "excess"
    summary = "a scenario's cost above the value at risk (two-stage mode, risk_weight > 0)"
    dims = ("scenario",)
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """With risk_weight w > 0, variables `excess[s]` >= 0 for every scenario, with their part of the
        objective (`Scenario-excess` holds excess[s] >= cost_s - eta):
            w / (1 - alpha) * p_s * excess[s]
        """
        data = ctx.data
        if not with_risk(data):
            return no_columns(self.name, self.dims, integer=False)
        found = scenario_set(data)
        cost = data.settings.risk_weight / (1.0 - data.settings.cvar_alpha) * found.probability
        return Columns(self.name, (names(list(found.names)),), cost, np.zeros(len(cost)),
                       np.full(len(cost), np.inf), integer=False, dims=self.dims)


FAMILY = Excess()
