"""The two-stage extensive form on one item, two suppliers and one disruption (workbook-v2 section 3), each
optimum worked out by hand, every plan re-checked by the checker's own recourse (`planner/check/stages.py`).

Item A, demand 100; S1 in CN at 10, S2 in AU at 12; scenario cn: CN stops (availability 0), probability 0.1;
the baseline has 0.9.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest

import planner
from planner.check.stages import cvar
from planner.data import Country, Group, Item, Offer, PlanningData, ScenarioHit, Settings, Supplier


def data(spot: float | None = None, short: float | None = None, w: float = 0.0) -> PlanningData:
    return PlanningData(
        {"A": Item("A", 100.0, spot_price=spot, shortage_cost=short)},
        {"S1": Supplier("S1", "CN"), "S2": Supplier("S2", "AU")},
        {"CN": Country("CN"), "AU": Country("AU")},
        {("A", "S1"): Offer("A", "S1", 10.0), ("A", "S2"): Offer("A", "S2", 12.0)},
        scenario_hits=(ScenarioHit("cn", Group("country", "CN"), None, 0.0, probability=0.1),),
        settings=Settings(mode="two_stage", risk_weight=w))


def test_without_a_spot_market_every_scenario_is_covered() -> None:
    """No spot market, no shortage: cn leaves S1 nothing, so S2 must hold 100 (1200 in both scenarios).
    Perfect foresight: the baseline alone costs 1000, cn alone 1200: 0.9 * 1000 + 0.1 * 1200 = 1020, EVPI 180.
    The mean scenario (S1 at 0.9) contracts S1 only, which leaves cn without a plan: VSS is none, and a warning
    says why."""
    plan = planner.solve(data(), rule_costs=False)
    assert plan.status == "optimal"
    assert plan.quantities == {("A", "S2"): pytest.approx(100.0)}
    assert plan.risk["objective"] == pytest.approx(1200.0) and plan.total_cost == pytest.approx(1200.0)
    assert plan.risk["evpi"] == pytest.approx(180.0) and plan.risk["wait_and_see"] == pytest.approx(1020.0)
    assert plan.risk["vss"] is None and any("VSS" in w for w in plan.warnings)


def test_a_spot_market_and_the_value_of_the_stochastic_solution() -> None:
    """Spot at 30. Any split x1 + x2 = 100 costs the same on average: baseline 10 x1 + 12 x2, cn 12 x2 + 30 x1,
    0.9 (10 x1 + 12 x2) + 0.1 (12 x2 + 30 x1) = 12 x1 + 12 x2 = 1200. EVPI 1200 - 1020 = 180. The mean scenario
    contracts 100 / 0.9 = 111.1 of S1 (10 per unit delivered, below 12); fixed in both scenarios: baseline pays
    1111.1 (delivery above demand is paid), cn buys 100 spot (3000): EEV 0.9 * 1111.1 + 300 = 1300, VSS 100."""
    plan = planner.solve(data(spot=30.0), rule_costs=False)
    assert plan.status == "optimal"
    assert plan.risk["objective"] == pytest.approx(1200.0)
    assert plan.risk["evpi"] == pytest.approx(180.0)
    assert plan.risk["eev"] == pytest.approx(1300.0) and plan.risk["vss"] == pytest.approx(100.0)


def test_shortage_is_cheaper_than_hedging() -> None:
    """Shortage at 20 per unit: x1 + x2 = 100 costs 0.9 (10 x1 + 12 x2) + 0.1 (12 x2 + 20 x1) = 11 x1 + 12 x2, so
    S1 takes all: 1100 (cn: 100 short, 2000). The Recourse sheet's rows say it."""
    plan = planner.solve(data(short=20.0), rule_costs=False)
    assert plan.risk["objective"] == pytest.approx(1100.0)
    assert plan.quantities == {("A", "S1"): pytest.approx(100.0)}
    cn = plan.recourse[plan.recourse["scenario"] == "cn"].iloc[0]
    assert (cn["delivered"], cn["short"], cn["cost"]) == pytest.approx((0.0, 100.0, 2000.0))
    assert dict(zip(plan.scenario_costs["scenario"], plan.scenario_costs["cost"])) == pytest.approx(
        {"cn": 2000.0, "baseline": 1000.0})


def test_risk_weight_one_minimises_the_tail() -> None:
    """risk_weight 1, alpha 0.9 with spot at 30: the worst 10 % of probability is cn alone, so the plan minimises
    cn's cost: S2 100 (1200 in both scenarios); CVaR 1200, expected 1200. Perfect foresight costs 1000 and 1200,
    whose CVaR_0.9 is 1200 too: EVPI 0."""
    plan = planner.solve(data(spot=30.0, w=1.0), rule_costs=False)
    assert plan.quantities == {("A", "S2"): pytest.approx(100.0)}
    assert (plan.risk["objective"], plan.risk["cvar"], plan.risk["expected_cost"]) == pytest.approx(
        (1200.0, 1200.0, 1200.0))
    assert plan.risk["evpi"] == pytest.approx(0.0, abs=1e-6)


