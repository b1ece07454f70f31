"""max_hhi: a cap on the HHI of an item's country shares, held by tangent rows the solve adds until it holds.

Optima are worked out by hand in each docstring. Over n countries with prices p_k, no capacities and all
shares positive, minimising sum_k p_k s_k on {sum_k s_k = 1, sum_k s_k^2 <= h} is minimising a linear function
on a circle centred at the even split u (HHI 1/n) with radius^2 h - 1/n: the optimum leaves u against the
centred prices, s = u - beta (p - mean p), with beta^2 * sum_k (p_k - mean p)^2 = h - 1/n, and costs

    z = d * (mean p - sqrt((h - 1/n) * sum_k (p_k - mean p)^2)).

Every plan is re-checked by the independent checker (`helpers.solve_file`, `check_plan`), and its HHI is
recomputed here from the plan's lines.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import highspy
import numpy as np
import pytest

import planner
import planner.solver
from fast_path import canonical
from helpers import countries, qty, solve_file, write_workbook
from planner.check import check_plan
from planner.cli import main
from planner.data import Country, Item, Offer, PlanningData, Rule, Supplier
from planner.model import build, create_model, from_pyomo
from planner.model.outer import CUT_TOL
from planner.solver import HighsModel

ONE_ITEM = [["A", 100, "t"]]


def book(tmp_path: Path, prices: list[float], policy: list[list], capacities: list[float | None] | None = None,
         fixed: list[float | None] | None = None, **extra: list[list]) -> Path:
    """Item A, demand 100; one supplier per country, S<C> in country C (A, B, C, ...), at the prices given."""
    names = "ABCDEFGH"[:len(prices)]
    capacities = capacities or [None] * len(prices)
    fixed = fixed or [None] * len(prices)
    return write_workbook(tmp_path / "hhi.xlsx", {
        "Items": ONE_ITEM,
        "Suppliers": [[f"S{c}", c, None, f] for c, f in zip(names, fixed)],
        "Countries": countries(*names),
        "Offers": [["A", f"S{c}", p, cap] for c, p, cap in zip(names, prices, capacities)],
        "Policy": policy,
        **extra,
    })


def hhi(plan: planner.Plan, item: str = "A") -> float:
    """The item's HHI (0..1) from the plan's lines: sum over countries of (quantity / demand)^2."""
    lines = plan.lines[plan.lines["item"] == item]
    demand = 100.0
    return float(sum((q / demand) ** 2 for q in lines.groupby("country")["quantity"].sum()))


def test_two_countries_cap_at_068(tmp_path: Path) -> None:
    """A at 10 (country A), B at 12 (country B), demand 100, HHI <= 0.68. With s the share of A,
    s^2 + (1 - s)^2 <= 0.68 gives s in [0.2, 0.8]; the cheapest is s = 0.8: 80 * 10 + 20 * 12 = 1040
    (0.64 + 0.04 = 0.68). Without the cap all from A: 1000."""
    data, plan = solve_file(book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.68]]))
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(1040, rel=1e-6)
    assert qty(plan, "A", "SA") == pytest.approx(80, abs=1e-4)
    assert hhi(plan) <= 0.68 + 1e-6
    assert plan.run["max_hhi cut rounds"] >= 1
    assert plan.run["max_hhi cuts added"] >= 1  # the data's tangents (at 1/2 and sqrt(0.68)) do not hold it alone


def test_three_countries(tmp_path: Path) -> None:
    """Prices 10, 12, 14 (mean 12, centred -2, 0, 2: sum of squares 8), h = 0.5. beta^2 = (1/2 - 1/3) / 8 = 1/48,
    beta = 1 / (4 sqrt 3); shares 1/3 + 1/(2 sqrt 3) = 0.622, 1/3, 1/3 - 1/(2 sqrt 3) = 0.045 (all positive);
    z = 100 * (12 - sqrt(1/6 * 8)) = 1200 - 200 / sqrt 3 = 1084.5299."""
    data, plan = solve_file(book(tmp_path, [10, 12, 14], [["max_hhi", "A", None, 0.5]]))
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(1200 - 200 / math.sqrt(3), rel=1e-6)
    assert qty(plan, "A", "SA") == pytest.approx(100 * (1 / 3 + 1 / (2 * math.sqrt(3))), abs=1e-2)
    assert qty(plan, "A", "SB") == pytest.approx(100 / 3, abs=1e-2)
    assert hhi(plan) <= 0.5 + 1e-6


def test_even_split_is_the_least_hhi(tmp_path: Path) -> None:
    """A at 10, B at 12, h = 0.5 = 1/2, the least HHI of two shares: only 50/50 meets it, 500 + 600 = 1100. The
    cap leaves no room, so the cost the loop reaches moves with the square root of its tolerance: a plan with
    HHI 0.5 + e has s_A = 0.5 + sqrt(e / 2) and costs 1100 - 200 sqrt(e / 2); with e <= 1e-9 (the loop's),
    between 1100 - 0.0045 and 1100 (never above: every tangent is valid, so the loop's optimum is a lower bound)."""
    data, plan = solve_file(book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.5]]))
    assert plan.status == "optimal"
    assert 1100 - 200 * math.sqrt(CUT_TOL / 2) - 1e-6 <= plan.total_cost <= 1100 + 1e-6
    assert plan.total_cost == pytest.approx(1100, rel=1e-5)
    assert hhi(plan) <= 0.5 + CUT_TOL + 1e-12


