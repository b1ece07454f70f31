"""The count and award rules: max_suppliers, min_suppliers, max_countries, min_countries, min_award.

Every optimum is worked out by hand in the test's docstring; every plan passes the independent checker
(`helpers.solve_file`), and every model built is compared with the straightforward one
(`tests/reference_model.py`, through `tests/conftest.py`). A rule's cost in the Rules sheet is the optimum with
it minus the optimum without it; it binds when the plan is at its limit (k suppliers or countries in a group, a
supplier at exactly min_award of demand).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import planner
from helpers import countries, qty, solve_file, write_workbook
from planner.check import check_plan
from planner.model import build, create_model
from planner.pipeline import solve_elastic

POLICY = ["rule", "item", "group", "value", "min_award"]
ITEMS = ["item", "demand", "unit", "class"]


def book(tmp_path: Path, offers: list[list], suppliers: list[list], policy: list[list],
         items: list[list] | None = None, country_rows: list[list] | None = None, name: str = "in.xlsx") -> Path:
    """A workbook with item A (demand 100) unless `items` says otherwise; every supplier's country is listed."""
    codes = list(dict.fromkeys(s[1] for s in suppliers))
    return write_workbook(tmp_path / name, {
        "Items": items or [["A", 100, "t", None]], "Suppliers": suppliers,
        "Countries": country_rows or countries(*codes), "Offers": offers, "Policy": policy},
        headers={"Policy": POLICY, "Items": ITEMS})


def rules(plan: planner.Plan) -> dict[int, dict]:
    return {int(r["policy_row"]): r for r in plan.rules.to_dict(orient="records")}


def assert_rule(plan: planner.Plan, row: int, cost: float, binds: str, without: float | None = None) -> None:
    found = rules(plan)[row]
    assert found["cost_of_rule"] == pytest.approx(cost, abs=1e-6), found
    assert found["binds"] == binds, found
    if without is not None:
        assert found["optimum_without"] == pytest.approx(without)


ONE_EACH = [["S1", "C1"], ["S2", "C2"], ["S3", "C3"]]


# ---- max_suppliers --------------------------------------------------------------------------------------------


def test_max_suppliers_one_forces_the_supplier_that_can_deliver_everything(tmp_path: Path) -> None:
    """S1 10 (capacity 60), S2 11 (70), S3 12 (no cap). Without the rule: S1 60 + S2 40 = 600 + 440 = 1040.
    At most one supplier: only S3 can deliver all 100: 1200. The rule costs 1200 - 1040 = 160 and binds (one
    supplier delivers)."""
    data, plan = solve_file(book(tmp_path, [["A", "S1", 10, 60], ["A", "S2", 11, 70], ["A", "S3", 12]], ONE_EACH,
                                 [["max_suppliers", "A", None, 1]]))
    assert plan.status == "optimal" and data.is_mip
    assert plan.total_cost == pytest.approx(1200)
    assert plan.quantities == {("A", "S3"): pytest.approx(100)}
    assert_rule(plan, 2, 160, "yes", without=1040)
    assert rules(plan)[2]["meaning"] == "at most 1 supplier delivers A"


def test_max_suppliers_k(tmp_path: Path) -> None:
    """S1, S2, S3 at 10, 11, 12 hold 40 each; S4 at 13 has no cap. Without the rule: S1 40 + S2 40 + S3 20 =
    400 + 440 + 240 = 1080. At most two suppliers: any two of S1..S3 hold 80 < 100, so S4 is one of them, with the
    cheapest other: S1 40 + S4 60 = 400 + 780 = 1180 (S2 40 + S4 60 = 1220). Cost 100."""
    offers = [["A", "S1", 10, 40], ["A", "S2", 11, 40], ["A", "S3", 12, 40], ["A", "S4", 13]]
    data, plan = solve_file(book(tmp_path, offers, [*ONE_EACH, ["S4", "C4"]], [["max_suppliers", None, None, 2]]))
    assert plan.total_cost == pytest.approx(1180)
    assert (qty(plan, "A", "S1"), qty(plan, "A", "S4")) == (pytest.approx(40), pytest.approx(60))
    assert_rule(plan, 2, 100, "yes", without=1080)
    # the Pyomo export has the row, over the four offers' use_offer binaries
    m = create_model(data)
    assert list(m.component("Policy-max-suppliers")) == [(2, "A", "every supplier")]
    assert sorted(m.use_offer) == [("A", "S1"), ("A", "S2"), ("A", "S3"), ("A", "S4")]


