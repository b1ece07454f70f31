"""The planner's two-stage mode against the independent formulation (`tests/two_stage_reference.py`) on
seeded random instances, and the properties of EVPI and VSS (workbook-v2 section 3).

Alternative optima make contracts, expected cost and CVaR not unique when 0 < w < 1, so the planner's
plan is judged by what is: its objective (equal to the reference's), its contracts (breaking no rule,
and worth that objective when the reference prices them with each scenario's cheapest recourse), its
scenario costs (those of its own contracts), EVPI (the objective minus a figure of optima alone) and
VSS (when the mean-value plan is unique, as on continuous random prices).
"""

from __future__ import annotations

import dataclasses
import math
import random

import pytest

import planner
from planner.data import (Country, Group, GroupSpec, Item, Offer, PlanningData, Rule, ScenarioHit, Settings,
                          Supplier)
import two_stage_reference as ref

SEEDS = range(30)


def instance(seed: int, hit_nothing: bool = False, binaries: bool = True) -> PlanningData:
    """1-3 items, 3-5 suppliers in 4 countries (two in bloc EU, C0 with no supplier), 2-4 offers an item,
    1-3 scenarios (probabilities summing to at most 0.9, the rest the baseline), spot markets, shortage,
    capacities, fixed costs, minimum orders, exclude / max_share / min_share / min_coverage rows, and a
    risk weight of 0, 0.5 or 1. Every item has an unlimited spot market or a shortage cost, so each
    scenario has a recourse. `hit_nothing`: every Scenarios row hits country C0, where no supplier is.
    `binaries` False: the same instance with every fixed cost and minimum order 0 (a linear program)."""
    rnd = random.Random(seed)
    countries = {"C0": Country("C0"), "C1": Country("C1", blocs=("EU",)), "C2": Country("C2", blocs=("EU",)),
                 "C3": Country("C3", tariff=0.1)}
    suppliers = {}
    for k in range(rnd.randint(3, 5)):
        suppliers[f"S{k}"] = Supplier(f"S{k}", rnd.choice(["C1", "C2", "C3"]),
                                      capacity=rnd.choice([math.inf, math.inf, round(rnd.uniform(80, 300))]),
                                      fixed_cost=rnd.choice([0.0, 0.0, round(rnd.uniform(20, 200), 1)]))
    items, offers = {}, {}
    for i in range(rnd.randint(1, 3)):
        name = f"i{i}"
        unlimited = rnd.random() < 0.6
        shortage = round(rnd.uniform(18, 60), 2) if (not unlimited or rnd.random() < 0.5) else None
        spot = round(rnd.uniform(12, 30), 2) if (unlimited or rnd.random() < 0.6) else None
        items[name] = Item(name, float(rnd.randint(20, 200)), spot_price=spot,
                           spot_capacity=math.inf if unlimited else float(rnd.randint(0, 60)),
                           shortage_cost=shortage)
        for s in rnd.sample(sorted(suppliers), rnd.randint(2, min(4, len(suppliers)))):
            offers[(name, s)] = Offer(name, s, round(rnd.uniform(5, 15), 2),
                                      capacity=rnd.choice([math.inf, math.inf, float(rnd.randint(30, 250))]),
                                      min_order=rnd.choice([0.0, 0.0, 0.0, float(rnd.randint(5, 40))]),
                                      freight=round(rnd.uniform(0, 2), 2))
    hits = []
    left = 0.9
    for k in range(rnd.randint(1, 3)):
        p = round(rnd.uniform(0.05, min(0.4, left)), 3)
        left -= p
        for r in range(rnd.randint(1, 2)):
            group = Group("country", "C0") if hit_nothing else rnd.choice(
                [Group("country", rnd.choice(["C1", "C2", "C3"])), Group("bloc", "EU"),
                 Group("supplier", rnd.choice(sorted(suppliers)))])
            hits.append(ScenarioHit(f"s{k}", group, item=rnd.choice([None, None, rnd.choice(sorted(items))]),
                                    availability=rnd.choice([0.0, 0.0, 0.5, round(rnd.uniform(0, 1), 2)]),
                                    probability=p if r == 0 else None))
    rules = []
    for name in items:
        roll = rnd.random()
        if roll < 0.15:
            rules.append(Rule("exclude", item=name, group=GroupSpec("supplier", rnd.choice(sorted(suppliers)))))
        elif roll < 0.35:
            rules.append(Rule("max_share", item=name, group=GroupSpec("country", rnd.choice(["C1", "C2", "C3"])),
                              value=round(rnd.uniform(0.4, 0.9), 2)))
        elif roll < 0.5:
            rules.append(Rule("min_share", item=name, group=GroupSpec("bloc", "EU"),
                              value=round(rnd.uniform(0.05, 0.3), 2)))
        elif roll < 0.7:
            rules.append(Rule("min_coverage", item=name, value=round(rnd.uniform(0.2, 0.6), 2)))
    settings = Settings(mode="two_stage", risk_weight=rnd.choice([0.0, 0.0, 0.5, 1.0]),
                        cvar_alpha=rnd.choice([0.8, 0.9, 0.95]), mip_gap=1e-9)
    if not binaries:
        suppliers = {k: dataclasses.replace(v, fixed_cost=0.0) for k, v in suppliers.items()}
        offers = {k: dataclasses.replace(v, min_order=0.0) for k, v in offers.items()}
    return PlanningData(items, suppliers, countries, offers, rules=tuple(rules), scenario_hits=tuple(hits),
                        settings=settings)


