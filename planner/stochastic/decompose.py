"""`--engine mpisppy`: the two-stage plan's contracts by scenario decomposition (progressive hedging with a
Lagrangian lower-bound spoke and an xhat upper-bound spoke, `mpisppy_engine`), each scenario's model built from
the family blocks (`scenario_models`). Every MPI rank takes part; rank 0 gets the contracts, which the
pipeline then fixes in the extensive form to price every scenario's recourse and write the plan."""

from __future__ import annotations

from dataclasses import dataclass

from planner.data import PlanningData
from planner.stochastic import scenario_models as sm


GAP_FLOOR = 1e-6  # the tightest relative gap a run is asked for (mip_gap 0 cannot be met by PH's bounds)


@dataclass(frozen=True)
class Decomposed:
    """Rank 0's outcome: the contracts by position in the `buy` block, and the run's bounds."""

    contracts: dict[int, float]
    lower_bound: float
    upper_bound: float
    rel_gap: float
    status: str
    iterations: int
    ranks: int
    seconds: float
    cylinders: str  # what ran on the ranks (mpisppy_engine.describe_cylinders)
    solver: str = ""  # the subproblems' solver (mpisppy_engine.choose_solver)


def contracts_by_decomposition(data: PlanningData) -> Decomposed | None:
    """Run mpi-sppy on every rank; on rank 0 the contracts of the best plan found and the bounds, else None."""
    import contextlib
    import sys

    with contextlib.redirect_stdout(sys.stderr):  # mpi-sppy says "Initializing" on stdout when imported
        import mpisppy
    # its progress lines too go to stderr: stdout belongs to the planner's result (and --json)
    mpisppy.tt_timer.ostream = sys.stderr
    from planner.stochastic.mpisppy_engine import describe_cylinders, solve_mpisppy

    names = sm.scenario_names(data)
    firsts: dict[int, list] = {}
    rho = sm.rho_of(data)

    def rho_setter(m) -> list[tuple[int, float]]:  # noqa: ANN001 - a Pyomo model
        return [(id(v), float(r)) for v, r in zip(firsts[id(m)], rho)]

    def creator(name: str):  # noqa: ANN202 - a Pyomo model
        m, first = sm.scenario_model(data, name)
        firsts[id(m)] = first
        return m

    # mpi-sppy's cylinders print on stdout, which belongs to the planner's result (and --json): the file
    # descriptor itself goes to stderr for the run (swapping sys.stdout breaks Pyomo's output capture)
    import os

    sys.stdout.flush()
    kept = os.dup(1)
    os.dup2(2, 1)
    try:
        result = solve_mpisppy(names, creator, {n: sm.probability(data, n) for n in names},
                               lambda m: firsts[id(m)], rel_gap=max(data.settings.mip_gap, GAP_FLOOR),
                               time_limit=data.settings.time_limit, mip_rel_gap=data.settings.mip_gap,
                               rho_setter=rho_setter)
    finally:
        sys.stdout.flush()
        os.dup2(kept, 1)
        os.close(kept)
    if result is None:
        return None
    m, _ = sm.scenario_model(data, names[0])
    contracts = {k: float(result.first_stage.get(v.name, 0.0)) for k, v in enumerate(m.component("buy").values())}
    return Decomposed(contracts, result.lower_bound, result.upper_bound, result.rel_gap, result.status,
                      result.iterations, result.ranks, result.seconds, describe_cylinders(result.ranks),
                      result.solver)
