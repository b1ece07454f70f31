"""Explaining a plan: the cost of each rule, why rules conflict, relaxed plans, sweeps.

Every figure is worked out by hand in the test's docstring: a rule's cost is
the optimum without it (re-solved by hand) minus the optimum with it.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

import planner
from helpers import countries, solve_file, write_workbook
from planner.analysis import sweep_values
from planner.check import check_plan
from planner.explain import describe
from planner.model import build, rule_id
from planner.solver import INF, HighsModel
from planner.pipeline import frontier, solve_elastic

THREE = {
    "Items": [["A", 100, "t"]],
    "Suppliers": [["S1", "C1"], ["S2", "C2"], ["S3", "C3"]],
    "Countries": countries("C1", "C2", "C3"),
    "Offers": [["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 15]],
}
RULES = [["max_share", None, "C1", 0.5], ["min_share", None, "C3", 0.2], ["exclude", None, "supplier:S2", None]]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=120)


def rule_rows(plan: planner.Plan) -> dict[int, dict]:
    return {int(r["policy_row"]): r for r in plan.rules.to_dict(orient="records")}


def test_rule_costs_lp_by_hand(tmp_path: Path) -> None:
    """All rules: C1 <= 50, C3 >= 20, no S2: S1 50 + S3 50 = 500 + 750 = 1250.
    Without Policy!2 (cap C1): S1 80 + S3 20 = 1100, so the cap costs 150.
    Without Policy!3 (min C3): still S1 50 + S3 50 = 1250: costs 0, and its row is slack (50 > 20).
    Without Policy!4 (exclude S2): S1 50 + S2 30 + S3 20 = 500 + 360 + 300 = 1160: costs 90.
    No rules: S1 100 = 1000; price of resilience 250.
    Marginal of the cap: one more point of demand (1 t) moves from S3 to S1 and saves 15 - 10 = 5."""
    _, plan = solve_file(write_workbook(tmp_path / "in.xlsx", {**THREE, "Policy": RULES}))
    assert plan.total_cost == pytest.approx(1250)
    rows = rule_rows(plan)
    assert rows[2]["cost_of_rule"] == pytest.approx(150) and rows[2]["optimum_without"] == pytest.approx(1100)
    assert rows[3]["cost_of_rule"] == 0 and rows[3]["binds"] == "no"
    assert rows[4]["cost_of_rule"] == pytest.approx(90) and rows[4]["binds"] == "yes"
    assert rows[2]["binds"] == "yes"
    assert rows[2]["marginal_per_point"] == pytest.approx(-5)
    assert rows[2]["rule"] == "max_share"
    assert rows[2]["meaning"] == ("at most 50 % of each item's demand from country:C1; "
                                  "raising the country:C1 cap on every item by 1 % of demand saves 5.00 EUR")
    assert rows[4]["meaning"] == "nothing of any item from supplier:S2"
    assert rows[3]["marginal_per_point"] == pytest.approx(0)
    assert rows[4]["marginal_per_point"] is None or rows[4]["marginal_per_point"] != rows[4]["marginal_per_point"]
    assert rows[2]["share_of_optimum"] == pytest.approx(150 / 1250)
    assert plan.resilience["optimum without any Policy rule"] == pytest.approx(1000)
    assert plan.resilience["price of resilience"] == pytest.approx(250)
    # Joint costs: the three rules share item A, so they form one group, and v(T) = 1250 - optimum without T:
    # v(cap) = 150, v(min C3) = 0, v(no S2) = 90; without cap and min C3: S1 100 = 1000, v = 250; without cap and
    # S2's exclusion: S1 80 + S3 20 = 1100, v = 150; without min C3 and the exclusion: S1 50 + S2 50 = 1100,
    # v = 150; without all three: v = 250. Shapley, weights 1/3 (alone), 1/6 (after one), 1/3 (after two):
    # cap: 150/3 + (250 - 0 + 150 - 90)/6 + (250 - 150)/3 = 50 + 51.67 + 33.33 = 135
    # min C3: 0/3 + (250 - 150 + 150 - 90)/6 + (250 - 150)/3 = 26.67 + 33.33 = 60 (slack alone, costly jointly)
    # exclusion: 90/3 + (150 - 150 + 150 - 0)/6 + (250 - 250)/3 = 30 + 25 = 55; 135 + 60 + 55 = 250.
    assert {r: rows[r]["overlap_group"] for r in rows} == {2: 1, 3: 1, 4: 1}
    assert all(rows[r]["cost_of_group"] == pytest.approx(250) for r in rows)
    assert [rows[r]["joint_cost"] for r in (2, 3, 4)] == [pytest.approx(135), pytest.approx(60), pytest.approx(55)]
    assert plan.resilience["not attributed to a group of rules (groups interact)"] == 0
    # three rules alone, then their group's 3 pairs and all three together, then no rules at all
    assert plan.run["rule analysis re-solves"] == 8


def test_rule_costs_mip_by_hand(tmp_path: Path) -> None:
    """S3 has a minimum order of 30, so C3 >= 20 means S3 >= 30 if used at all.
    All rules: S1 50 + S3 50 = 1250 (S3 50 >= 30).
    Without the cap: S1 70 + S3 30 = 700 + 450 = 1150: costs 100 (150 in the LP above).
    Without the exclusion: S1 50 + S2 20 + S3 30 = 500 + 240 + 450 = 1190: costs 60.
    No rules: S1 100 = 1000.
    Joint costs (a MIP, with an exclusion: pairs solved on the diagnose view), v(T) = 1250 - optimum without T:
    v(cap) = 100, v(min C3) = 0, v(excl) = 60; without cap and min C3: S1 100 = 1000, v = 250; without cap and
    exclusion: S3 >= 20 means S3 >= 30, S1 70 + S3 30 = 1150, v = 100; without min C3 and exclusion: S1 50 + S2 50 =
    1100, v = 150; all three: v = 250. Shapley (weights 1/3, 1/6, 1/3):
    cap: 100/3 + (250 - 0 + 100 - 60)/6 + (250 - 150)/3 = 33.33 + 48.33 + 33.33 = 115
    min C3: 0/3 + (250 - 100 + 150 - 60)/6 + (250 - 100)/3 = 40 + 50 = 90
    exclusion: 60/3 + (100 - 100 + 150 - 0)/6 + (250 - 250)/3 = 20 + 25 = 45; 115 + 90 + 45 = 250."""
    offers = [["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 15, None, 30]]
    _, plan = solve_file(write_workbook(tmp_path / "in.xlsx", {**THREE, "Offers": offers, "Policy": RULES}))
    assert plan.run["problem type"] == "MIP"
    rows = rule_rows(plan)
    assert plan.total_cost == pytest.approx(1250)
    assert rows[2]["cost_of_rule"] == pytest.approx(100)
    assert rows[3]["cost_of_rule"] == 0
    assert rows[4]["cost_of_rule"] == pytest.approx(60)
    assert rows[2]["marginal_per_point"] is None or rows[2]["marginal_per_point"] != rows[2]["marginal_per_point"]
    assert "MIP" in rows[2]["note"]
    assert [rows[r]["rule"] for r in (2, 3, 4)] == ["max_share", "min_share", "exclude"]
    assert rows[2]["meaning"] == "at most 50 % of each item's demand from country:C1"  # no duals in a MIP
    assert rows[3]["meaning"] == "at least 20 % of each item's demand from country:C3"
    assert plan.resilience["price of resilience"] == pytest.approx(250)
    assert [rows[r]["joint_cost"] for r in (2, 3, 4)] == [pytest.approx(115), pytest.approx(90), pytest.approx(45)]
    assert all(rows[r]["cost_of_group"] == pytest.approx(250) for r in (2, 3, 4))
    assert plan.resilience["not attributed to a group of rules (groups interact)"] == 0


@pytest.mark.parametrize("offers, policy, scenarios, expected", [
    # C1 stopping must leave 50 %, so C1 <= 50 either way: the cap and the coverage floor each alone are
    # redundant given the other (each costs 0, both bind). Together: S1 50 + S2 50 = 500 + 510 = 1010 against
    # S1 100 = 1000 without them, v = 10; Shapley: (0 + (10 - 0)) / 2 = 5 each.
    ([["A", "S1", 10], ["A", "S2", 10.2]], [["max_share", None, "C1", 0.5], ["min_coverage", None, None, 0.5]],
     [["C1 stop", None, "C1", 0]], {"costs": [0, 0], "joint": [5, 5], "group": 10}),
    # C1 <= 50 and C3 >= 30: S1 50 + S2 20 + S3 30 = 500 + 240 + 450 = 1190. Without the cap: S1 70 + S3 30 =
    # 1150 (v = 40); without the floor: S1 50 + S2 50 = 1100 (v = 90); without both: 1000 (v = 190).
    # Shapley: cap (40 + (190 - 90)) / 2 = 70, floor (90 + (190 - 40)) / 2 = 120.
    ([["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 15]],
     [["max_share", None, "C1", 0.5], ["min_share", None, "C3", 0.3]], [], {"costs": [40, 90], "joint": [70, 120],
                                                                            "group": 190}),
    # The same with a fixed cost of 20 for S2 (a MIP): S1 50 + S2 20 + S3 30 = 1190 + 20 = 1210 (S1 50 + S3 50 =
    # 1250 is dearer). Without the cap: S1 70 + S3 30 = 1150, no S2 (v = 60); without the floor: S1 50 + S2 50 =
    # 1100 + 20 = 1120 (v = 90); without both: 1000 (v = 210). Shapley: cap (60 + (210 - 90)) / 2 = 90, floor
    # (90 + (210 - 60)) / 2 = 120.
    ([["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 15]],
     [["max_share", None, "C1", 0.5], ["min_share", None, "C3", 0.3]], [], {"costs": [60, 90], "joint": [90, 120],
                                                                            "group": 210, "fixed_S2": 20}),
])
def test_joint_costs_are_shapley_values_adding_up_to_the_price_of_resilience(
        tmp_path: Path, offers: list, policy: list, scenarios: list, expected: dict) -> None:
    sheets = {**THREE, "Offers": offers, "Policy": policy}
    if scenarios:
        sheets["Scenarios"] = scenarios
    if "fixed_S2" in expected:
        sheets["Suppliers"] = [["S1", "C1"], ["S2", "C2", None, expected["fixed_S2"]], ["S3", "C3"]]
    _, plan = solve_file(write_workbook(tmp_path / "in.xlsx", sheets))
    assert plan.run["problem type"] == ("MIP" if "fixed_S2" in expected else "LP")
    rows = rule_rows(plan)
    assert [rows[r]["binds"] for r in (2, 3)] == ["yes", "yes"]
    assert [rows[r]["cost_of_rule"] for r in (2, 3)] == [pytest.approx(c) for c in expected["costs"]]
    assert [rows[r]["joint_cost"] for r in (2, 3)] == [pytest.approx(c) for c in expected["joint"]]
    assert [rows[r]["cost_of_group"] for r in (2, 3)] == [pytest.approx(expected["group"])] * 2
    assert plan.resilience["price of resilience"] == pytest.approx(expected["group"])
    assert sum(rows[r]["joint_cost"] for r in (2, 3)) == pytest.approx(plan.resilience["price of resilience"])
    assert plan.resilience["not attributed to a group of rules (groups interact)"] == 0


def test_joint_costs_of_separate_items_and_of_a_group_too_large_to_split(tmp_path: Path) -> None:
    """Items A and B share no rule, so their rules form two groups, which add up to the price of resilience:
    A: C1 <= 50 % costs 50 * (12 - 10) = 100; B: 7 caps of 100 % (one per country C1..C7, on B) cost nothing,
    but 7 rules are more than MAX_SHAPLEY_RULES, so their group's cost (0) is not split."""
    names = [f"C{k}" for k in range(1, 8)]
    sheets = {"Items": [["A", 100, "t"], ["B", 10, "t"]],
              "Suppliers": [[f"S{k}", f"C{k}"] for k in range(1, 8)], "Countries": countries(*names),
              "Offers": [["A", "S1", 10], ["A", "S2", 12], *[["B", f"S{k}", 5 + k] for k in range(1, 8)]],
              "Policy": [["max_share", "A", "C1", 0.5], *[["max_share", "B", c, 1] for c in names]]}
    _, plan = solve_file(write_workbook(tmp_path / "in.xlsx", sheets))
    rows = rule_rows(plan)
    assert rows[2]["overlap_group"] == 1 and rows[2]["joint_cost"] == pytest.approx(100)
    assert {rows[r]["overlap_group"] for r in range(3, 10)} == {2}
    assert all(rows[r]["cost_of_group"] == 0 and pd.isna(rows[r]["joint_cost"]) for r in range(3, 10))
    assert "not split" in rows[3]["note"]
    assert plan.resilience["price of resilience"] == pytest.approx(100)
    assert plan.resilience["not attributed to a group of rules (groups interact)"] == 0
    # a group without joint costs: the costliest rules are ranked and charted by cost_of_rule (only row 2, 100)
    planner.write_plan(plan, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "plan.xlsx")["Rules"]
    header = [c.value for c in ws[1]]
    first = [r[0].row for r in ws.iter_rows() if r[0].value == "Costliest rules"][0] + 1
    money = get_column_letter(header.index("cost_of_rule") + 1)
    assert ws[f"{money}{first}"].value == "cost_of_rule" and ws[f"{money}{first + 1}"].value == pytest.approx(100)
    (chart,) = ws._charts
    assert "".join(r.t for p in chart.title.tx.rich.p for r in p.r) == "Cost of the top rules, each alone (EUR)"
    assert chart.series[0].val.numRef.f == f"'Rules'!${money}${first + 1}"