def test_max_suppliers_with_no_more_offers_than_k_has_no_row_and_never_binds(tmp_path: Path) -> None:
    """Three offers, at most 3 suppliers: the row would always hold, so there is none (and no binary: an LP).
    S1 60 + S2 40 = 1040 as without the rule; lint says it can never bind."""
    path = book(tmp_path, [["A", "S1", 10, 60], ["A", "S2", 11, 70], ["A", "S3", 12]], ONE_EACH,
                [["max_suppliers", "A", None, 3]])
    data, plan = solve_file(path)
    assert not data.is_mip and plan.total_cost == pytest.approx(1040)
    assert_rule(plan, 2, 0, "no")
    assert rules(plan)[2]["model_rows"] == 0
    _, warnings = planner.read(path)
    assert [w.message for w in warnings] == [
        "Policy!A2 max_suppliers 3 on A can never bind: no group holds more than 3 suppliers with a usable offer of "
        "its items"]


def test_max_suppliers_each_country(tmp_path: Path) -> None:
    """C1 holds S1 10 and S2 11 (capacity 50 each), C2 holds S3 12. Without the rule: S1 50 + S2 50 = 1050.
    At most one supplier from each country: S1 50 + S3 50 = 500 + 600 = 1100 (cost 50). C2 has one offer: only C1
    gets a row."""
    offers = [["A", "S1", 10, 50], ["A", "S2", 11, 50], ["A", "S3", 12]]
    _, plan = solve_file(book(tmp_path, offers, [["S1", "C1"], ["S2", "C1"], ["S3", "C2"]],
                              [["max_suppliers", None, "each country", 1]]))
    assert plan.total_cost == pytest.approx(1100)
    assert (qty(plan, "A", "S1"), qty(plan, "A", "S3")) == (pytest.approx(50), pytest.approx(50))
    assert_rule(plan, 2, 50, "yes", without=1050)
    assert rules(plan)[2]["model_rows"] == 1


def test_max_suppliers_on_a_class_of_items(tmp_path: Path) -> None:
    """Class `critical` holds A (100) and B (50); C (20) has no class. S1 is capped per offer: A at 10 (60),
    B at 5 (30), C at 1 (10); S2 has no cap: A 11, B 6, C 2. Without the rule: A 600 + 440 = 1040, B 150 + 120 =
    270, C 10 + 20 = 30: 1340. One supplier per critical item: S2 alone, A 1100 and B 300; C keeps both: 1430.
    The rule has a row per item of the class (2) and costs 90."""
    offers = [["A", "S1", 10, 60], ["A", "S2", 11], ["B", "S1", 5, 30], ["B", "S2", 6], ["C", "S1", 1, 10],
              ["C", "S2", 2]]
    items = [["A", 100, "t", "critical"], ["B", 50, "t", "critical"], ["C", 20, "t", None]]
    _, plan = solve_file(book(tmp_path, offers, [["S1", "C1"], ["S2", "C2"]],
                              [["max_suppliers", "class:critical", None, 1]], items=items))
    assert plan.total_cost == pytest.approx(1430)
    assert (qty(plan, "A", "S2"), qty(plan, "B", "S2")) == (pytest.approx(100), pytest.approx(50))
    assert (qty(plan, "C", "S1"), qty(plan, "C", "S2")) == (pytest.approx(10), pytest.approx(10))
    assert_rule(plan, 2, 90, "yes", without=1340)
    assert rules(plan)[2]["model_rows"] == 2


# ---- min_suppliers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k, award, total, bought, cost, binds", [
    # three suppliers, 20 % each: S2 20 and S3 20 (the dearest), S1 the rest: 600 + 220 + 240 = 1060
    (3, 0.2, 1060, {"S1": 60, "S2": 20, "S3": 20}, 60, "yes"),
    # two, at the default 5 %: S2 5, S1 95: 950 + 55 = 1005
    (2, None, 1005, {"S1": 95, "S2": 5}, 5, "yes"),
    # one: S1 alone delivers 100 >= 5: it costs nothing, and is at its limit (exactly one supplier counted)
    (1, None, 1000, {"S1": 100}, 0, "yes"),
])
def test_min_suppliers(tmp_path: Path, k: int, award: float | None, total: float, bought: dict, cost: float,
                       binds: str) -> None:
    """S1 10, S2 11, S3 12, no capacities: without the rule S1 delivers all 100 for 1000."""
    _, plan = solve_file(book(tmp_path, [["A", "S1", 10], ["A", "S2", 11], ["A", "S3", 12]], ONE_EACH,
                              [["min_suppliers", "A", None, k, award]]))
    assert plan.total_cost == pytest.approx(total)
    assert {s: q for (_, s), q in plan.quantities.items()} == {s: pytest.approx(q) for s, q in bought.items()}
    assert_rule(plan, 2, cost, binds, without=1000)


