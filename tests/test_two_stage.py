"""Two-stage optima a person can check by hand (workbook-v2 section 3), each asserted on the independent
formulation (`tests/two_stage_reference.py`) and on the planner (`planner.solve`).

The world of every test: one item `ga`, demand 100; supplier A in CN at 10 per unit, supplier B in AU
at 12; one disruption `CN stop` (country:CN keeps 0) with probability 0.1, so the baseline has 0.9.
Landed cost is paid on delivered units only, so a unit contracted from A costs 10 where it arrives
and nothing where it does not.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import planner
from planner.data import (BASELINE, Country, Group, GroupSpec, Item, Offer, PlanningData, Rule, ScenarioHit,
                          Settings, Supplier)
import two_stage_reference as ref

CN_STOP = "CN stop"


def world(spot_price: float | None = None, spot_capacity: float = math.inf, shortage_cost: float | None = None,
          risk_weight: float = 0.0, cvar_alpha: float = 0.9, rules: tuple[Rule, ...] = (),
          hits: tuple[ScenarioHit, ...] | None = None, fixed_b: float = 0.0, min_order_b: float = 0.0) -> PlanningData:
    items = {"ga": Item("ga", 100.0, spot_price=spot_price, spot_capacity=spot_capacity,
                        shortage_cost=shortage_cost)}
    suppliers = {"A": Supplier("A", "CN"), "B": Supplier("B", "AU", fixed_cost=fixed_b)}
    countries = {c: Country(c) for c in ("CN", "AU", "DE")}
    offers = {("ga", "A"): Offer("ga", "A", 10.0), ("ga", "B"): Offer("ga", "B", 12.0, min_order=min_order_b)}
    if hits is None:
        hits = (ScenarioHit(CN_STOP, Group("country", "CN"), availability=0.0, probability=0.1),)
    return PlanningData(items, suppliers, countries, offers, rules=rules, scenario_hits=hits,
                        settings=Settings(mode="two_stage", risk_weight=risk_weight, cvar_alpha=cvar_alpha,
                                          mip_gap=1e-9))


def contracts_of(plan: planner.Plan) -> dict[tuple[str, str], float]:
    table: pd.DataFrame = plan.contracts
    return {(r.item, r.supplier): float(r.contract) for r in table.itertuples() if abs(r.contract) > 1e-9}


def costs_of(plan: planner.Plan) -> dict[str, float]:
    return {r.scenario: float(r.cost) for r in plan.scenario_costs.itertuples()}


def recourse_of(plan: planner.Plan) -> dict[tuple[str, str], tuple[float, float, float]]:
    return {(r.scenario, r.item): (float(r.delivered), float(r.spot), float(r.short))
            for r in plan.recourse.itertuples()}


def flat(recourse: dict[tuple[str, str], tuple[float, float, float]]) -> dict[tuple[str, str, str], float]:
    """(scenario, item) -> (delivered, spot, short) as one number per key, as pytest.approx compares."""
    return {(s, i, what): v for (s, i), values in recourse.items() for what, v in zip(("delivered", "spot", "short"),
                                                                                     values)}


def check(data: PlanningData, objective: float, expected: float, tail: float, contracts: dict, costs: dict,
          evpi: float, vss: float, recourse: dict | None = None) -> None:
    """The hand numbers, on the reference and then on the planner (the same numbers, each named)."""
    mine = ref.solve(data)
    assert mine.status == "optimal"
    assert mine.solver_objective == pytest.approx(objective, rel=1e-9)
    got = {"objective": mine.objective, "expected_cost": mine.expected_cost, "cvar": mine.cvar,
           "evpi": mine.evpi, "vss": mine.vss}
    want = {"objective": objective, "expected_cost": expected, "cvar": tail, "evpi": evpi, "vss": vss}
    assert got == pytest.approx(want, rel=1e-9, abs=1e-7)
    assert {k: v for k, v in mine.contracts.items() if v > 1e-9} == pytest.approx(contracts, rel=1e-9)
    assert mine.scenario_costs == pytest.approx(costs, rel=1e-9)
    if recourse is not None:
        assert flat({k: (r.delivered, r.spot, r.short) for k, r in mine.recourse.items()}) == \
            pytest.approx(flat(recourse), abs=1e-7)

    plan = planner.solve(data)
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(objective, rel=1e-7)
    # a VSS beyond any number (the mean plan's contracts leave a scenario without recourse) is None there
    beyond = {k for k, v in want.items() if math.isinf(v)}
    assert {k: plan.risk[k] for k in beyond} == {k: None for k in beyond}
    assert {k: plan.risk[k] for k in want if k not in beyond} == \
        pytest.approx({k: v for k, v in want.items() if k not in beyond}, rel=1e-7, abs=1e-6)
    assert contracts_of(plan) == pytest.approx(contracts, rel=1e-7)
    assert costs_of(plan) == pytest.approx(costs, rel=1e-7)
    if recourse is not None:
        assert flat(recourse_of(plan)) == pytest.approx(flat(recourse), abs=1e-6)


def test_probabilities_and_availabilities_of_the_reference():
    """`CN stop` 0.1, a second scenario stated on its second row only (0.25; its first row blank), the
    baseline 1 - 0.35 = 0.65. Availability: A (CN) 0 in CN stop; in `half`, rows `country:CN` 0.5 and
    `supplier:A` 0.2 both hit A: the lowest, 0.2; B keeps 1 everywhere."""
    hits = (ScenarioHit(CN_STOP, Group("country", "CN"), availability=0.0, probability=0.1),
            ScenarioHit("half", Group("country", "CN"), availability=0.5),
            ScenarioHit("half", Group("supplier", "A"), availability=0.2, probability=0.25))
    data = world(spot_price=15.0, hits=hits)
    assert ref.probabilities(data) == pytest.approx({CN_STOP: 0.1, "half": 0.25, BASELINE: 0.65})
    offers = list(data.offers.values())
    assert ref.availability(data, "half", offers) == {("ga", "A"): 0.2, ("ga", "B"): 1.0}
    assert ref.availability(data, BASELINE, offers) == {("ga", "A"): 1.0, ("ga", "B"): 1.0}
    assert data.probabilities == pytest.approx(ref.probabilities(data))  # the planner's own reading


def test_no_spot_market_contracts_the_safe_supplier():
    """No spot market, no shortage: in CN stop only B delivers, so B must hold 100 and A adds nothing.
    Both scenarios cost 12 * 100 = 1200: E = CVaR = 1200. Perfect foresight: the baseline alone buys A,
    1000; CN stop alone 1200; E* = 0.9 * 1000 + 0.1 * 1200 = 1020, EVPI = 180. The mean scenario
    (A keeps 0.9) contracts 100 / 0.9 of A, which delivers nothing in CN stop: no recourse there, VSS
    beyond any number (the planner: None)."""
    check(world(), 1200, 1200, 1200, {("ga", "B"): 100}, {CN_STOP: 1200, BASELINE: 1200}, 180, math.inf,
          {(CN_STOP, "ga"): (100, 0, 0), (BASELINE, "ga"): (100, 0, 0)})


def test_spot_market_lets_the_cheap_supplier_take_it_all():
    """Spot at 15, unlimited. A = 100: baseline 1000, CN stop 100 spot = 1500; E = 900 + 150 = 1050.
    B instead (A = 100 - t, B = t): E = 0.9 (1000 + 2t) + 0.1 (1500 - 3t) = 1050 + 1.5 t, so t = 0; more
    than 100 only pays for waste. Perfect foresight: 1000 and min(B 1200, spot 1500) = 1200, E* = 1020,
    EVPI = 30. CVaR_0.9 = the CN stop cost, 1500. The mean scenario buys A at 10 per delivered unit
    (below B's 12 and spot's 15): 100 / 0.9 = 111.11 contracted; then the baseline pays 1111.11 (11.11
    wasted), CN stop 1500: E = 1000 + 150 = 1150, VSS = 100."""
    check(world(spot_price=15.0), 1050, 1050, 1500, {("ga", "A"): 100}, {CN_STOP: 1500, BASELINE: 1000},
          30, 100, {(CN_STOP, "ga"): (0, 100, 0), (BASELINE, "ga"): (100, 0, 0)})


def test_shortage_after_a_limited_spot_market():
    """Spot at 15 up to 40 per scenario, shortage at 25. A = 100: CN stop buys 40 spot (600) and goes 60
    short (1500): 2100; E = 900 + 210 = 1110. Moving t units to B: E = 0.9 (1000 + 2t) + 0.1 (2100 - 13t)
    = 1110 + 0.5 t; adding B on top: + 0.9 * 12 - 0.1 * 13 per unit: both worse. Perfect foresight:
    1000 and 1200 (B), EVPI = 1110 - 1020 = 90. CVaR_0.9 = 2100. Mean plan: 111.11 of A: baseline
    1111.11, CN stop 2100: E = 1000 + 210 = 1210, VSS = 100."""
    check(world(spot_price=15.0, spot_capacity=40.0, shortage_cost=25.0), 1110, 1110, 2100,
          {("ga", "A"): 100}, {CN_STOP: 2100, BASELINE: 1000}, 90, 100,
          {(CN_STOP, "ga"): (0, 40, 60), (BASELINE, "ga"): (100, 0, 0)})


def test_shortage_cheaper_than_spot_goes_short():
    """Spot at 30, shortage at 20 (below the spot price): CN stop goes 100 short, 2000; no spot bought.
    A = 100: E = 900 + 200 = 1100; t units to B: E = 0.9 (1000 + 2t) + 0.1 (2000 - 8t) = 1100 + t, worse.
    Perfect foresight: 1000, 1200; EVPI = 80. CVaR_0.9 = 2000. Mean plan 111.11 of A: E = 1000 + 200
    = 1200, VSS = 100."""
    check(world(spot_price=30.0, shortage_cost=20.0), 1100, 1100, 2000, {("ga", "A"): 100},
          {CN_STOP: 2000, BASELINE: 1000}, 80, 100, {(CN_STOP, "ga"): (0, 0, 100), (BASELINE, "ga"): (100, 0, 0)})


def test_risk_weight_one_minimises_the_tail():
    """Spot at 15, w = 1, alpha = 0.9: CN stop's probability 0.1 is exactly the tail, so CVaR is the
    larger scenario cost. CN stop costs 12 B + 15 (100 - B) = 1500 - 3 B for B <= 100 and 12 B above: at
    least 1200, only at B = 100; then the baseline costs 1200 + 10 A, so A = 0. Objective = CVaR = E =
    1200. Perfect foresight costs 1000 and 1200: CVaR 1200, EVPI = 0. The mean plan (111.11 of A) costs
    1111.11 and 1500: CVaR 1500, VSS = 300."""
    check(world(spot_price=15.0, risk_weight=1.0), 1200, 1200, 1200, {("ga", "B"): 100},
          {CN_STOP: 1200, BASELINE: 1200}, 0, 300, {(CN_STOP, "ga"): (100, 0, 0), (BASELINE, "ga"): (100, 0, 0)})


def test_half_risk_weight_with_a_wider_tail():
    """Spot at 15, w = 0.5, alpha = 0.8: the tail of 0.2 is CN stop (0.1) and 0.1 of the baseline, so
    CVaR = (c_CN + c_base) / 2 when c_CN >= c_base. A = 100 - t, B = t: c_base = 1000 + 2t, c_CN = 1500 -
    3t (>= c_base for t <= 100); E = 1050 + 1.5 t, CVaR = 1250 - 0.5 t; objective 1150 + 0.5 t: t = 0,
    1150 (E 1050, CVaR 1250). Perfect foresight 1000, 1200: E* 1020, CVaR* 1100, 0.5 * 2120 = 1060,
    EVPI = 90. Mean plan: 1111.11 and 1500: E 1150, CVaR 1305.56, objective 1227.78, VSS = 77.78."""
    check(world(spot_price=15.0, risk_weight=0.5, cvar_alpha=0.8), 1150, 1050, 1250, {("ga", "A"): 100},
          {CN_STOP: 1500, BASELINE: 1000}, 90, 1227.7777777777778 - 1150)


def test_min_coverage_holds_on_the_surviving_contracts():
    """Spot at 15 and min_coverage 0.5 on ga: in CN stop the contracts must still deliver 50, so B >= 50.
    B = 50, A = 50: baseline 500 + 600 = 1100, CN stop 600 + 50 spot = 1350: E = 990 + 135 = 1125 (more B
    costs 1.5 a unit as before, less A buys baseline spot at 15). Perfect foresight under the same rule:
    baseline 1100, CN stop B = 100, 1200: E* = 990 + 120 = 1110, EVPI = 15. Mean plan: B = 50 and A =
    50 / 0.9 = 55.56 (mean cost 500 + 600): baseline 555.56 + 600 = 1155.56, CN stop 1350; E = 1040 +
    135 = 1175, VSS = 50."""
    rules = (Rule("min_coverage", item="ga", value=0.5),)
    check(world(spot_price=15.0, rules=rules), 1125, 1125, 1350, {("ga", "A"): 50, ("ga", "B"): 50},
          {CN_STOP: 1350, BASELINE: 1100}, 15, 50, {(CN_STOP, "ga"): (50, 50, 0), (BASELINE, "ga"): (100, 0, 0)})


def test_max_share_on_contracts():
    """Spot at 15 and max_share country:CN 0.7: A <= 70. B = 30: baseline 700 + 360 = 1060, CN stop 360
    + 70 spot = 1410: E = 954 + 141 = 1095; B = 0 instead: baseline 700 + 450 spot, E = 1035 + 150 =
    1185; B above 30 pays 12 for waste in the baseline to save 3 in CN stop. Perfect foresight: 1060
    and 1200 (B = 100): E* = 954 + 120 = 1074, EVPI = 21. Mean: A = 70 (63 delivered, cost 630), B = 37:
    baseline 700 + 444 = 1144 (7 wasted), CN stop 444 + 63 * 15 = 1389; E = 1029.6 + 138.9 = 1168.5,
    VSS = 73.5."""
    rules = (Rule("max_share", item="ga", group=GroupSpec("country", "CN"), value=0.7),)
    check(world(spot_price=15.0, rules=rules), 1095, 1095, 1410, {("ga", "A"): 70, ("ga", "B"): 30},
          {CN_STOP: 1410, BASELINE: 1060}, 21, 73.5)


def test_fixed_cost_is_paid_in_every_scenario():
    """No spot market (B must hold 100, as without fixed costs) and B's fixed cost 50: every scenario pays
    it, 1250 each. Perfect foresight: baseline 1000 (A alone, no fixed cost), CN stop 1250: E* = 900 +
    125 = 1025, EVPI = 225; the mean plan has no recourse in CN stop (VSS beyond any number)."""
    check(world(fixed_b=50.0), 1250, 1250, 1250, {("ga", "B"): 100}, {CN_STOP: 1250, BASELINE: 1250}, 225,
          math.inf)


def test_min_order_above_demand_is_delivered_and_wasted():
    """No spot market and B's min_order 120: B must deliver 100 in CN stop, so it holds 120 (the least
    allowed); all 120 arrive in both scenarios and are paid: 1440 each, E = 1440. Perfect foresight:
    baseline 1000 (A), CN stop 1440; E* = 900 + 144 = 1044, EVPI = 396; VSS beyond any number."""
    check(world(min_order_b=120.0), 1440, 1440, 1440, {("ga", "B"): 120}, {CN_STOP: 1440, BASELINE: 1440}, 396,
          math.inf, {(CN_STOP, "ga"): (120, 0, 0), (BASELINE, "ga"): (120, 0, 0)})


def test_exclude_on_contracts():
    """Spot at 15 and exclude country:CN: only B, 100 at 12 everywhere (below spot): 1200 in each
    scenario; every scenario planned alone is the same plan: EVPI = VSS = 0."""
    rules = (Rule("exclude", item=None, group=GroupSpec("country", "CN")),)
    check(world(spot_price=15.0, rules=rules), 1200, 1200, 1200, {("ga", "B"): 100},
          {CN_STOP: 1200, BASELINE: 1200}, 0, 0)


def test_nothing_hit_has_no_value_of_information():
    """The only scenario hits country:DE, where no supplier is: every scenario is the baseline, A = 100
    costs 1000 in each; EVPI = VSS = 0 (with and without risk weight)."""
    hits = (ScenarioHit("DE stop", Group("country", "DE"), availability=0.0, probability=0.3),)
    for w in (0.0, 1.0):
        check(world(spot_price=15.0, hits=hits, risk_weight=w), 1000, 1000, 1000, {("ga", "A"): 100},
              {"DE stop": 1000, BASELINE: 1000}, 0, 0)


def test_hedging_contract_above_demand_with_a_fixed_cost():
    """No spot market; CN stop also halves AU (B keeps 0.5): B alone must deliver 100 there, so B holds
    200, and B has a fixed cost of 50. Baseline: 200 delivered and paid, 2400 + 50; CN stop: 100
    delivered, 1200 + 50: E = 0.9 * 2450 + 0.1 * 1250 = 2205 + 125 = 2330 (a contract above demand is
    allowed: its binary may not cap it at the demand). Perfect foresight: baseline A alone 1000, CN stop
    1250: E* = 900 + 125 = 1025, EVPI = 1305. CVaR_0.9 = 2450 (the baseline is the larger cost, and has
    all of the tail). The mean plan (A keeps 0.9, B 0.95) buys A only: nothing in CN stop, VSS beyond any
    number."""
    hits = (ScenarioHit(CN_STOP, Group("country", "CN"), availability=0.0, probability=0.1),
            ScenarioHit(CN_STOP, Group("country", "AU"), availability=0.5))
    check(world(hits=hits, fixed_b=50.0), 2330, 2330, 2450, {("ga", "B"): 200}, {CN_STOP: 1250, BASELINE: 2450},
          1305, math.inf, {(CN_STOP, "ga"): (100, 0, 0), (BASELINE, "ga"): (200, 0, 0)})


def test_a_scenario_of_probability_zero_reports_its_cheapest_recourse():
    """Spot at 20, shortage at 15; CN stop 0.1 and `all stop` (CN and AU both stop) with probability 0.
    The objective gives `all stop` no weight, so the solver may leave any recourse there (HiGHS leaves 100
    spot at 20); the plan states the cheapest: nothing delivered, 100 short at 15 = 1500. The contracts:
    A = 100 (CN stop goes short, 1500), E = 0.9 * 1000 + 0.1 * 1500 = 1050; t units to B: E = 1050 +
    1.5 t. EVPI = 1050 - (900 + 0.1 * 1200) = 30 (a scenario of probability 0 adds nothing to the
    wait-and-see cost); the mean plan (A keeps 0.9) buys 111.11 of A: E = 1000 + 150 = 1150, VSS = 100."""
    hits = (ScenarioHit(CN_STOP, Group("country", "CN"), availability=0.0, probability=0.1),
            ScenarioHit("all stop", Group("country", "CN"), availability=0.0, probability=0.0),
            ScenarioHit("all stop", Group("country", "AU"), availability=0.0))
    check(world(spot_price=20.0, shortage_cost=15.0, hits=hits), 1050, 1050, 1500, {("ga", "A"): 100},
          {CN_STOP: 1500, "all stop": 1500, BASELINE: 1000}, 30, 100,
          {(CN_STOP, "ga"): (0, 0, 100), ("all stop", "ga"): (0, 0, 100), (BASELINE, "ga"): (100, 0, 0)})


def test_min_share_on_a_supplier_that_delivers_nothing_when_planned_alone():
    """Spot at 15; one disruption `AU stop` (country:AU keeps 0, so B delivers nothing) with probability
    0.1; min_share country:AU 0.3 (B >= 30 contracted, whatever arrives) and B's min_order 10 (a binary).
    A = 70, B = 30: baseline 700 + 360 = 1060; AU stop 700 + 30 spot = 1150; E = 954 + 115 = 1069. One
    more unit of A pays 10 in both scenarios (wasted in the baseline) to save 15 - 10 in AU stop: 0.9 * 10
    - 0.1 * 5 > 0; one less buys spot at 15 in both; more B pays 12 for waste. CVaR_0.9 = 1150 (AU stop
    is exactly the tail). Perfect foresight: baseline alone the same plan, 1060; AU stop alone holds B =
    30 at no cost (it delivers nothing there, yet counts for the share) and A = 100: 1000. E* = 954 + 100
    = 1054, EVPI = 15 (a bound on B by its deliveries alone, min_order 10, makes AU stop alone
    infeasible). Mean plan (B keeps 0.9): B = 30 delivers 27 at 12 per delivered unit, A = 73 at 10;
    then the baseline pays 730 + 360 = 1090 (3 wasted), AU stop 730 + 27 spot = 1135: E = 981 + 113.5 =
    1094.5, VSS = 25.5."""
    hits = (ScenarioHit("AU stop", Group("country", "AU"), availability=0.0, probability=0.1),)
    rules = (Rule("min_share", item="ga", group=GroupSpec("country", "AU"), value=0.3),)
    check(world(spot_price=15.0, hits=hits, rules=rules, min_order_b=10.0), 1069, 1069, 1150,
          {("ga", "A"): 70, ("ga", "B"): 30}, {"AU stop": 1150, BASELINE: 1060}, 15, 25.5,
          {("AU stop", "ga"): (70, 30, 0), (BASELINE, "ga"): (100, 0, 0)})