def test_a_rule_without_a_row_in_the_plan_is_a_player_of_its_group(tmp_path: Path) -> None:
    """One item A (100 t; S1 in C1 at 10, S2 at 12, S3 at 15), `exclude C1` and `max_share C1 0.3`. The exclusion
    leaves the cap no row in the plan (no usable offer of C1), yet both cover A: one group, solved on the diagnose
    view where both are rows (buy[A,S1] <= 0 and buy[A,S1] <= 30).
    All rules: S2 100 = 1200. No rules: S1 100 = 1000, price of resilience 200.
    v(exclusion) = 1200 - (S1 30 + S2 70 = 300 + 840 = 1140) = 60; v(cap) = 0 (the exclusion still holds);
    v(both) = 200. Shapley: exclusion (60 + (200 - 0)) / 2 = 130, cap (0 + (200 - 60)) / 2 = 70; 130 + 70 = 200, so
    nothing is left unattributed (it used to be 140: the cap was left out of the game)."""
    _, plan = solve_file(write_workbook(tmp_path / "in.xlsx", {
        **THREE, "Policy": [["exclude", None, "C1", None], ["max_share", None, "C1", 0.3]]}))
    rows = rule_rows(plan)
    assert rows[3]["model_rows"] == 0 and rows[3]["cost_of_rule"] == 0
    assert rows[2]["cost_of_rule"] == pytest.approx(60)
    assert rows[2]["overlap_group"] == rows[3]["overlap_group"] == 1
    assert [rows[r]["cost_of_group"] for r in (2, 3)] == [pytest.approx(200)] * 2
    assert [rows[r]["joint_cost"] for r in (2, 3)] == [pytest.approx(130), pytest.approx(70)]
    assert plan.resilience["price of resilience"] == pytest.approx(200)
    assert plan.resilience["not attributed to a group of rules (groups interact)"] == 0


