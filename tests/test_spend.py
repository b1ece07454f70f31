"""The spend rules, `max_spend` (a budget, or a cap per item) and `max_spend_share`: exact optima worked out by hand,
their rows in the Rules sheet, a budget no plan can meet named by IIS and by --elastic in workbook terms, and a
budget changed with --set and with a Policy update table. Every plan passes the independent checker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import planner
from helpers import countries, qty, solve_file, write_workbook
from planner.check import check_plan
from planner.pipeline import solve_elastic

HEADERS = {"Items": ["item", "demand", "unit", "class"],
           "Offers": ["item", "supplier", "price", "capacity", "min_order", "freight", "discount"],
           "Tiers": ["item", "supplier", "from_quantity", "price"]}

# A (metal) 100 t: S1 (CN) 10, S2 (DE) 12, S3 (FR) 14. B (metal) 50 t: S1 5, S2 6.5.
# No rule: A 100 * 10 + B 50 * 5 = 1250, all from CN.
BASE = {
    "Items": [["A", 100, "t", "metal"], ["B", 50, "t", "metal"]],
    "Suppliers": [["S1", "CN"], ["S2", "DE"], ["S3", "FR"]],
    "Countries": countries("CN", "DE", "FR", blocs={"DE": "EU", "FR": "EU"}),
    "Offers": [["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 14], ["B", "S1", 5], ["B", "S2", 6.5]],
}


def book(tmp_path: Path, policy: list[list], **sheets: list[list]) -> Path:
    return write_workbook(tmp_path / "spend.xlsx", {**BASE, **sheets, "Policy": policy}, headers=HEADERS)


def rule_rows(plan: planner.Plan) -> dict[int, dict]:
    return {int(r["policy_row"]): r for r in plan.rules.to_dict(orient="records")}


def test_a_budget_on_every_item_together_binds(tmp_path: Path) -> None:
    """At most 900 spent on CN over every item together (blank item: one budget). Per euro spent at CN, B saves
    (6.5 - 5) / 5 = 0.3 and A (12 - 10) / 10 = 0.2 against DE: B takes CN first, 50 * 5 = 250, then A gets the
    650 left, 65 t at 10, and 35 t from S2 at 12 = 420. Total 250 + 650 + 420 = 1320; the rule costs 70.
    One more euro of budget moves 0.1 t of A to CN and saves 0.2: marginal -0.2 per EUR."""
    data, plan = solve_file(book(tmp_path, [["max_spend", None, "CN", 900]]))
    assert plan.total_cost == pytest.approx(1320)
    assert qty(plan, "A", "S1") == pytest.approx(65) and qty(plan, "B", "S1") == pytest.approx(50)
    (row,) = rule_rows(plan).values()
    assert row["rule"] == "max_spend" and row["item"] == "(every item)" and row["model_rows"] == 1
    assert row["binds"] == "yes" and row["cost_of_rule"] == pytest.approx(70)
    assert row["optimum_without"] == pytest.approx(1250)
    assert row["marginal_per_point"] == pytest.approx(-0.2)
    assert row["meaning"] == ("landed spend on all items together from country:CN at most 900.00; raising the "
                              "limit on spend on every item from country:CN by 1 EUR saves 0.20 EUR")


def test_a_spend_cap_per_item_of_a_class(tmp_path: Path) -> None:
    """At most 400 spent on CN for each item of class metal, separately (not together: a class, like an item, is
    per item). A: 40 t from S1 (400) + 60 t from S2 at 12 = 720, so 1120; B: 50 * 5 = 250 <= 400, untouched.
    Total 1370. (Read as one budget it would be 1420: B 250 first, A 15 t at CN, 85 t at DE.) One row per item;
    only A's binds."""
    data, plan = solve_file(book(tmp_path, [["max_spend", "class:metal", "CN", 400]]))
    assert plan.total_cost == pytest.approx(1370)
    assert qty(plan, "A", "S1") == pytest.approx(40) and qty(plan, "B", "S1") == pytest.approx(50)
    (row,) = rule_rows(plan).values()
    assert row["model_rows"] == 2 and row["binds"] == "yes" and row["cost_of_rule"] == pytest.approx(120)


def test_a_spend_cap_per_item_with_each_country(tmp_path: Path) -> None:
    """At most 500 spent on A from any one country: CN 50 t (500), DE 500 / 12 = 41.667 t (500), FR the rest,
    8.333 t at 14 = 116.667. Total A 1116.667, B 250 (B is not the rule's): 1366.667."""
    _, plan = solve_file(book(tmp_path, [["max_spend", "A", "each country", 500]]))
    assert plan.total_cost == pytest.approx(500 + 500 + (100 - 50 - 500 / 12) * 14 + 250)
    assert qty(plan, "A", "S2") == pytest.approx(500 / 12)