def test_a_mip_runs_the_loop_with_binaries(tmp_path: Path) -> None:
    """A at 10, B at 11 with a fixed cost of 50, C at 12; h = 0.5. Without B, two countries must split 50/50:
    500 + 600 = 1100. With B, three countries, prices centred -1, 0, 1 (sum of squares 2):
    100 * (11 - sqrt((1/2 - 1/3) * 2)) = 1100 - 100 / sqrt 3 = 1042.265, plus 50 = 1092.265 < 1100: B is paid
    for. Shares 1/3 + 1/sqrt(12) = 0.622, 1/3, 0.045."""
    data, plan = solve_file(book(tmp_path, [10, 11, 12], [["max_hhi", "A", None, 0.5]], fixed=[None, 50, None]))
    assert data.is_mip and plan.run["problem type"] == "MIP"
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(1150 - 100 / math.sqrt(3), rel=1e-6)
    assert plan.fixed_cost == pytest.approx(50)
    assert qty(plan, "A", "SB") == pytest.approx(100 / 3, abs=1e-2)
    assert hhi(plan) <= 0.5 + 1e-6
    assert plan.run["max_hhi cut rounds"] > 1


def test_a_minimum_order_with_the_cap(tmp_path: Path) -> None:
    """A at 10, B at 12 with a minimum order of 30, h = 0.68: the cap wants s_A <= 0.8, so B delivers 20,
    below its minimum; buying 30 from B (70 from A) costs 700 + 360 = 1060; nothing from B breaks the cap.
    Optimum 1060 (HHI 0.49 + 0.09 = 0.58)."""
    path = write_workbook(tmp_path / "mo.xlsx", {
        "Items": ONE_ITEM, "Suppliers": [["SA", "A"], ["SB", "B"]], "Countries": countries("A", "B"),
        "Offers": [["A", "SA", 10], ["A", "SB", 12, None, 30]], "Policy": [["max_hhi", "A", None, 0.68]]})
    data, plan = solve_file(path)
    assert plan.status == "optimal" and plan.total_cost == pytest.approx(1060, rel=1e-6)
    assert qty(plan, "A", "SB") == pytest.approx(30, abs=1e-6)


def test_a_cap_below_one_over_n_is_named_before_solving(tmp_path: Path) -> None:
    """Two countries can do no better than 50/50, HHI 0.5: a cap of 0.4 cannot hold, and the message says why in
    the workbook's terms. With a third country excluded, the message names the exclusion too."""
    _, plan = solve_file(book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.4]]))
    assert plan.status == "infeasible"
    assert plan.conflicts == [
        "Policy-max-hhi: Policy!A2 max_hhi 0.4 on A cannot hold for 'A': its usable offers come from 2 countries "
        "(A, B), so its HHI is at least 1/2 = 0.5, above 0.4"]
    assert plan.run["solver said"] == "not called: conflicts found before solving"
    _, plan = solve_file(book(tmp_path, [10, 12, 14], [["max_hhi", "A", None, 0.4], ["exclude", None, "C", None]]))
    assert plan.status == "infeasible"
    assert plan.conflicts[0].endswith("; offers from C are excluded by Policy!A3 exclude country:C on every item")


