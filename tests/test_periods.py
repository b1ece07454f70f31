"""Several periods (workbook-v2 section 2): optima a person can check by hand.

Each test states its arithmetic; the hand value is asserted against the
independent formulation (`periods_reference.solve`) and against the
planner (`planner.solve`), and both plans are re-checked rule by rule from
their schedules (`periods_reference.violations`: balances, lead times,
capacities by order period, routes, expansions, Policy per period, the
cost recomputed). Where the plan is unique its schedule is asserted too.
"""

from __future__ import annotations


import math

import pytest

import planner
from periods_reference import Result, make_data, solve, violations
from planner.data import Expansion, GroupSpec, Item, Offer, PlanningData, Route, Rule, ScenarioHit, Supplier, Group


P3 = ("P1", "P2", "P3")


def schedule_of(data: PlanningData, plan) -> dict[tuple[str, str, str], float]:
    """The planner's schedule; one period named "" for a plan without Periods."""
    if data.multi_period:
        return dict(plan.schedule)
    return {(i, s, ""): q for (i, s), q in plan.quantities.items()}


def both(data: PlanningData, expected: float) -> tuple[Result, object]:
    """The reference's and the planner's plans, each at the hand optimum `expected` and breaking nothing."""
    ref = solve(data)
    assert ref.status == "optimal"
    assert ref.objective == pytest.approx(expected, rel=1e-9, abs=1e-7), "the reference misses the hand optimum"
    assert violations(data, ref.schedule, ref.objective, ref.builds, ref.stock) == []
    plan = planner.solve(data)
    assert plan.status == "optimal", plan.message
    assert plan.total_cost == pytest.approx(expected, rel=1e-9, abs=1e-7)
    schedule = schedule_of(data, plan)
    stock = plan.stock_levels if data.multi_period else None
    assert violations(data, schedule, plan.total_cost, dict(plan.builds), stock) == []
    totals: dict[tuple[str, str], float] = {}
    for (i, s, _), q in schedule.items():
        totals[i, s] = totals.get((i, s), 0.0) + q
    assert set(plan.quantities) == {k for k, q in totals.items() if q > 1e-9}
    for key, q in plan.quantities.items():
        assert q == pytest.approx(totals[key], rel=1e-9, abs=1e-9)
    return ref, plan


def same(schedule: dict, expected: dict) -> None:
    got = {k: v for k, v in schedule.items() if abs(v) > 1e-7}
    assert set(got) == set(expected), got
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, abs=1e-6), (k, got)


def rule(kind: str, group: Group | None, value: float | None = None, item: str | None = None,
         period: str | None = None) -> Rule:
    spec = GroupSpec(group.kind, group.name) if group is not None else None
    return Rule(kind, item=item, group=spec, value=value, period=period)


@pytest.mark.parametrize(("holding", "expected", "plan"), [
    # h = 2: P2's units: 10 + 2 (from P1) > 11, so bought in P2; P3's: 10 + 2*2 = 14, 11 + 2 = 13 < 15: bought
    # in P2 and held one period. 10*10 + 20*11 + 2*10 (P2's stock) = 340
    (2.0, 340.0, {("A", "S", "P1"): 10, ("A", "S", "P2"): 20}),
    # h = 0.5: all in P1: 10 + 0.5 < 11 and 10 + 1 < 11 + 0.5 < 15. 30*10 + 0.5*(20 + 10) = 315
    (0.5, 315.0, {("A", "S", "P1"): 30}),
    # h = 5: every rise is below the cost of holding: 100 + 110 + 150 = 360
    (5.0, 360.0, {("A", "S", "P1"): 10, ("A", "S", "P2"): 10, ("A", "S", "P3"): 10}),
])
def test_buy_early_and_store_when_the_price_rises(holding: float, expected: float, plan: dict) -> None:
    """Price 10 in P1, Prices rows 11 in P2 and 15 in P3, demand 10 a period, holding cost h: a unit for
    period u is bought in t <= u at price(t) + h (u - t), the least of those: early iff the rise exceeds
    h times the periods held."""
    data = make_data([Item("A", 10, holding_cost=holding)], [Supplier("S", "X")], [Offer("A", "S", 10)],
                     periods_=P3, prices={("A", "S", "P2"): 11, ("A", "S", "P3"): 15})
    ref, got = both(data, expected)
    same(ref.schedule, plan)
    same(got.schedule, plan)


