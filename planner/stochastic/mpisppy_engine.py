"""The mpi-sppy engine: scenario decomposition of a two-stage model, run under ``mpiexec``.

It takes any Pyomo scenario creator (the planner's is rendered from the same family blocks as the
extensive form) and runs, on ``K`` MPI ranks split evenly over up to three cylinders (which ones,
:func:`cylinders_for`):

- a progressive-hedging **hub**: per scenario s it solves
  ``min f_s(x_s, y_s) + W_s' x_s + rho/2 ||x_s - xbar||^2`` and updates
  ``W_s += rho (x_s - xbar)``, ``xbar = sum_s p_s x_s``. HiGHS solves LPs, convex QPs and MIPs but no
  quadratic MIP: with integer first-stage variables the proximal term is linearised as mpi-sppy offers
  (``linearize_proximal_terms``: for a binary x, ``(x - xbar)^2`` is exactly linear,
  ``x (1 - 2 xbar) + xbar^2``; for a continuous x, tangent cuts of the square until the cut is within
  ``proximal_linearization_tolerance`` of it); without, mpi-sppy writes it exact and the planner's
  subproblem solver (`highs_subproblem`, chosen by :func:`choose_solver` for scenario models that carry the
  planner's matrix) solves it with tangent rows of its own, or as a QP;
- rho: one value per first-stage variable, from the data (``rho_setter``; the planner's
  ``scenario_models.rho_of``: a contract's landed cost over its size, a binary's fixed cost), not one
  number for all: contracts, binaries and the VaR level eta live on scales many orders apart.
  rho must be the same in every scenario: W_s += rho (x_s - xbar) keeps sum_s p_s W_s = 0 only then, and
  the Lagrangian bound needs it. mpi-sppy's ``coeff_rho`` sets rho per scenario from that scenario's own
  cost coefficient (0 where an offer delivers nothing), and gave Lagrangian "bounds" above the optimum in
  trials; ``sep_rho`` was slower than this rule; neither is offered;
- a **Lagrangian** spoke, the lower bound: with the hub's W (``sum_s p_s W_s = 0``),
  ``L(W) = sum_s p_s min_{x,y} (f_s + W_s' x) <= z*``, each scenario solved alone;
- an **xhat-shuffle** spoke, the upper bound: it fixes the first-stage values of one scenario's PH
  solution after another in every scenario, solves the recourse, and keeps the cheapest feasible
  ``sum_s p_s f_s``.

The hub stops when ``(upper - lower) / |upper| <= rel_gap``, at ``max_iterations`` or at
``time_limit`` seconds. mpi-sppy gives each cylinder the same number of ranks, so the rank count
decides the cylinders (:func:`cylinders_for`): a multiple of 3 runs all three; another even count
runs the hub and the Lagrangian spoke, and the hub itself prices a candidate (below) for the upper
bound; any other count (1, 5, 7 ...) runs the hub alone, which computes both bounds itself
(:class:`HubBounds`, after every ``bounds_every``-th PH iteration):

- lower: the Lagrangian bound at the hub's current W, each scenario solved with W on and the
  proximal term off (what the Lagrangian spoke does on its own ranks), kept only when every
  scenario's subproblem solved;
- upper: one first stage fixed in every scenario, the recourse solved, the expected cost kept when
  every scenario has a plan: ``xbar`` when no first-stage variable is integer (mpi-sppy's xhat-xbar
  rule), else the PH solution x_s of one scenario after another (over all of the hub's ranks, `turn_owner`).

Both are extra passes over the hub's scenarios, so one rank does up to three solves per scenario
per iteration where three ranks do one each: that is the price of running on one rank.

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

from planner.stochastic import highs_subproblem

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
    status: str  # "gap" (bounds met), "converged" (PH stopped moving first), "iterations", "time", "no incumbent",
    # "inconsistent" (the lower bound above the upper: the bound is invalid)
    iterations: int
    seconds: float
    ranks: int
    solver: str = ""  # the subproblem solver's name (`choose_solver`)


def _logs_to_stderr() -> None:
    """mpi-sppy's cylinder modules open log files (hub.log, xhatclp.log, xhateval.log ...) in the current
    folder when they are imported, which would leave them in the user's folder beside the plan: their
    loggers write to stderr instead (they log at CRITICAL only, so they say nothing unless something
    breaks). Must run before those modules are imported."""
    import sys

    import mpisppy.log as log

    if getattr(log.setup_logger, "_to_stderr", False):
        return
    original = log.setup_logger

    def setup_logger(name: str, out: Any, *args: Any, **kwargs: Any) -> Any:
        return original(name, out if out in (sys.stdout, sys.stderr) else sys.stderr, *args, **kwargs)

    setup_logger._to_stderr = True  # type: ignore[attr-defined]
    log.setup_logger = setup_logger


def _import_mpisppy() -> tuple[Any, Any, Any, Any, Any]:
    try:
        from mpi4py import MPI

        _logs_to_stderr()
        import mpisppy.utils.cfg_vanilla as vanilla
        import mpisppy.utils.sputils as sputils
        from mpisppy.spin_the_wheel import WheelSpinner
        from mpisppy.utils import config
    except ImportError as exc:  # the extra is not installed, or its MPI library is absent
        raise MpisppyMissing(f"--engine mpisppy needs mpi-sppy and mpi4py ({exc}); {INSTALL_HINT}") from exc
    return MPI, vanilla, sputils, WheelSpinner, config


SOLVER = "highs_persistent"  # Pyomo's `highs`, fixed variables as bounds (`_register_solver`); mpi-sppy reads the
# name as HiGHS (its option names: mipgap -> mip_rel_gap) by its "_persistent" suffix


def _register_solver() -> None:
    """Register `SOLVER`: Pyomo's persistent `highs` interface (pyomo.contrib.solver), with a fixed variable
    passed to HiGHS as equal bounds rather than as a parameter. By default a variable whose fixedness
    changes has every row and the objective that mention it rebuilt; the xhat spoke and the hub's own upper
    bound fix and free every first-stage variable of every scenario for each candidate, and with 1k contracts
    that rebuild took 20x the solve (a 3-rank run of 100 scenarios x 1k offers found no incumbent in 650 s)."""
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.solvers.highs import Highs

    if SOLVER in SolverFactory:
        return

    class FixedAsBounds(Highs):
        def __init__(self, **kwds: Any) -> None:
            kwds.setdefault("treat_fixed_vars_as_params", False)
            super().__init__(**kwds)

        def update(self, timer: Any = None) -> None:
            # HiGHS says "Hessian has dimension n but no nonzeros" each time the proximal term is switched
            # off (the Lagrangian pass, xhat pricing), hundreds of lines drowning mpi-sppy's progress lines
            import io

            from pyomo.common.tee import capture_output

            with capture_output(io.StringIO(), capture_fd=True):
                super().update(timer)

    SolverFactory.register(SOLVER, doc="HiGHS through Pyomo's persistent interface, fixed variables as bounds")(
        FixedAsBounds)


def choose_solver(model: Any) -> str:
    """The subproblem solver for scenario models like `model`: the planner's own HiGHS plugin
    (`highs_subproblem`: one highspy instance per scenario, only the objective, bounds and proximal cuts
    changed per solve) for a model that carries the planner's matrix; else Pyomo's persistent `highs`
    (`SOLVER`), which reads any Pyomo model."""
    return highs_subproblem.NAME if getattr(model, highs_subproblem.ATTRIBUTE, None) is not None else SOLVER


BOUND_TOL = 1e-6  # relative: how far a lower bound may lie above a plan's cost before it is no bound at all


def bound_above(lower: float, value: float) -> bool:
    """A "lower bound" above the cost of a plan found (by more than BOUND_TOL, relative) is wrong: no bound."""
    return lower > value + BOUND_TOL * max(1.0, abs(value))


def relative_gap(lower: float, upper: float) -> float:
    """``(upper - lower) / |upper|`` as mpi-sppy's hub measures it; ``inf`` without both bounds."""
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return math.inf
    return (upper - lower) / max(abs(upper), 1e-10)


