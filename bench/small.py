"""The bundled example end to end, as a user runs it: wall time from process start to exit, and import times.

    python bench/small.py [--runs 7] [--out bench/results/small.md]

Runs `planner solve inputs/example.xlsx -o OUT` (rule costs included, the
default) in fresh processes and reports the median wall time; then
`python -X importtime` of what a solve imports (`planner.cli`, then, inside
`main`, the pipeline and the plan writer) for what the imports cost, the
largest first. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import publish  # noqa: E402 - after the path is set


# what `planner solve` imports: the command (light: planner/__init__.py is lazy), then what `main` loads
SOLVE_IMPORTS = "import planner.cli, planner.pipeline, planner.io.write_plan"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "small.md")
    args = parser.parse_args()
    walls = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "planner", "solve", str(ROOT / "inputs" / "example.xlsx"), "-o",
                            str(Path(folder) / "plan.xlsx"), "-q"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python_alone = time.perf_counter() - started
    trace = subprocess.run([sys.executable, "-X", "importtime", "-c", SOLVE_IMPORTS], capture_output=True,
                           text=True, check=True, cwd=ROOT).stderr
    rows = []
    for line in trace.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), (len(match.group(3)) - 1) // 2, match.group(4)))
    total = sum(us for us, depth, _ in rows if depth == 0)  # each top-level import, with what it imports
    top = sorted((r for r in rows if 0 <= r[1] <= 4 and not r[2].startswith("planner")), reverse=True)[:12]
    text = "\n".join([
        f"`planner solve inputs/example.xlsx` (bench/small.py): median wall time of {args.runs} runs "
        f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}), from process start to "
        f"exit, rule costs included; starting Python alone takes {python_alone:.2f} s.", "",
        f"`{SOLVE_IMPORTS}` takes {total / 1e6:.2f} s (`python -X importtime`); the largest imports, with what "
        "they import themselves:", "",
        "| module | seconds |", "|---|---:|",
        *[f"| {'&nbsp;' * 2 * (depth - 1)}{name} | {us / 1e6:.3f} |" for us, depth, name in top], "",
        "Pyomo is imported only by `planner.model.create_model` / `from_pyomo`; openpyxl only when a workbook is "
        "read or written."])
    publish(text, args.out)


if __name__ == "__main__":
    main()