def test_groups_linked_by_a_shared_supplier_capacity_leave_an_amount_not_attributed(tmp_path: Path) -> None:
    """Items A and B (100 t each) share S1 (C1, capacity 150, at 10); A also has S2 at 12, B S3 at 15. Caps C1 <= 50
    % on A and on B cover different items: two groups of one rule each, linked only through S1's capacity.
    All rules: A S1 50 + S2 50 = 1100, B S1 50 + S3 50 = 1250: 2350.
    Without A's cap: A S1 100 (150 - 50 left) = 1000, B 1250: 2250, so group 1 costs 100.
    Without B's cap: B S1 100 = 1000 (saves 5 a t against A's 2), A S1 50 + S2 50 = 1100: 2100, group 2 costs 250.
    No rules: the same 2100 (S1's 150 t: 100 to B, 50 to A), price of resilience 250.
    Both caps compete for S1: 100 + 250 = 350 is 100 more than the price, so not attributed = 250 - 350 = -100."""
    _, plan = solve_file(write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"], ["B", 100, "t"]], "Suppliers": [["S1", "C1", 150], ["S2", "C2"], ["S3", "C3"]],
        "Countries": countries("C1", "C2", "C3"),
        "Offers": [["A", "S1", 10], ["A", "S2", 12], ["B", "S1", 10], ["B", "S3", 15]],
        "Policy": [["max_share", "A", "C1", 0.5], ["max_share", "B", "C1", 0.5]]}))
    rows = rule_rows(plan)
    assert plan.total_cost == pytest.approx(2350)
    assert [rows[r]["overlap_group"] for r in (2, 3)] == [1, 2]
    assert [rows[r]["joint_cost"] for r in (2, 3)] == [pytest.approx(100), pytest.approx(250)]
    assert plan.resilience["price of resilience"] == pytest.approx(250)
    assert plan.resilience["not attributed to a group of rules (groups interact)"] == pytest.approx(-100)


def test_a_joint_cost_re_solve_that_fails_leaves_the_group_blank(tmp_path: Path, monkeypatch) -> None:
    """THREE with its three rules (one group, costs 135, 60, 55 when solved): every joint-cost re-solve is made to
    stop at its time limit, so the group has no cost, no joint cost, the note says why, and nothing can be said
    about what is not attributed (None); the rules' single costs (150, 0, 90) are untouched."""
    from planner.solver import SolverOutcome

    solve = HighsModel.solve

    def failing(self, time_limit=60.0, mip_gap=1e-4, progress=None, stage="solving"):
        outcome = solve(self, time_limit, mip_gap, progress, stage)
        if stage.startswith("joint cost"):
            return dataclasses.replace(outcome, status="time_limit", message="time limit reached", objective=None)
        return outcome

    monkeypatch.setattr(HighsModel, "solve", failing)
    _, plan = solve_file(write_workbook(tmp_path / "in.xlsx", {**THREE, "Policy": RULES}))
    rows = rule_rows(plan)
    assert [rows[r]["cost_of_rule"] for r in (2, 3, 4)] == [pytest.approx(150), 0, pytest.approx(90)]
    assert all(pd.isna(rows[r]["cost_of_group"]) and pd.isna(rows[r]["joint_cost"]) for r in (2, 3, 4))
    assert all("joint cost not found: time limit reached" in rows[r]["note"] for r in (2, 3, 4))
    assert plan.resilience["not attributed to a group of rules (groups interact)"] is None


