"""`Scenario-demand[s, i]`: in every scenario, what the contracts deliver, the spot market and shortage meet demand."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import BASELINE, PlanningData
from planner.model.blocks import INF, Rows, names, no_rows, rows
from planner.model.context import BuildContext
from planner.model.families._stages import scenario_set, short_items, spot_items
from planner.model.family import RowFamily, RowRef


class ScenarioDemand(RowFamily):
    name = "Scenario-demand"
    summary = "in every scenario, deliveries on the contracts plus spot purchases plus shortage meet demand"
    dims = ("scenario", "item")
    tier = 10.0  # as Item-demand: falling short leaves the business short, but the plan can be carried out

    def build(self, ctx: BuildContext) -> Rows:
        """In the two-stage mode, `Scenario-demand[s, i]` for every scenario s (the baseline included) and item i
        with demand and a variable (an offer, a spot market or a shortage cost):
            sum_{o in O_i} a(s, o) * buy[o] + spot[s, i] + short[s, i] >= d_i
        a(s, o) the availability of offer o in s (1 in the baseline); spot only with a `spot_price`, short only
        with a `shortage_cost`. Deliveries above demand are paid and wasted.
        """
        data = ctx.data
        if not data.two_stage:
            return no_rows(self.name, self.dims)
        found, t = scenario_set(data), ctx.table
        n_i = len(t.item_names)
        spot, short = spot_items(data), short_items(data)
        spot_at = np.full(n_i, -1, dtype=np.int64)
        spot_at[spot] = np.arange(len(spot))
        short_at = np.full(n_i, -1, dtype=np.int64)
        short_at[short] = np.arange(len(short))
        demand = t.demand
        index_s, index_i, lower = [], [], []
        row, column, coef = [], [], []
        for s, scenario in enumerate(found.names):
            level = found.availability[s, ctx.position]
            live = np.flatnonzero((level > 0) & (demand[ctx.item] > 0))
            has = np.zeros(n_i, dtype=bool)
            has[ctx.item[live]] = True
            has |= spot_at >= 0
            has |= short_at >= 0
            items = np.flatnonzero(has & (demand > 0))
            row_of = np.full(n_i, -1, dtype=np.int64)
            row_of[items] = len(lower) + np.arange(len(items))
            index_s += [scenario] * len(items)
            index_i += [t.item_names[k] for k in items]
            lower += demand[items].tolist()
            row.append(row_of[ctx.item[live]])
            column.append(ctx.start("buy") + live)
            coef.append(level[live])
            sp = items[spot_at[items] >= 0]
            row.append(row_of[sp])
            column.append(ctx.start("spot") + s * len(spot) + spot_at[sp])
            coef.append(np.ones(len(sp)))
            sh = items[short_at[items] >= 0]
            row.append(row_of[sh])
            column.append(ctx.start("short") + s * len(short) + short_at[sh])
            coef.append(np.ones(len(sh)))
        n = len(lower)
        return rows(self.name, self.dims, (names(index_s), names(index_i)),
                    np.concatenate(row) if row else np.zeros(0, dtype=np.int64),
                    np.concatenate(column) if column else np.zeros(0, dtype=np.int64),
                    np.concatenate(coef) if coef else np.zeros(0), np.array(lower, dtype=float), np.full(n, INF))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        scenario, item = str(at["scenario"]), str(at["item"])
        record = data.items[item]
        p = data.probabilities.get(scenario, 0.0)
        what = "the baseline (nothing disrupted)" if scenario == BASELINE else f"scenario '{scenario}'"
        return RowRef(self.name, index, (f"{data.where('Items', record, 'demand')} demand {record.demand:g} of "
                                         f"'{item}' in {what}, probability {p:g}",), max(record.demand, 1.0))

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Whether the contracts can meet demand in every scenario: what they deliver (availability from the
        Scenarios rows) plus the most the spot market sells, unless shortage is allowed."""
        if not data.two_stage:
            return []
        bad = []
        for scenario in data.probabilities:
            for item in data.items.values():
                if item.demand <= 0 or item.shortage_cost is not None:
                    continue
                delivered = plan.surviving(scenario, item.name) if scenario != BASELINE else \
                    sum(plan.bought[item.name].values())
                most = delivered + (item.spot_capacity if item.spot_price is not None else 0.0)
                if most < item.demand - tol(item.demand):
                    bad.append(f"Scenario-demand: in scenario '{scenario}' the contracts deliver {delivered:g} of "
                               f"'{item.name}' and the spot market at most "
                               f"{item.spot_capacity if item.spot_price is not None else 0:g}, short of the demand "
                               f"{item.demand:g}, and no shortage is allowed")
        return bad

    def conflicts(self, data: PlanningData) -> list[str]:
        """An item with demand, no usable offer, no spot market and no shortage cost."""
        if not data.two_stage:
            return []
        count = np.bincount(data.table.item[data.usable], minlength=len(data.items))
        return [f"Scenario-demand: {data.where('Items', item, 'demand')} demand {item.demand:g} of '{item.name}' "
                "cannot be met: it has no usable offer, no spot_price and no shortage_cost"
                for code, item in enumerate(data.items.values())
                if item.demand > 0 and not count[code] and item.spot_price is None and item.shortage_cost is None]


FAMILY = ScenarioDemand()
