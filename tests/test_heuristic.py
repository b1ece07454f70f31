"""The greedy start (planner/heuristic.py) and its hand-over to HiGHS (`HighsModel.solve(start=...)`).

The greedy's plans are checked against capacities, exclusions, caps and supplier counts on random small
instances; a start changes nothing of the optimum, worked out by hand. No test here is timed: the speed of a
start is measured by bench/mip.py --compare-start and bench/mip_tiers.py.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from planner.check import check_plan
from planner.data import Country, GroupSpec, Item, Offer, PlanningData, Rule, Supplier
from planner.heuristic import greedy_plan
from planner.model import build
from planner.solver import HighsModel


def random_data(seed: int) -> PlanningData:
    """3-6 items, 5-9 suppliers in 3 countries (some with a capacity over all items), 3-5 offers per item with
    capacities, country C0 excluded for the first item, at most 60 % of an item from any one country and at
    most 2 suppliers per item."""
    rng = np.random.default_rng(seed)
    countries = {f"C{k}": Country(f"C{k}") for k in range(3)}
    n_suppliers = int(rng.integers(5, 10))
    suppliers = {f"S{k}": Supplier(f"S{k}", f"C{rng.integers(0, 3)}",
                                   capacity=float(rng.integers(40, 200)) if rng.random() < 0.5 else np.inf)
                 for k in range(n_suppliers)}
    items = {f"I{k}": Item(f"I{k}", float(rng.integers(20, 120))) for k in range(int(rng.integers(3, 7)))}
    offers = {}
    for name, item in items.items():
        for s in rng.choice(n_suppliers, int(rng.integers(3, 6)), replace=False).tolist():
            cap = float(rng.integers(5, 100)) if rng.random() < 0.7 else np.inf
            offer = Offer(name, f"S{s}", float(rng.integers(10, 60)), cap,
                          min_order=float(rng.integers(1, 10)) if rng.random() < 0.2 else 0.0)
            offers[offer.key] = offer
    rules = (Rule("exclude", "I0", GroupSpec("country", "C0"), None, row=2),
             Rule("max_share", None, GroupSpec("country"), 0.6, row=3),
             Rule("max_suppliers", None, None, 2.0, row=4))
    return PlanningData(items, suppliers, countries, offers, rules)


@pytest.mark.parametrize("seed", range(25))
def test_greedy_plan_keeps_capacities_exclusions_caps_and_counts(seed: int) -> None:
    """Whatever the greedy buys stays within every offer's and supplier's capacity, buys nothing excluded (every
    offer of the table is a candidate here, the excluded ones too), keeps each country within 60 % of an item,
    uses at most 2 suppliers per item, respects minimum orders and never buys more than an item's demand; the
    independent checker finds nothing wrong but unmet demand (which the greedy may leave where it cannot do
    better)."""
    data = random_data(seed)
    table = data.table
    q = greedy_plan(data, np.arange(len(table)))
    assert q.shape == (len(table),) and q.sum() > 0
    assert (q >= 0).all()
    assert (q <= table.capacity + 1e-9).all()
    assert (q[~data.usable] == 0).all()
    assert ((q == 0) | (q >= table.min_order - 1e-9)).all()
    by_supplier = np.bincount(table.supplier, weights=q, minlength=len(data.suppliers))
    assert (by_supplier <= table.supplier_capacity + 1e-9).all()
    for code, demand in enumerate(table.demand):
        mine = table.item == code
        assert q[mine].sum() <= demand + 1e-9
        assert np.count_nonzero(q[mine]) <= 2
        for country in range(len(data.countries)):
            assert q[mine & (table.country == country)].sum() <= 0.6 * demand + 1e-9
    bought = {key: float(v) for key, v in zip(table.keys, q.tolist()) if v > 0}
    assert [v for v in check_plan(data, bought) if not v.startswith("Item-demand")] == []


def test_greedy_plan_meets_demand_where_cheapest_first_cannot() -> None:
    """Item X, demand 100, at most 2 suppliers: A 40 t at 10, B 40 t at 11, C 60 t at 12, D 60 t at 13.
    Cheapest first would take A and B (80 t) and be stuck at 2 suppliers; the look-ahead refuses B (40 + the
    largest other room, 60, is short of the 60 left after A) and takes A 40 + C 60 = 100 t, 400 + 720 = 1,120."""
    data = PlanningData({"X": Item("X", 100.0)}, {s: Supplier(s, "C") for s in "ABCD"}, {"C": Country("C")},
                        {o.key: o for o in (Offer("X", "A", 10.0, 40.0), Offer("X", "B", 11.0, 40.0),
                                            Offer("X", "C", 12.0, 60.0), Offer("X", "D", 13.0, 60.0))},
                        (Rule("max_suppliers", None, None, 2.0, row=2),))
    q = greedy_plan(data, np.arange(4))
    assert q.tolist() == [40.0, 0.0, 60.0, 0.0]
    assert float(q @ data.table.cost) == pytest.approx(1120.0)


def fixed_cost_data() -> PlanningData:
    """Item X, demand 100, at most 60 % from any one country; suppliers A (country CA, price 10, fixed cost
    300), B (CB, 14, none), C (CC, 11, fixed cost 250), each able to deliver all 100."""
    suppliers = {"A": Supplier("A", "CA", fixed_cost=300.0), "B": Supplier("B", "CB"),
                 "C": Supplier("C", "CC", fixed_cost=250.0)}
    offers = {o.key: o for o in (Offer("X", "A", 10.0), Offer("X", "B", 14.0), Offer("X", "C", 11.0))}
    return PlanningData({"X": Item("X", 100.0)}, suppliers, {c: Country(c) for c in ("CA", "CB", "CC")}, offers,
                        (Rule("max_share", None, GroupSpec("country"), 0.6, row=2),))


def buy_quantities(model, handle: HighsModel) -> dict:
    span = model.column_range("buy")
    assert handle.values is not None
    return {model.columns[0].label(j)[:2]: float(v)
            for j, v in enumerate(handle.values[span.start:span.stop]) if v > 1e-9}


def test_a_start_leaves_the_optimum_as_it_is(caplog: pytest.LogCaptureFixture) -> None:
    """fixed_cost_data: no country above 60 t, so two suppliers deliver. {A, B}: A 60 at 10 + B 40 at 14 + 300 =
    600 + 560 + 300 = 1,460. {B, C}: C 60 at 11 + B 40 + 250 = 660 + 560 + 250 = 1,470. {A, C}: 600 + 440 + 550 =
    1,590. Three suppliers cost both fixed costs and a unit from B or C instead of A: no better. Optimum 1,460.

    The greedy spreads a fixed cost over all a supplier could deliver (100 t): A costs 10 + 3 = 13 per t, C 11 +
    2.5 = 13.5, B 14; it buys A 60 and C 40, 1,590. Handed to HiGHS (HiGHS's log says it took it), the solve
    still ends at 1,460, as without a start, and the plan passes the independent check."""
    data = fixed_cost_data()
    model = build(data)
    start = greedy_plan(data, model.offers)
    assert dict(zip(model.columns[0].coord("supplier").tolist(), start.tolist())) == {"A": 60.0, "B": 0.0, "C": 40.0}
    plain = HighsModel(model)
    without = plain.solve(10.0, 1e-9)
    caplog.set_level(logging.INFO, logger="planner.solver-log")
    handle = HighsModel(model)  # after the level is set: new_highs then sends HiGHS's log to the logger
    outcome = handle.solve(10.0, 1e-9, start={"buy": start})
    assert handle.start_report is not None and handle.start_report.accepted
    assert handle.start_report.objective == pytest.approx(1590.0)
    assert any("MIP start solution is feasible: objective value is 1590" in r.getMessage() for r in caplog.records)
    assert without.status == outcome.status == "optimal"
    assert without.objective == pytest.approx(1460.0) and outcome.objective == pytest.approx(1460.0)
    quantities = buy_quantities(model, handle)
    assert quantities == pytest.approx({("X", "A"): 60.0, ("X", "B"): 40.0})
    assert check_plan(data, quantities, outcome.objective) == []


def test_a_start_that_breaks_the_rules_is_dropped() -> None:
    """A start that buys nothing cannot meet the demand of 100: its completion is infeasible, the report says
    so, and the solve goes on without it to the same optimum, 1,460 (test_a_start_leaves_the_optimum_as_it_is)."""
    model = build(fixed_cost_data())
    handle = HighsModel(model)
    outcome = handle.solve(10.0, 1e-9, start={"buy": np.zeros(3)})
    assert handle.start_report is not None and not handle.start_report.accepted
    assert "does not complete to a feasible plan" in handle.start_report.message
    assert outcome.status == "optimal" and outcome.objective == pytest.approx(1460.0)


def test_an_lp_ignores_a_start() -> None:
    """Without fixed costs the model is an LP: nothing to start, the optimum is A 60 at 10 + C 40 at 11 = 1,040."""
    data = fixed_cost_data()
    data = PlanningData(data.items, {k: Supplier(k, s.country) for k, s in data.suppliers.items()}, data.countries,
                        data.offers, data.rules)
    model = build(data)
    handle = HighsModel(model)
    outcome = handle.solve(10.0, 1e-9, start={"buy": greedy_plan(data, model.offers)})
    assert handle.start_report is None
    assert outcome.objective == pytest.approx(1040.0)


def test_a_start_of_the_wrong_length_is_an_error() -> None:
    model = build(fixed_cost_data())
    with pytest.raises(ValueError, match="2 values for 3 columns of buy"):
        HighsModel(model).solve(10.0, 1e-9, start={"buy": np.zeros(2)})
