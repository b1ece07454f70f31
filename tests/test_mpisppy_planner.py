"""`planner solve --engine mpisppy` under ``mpiexec -n K`` (K = 3, 2, 1) on a 20-scenario workbook, against
the extensive form of the same workbook (`planner solve`, HiGHS); and the engine's parts that need no MPI:
which cylinders run on K ranks, the bound on the VaR level eta, PH's rho per first-stage variable.

The 20-scenario instance is an LP (no fixed costs, no minimum orders, no tiers), so PH's proximal term is
solved exactly (a convex QP per scenario) and the bounds close: the run must reach the 1 % gap, its lower
bound must be at most the extensive form's optimum and its plan within 1 % above it.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import planner
from planner.data import Group, Item, PlanningData, ScenarioHit
from planner.model import build
from planner.stochastic.mpisppy_engine import cylinders_for, describe_cylinders, relative_gap, turn_owner
from test_two_stage import world

MPIEXEC = Path(sys.executable).parent / "mpiexec"
PLANNER = Path(sys.executable).parent / "planner"
GAP = 0.01


def twenty_scenarios(path: Path, seed: int = 7, risk_weight: float = 0.0) -> Path:
    """4 items, 8 countries, 12 suppliers, 30 offers; 20 scenarios, each stopping or thinning one country or a
    pair of countries, probabilities 0.01-0.04 (the baseline has the rest); every item has a spot market."""
    rng = random.Random(seed)
    countries = [f"C{k}" for k in range(8)]
    suppliers = [(f"S{k}", countries[k % 8]) for k in range(12)]
    items = [f"i{k}" for k in range(4)]
    offers = []
    for item in items:
        for name, _ in rng.sample(suppliers, 8 if item != "i3" else 6):
            offers.append((item, name, round(rng.uniform(8, 14), 2), round(rng.uniform(40, 120))))
    scenarios = []
    for s in range(20):
        hit = rng.sample(countries, 1 if s < 12 else 2)
        p = round(rng.uniform(0.01, 0.04), 3)
        for k, country in enumerate(hit):
            scenarios.append((f"s{s:02d}", f"country:{country}", rng.choice([0.0, 0.0, 0.3, 0.6]), p if k == 0 else None))
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"item": items, "demand": [150, 100, 120, 80], "spot_price": [25, 22, 30, 28]}
                     ).to_excel(w, sheet_name="Items", index=False)
        pd.DataFrame({"country": countries}).to_excel(w, sheet_name="Countries", index=False)
        pd.DataFrame(suppliers, columns=["supplier", "country"]).to_excel(w, sheet_name="Suppliers", index=False)
        pd.DataFrame(offers, columns=["item", "supplier", "price", "capacity"]).to_excel(w, sheet_name="Offers",
                                                                                       index=False)
        pd.DataFrame(scenarios, columns=["scenario", "group", "availability", "probability"]
                     ).to_excel(w, sheet_name="Scenarios", index=False)
        pd.DataFrame({"setting": ["mode", "mip_gap", "risk_weight", "time_limit"],
                      "value": ["two_stage", GAP, risk_weight, 120]}).to_excel(w, sheet_name="Settings", index=False)
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return twenty_scenarios(tmp_path_factory.mktemp("twenty") / "twenty.xlsx")


@pytest.fixture(scope="module")
def extensive(book: Path) -> dict:
    done = subprocess.run([str(PLANNER), "solve", str(book), "-o", str(book.with_name("ef.xlsx")), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert found["status"] == "optimal" and found["engine"] == "ef"
    return found


@pytest.mark.skipif(not MPIEXEC.exists(), reason="the mpi extra is not installed (pip install -e '.[mpi]')")
@pytest.mark.parametrize("ranks", [3, 2, 1])
def test_twenty_scenarios_under_mpiexec_agree_with_the_extensive_form(book: Path, extensive: dict, ranks: int,
                                                                     tmp_path: Path) -> None:
    """mpiexec -n K planner solve --engine mpisppy: the gap of 1 % reached (status optimal, an LP), the proven
    lower bound at most the extensive form's optimum z*, the plan's objective in [z*, z* (1 + 1 %)]; one JSON
    object on stdout and one plan workbook, written by rank 0 alone."""
    assert sum(1 for _ in pd.read_excel(book, sheet_name="Scenarios", engine="openpyxl")["probability"].dropna()) == 20
    target = tmp_path / "plan.xlsx"
    done = subprocess.run([str(MPIEXEC), "-n", str(ranks), str(PLANNER), "solve", str(book), "--engine", "mpisppy",
                           "-o", str(target), "--json"], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)  # one object: the other ranks print nothing
    z = extensive["objective"]
    assert found["engine"] == "mpisppy"
    assert found["status"] == "optimal", found["message"]
    assert found["lower_bound"] <= z * (1 + 1e-7)
    assert z * (1 - 1e-7) <= found["objective"] <= z * (1 + GAP)
    assert found["rel_gap"] == pytest.approx((found["objective"] - found["lower_bound"]) / found["objective"])
    assert found["rel_gap"] <= GAP
    # the figures of a plan are those of its contracts, whichever engine found them
    assert found["expected_cost"] == pytest.approx(found["objective"], rel=1e-9)  # risk_weight 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]  # nothing else left in the folder
    sheets = pd.read_excel(target, sheet_name=None, engine="openpyxl")
    assert {"Contracts", "Recourse", "Risk", "Run"} <= set(sheets)
    run = dict(zip(sheets["Run"].iloc[:, 0].astype(str), sheets["Run"].iloc[:, 1]))
    assert describe_cylinders(ranks) in str(run.get("engine"))


@pytest.mark.parametrize(("size", "spokes", "hub"), [
    (1, (), {"lower", "upper"}), (2, ("lagrangian",), {"upper"}), (3, ("lagrangian", "xhatshuffle"), set()),
    (4, ("lagrangian",), {"upper"}), (5, (), {"lower", "upper"}), (6, ("lagrangian", "xhatshuffle"), set()),
    (64, ("lagrangian",), {"upper"}), (66, ("lagrangian", "xhatshuffle"), set())])
def test_the_rank_count_decides_the_cylinders(size: int, spokes: tuple, hub: set) -> None:
    """mpi-sppy gives every cylinder the same number of ranks: 3 cylinders on a multiple of 3, 2 on another even
    count, the hub alone otherwise; the hub computes whatever bound no spoke sends."""
    assert cylinders_for(size) == (spokes, frozenset(hub))


def test_what_runs_is_said_in_words() -> None:
    assert describe_cylinders(1) == "a PH hub on 1 rank; the hub computes the lower and upper bounds itself"
    assert describe_cylinders(2) == "a PH hub and a Lagrangian spoke, 1 rank each; the hub computes the upper bound itself"
    assert describe_cylinders(6) == "a PH hub, a Lagrangian spoke and an xhat-shuffle spoke, 2 ranks each"
    with pytest.raises(ValueError):
        cylinders_for(0)


def test_the_hubs_candidates_come_from_every_scenario_of_every_hub_rank() -> None:
    """With binaries the hub prices one scenario's first stage per turn; on a hub of several ranks (4, 8, ...
    ranks in all) the turns run over the scenarios of all of them, each once per round, rank 0's first."""
    counts = [3, 2, 2]
    turns = [turn_owner(t, counts) for t in range(14)]
    assert turns[:7] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert turns[7:] == turns[:7]
    assert turn_owner(5, [4]) == (0, 1)