def test_the_loop_stopped_by_its_round_limit_is_not_optimal(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """One round only: the first plan (on the data's tangents) breaks the cap by more than 1e-6, so there is
    no plan, status error, and the message says why; the CLI writes nothing and exits 1."""
    monkeypatch.setattr(planner.solver, "MAX_CUT_ROUNDS", 1)
    path = book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.68]])
    data, plan = solve_file(path)
    assert plan.status == "error" and not plan.has_plan
    assert plan.message.startswith("no plan: the max_hhi cuts stopped at its limit of 1 round (1 round, 0 cuts) "
                                   "before every HHI cap held: the HHI of 'A' is ")
    assert "the HHI of 'A' is" in plan.message and "against its cap 0.68 (Policy row 2)" in plan.message
    assert plan.run["max_hhi cut rounds"] == 1
    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(path), "-o", str(out)]) == 1
    assert not out.exists()


def test_the_loop_stopped_within_the_contracts_tolerance_is_feasible_not_optimal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The even split of two countries converges slowly (the share's error halves each round): stopped one
    round before it reaches 1e-9, the cap holds to within the contract's 1e-6 but not to 1e-9, so the plan
    is written as feasible, not proven optimal, and passes the checker."""
    path = book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.5]])
    _, full = solve_file(path)
    rounds = full.run["max_hhi cut rounds"]
    monkeypatch.setattr(planner.solver, "MAX_CUT_ROUNDS", rounds - 1)
    data, plan = solve_file(path)
    assert plan.status == "feasible"
    assert plan.message.startswith(f"not proven optimal: the max_hhi cuts stopped at its limit of {rounds - 1} "
                                   f"rounds ({rounds - 1} rounds, ")
    assert CUT_TOL < hhi(plan) - 0.5 <= 1e-6
    assert plan.rules.empty  # no rule costs for a plan that is not optimal


def test_rules_sheet_prices_the_cap_and_says_it_binds(tmp_path: Path) -> None:
    """Caps of 0.68 (row 2) and 0.9 (row 3) on A (10 / 12): the plan is 80/20, 1040, HHI 0.68, so row 2 binds
    and row 3 does not. Without row 2 the 0.9 cap holds s_A = (1 + sqrt(2 * 0.9 - 1)) / 2 = 0.94721: 1200 - 200
    * 0.94721 = 1010.557, so row 2 costs 1040 - 1010.557 = 29.443; without row 3 nothing changes (cost 0);
    without both, all from A, 1000: together they cost 40. Joint costs (Shapley): row 2 (29.443 + 40) / 2 =
    34.721, row 3 (0 + 40 - 29.443) / 2 = 5.279, adding up to 40. No marginal: a tangent's dual prices the
    tangent, not the cap."""
    _, plan = solve_file(book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.68], ["max_hhi", "A", None, 0.9]]))
    rules = plan.rules.set_index("policy_row")
    without = 1200 - 100 * (1 + math.sqrt(0.8))
    assert rules.loc[2, "binds"] == "yes" and rules.loc[3, "binds"] == "no"
    assert rules.loc[2, "cost_of_rule"] == pytest.approx(1040 - without, rel=1e-6)
    assert rules.loc[2, "optimum_without"] == pytest.approx(without, rel=1e-6)
    assert rules.loc[3, "cost_of_rule"] == 0 and rules.loc[2, "model_rows"] == 1
    assert rules.loc[2, "joint_cost"] == pytest.approx((1040 - without + 40) / 2, rel=1e-6)
    assert rules.loc[3, "joint_cost"] == pytest.approx((40 - (1040 - without)) / 2, rel=1e-5)
    assert rules.loc[2, "cost_of_group"] == pytest.approx(40, rel=1e-6)
    assert plan.resilience["price of resilience"] == pytest.approx(40, rel=1e-6)
    assert all(m is None or math.isnan(m) for m in rules["marginal_per_point"])
    assert rules.loc[2, "meaning"] == "the HHI of the country shares of A at most 0.68"


def test_set_and_a_policy_update_table_change_the_cap(tmp_path: Path) -> None:
    """h = 0.6 in place of 0.68: s^2 + (1 - s)^2 = 0.6 gives s_A = (1 + sqrt(0.2)) / 2 = 0.7236, cost
    1200 - 200 s_A = 1100 - 100 sqrt(0.2) = 1055.28. Both ways of changing it give that; a value outside (0, 1]
    is refused naming the override."""
    path = book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.68]])
    expected = 1100 - 100 * math.sqrt(0.2)
    data, _ = planner.load(path, overrides=["Policy!2=0.6"])
    plan = planner.solve(data)
    assert plan.status == "optimal" and plan.total_cost == pytest.approx(expected, rel=1e-6)
    assert check_plan(data, plan.quantities, plan.total_cost) == []
    table = tmp_path / "policy.csv"
    table.write_text("policy_row,value\n2,0.6\n")
    data, _ = planner.load(path, updates=[table])
    plan = planner.solve(data)
    assert plan.status == "optimal" and plan.total_cost == pytest.approx(expected, rel=1e-6)
    for bad in ("1.5", "0"):
        with pytest.raises(planner.InputError) as caught:
            planner.load(path, overrides=[f"Policy!2={bad}"])
        assert f"--set Policy!2={bad}: {bad} is not in (0, 1]" in str(caught.value)


def test_checker_flags_a_plan_above_the_cap() -> None:
    """80/20 has HHI 0.68: above a cap of 0.6 (by more than 1e-6), within a cap of 0.68."""
    data = PlanningData(items={"A": Item("A", 100)}, suppliers={"SA": Supplier("SA", "A"), "SB": Supplier("SB", "B")},
                        countries={"A": Country("A"), "B": Country("B")},
                        offers={("A", "SA"): Offer("A", "SA", 10), ("A", "SB"): Offer("A", "SB", 12)},
                        rules=(Rule("max_hhi", "A", None, 0.6, row=2, cell="A2"),))
    assert check_plan(data, {("A", "SA"): 80.0, ("A", "SB"): 20.0}) == [
        "Policy-max-hhi: Policy!A2 max_hhi 0.6 on A: the HHI of 'A' by country is 0.68, above 0.6"]
    ok = PlanningData(data.items, data.suppliers, data.countries, data.offers,
                      rules=(Rule("max_hhi", "A", None, 0.68, row=2, cell="A2"),))
    assert check_plan(ok, {("A", "SA"): 80.0, ("A", "SB"): 20.0}) == []


def test_capacities_that_break_the_cap_are_diagnosed_in_workbook_terms(tmp_path: Path) -> None:
    """A (price 10) can deliver 60, B and C 20 each, so 60/20/20 is the only plan: HHI 0.36 + 0.04 + 0.04 = 0.44.
    A cap of 0.43 is above 1/3, so nothing is named before solving, and the data's tangents even let the first
    round through; the cuts prove it infeasible, and the IIS names the cap and the capacities. The elastic plan
    relaxes the cap by 0.44 - 0.43 = 0.01 of the HHI scale, 100 HHI points (cheaper than buying short: 10 times
    a share of demand), and the checker lists the rule it breaks."""
    path = book(tmp_path, [10, 12, 14], [["max_hhi", "A", None, 0.43]], capacities=[60, 20, 20])
    data, plan = solve_file(path)
    assert plan.status == "infeasible"
    assert plan.diagnosis_notes[0] == "method: iis"
    assert plan.run["max_hhi cut rounds"] >= 2  # the first round's plan met the rows, not the cap
    # input rows only: the tangent rows the IIS needs too are definitions (of hhi_points), not inputs
    assert plan.conflicts[1:] == ["Item-demand[A]: Items!B2 demand 100 of 'A'",
                                  "Offer-capacity[A,SB]: Offers!D3 capacity 20 of 'A' from 'SB'",
                                  "Offer-capacity[A,SC]: Offers!D4 capacity 20 of 'A' from 'SC'",
                                  "Policy-max-hhi[2,A]: Policy!A2 max_hhi 0.43 on A"]
    relaxed = planner.solve_elastic(data)
    assert relaxed.status == "relaxed"
    row = relaxed.violations[relaxed.violations["family"] == "Policy-max-hhi"].iloc[0]
    assert row["input rows"] == "Policy!A2 max_hhi 0.43 on A"
    assert row["relaxed_by"] == pytest.approx(100, abs=1e-3) and row["share_of_scale"] == pytest.approx(0.01, abs=1e-7)
    assert list(relaxed.violations["family"]) == ["Policy-max-hhi"]
    assert relaxed.total_cost == pytest.approx(600 + 240 + 280, rel=1e-9)
    assert relaxed.conflicts == ["Policy-max-hhi: Policy!A2 max_hhi 0.43 on A: the HHI of 'A' by country is 0.44, "
                                 "above 0.43"]


def test_frontier_sweeps_the_cap_on_one_built_model(tmp_path: Path) -> None:
    """Values 0.4 (below 1/2: infeasible, the step names the rule), 0.6 (1055.28), 0.68 (1040), 1 (1000: no
    cap): each step re-uses the model with the new value, the tangents of the step before dropped."""
    path = book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.68]])
    data, _ = planner.read(path)
    table = planner.frontier(data, data.rules[0], [0.4, 0.6, 0.68, 1.0, 0.6])
    assert list(table["status"]) == ["infeasible", "optimal", "optimal", "optimal", "optimal"]
    assert "Policy!A2 max_hhi 0.4 on A cannot hold" in table["why"][0]
    expected = [1100 - 100 * math.sqrt(0.2), 1040, 1000, 1100 - 100 * math.sqrt(0.2)]
    assert list(table["total_cost"][1:]) == pytest.approx(expected, rel=1e-6)


def test_the_instance_holds_the_rows_of_the_model_built_with_its_cuts(tmp_path: Path) -> None:
    """After the loop, the HiGHS instance (read back from HiGHS) has exactly the rows, bounds and coefficients of
    `build(data, cuts=handle.cut_pool)`, named alike (the appended rows by `HighsModel.row_label`); that build
    is itself compared with the reference model (tests/conftest.py). The plan keeps the cuts: the Pyomo model
    built with them, compiled back and solved once, has the plan's optimum."""
    data, _ = planner.read(book(tmp_path, [10, 12, 14], [["max_hhi", "A", None, 0.5]], capacities=[None, 30, None]))
    handle = HighsModel(build(data))
    outcome = handle.solve()
    assert outcome.status == "optimal" and outcome.cuts > 0 and len(handle.cut_pool) == outcome.cuts
    rebuilt = build(data, cuts=handle.cut_pool)
    assert instance_rows(handle) == canonical(rebuilt)[1]
    plan = planner.solve(data)
    assert plan.cuts == handle.cut_pool
    again = HighsModel(from_pyomo(create_model(data, cuts=plan.cuts), data))
    assert again.solve().objective == pytest.approx(plan.total_cost, rel=1e-9)


def instance_rows(handle: HighsModel) -> dict:
    """The rows of the HiGHS instance in `fast_path.canonical`'s form, named by `handle.row_label`."""
    lp = handle.highs.getLp()
    matrix = lp.a_matrix_
    start, index, value = (np.asarray(matrix.start_), np.asarray(matrix.index_), np.asarray(matrix.value_))
    terms: dict[int, dict] = {k: {} for k in range(lp.num_row_)}
    assert matrix.format_ == highspy.MatrixFormat.kColwise
    for j in range(lp.num_col_):
        for p in range(start[j], start[j + 1]):
            if value[p] != 0:
                terms[int(index[p])][handle.model.column_label(j)] = float(value[p])
    rows = {}
    for k in range(lp.num_row_):
        lower, upper, row = float(lp.row_lower_[k]), float(lp.row_upper_[k]), terms[k]
        if lower == -math.inf and upper != math.inf:
            lower, upper, row = -upper, math.inf, {t: -c for t, c in row.items()}
        rows[handle.row_label(k)] = (lower, upper, row)
    return rows


def test_every_item_of_a_blank_rule_is_capped_separately(tmp_path: Path) -> None:
    """A blank item caps each item separately; an item with demand 0 is not capped (no share of nothing).
    A: 10/12, demand 100, h = 0.68: 1040. B: 5 (country A) / 6 (country B), demand 50: s = 0.8, 40 * 5 +
    10 * 6 = 260. C: demand 0. Total 1300."""
    path = write_workbook(tmp_path / "blank.xlsx", {
        "Items": [["A", 100, "t"], ["B", 50, "t"], ["C", 0, "t"]], "Suppliers": [["SA", "A"], ["SB", "B"]],
        "Countries": countries("A", "B"),
        "Offers": [["A", "SA", 10], ["A", "SB", 12], ["B", "SA", 5], ["B", "SB", 6], ["C", "SA", 1]],
        "Policy": [["max_hhi", None, None, 0.68]]})
    data, plan = solve_file(path)
    assert plan.status == "optimal" and plan.total_cost == pytest.approx(1300, rel=1e-6)
    assert sorted(build(data).frame("Policy-max-hhi")["item"]) == ["A", "B"]


def test_a_cap_of_one_never_binds_and_has_no_row(tmp_path: Path) -> None:
    """h = 1: an HHI is at most 1 whatever the plan: lint warns, the model has no variable or row for it, and
    the plan is the uncapped one (1000)."""
    path = book(tmp_path, [10, 12], [["max_hhi", "A", None, 1]])
    data, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1000)
    assert "max_hhi cut rounds" not in plan.run and build(data).size()["constraints"] == 1  # Item-demand only
    assert [str(w) for w in planner.read(path)[1]] == [
        "Policy!A2 (rule): Policy!A2 max_hhi 1 on A can never bind: an HHI is at most 1 whatever the plan"]


