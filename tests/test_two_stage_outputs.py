"""What a two-stage plan shows outside its own sheets: its Risk figures on the Run sheet, and `planner diff` of a
deterministic plan against a two-stage one, each plan's costs by kind side by side.

The world (as in tests/test_two_stage_core.py): item A, demand 100; S1 in CN at 10, S2 in AU at 12; scenario
`cn`: CN stops (availability 0), probability 0.1; the baseline 0.9.
  - spot market at 15: contract S1 100; baseline 1,000, cn 100 x 15 = 1,500; E = 900 + 150 = 1,050; CVaR_0.9 =
    1,500; perfect foresight 1,000 and 1,200 (S2): EVPI = 1,050 - 1,020 = 30; the mean scenario contracts
    100 / 0.9 of S1: baseline 1,111.11, cn 1,500, E = 1,150: VSS = 100.
  - no spot market, no shortage: S2 100 in every scenario, 1,200; the mean scenario's contracts (S1 only) leave
    `cn` without a plan: VSS none.
  - the deterministic plan buys S1 100: 1,000.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import openpyxl
import pytest

import planner
from planner.data import Country, Group, Item, Offer, PlanningData, ScenarioHit, Settings, Supplier

MEAN_PLAN_FAILS = "the contracts of the mean scenario leave some scenario without a plan"


def world(spot: float | None = None, mode: str = "two_stage", w: float = 0.0) -> PlanningData:
    return PlanningData(
        {"A": Item("A", 100.0, spot_price=spot)},
        {"S1": Supplier("S1", "CN"), "S2": Supplier("S2", "AU")},
        {"CN": Country("CN"), "AU": Country("AU")},
        {("A", "S1"): Offer("A", "S1", 10.0), ("A", "S2"): Offer("A", "S2", 12.0)},
        scenario_hits=(ScenarioHit("cn", Group("country", "CN"), None, 0.0, probability=0.1),),
        settings=Settings(mode=mode, risk_weight=w, mip_gap=1e-9))


def written(data: PlanningData, path: Path) -> Path:
    plan = planner.solve(data, rule_costs=False)
    assert plan.status == "optimal", plan.message
    planner.write_plan(plan, path)
    return path


def run_rows(path: Path) -> list[tuple[object, object]]:
    return [(r[0].value, r[1].value) for r in openpyxl.load_workbook(path)["Run"].iter_rows(min_row=2)]


def test_the_run_sheet_lists_the_risk_figures_below_the_mode_row(tmp_path: Path) -> None:
    """Spot at 15 (module docstring): objective = expected cost 1,050, CVaR 1,500 (the cn scenario, the worst),
    EVPI 30, VSS 100, right after the `mode` row, in this order, money-formatted."""
    path = written(world(spot=15.0), tmp_path / "plan.xlsx")
    rows = run_rows(path)
    keys = [k for k, _ in rows]
    at = keys.index("mode") + 1
    assert rows[at:at + 7] == [("two-stage objective", pytest.approx(1050)), ("expected cost", pytest.approx(1050)),
                               ("CVaR at 0.9", pytest.approx(1500)), ("worst scenario", "cn"),
                               ("worst scenario's cost", pytest.approx(1500)), ("EVPI", pytest.approx(30)),
                               ("VSS", pytest.approx(100))]
    ws = openpyxl.load_workbook(path)["Run"]
    money = [at + 2 + k for k in (0, 1, 2, 4, 5, 6)]  # sheet rows (row 1 is the header) but the scenario's name
    assert {ws.cell(row=r, column=2).number_format for r in money} == {"#,##0.00"}
    risk = {r[0].value: r[1].value for r in openpyxl.load_workbook(path)["Risk"].iter_rows(min_row=2, max_row=10)}
    assert risk["worst_cost"] == pytest.approx(1500) and risk["vss"] == pytest.approx(100)


def test_the_run_and_risk_sheets_say_why_there_is_no_vss(tmp_path: Path) -> None:
    """No spot market, no shortage: the mean scenario's contracts cannot serve `cn`; VSS is none, and both sheets
    say why, in the words of the warning the plan carries."""
    path = written(world(), tmp_path / "plan.xlsx")
    run = dict(run_rows(path))
    assert str(run["VSS"]).startswith(f"none: {MEAN_PLAN_FAILS}")
    assert run["EVPI"] == pytest.approx(180)  # 1,200 - (0.9 x 1,000 + 0.1 x 1,200)
    risk = {r[0].value: (r[1].value, r[2].value) for r in openpyxl.load_workbook(path)["Risk"].iter_rows(min_row=2,
                                                                                                        max_row=10)}
    assert risk["vss"][0] == "none" and risk["vss"][1].startswith(f"none: {MEAN_PLAN_FAILS}")
    assert planner.read_plan(path).risk["objective"] == pytest.approx(1200)


def test_a_deterministic_run_sheet_has_no_risk_figures(tmp_path: Path) -> None:
    keys = {k for k, _ in run_rows(written(world(spot=15.0, mode="deterministic"), tmp_path / "plan.xlsx"))}
    assert not keys & {"two-stage objective", "expected cost", "EVPI", "VSS", "worst scenario"}


def test_diff_of_a_deterministic_and_a_two_stage_plan_shows_each_plans_costs_by_kind(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Deterministic: S1 100, 1,000 (its total, its cost with nothing disrupted, its objective; nothing else).
    Two-stage with spot at 15: the same contract, 1,000 with every unit delivered and in the baseline; expected
    cost 1,050, CVaR 1,500 at 0.9, worst scenario cn at 1,500, objective 1,050. The lines do not move."""
    from planner.cli import main

    det = written(world(spot=15.0, mode="deterministic"), tmp_path / "det.xlsx")
    two = written(world(spot=15.0), tmp_path / "two.xlsx")
    d = planner.diff_plans(planner.read_plan(det), planner.read_plan(two))
    assert d.totals["total cost change"] == pytest.approx(0)
    table = {r["figure"]: (r["old"], r["new"]) for r in d.costs.to_dict(orient="records")}
    assert table == {
        "total cost of the lines": (pytest.approx(1000), pytest.approx(1000)),
        "cost with nothing disrupted": (pytest.approx(1000), pytest.approx(1000)),
        "expected cost": (None, pytest.approx(1050)), "CVaR": (None, pytest.approx(1500)),
        "cvar_alpha": (None, pytest.approx(0.9)), "worst scenario": (None, "cn"),
        "worst scenario's cost": (None, pytest.approx(1500)), "risk_weight": (None, pytest.approx(0.0)),
        "objective": (pytest.approx(1000), pytest.approx(1050))}
    assert all(kind for kind in d.costs["kind of cost"])

    out = tmp_path / "diff.xlsx"
    assert main(["diff", str(det), str(two), "-o", str(out), "--json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["costs"] == {"old": {"mode": "deterministic", "total_cost": 1000, "baseline_cost": 1000,
                                      "objective": 1000},
                              "new": {"mode": "two_stage", "total_cost": 1000, "baseline_cost": 1000,
                                      "objective": 1050, "expected_cost": 1050, "cvar": 1500, "cvar_alpha": 0.9,
                                      "risk_weight": 0, "worst_scenario": "cn", "worst_cost": 1500}}
    summary = [[c.value for c in row] for row in openpyxl.load_workbook(out)["Summary"].iter_rows()]
    head = next(k for k, row in enumerate(summary) if row[:3] == ["figure", "old (deterministic)", "new (two-stage)"])
    shown = {row[0]: (row[1], row[2]) for row in summary[head + 1:head + 10]}
    assert shown["expected cost"] == (None, 1050) and shown["objective"] == (1000, 1050)
    assert shown["worst scenario"] == (None, "cn")

    assert main(["diff", str(det), str(two)]) == 0
    text = capsys.readouterr().out
    assert "each plan's costs, by kind:" in text or "each plan's costs, by kind (" in text
    lines = {line.split("  ")[1].strip(): line for line in text.splitlines() if line.startswith("  ") and "  " in
             line[2:]}
    assert lines["expected cost"].split()[-2:] == ["-", "1,050.00"]
    assert lines["objective"].split()[-2:] == ["1,000.00", "1,050.00"]


