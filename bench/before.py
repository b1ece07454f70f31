"""The planner as it was before issue 6, on bench/instance.py's instances: the "before" of bench/results/before.md.

    git worktree add /tmp/before b654619
    PYTHONPATH=/tmp/before python bench/before.py api 100000        # planner.solve(data, rule_costs=False)
    PYTHONPATH=/tmp/before python bench/before.py workbook 100000   # planner solve IN.xlsx --no-rule-costs

Prints one JSON line. Not part of the test suite.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
kind, n = sys.argv[1], int(sys.argv[2])
from instance import arrays, planning_data, write_workbook  # noqa: E402

import planner  # noqa: E402 - the one on PYTHONPATH
if kind == "api":
    data = planning_data(arrays(n))
    t = time.perf_counter(); plan = planner.solve(data, rule_costs=False); total = time.perf_counter() - t
    print(json.dumps({"offers": n, "planner.solve": total, **plan.timings, "objective": plan.total_cost,
                      "peak MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
else:
    with tempfile.TemporaryDirectory() as d:
        path = write_workbook(arrays(n), Path(d) / "in.xlsx")
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "planner", "solve", str(path), "-o", str(Path(d) / "o.xlsx"),
                              "--no-rule-costs", "--json"], capture_output=True, text=True)
        wall = time.perf_counter() - t
        print(json.dumps({"offers": n, "wall": wall, "code": out.returncode, "json": json.loads(out.stdout)}))