def test_joint_costs_alone_and_their_budget(tmp_path: Path) -> None:
    """`_joint_costs` on its own, for two groups: A (THREE's three rules: 3 pairs + the triple = 4 re-solves; joint
    costs 135, 60, 55 as in test_rule_costs_lp_by_hand) and B (a cap C1 <= 50 % and a floor C3 >= 30 %, offers 10,
    12, 15: the pair = 1 re-solve; joint costs 70 and 120, see the Shapley test). Every rule names its item, so
    the groups share nothing; the exclusion of S2 is on A only.
    With a budget of 5 re-solves both groups are done (4 + 1). With 4, group 1 is done and group 2 (1 more
    re-solve: 5 > 4) is not: its rules get no cost_of_group, no joint_cost, and a note that the budget was spent.
    With 0 seconds, none is done."""
    from planner.analysis import _joint_costs, _policy_rows

    sheets = {**THREE, "Items": [["A", 100, "t"], ["B", 100, "t"]],
              "Offers": [[i, s, p] for i in "AB" for s, p in (("S1", 10), ("S2", 12), ("S3", 15))],
              "Policy": [["max_share", "A", "C1", 0.5], ["min_share", "A", "C3", 0.2], ["exclude", "A", "supplier:S2", None],
                         ["max_share", "B", "C1", 0.5], ["min_share", "B", "C3", 0.3]]}
    data, plan = solve_file(write_workbook(tmp_path / "in.xlsx", sheets))
    single = {int(k): v for k, v in zip(plan.rules["policy_row"], plan.rules["cost_of_rule"])}
    handle = HighsModel(build(data))
    z = handle.solve().objective
    rows_of, _ = _policy_rows(data, handle.model)
    rid = {r.row: rule_id(data, r) for r in data.rules}
    costs = {rid[row]: single[row] for row in rid}
    done = _joint_costs(data, handle, z, costs, rows_of, None, budget=(5, 600.0))
    assert done.resolves == 5 and done.stopped == "" and done.groups == 2
    assert [done.by_rule[rid[r]].joint_cost for r in (2, 3, 4, 5, 6)] == [
        pytest.approx(135), pytest.approx(60), pytest.approx(55), pytest.approx(70), pytest.approx(120)]
    assert [done.by_rule[rid[r]].overlap_group for r in (2, 3, 4, 5, 6)] == [1, 1, 1, 2, 2]
    short = _joint_costs(data, handle, z, costs, rows_of, None, budget=(4, 600.0))
    assert short.resolves == 4 and short.stopped.startswith("the joint-cost analysis stopped at group 2 of 2")
    assert [short.by_rule[rid[r]].cost_of_group for r in (2, 5, 6)] == [pytest.approx(250), None, None]
    assert [short.by_rule[rid[r]].joint_cost for r in (5, 6)] == [None, None]
    assert short.by_rule[rid[5]].note.startswith("joint cost not found: the joint-cost analysis stopped")
    assert short.by_rule[rid[2]].note == ""
    # a budget of 0 seconds: spent before the first group, so neither is done and no re-solve is made
    timed = _joint_costs(data, handle, z, costs, rows_of, None, budget=(1000, 0.0))
    assert timed.resolves == 0 and timed.stopped == ("the joint-cost analysis stopped at group 1 of 2: its budget "
                                                     "of 1,000 re-solves or 0 seconds was spent")
    assert all(timed.by_rule[rid[r]].joint_cost is None for r in (2, 3, 4, 5, 6))


def test_budget_spent_is_said_in_the_rules_sheet_and_run(tmp_path: Path, monkeypatch) -> None:
    """A budget of 0 re-solves: THREE's one group of three rules needs 4, so it is not done; its rules keep their
    single costs (150, 0, 90), their note says the analysis stopped, and the Run sheet says so too."""
    monkeypatch.setattr("planner.analysis.JOINT_BUDGET", (0, 600.0))
    src = write_workbook(tmp_path / "in.xlsx", {**THREE, "Policy": RULES})
    data, plan = solve_file(src)
    rows = rule_rows(plan)
    assert [rows[r]["cost_of_rule"] for r in (2, 3, 4)] == [pytest.approx(150), 0, pytest.approx(90)]
    assert all(pd.isna(rows[r]["joint_cost"]) for r in (2, 3, 4))
    assert plan.run["joint costs"] == ("the joint-cost analysis stopped at group 1 of 1: its budget of 0 re-solves "
                                       "or 600 seconds was spent")
    planner.write_plan(plan, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "plan.xlsx")["Rules"]
    header = [c.value for c in ws[1]]
    notes = [ws.cell(row=r, column=header.index("note") + 1).value for r in (2, 3, 4)]
    assert all("the joint-cost analysis stopped at group 1 of 1" in n for n in notes)


def test_unattributed_tolerance_by_hand() -> None:
    """z = 1000 with two groups. LP: 1e-6 * 1000 = 0.001. MIP with mip_gap 0.001: each of the solves is within
    0.001 * 1000 = 1 of its optimum, so 2 groups can differ from the price by up to 2 * 1 = 2: a difference of 1.5
    is noise (0), one of 2.5 is not."""
    from planner.analysis import RuleCosts

    table = pd.DataFrame({"overlap_group": [1, 2], "cost_of_group": [100.0, 98.5]})
    lp = RuleCosts(table, 1000.0, 800.0, 0.0, 0)
    assert lp.unattributed_tolerance == pytest.approx(0.001) and lp.unattributed == pytest.approx(1.5)
    mip = RuleCosts(table, 1000.0, 800.0, 0.0, 0, mip_gap=0.001)
    assert mip.unattributed_tolerance == pytest.approx(2) and mip.unattributed == 0
    # price 1000 - 799 = 201, groups 198.5: 2.5 > 2
    assert RuleCosts(table, 1000.0, 799.0, 0.0, 0, mip_gap=0.001).unattributed == pytest.approx(2.5)