def test_a_reserve_forces_stock() -> None:
    """min_stock 5, initial stock 8, demand 10 in P1 and P2, price 10, holding 1: P1 must end with 5,
    so buys 10 - 8 + 5 = 7; P2 buys 10 and ends with 5 again. 7*10 + 10*10 + 1*(5 + 5) = 180."""
    data = make_data([Item("A", 10, initial_stock=8, min_stock=5, holding_cost=1)], [Supplier("S", "X")],
                     [Offer("A", "S", 10)], periods_=("P1", "P2"))
    ref, plan = both(data, 180.0)
    for result in (ref.stock, plan.stock_levels):
        assert result[("A", "P1")] == pytest.approx(5) and result[("A", "P2")] == pytest.approx(5)
    same(plan.schedule, {("A", "S", "P1"): 7, ("A", "S", "P2"): 10})


def test_max_stock_caps_buying_early() -> None:
    """Price 10 in P1, 20 in P2 (a Prices row), holding 1, max_stock 4: P1 buys its 10 and 4 to hold,
    P2 the other 6. 14*10 + 4*1 + 6*20 = 264 (without the cap: 20*10 + 10 = 210)."""
    data = make_data([Item("A", 10, holding_cost=1, max_stock=4)], [Supplier("S", "X")], [Offer("A", "S", 10)],
                     periods_=("P1", "P2"), prices={("A", "S", "P2"): 20})
    ref, plan = both(data, 264.0)
    same(plan.schedule, {("A", "S", "P1"): 14, ("A", "S", "P2"): 6})


def expansion_data(*rules: Rule, earliest: str | None = "P2") -> PlanningData:
    """A (country X) at 10, unlimited; B (country Y) at 12, 2 a period; expansion E adds 5 to B's total, costs
    10, delivers one period after it is decided; demand 10 in each of P1..P3."""
    return make_data([Item("A", 10)], [Supplier("A", "X"), Supplier("B", "Y", capacity=2)],
                     [Offer("A", "A", 10), Offer("A", "B", 12)], periods_=P3, rules=rules,
                     expansions=[Expansion("E", "B", 5, fixed_cost=10, lead_time=1, earliest=earliest)])


def test_an_expansion_is_not_built_without_a_rule() -> None:
    """Everything from A: 30 * 10 = 300; building E only adds its fixed cost."""
    ref, plan = both(expansion_data(), 300.0)
    assert ref.builds == {} and dict(plan.builds) == {}


def test_an_expansion_a_min_share_needs_is_built_in_time_and_paid_once() -> None:
    """min_share country:Y 0.5 in P3: B must deliver 5 arriving in P3, above its 2, so E is built; earliest P2
    and lead time 1 leave only P2 (decided in P3 it would deliver in P4). 25*10 + 5*12 + 10 = 320."""
    data = expansion_data(rule("min_share", Group("country", "Y"), 0.5, period="P3"))
    ref, plan = both(data, 320.0)
    assert ref.builds == {"E": "P2"} and dict(plan.builds) == {"E": "P2"}
    same(plan.schedule, {("A", "A", "P1"): 10, ("A", "A", "P2"): 10, ("A", "A", "P3"): 5, ("A", "B", "P3"): 5})


def test_an_expansion_serving_two_periods_is_paid_once() -> None:
    """min_share country:Y 0.5 in P2 and in P3 (two Policy rows), earliest blank: E decided in P1 serves both.
    20*10 + 10*12 + 10 (once) = 330."""
    data = expansion_data(rule("min_share", Group("country", "Y"), 0.5, period="P2"),
                          rule("min_share", Group("country", "Y"), 0.5, period="P3"), earliest=None)
    ref, plan = both(data, 330.0)
    assert ref.builds == {"E": "P1"} and dict(plan.builds) == {"E": "P1"}


def test_an_expansion_too_late_is_infeasible() -> None:
    """min_share country:Y 0.5 in P2 with E earliest P2 and lead time 1: B can deliver 2 < 5 in P2."""
    data = expansion_data(rule("min_share", Group("country", "Y"), 0.5, period="P2"))
    assert solve(data).status == "infeasible"
    assert planner.solve(data).status == "infeasible"


def route_data(*rules: Rule, hits: tuple[ScenarioHit, ...] = ()) -> PlanningData:
    """S1 on route X (lead 0, freight 1): landed 5 + 1 = 6; S2 direct at 9; holding 1; demand 10 in P1..P3."""
    return make_data([Item("A", 10, holding_cost=1)], [Supplier("S1", "C1"), Supplier("S2", "C2")],
                     [Offer("A", "S1", 5, route="X"), Offer("A", "S2", 9)], periods_=P3, rules=rules, hits=hits,
                     routes=[Route("X", lead_time=0, freight=1)])