def test_nothing_hit_means_nothing_to_foresee() -> None:
    """A scenario that hits no offer (availability 1): every scenario costs 1000 with S1; EVPI = VSS = 0."""
    base = data(spot=30.0)
    hit = dataclasses.replace(base.scenario_hits[0], availability=1.0)
    plan = planner.solve(dataclasses.replace(base, scenario_hits=(hit,)), rule_costs=False)
    assert plan.risk["objective"] == pytest.approx(1000.0)
    assert plan.risk["evpi"] == pytest.approx(0.0, abs=1e-9) and plan.risk["vss"] == pytest.approx(0.0, abs=1e-9)


def test_cvar_of_a_discrete_distribution() -> None:
    """CVaR_0.9 of {1000 with 0.9, 3000 with 0.1} is 3000; CVaR_0.8 is (0.1 * 3000 + 0.1 * 1000) / 0.2 = 2000."""
    assert cvar([1000.0, 3000.0], [0.9, 0.1], 0.9) == pytest.approx(3000.0)
    assert cvar([1000.0, 3000.0], [0.9, 0.1], 0.8) == pytest.approx(2000.0)


def test_the_plan_workbook_has_contracts_recourse_and_risk(tmp_path: Path) -> None:
    plan = planner.solve(data(short=20.0), rule_costs=False)
    planner.write_plan(plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert [c.value for c in wb["Contracts"][1]][:4] == ["item", "supplier", "country", "contract"]
    assert [c.value for c in wb["Recourse"][1]][:3] == ["scenario", "probability", "item"]
    assert {"delivered", "spot", "short", "cost"} <= {c.value for c in wb["Recourse"][1]}
    risk = {r[0].value: r[1].value for r in wb["Risk"].iter_rows(min_row=2, max_row=9)}
    assert risk["objective"] == pytest.approx(1100.0) and risk["evpi"] == pytest.approx(80.0)
    assert len(wb["Risk"]._charts) == 1


def test_risk_frontier_sweeps_the_weight() -> None:
    """Spot at 30: at w = 0 every split x1 + x2 = 100 costs 1200 on average (see above), so the CVaR there is the
    solver's tie-break; at w = 1, S2 only: expected 1200, CVaR 1200. The expected cost is 1200 at every weight,
    and the CVaR does not rise as w grows."""
    table = planner.pipeline.risk_frontier(data(spot=30.0), [0.0, 0.5, 1.0])
    assert list(table["status"]) == ["optimal"] * 3
    assert table["cvar"].iloc[-1] == pytest.approx(1200.0)
    assert list(table["cvar"]) == sorted(table["cvar"], reverse=True)
    assert list(table["expected_cost"]) == pytest.approx([1200.0] * 3)


def test_mpiexec_with_the_mpisppy_engine_writes_the_plan_on_rank_0(tmp_path: Path) -> None:
    """`mpiexec -n 3 planner solve IN.xlsx --engine mpisppy --json` on the spot-30 instance above (as a
    workbook): one JSON object on stdout (rank 0's; mpi-sppy's progress goes to stderr), the decomposition's
    plan priced in the extensive form at 1200 with the proven lower bound at most that; the status is optimal
    only if the gap closed within the mip_gap setting, else feasible, saying so."""
    import json
    import shutil
    import subprocess
    import sys

    pytest.importorskip("mpisppy", reason="the mpi extra is not installed")
    mpiexec = Path(sys.executable).parent / "mpiexec"
    if not mpiexec.exists() and shutil.which("mpiexec") is None:
        pytest.skip("no mpiexec: the mpi extra's mpich wheel provides one")
    import pandas as pd

    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"item": ["A"], "demand": [100], "spot_price": [30]}).to_excel(w, sheet_name="Items", index=False)
        pd.DataFrame({"country": ["CN", "AU"]}).to_excel(w, sheet_name="Countries", index=False)
        pd.DataFrame({"supplier": ["S1", "S2"], "country": ["CN", "AU"]}).to_excel(w, sheet_name="Suppliers", index=False)
        pd.DataFrame({"item": ["A", "A"], "supplier": ["S1", "S2"], "price": [10, 12]}).to_excel(w, sheet_name="Offers", index=False)
        pd.DataFrame({"scenario": ["cn"], "group": ["country:CN"], "availability": [0], "probability": [0.1]}
                     ).to_excel(w, sheet_name="Scenarios", index=False)
        pd.DataFrame({"setting": ["mode"], "value": ["two_stage"]}).to_excel(w, sheet_name="Settings", index=False)
    planner_cmd = Path(sys.executable).parent / "planner"
    out = subprocess.run([str(mpiexec if mpiexec.exists() else "mpiexec"), "-n", "3", str(planner_cmd), "solve",
                          str(book), "--engine", "mpisppy", "-o", str(tmp_path / "plan.xlsx"), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    found = json.loads(out.stdout)
    assert found["engine"] == "mpisppy" and found["objective"] == pytest.approx(1200.0)
    assert found["lower_bound"] <= 1200.0 + 1e-6
    assert found["status"] == ("optimal" if found["rel_gap"] <= 1e-4 else "feasible")
    assert (tmp_path / "plan.xlsx").exists()
