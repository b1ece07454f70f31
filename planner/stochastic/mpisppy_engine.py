"""The mpi-sppy engine: scenario decomposition of a two-stage model, run under ``mpiexec``.

It takes any Pyomo scenario creator (the planner's is rendered from the same family blocks as the
extensive form) and runs, on ``K`` MPI ranks split into three cylinders of ``K / 3`` ranks each:

- a progressive-hedging **hub**: per scenario s it solves
  ``min f_s(x_s, y_s) + W_s' x_s + rho/2 ||x_s - xbar||^2`` and updates
  ``W_s += rho (x_s - xbar)``, ``xbar = sum_s p_s x_s``; HiGHS solves no quadratic MIP, so the
  proximal term is linearised (``linearize_proximal_terms``: for a binary x, ``(x - xbar)^2`` is
  exactly linear, ``x (1 - 2 xbar) + xbar^2``; for a continuous x, mpi-sppy adds tangent cuts of the
  square until the cut is within ``proximal_linearization_tolerance`` of it);
- a **Lagrangian** spoke, the lower bound: with the hub's W (``sum_s p_s W_s = 0``),
  ``L(W) = sum_s p_s min_{x,y} (f_s + W_s' x) <= z*``, each scenario solved alone;
- an **xhat-shuffle** spoke, the upper bound: it fixes the first-stage values of one scenario's PH
  solution after another in every scenario, solves the recourse, and keeps the cheapest feasible
  ``sum_s p_s f_s``.

The hub stops when ``(upper - lower) / |upper| <= rel_gap``, at ``max_iterations`` or at
``time_limit`` seconds. On fewer ranks than three cylinders: 2 (or any even count) runs the hub
and the xhat spoke, whose bound then faces PH's trivial bound (each scenario alone, W = 0); 1 rank
is refused (use the extensive form there).

Every rank calls :func:`solve_mpisppy`; only global rank 0 gets an :class:`MpisppyResult`, the
other ranks get ``None`` and must write nothing. Importing this module needs neither mpi4py nor
mpi-sppy: calling the function without them raises :class:`MpisppyMissing` saying how to install
the extra.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INSTALL_HINT = "install the mpi extra: pip install -e '.[mpi]'"


class MpisppyMissing(RuntimeError):
    """mpi-sppy or mpi4py (or the MPI library under it) cannot be imported."""


@dataclass(frozen=True)
class MpisppyResult:
    """What rank 0 learns from one hub-and-spokes run.

    ``first_stage`` maps each first-stage variable's Pyomo name (``buy[o3]``, ``use_supplier[s1]``)
    to its value in the best plan found (the xhat of ``upper_bound``); it is empty when no spoke
    found a feasible plan. ``lower_bound <= z* <= upper_bound`` (minimisation); ``rel_gap`` is
    ``(upper - lower) / max(|upper|, 1e-10)``, ``inf`` while either bound is missing.
    """

    first_stage: dict[str, float]
    lower_bound: float
    upper_bound: float
    rel_gap: float
    status: str  # "gap" (bounds met), "converged" (PH stopped moving first), "iterations", "time", "no incumbent"
    iterations: int
    seconds: float
    ranks: int


def _import_mpisppy() -> tuple[Any, Any, Any, Any, Any]:
    try:
        from mpi4py import MPI
        import mpisppy.utils.cfg_vanilla as vanilla
        import mpisppy.utils.sputils as sputils
        from mpisppy.spin_the_wheel import WheelSpinner
        from mpisppy.utils import config
    except ImportError as exc:  # the extra is not installed, or its MPI library is absent
        raise MpisppyMissing(f"--engine mpisppy needs mpi-sppy and mpi4py ({exc}); {INSTALL_HINT}") from exc
    return MPI, vanilla, sputils, WheelSpinner, config


def relative_gap(lower: float, upper: float) -> float:
    """``(upper - lower) / |upper|`` as mpi-sppy's hub measures it; ``inf`` without both bounds."""
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return math.inf
    return (upper - lower) / max(abs(upper), 1e-10)