def test_rules_sheet_and_no_rule_costs_flag(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", {**THREE, "Policy": RULES})
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(src), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["price_of_resilience"] == pytest.approx(250)
    wb = openpyxl.load_workbook(out)
    rules = wb["Rules"]
    header = [c.value for c in rules[1]]
    body = [dict(zip(header, [c.value for c in r])) for r in rules.iter_rows(min_row=2, max_row=4)]
    assert [(r["policy_row"], r["cost_of_rule"]) for r in body] == [(2, pytest.approx(150)), (3, 0), (4, pytest.approx(90))]
    assert body[0]["rule"] == "max_share"
    assert body[0]["meaning"].startswith("at most 50 % of each item's demand from country:C1; raising")
    chart = rules._charts[0]
    (series,) = chart.series
    first = [r[0].row for r in rules.iter_rows() if r[0].value == "Costliest rules"][0] + 1
    money = get_column_letter(header.index("joint_cost") + 1)
    # ranked by joint cost (every rule of the group has one): 135, 60 (0 alone), 55
    assert rules[f"{money}{first}"].value == "joint_cost"
    assert "".join(r.t for p in chart.title.tx.rich.p for r in p.r) == "Joint cost of the top rules (EUR)"
    assert series.val.numRef.f == f"'Rules'!${money}${first + 1}:${money}${first + 3}"
    assert [rules.cell(row=r, column=1).value for r in (first + 1, first + 2, first + 3)] == [
        "Policy row 2: max_share country:C1 0.5, (every item)", "Policy row 3: min_share country:C3 0.2, (every item)",
        "Policy row 4: exclude supplier:S2, (every item)"]
    assert [rules[f"{money}{r}"].value for r in (first + 1, first + 2, first + 3)] == [
        pytest.approx(135), pytest.approx(60), pytest.approx(55)]
    run_sheet = {r[0].value: r[1].value for r in wb["Run"].iter_rows(min_row=2)}
    assert run_sheet["rule analysis re-solves"] == 8
    # Printable: no column wider than the wrapped meaning (46), long text wrapped, and the table printed at 100 %
    # over pages with policy_row and rule repeated rather than shrunk onto one page.
    widths = {header[ord(k) - ord("A")]: d.width for k, d in rules.column_dimensions.items() if len(k) == 1}
    assert widths["policy_row"] == len("policy_row") + 2 and max(widths.values()) == widths["meaning"] == 46
    assert all(width >= len(name) + 2 for name, width in widths.items()), widths  # headers print whole
    assert rules.cell(row=2, column=header.index("meaning") + 1).alignment.wrap_text
    assert not rules.sheet_properties.pageSetUpPr.fitToPage and rules.print_title_cols == "$A:$B"
    assert rules.page_setup.orientation == "landscape"

    timed = tmp_path / "timed.xlsx"
    assert run("solve", str(src), "-o", str(timed), "--timings").returncode == 0
    run_sheet = {r[0].value: r[1].value for r in openpyxl.load_workbook(timed)["Run"].iter_rows(min_row=2)}
    assert run_sheet["rule analysis seconds"] >= 0 and run_sheet["solve seconds"] >= 0

    quick = tmp_path / "quick.xlsx"
    assert run("solve", str(src), "-o", str(quick), "--no-rule-costs").returncode == 0
    wb = openpyxl.load_workbook(quick)
    assert "Rules" not in wb.sheetnames
    assert {r[0].value: r[1].value for r in wb["Run"].iter_rows(min_row=2)}["rule analysis"] == "skipped"


def test_charts_point_at_their_tables(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", {
        **THREE, "Items": [["A", 100, "t"], ["B", 10, "t"]],
        "Offers": [["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 15], ["B", "S2", 1], ["B", "S3", 2]],
        "Countries": countries("C1", "C2", "C3", blocs={"C2": "EU", "C3": "EU"}),
        "Policy": [["max_share", None, "each country", 0.5], ["min_coverage", None, None, 0.4]],
        "Scenarios": [["C1 stop", None, "C1", 0], ["EU half", None, "bloc:EU", 0.5]]})
    out = tmp_path / "plan.xlsx"
    assert run("solve", str(src), "-o", str(out)).returncode == 0
    wb = openpyxl.load_workbook(out)
    shares = wb["Shares"]
    assert [c.value for c in shares[1]][:4] == ["item", "C1", "C2", "C3"]
    assert [shares.cell(row=r, column=1).value for r in (2, 3)] == ["A", "B"]
    (chart,) = shares._charts
    assert chart.grouping == "percentStacked"
    assert [s.val.numRef.f for s in chart.series] == [f"'Shares'!${c}$2:${c}$3" for c in "BCD"]
    assert [s.tx.strRef.f for s in chart.series] == [f"'Shares'!{c}1" for c in "BCD"]
    # A: C1 50 (at its cap), C2 50; B: C2 5, C3 5. The caps sit below the shares, one per cell.
    assert shares["B2"].value == pytest.approx(0.5) and shares["B7"].value == pytest.approx(0.5)
    assert any("B7" in rule.formula[0] for rng in shares.conditional_formatting for rule in rng.rules)
    coverage = wb["Coverage"]
    assert [c.value for c in coverage[1]] == ["item", "C1 stop", "EU half", "required coverage"]
    (bars,) = coverage._charts
    assert [s.val.numRef.f for s in bars.series] == ["'Coverage'!$B$2:$B$3", "'Coverage'!$C$2:$C$3"]
    assert coverage["D2"].value == pytest.approx(0.4)
    summary = wb["Summary"]
    (spend,) = summary._charts
    title_row = [r[0].row for r in summary.iter_rows() if r[0].value == "Cost by bloc"][0]
    assert spend.series[0].val.numRef.f.startswith(f"'Summary'!$B${title_row + 2}:")


def conflict_book(tmp_path: Path, **sheets: list) -> Path:
    base = {
        "Items": [["A", 100, "t"]],
        "Suppliers": [["S1", "C1"], ["S2", "C2"]],
        "Countries": countries("C1", "C2"),
        "Offers": [["A", "S1", 10], ["A", "S2", 12, 40]],
    }
    base.update(sheets)
    return write_workbook(tmp_path / "conflict.xlsx", base)


@pytest.mark.parametrize("sheets, expected", [
    # Offer capacities 30 + 40 cannot meet a demand of 100.
    ({"Offers": [["A", "S1", 10, 30], ["A", "S2", 12, 40]]},
     ["Item-demand[A]: Items!B2 demand 100 of 'A'",
      "Offer-capacity[A,S1]: Offers!D2 capacity 30 of 'A' from 'S1'",
      "Offer-capacity[A,S2]: Offers!D3 capacity 40 of 'A' from 'S2'"]),
    # A supplier's capacity 50 plus the other offer's 40 fall short of 100.
    ({"Suppliers": [["S1", "C1", 50], ["S2", "C2"]]},
     ["Item-demand[A]: Items!B2 demand 100 of 'A'",
      "Offer-capacity[A,S2]: Offers!D3 capacity 40 of 'A' from 'S2'",
      "Supplier-capacity[S1]: Suppliers!C2 capacity 50 of 'S1'"]),
    # A cap of 50 % on C1 and 40 from C2 leave 10 unbought.
    ({"Policy": [["max_share", None, "C1", 0.5]]},
     ["Item-demand[A]: Items!B2 demand 100 of 'A'",
      "Offer-capacity[A,S2]: Offers!D3 capacity 40 of 'A' from 'S2'",
      "Policy-max-share[2,A,country,C1]: Policy!A2 max_share country:C1 0.5 on every item (for 'A')"]),
    # Two minimum shares of 60 % add up to more than the demand.
    ({"Offers": [["A", "S1", 10], ["A", "S2", 12]],
      "Policy": [["min_share", None, "C1", 0.6], ["min_share", None, "C2", 0.6]]},
     ["Item-demand[A]: Items!B2 demand 100 of 'A'",
      "Policy-min-share[2,A,country,C1]: Policy!A2 min_share country:C1 0.6 on every item (for 'A')",
      "Policy-min-share[3,A,country,C2]: Policy!A3 min_share country:C2 0.6 on every item (for 'A')"]),
    # At most 30 % and at least 50 % of the same country: the demand is not even needed.
    ({"Offers": [["A", "S1", 10], ["A", "S2", 12]],
      "Policy": [["max_share", "A", "C1", 0.3], ["min_share", "A", "C1", 0.5]]},
     ["Policy-max-share[2,A,country,C1]: Policy!A2 max_share country:C1 0.3 on A",
      "Policy-min-share[3,A,country,C1]: Policy!A3 min_share country:C1 0.5 on A"]),
    # A sanction on C1 leaves only S2, whose capacity is 40.
    ({"Policy": [["exclude", None, "C1", None]]},
     ["Item-demand[A]: Items!B2 demand 100 of 'A'",
      "Offer-capacity[A,S2]: Offers!D3 capacity 40 of 'A' from 'S2'",
      "Policy-exclude[2,A,S1]: Policy!A2 exclude country:C1 on every item ('A' from 'S1')"]),
    # S1 delivers 60 and C2 is sanctioned. S2's capacity of 20 would fall short too, but it cannot be acted on (S2
    # is sanctioned): the sanction is the row to name (before, the IIS named S2's capacity instead).
    ({"Offers": [["A", "S1", 10, 60], ["A", "S2", 12, 20]], "Policy": [["exclude", None, "C2", None]]},
     ["Item-demand[A]: Items!B2 demand 100 of 'A'",
      "Offer-capacity[A,S1]: Offers!D2 capacity 60 of 'A' from 'S1'",
      "Policy-exclude[2,A,S2]: Policy!A2 exclude country:C2 on every item ('A' from 'S2')"]),
    # The same with the sanctioned supplier's own capacity.
    ({"Suppliers": [["S1", "C1"], ["S2", "C2", 20]], "Offers": [["A", "S1", 10, 60], ["A", "S2", 12]],
      "Policy": [["exclude", None, "C2", None]]},
     ["Item-demand[A]: Items!B2 demand 100 of 'A'",
      "Offer-capacity[A,S1]: Offers!D2 capacity 60 of 'A' from 'S1'",
      "Policy-exclude[2,A,S2]: Policy!A2 exclude country:C2 on every item ('A' from 'S2')"]),
    # If C1 stops, 50 % must survive, but S2 can deliver only 40.
    ({"Policy": [["min_coverage", None, None, 0.5]], "Scenarios": [["C1 stop", None, "C1", 0]]},
     ["Offer-capacity[A,S2]: Offers!D3 capacity 40 of 'A' from 'S2'",
      "Policy-min-coverage[2,C1 stop,A]: Policy!A2 min_coverage 0.5 on every item (in scenario 'C1 stop', "
      "for 'A'); Scenarios!A2 C1 stop: country:C1 keeps 0 of every item"]),
])
def test_iis_names_exactly_the_conflicting_rows(tmp_path: Path, sheets: dict, expected: list[str]) -> None:
    data, plan = solve_file(conflict_book(tmp_path, **sheets))
    assert plan.status == "infeasible"
    assert plan.diagnosis_notes[0] == "method: iis"
    assert sorted(plan.conflicts[1:]) == sorted(expected)
    assert_irreducible(data, {line.split(":", 1)[0] for line in expected})


def assert_irreducible(data: planner.PlanningData, names: set[str]) -> None:
    """Re-check with the solver: the named rows and capacities alone are infeasible, and dropping any one
    of them (every other row and capacity dropped too) leaves a feasible system."""
    def feasible(kept: set[str]) -> bool:
        model = build(data, "diagnose")
        handle = HighsModel(model)
        h = handle.highs
        for k in range(model.num_rows):
            if describe(data, *model.row_label(k)).name not in kept:
                h.changeRowBounds(k, -INF, INF)
        for j in range(model.num_columns):
            name, index = model.column_label(j)
            if name == "buy" and describe(data, "Offer-capacity", index).name not in kept:
                h.changeColBounds(j, 0.0, INF)
        return handle.solve().status == "optimal"

    assert not feasible(names)
    for name in names:
        assert feasible(names - {name}), f"still infeasible without {name}: not irreducible"


def test_mip_conflict_is_explained_by_an_elastic_resolve(tmp_path: Path) -> None:
    """S1 can deliver 40, so S2 must deliver 60 = its 60 % cap, but S2's minimum order is 70:
    only the binaries make this infeasible. The least violation breaks the cap by 10 t
    (10 % of demand, weight 1) rather than the minimum order (weight 100) or demand (weight 10)."""
    path = conflict_book(tmp_path, Offers=[["A", "S1", 10, 40], ["A", "S2", 12, None, 70]],
                         Policy=[["max_share", None, "C2", 0.6]])
    _, plan = solve_file(path)
    assert plan.status == "infeasible" and plan.diagnosis_notes[0] == "method: elastic"
    assert plan.conflicts[1:] == ["Policy-max-share[2,A,country,C2]: Policy!A2 max_share country:C2 0.6 on every item "
                                  "(for 'A') (relaxed by 10)"]


def test_elastic_plan_breaks_rules_least(tmp_path: Path) -> None:
    """Cap C1 at 50 %, S2 holds 40: 10 t must break something. Breaking the cap (weight 1)
    beats buying less (weight 10) and overfilling S2 (weight 100): S1 60, S2 40 = 600 + 480 = 1080."""
    path = conflict_book(tmp_path, Policy=[["max_share", None, "C1", 0.5]])
    data, _ = planner.read(path)
    plan = solve_elastic(data)
    assert plan.status == "relaxed"
    assert plan.total_cost == pytest.approx(1080)
    assert plan.quantities[("A", "S1")] == pytest.approx(60)
    (violation,) = plan.violations.to_dict(orient="records")
    assert violation["constraint"] == "Policy-max-share[2,A,country,C1]"
    assert violation["relaxed_by"] == pytest.approx(10) and violation["share_of_scale"] == pytest.approx(0.1)
    assert plan.conflicts == check_plan(data, plan.quantities)
    assert len(plan.conflicts) == 1 and plan.conflicts[0].startswith("Policy-max-share: Policy!A2")


def test_cli_elastic_and_diagnose(tmp_path: Path) -> None:
    path = conflict_book(tmp_path, Policy=[["max_share", None, "C1", 0.5]])
    out, why = tmp_path / "plan.xlsx", tmp_path / "why.xlsx"
    result = run("solve", str(path), "-o", str(out), "--diagnose", str(why))
    assert result.returncode == 3 and not out.exists()
    assert "Policy!A2 max_share country:C1 0.5" in result.stderr
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(why)["Diagnosis"].iter_rows(min_row=4)]
    assert {r[0] for r in rows if r[0]} >= {"Item-demand[A]", "Offer-capacity[A,S2]", "Policy-max-share[2,A,country,C1]"}

    result = run("solve", str(path), "-o", str(out), "--elastic", "--json")
    assert result.returncode == 4, result.stderr
    payload = json.loads(result.stdout)
    assert payload["status"] == "relaxed" and payload["output"] == str(out)
    assert payload["total_cost"] == pytest.approx(1080)
    assert [v["constraint"] for v in payload["violations"]] == ["Policy-max-share[2,A,country,C1]"]
    wb = openpyxl.load_workbook(out)
    assert "Violations" in wb.sheetnames
    head = [c.value for c in wb["Violations"][1]]
    first = dict(zip(head, [c.value for c in wb["Violations"][2]]))
    assert first["relaxed_by"] == pytest.approx(10)
    assert wb["Shares"]["B2"].value == pytest.approx(0.6)  # above its cap: shown red by the sheet's formatting


def test_elastic_on_feasible_input_is_a_normal_plan(tmp_path: Path) -> None:
    path = conflict_book(tmp_path)
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(path), "-o", str(out), "--elastic")
    assert result.returncode == 0
    assert "Violations" not in openpyxl.load_workbook(out).sheetnames