def test_a_share_of_spend_that_binds(tmp_path: Path) -> None:
    """At most 50 % of the spend on A from CN. With x t from S1 at 10 and 100 - x from S2 at 12, the spend is
    1200 - 2x and 10x <= 0.5 (1200 - 2x) gives x <= 600 / 11 = 54.545 t. A costs 1200 - 1200 / 11 = 12000 / 11
    = 1090.909; B 250: total 14750 / 11 = 1340.909, and the rule costs 1000 / 11 = 90.909 (a 50 % cap on volume
    would allow 50 t, 1100). z(v) = 1200 - 2400 v / (10 + 2 v) + 250, so dz/dv = -24000 / (10 + 2 v)^2 =
    -24000 / 121 at v = 0.5, and one point (0.01) is worth -240 / 121 = -1.983."""
    _, plan = solve_file(book(tmp_path, [["max_spend_share", "A", "CN", 0.5]]))
    assert plan.total_cost == pytest.approx(14750 / 11)
    assert qty(plan, "A", "S1") == pytest.approx(600 / 11)
    (row,) = rule_rows(plan).values()
    assert row["binds"] == "yes" and row["cost_of_rule"] == pytest.approx(1000 / 11)
    assert row["marginal_per_point"] == pytest.approx(-240 / 121)
    assert row["meaning"].startswith("at most 50 % of the landed spend on A from country:CN; raising the country:CN "
                                     "cap on the spend on A by 1 % of the spend saves 1.98 EUR")


def test_a_share_of_spend_with_tier_prices(tmp_path: Path) -> None:
    """S1's A is all-units 9 from 60 t on. At most 50 % of A's spend from CN: x t from S1, and the rest from S2
    (12) or S3 (14), whose spend E must be at least S1's. Below the break (price 10) the best is x = 600 / 11, A
    costing 12000 / 11 = 1090.91 (as without tiers). At the break, x = 60 spends 540, so the other 40 t must spend
    540: 30 t from S3 (420) and 10 t from S2 (120), A costing 540 + 540 = 1080 (each t above 60 adds 9 at CN and
    9 elsewhere, 18 > 9.5; x up to 60.87 is possible at all only with 14 (100 - x) >= 9 x). So A 1080, B 250:
    1330, with S3 bought although it is the dearest: it raises the spend on A that the cap is a share of."""
    path = book(tmp_path, [["max_spend_share", "A", "CN", 0.5]], Tiers=[["A", "S1", 60, 9]],
                Offers=[["A", "S1", 10, None, None, None, "all_units"], *BASE["Offers"][1:]])
    data, plan = solve_file(path)
    assert data.is_mip
    assert plan.total_cost == pytest.approx(1330)
    assert [qty(plan, "A", s) for s in ("S1", "S2", "S3")] == [pytest.approx(60), pytest.approx(10),
                                                               pytest.approx(30)]


def test_a_budget_no_plan_can_meet_is_named_by_iis(tmp_path: Path) -> None:
    """A budget of 1200 over every item, below the cheapest plan (1250): infeasible, and the IIS names the budget
    and the two demands (dropping any one of them lets the others hold)."""
    _, plan = solve_file(book(tmp_path, [["max_spend", None, None, 1200]]))
    assert plan.status == "infeasible" and plan.diagnosis_notes[0] == "method: iis"
    assert sorted(plan.conflicts[1:]) == [
        "Item-demand[A]: Items!B2 demand 100 of 'A'", "Item-demand[B]: Items!B3 demand 50 of 'B'",
        "Policy-max-spend[2,(every item),all,(every supplier)]: Policy!A2 max_spend 1200 on every item"]


def test_a_budget_no_plan_can_meet_is_relaxed_by_elastic(tmp_path: Path) -> None:
    """The same budget with --elastic: breaking it by 50 weighs 50 / 1200 = 0.04 (a policy, measured against its
    amount), buying 10 t of B short 10 * 10 / 50 = 2: the plan spends 1250, 50 over the budget, and the checker
    names the Policy row."""
    data, _ = planner.read(book(tmp_path, [["max_spend", None, None, 1200]]))
    plan = solve_elastic(data)
    assert plan.status == "relaxed" and plan.total_cost == pytest.approx(1250)
    (violation,) = plan.violations.to_dict(orient="records")
    assert violation["constraint"] == "Policy-max-spend[2,(every item),all,(every supplier)]"
    assert violation["relaxed_by"] == pytest.approx(50)
    assert plan.conflicts == check_plan(data, plan.quantities)
    assert plan.conflicts == ["Policy-max-spend: Policy!A2 max_spend 1200 on every item: landed spend on every "
                              "item together from every supplier is 1,250.00, above 1,200.00"]