def test_diff_of_two_deterministic_plans_is_as_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No two-stage plan on either side: no costs table, no `costs` key, the text without its block."""
    from planner.cli import main

    a = written(world(spot=15.0, mode="deterministic"), tmp_path / "a.xlsx")
    b = written(dataclasses.replace(world(mode="deterministic"), offers={
        ("A", "S1"): Offer("A", "S1", 11.0), ("A", "S2"): Offer("A", "S2", 12.0)}), tmp_path / "b.xlsx")
    d = planner.diff_plans(planner.read_plan(a), planner.read_plan(b))
    assert d.costs.empty and d.plan_costs == {} and planner.read_plan(a).risk == {}
    assert main(["diff", str(a), str(b), "--json"]) == 0
    assert "costs" not in json.loads(capsys.readouterr().out)
    assert main(["diff", str(a), str(b)]) == 0
    assert "by kind" not in capsys.readouterr().out


def test_diff_of_two_two_stage_plans_sets_their_risk_side_by_side(tmp_path: Path) -> None:
    """Spot at 30 (tests/test_two_stage_core.py): at w = 1 only S2 is contracted, E = CVaR = 1,200, every
    scenario 1,200; at w = 0 any split costs 1,200 on average. Both sides carry their own figures."""
    low = written(world(spot=30.0), tmp_path / "w0.xlsx")
    high = written(world(spot=30.0, w=1.0), tmp_path / "w1.xlsx")
    d = planner.diff_plans(planner.read_plan(low), planner.read_plan(high))
    assert [d.plan_costs[side]["mode"] for side in ("old", "new")] == ["two_stage", "two_stage"]
    assert d.plan_costs["new"]["expected_cost"] == pytest.approx(1200)
    assert d.plan_costs["new"]["cvar"] == pytest.approx(1200) and d.plan_costs["new"]["risk_weight"] == 1.0
    assert d.plan_costs["old"]["expected_cost"] == pytest.approx(1200) and d.plan_costs["old"]["risk_weight"] == 0.0
