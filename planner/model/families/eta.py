"""`eta`: the value at risk of the CVaR part of the two-stage objective (Rockafellar-Uryasev)."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns, names, no_columns
from planner.model.context import BuildContext
from planner.model.families._stages import with_risk
from planner.model.family import VariableFamily


class Eta(VariableFamily):
    name = "eta"
    summary = "value at risk: the cost level the CVaR's excess is measured from (two-stage mode, risk_weight > 0)"
    dims = ("alpha",)
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """With risk_weight w > 0, one free variable `eta[alpha]` with its part of the objective:
            w * eta,   CVaR_alpha = min_eta eta + 1/(1 - alpha) * sum_s p_s * max(0, cost_s - eta)
        At the optimum eta is the alpha-quantile of the scenario costs (the value at risk).
        """
        data = ctx.data
        if not with_risk(data):
            return no_columns(self.name, self.dims, integer=False)
        return Columns(self.name, (names([data.settings.cvar_alpha]),), np.array([data.settings.risk_weight]),
                       np.array([-np.inf]), np.array([np.inf]), integer=False, dims=self.dims)


FAMILY = Eta()