def test_a_route_excluded_in_one_period() -> None:
    """exclude route:X in P2: P2's demand comes from stock bought on X in P1 (6 + 1 holding = 7 < 9).
    30*6 + 1*10 = 190; nothing arrives on X in P2."""
    ref, plan = both(route_data(rule("exclude", Group("route", "X"), period="P2")), 190.0)
    same(plan.schedule, {("A", "S1", "P1"): 20, ("A", "S1", "P3"): 10})


def test_a_route_closed_by_a_scenario_in_one_period() -> None:
    """Scenarios `ice`: route:X keeps 0 in P2 only; min_coverage 0.6: in P2, 6 must arrive off X (stock does
    not count), the other 4 on X (6 < 7 from stock); P1 and P3 unhit. 60 + (6*9 + 4*6) + 60 = 198."""
    hit = ScenarioHit("ice", Group("route", "X"), availability=0.0, from_period="P2", to_period="P2")
    ref, plan = both(route_data(rule("min_coverage", None, 0.6), hits=(hit,)), 198.0)
    same(plan.schedule, {("A", "S1", "P1"): 10, ("A", "S1", "P2"): 4, ("A", "S2", "P2"): 6, ("A", "S1", "P3"): 10})


def test_a_route_closed_by_a_scenario_in_every_period() -> None:
    """The same scenario with no from/to lasts every period: 3 * 78 = 234."""
    hit = ScenarioHit("ice", Group("route", "X"), availability=0.0)
    both(route_data(rule("min_coverage", None, 0.6), hits=(hit,)), 234.0)


def test_a_lead_time() -> None:
    """S1 at 5 on route R (lead 1), S2 direct at 8; initial stock 5, demand 10 in P1..P3. Nothing on R
    arrives in P1 (ordered before the horizon) and nothing ordered in P3 (it would arrive in P4): P1 buys 5
    from S2, P2 and P3 take 10 each from R, ordered in P1 and P2. 40 + 100 = 140."""
    data = make_data([Item("A", 10, initial_stock=5)], [Supplier("S1", "C1"), Supplier("S2", "C2")],
                     [Offer("A", "S1", 5, route="R"), Offer("A", "S2", 8)], periods_=P3,
                     routes=[Route("R", lead_time=1)])
    ref, plan = both(data, 140.0)
    same(plan.schedule, {("A", "S2", "P1"): 5, ("A", "S1", "P2"): 10, ("A", "S1", "P3"): 10})


def test_a_lead_time_with_a_price_by_order_period() -> None:
    """S1 on R (lead 1) at 5, but 9 for orders placed in P2 (a Prices row): P3's arrival is ordered in P2 and
    costs 9, so P3 is better bought in P1 and held (5 + 1 holding = 6), arriving P2: P2 gets 20 from R.
    Initial stock 10 covers P1; S2 direct at 8. 20*5 + 1*10 = 110."""
    data = make_data([Item("A", 10, initial_stock=10, holding_cost=1)], [Supplier("S1", "C1"), Supplier("S2", "C2")],
                     [Offer("A", "S1", 5, route="R"), Offer("A", "S2", 8)], periods_=P3,
                     routes=[Route("R", lead_time=1)], prices={("A", "S1", "P2"): 9})
    ref, plan = both(data, 110.0)
    same(plan.schedule, {("A", "S1", "P2"): 20})


def test_route_capacity_per_order_period() -> None:
    """Route R (lead 1) carries at most 6 per order period; S1 on it at 5, S2 direct at 8, demand 10 in P1..P3,
    initial stock 10, holding 0.5: P2 and P3 get 6 each on R (ordered in P1, P2), 4 each from S2.
    2 * (6*5 + 4*8) = 124."""
    data = make_data([Item("A", 10, initial_stock=10, holding_cost=0.5)],
                     [Supplier("S1", "C1"), Supplier("S2", "C2")],
                     [Offer("A", "S1", 5, route="R"), Offer("A", "S2", 8)], periods_=P3,
                     routes=[Route("R", lead_time=1, capacity=6)])
    ref, plan = both(data, 124.0)
    same(plan.schedule, {("A", "S1", "P2"): 6, ("A", "S1", "P3"): 6, ("A", "S2", "P2"): 4, ("A", "S2", "P3"): 4})


def test_fixed_cost_paid_once_over_the_horizon() -> None:
    """S: 10 a unit and a fixed cost of 100; T: 18, none; demand 10 in P1..P3, holding 0.5 (so that each
    period buys its own). S in every period pays 100 once: 300 + 100 = 400 (T alone: 540; S paying per
    period would be 600)."""
    data = make_data([Item("A", 10, holding_cost=0.5)], [Supplier("S", "X", fixed_cost=100), Supplier("T", "Y")],
                     [Offer("A", "S", 10), Offer("A", "T", 18)], periods_=P3)
    ref, plan = both(data, 400.0)
    assert ref.used == {"S"}
    same(plan.schedule, {("A", "S", t): 10 for t in P3})