def test_frontier_is_monotone_and_exact(tmp_path: Path) -> None:
    """Cap each country at v: S1 (10) takes 100 v, S2 (12) the rest up to 100 v, S3 (15) what is left.
    v = 1: 1000. v = 0.5: 500 + 600 = 1100. v = 0.4: 400 + 480 + 300 = 1180.
    Below 1/3 three countries cannot cover the demand: infeasible. Tightening a cap never lowers cost."""
    path = write_workbook(tmp_path / "in.xlsx", {**THREE, "Policy": [["max_share", None, "each country", 1.0]]})
    data, _ = planner.read(path)
    table = frontier(data, data.rules[0], sweep_values(1.0, 0.3, 8))
    assert list(table["value"]) == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    assert list(table["status"]) == ["optimal"] * 7 + ["infeasible"]
    costs = list(table["total_cost"][:7])
    assert costs[0] == pytest.approx(1000) and costs[5] == pytest.approx(1100) and costs[6] == pytest.approx(1180)
    assert all(b >= a - 1e-9 for a, b in zip(costs, costs[1:]))
    hhi = list(table["hhi_country"][:7])
    assert hhi[0] == pytest.approx(10000) and hhi[5] == pytest.approx(5000)
    assert all(b <= a + 1e-9 for a, b in zip(hhi, hhi[1:]))  # a tighter cap never concentrates more here


