"""The planner's subproblem solver for mpi-sppy (planner/stochastic/highs_subproblem.py): one highspy instance
per scenario on the planner's own matrix, PH's terms read from mpi-sppy's parameters.

In process (MPI as a singleton): mpi-sppy's own PH object is set up on the scenario models of the 20-scenario
workbook, so the W, rho, xbar parameters and the proximal term (exact, or linearised with mpi-sppy's cuts) are
mpi-sppy's; at random W and xbar, with the W and proximal terms switched on and off and the first stage fixed
or free, the plugin's optimum must be Pyomo's `appsi_highs` optimum of the same Pyomo model (mpi-sppy's
objective as it wrote it), and the plugin's `objective_value` must be Pyomo's value of that objective at the
plugin's solution.

Under mpiexec (1, 2, 3 and 4 ranks): the hand instance with a fixed cost, a MIP, whose optimum is checked by
hand: demand 100; A (CN) at 10, B (AU) at 12 plus a fixed 100; spot at 30; CN stops with probability 0.3.
A alone costs 0.7 * 1000 + 0.3 * 3000 = 1600; any mix with B, b units from B, 0.7 (1100 + 2 b) +
0.3 (3100 - 18 b) = 1700 - 4 b, least at b = 100: B alone, 1300.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("mpisppy")

import planner  # noqa: E402
from test_mpisppy_planner import MPIEXEC, PLANNER, twenty_scenarios  # noqa: E402


def ph_on(data: planner.PlanningData, proximal: str) -> Any:
    """mpi-sppy's PH object on the scenario models, its solvers the plugin, after its iteration 0 and one more
    (so that the W and proximal terms are in the objective)."""
    import contextlib

    with contextlib.redirect_stdout(sys.stderr):
        from mpisppy.opt.ph import PH
        from mpisppy.utils import sputils

    from planner.stochastic import highs_subproblem as hs
    from planner.stochastic import scenario_models as sm

    hs.register()
    names = sm.scenario_names(data)
    rho = sm.rho_of(data)
    firsts: dict[int, list] = {}

    def creator(name: str) -> Any:
        m, first = sm.scenario_model(data, name)
        matrix = getattr(m, hs.ATTRIBUTE)
        hs.attach(m, matrix.model, matrix.columns, "exact" if proximal == "linearised" else proximal)
        firsts[id(m)] = first
        sputils.attach_root_node(m, 0.0, first)
        m._mpisppy_probability = sm.probability(data, name)
        return m

    options = {"solver_name": hs.NAME, "PHIterLimit": 1, "defaultPHrho": 1.0, "convthresh": -1.0, "verbose": False,
               "display_progress": False, "display_timing": False, "iter0_solver_options": {},
               "iterk_solver_options": {}, "linearize_proximal_terms": proximal == "linearised",
               "linearize_binary_proximal_terms": True, "proximal_linearization_tolerance": 0.1}
    ph = PH(options, names, creator,
            rho_setter=lambda m: [(id(v), float(r)) for v, r in zip(firsts[id(m)], rho)])
    ph.ph_main()
    return ph


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> planner.PlanningData:
    found, _ = planner.read(twenty_scenarios(tmp_path_factory.mktemp("plugin") / "twenty.xlsx"))
    return found


@pytest.mark.parametrize("proximal", ["exact", "linearised", "tangents"])
def test_the_plugin_solves_mpi_sppys_own_objective(data: planner.PlanningData, proximal: str) -> None:
    """exact: the plugin's QP is Pyomo's; linearised: mpi-sppy's cuts, the same LP; tangents (the plugin's own
    under-estimate of the proximal term): HiGHS's optimum at most the exact one, the plan's exact objective
    at least it. Without the proximal term, all three are the same LP."""
    import pyomo.environ as pyo
    from mpisppy.utils import sputils

    from planner.stochastic import highs_subproblem as hs

    linearize = proximal == "linearised"
    ph = ph_on(data, proximal)
    rng = random.Random(3)
    reference = pyo.SolverFactory("highs")  # Pyomo's own HiGHS interface: it reads the quadratic term
    checked = 0
    for k, (name, s) in enumerate(ph.local_scenarios.items()):
        if k % 5:  # every fifth scenario: enough to vary the data, quick
            continue
        plugin = s._solver_plugin
        assert isinstance(plugin, hs._PLUGIN)
        model = s._mpisppy_model
        nonants = list(s._mpisppy_data.nonant_indices.items())
        for key, v in nonants:
            model.W[key]._value = rng.uniform(-3.0, 3.0)
            model.xbars[key]._value = max(0.0, (v.value or 0.0) + rng.uniform(-20.0, 20.0))
        if linearize:  # mpi-sppy's cuts at the current point, handed to the plugin as it hands them
            for manager in s._mpisppy_data.xsqvar_prox_approx.values():
                manager.check_tol_add_cut(ph.prox_approx_tol, plugin)
        for w_on, prox_on, fixed in ((1, 1, False), (1, 0, False), (0, 0, False), (0, 0, True), (1, 1, True)):
            model.W_on._value, model.prox_on._value = w_on, prox_on
            at = {}
            if fixed:
                for _, v in nonants:
                    v.fix(max(0.0, v.value or 0.0))
                    at[id(v)] = v.value
            results = plugin.solve(s, load_solutions=False, save_results=False)
            assert str(results.solver.termination_condition) == "optimal"
            plugin.load_vars()
            assert all(v.value == pytest.approx(at[id(v)], abs=1e-9) for _, v in nonants if id(v) in at)
            ours = float(results.problem.upper_bound)  # the exact objective at the plugin's plan
            below = float(results.problem.lower_bound)  # HiGHS's optimum
            objective = sputils.find_active_objective(s)
            assert plugin.objective_value() == pytest.approx(pyo.value(objective), rel=1e-9, abs=1e-6)
            assert ours == pytest.approx(pyo.value(objective), rel=1e-7, abs=1e-5)
            done = reference.solve(s, load_solutions=True)
            assert str(done.solver.termination_condition) == "optimal"
            optimum = pyo.value(objective)
            if proximal == "tangents" and prox_on:
                assert below <= optimum * (1 + 1e-9) and optimum <= ours * (1 + 1e-9), (name, fixed)
                # the gap is the tangents' shortfall under rho / 2 d^2 at the plan, column by column
                grid = plugin._tangents
                x = plugin._values
                tangent = plugin._square == hs.TANGENTS
                xbar = [model.xbars[key]._value for (key, _), t in zip(nonants, tangent) if t]
                d = x[plugin._first[tangent]] - xbar
                a, rho = grid.points, grid.rho[:, None]
                shortfall = rho[:, 0] / 2 * d ** 2 - (rho * a * d[:, None] - rho * a ** 2 / 2).max(axis=1)
                assert ours - below == pytest.approx(shortfall.sum(), rel=1e-5, abs=1e-4)
            else:
                assert ours == pytest.approx(optimum, rel=1e-6), (name, w_on, prox_on, fixed)
                assert below == pytest.approx(optimum, rel=1e-6)
            for _, v in nonants:
                v.unfix()
            checked += 1
    assert checked == 5 * 5


def hand_mip(path: Path) -> Path:
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"item": ["ga"], "demand": [100], "spot_price": [30]}).to_excel(w, sheet_name="Items",
                                                                                    index=False)
        pd.DataFrame({"country": ["CN", "AU"]}).to_excel(w, sheet_name="Countries", index=False)
        pd.DataFrame({"supplier": ["A", "B"], "country": ["CN", "AU"], "fixed_cost": [0, 100]}
                     ).to_excel(w, sheet_name="Suppliers", index=False)
        pd.DataFrame({"item": ["ga", "ga"], "supplier": ["A", "B"], "price": [10, 12]}
                     ).to_excel(w, sheet_name="Offers", index=False)
        pd.DataFrame({"scenario": ["CN stop"], "group": ["country:CN"], "availability": [0.0], "probability": [0.3]}
                     ).to_excel(w, sheet_name="Scenarios", index=False)
        pd.DataFrame({"setting": ["mode", "mip_gap", "time_limit"], "value": ["two_stage", 1e-4, 120]}
                     ).to_excel(w, sheet_name="Settings", index=False)
    return path


@pytest.mark.skipif(not MPIEXEC.exists(), reason="the mpi extra is not installed (pip install -e '.[mpi]')")
@pytest.mark.parametrize("ranks", [1, 2, 3, 4])
def test_a_fixed_cost_by_decomposition_is_the_hand_optimum(tmp_path: Path, ranks: int) -> None:
    """The MIP through the plugin (binaries' proximal term exactly linear, the contracts' by mpi-sppy's cuts):
    B alone, 1300, proven within the gap. On 4 ranks the hub has 2, one scenario each, and prices the first
    stage of either in turn."""
    book = hand_mip(tmp_path / "hand.xlsx")
    done = subprocess.run([str(MPIEXEC), "-n", str(ranks), str(PLANNER), "solve", str(book), "--engine", "mpisppy",
                           "-o", str(tmp_path / "plan.xlsx"), "--json"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    assert found["status"] == "optimal", found["message"]
    assert found["objective"] == pytest.approx(1300.0, rel=1e-9)
    assert 1300.0 * (1 - 1e-4) <= found["lower_bound"] <= 1300.0 * (1 + 1e-9)
    contracts = pd.read_excel(tmp_path / "plan.xlsx", sheet_name="Contracts", engine="openpyxl")
    assert dict(zip(contracts["supplier"], contracts["contract"])) == pytest.approx({"A": 0.0, "B": 100.0}) or \
        dict(zip(contracts["supplier"], contracts["contract"])) == pytest.approx({"B": 100.0})