def test_relative_gap_as_the_hub_measures_it() -> None:
    assert relative_gap(90.0, 100.0) == pytest.approx(0.1)
    assert relative_gap(-math.inf, 100.0) == math.inf
    assert relative_gap(90.0, math.inf) == math.inf


def two_suppliers(risk_weight: float, fixed_b: float = 0.0) -> PlanningData:
    """tests/test_two_stage.py's world: ga, demand 100; A (CN) at 10, B (AU) at 12; CN stop 0.1; spot at 15."""
    return world(spot_price=15.0, risk_weight=risk_weight, fixed_b=fixed_b)


def test_eta_is_bounded_by_the_dearest_cost_a_plan_can_have() -> None:
    """eta (the VaR level) in [0, U], U = sum_o reach_o c_o + sum F + sum_i d_i spot_i: a contract's reach is
    d / its smallest positive availability over the scenarios and their probability-weighted mean (the mean
    scenario VSS plans): A 1 in the baseline, 0 in CN stop, 0.9 in the mean, so 100 / 0.9; B 100. U =
    1000 / 0.9 * 1 + 100 * 12 + 50 (B's fixed cost) + 100 * 15 = 3861.11. Unbounded, eta let mpi-sppy's
    Lagrangian report a "bound" above the optimum."""
    model = build(two_suppliers(0.5, fixed_b=50.0))
    block = next(c for c in model.columns if c.name == "eta")
    assert (float(block.lower[0]), float(block.upper[0])) == pytest.approx((0.0, 1000 / 0.9 + 1200 + 50 + 1500))
    assert sum(len(c) for c in build(two_suppliers(0.0)).columns if c.name == "eta") == 0  # no CVaR, no eta


