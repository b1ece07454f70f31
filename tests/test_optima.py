"""Exact optima of small instances, each worked out by hand in its docstring.

Every solved plan also passes the independent checker (`helpers.solve_file`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import countries, qty, solve_file, write_workbook

ONE_ITEM = [["A", 100, "t"]]


def test_gams_trnsport_published_optimum(tmp_path: Path) -> None:
    """GAMS model library `trnsport` (Dantzig 1963): optimum 153.675 (thousand USD).

    Plants are suppliers (capacity a_i), markets are items (demand b_j), and
    the offer price is c_ij = 90 * d_ij / 1000 with the distances of the model.
    Its published solution ships seattle->new-york 50, seattle->chicago 300,
    san-diego->new-york 275, san-diego->topeka 275.
    """
    path = write_workbook(tmp_path / "trnsport.xlsx", {
        "Items": [["new-york", 325, "cases"], ["chicago", 300, "cases"], ["topeka", 275, "cases"]],
        "Suppliers": [["seattle", "US", 350, None], ["san-diego", "US", 600, None]],
        "Countries": countries("US"),
        "Offers": [["new-york", "seattle", 0.225], ["chicago", "seattle", 0.153], ["topeka", "seattle", 0.162],
                   ["new-york", "san-diego", 0.225], ["chicago", "san-diego", 0.162], ["topeka", "san-diego", 0.126]],
    })
    _, plan = solve_file(path)
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(153.675, abs=1e-9)
    assert qty(plan, "chicago", "seattle") == pytest.approx(300)
    assert qty(plan, "topeka", "san-diego") == pytest.approx(275)
    assert qty(plan, "new-york", "seattle") + qty(plan, "new-york", "san-diego") == pytest.approx(325)


def two_country_book(tmp_path: Path, policy: list[list] | None = None, **extra) -> Path:
    """Item A, demand 100. CN1 in CN (tariff 10 %): 10 * 1.1 + 1 = 12 per t. DE1 in DE (EU): 11.5 + 1 = 12.5."""
    sheets = {
        "Items": ONE_ITEM,
        "Suppliers": [["CN1", "CN"], ["DE1", "DE"]],
        "Countries": countries("CN", "DE", blocs={"DE": "EU"}, tariffs={"CN": 0.1}),
        "Offers": [["A", "CN1", 10, None, None, 1], ["A", "DE1", 11.5, None, None, 1]],
        **extra,
    }
    if policy is not None:
        sheets["Policy"] = policy
    return write_workbook(tmp_path / "two.xlsx", sheets)


def test_landed_cost_uses_tariff_and_freight(tmp_path: Path) -> None:
    """No rule: all 100 t from CN1 at 12 = 1200 (DE1 costs 12.5)."""
    _, plan = solve_file(two_country_book(tmp_path))
    assert plan.total_cost == pytest.approx(1200)
    assert plan.lines.loc[0, "unit_cost"] == pytest.approx(12)


def test_max_share_country(tmp_path: Path) -> None:
    """CN capped at 60 %: 60 * 12 + 40 * 12.5 = 720 + 500 = 1220."""
    _, plan = solve_file(two_country_book(tmp_path, [["max_share", "A", "CN", 0.6]]))
    assert plan.total_cost == pytest.approx(1220)
    assert qty(plan, "A", "CN1") == pytest.approx(60)


def test_min_share_bloc(tmp_path: Path) -> None:
    """At least 70 % from the EU bloc: 30 * 12 + 70 * 12.5 = 360 + 875 = 1235."""
    _, plan = solve_file(two_country_book(tmp_path, [["min_share", None, "EU", 0.7]]))
    assert plan.total_cost == pytest.approx(1235)


def test_exclude_country(tmp_path: Path) -> None:
    """CN excluded (value blank): all from DE1, 100 * 12.5 = 1250; CN1 gets no variable at all."""
    from planner.model import create_model

    data, plan = solve_file(two_country_book(tmp_path, [["exclude", None, "CN", None]]))
    assert plan.total_cost == pytest.approx(1250)
    assert [k for k in create_model(data).OFFERS] == [("A", "DE1")]


def test_rules_combine(tmp_path: Path) -> None:
    """CN <= 60 % and EU >= 50 %: CN 50 at 12 + DE 50 at 12.5 = 600 + 625 = 1225."""
    _, plan = solve_file(two_country_book(tmp_path, [["max_share", "A", "CN", 0.6], ["min_share", "A", "EU", 0.5]]))
    assert plan.total_cost == pytest.approx(1225)


def test_each_country(tmp_path: Path) -> None:
    """Three countries at 10, 11, 12; each country <= 50 %: 50 * 10 + 50 * 11 = 1050."""
    path = write_workbook(tmp_path / "each.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [["S1", "C1"], ["S2", "C2"], ["S3", "C3"]],
        "Countries": countries("C1", "C2", "C3"),
        "Offers": [["A", "S1", 10], ["A", "S2", 11], ["A", "S3", 12]],
        "Policy": [["max_share", None, "each country", 0.5]],
    })
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1050)


def test_each_supplier(tmp_path: Path) -> None:
    """S1, S2 in CN at 10 and 11, S3 in DE at 12; each supplier <= 40 %:
    40 * 10 + 40 * 11 + 20 * 12 = 400 + 440 + 240 = 1080."""
    path = write_workbook(tmp_path / "each.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [["S1", "CN"], ["S2", "CN"], ["S3", "DE"]],
        "Countries": countries("CN", "DE"),
        "Offers": [["A", "S1", 10], ["A", "S2", 11], ["A", "S3", 12]],
        "Policy": [["max_share", None, "Each Supplier", 0.4]],
    })
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1080)


def test_each_bloc_with_overlapping_blocs(tmp_path: Path) -> None:
    """CN (no bloc) 10, DE (EU, MSP) 11, US (MSP) 12, FR (EU) 13; CN <= 20 %, each bloc <= 50 %.

    CN 20 at 10 = 200. The other 80: DE + FR <= 50 and DE + US <= 50 force
    FR >= 30 and US >= 30, so DE <= 20; DE being cheapest, DE 20, US 30, FR 30:
    220 + 360 + 390 = 970. Total 1170.
    """
    path = write_workbook(tmp_path / "blocs.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [["S-CN", "CN"], ["S-DE", "DE"], ["S-US", "US"], ["S-FR", "FR"]],
        "Countries": countries("CN", "DE", "US", "FR", blocs={"DE": "EU, MSP", "US": "MSP", "FR": "EU"}),
        "Offers": [["A", "S-CN", 10], ["A", "S-DE", 11], ["A", "S-US", 12], ["A", "S-FR", 13]],
        "Policy": [["max_share", None, "CN", 0.2], ["max_share", None, "each bloc", 0.5]],
    })
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1170)
    assert (qty(plan, "A", "S-DE"), qty(plan, "A", "S-US"), qty(plan, "A", "S-FR")) == pytest.approx((20, 30, 30))


def test_prefix_resolves_a_name_that_is_both_bloc_and_supplier(tmp_path: Path) -> None:
    """'EU' is a bloc (DE) and a supplier (in US). supplier:EU <= 30 % leaves DE untouched:
    supplier EU (US) at 10 is capped at 30, DE1 at 12 takes 70: 300 + 840 = 1140.
    bloc:EU <= 30 % instead caps DE1: 100 from supplier EU at 10 = 1000."""
    def book(group: str) -> Path:
        return write_workbook(tmp_path / f"{group.replace(':', '_')}.xlsx", {
            "Items": ONE_ITEM,
            "Suppliers": [["EU", "US"], ["DE1", "DE"]],
            "Countries": countries("US", "DE", blocs={"DE": "EU"}),
            "Offers": [["A", "EU", 10], ["A", "DE1", 12]],
            "Policy": [["max_share", None, group, 0.3]],
        })
    assert solve_file(book("supplier:EU"))[1].total_cost == pytest.approx(1140)
    assert solve_file(book("bloc: EU"))[1].total_cost == pytest.approx(1000)


def test_blank_item_applies_to_every_item_separately(tmp_path: Path) -> None:
    """Items A (100) and B (50); C1 at 10 and C2 at 20 for both; C1 <= 50 % on every item:
    A: 50 * 10 + 50 * 20 = 1500; B: 25 * 10 + 25 * 20 = 750; total 2250.
    A rule on item B only: A all from C1 = 1000, B = 750; total 1750."""
    def book(item: str | None) -> Path:
        return write_workbook(tmp_path / f"items-{item}.xlsx", {
            "Items": [["A", 100], ["B", 50]],
            "Suppliers": [["S1", "C1"], ["S2", "C2"]],
            "Countries": countries("C1", "C2"),
            "Offers": [["A", "S1", 10], ["A", "S2", 20], ["B", "S1", 10], ["B", "S2", 20]],
            "Policy": [["max_share", item, "C1", 0.5]],
        })
    assert solve_file(book(None))[1].total_cost == pytest.approx(2250)
    assert solve_file(book("B"))[1].total_cost == pytest.approx(1750)


def test_supplier_and_offer_capacity(tmp_path: Path) -> None:
    """S1 (capacity 120 over all items) at 10, S2 at 15, for A (100) and B (100):
    S1 delivers 120 in all: 120 * 10 + 80 * 15 = 2400.
    With S1's offer for A capped at 30 as well, the total is unchanged: S1 still
    delivers 120, at most 30 of it to A (e.g. A 30 + B 90, or A 20 + B 100);
    and with B's S1 offer capped at 50 too: S1 delivers 80, 800 + 120 * 15 = 2600."""
    def book(cap_a: float | None, cap_b: float | None, name: str) -> Path:
        return write_workbook(tmp_path / name, {
            "Items": [["A", 100], ["B", 100]],
            "Suppliers": [["S1", "C1", 120], ["S2", "C2"]],
            "Countries": countries("C1", "C2"),
            "Offers": [["A", "S1", 10, cap_a], ["A", "S2", 15], ["B", "S1", 10, cap_b], ["B", "S2", 15]],
        })
    assert solve_file(book(None, None, "a.xlsx"))[1].total_cost == pytest.approx(2400)
    _, plan = solve_file(book(30, None, "b.xlsx"))
    assert plan.total_cost == pytest.approx(2400)
    assert qty(plan, "A", "S1") <= 30 + 1e-9
    assert qty(plan, "A", "S1") + qty(plan, "B", "S1") == pytest.approx(120)
    assert solve_file(book(30, 50, "c.xlsx"))[1].total_cost == pytest.approx(2600)


