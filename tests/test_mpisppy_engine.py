"""The mpi-sppy engine (planner/stochastic/mpisppy_engine.py) under ``mpiexec -n 3``, on the toy
two-stage model of tests/mpisppy_toy.py, against that model's extensive form solved by HiGHS.

Hand instance: demand 100; offer A at 10 per unit (capacity 100, no fixed cost); offer B at 12 per
unit (capacity 100) plus a fixed 100 when used; spot market at 30; scenario A_out (A delivers
nothing) with probability p, baseline 1 - p. Candidate plans (cost in baseline, in A_out):
- A alone, x_A = 100: 1000 and 0 + 30 * 100 = 3000;
- B alone, x_B = 100: 1200 + 100 = 1300 in both;
- any mix x_A = 100 - b, x_B = b (B used): baseline 10 (100 - b) + 12 b + 100 = 1100 + 2 b,
  A_out 12 b + 100 + 30 (100 - b) = 3100 - 18 b.
p = 0.3: A alone 0.7 * 1000 + 0.3 * 3000 = 1600; the mix 0.7 (1100 + 2b) + 0.3 (3100 - 18b)
= 1700 - 4 b, least at b = 100: B alone, 1300 (contracting more than 100 only adds paid units).
p = 0.1: A alone 0.9 * 1000 + 0.1 * 3000 = 1200; the mix 0.9 (1100 + 2b) + 0.1 (3100 - 18b) = 1300:
A alone, 1200, and B is not used.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import mpisppy_toy as toy

HERE = Path(__file__).parent
MPIEXEC = Path(sys.executable).parent / "mpiexec"
HAVE_EXTRA = all(importlib.util.find_spec(m) is not None for m in ("mpisppy", "mpi4py", "scipy")) and MPIEXEC.exists()
needs_extra = pytest.mark.skipif(
    not HAVE_EXTRA, reason="the mpi extra is not installed (pip install -e '.[mpi]'); .ci/run installs it"
)

GAP = 1e-3
TWENTY = toy.random_instance(seed=16, scenarios=20)
JOBS = [
    {"instance": toy.hand_instance(0.3), "rel_gap": GAP},
    {"instance": toy.hand_instance(0.1), "rel_gap": GAP},
    # Fixed costs make it a MIP: the Lagrangian bound keeps a duality gap (6.8 % after 30 s here), so
    # the run stops at its time limit; the incumbent is what must agree with the extensive form
    {"instance": TWENTY, "rel_gap": GAP, "time_limit": 20},
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Every job in one ``mpiexec -n 3`` (three interpreters start once): the results of rank 0."""
    folder = tmp_path_factory.mktemp("mpisppy")
    (folder / "jobs.json").write_text(json.dumps(JOBS))
    done = subprocess.run(
        [str(MPIEXEC), "-n", "3", sys.executable, str(HERE / "mpisppy_run.py"), "jobs.json", "out.json"],
        cwd=folder, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((folder / "out.json").read_text())
    assert len(results) == len(JOBS)  # rank 0 alone wrote, once per job
    return results


def test_without_the_extra_the_engine_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.stochastic import mpisppy_engine

    monkeypatch.setitem(sys.modules, "mpisppy", None)  # import mpisppy now raises ImportError
    monkeypatch.setitem(sys.modules, "mpisppy.utils", None)
    with pytest.raises(mpisppy_engine.MpisppyMissing, match=r"install the mpi extra: pip install -e '\.\[mpi\]'"):
        mpisppy_engine.solve_mpisppy(["baseline"], lambda name: None, {"baseline": 1.0}, lambda m: [])


def test_extensive_form_of_the_hand_instance() -> None:
    """The reference itself, against the docstring's arithmetic: 1300 (B alone) and 1200 (A alone)."""
    cost, x = toy.extensive_form(toy.hand_instance(0.3))
    assert cost == pytest.approx(1300) and x["x[B]"] == pytest.approx(100) and x["x[A]"] == pytest.approx(0, abs=1e-9)
    cost, x = toy.extensive_form(toy.hand_instance(0.1))
    assert cost == pytest.approx(1200) and x["x[A]"] == pytest.approx(100) and x["use[B]"] == pytest.approx(0)


@needs_extra
@pytest.mark.parametrize(("job", "cost", "contracts"), [(0, 1300, {"x[A]": 0, "x[B]": 100}), (1, 1200, {"x[A]": 100, "x[B]": 0})])
def test_hand_instance_under_three_ranks(runs: list[dict[str, Any]], job: int, cost: float, contracts: dict[str, float]) -> None:
    result = runs[job]
    assert result["ranks"] == 3
    assert result["upper_bound"] == pytest.approx(cost, rel=1e-9)
    assert result["lower_bound"] <= cost + 1e-6
    assert result["rel_gap"] == pytest.approx((result["upper_bound"] - result["lower_bound"]) / result["upper_bound"])
    for name, value in contracts.items():
        assert result["first_stage"][name] == pytest.approx(value, abs=1e-6)


@needs_extra
def test_twenty_scenarios_agree_with_the_extensive_form(runs: list[dict[str, Any]]) -> None:
    """Both bounds bracket the extensive form's optimum, and the incumbent is within the gap of it."""
    assert len(TWENTY["scenarios"]) == 20
    optimum, _ = toy.extensive_form(TWENTY)
    result = runs[2]
    assert result["status"] in {"gap", "time"}
    assert result["lower_bound"] <= optimum + 1e-6 <= result["upper_bound"] + 2e-6
    assert result["upper_bound"] - optimum <= GAP * optimum
    # the incumbent's contracts, priced in the extensive form, cost what the engine says
    fixed = toy.extensive_form(TWENTY, fix=result["first_stage"])[0]
    assert fixed == pytest.approx(result["upper_bound"], rel=1e-7)