def test_frontier_cli_writes_table_and_charts(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        **THREE, "Policy": [["max_share", None, "each country", 1.0], ["min_coverage", None, None, 0.0]],
        "Scenarios": [["C1 stop", None, "C1", 0]]})
    out = tmp_path / "frontier.xlsx"
    result = run("frontier", str(path), "--rule", "2", "--from", "1", "--to", "0.4", "--steps", "7", "-o", str(out))
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(out)["Frontier"]
    header = [c.value for c in ws[3]]
    assert header[:6] == ["step", "value", "status", "total_cost", "change_vs_first", "hhi_country"]
    assert header[6] == "surviving: C1 stop"
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=4)]
    assert rows[-1]["total_cost"] == pytest.approx(1180) and rows[-1]["surviving: C1 stop"] == pytest.approx(0.6)
    assert rows[0]["surviving: C1 stop"] == pytest.approx(0.0)
    cost_chart = ws._charts[0]
    assert cost_chart.series[0].val.numRef.f == "'Frontier'!$D$4:$D$10"
    assert run("frontier", str(path), "--rule", "9", "--from", "1", "--to", "0.4").returncode == 2


def test_frontier_names_the_rows_that_conflict_at_an_infeasible_step(tmp_path: Path) -> None:
    """At a cap of 0.3 per country the three countries give at most 90 of A's 100: the IIS is the cap's three
    rows and A's demand. The step names them (by input row, rules first) in the table, workbook and JSON."""
    path = write_workbook(tmp_path / "in.xlsx", {**THREE, "Policy": [["max_share", None, "each country", 1.0]]})
    out = tmp_path / "frontier.xlsx"
    # the cap's three model rows are one input row, so A's demand is named too rather than hidden in "1 more"
    why = ("the rules cannot all hold: 2 conflicting input row(s): Policy!A2 max_share each country 0.3 on every "
           "item (3 rows) | Items!B2 demand 100 of 'A'")
    result = run("frontier", str(path), "--rule", "2", "--from", "0.4", "--to", "0.3", "--steps", "2", "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["step", "value", "status", "total_cost", "change_vs_first", "hhi_country", "why"]
    assert lines[2].split() == ["1", "40.0%", "optimal", "1,180.00", "+0.00", "3,600"]
    assert lines[3].split(None, 3) == ["2", "30.0%", "infeasible", why]
    ws = openpyxl.load_workbook(out)["Frontier"]
    header = [c.value for c in ws[3]]
    assert header[-1] == "why" and ws.cell(row=3, column=len(header)).comment is not None
    assert [ws.cell(row=r, column=len(header)).value for r in (4, 5)] == [None, why]
    payload = json.loads(run("frontier", str(path), "--rule", "2", "--from", "0.4", "--to", "0.3", "--steps", "2",
                             "-o", str(out), "--json").stdout)
    assert [s["why"] for s in payload["steps"]] == [None, why]
    bad = run("frontier", str(path), "--rule", "2", "--from", "1.5", "--to", "0.4")
    assert bad.returncode == 2 and "--from 1.5 is not a share" in bad.stderr


def test_elastic_plan_lists_rows_no_plan_can_meet(tmp_path: Path) -> None:
    """B has no offer at all (100 t short); a 10 % minimum from C3, which offers nothing (10 t of A short).
    Everything else holds: A is bought at S1 for 1000."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"], ["B", 100, "t"]],
        "Suppliers": [["S1", "C1"], ["S3", "C3"]],
        "Countries": countries("C1", "C3"),
        "Offers": [["A", "S1", 10]],
        "Policy": [["min_share", "A", "C3", 0.1]]})
    data, _ = planner.read(path)
    plan = solve_elastic(data)
    assert plan.status == "relaxed" and plan.total_cost == pytest.approx(1000)
    found = {v["constraint"]: v["relaxed_by"] for v in plan.violations.to_dict(orient="records")}
    assert found == {"Item-demand[B]": pytest.approx(100), "Policy-min-share[2,A,country,C3]": pytest.approx(10)}
    assert len(plan.conflicts) == 2


def test_mip_whose_relaxation_is_infeasible_gets_an_iis(tmp_path: Path) -> None:
    """S1 has a fixed cost (a MIP), but the conflict does not depend on it: C1 at most 50 % and S2 at most 40
    leave 10 t unbought even with fractional on/off decisions. The relaxation's IIS names the three rows."""
    path = conflict_book(tmp_path, Suppliers=[["S1", "C1", None, 100], ["S2", "C2"]],
                         Policy=[["max_share", None, "C1", 0.5]])
    data, plan = solve_file(path)
    assert data.is_mip and plan.status == "infeasible"
    assert plan.diagnosis_notes[0] == "method: iis of the LP relaxation"
    assert sorted(plan.conflicts[1:]) == [
        "Item-demand[A]: Items!B2 demand 100 of 'A'",
        "Offer-capacity[A,S2]: Offers!D3 capacity 40 of 'A' from 'S2'",
        "Policy-max-share[2,A,country,C1]: Policy!A2 max_share country:C1 0.5 on every item (for 'A')"]


def test_relaxed_plan_is_rounded_to_the_solver_tolerance_and_still_checks(tmp_path: Path) -> None:
    """The bundled example with at most 30 % per country on its critical items cannot hold (germanium: 3
    countries x 30 % < 100 % without Russia; antimony: at most 4 suppliers, and two of them can deliver only 50 t
    together): the relaxed plan buys 120 t of germanium from RU-Metals (10 % of 1,200) and 55 t of antimony from
    China (10 t above 30 % of 150). Phase 2 of the elastic re-solve may spend its 1e-9 of allowed violation;
    rounded to 1e-7 of the row's scale (demand 150: 5 decimals) antimony's purchases are whole tonnes that still
    add up to its 150 t, and the checker finds nothing but the relaxed rows."""
    data, _ = planner.load(Path(__file__).resolve().parents[1] / "inputs" / "example.xlsx",
                           overrides=["Policy!3=0.3"])
    plan = solve_elastic(data)
    antimony = {s: q for (i, s), q in plan.quantities.items() if i == "antimony"}
    assert antimony == {"AU-Metals": 30.0, "CN-Metals": 55.0, "TJ-Antimony": 45.0, "US-Antimony": 20.0}
    assert sorted(plan.violations["relaxed_by"].tolist()) == [10.0, 120.0]
    assert plan.conflicts == [
        "Policy-exclude: Policy!A2 exclude country:RU on every item: 'germanium' from country:RU buys 120",
        "Policy-max-share: Policy!A3 max_share each country 0.3 on class:critical: 'antimony' from country:CN is 55, "
        "above 0.3 of 150"]
    assert check_plan(data, plan.quantities) == plan.conflicts


def test_rounding_to_the_tolerance_by_hand(tmp_path: Path) -> None:
    """On a row of scale 100, 1e-7 * 100 = 1e-5: five decimals. 59.9999997 + 40.0000003 = 100 stays 60 + 40."""
    from planner.diagnose import round_to_tolerance, rounded_plan

    assert round_to_tolerance(20.0000008, 100) == 20.0
    assert round_to_tolerance(110000.002, 200000) == 110000.0  # 1e-7 * 200,000 = 0.02: two decimals
    assert round_to_tolerance(20.00008, 100) == 20.00008  # above the tolerance: a real figure, kept
    data, _ = planner.read(conflict_book(tmp_path))
    assert rounded_plan(data, {("A", "S1"): 59.9999997, ("A", "S2"): 40.0000003}) == {("A", "S1"): 60.0,
                                                                                      ("A", "S2"): 40.0}


def test_relaxing_a_sanction_never_asks_for_the_sanctioned_supplier_s_capacity(tmp_path: Path) -> None:
    """16 items of 10 t; only S2 (sanctioned, capacity 150 in all) can deliver (S1's offers hold 0). Relaxing the
    sanction on 15 items weighs 15 * 1 * 10/10. For the 16th, raising S2's capacity by 10 would weigh
    100 * 10/150 = 6.67 (+ 1 for its sanction), less than buying 10 t short (10 * 10/10 = 10): the elastic plan
    used to say "Supplier-capacity[S2] relaxed by 10", asking for more from a sanctioned supplier. A sanctioned
    supplier's capacity is now hard: S2 delivers its 150 t, and one item is 10 t short."""
    items = [f"I{k:02d}" for k in range(16)]
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [[i, 10, "t"] for i in items], "Suppliers": [["S1", "C1"], ["S2", "RU", 150]],
        "Countries": countries("C1", "RU"),
        "Offers": [[i, "S1", 10, 0] for i in items] + [[i, "S2", 8] for i in items],
        "Policy": [["exclude", None, "RU", None]]})
    data, _ = planner.read(path)
    plan = solve_elastic(data)
    families = plan.violations["family"].tolist()
    assert "Supplier-capacity" not in families and "Offer-capacity" not in families
    assert families.count("Item-demand") == 1 and families.count("Policy-exclude") == 15
    assert plan.violations["relaxed_by"].tolist() == [10.0] * 16
    assert sum(plan.quantities.values()) == pytest.approx(150)
    assert not [c for c in plan.conflicts if c.startswith("Supplier-capacity")]


