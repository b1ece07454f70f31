"""Run under mpiexec by tests/test_mpisppy_engine.py: solve each instance of a JSON file with the
mpi-sppy engine and, on rank 0, write the results as JSON. Usage: mpisppy_run.py IN.json OUT.json."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import mpisppy_toy as toy  # noqa: E402

from planner.stochastic.mpisppy_engine import solve_mpisppy  # noqa: E402


def main(source: str, target: str) -> None:
    jobs = json.loads(Path(source).read_text())
    results = []
    for job in jobs:
        instance = job["instance"]
        result = solve_mpisppy(
            list(instance["scenarios"]),
            partial(toy.scenario_creator, instance),
            {s: v[0] for s, v in instance["scenarios"].items()},
            toy.first_stage_vars,
            rel_gap=job["rel_gap"],
            time_limit=job.get("time_limit", 120),
            first_stage_cost_of=lambda m: m.first_cost,
            rho=job.get("rho", 1.0),
        )
        if result is not None:
            results.append(asdict(result))
    if results:
        Path(target).write_text(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:3])
