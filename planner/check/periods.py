"""The check of a plan of several periods, from its schedule alone (workbook-v2 section 2).

A plan of several periods is a schedule: what of each offer arrives in each
period, and the period each built expansion is decided in. Stock is not
read from the solver: it is recomputed here from the initial stock, what
arrives and the demand, exactly as the contract states the balance. Each
period is then checked like a plan of one period against that period's
world (its demand, its Policy and Scenarios rows, the capacities and prices
of the periods orders are placed in), and what spans periods (stock, a
supplier's capacity by order period, expansions, a budget over the horizon,
the fixed cost paid once) by the families built over the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from planner.check.view import PlanView, tol
from planner.data import PlanningData

Schedule = dict[tuple[str, str, str], float]  # (item, supplier, arrival period) -> quantity


@dataclass
class Timeline:
    """A plan's schedule as the checks of several periods read it."""

    data: PlanningData
    schedule: Schedule
    builds: dict[str, str] = field(default_factory=dict)  # expansion -> the period it is decided in

    @cached_property
    def _order(self) -> dict[str, int]:
        return {name: k for k, name in enumerate(self.data.period_names)}

    @cached_property
    def _arrivals(self) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = {}
        for (item, _, period), q in self.schedule.items():
            out[item, period] = out.get((item, period), 0.0) + q
        return out

    @cached_property
    def _orders(self) -> dict[tuple[str, str | None, str], float]:
        """(supplier, item, order period) and (supplier, None, order period) -> what is ordered."""
        names = self.data.period_names
        out: dict[tuple[str, str | None, str], float] = {}
        for (item, supplier, period), q in self.schedule.items():
            offer = self.data.offers.get((item, supplier))
            if offer is None or period not in self._order:
                continue
            lead = self.data.routes[offer.route].lead_time if offer.route else 0
            at = self._order[period] - lead
            if at < 0:
                continue  # reported by `lead_times`
            for key in ((supplier, item, names[at]), (supplier, None, names[at])):
                out[key] = out.get(key, 0.0) + q
        return out

    def arrivals(self, item: str, period: str) -> float:
        return self._arrivals.get((item, period), 0.0)

    def ordered(self, supplier: str, item: str | None, period: str) -> float:
        """What is ordered from the supplier (of one item, or of all with None) in a period: arrival minus the
        route's lead time."""
        return self._orders.get((supplier, item, period), 0.0)

    @cached_property
    def _stock(self) -> dict[tuple[str, str], float]:
        out = {}
        for item in self.data.items.values():
            held = item.initial_stock
            for period in self.data.period_names:
                demand = self.data.demands[item.name, period].value if (item.name, period) in self.data.demands \
                    else item.demand
                held = held + self.arrivals(item.name, period) - demand
                out[item.name, period] = held
        return out

    def stock(self, item: str, period: str) -> float:
        """stock(t) = stock(t-1) + arrivals(t) - demand(t), stock(0) = initial_stock."""
        return self._stock[item, period]

    def built(self, supplier: str, item: str | None, period: str) -> float:
        """The capacity the built expansions of the supplier's total (`item` None) or of its offer of `item` add
        in a period: those decided in t' with t' + lead_time <= the period."""
        at = self._order[period]
        return sum(e.capacity for name, decided in self.builds.items()
                   for e in [self.data.expansions.get(name)] if e is not None and e.supplier == supplier
                   and e.item == item and decided in self._order and self._order[decided] + e.lead_time <= at)

    def lead_times(self) -> list[str]:
        """Arrivals that would have been ordered before the first period, and periods that are not in Periods."""
        bad = []
        for (item, supplier, period), q in self.schedule.items():
            offer = self.data.offers.get((item, supplier))
            if period not in self._order:
                bad.append(f"buys {q:g} of '{item}' from '{supplier}' in period {period}, which is not in Periods")
            elif offer is not None and offer.route and self._order[period] < self.data.routes[offer.route].lead_time:
                bad.append(f"Lead-time: {q:g} of '{item}' from '{supplier}' arrives in period {period}, but route "
                           f"'{offer.route}' takes {self.data.routes[offer.route].lead_time} period(s): it would have "
                           "been ordered before the first period")
        return bad