def test_min_order_holds_per_period() -> None:
    """S at 10 with min_order 15, T at 12; demand 10 in P1 and P2, holding 1. Per period each order of S is 0
    or >= 15: S 20 in P1 and 10 held = 200 + 10 = 210 (S 15 + T 5: 215; T alone: 240; S 15 twice: 325).
    Over the horizon, S 10 + 10 = 200 would do."""
    data = make_data([Item("A", 10, holding_cost=1)], [Supplier("S", "X"), Supplier("T", "Y")],
                     [Offer("A", "S", 10, min_order=15), Offer("A", "T", 12)], periods_=("P1", "P2"))
    ref, plan = both(data, 210.0)
    same(plan.schedule, {("A", "S", "P1"): 20})


def test_max_spend_over_the_horizon() -> None:
    """max_spend supplier:S 150, blank item and period: one budget over both periods. S at 10, T at 15,
    demand 10 in P1 and P2: 15 units from S (150), 5 from T (75) = 225 (per period it would be 200)."""
    data = make_data([Item("A", 10)], [Supplier("S", "X"), Supplier("T", "Y")],
                     [Offer("A", "S", 10), Offer("A", "T", 15)], periods_=("P1", "P2"),
                     rules=[rule("max_spend", Group("supplier", "S"), 150)])
    both(data, 225.0)


def test_max_spend_in_one_period() -> None:
    """max_spend supplier:S 30 in P1: P1 takes 3 from S and 7 from T, P2 10 from S: 30 + 105 + 100 = 235."""
    data = make_data([Item("A", 10)], [Supplier("S", "X"), Supplier("T", "Y")],
                     [Offer("A", "S", 10), Offer("A", "T", 15)], periods_=("P1", "P2"),
                     rules=[rule("max_spend", Group("supplier", "S"), 30, period="P1")])
    ref, plan = both(data, 235.0)
    same(plan.schedule, {("A", "S", "P1"): 3, ("A", "T", "P1"): 7, ("A", "S", "P2"): 10})


def test_capacity_sheet_overrides_by_period() -> None:
    """S at 10 (Offers capacity 10, Capacity row 4 in P2), T at 13, holding 1, demand 10 in P1, P2: P2's other
    6 come from S in P1 (11 < 13), which can order 10 only: P1 S 10, P2 S 4 + T 6 = 100 + 40 + 78 = 218."""
    data = make_data([Item("A", 10, holding_cost=1)], [Supplier("S", "X"), Supplier("T", "Y")],
                     [Offer("A", "S", 10, capacity=10), Offer("A", "T", 13)], periods_=("P1", "P2"),
                     capacities={("S", "A", "P2"): 4})
    ref, plan = both(data, 218.0)
    same(plan.schedule, {("A", "S", "P1"): 10, ("A", "S", "P2"): 4, ("A", "T", "P2"): 6})


def test_demand_sheet_by_period() -> None:
    """Demand rows 4 in P1 and 7 in P2 (Items demand 10 unused), price 3 then 5 (a Prices row), holding 1:
    P2 is bought in P1 (3 + 1 < 5): 11*3 + 7*1 = 40."""
    data = make_data([Item("A", 10, holding_cost=1)], [Supplier("S", "X")], [Offer("A", "S", 3)],
                     periods_=("P1", "P2"), demands={("A", "P1"): 4, ("A", "P2"): 7}, prices={("A", "S", "P2"): 5})
    ref, plan = both(data, 40.0)
    same(plan.schedule, {("A", "S", "P1"): 11})


def one_period(periods_: tuple[str, ...]) -> PlanningData:
    """S1 (country X) at 10 on route R (freight 1: landed 11, capacity 5), S2 (Y) at 12; max_share country:X
    0.6; demand 10."""
    return make_data([Item("A", 10)], [Supplier("S1", "X"), Supplier("S2", "Y")],
                     [Offer("A", "S1", 10, route="R"), Offer("A", "S2", 12)], periods_=periods_,
                     routes=[Route("R", lead_time=0, freight=1, capacity=5)],
                     rules=[rule("max_share", Group("country", "X"), 0.6)])


