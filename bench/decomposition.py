"""The mpi-sppy engine on the instance of bench/two_stage.py: time to a relative gap on 1, 2 and 3 MPI ranks.

    python bench/decomposition.py                                   # 1k offers x 100 scenarios, 1, 2, 3 ranks, gap 1 %
    python bench/decomposition.py --scenarios 1000 --ranks 3 --time-limit 900
    python bench/decomposition.py --from-log bench/results/decomposition.jsonl   # no runs: the table of the runs logged

Each run is `mpiexec -n K python bench/decomposition.py --child S OFFERS RISK GAP LIMIT`: every rank builds the
same `PlanningData` (bench/two_stage.py's `arrays` and `planning_data`: the same seeded instance as the
extensive-form bench) and calls `planner.stochastic.decompose.contracts_by_decomposition`, the engine that
`planner solve --engine mpisppy` runs. What runs on K ranks is `mpisppy_engine.describe_cylinders(K)`:
1 rank the PH hub alone (it computes the Lagrangian bound and prices xbar itself after every iteration),
2 ranks the hub and a Lagrangian spoke (the hub prices xbar), 3 ranks hub, Lagrangian and xhat-shuffle
spokes. Rank 0 writes one JSON line: both bounds, the gap, the status (`gap` when the gap was reached),
PH iterations, seconds of the wheel (the time to the gap when the status is `gap`), seconds of the whole
child (reading nothing: the data is built in code; the scenario models are built inside the wheel) and the
peak RSS of every rank. The extensive form's optimum (plain highspy, bench/two_stage.py's `plain_ef`) is
computed in the parent, so that the bounds can be checked against it: lower <= z* <= upper must hold.

The machine has 2 cores: 3 ranks share them (the spokes mostly wait for the hub's next W, but not only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import two_stage  # noqa: E402 - after the path is set
from report import publish, read_runs  # noqa: E402

MPIEXEC = Path(sys.executable).parent / "mpiexec"


def child(scenarios: int, offers: int, risk: float, gap: float, limit: float, short_every: int,
          proximal: str) -> None:
    """One rank's part of a run (under mpiexec): rank 0 prints the result line."""
    import dataclasses

    from planner.stochastic import highs_subproblem

    highs_subproblem.DEFAULT_PROXIMAL = proximal

    two_stage.SHORT_EVERY = short_every

    from mpi4py import MPI

    from planner.stochastic.decompose import contracts_by_decomposition
    from planner.stochastic.mpisppy_engine import describe_cylinders

    data = two_stage.planning_data(two_stage.arrays(scenarios, offers), risk)
    data = dataclasses.replace(data, settings=dataclasses.replace(data.settings, mip_gap=gap, time_limit=limit,
                                                                  engine="mpisppy"))
    started = time.perf_counter()
    found = contracts_by_decomposition(data)
    total = time.perf_counter() - started
    peaks = MPI.COMM_WORLD.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, root=0)
    if found is not None:
        print(json.dumps({"lower": found.lower_bound, "upper": found.upper_bound, "gap": found.rel_gap,
                          "status": found.status, "iterations": found.iterations, "wheel seconds": found.seconds,
                          "child seconds": total, "ranks": found.ranks, "cylinders": describe_cylinders(found.ranks),
                          "solver": found.solver, "proximal": proximal,
                          "peak MB per rank": peaks}), flush=True)


def run(scenarios: int, offers: int, risk: float, ranks: int, gap: float, limit: float, short_every: int,
        proximal: str) -> dict:
    load = os.getloadavg()[0]
    done = subprocess.run([str(MPIEXEC), "-n", str(ranks), sys.executable, __file__, "--child", str(scenarios),
                           str(offers), str(risk), str(gap), str(limit), str(short_every), proximal], capture_output=True,
                          text=True, cwd=HERE)
    if done.returncode != 0:
        raise RuntimeError(f"{ranks} ranks, S {scenarios} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"scenarios": scenarios, "offers": offers, "risk": risk, "rel_gap": gap, "time limit": limit,
            "short every": short_every, **result,
            "load before": load, "load after": os.getloadavg()[0]}