def test_json_and_run_sheet_report_the_rounds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.68]])
    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(path), "-o", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "optimal" and payload["total_cost"] == pytest.approx(1040, rel=1e-6)
    assert payload["max_hhi_cuts"]["rounds"] >= 1 and payload["max_hhi_cuts"]["cuts"] >= 1
    import openpyxl

    run = {r[0].value: r[1].value for r in openpyxl.load_workbook(out)["Run"].iter_rows(min_row=2)}
    assert run["max_hhi cut rounds"] == payload["max_hhi_cuts"]["rounds"]
    assert run["max_hhi cuts added"] == payload["max_hhi_cuts"]["cuts"]


def test_many_countries_converge_in_few_rounds() -> None:
    """40 countries with prices 10 + k / 4 (k = 0..39: mean 14.875, sum of squares of the centred prices
    (1/16) * 40 * (40^2 - 1) / 12 = 333.125) and h = 0.03 (1/40 = 0.025): the per-country tangents reach 1e-9
    within tens of rounds, and the optimum is the circle's, d (mean p - sqrt((h - 1/n) * 333.125)) = 100 *
    (14.875 - sqrt(1.665625)) = 100 * (14.875 - 1.290591) = 1358.441 (every share stays positive:
    beta * 4.875 = 0.0189 < 1/40)."""
    n, prices = 40, [10 + k / 4 for k in range(40)]
    data = PlanningData(
        items={"A": Item("A", 100)}, suppliers={f"S{k}": Supplier(f"S{k}", f"C{k}") for k in range(n)},
        countries={f"C{k}": Country(f"C{k}") for k in range(n)},
        offers={("A", f"S{k}"): Offer("A", f"S{k}", p) for k, p in enumerate(prices)},
        rules=(Rule("max_hhi", "A", None, 0.03, row=2),))
    mean = sum(prices) / n
    spread = sum((p - mean) ** 2 for p in prices)
    assert spread == pytest.approx(333.125)
    beta = math.sqrt((0.03 - 1 / n) / spread)
    assert 1 / n - beta * (max(prices) - mean) > 0
    plan = planner.solve(data, rule_costs=False)
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(100 * (mean - math.sqrt((0.03 - 1 / n) * spread)), rel=1e-6)
    assert plan.run["max_hhi cut rounds"] <= 40
    assert check_plan(data, plan.quantities, plan.total_cost) == []


