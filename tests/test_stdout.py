"""Stdout belongs to the planner: one JSON object with --json, nothing from libraries, quiet on a closed pipe.

Each command runs in a real subprocess (`python -m planner`), as a script
calling the console command would meet it; with highspy 1.16, whose banner
HiGHS prints from C++ when the first instance is made, these failed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import countries, write_workbook

ROOT = Path(__file__).resolve().parents[1]
GOOD = {
    "Items": [["A", 100, "t"]],
    "Suppliers": [["S1", "C1"], ["S2", "C2"]],
    "Countries": countries("C1", "C2"),
    "Offers": [["A", "S1", 10, 80], ["A", "S2", 12]],
    "Policy": [["max_share", None, "C1", 0.6]],
}
# C1 may hold at most 30 % but C2 can sell only 50 of the 100: no plan
INFEASIBLE = {**GOOD, "Offers": [["A", "S1", 10], ["A", "S2", 12, 50]], "Policy": [["max_share", None, "C1", 0.3]]}
PHASES_WITHOUT_SUM = {"total seconds", "planning seconds"}


def planner(*args: str, cwd: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd, **kwargs)  # type: ignore[call-overload]


def one_object(stdout: str) -> dict:
    """stdout parsed as exactly one JSON object, whitespace around it allowed and nothing else."""
    decoder = json.JSONDecoder()
    text = stdout.strip()
    payload, end = decoder.raw_decode(text)
    assert end == len(text), f"stdout holds more than one JSON object: {text[end:end + 200]!r}"
    assert isinstance(payload, dict)
    return payload


def check_envelope(payload: dict) -> None:
    """Every key the README promises, lists as lists, and a total time that covers each listed phase."""
    for key in ("schema_version", "status", "total_cost", "output"):
        assert key in payload, key
    for key in ("problems", "warnings", "conflicts", "violations"):
        assert isinstance(payload[key], list), (key, payload.get(key))
    total = payload["timings"]["total seconds"]
    assert total > 0
    for phase, seconds in payload["timings"].items():
        assert seconds <= total, (phase, seconds, total)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("stdout")
    good = write_workbook(d / "good.xlsx", GOOD)
    bad = write_workbook(d / "infeasible.xlsx", INFEASIBLE)
    invalid = write_workbook(d / "invalid.xlsx", {**GOOD, "Items": [["A", -5, "t"]]})
    plan_a, plan_b = d / "a-plan.xlsx", d / "b-plan.xlsx"
    assert planner("solve", str(good), "-o", str(plan_a)).returncode == 0
    assert planner("solve", str(good), "-o", str(plan_b), "--set", "Policy!2=0.7").returncode == 0
    (d / "runs.csv").write_text("name,base,set,output\nfirst,good.xlsx,,r1.xlsx\nlooser,good.xlsx,Policy!2=0.8,r2.xlsx\n")
    return {"dir": d, "good": good, "infeasible": bad, "invalid": invalid, "a": plan_a, "b": plan_b,
            "runs": d / "runs.csv"}


JSON_COMMANDS = {
    # name: (arguments given the fixture's files, expected exit code, expected status)
    "solve": (lambda f: ["solve", f["good"], "-o", f["dir"] / "s.xlsx"], 0, "optimal"),
    "solve, verbose": (lambda f: ["solve", f["good"], "-o", f["dir"] / "v.xlsx", "-v"], 0, "optimal"),
    "solve, invalid": (lambda f: ["solve", f["invalid"], "-o", f["dir"] / "i.xlsx"], 2, "invalid"),
    "solve, infeasible": (lambda f: ["solve", f["infeasible"], "-o", f["dir"] / "n.xlsx"], 3, "infeasible"),
    "solve --elastic": (lambda f: ["solve", f["infeasible"], "-o", f["dir"] / "e.xlsx", "--elastic"], 4, "relaxed"),
    "validate": (lambda f: ["validate", f["good"]], 0, "valid"),
    "validate, invalid": (lambda f: ["validate", f["invalid"]], 2, "invalid"),
    "frontier": (lambda f: ["frontier", f["good"], "--rule", "2", "--from", "0.5", "--to", "1", "--steps", "3",
                            "-o", f["dir"] / "f.xlsx"], 0, "done"),
    "batch": (lambda f: ["batch", f["runs"], "-o", f["dir"] / "summary.xlsx"], 0, "done"),
    "diff": (lambda f: ["diff", f["a"], f["b"]], 0, "done"),
    "blocs": (lambda f: ["blocs", "--date", "2026-01-01"], 0, "done"),
    "blocs, invalid": (lambda f: ["blocs", "--date", "2026-02-30"], 2, "invalid"),
}


@pytest.mark.parametrize("name", list(JSON_COMMANDS))
def test_json_stdout_is_exactly_one_object(files: dict[str, Path], name: str) -> None:
    arguments, code, status = JSON_COMMANDS[name]
    result = planner(*map(str, arguments(files)), "--json")
    assert result.returncode == code, result.stderr
    payload = one_object(result.stdout)
    assert payload["status"] == status
    check_envelope(payload)
    if name.startswith("solve"):
        assert {"mip_gap", "price_of_resilience"} <= payload.keys()
    assert "Running HiGHS" not in result.stdout + result.stderr or name == "solve, verbose"


def test_infeasible_json_names_the_rule(files: dict[str, Path]) -> None:
    payload = one_object(planner("solve", str(files["infeasible"]), "-o", str(files["dir"] / "x.xlsx"),
                                 "--json").stdout)
    assert any("Policy" in line and "2" in line for line in payload["conflicts"]), payload["conflicts"]


def test_verbose_log_goes_to_stderr(files: dict[str, Path]) -> None:
    result = planner("solve", str(files["good"]), "-o", str(files["dir"] / "log.xlsx"), "-v")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("optimal: total cost")
    assert "HiGHS" not in result.stdout
    assert "  HiGHS: Model status        : Optimal" in result.stderr.splitlines()
    quiet = planner("solve", str(files["good"]), "-o", str(files["dir"] / "log.xlsx"))
    assert "HiGHS" not in quiet.stdout + quiet.stderr


def test_no_highs_instance_outside_the_factory() -> None:
    """HiGHS instances come from `planner.highs.new_highs` alone, so none can write its banner on stdout."""
    made_elsewhere = []
    for folder in ("planner", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "highs.py" and path.parent.name == "planner" or path.name == "test_stdout.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\bHighs\(\s*\)|_Highs\b", line):
                    made_elsewhere.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert made_elsewhere == []


def test_new_highs_writes_nothing_to_stdout() -> None:
    """In a fresh process (the banner comes once per process), straight from the library call."""
    code = ("from planner.highs import new_highs\n"
            "h = new_highs()\nh.addVar(0, 1)\nh.run()\n"
            "import sys\nlines = []\nh2 = new_highs(lines.append)\nh2.addVar(0, 1)\nh2.run()\n"
            "print('log lines', len(lines), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert int(result.stderr.split("log lines")[1]) > 0  # the log was routed to the callback, not lost


def closed_pipe_run(*args: str) -> subprocess.CompletedProcess[bytes]:
    """The command with stdout a pipe whose reader is already gone (`planner ... | head -0`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "planner", *args], stdout=write_end, stderr=subprocess.PIPE,
                              timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_closed_pipe_ends_quietly(files: dict[str, Path], json_flag: list[str]) -> None:
    result = closed_pipe_run("diff", str(files["a"]), str(files["b"]), *json_flag)
    assert result.returncode == 128 + signal.SIGPIPE
    assert result.stderr == b""