def test_relaxing_a_sanction_never_asks_for_capacity_of_a_supplier_with_other_offers(tmp_path: Path) -> None:
    """The case above, with S2 also offering an unsanctioned item B (demand 1, at 5; S1 sells it at 1, so the plan
    buys B from S1 and S2 delivers nothing unsanctioned). The sanctions are one exclude rule per item I00..I15.
    S2's `Supplier-capacity` row now holds an unsanctioned term, so it is no longer kept hard as a whole; it used
    to be relaxed by 10 (weight 100 * 10/150 + 1 = 7.67 < 10 for buying 10 t short). The hard row
    `Supplier-capacity-excluded[S2]` (the excluded offers' sum <= 150) forbids that: S2 delivers 150 t of the
    sanctioned items, one item is 10 t short (weight 10), B comes from S1 (1 t)."""
    items = [f"I{k:02d}" for k in range(16)]
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [[i, 10, "t"] for i in items] + [["B", 1, "t"]], "Suppliers": [["S1", "C1"], ["S2", "RU", 150]],
        "Countries": countries("C1", "RU"),
        "Offers": [[i, "S1", 10, 0] for i in items] + [[i, "S2", 8] for i in items] + [["B", "S1", 1], ["B", "S2", 5]],
        "Policy": [["exclude", i, "RU", None] for i in items]})
    data, _ = planner.read(path)
    plan = solve_elastic(data)
    families = plan.violations["family"].tolist()
    assert "Supplier-capacity" not in families and "Offer-capacity" not in families
    assert families.count("Item-demand") == 1 and families.count("Policy-exclude") == 15
    assert plan.violations["relaxed_by"].tolist() == [10.0] * 16
    assert sum(q for (item, supplier), q in plan.quantities.items() if supplier == "S2") == pytest.approx(150)
    assert plan.quantities[("B", "S1")] == pytest.approx(1) and ("B", "S2") not in plan.quantities
    assert not [c for c in plan.conflicts if c.startswith("Supplier-capacity")]