def scenario_book(tmp_path: Path, scenarios: list[list], coverage: float = 0.8) -> Path:
    """Item A, 100: CN1 at 10, JP1 at 11, DE1 at 12; min_coverage `coverage`."""
    return write_workbook(tmp_path / "scen.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [["CN1", "CN"], ["JP1", "JP"], ["DE1", "DE"]],
        "Countries": countries("CN", "JP", "DE", blocs={"CN": "ASIA", "JP": "ASIA"}),
        "Offers": [["A", "CN1", 10], ["A", "JP1", 11], ["A", "DE1", 12]],
        "Policy": [["min_coverage", None, None, coverage]],
        "Scenarios": scenarios,
    })


def test_scenario_partial_availability(tmp_path: Path) -> None:
    """CN keeps half its volume; 80 % must survive. With c from CN, j from JP, d from DE:
    0.5 c + j + d >= 80 and c + j + d = 100, so c <= 40. Best: c = 40 at 10, j = 60 at 11:
    400 + 660 = 1060; surviving 20 + 60 = 80."""
    _, plan = solve_file(scenario_book(tmp_path, [["cn-halved", None, "CN", 0.5]]))
    assert plan.total_cost == pytest.approx(1060)
    row = plan.scenarios.set_index("scenario").loc["cn-halved"]
    assert row["surviving"] == pytest.approx(80)
    assert row["shortfall"] == 0 and row["status"] == "covered"