def solve_mpisppy(
    scenario_names: Sequence[str],
    scenario_creator: Callable[[str], Any],
    probabilities: Mapping[str, float],
    first_stage_vars_of: Callable[[Any], Iterable[Any]],
    rel_gap: float = 1e-4,
    time_limit: float | None = None,
    *,
    first_stage_cost_of: Callable[[Any], Any] | None = None,
    rho: float = 1.0,
    max_iterations: int = 200,
    mip_rel_gap: float | None = None,
    solver_name: str = "appsi_highs",
    proximal_linearization_tolerance: float = 1e-1,
    verbose: bool = False,
    comm: Any = None,
) -> MpisppyResult | None:
    """Run PH hub + Lagrangian spoke + xhat-shuffle spoke; return the result on global rank 0.

    ``scenario_creator(name)`` builds one scenario's ConcreteModel with its own minimising
    objective ``f_s`` (first-stage cost plus that scenario's recourse cost);
    ``first_stage_vars_of(model)`` lists its first-stage (non-anticipative) variables, in the same
    order for every scenario: the planner's contract columns ``buy``, the binaries ``use_supplier``,
    ``use_offer``, the tier columns and, with a CVaR weight, the VaR level ``eta``.
    ``probabilities[name]`` is p_s (they must add up to 1 over ``scenario_names``: the baseline is
    one of the scenarios). ``first_stage_cost_of(model)`` is the first-stage part of ``f_s``;
    mpi-sppy only reports it, so 0 is used when it is not given.

    ``rho`` is PH's penalty for every first-stage variable, in objective units per unit of the
    variable squared; ``mip_rel_gap`` is handed to HiGHS for each subproblem (mpi-sppy's
    ``iter0_mipgap`` and ``iterk_mipgap``).
    """
    MPI, vanilla, sputils, WheelSpinner, config = _import_mpisppy()
    world = comm if comm is not None else MPI.COMM_WORLD
    size = world.Get_size()
    if size % 3 == 0:
        spokes = ("lagrangian", "xhatshuffle")
    elif size % 2 == 0:
        spokes = ("xhatshuffle",)
    else:
        raise ValueError(
            f"--engine mpisppy runs a hub and two spokes on a multiple of 3 MPI ranks (or hub and one "
            f"spoke on an even number); it was started on {size}: run it as mpiexec -n 3 (or 6, 9 ...), "
            "or use --engine ef on one machine"
        )
    names = list(scenario_names)
    total = sum(probabilities[n] for n in names)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"the scenario probabilities add up to {total}, not 1 (the baseline is one of the scenarios)")

    def creator(name: str) -> Any:
        model = scenario_creator(name)
        first_cost = first_stage_cost_of(model) if first_stage_cost_of is not None else 0.0
        sputils.attach_root_node(model, first_cost, list(first_stage_vars_of(model)))
        model._mpisppy_probability = probabilities[name]
        return model

    cfg = config.Config()
    cfg.popular_args()
    cfg.two_sided_args()
    cfg.ph_args()
    cfg.lagrangian_args()
    cfg.xhatshuffle_args()
    cfg.solver_name = solver_name
    cfg.default_rho = rho
    cfg.max_iterations = max_iterations
    cfg.rel_gap = rel_gap
    cfg.abs_gap = 0.0
    cfg.linearize_proximal_terms = True
    cfg.linearize_binary_proximal_terms = True
    cfg.proximal_linearization_tolerance = proximal_linearization_tolerance
    cfg.verbose = verbose
    cfg.display_progress = verbose
    cfg.tee_rank0_solves = False
    if time_limit is not None:
        cfg.time_limit = time_limit
    if mip_rel_gap is not None:  # not among the argument groups above: declared here
        cfg.quick_assign("iter0_mipgap", float, mip_rel_gap)
        cfg.quick_assign("iterk_mipgap", float, mip_rel_gap)

    beans = (cfg, creator, None, names)
    hub = vanilla.ph_hub(*beans)
    spoke_dicts = []
    if "lagrangian" in spokes:
        spoke_dicts.append(vanilla.lagrangian_spoke(*beans))
    spoke_dicts.append(vanilla.xhatshuffle_spoke(*beans))

    started = time.perf_counter()
    wheel = WheelSpinner(hub, spoke_dicts)
    try:
        wheel.spin(comm_world=world)
    except BaseException:
        # One rank's failure leaves the other cylinders waiting on it for ever: end the whole job.
        import traceback

        traceback.print_exc()
        world.Abort(1)
        raise
    seconds = time.perf_counter() - started

    # After the spin, the cylinder that holds the best incumbent has it loaded in its scenarios
    # (spoke finalize); its first rank sends the values to rank 0, which is the hub's.
    winner = wheel._determine_innerbound_winner()
    values: dict[str, float] | None = None
    if winner and wheel.cylinder_rank == 0:
        scenario = next(iter(wheel.spcomm.opt.local_scenarios.values()))
        values = {v.name: float(v.value) for v in scenario._mpisppy_node_list[0].nonant_vardata_list}
    gathered = world.gather(values, root=0)
    if world.Get_rank() != 0:
        return None
    first_stage = next((v for v in gathered if v is not None), {})

    lower = float(wheel.BestOuterBound)
    upper = float(wheel.BestInnerBound)
    gap = relative_gap(lower, upper)
    iterations = int(getattr(wheel.spcomm.opt, "_PHIter", 0))
    if not first_stage or not math.isfinite(upper):
        status = "no incumbent"
    elif gap <= rel_gap:
        status = "gap"
    elif iterations >= max_iterations:
        status = "iterations"
    elif time_limit is not None and seconds >= time_limit:
        status = "time"
    else:
        status = "converged"  # PH's first-stage values stopped moving before the bounds met
    return MpisppyResult(first_stage, lower, upper, gap, status, iterations, seconds, size)


def rank() -> int:
    """This process's rank in MPI.COMM_WORLD (0 without MPI, or without the extra: then the engine's own call
    says how to install it)."""
    try:
        from mpi4py import MPI
    except ImportError:
        return 0
    return int(MPI.COMM_WORLD.Get_rank())