def turn_owner(turn: int, counts: Sequence[int]) -> tuple[int, int]:
    """Which rank of the hub, and which of its local scenarios, gives the candidate of turn `turn`.

    The hub's ranks hold ``counts[r]`` scenarios each; turns run over all of them, rank 0's first, so that
    with the hub on several ranks (4, 8, ... ranks in all) every scenario's first stage is priced in turn,
    not only those of the hub's first rank."""
    k = turn % sum(counts)
    for owner, count in enumerate(counts):
        if k < count:
            return owner, k
        k -= count
    raise AssertionError("unreachable: k < sum(counts)")


def cylinders_for(size: int) -> tuple[tuple[str, ...], frozenset[str]]:
    """(the spokes beside the hub, the bounds the hub computes itself) on ``size`` MPI ranks.

    mpi-sppy splits the ranks evenly over the cylinders, so 3 cylinders need a multiple of 3 ranks
    and 2 an even count; whatever bound no spoke provides, the hub computes (:class:`HubBounds`).
    """
    if size < 1:
        raise ValueError(f"{size} MPI ranks")
    if size % 3 == 0:
        return ("lagrangian", "xhatshuffle"), frozenset()
    if size % 2 == 0:
        return ("lagrangian",), frozenset({"upper"})
    return (), frozenset({"lower", "upper"})