def test_min_suppliers_each_country(tmp_path: Path) -> None:
    """C1 holds S1 10 and S2 11 (capacity 50 each), C2 holds S3 12. Without the rule S1 50 + S2 50 = 1050. At least
    one supplier of every country delivering 10 % of demand: C2 needs S3 >= 10: S1 50 + S2 40 + S3 10 = 500 + 440 +
    120 = 1060."""
    offers = [["A", "S1", 10, 50], ["A", "S2", 11, 50], ["A", "S3", 12]]
    _, plan = solve_file(book(tmp_path, offers, [["S1", "C1"], ["S2", "C1"], ["S3", "C2"]],
                              [["min_suppliers", None, "each country", 1, 0.1]]))
    assert plan.total_cost == pytest.approx(1060)
    assert qty(plan, "A", "S3") == pytest.approx(10)
    assert_rule(plan, 2, 10, "yes", without=1050)


def test_min_suppliers_from_a_union(tmp_path: Path) -> None:
    """S-CN 10, S-US 11, S-DE 12 (EU), S-FR 13 (EU). At least two suppliers of `bloc:EU | country:US`, 25 % each:
    the two cheapest of the union, S-US and S-DE, 25 each; S-CN the rest: 500 + 275 + 300 = 1075 (1000 without)."""
    suppliers = [["S-CN", "CN"], ["S-US", "US"], ["S-DE", "DE"], ["S-FR", "FR"]]
    offers = [["A", "S-CN", 10], ["A", "S-US", 11], ["A", "S-DE", 12], ["A", "S-FR", 13]]
    _, plan = solve_file(book(tmp_path, offers, suppliers, [["min_suppliers", "A", "bloc:EU | country:US", 2, 0.25]],
                              country_rows=countries("CN", "US", "DE", "FR", blocs={"DE": "EU", "FR": "EU"})))
    assert plan.total_cost == pytest.approx(1075)
    assert (qty(plan, "A", "S-US"), qty(plan, "A", "S-DE")) == (pytest.approx(25), pytest.approx(25))
    assert_rule(plan, 2, 75, "yes", without=1000)


# ---- max_countries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k, total, bought", [
    # one country delivers all: C1 (S1 50 + S2 50 = 500 + 550 = 1050) beats C2 (S3 100 = 1060); C3 holds 30
    (1, 1050, {"S1": 50, "S2": 50}),
    # two: C1 + C3: S4 30 + S1 50 + S2 20 = 270 + 500 + 220 = 990; C2 + C3: 270 + 742 = 1012; C1 + C2: S1 50 +
    # S3 50 = 500 + 530 = 1030
    (2, 990, {"S1": 50, "S2": 20, "S4": 30}),
])
def test_max_countries(tmp_path: Path, k: int, total: float, bought: dict) -> None:
    """C1 holds S1 10 and S2 11 (capacity 50 each), C2 holds S3 10.6, C3 holds S4 9 (capacity 30). Without the
    rule: S4 30 + S1 50 + S3 20 = 270 + 500 + 212 = 982. Two suppliers of one country count as one country."""
    offers = [["A", "S1", 10, 50], ["A", "S2", 11, 50], ["A", "S3", 10.6], ["A", "S4", 9, 30]]
    _, plan = solve_file(book(tmp_path, offers, [["S1", "C1"], ["S2", "C1"], ["S3", "C2"], ["S4", "C3"]],
                              [["max_countries", "A", None, k]]))
    assert plan.total_cost == pytest.approx(total)
    assert {s: q for (_, s), q in plan.quantities.items()} == {s: pytest.approx(q) for s, q in bought.items()}
    assert_rule(plan, 2, total - 982, "yes", without=982)


