"""`Route-capacity[r]`: at most a route's capacity is ordered on it per period."""

from __future__ import annotations

import numpy as np

from planner.check.view import PlanView, tol
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, rows, no_rows
from planner.model.context import BuildContext
from planner.model.family import RowFamily, RowRef


class RouteCapacity(RowFamily):
    name = "Route-capacity"
    summary = "what travels on a route in a period stays within its capacity"
    dims = ("route",)
    tier = 100.0  # a ship holds no more than it holds

    def build(self, ctx: BuildContext) -> Rows:
        """`Route-capacity[r]`: for every route with a capacity cap_r and a usable offer on it,
            sum_{o on r} buy[o] <= cap_r
        With several periods, per arrival period t: the offers of one route share its lead time, so the row
        holds what was ordered on the route in t - L_r.
        """
        t = ctx.table
        if not len(t.route_names):
            return no_rows(self.name, self.dims)
        capacity = np.array([ctx.data.routes[str(r)].capacity for r in t.route_names], dtype=float)
        route = t.route[ctx.position]
        on = np.flatnonzero(route >= 0)
        on = on[np.isfinite(capacity[route[on]])]
        routes, row = np.unique(route[on], return_inverse=True)
        return rows(self.name, self.dims, (t.route_names[routes],), row, ctx.start("buy") + on, np.ones(len(on)),
                    np.full(len(routes), -INF), capacity[routes])

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        route = data.routes[str(self.key(index)["route"])]
        return RowRef(self.name, index, (f"{data.cell('Routes', 'capacity', route.row)} capacity {route.capacity:g} "
                                         f"of route '{route.name}'",), max(route.capacity, 1.0))

    def when(self, data: PlanningData, index: tuple, period: str) -> str:
        """The row of arrival period t holds the orders of t - L_r: `for orders in period P1 (arriving in P2)`."""
        lead = data.routes[str(self.key(index)["route"])].lead_time
        if not lead:
            return f"in period {period}"
        names = data.period_names
        return f"for orders in period {names[names.index(period) - lead]} (arriving in {period})"

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        on: dict[str, float] = {}
        for offer, q in plan.entries:
            if offer.route and q > 0:
                on[offer.route] = on.get(offer.route, 0.0) + q
        return [f"Route-capacity: {q:g} travels on route '{name}' against a capacity of {data.routes[name].capacity:g}"
                for name, q in on.items() if q > data.routes[name].capacity + tol(data.routes[name].capacity)]


FAMILY = RouteCapacity()