def describe_cylinders(size: int) -> str:
    """What runs on ``size`` ranks, in words (the plan's Run sheet says it)."""
    spokes, hub_computes = cylinders_for(size)
    parts = ["a PH hub"] + [{"lagrangian": "a Lagrangian spoke", "xhatshuffle": "an xhat-shuffle spoke"}[s]
                            for s in spokes]
    text = (", ".join(parts[:-1]) + " and " + parts[-1]) if len(parts) > 1 else parts[0]
    per = size // (len(spokes) + 1)
    text += f", {per} rank{'s' if per > 1 else ''} each" if spokes else f" on {size} rank{'s' if size > 1 else ''}"
    if hub_computes:
        own = " and ".join(b for b in ("lower", "upper") if b in hub_computes)
        text += f"; the hub computes the {own} bound{'s' if len(hub_computes) > 1 else ''} itself"
    return text


def _hub_classes(phbase: Any, extension_base: Any, converger_base: Any) -> tuple[type, type]:
    """The hub's own bounds (an mpi-sppy extension) and the gap test (a PH converger), defined once
    mpi-sppy is importable (this module must import without it)."""

    class HubBounds(extension_base):
        """The bounds no spoke computes, from the hub's own iterate, after PH iterations 1, 1 + k, ...

        Lower (the Lagrangian dual, valid because the hub keeps ``sum_s p_s W_s = 0``):
        ``L(W) = sum_s p_s min_{x_s, y_s} (f_s(x_s, y_s) + W_s' x_s)``, with each scenario's own
        outer bound for a MIP, so it stays a bound at any MIP gap.
        Upper: ``sum_s p_s min_{y_s} f_s(xhat, y_s)`` at one first stage ``xhat`` (`_candidate`), kept
        only when every scenario has a solution (otherwise xhat is not a plan).
        The hub's PH iterate (values and fixedness of the first-stage variables) is saved before
        and restored after, so PH goes on from where it was.
        """

        def __init__(self, ph: Any) -> None:
            super().__init__(ph)
            options = ph.options["hub_bounds"]
            self.lower: bool = "lower" in options["bounds"]
            self.upper: bool = "upper" in options["bounds"]
            self.every: int = max(1, int(options["every"]))
            self.best_upper = math.inf
            self.best_lower = -math.inf
            self.best_xhat: dict[str, float] | None = None  # the first-stage values of best_upper
            self.integers: bool = options["integers"]
            self.turn = 0
            self.counts: list[int] | None = None

        def enditer(self) -> None:
            ph = self.opt
            if (ph._PHIter - 1) % self.every:
                return
            ph._save_nonants()
            try:
                candidate = self._candidate() if self.upper else None  # read off PH's iterate, before any solve
                if self.lower:
                    # a subproblem that fails keeps the outer bound of its last solve (the PH one, with the
                    # proximal term, which is no Lagrangian bound): start every scenario from no bound
                    for scenario in ph.local_scenarios.values():
                        scenario._mpisppy_data.outer_bound = -math.inf
                    ph.solve_loop(solver_options=ph._effective_solver_options(ph._PHIter), dis_prox=True,
                                  gripe=True, need_solution=False)
                    for scenario in ph.local_scenarios.values():
                        if scenario._mpisppy_data.outer_bound is None:  # an LP stopped short of optimal
                            scenario._mpisppy_data.outer_bound = -math.inf
                    if ph.no_incumbent_prob() == 0.0:  # every scenario solved: L(W) is a bound
                        self._lower(float(ph.Ebound()))
                if candidate is not None:
                    ph._fix_nonants(candidate)
                    # W and prox stay off through the objective's evaluation too: Eobjective reads the
                    # objective expression, whose PH terms are switched by the W_on / prox_on parameters
                    ph.disable_W_and_prox()
                    try:
                        ph.solve_loop(solver_options=ph._effective_solver_options(ph._PHIter), gripe=False,
                                      need_solution=False)
                        value = float(ph.Eobjective()) if ph.no_incumbent_prob() == 0.0 else math.inf
                    finally:
                        ph.reenable_W_and_prox()
                    if value < self.best_upper:
                        self.best_upper = value
                        scenario = next(iter(ph.local_scenarios.values()))
                        self.best_xhat = {v.name: float(v.value)
                                          for v in scenario._mpisppy_node_list[0].nonant_vardata_list}
                        ph.best_solution_obj_val = value
            finally:
                ph._restore_nonants()

        def _candidate(self) -> dict[str, list[float]]:
            """The first stage to price: xbar without integers (PH's consensus, feasible for the
            first-stage rows, which are linear); with integers, one scenario's own x_s after another
            (xbar with binaries rounded breaks x <= cap * use wherever a mean contract's on/off
            rounds to off): every scenario of the hub in turn (`turn_owner`), broadcast from the rank that
            holds it."""
            ph = self.opt
            scenarios = list(ph.local_scenarios.values())
            node = scenarios[0]._mpisppy_node_list[0]
            if not self.integers:
                phbase._Compute_Xbar(ph)
                return {node.name: [scenarios[0]._mpisppy_model.xbars[node.name, i]._value
                                    for i in range(scenarios[0]._mpisppy_data.nlens[node.name])]}
            if self.counts is None:  # how many scenarios each of the hub's ranks holds, asked once
                self.counts = ph.mpicomm.allgather(len(scenarios))
            owner, index = turn_owner(self.turn, self.counts)
            values = None
            if ph.cylinder_rank == owner:
                values = [v._value for v in scenarios[index]._mpisppy_node_list[0].nonant_vardata_list]
            self.turn += 1
            return {node.name: ph.mpicomm.bcast(values, root=owner)}

        def _lower(self, bound: float) -> None:
            if math.isfinite(bound) and bound > self.best_lower:
                self.best_lower = bound
                previous = self.opt.best_bound_obj_val
                self.opt.best_bound_obj_val = bound if previous is None else max(previous, bound)

    class GapConverger(converger_base):
        """PH stops when the best bounds, the spokes' and the hub's own, are within ``rel_gap`` (the hub
        alone does not test the gap when no spoke sends an upper bound)."""

        def __init__(self, ph: Any) -> None:
            super().__init__(ph)
            self.ph = ph

        def is_converged(self) -> bool:
            ph = self.ph
            lower, upper = bounds_of(ph)
            self.conv = relative_gap(lower, upper)
            return self.conv <= ph.options["hub_bounds"]["rel_gap"]

    return HubBounds, GapConverger