def test_rho_per_first_stage_variable() -> None:
    """rho of a contract = c_o / max(1, d_i / n_i) = 10 / 50 and 12 / 50; of B's use binary max(F, mean
    c_o d_i / n_i) = max(50, (10 + 12) / 2 * 50) = 550; of eta w / max(1, sum_i d_i cbar_i) = 0.5 / (100 * 11)."""
    from planner.stochastic.scenario_models import rho_of, scenario_model, scenario_names

    data = two_suppliers(0.5, fixed_b=50.0)
    m, first = scenario_model(data, scenario_names(data)[0])
    names = [v.name for v in first]
    rho = dict(zip(names, rho_of(data).tolist()))
    assert len(rho) == len(names)
    contracts = sorted(v for k, v in rho.items() if k.startswith("buy"))
    assert contracts == pytest.approx([10 / 50, 12 / 50])
    assert [v for k, v in rho.items() if k.startswith("use_supplier")] == pytest.approx([550.0])
    assert [v for k, v in rho.items() if k.startswith("eta")] == pytest.approx([0.5 / 1100])


def decomposed(status: str, lower: float, contracts: dict[int, float] | None = None):
    from planner.stochastic.decompose import Decomposed

    return Decomposed(contracts or {}, lower, math.inf, math.inf, status, 7, 3, 12.0, describe_cylinders(3))


def test_without_an_incumbent_there_is_no_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A decomposition that found no contracts every scenario can live with (the xhat spoke's candidates all
    left some scenario without recourse) gives no plan: never the contracts at 0 priced as if they were one."""
    import dataclasses

    from planner.stochastic import decompose

    monkeypatch.setattr(decompose, "contracts_by_decomposition", lambda data: decomposed("no incumbent", 1000.0))
    for spot_capacity, hint in ((math.inf, False), (40.0, True)):
        data = two_suppliers(0.0)
        data = dataclasses.replace(data, items={"ga": dataclasses.replace(data.items["ga"], spot_capacity=spot_capacity)},
                                   settings=dataclasses.replace(data.settings, engine="mpisppy"))
        plan = planner.solve(data)
        assert plan.status == "error" and not plan.has_plan
        assert "no contracts that every scenario can live with" in plan.message and "7 PH iterations" in plan.message
        # the hint names the items that can be left without recourse: no shortage cost, spot below demand
        assert ("1 item has no shortage_cost and no spot market for all of their demand (ga)" in plan.message) == hint
    assert plan.run["proven lower bound"] == 1000.0


def test_a_lower_bound_above_the_plan_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spot test's world: A = 100 costs E = 0.9 * 1000 + 0.1 * 1500 = 1050. A decomposition that claims a
    lower bound of 1100 (above the cost of a plan it returned) proves nothing: the plan is feasible, not
    optimal, and no bound is reported."""
    import dataclasses

    from planner.model import build as build_model
    from planner.stochastic import decompose

    data = two_suppliers(0.0)
    data = dataclasses.replace(data, settings=dataclasses.replace(data.settings, engine="mpisppy"))
    block, _ = build_model(data).column_block("buy")
    position = {str(s): k for k, s in enumerate(block.coord("supplier"))}
    contracts = {position["A"]: 100.0}
    for lower, status in ((1100.0, "feasible"), (1050.0 * (1 - 1e-9), "optimal")):
        monkeypatch.setattr(decompose, "contracts_by_decomposition",
                            lambda data, lower=lower: decomposed("gap", lower, contracts))
        plan = planner.solve(data)
        assert plan.total_cost == pytest.approx(1050.0)
        assert plan.status == status, plan.message
        if status == "feasible":
            assert plan.risk["lower_bound"] is None and "not a valid bound" in plan.message
            assert plan.run["bound rejected"] == "1,100, above the cost of a plan found, 1,050"
        else:
            assert plan.risk["lower_bound"] == pytest.approx(1050.0)


def test_contracts_that_leave_a_scenario_of_probability_zero_without_recourse(monkeypatch: pytest.MonkeyPatch) -> None:
    """No spot market, no shortage; CN stop has probability 0, so the decomposition sees the baseline alone and
    may return A = 100, with which CN stop has no recourse: no plan, and not "the rules cannot all hold" (the
    extensive form, which sees CN stop, contracts B = 100 at 1200)."""
    import dataclasses

    from planner.model import build as build_model
    from planner.stochastic import decompose

    data = two_suppliers(0.0)
    hits = (ScenarioHit("CN stop", Group("country", "CN"), availability=0.0, probability=0.0),)
    data = dataclasses.replace(data, items={"ga": Item("ga", 100.0)}, scenario_hits=hits)
    assert planner.solve(data).total_cost == pytest.approx(1200.0)
    data = dataclasses.replace(data, settings=dataclasses.replace(data.settings, engine="mpisppy"))
    block, _ = build_model(data).column_block("buy")
    position = {str(s): k for k, s in enumerate(block.coord("supplier"))}
    monkeypatch.setattr(decompose, "contracts_by_decomposition",
                        lambda data: decomposed("gap", 1000.0, {position["A"]: 100.0}))
    plan = planner.solve(data)
    assert plan.status == "error" and "leave some scenario without any recourse" in plan.message
    assert not plan.conflicts