def test_max_countries_counts_only_the_group_s_suppliers_in_a_country(tmp_path: Path) -> None:
    """CN holds S-CN1 12 (capacity 30) and S-CN2 11.5; DE holds S-DE 11 (capacity 60). At most one country of
    `supplier:S-CN1 | country:DE`: without the rule S-DE 60 + S-CN2 40 = 660 + 460 = 1120, and of the group only
    S-DE delivers (S-CN2 is not in it), so the rule holds at no cost. Counting every CN supplier would ask for
    one country and cost S-CN2 100 = 1150. The second rule, at most one country of each country, never binds."""
    suppliers = [["S-CN1", "CN"], ["S-CN2", "CN"], ["S-DE", "DE"]]
    offers = [["A", "S-CN1", 12, 30], ["A", "S-CN2", 11.5], ["A", "S-DE", 11, 60]]
    path = book(tmp_path, offers, suppliers, [["max_countries", "A", "supplier:S-CN1 | country:DE", 1],
                                              ["max_countries", "A", "each country", 1]])
    data, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1120)
    assert (qty(plan, "A", "S-DE"), qty(plan, "A", "S-CN2")) == (pytest.approx(60), pytest.approx(40))
    assert_rule(plan, 2, 0, "yes")  # one country of the group delivers: at its limit
    assert_rule(plan, 3, 0, "no")
    # the plan buying from S-CN1 too breaks the first rule, by the checker's own reading of the union
    broken = {("A", "S-CN1"): 10.0, ("A", "S-CN2"): 30.0, ("A", "S-DE"): 60.0}
    assert check_plan(data, broken) == [
        "Policy-max-countries: Policy!A2 max_countries supplier:S-CN1 | country:DE 1 on A: 'A' from supplier:S-CN1 | "
        "country:DE is delivered from 2 countries (CN, DE), above 1"]


# ---- min_countries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule, k, award, total", [
    # C1 40 >= 35 by its two suppliers together (each delivers 20), C2 60: the plan without the rule holds
    ("min_countries", 2, 0.35, 1310),
    # suppliers, not countries: only S3 and S4 can deliver 35; S1 20 + S2 10 + S3 35 + S4 35 = 200 + 105 + 525 +
    # 560 = 1390
    ("min_suppliers", 2, 0.35, 1390),
    # three countries at 30 %: C1 40 (S1 20 + S2 20), then C3 at its least, S4 30 = 480, and C2 the rest, S3 30 =
    # 450: 200 + 210 + 450 + 480 = 1340
    ("min_countries", 3, 0.3, 1340),
])
def test_min_countries_counts_what_a_country_s_suppliers_deliver_together(tmp_path: Path, rule: str, k: int,
                                                                           award: float, total: float) -> None:
    """C1 holds S1 10 and S2 10.5 (capacity 20 each), C2 holds S3 15, C3 holds S4 16. Without a rule: S1 20 +
    S2 20 + S3 60 = 200 + 210 + 900 = 1310."""
    offers = [["A", "S1", 10, 20], ["A", "S2", 10.5, 20], ["A", "S3", 15], ["A", "S4", 16]]
    _, plan = solve_file(book(tmp_path, offers, [["S1", "C1"], ["S2", "C1"], ["S3", "C2"], ["S4", "C3"]],
                              [[rule, "A", None, k, award]]))
    assert plan.total_cost == pytest.approx(total)
    assert rules(plan)[2]["cost_of_rule"] == pytest.approx(total - 1310, abs=1e-6)


def test_min_countries_each_bloc(tmp_path: Path) -> None:
    """Blocs: EU holds DE and FR, MSP holds FR and US. S-DE 10, S-FR 11, S-US 12. At least two countries of each
    bloc, 20 % each: EU needs DE and FR >= 20, MSP needs FR and US >= 20: S-DE 60 + S-FR 20 + S-US 20 = 600 + 220 +
    240 = 1060 (S-DE 100 = 1000 without). FR counts in both blocs with one purchase."""
    suppliers = [["S-DE", "DE"], ["S-FR", "FR"], ["S-US", "US"]]
    offers = [["A", "S-DE", 10], ["A", "S-FR", 11], ["A", "S-US", 12]]
    _, plan = solve_file(book(tmp_path, offers, suppliers, [["min_countries", None, "each bloc", 2, 0.2]],
                              country_rows=countries("DE", "FR", "US", blocs={"DE": "EU", "FR": "EU, MSP",
                                                                              "US": "MSP"})))
    assert plan.total_cost == pytest.approx(1060)
    assert (qty(plan, "A", "S-FR"), qty(plan, "A", "S-US")) == (pytest.approx(20), pytest.approx(20))
    assert_rule(plan, 2, 60, "yes", without=1000)