def check_periods(data: PlanningData, schedule: Schedule, builds: dict[str, str] | None = None,
                  objective: float | None = None) -> list[str]:
    """Every violated rule of a plan of several periods, as a sentence (empty: the plan obeys the contract).

    Order: the schedule's own faults (unknown periods, arrivals before a lead time allows), then period by
    period every family built per period (as `check_plan` checks one period, each message prefixed with the
    period), then the families built over the horizon, the rules over the whole horizon (`max_spend` with a blank
    period), and the objective when the solver's is given.
    """
    from planner.check import check_plan
    from planner.model import registry
    from planner.model.periods import horizon_rule, world

    plan = Timeline(data, {k: q for k, q in schedule.items() if q != 0.0}, dict(builds or {}))
    bad = plan.lead_times()
    landed = 0.0
    used: set[str] = set()
    spent: dict[int, dict[tuple[str, str], float]] = {}
    horizon_rules = [r for r in data.rules if horizon_rule(data, r)]
    by_period: dict[str, dict[tuple[str, str], float]] = {p: {} for p in data.period_names}
    for (item, supplier, p), q in plan.schedule.items():
        if p in by_period:  # a period not in Periods is reported by `lead_times`
            by_period[p][item, supplier] = by_period[p].get((item, supplier), 0.0) + q
    leads = {key: data.routes[o.route].lead_time for key, o in data.offers.items() if o.route}
    longest = max(leads.values(), default=0)
    for t, period in enumerate(data.period_names):
        w = world(data, t)
        quantities = by_period[period]
        # what can arrive in t: ordered in t - lead >= 0 (the route's lead time; 0 for a direct offer)
        arrivable = None if t >= longest else {key for key, lead in leads.items() if lead <= t}
        view = PlanView.of(w, quantities, arrivable)
        found = check_plan(w, quantities, skip_rules=tuple(horizon_rules), in_period=True, view=view)
        bad += [f"in period {period}: {m}" for m in found]
        cost, suppliers = view.cost(fixed=False)
        landed += cost
        used |= suppliers
        for k, rule in enumerate(horizon_rules):
            by_group, _ = view.spend_by_group(rule, together=True)
            for key, value in by_group.items():
                spent.setdefault(k, {})[key] = spent.get(k, {}).get(key, 0.0) + value
    for family in registry.checked():
        if family.periods == "horizon":
            bad += family.check_horizon(data, plan)
    for k, rule in enumerate(horizon_rules):
        limit = rule.value or 0.0
        for (item, group), value in spent.get(k, {}).items():
            if value > limit + tol(limit):
                on = "every item together" if item == "every item" else repr(item)
                bad.append(f"Policy-max-spend: {rule.label()}: landed spend on {on} from {group} over the horizon is "
                           f"{value:,.2f}, above {limit:,.2f}")
    if objective is not None:
        holding = sum(item.holding_cost * max(plan.stock(item.name, p), 0.0)
                      for item in data.items.values() if item.holding_cost for p in data.period_names)
        fixed = sum(data.suppliers[s].fixed_cost for s in used)
        built = sum(data.expansions[name].fixed_cost for name in plan.builds if name in data.expansions)
        cost = landed + holding + fixed + built
        idle = sum(s.fixed_cost for s in data.suppliers.values() if s.name not in used)
        excess = objective - cost
        # stock is known from the schedule to within each period's quantities' tolerance, carried over to every
        # later period: a holding cost h prices that as h * sum_t (t + 1) tol(d_t), a large h (10^4 the price)
        # beyond the total's own 1e-6
        carried = sum(item.holding_cost * sum((t + 1) * tol(data.demand_in(item.name, p))
                                              for t, p in enumerate(data.period_names))
                      for item in data.items.values() if item.holding_cost)
        slack = 1e-6 * max(1.0, abs(cost)) + carried
        if not (-slack <= excess <= idle + slack):
            bad.append(f"Total-cost: the plan costs {cost:.10g} (landed {landed:.10g}, holding {holding:.10g}, fixed "
                       f"{fixed:.10g}, expansions {built:.10g}), the solver reported {objective:.10g}")
    return bad