def test_a_one_period_sheet_gives_the_plan_without_periods() -> None:
    """5 on R (its capacity, below the 6 the share allows) at 11, 5 from S2 at 12: 55 + 60 = 115, with a
    Periods sheet of one row (multi-period) and without one."""
    with_sheet = one_period(("P1",))
    assert with_sheet.multi_period
    _, a = both(with_sheet, 115.0)
    _, b = both(one_period(()), 115.0)
    assert a.quantities == pytest.approx(b.quantities)


def test_without_periods_a_route_is_freight_and_capacity() -> None:
    """Without Periods a route adds its freight and capacity and its lead time has no effect: the plan of
    S1 on R (lead 2, freight 1, capacity 5) is exactly today's plan of S1 with freight 1 and capacity 5
    on the offer. 5*11 + 5*12 = 115 (no max_share here)."""
    routed = make_data([Item("A", 10)], [Supplier("S1", "X"), Supplier("S2", "Y")],
                       [Offer("A", "S1", 10, route="R"), Offer("A", "S2", 12)],
                       routes=[Route("R", lead_time=2, freight=1, capacity=5)])
    today = make_data([Item("A", 10)], [Supplier("S1", "X"), Supplier("S2", "Y")],
                      [Offer("A", "S1", 10, freight=1, capacity=5), Offer("A", "S2", 12)])
    _, a = both(routed, 115.0)
    _, b = both(today, 115.0)
    assert a.quantities == b.quantities and a.total_cost == b.total_cost
    assert a.schedule == {} and a.stock_levels == {} and a.builds == {}
    assert not math.isnan(a.total_cost)


def test_an_item_served_from_initial_stock_needs_no_offer() -> None:
    """exclude supplier:S in P1 (the only period) leaves A no offer, but its initial stock 12 covers the demand 8:
    4 units held at 2.5 = 10."""
    data = make_data([Item("A", 8, initial_stock=12, holding_cost=2.5)], [Supplier("S", "X")], [Offer("A", "S", 11)],
                     periods_=("P1",), rules=[rule("exclude", Group("supplier", "S"), period="P1")])
    ref, plan = both(data, 10.0)
    assert plan.stock_levels[("A", "P1")] == pytest.approx(4)


def test_coverage_in_a_period_the_scenario_does_not_last() -> None:
    """The scenario stops S (A's only offer) from P2 on; min_coverage 0.5 holds in P1 only, where the scenario does
    not last: nothing to cover. S at 3, demand 10 in P1 and P2: 60."""
    hit = ScenarioHit("stop", Group("supplier", "S"), availability=0.0, from_period="P2")
    data = make_data([Item("A", 10)], [Supplier("S", "X")], [Offer("A", "S", 3)], periods_=("P1", "P2"),
                     rules=[rule("min_coverage", None, 0.5, period="P1")], hits=(hit,))
    both(data, 60.0)


def test_min_share_of_a_group_that_cannot_arrive_is_infeasible() -> None:
    """min_share country:X 0.3 in every period, X's only offer on route R with lead time 1: nothing of X
    arrives in P1 (it would be ordered before the horizon)."""
    data = make_data([Item("A", 10)], [Supplier("S1", "X"), Supplier("S2", "Y")],
                     [Offer("A", "S1", 5, route="R"), Offer("A", "S2", 8)], periods_=("P1", "P2"),
                     routes=[Route("R", lead_time=1)], rules=[rule("min_share", Group("country", "X"), 0.3)])
    assert solve(data).status == "infeasible"
    assert planner.solve(data).status == "infeasible"


def test_coverage_of_an_item_the_scenario_does_not_hit() -> None:
    """A: S (X) at 1, T (Y) at 2; B: T only, at 1 then 5 in P2 (a Prices row), holding 1; demand 10 a period in P1,
    P2. Scenario `s`: supplier:S keeps 0 in P2; min_coverage 0.5 on every item. A: P1 10 from S (10), P2 5 from
    T and 5 from S (15); B is not hit: P2's 10 bought in P1 (1 + 1 < 5): 20 + 10 held. 10 + 15 + 30 = 55."""
    hit = ScenarioHit("s", Group("supplier", "S"), availability=0.0, from_period="P2", to_period="P2")
    data = make_data([Item("A", 10), Item("B", 10, holding_cost=1)], [Supplier("S", "X"), Supplier("T", "Y")],
                     [Offer("A", "S", 1), Offer("A", "T", 2), Offer("B", "T", 1)], periods_=("P1", "P2"),
                     prices={("B", "T", "P2"): 5}, rules=[rule("min_coverage", None, 0.5)], hits=(hit,))
    ref, plan = both(data, 55.0)
    same(plan.schedule, {("A", "S", "P1"): 10, ("A", "S", "P2"): 5, ("A", "T", "P2"): 5, ("B", "T", "P1"): 20})