def optimum(scenarios: int, offers: int, risk: float, short_every: int) -> float:
    """The extensive form's optimum by plain highspy (no planner code): what the bounds must bracket."""
    two_stage.SHORT_EVERY = short_every
    h, _ = two_stage.plain_ef(two_stage.arrays(scenarios, offers), risk)
    h.run()
    return float(h.getInfo().objective_function_value)


def shortage(every: int) -> str:
    return "every item" if every == 1 else f"every {every}th item"


def render(runs: list[dict]) -> str:
    lines = [__doc__.split("\n\n")[0].strip(), "",
             "| scenarios | offers | shortage on | risk_weight | subproblem solver (proximal term) | ranks | cylinders | status | PH iterations | seconds (wheel) "
             "| lower bound | upper bound | extensive form | gap | upper over optimum | peak MiB per rank | load |",
             "|---:|---:|---|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in runs:
        z = r.get("optimum")
        over = "-" if z is None or not math.isfinite(r["upper"]) else f"{max(0.0, (r['upper'] - z) / abs(z)):.3%}"
        lines.append(
            f"| {r['scenarios']:,} | {r['offers']:,} | {shortage(r.get('short every', 4))} | {r['risk']:g} | "
            f"{r.get('solver') or 'highs_persistent'} ({r.get('proximal', 'exact')}) | "
            f"{r['ranks']} | {r['cylinders']} | "
            f"{r['status']} | {r['iterations']} | {r['wheel seconds']:.1f} | {r['lower']:,.2f} | {r['upper']:,.2f} | "
            f"{'-' if z is None else f'{z:,.2f}'} | {r['gap']:.3%} | {over} | "
            f"{', '.join(f'{m:,.0f}' for m in r['peak MB per rank'])} | {r['load before']:.2f}-{r['load after']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, nargs="*", default=[100])
    parser.add_argument("--offers", type=int, default=two_stage.OFFERS)
    parser.add_argument("--risk", type=float, nargs="*", default=[0.0])
    parser.add_argument("--ranks", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=900.0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "decomposition.md")
    parser.add_argument("--log", type=Path, default=HERE / "results" / "decomposition.jsonl")
    parser.add_argument("--from-log", type=Path, nargs="*")
    parser.add_argument("--short-every", type=int, default=two_stage.SHORT_EVERY,
                        help="shortage allowed on every N-th item (bench/two_stage.py: 4); 1 = on every item, so that "
                             "any contracts have a recourse in every scenario (complete recourse)")
    parser.add_argument("--proximal", choices=["exact", "tangents"], default="exact",
                        help="how the subproblem solver takes PH's proximal term (planner/stochastic/highs_subproblem.py)")
    parser.add_argument("--child", nargs=7, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        s, o, w, g, t, k, x = args.child
        child(int(s), int(o), float(w), float(g), float(t), int(k), x)
        return
    if args.from_log:
        publish(render(read_runs(args.from_log, key="ranks")), args.out)
        return
    for scenarios in args.scenarios:
        for risk in args.risk:
            z = optimum(scenarios, args.offers, risk, args.short_every)
            for ranks in args.ranks:
                r = run(scenarios, args.offers, risk, ranks, args.gap, args.time_limit, args.short_every, args.proximal)
                r["optimum"] = z
                tol = 1e-6 * abs(z)
                if not (r["lower"] <= z + tol and z <= r["upper"] + tol):
                    raise AssertionError(f"bounds {r['lower']}, {r['upper']} do not bracket the optimum {z}")
                print(json.dumps(r), flush=True)
                with args.log.open("a") as log:
                    log.write(json.dumps(r) + "\n")
    publish(render(read_runs([args.log], key="ranks")), args.out)  # every run logged, not only this call's


if __name__ == "__main__":
    main()