def test_overlapping_hits_take_the_lowest_availability(tmp_path: Path) -> None:
    """One scenario, two rows: CN at 0.5 and bloc ASIA (CN, JP) at 0.2; CN gets min(0.5, 0.2) = 0.2.
    0.2 (c + j) + d >= 80 with c + j + d = 100 gives c + j <= 25: c = 25 at 10, d = 75 at 12:
    250 + 900 = 1150."""
    _, plan = solve_file(scenario_book(tmp_path, [["asia", None, "CN", 0.5], ["asia", None, "ASIA", 0.2]]))
    assert plan.total_cost == pytest.approx(1150)


def test_several_scenarios_and_default_availability(tmp_path: Path) -> None:
    """Scenario 1 stops CN (availability blank = 0), scenario 2 stops DE on item A.
    c <= 20 (scenario 1: j + d >= 80) and d <= 20 (scenario 2: c + j >= 80):
    c = 20 at 10, j = 80 at 11, d = 0: 200 + 880 = 1080."""
    _, plan = solve_file(scenario_book(tmp_path, [["cn-stop", None, "CN", None], ["de-stop", "A", "DE1", None]]))
    assert plan.total_cost == pytest.approx(1080)
    assert qty(plan, "A", "CN1") == pytest.approx(20)


def test_scenarios_without_min_coverage_are_only_reported(tmp_path: Path) -> None:
    """No min_coverage: all 100 from CN1 at 10 = 1000; the CN stop leaves 0 surviving, reported, not enforced."""
    path = write_workbook(tmp_path / "report.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [["CN1", "CN"], ["DE1", "DE"]],
        "Countries": countries("CN", "DE"),
        "Offers": [["A", "CN1", 10], ["A", "DE1", 12]],
        "Scenarios": [["cn-stop", None, "CN", 0]],
    })
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1000)
    row = plan.scenarios.iloc[0]
    assert row["surviving"] == 0 and row["status"] == "not required"