# ---- min_award -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("award, total, s2, cost, binds", [
    # S2 must deliver 0 or at least 40: S1 60 + S2 40 = 600 + 440 = 1040
    (0.4, 1040, 40, 10, "yes"),
    # S2's 30 is above 25 already
    (0.25, 1030, 30, 0, "no"),
])
def test_min_award(tmp_path: Path, award: float, total: float, s2: float, cost: float, binds: str) -> None:
    """S1 10 (capacity 70), S2 11, S3 12. Without the rule: S1 70 + S2 30 = 700 + 330 = 1030."""
    _, plan = solve_file(book(tmp_path, [["A", "S1", 10, 70], ["A", "S2", 11], ["A", "S3", 12]], ONE_EACH,
                              [["min_award", "A", None, award]]))
    assert plan.total_cost == pytest.approx(total)
    assert qty(plan, "A", "S2") == pytest.approx(s2)
    assert_rule(plan, 2, cost, binds, without=1030)


def test_min_award_and_min_order_share_one_binary_per_offer(tmp_path: Path) -> None:
    """S2 has a minimum order of 35 and the group C2 a min_award of 0.3: S2 delivers 0 or at least 35 (both
    floors on one use_offer). S1 10 (capacity 70), S2 11, S3 13: S1 65 + S2 35 = 650 + 385 = 1035; without S2,
    S1 70 + S3 30 = 700 + 390 = 1090."""
    path = book(tmp_path, [["A", "S1", 10, 70], ["A", "S2", 11, None, 35], ["A", "S3", 13]], ONE_EACH,
                [["min_award", "A", "C2", 0.3]])
    data, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1035)
    assert qty(plan, "A", "S2") == pytest.approx(35)
    block, _ = build(data).column_block("use_offer")
    assert list(zip(block.coord("item"), block.coord("supplier"))) == [("A", "S2")]


# ---- conflicts -------------------------------------------------------------------------------------------------


def test_a_min_rule_that_cannot_hold_is_named_before_solving(tmp_path: Path) -> None:
    """Two suppliers cannot be three; three suppliers each delivering 40 % would need 120 % of demand."""
    offers = [["A", "S1", 10], ["A", "S2", 11]]
    _, plan = solve_file(book(tmp_path, offers, ONE_EACH[:2], [["min_suppliers", "A", None, 3],
                                                               ["min_countries", "A", None, 2, 0.6]]))
    assert plan.status == "infeasible"
    assert plan.conflicts == [
        "Policy-min-suppliers: Policy!A2 min_suppliers 3 on A asks for 3 suppliers of 'A' from every supplier, but "
        "only 2 have a usable offer of it",
        "Policy-min-countries: Policy!A3 min_countries 2 on A asks for 2 countries each delivering at least 0.6 of "
        "the demand (min_award): 1.2 of it, more than all of it"]


def test_iis_names_the_count_rule_and_the_cap_that_cuts_a_supplier(tmp_path: Path) -> None:
    """Three suppliers, at least three of them with 20 % each, but C3 at most 10 %: S3 cannot be counted. Even with
    fractional on/off decisions award_supplier[S3] <= buy / 20 <= 0.5, so the LP relaxation is infeasible and its
    IIS names the rule and the cap (its award row for S3 is a definition: an IIS never names one)."""
    path = book(tmp_path, [["A", "S1", 10], ["A", "S2", 11], ["A", "S3", 12]], ONE_EACH,
                [["min_suppliers", "A", None, 3, 0.2], ["max_share", "A", "C3", 0.1]])
    data, plan = solve_file(path)
    assert plan.status == "infeasible" and plan.diagnosis_notes[0] == "method: iis of the LP relaxation"
    assert sorted(plan.conflicts[1:]) == [
        "Policy-max-share[3,A,country,C3]: Policy!A3 max_share country:C3 0.1 on A",
        "Policy-min-suppliers[2,A,every supplier]: Policy!A2 min_suppliers 3 on A"]


