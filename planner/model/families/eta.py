"""`eta`: the value at risk of the CVaR part of the two-stage objective (Rockafellar-Uryasev)."""

from __future__ import annotations

import numpy as np

from planner.model.blocks import Columns, names, no_columns
from planner.model.context import BuildContext
from planner.model.families._stages import short_items, spot_items, with_risk
from planner.model.families._tiers import bands
from planner.model.families.use_supplier import fixed_suppliers
from planner.model.family import VariableFamily


class Eta(VariableFamily):
    name = "eta"
    summary = "value at risk: the cost level the CVaR's excess is measured from (two-stage mode, risk_weight > 0)"
    dims = ("alpha",)
    integer = False

    def build(self, ctx: BuildContext) -> Columns:
        """With risk_weight w > 0, one variable `eta[alpha]` with its part of the objective:
            w * eta,   CVaR_alpha = min_eta eta + 1/(1 - alpha) * sum_s p_s * max(0, cost_s - eta)
        At the optimum eta is the alpha-quantile of the scenario costs (the value at risk). The function of eta
        falls below min_s cost_s (slope 1 - 1/(1 - alpha) < 0) and rises above max_s cost_s (slope 1), so a
        minimiser lies in [min_s cost_s, max_s cost_s], and eta is bounded by that range over every plan that
        can be optimal (`cost_range`). The bound cuts no optimum; it keeps every first-stage variable bounded,
        as a decomposition's Lagrangian subproblem needs once PH's weight W on eta leaves (-w, w alpha/(1 - alpha))
        (that subproblem is otherwise unbounded, and its "bound" is none).
        """
        data = ctx.data
        if not with_risk(data):
            return no_columns(self.name, self.dims, integer=False)
        lower, upper = cost_range(ctx)
        return Columns(self.name, (names([data.settings.cvar_alpha]),), np.array([data.settings.risk_weight]),
                       np.array([lower]), np.array([upper]), integer=False, dims=self.dims)


def cost_range(ctx: BuildContext) -> tuple[float, float]:
    """(L, U) with L <= cost_s <= U in every scenario s for every plan that can be optimal:
        U = sum_o reach_o max(c_o, c_o,k) + sum_s' F_s' + sum_i d_i (spot_price_i + shortage_cost_i)
    reach_o the contract's upper bound (`BuildContext.contract_reach`), c_o,k its tier prices; an optimal plan
    buys no more than d_i on the spot market or short (a unit more only costs). L = 0 when every price is
    >= 0 (then so is every cost), else -inf; U is inf where a reach is."""
    data, t = ctx.data, ctx.table
    cost = t.cost[ctx.position].copy()
    tiers = bands(ctx)
    if len(tiers):
        np.maximum.at(cost, tiers.column, tiers.cost)
    records = list(data.items.values())
    spot = np.array([records[k].spot_price for k in spot_items(data)], dtype=float)
    short = np.array([records[k].shortage_cost for k in short_items(data)], dtype=float)
    fixed = t.fixed_cost[fixed_suppliers(ctx)]
    prices = np.concatenate([cost, spot, short, fixed])
    lower = 0.0 if (prices >= 0).all() else -np.inf
    demand = t.demand
    reach = ctx.contract_reach[ctx.position]
    upper = float(reach @ cost + fixed.sum() + demand[spot_items(data)] @ spot + demand[short_items(data)] @ short)
    return lower, upper if np.isfinite(upper) else np.inf


FAMILY = Eta()