def test_a_tiered_budget_conflict_is_named_in_workbook_terms(tmp_path: Path) -> None:
    """With S1's A all-units at 9 from 100 t the cheapest plan is 900 + 250 = 1150; a budget of 1100 cannot hold.
    The model is a MIP; its LP relaxation (the convex hull of each offer's cost) is infeasible too, so the
    diagnosis is its IIS, and it names the Policy row."""
    path = book(tmp_path, [["max_spend", None, None, 1100]], Tiers=[["A", "S1", 100, 9]],
                Offers=[["A", "S1", 10, None, None, None, "all_units"], *BASE["Offers"][1:]])
    _, plan = solve_file(path)
    assert plan.status == "infeasible"
    assert any(line.startswith("Policy-max-spend[2,(every item),all,(every supplier)]: Policy!A2 max_spend 1100")
               for line in plan.conflicts[1:]), plan.conflicts
    data, _ = planner.read(path)
    relaxed = solve_elastic(data)
    assert relaxed.total_cost == pytest.approx(1150)
    assert [v["constraint"] for v in relaxed.violations.to_dict(orient="records")] == [
        "Policy-max-spend[2,(every item),all,(every supplier)]"]


def test_set_and_policy_table_change_a_budget(tmp_path: Path) -> None:
    """The budget of 900 on CN (1320, above) raised to 1100 with --set Policy!2=1100 (an amount, not a share: a
    value above 1 is accepted): B 250 then A 85 t at CN (850) + 15 t at 12 = 180: 1280. The same from a Policy
    update table. 1100.5 with --set works as well; a negative amount does not."""
    path = book(tmp_path, [["max_spend", None, "CN", 900]])
    data, _ = planner.read(path)
    changed, _ = planner.apply_changes(data, overrides=["Policy!2=1100"])
    assert changed.rules[0].value == 1100
    assert planner.solve(changed).total_cost == pytest.approx(1280)
    table = tmp_path / "budget.csv"
    table.write_text("policy_row,value\n2,1100\n")
    updated, _ = planner.load(path, [table], [], False)
    assert updated.rules[0].value == 1100 and planner.solve(updated).total_cost == pytest.approx(1280)
    with pytest.raises(planner.InputError):
        planner.apply_changes(data, overrides=["Policy!2=-5"])
    out = tmp_path / "plan.xlsx"
    result = subprocess.run([sys.executable, "-m", "planner", "solve", str(path), "--set", "Policy!2=1100", "-o",
                             str(out), "--json", "--no-rule-costs"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_cost"] == pytest.approx(1280)


def test_rules_sheet_shows_the_budget_as_money(tmp_path: Path) -> None:
    """The Rules sheet's value of a max_spend row is an amount, formatted as money, not as a share."""
    out = tmp_path / "plan.xlsx"
    assert planner.cli.main(["solve", str(book(tmp_path, [["max_spend", None, "CN", 900],
                                                           ["max_spend_share", "A", "CN", 0.9]])), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["Rules"]
    head = [c.value for c in ws[1]]
    value = head.index("value") + 1
    assert ws.cell(row=2, column=value).value == 900 and "%" not in ws.cell(row=2, column=value).number_format
    assert "%" in ws.cell(row=3, column=value).number_format


def test_lint_says_when_a_spend_rule_can_never_bind(tmp_path: Path) -> None:
    """The most A's demand could cost from CN is 100 * 10 = 1000: a cap of 1000 on it never binds, 999 can. A
    share of spend of 1 never binds."""
    from planner.model.registry import rule_kind

    data, _ = planner.read(book(tmp_path, [["max_spend", "A", "CN", 1000], ["max_spend", "A", "CN", 999],
                                           ["max_spend_share", None, "CN", 1], ["max_spend", None, None, 1350]]))
    never = [rule_kind(r.kind).never_binds(data, r) for r in data.rules]
    assert never[0].startswith("1,000.00 is at least the most") and never[1] == "" and never[2] != ""
    # every item together at its dearest: A 100 * 14 + B 50 * 6.5 = 1725 > 1350
    assert never[3] == ""


def test_frontier_sweeps_a_budget_in_money(tmp_path: Path) -> None:
    """The CN budget swept from 900 to 1300 in 3 steps: 900 gives 1320 (above); 1100 gives 1280 (B 250, A 85 t at
    CN + 15 t at 12); 1300 is more than the 1250 the cheapest plan spends at CN, so 1250. A share's bounds stay
    shares: --from 1.5 on a max_spend_share row is refused."""
    from planner.pipeline import frontier

    path = book(tmp_path, [["max_spend", None, "CN", 900], ["max_spend_share", "A", "CN", 1]])
    data, _ = planner.read(path)
    table = frontier(data, data.rules[0], [900, 1100, 1300])
    assert table["total_cost"].tolist() == [pytest.approx(1320), pytest.approx(1280), pytest.approx(1250)]
    out = tmp_path / "f.xlsx"
    assert planner.cli.main(["frontier", str(path), "--rule", "2", "--from", "900", "--to", "1300", "--steps", "3",
                             "-o", str(out)]) == 0
    assert planner.cli.main(["frontier", str(path), "--rule", "3", "--from", "1.5", "--to", "0.5",
                             "-o", str(out)]) == 2