def test_elastic_relaxes_the_count_rule_rather_than_a_capacity(tmp_path: Path) -> None:
    """The same with S3's capacity at 10 instead of a cap: breaking the count by one supplier (weight 1 / k = 1/3)
    beats exceeding a capacity by 10 t (weight 100 * 10 / 100 = 10). Two suppliers counted then: S1 80 + S2 20 =
    800 + 220 = 1020, and the checker names the broken rule."""
    path = book(tmp_path, [["A", "S1", 10], ["A", "S2", 11], ["A", "S3", 12, 10]], ONE_EACH,
                [["min_suppliers", "A", None, 3, 0.2]])
    data, _ = planner.read(path)
    plan = solve_elastic(data)
    assert plan.status == "relaxed" and plan.total_cost == pytest.approx(1020)
    (violation,) = plan.violations.to_dict(orient="records")
    assert violation["constraint"] == "Policy-min-suppliers[2,A,every supplier]"
    assert violation["input rows"] == "Policy!A2 min_suppliers 3 on A"
    assert violation["relaxed_by"] == pytest.approx(1)
    assert plan.conflicts == ["Policy-min-suppliers: Policy!A2 min_suppliers 3 on A: 'A' from every supplier has 2 "
                              "suppliers delivering at least 20, below 3"]
    result = subprocess.run([sys.executable, "-m", "planner", "solve", str(path), "-o", str(tmp_path / "plan.xlsx"),
                             "--elastic", "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 4, result.stderr
    assert [v["input rows"] for v in json.loads(result.stdout)["violations"]] == ["Policy!A2 min_suppliers 3 on A"]


def test_elastic_lists_a_group_with_no_offer_short_of_k(tmp_path: Path) -> None:
    """At least one supplier of each country: C3 has a supplier but no offer of A, so no plan meets the rule
    there (short of 1 supplier); the rest holds: S1 100 = 1000 with C2 at its 5 %: S1 95 + S2 5 = 950 + 55 =
    1005."""
    path = book(tmp_path, [["A", "S1", 10], ["A", "S2", 11]], ONE_EACH,
                [["min_suppliers", "A", "each country", 1]])
    data, plan = solve_file(path)
    assert plan.status == "infeasible"
    assert plan.conflicts == ["Policy-min-suppliers: Policy!A2 min_suppliers each country 1 on A asks for 1 "
                              "supplier of 'A' from country:C3, but none has a usable offer of it"]
    relaxed = solve_elastic(data)
    assert relaxed.total_cost == pytest.approx(1005)
    assert {v["constraint"]: v["relaxed_by"] for v in relaxed.violations.to_dict(orient="records")} == {
        "Policy-min-suppliers[2,A,country:C3]": pytest.approx(1)}


# ---- changing a rule's value --------------------------------------------------------------------------------------


def test_set_and_update_table_change_a_count(tmp_path: Path) -> None:
    """The first test's instance: at most 1 supplier costs 1200; at most 2, S1 60 + S2 40 = 1040, from `--set
    Policy!2=2` and from a Policy update table alike. 2.5 suppliers is refused, as in the workbook."""
    path = book(tmp_path, [["A", "S1", 10, 60], ["A", "S2", 11, 70], ["A", "S3", 12]], ONE_EACH,
                [["max_suppliers", "A", None, 1]])
    changed, _ = planner.load(path, overrides=["Policy!2=2"])
    assert changed.rules[0].value == 2
    assert solve_file_data(changed).total_cost == pytest.approx(1040)
    table = tmp_path / "policy.csv"
    table.write_text("policy_row,value\n2,2\n")
    updated, _ = planner.load(path, updates=[table])
    assert solve_file_data(updated).total_cost == pytest.approx(1040)
    with pytest.raises(planner.InputError) as caught:
        planner.load(path, overrides=["Policy!2=2.5"])
    assert [str(p) for p in caught.value.problems] == [
        "--set Policy!2=2.5: 2.5 is not a whole number >= 1: max_suppliers counts suppliers"]
    table.write_text("policy_row,value\n2,2.5\n")
    with pytest.raises(planner.InputError) as caught:
        planner.load(path, updates=[table])
    assert [str(p) for p in caught.value.problems] == [
        "policy.csv!B2 (value): 2.5 is not a whole number >= 1: max_suppliers counts suppliers"]


def solve_file_data(data: planner.PlanningData) -> planner.Plan:
    """Solve data already read; the plan must pass the checker."""
    plan = planner.solve(data)
    assert plan.status == "optimal"
    assert check_plan(data, plan.quantities, plan.total_cost) == []
    return plan
