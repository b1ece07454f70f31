"""Hand-made multi-period data and plans, for the plan workbook of several periods before (and besides) the model.

`three_periods()` is the example every test of the multi-period outputs works from; its numbers are worked out
in `HAND_CHECKED` so that each test can state the arithmetic it asserts.
"""

from __future__ import annotations

from planner.data import (Country, Expansion, Group, Item, Offer, Period, PeriodValue, PlanningData, Route, Rule,
                          ScenarioHit, Supplier)
from planner.results import Plan

HAND_CHECKED = """
Periods P1, P2, P3. Item A (t): demand 100, 150 in P2 (Demand row); initial stock 20, reserve (min_stock) 10,
holding cost 2 per t and period. S1 (C1, bloc B1, fixed cost 500) sells A at 10 direct, 12 for orders placed in
P3 (Prices row), capacity 90 in P1 (Capacity row), 120 otherwise; S2 (C2, no bloc) sells A at 8 on route SEA
(lead time 1, freight 1, capacity 200 per period): landed 9. Expansion X1 adds 50 to S1's offer of A, costs 300,
delivers one period after it is decided.

Schedule (arrivals): P1: S1 90. P2: S1 60, S2 90 (ordered in P1). P3: S1 10 (ordered in P3 at 12), S2 100
(ordered in P2). X1 decided in P1, delivering from P2: S1's capacity of A is 90, 170, 170.
Stock: P1 20 + 90 - 100 = 10; P2 10 + 150 - 150 = 10; P3 10 + 110 - 100 = 20. Holding 20, 20, 40 = 80.
Landed cost by ORDER period: P1 S1 90 * 10 + S2 90 * 9 = 1710; P2 S1 60 * 10 + S2 100 * 9 = 1500; P3 S1 10 * 12
= 120; in all 3330. Fixed: S1 500 (its first order, P1), X1 300 (P1). Periods: P1 1710 + 500 + 300 + 20 = 2530,
P2 1500 + 20 = 1520, P3 120 + 40 = 160; total 4210.
SEA: ordered 90 in P1 (arrives P2), 100 in P2 (arrives P3), 0 in P3: 45 %, 50 %, 0 % of 200; freight 90, 100, 0.
Shares of A in P2: C1 60 / 150 = 40 %, C2 90 / 150 = 60 %. Scenario `C2 stop` (C2 keeps 0, P2 to P3), coverage
30 %: P2 60 / 150 = 40 % covered, P3 10 / 100 = 10 %, short 0.3 * 100 - 10 = 20.
"""


def three_periods() -> PlanningData:
    return PlanningData(
        items={"A": Item("A", 100.0, "t", initial_stock=20.0, holding_cost=2.0, min_stock=10.0)},
        suppliers={"S1": Supplier("S1", "C1", fixed_cost=500.0), "S2": Supplier("S2", "C2")},
        countries={"C1": Country("C1", "Country one", ("B1",)), "C2": Country("C2", "Country two")},
        offers={("A", "S1"): Offer("A", "S1", 10.0, capacity=120.0),
                ("A", "S2"): Offer("A", "S2", 8.0, route="SEA")},
        rules=(Rule("min_coverage", value=0.3),),
        scenario_hits=(ScenarioHit("C2 stop", Group("country", "C2"), availability=0.0, from_period="P2"),),
        periods=(Period("P1"), Period("P2"), Period("P3")),
        demands={("A", "P2"): PeriodValue("P2", 150.0, "A")},
        capacities={("S1", "A", "P1"): PeriodValue("P1", 90.0, "A", "S1")},
        prices={("A", "S1", "P3"): PeriodValue("P3", 12.0, "A", "S1")},
        routes={"SEA": Route("SEA", lead_time=1, freight=1.0, capacity=200.0)},
        expansions={"X1": Expansion("X1", "S1", 50.0, item="A", fixed_cost=300.0, lead_time=1)},
    )


SCHEDULE = {("A", "S1", "P1"): 90.0, ("A", "S1", "P2"): 60.0, ("A", "S2", "P2"): 90.0,
            ("A", "S1", "P3"): 10.0, ("A", "S2", "P3"): 100.0}
BUILDS = {"X1": "P1"}


def plan_of(data: PlanningData, schedule: dict[tuple[str, str, str], float], builds: dict[str, str] | None = None
            ) -> Plan:
    """The plan a model of several periods gives for this schedule and these builds (`results.build_periods_plan`,
    which ends with `timeline.fill`)."""
    from planner.results import build_periods_plan

    return build_periods_plan(data, dict(schedule), dict(builds or {}))


def example_workbook(path, p3_price: float = 12.0):  # noqa: ANN001, ANN201 - a Path in, the Path out
    """`three_periods()` as an input workbook (S1's P3 price `p3_price`), as a person would write it."""
    from helpers import write_workbook

    return write_workbook(path, {
        "Items": [["A", 100, "t", 20, 2, None, 10]],
        "Suppliers": [["S1", "C1", None, 500], ["S2", "C2", None, 0]],
        "Countries": [["C1", "Country one", "B1", 0], ["C2", "Country two", "", 0]],
        "Offers": [["A", "S1", 10, 120, None, None, None], ["A", "S2", 8, None, None, None, "SEA"]],
        "Policy": [["min_coverage", None, None, 0.3]],
        "Scenarios": [["C2 stop", None, "country:C2", 0, "P2", None]],
        "Periods": [["P1"], ["P2"], ["P3"]],
        "Demand": [["A", "P2", 150]],
        "Capacity": [["S1", "A", "P1", 90]],
        "Prices": [["S1", "A", "P3", p3_price]],
        "Routes": [["SEA", 1, 1, 200]],
        "Expansions": [["X1", "S1", "A", 50, 300, 1, None]],
    }, headers={
        "Items": ["item", "demand", "unit", "initial_stock", "holding_cost", "max_stock", "min_stock"],
        "Offers": ["item", "supplier", "price", "capacity", "min_order", "freight", "route"],
        "Scenarios": ["scenario", "item", "group", "availability", "from_period", "to_period"],
        "Periods": ["period"], "Demand": ["item", "period", "demand"],
        "Capacity": ["supplier", "item", "period", "capacity"], "Prices": ["supplier", "item", "period", "price"],
        "Routes": ["route", "lead_time", "freight", "capacity"],
        "Expansions": ["expansion", "supplier", "item", "capacity", "fixed_cost", "lead_time", "earliest"],
    })