def contracts_of(plan: planner.Plan) -> dict[tuple[str, str], float]:
    return {(r.item, r.supplier): float(r.contract) for r in plan.contracts.itertuples()}


def scale_of(data: PlanningData) -> float:
    """A money scale for absolute tolerances: the dearest way to meet every demand."""
    return max(1.0, sum(i.demand * 100 for i in data.items.values()))


@pytest.mark.parametrize("seed", SEEDS)
def test_reference_evpi_and_vss_are_not_negative(seed: int):
    """The reference alone: EVPI >= 0 (planning each scenario alone is a relaxation scenario by scenario,
    and (1 - w) E + w CVaR is monotone) and VSS >= 0 (the mean-value contracts are one feasible first
    stage), up to the solver's tolerance; its recomputed objective is HiGHS's."""
    data = instance(seed)
    mine = ref.solve(data)
    if mine.status != "optimal":
        pytest.skip(f"seed {seed}: the first-stage rules cannot all hold (the planner's side is another test)")
    tol = 1e-7 * scale_of(data)
    assert mine.objective == pytest.approx(mine.solver_objective, rel=1e-7, abs=tol)
    assert mine.evpi >= -tol
    assert mine.vss >= -tol
    assert ref.violations(data, mine.contracts) == []


@pytest.mark.parametrize("seed, binaries", [(seed, binaries) for binaries in (True, False) for seed in SEEDS])
def test_planner_equals_the_reference(seed: int, binaries: bool):
    """The planner's plan of a random instance against the reference's: the same status; the same
    objective; contracts that break no rule and whose cheapest recourse is worth that objective; each
    scenario's cost that of its own contracts; the same EVPI and VSS; EVPI, VSS >= 0. The `lp` case
    is the same instance without fixed costs and minimum orders: it tells a disagreement of the on/off
    rows (a contract above demand on an offer with a binary) from one of the rest."""
    data = instance(seed, binaries=binaries)
    mine = ref.solve(data)
    plan = planner.solve(data)
    assert plan.status == mine.status, f"seed {seed}: planner {plan.status}, reference {mine.status}"
    if mine.status != "optimal":
        return
    tol = 1e-6 * scale_of(data)
    assert plan.total_cost == pytest.approx(mine.objective, rel=1e-6, abs=tol), f"seed {seed}"
    theirs = contracts_of(plan)
    assert ref.violations(data, theirs) == [], f"seed {seed}"
    value, costs = ref.evaluate(data, theirs)
    assert value == pytest.approx(mine.objective, rel=1e-6, abs=tol), f"seed {seed}: the planner's contracts"
    assert {r.scenario: float(r.cost) for r in plan.scenario_costs.itertuples()} == \
        pytest.approx(costs, rel=1e-6, abs=tol), f"seed {seed}: scenario costs of the planner's contracts"
    w = data.settings.risk_weight
    if w == 0:
        assert plan.risk["expected_cost"] == pytest.approx(mine.expected_cost, rel=1e-6, abs=tol)
    if w == 1:
        assert plan.risk["cvar"] == pytest.approx(mine.cvar, rel=1e-6, abs=tol)
    assert plan.risk["evpi"] == pytest.approx(mine.evpi, rel=1e-6, abs=tol), f"seed {seed}: EVPI"
    assert plan.risk["vss"] == pytest.approx(mine.vss, rel=1e-6, abs=tol), f"seed {seed}: VSS"
    assert plan.risk["evpi"] >= -tol and plan.risk["vss"] >= -tol


@pytest.mark.parametrize("seed", range(10))
def test_nothing_hit_means_no_value_of_foresight(seed: int):
    """Every scenario hits only country C0, which has no supplier: each scenario is the baseline, so
    planning it alone or for the mean changes nothing: EVPI = VSS = 0, on both sides."""
    data = instance(seed, hit_nothing=True)
    mine = ref.solve(data)
    if mine.status != "optimal":
        pytest.skip(f"seed {seed}: the first-stage rules cannot all hold")
    tol = 1e-7 * scale_of(data)
    assert mine.evpi == pytest.approx(0.0, abs=tol)
    assert mine.vss == pytest.approx(0.0, abs=tol)
    plan = planner.solve(data)
    assert plan.risk["evpi"] == pytest.approx(0.0, abs=tol)
    assert plan.risk["vss"] == pytest.approx(0.0, abs=tol)