def test_fixed_costs_make_a_mip(tmp_path: Path) -> None:
    """A, 100. S1 at 10 with fixed 500; S2 at 14.5; S3 at 11 with fixed 200 and capacity 60.
    S2 alone 1450; S1 alone 1500; S3 60 + S2 40 = 660 + 580 + 200 = 1440;
    S3 60 + S1 40 = 660 + 400 + 700 = 1760. Optimum 1440, fixed costs 200."""
    path = write_workbook(tmp_path / "fixed.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [["S1", "C1", None, 500], ["S2", "C1", None, 0], ["S3", "C1", 60, 200]],
        "Countries": countries("C1"),
        "Offers": [["A", "S1", 10], ["A", "S2", 14.5], ["A", "S3", 11]],
    })
    data, plan = solve_file(path)
    assert data.is_mip and plan.run["problem type"] == "MIP"
    assert plan.total_cost == pytest.approx(1440)
    assert plan.fixed_cost == pytest.approx(200)
    assert plan.status == "optimal"
    assert plan.mip_gap is not None and plan.mip_gap <= 1e-4


def test_min_order_makes_a_mip(tmp_path: Path) -> None:
    """A, 100. S1 at 10, capacity 70; S2 at 12 with minimum order 50; S3 at 13.
    Without the minimum: 70 * 10 + 30 * 12 = 1060 (the LP relaxation's value).
    With it S2 takes 0 or >= 50: S1 70 + S3 30 = 1090; S1 50 + S2 50 = 1100. Optimum 1090."""
    path = write_workbook(tmp_path / "minorder.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [["S1", "C1"], ["S2", "C1"], ["S3", "C1"]],
        "Countries": countries("C1"),
        "Offers": [["A", "S1", 10, 70], ["A", "S2", 12, None, 50], ["A", "S3", 13]],
    })
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1090)
    assert qty(plan, "A", "S2") == 0


def test_zero_demand_item_buys_nothing(tmp_path: Path) -> None:
    """B has demand 0 and no offer: it is not a conflict; A all from S1 at 10 = 1000."""
    path = write_workbook(tmp_path / "zero.xlsx", {
        "Items": [["A", 100], ["B", 0]],
        "Suppliers": [["S1", "C1"]],
        "Countries": countries("C1"),
        "Offers": [["A", "S1", 10]],
        "Policy": [["min_share", None, "C1", 0.5]],
    })
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1000)


@pytest.mark.parametrize("policy, scenarios, fragment", [
    ([["max_share", None, "each country", 0.3]], [], None),  # 3 countries * 30 % < 100 %: the solver proves it
    ([["exclude", None, "CN", None], ["exclude", None, "JP", None], ["exclude", None, "DE", None]], [],
     "Item-demand: Items!B2 demand 100 of 'A' cannot be bought: every offer is excluded by Policy!A2"),
    ([["min_share", None, "FR", 0.1]], [], "Policy-min-share: Policy!A2 min_share country:FR 0.1 on every item"),
    ([["min_coverage", None, None, 0.5]], [["all", None, "CN", 0], ["all", None, "JP", 0], ["all", None, "DE", 0]],
     "Policy-min-coverage: scenario 'all' stops every usable offer of 'A'"),
])
def test_infeasible_rules(tmp_path: Path, policy, scenarios, fragment) -> None:
    sheets = {
        "Items": ONE_ITEM,
        "Suppliers": [["CN1", "CN"], ["JP1", "JP"], ["DE1", "DE"]],
        "Countries": countries("CN", "JP", "DE", "FR"),
        "Offers": [["A", "CN1", 10], ["A", "JP1", 11], ["A", "DE1", 12]],
        "Policy": policy,
    }
    if scenarios:
        sheets["Scenarios"] = scenarios
    _, plan = solve_file(write_workbook(tmp_path / "inf.xlsx", sheets))
    assert plan.status == "infeasible" and not plan.has_plan
    if fragment:
        assert any(c.startswith(fragment) for c in plan.conflicts), plan.conflicts


def test_nothing_to_buy_is_an_empty_optimal_plan(tmp_path: Path) -> None:
    """Demand 0 and no offer at all: nothing to buy costs 0; the solver is not needed."""
    path = write_workbook(tmp_path / "empty.xlsx", {
        "Items": [["A", 0], ["B", 0]], "Suppliers": [["S1", "C1"]], "Countries": countries("C1"),
        "Offers": [["B", "S1", 1]], "Policy": [["exclude", None, "S1", None]]})
    _, plan = solve_file(path)
    assert plan.status == "optimal" and plan.total_cost == 0 and len(plan.lines) == 0