def test_a_batch_reuses_the_model_across_caps(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of three runs of one base, the cap set to 0.6, 0.68 and 0.6 again: the model is built once and
    re-used (only numbers change; the tangents a run added are dropped before the next), and each run gets the
    optimum a fresh solve gets: 1100 - 100 sqrt(0.2) = 1055.28, 1040, 1055.28."""
    book(tmp_path, [10, 12], [["max_hhi", "A", None, 0.68]])
    table = tmp_path / "runs.csv"
    table.write_text("name,base,set,output\na,hhi.xlsx,Policy!2=0.6,a.xlsx\nb,hhi.xlsx,,b.xlsx\n"
                     "c,hhi.xlsx,Policy!2=0.6,c.xlsx\n")
    monkeypatch.chdir(tmp_path)  # the summary goes to outputs/ of the current folder, not the checkout's
    assert main(["batch", str(table), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in payload["runs"]] == ["optimal"] * 3
    costs = [r["total_cost"] for r in payload["runs"]]
    assert costs == pytest.approx([1100 - 100 * math.sqrt(0.2), 1040, 1100 - 100 * math.sqrt(0.2)], rel=1e-6)
    assert payload["totals"]["models built"] == 1 and payload["totals"]["models re-used"] == 2


def test_a_class_of_items_is_capped_item_by_item() -> None:
    """`class:critical` caps A and B (each 10 / 12, demand 100) at 0.68, item by item: 1040 each; C (not in the
    class) buys all from the cheaper country: 1000. Total 3080."""
    data = PlanningData(
        items={"A": Item("A", 100, item_class="critical"), "B": Item("B", 100, item_class="critical"),
               "C": Item("C", 100)},
        suppliers={"SA": Supplier("SA", "A"), "SB": Supplier("SB", "B")},
        countries={"A": Country("A"), "B": Country("B")},
        offers={(i, s): Offer(i, s, p) for i in "ABC" for s, p in (("SA", 10), ("SB", 12))},
        rules=(Rule("max_hhi", None, None, 0.68, row=2, item_class="critical"),))
    plan = planner.solve(data)
    assert plan.status == "optimal" and plan.total_cost == pytest.approx(3080, rel=1e-6)
    assert check_plan(data, plan.quantities, plan.total_cost) == []
    assert sorted(build(data).frame("Policy-max-hhi")["item"]) == ["A", "B"]


def test_with_several_periods_each_cut_holds_its_own_period(tmp_path: Path) -> None:
    """Over two periods (demand 100, then 60 from a Demand row) each period's pairs get their own tangents: the
    instance after the loop again has exactly the rows of `build(data, cuts=handle.cut_pool)`, every cut naming
    its period, and each period's HHI meets the cap."""
    from planner.data import Period, PeriodValue

    data, _ = planner.read(book(tmp_path, [10, 12, 14], [["max_hhi", "A", None, 0.5]], capacities=[None, 30, None]))
    data = dataclasses.replace(data, periods=(Period("P1"), Period("P2")),
                               demands={("A", "P2"): PeriodValue("P2", 60.0, item="A")})
    handle = HighsModel(build(data))
    outcome = handle.solve()
    assert outcome.status == "optimal" and outcome.cuts > 0
    assert {cut.period for cut in handle.cut_pool} <= {"P1", "P2"}
    assert instance_rows(handle) == canonical(build(data, cuts=handle.cut_pool))[1]
    plan = planner.solve(data)
    assert plan.status == "optimal"
    for period, demand in (("P1", 100.0), ("P2", 60.0)):
        by_country: dict[str, float] = {}
        for (item, supplier, p), q in plan.schedule.items():
            if p == period:
                country = data.suppliers[supplier].country
                by_country[country] = by_country.get(country, 0.0) + q
        assert sum(by_country.values()) == pytest.approx(demand)
        assert sum((q / demand) ** 2 for q in by_country.values()) <= 0.5 + 1e-6