def test_closed_pipe_after_a_plan_is_written(files: dict[str, Path]) -> None:
    """The plan is complete before its message is printed, so a closed pipe loses only the message."""
    target = files["dir"] / "piped.xlsx"
    result = closed_pipe_run("solve", str(files["good"]), "-o", str(target))
    assert result.returncode == 128 + signal.SIGPIPE and result.stderr == b""
    assert planner("diff", str(files["a"]), str(target), "--json").returncode == 0


@pytest.mark.parametrize("module", ["argparse", "pandas"])
def test_sigterm_during_imports_gets_our_message(tmp_path: Path, files: dict[str, Path], module: str) -> None:
    """SIGTERM delivered while `module` is being imported: argparse while `planner.cli` itself loads (before
    `main` runs), pandas as the first heavy import of a run."""
    hook = tmp_path / "sitecustomize.py"
    hook.write_text(
        "import os, signal, sys\n"
        "class Kill:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r}:\n"
        "            sys.meta_path.remove(self)\n"
        "            os.kill(os.getpid(), signal.SIGTERM)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Kill())\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    target = tmp_path / "never.xlsx"
    result = planner("solve", str(files["good"]), "-o", str(target), "--json", env=env)
    assert result.returncode == 143, result.stderr
    assert "terminated; nothing was written" in result.stderr
    if module == "pandas":  # inside main, which knows --json; before it, only the message can be given
        assert one_object(result.stdout)["status"] == "error"
    assert "Traceback" not in result.stderr
    assert not target.exists()


def test_importing_the_command_loads_nothing_heavy() -> None:
    code = ("import sys, planner.cli\n"
            "print(sorted(m for m in ('pandas', 'numpy', 'highspy', 'pyomo', 'openpyxl') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_version_lists_every_dependency() -> None:
    from importlib import metadata

    result = planner("--version")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"planner {metadata.version('planner')}"
    assert f"Python {sys.version.split()[0]}" in lines
    for label, distribution in (("HiGHS (highspy)", "highspy"), ("Pyomo", "pyomo"), ("pandas", "pandas"),
                                ("openpyxl", "openpyxl"), ("calamine (python-calamine)", "python-calamine")):
        assert f"{label} {metadata.version(distribution)}" in lines


def test_run_sheet_lists_the_same_versions(files: dict[str, Path]) -> None:
    import openpyxl

    from planner.about import versions

    wb = openpyxl.load_workbook(files["a"])
    run = {r[0].value: r[1].value for r in wb["Run"].iter_rows(min_row=2)}
    for distribution, version in versions().items():
        assert run[f"{distribution} version"] == version


def test_readme_api_steps_run() -> None:
    """The README's step-by-step API: `planner.solver.HighsModel` (the function `planner.solve` once shadowed
    the module `planner/solve.py`, so `planner.solve.HighsModel` raised AttributeError)."""
    import planner as api

    data, _ = api.read(ROOT / "inputs" / "example.xlsx")
    model = api.model.build(data)
    handle = api.solver.HighsModel(model)
    outcome = handle.solve()
    plan = api.results.extract_plan(model, handle.values, data, outcome)
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(api.solve(data, rule_costs=False).total_cost)
