"""`Scenario-excess[s]`: a scenario's excess is at least its cost above the value at risk (the CVaR's rows)."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView
from planner.data import BASELINE, PlanningData
from planner.model.blocks import Rows, names, no_rows, rows
from planner.model.context import BuildContext
from planner.model.families._stages import scenario_set, short_items, spot_items, with_risk
from planner.model.families._tiers import bands
from planner.model.families.use_supplier import fixed_suppliers
from planner.model.family import RowFamily, RowRef


class ScenarioExcess(RowFamily):
    name = "Scenario-excess"
    summary = "a scenario's excess over the value at risk is at least its cost minus eta (CVaR)"
    dims = ("scenario",)
    tier = None  # the definition of the CVaR: relaxing it would make the risk look smaller, never a way out

    def build(self, ctx: BuildContext) -> Rows:
        """With risk_weight > 0, `Scenario-excess[s]` for every scenario s (the baseline included):
            excess[s] + eta - cost_s >= 0
            cost_s = sum_o a(s, o) c_o buy[o] + sum_{o tiered, k} a(s, o) c_{o,k} tier_buy[o, k]
                     + sum_s' F_s' use_supplier[s'] + sum_i spot_price_i spot[s, i] + shortage_cost_i short[s, i]
        what scenario s costs: landed cost on the units delivered only, fixed costs in every scenario, recourse.
        """
        data = ctx.data
        if not with_risk(data):
            return no_rows(self.name, self.dims)
        found, t = scenario_set(data), ctx.table
        tiers = bands(ctx)
        plain = np.flatnonzero(~tiers.tiered)
        fixed = fixed_suppliers(ctx)
        records = list(data.items.values())
        spot, short = spot_items(data), short_items(data)
        spot_price = np.array([records[k].spot_price for k in spot], dtype=float)
        penalty = np.array([records[k].shortage_cost for k in short], dtype=float)
        row, column, coef = [], [], []
        for s in range(len(found.names)):
            level = found.availability[s]
            parts = [
                (ctx.start("excess") + np.array([s]), np.ones(1)),
                (ctx.start("eta") + np.zeros(1, dtype=np.int64), np.ones(1)),
                (ctx.start("buy") + plain, -level[ctx.position[plain]] * t.cost[ctx.position[plain]]),
                (ctx.start("tier_buy") + np.arange(len(tiers)), -level[ctx.position[tiers.column]] * tiers.cost),
                (ctx.start("use_supplier") + np.arange(len(fixed)), -t.fixed_cost[fixed]),
                (ctx.start("spot") + s * len(spot) + np.arange(len(spot)), -spot_price),
                (ctx.start("short") + s * len(short) + np.arange(len(short)), -penalty),
            ]
            for cols, values in parts:
                keep = values != 0
                row.append(np.full(int(keep.sum()), s, dtype=np.int64))
                column.append(np.asarray(cols)[keep])
                coef.append(values[keep])
        n = len(found.names)
        return rows(self.name, self.dims, (names(list(found.names)),), np.concatenate(row), np.concatenate(column),
                    np.concatenate(coef), np.zeros(n), np.full(n, np.inf))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        scenario = str(self.key(index)["scenario"])
        what = "the baseline" if scenario == BASELINE else f"scenario '{scenario}'"
        return RowRef(self.name, index, (f"the cost of {what} above the value at risk (the CVaR's definition, "
                                         f"Settings risk_weight {data.settings.risk_weight:g})",), 1.0)

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Nothing to check in a plan: the objective's check (`planner/check/stages.py`) recomputes the CVaR from
        each scenario's cheapest recourse."""
        return []


FAMILY = ScenarioExcess()