def bounds_of(ph: Any) -> tuple[float, float]:
    """(best lower, best upper) a PH hub knows: its own and, through its communicator, the spokes'."""
    lower, upper = -math.inf, math.inf
    if ph.best_bound_obj_val is not None:
        lower = float(ph.best_bound_obj_val)
    if ph.best_solution_obj_val is not None:
        upper = float(ph.best_solution_obj_val)
    spcomm = getattr(ph, "spcomm", None)
    if spcomm is not None:
        lower = max(lower, float(spcomm.BestOuterBound))
        upper = min(upper, float(spcomm.BestInnerBound))
    return lower, upper


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
    solver_name: str | None = None,
    proximal_linearization_tolerance: float = 1e-1,
    bounds_every: int = 1,
    linearize: bool | None = None,
    rho_setter: Callable[[Any], list[tuple[int, float]]] | None = None,
    verbose: bool = False,
    comm: Any = None,
) -> MpisppyResult | None:
    """Run the PH hub and the spokes the rank count allows (`cylinders_for`); the result on global rank 0.

    ``scenario_creator(name)`` builds one scenario's ConcreteModel with its own minimising
    objective ``f_s`` (first-stage cost plus that scenario's recourse cost);
    ``first_stage_vars_of(model)`` lists its first-stage (non-anticipative) variables, in the same
    order for every scenario: the planner's contract columns ``buy``, the binaries ``use_supplier``,
    ``use_offer``, the tier columns and, with a CVaR weight, the VaR level ``eta``.
    ``probabilities[name]`` is p_s (they must add up to 1 over ``scenario_names``: the baseline is
    one of the scenarios). ``first_stage_cost_of(model)`` is the first-stage part of ``f_s``;
    mpi-sppy only reports it, so 0 is used when it is not given.

    ``rho`` is PH's penalty for every first-stage variable, in objective units per unit of the
    variable squared, unless ``rho_setter(model)`` gives one per variable ((id(var), rho) pairs; the
    same in every scenario); ``mip_rel_gap`` is handed to HiGHS for each subproblem (mpi-sppy's
    ``iter0_mipgap`` and ``iterk_mipgap``).
    """
    MPI, vanilla, sputils, WheelSpinner, config = _import_mpisppy()
    world = comm if comm is not None else MPI.COMM_WORLD
    size = world.Get_size()
    spokes, hub_computes = cylinders_for(size)
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
    cfg.default_rho = rho
    cfg.max_iterations = max_iterations
    cfg.rel_gap = rel_gap
    cfg.abs_gap = 0.0
    probe = creator(names[0])
    integers = any(d.is_integer() for v in first_stage_vars_of(probe)
                   for d in (v.values() if v.is_indexed() else (v,)))
    if solver_name is None:
        solver_name = choose_solver(probe)
    if solver_name == SOLVER:
        _register_solver()
    elif solver_name == highs_subproblem.NAME:
        highs_subproblem.register()
    cfg.solver_name = solver_name
    if linearize is None:  # HiGHS solves a convex QP but no MIQP: a quadratic term only without integers
        linearize = integers
    cfg.linearize_proximal_terms = linearize
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
    hub_extension = converger = None
    if hub_computes:
        import mpisppy.phbase as phbase
        from mpisppy.convergers.converger import Converger
        from mpisppy.extensions.extension import Extension

        hub_extension, converger = _hub_classes(phbase, Extension, Converger)
    hub = vanilla.ph_hub(*beans, ph_extensions=hub_extension, ph_converger=converger, rho_setter=rho_setter)
    hub["opt_kwargs"]["options"]["hub_bounds"] = {"bounds": hub_computes, "every": bounds_every,
                                                  "rel_gap": rel_gap, "integers": integers}
    spoke_dicts = []
    if "lagrangian" in spokes:
        spoke_dicts.append(vanilla.lagrangian_spoke(*beans))
    if "xhatshuffle" in spokes:
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
        if wheel.spcomm.strata_rank == 0:  # the hub's own xhat (HubBounds), not PH's current iterate
            values = getattr(wheel.spcomm.opt.extobject, "best_xhat", None)
        else:
            scenario = next(iter(wheel.spcomm.opt.local_scenarios.values()))
            values = {v.name: float(v.value) for v in scenario._mpisppy_node_list[0].nonant_vardata_list}
    gathered = world.gather(values, root=0)
    if world.Get_rank() != 0:
        return None
    first_stage = next((v for v in gathered if v is not None), {})

    own_lower, own_upper = bounds_of(wheel.spcomm.opt)
    lower = max(float(wheel.BestOuterBound), own_lower)
    upper = min(float(wheel.BestInnerBound), own_upper)
    gap = relative_gap(lower, upper)
    iterations = int(getattr(wheel.spcomm.opt, "_PHIter", 0))
    if not first_stage or not math.isfinite(upper):
        status = "no incumbent"
    elif bound_above(lower, upper):
        status = "inconsistent"  # a "lower bound" above a feasible plan's cost: the bound is wrong, not the plan
    elif gap <= rel_gap:
        status = "gap"
    elif iterations >= max_iterations:
        status = "iterations"
    elif time_limit is not None and seconds >= time_limit:
        status = "time"
    else:
        status = "converged"  # PH's first-stage values stopped moving before the bounds met
    return MpisppyResult(first_stage, lower, upper, gap, status, iterations, seconds, size, solver_name)


def rank() -> int:
    """This process's rank in MPI.COMM_WORLD (0 without MPI, or without the extra: then the engine's own call
    says how to install it)."""
    try:
        from mpi4py import MPI
    except ImportError:
        return 0
    return int(MPI.COMM_WORLD.Get_rank())
