"""The independent checker must catch each kind of broken plan, or it proves nothing."""

from __future__ import annotations

import math

import pytest

from planner.check import check_plan
from planner.data import Country, Group, GroupSpec, Item, Offer, PlanningData, Rule, ScenarioHit, Supplier


def data(*rules: Rule) -> PlanningData:
    """A: 100; S1 (CN, tariff 10 %) at 10, capacity 80; S2 (DE, EU) at 12, min order 20; S3 (RU) at 9."""
    return PlanningData(
        items={"A": Item("A", 100)},
        suppliers={"S1": Supplier("S1", "CN"), "S2": Supplier("S2", "DE", 90, 50), "S3": Supplier("S3", "RU")},
        countries={"CN": Country("CN", tariff=0.1), "DE": Country("DE", blocs=("EU",)), "RU": Country("RU")},
        offers={("A", "S1"): Offer("A", "S1", 10, capacity=80), ("A", "S2"): Offer("A", "S2", 12, min_order=20),
                ("A", "S3"): Offer("A", "S3", 9)},
        rules=rules,
        scenario_hits=(ScenarioHit("cn", Group("country", "CN"), None, 0.0),),
    )


def test_a_good_plan_passes() -> None:
    """60 from S1 at 11 and 40 from S2 at 12 plus its fixed 50: 660 + 480 + 50 = 1190."""
    assert check_plan(data(), {("A", "S1"): 60, ("A", "S2"): 40}, 1190) == []


@pytest.mark.parametrize("rules, plan, objective, fragment", [
    ((), {("A", "S1"): 60, ("A", "S2"): 30}, None, "Item-demand: buys 90 of 'A' against a demand of 100"),
    ((), {("A", "S1"): 90, ("A", "S2"): 10}, None, "Offer-capacity: 90 of 'A' from 'S1' exceeds capacity 80"),
    ((), {("A", "S1"): 80, ("A", "S2"): 10, ("A", "S3"): 10}, None, "Offer-min-order: 10 of 'A' from 'S2'"),
    ((), {("A", "S2"): 100}, None, "Supplier-capacity: buys 100 from 'S2' against a capacity of 90"),
    ((), {("A", "S9"): 100}, None, "made no offer"),
    ((), {("A", "S1"): math.nan, ("A", "S2"): 100}, None, "negative or not finite"),
    ((Rule("exclude", None, GroupSpec("country", "RU")),), {("A", "S3"): 100}, None, "Policy-exclude"),
    ((Rule("max_share", "A", GroupSpec("country"), 0.5),), {("A", "S1"): 60, ("A", "S2"): 40}, None,
     "Policy-max-share: max_share each country 0.5 on A: 'A' from country:CN is 60, above 0.5 of 100"),
    ((Rule("min_share", None, GroupSpec("bloc", "EU"), 0.5),), {("A", "S1"): 60, ("A", "S2"): 40}, None,
     "Policy-min-share"),
    ((Rule("min_coverage", None, None, 0.5),), {("A", "S1"): 60, ("A", "S2"): 40}, None,
     "Policy-min-coverage: min_coverage 0.5 on every item: in scenario 'cn' 40 of 'A' survives, 50 required"),
    ((), {("A", "S1"): 60, ("A", "S2"): 40}, 1140, "Total-cost: the plan costs 1190, the solver reported 1140"),
    ((), {("A", "S1"): 60, ("A", "S2"): 40}, 1250, "Total-cost"),
])
def test_each_broken_rule_is_caught(rules, plan, objective, fragment) -> None:
    problems = check_plan(data(*rules), plan, objective)
    assert any(fragment in p for p in problems), problems
