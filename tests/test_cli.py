"""The command line as the contract fixes it: exit codes, --json on stdout, files never half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from helpers import countries, sha, write_workbook
from planner.model.registry import LISTED_RULE_KINDS

GOOD = {
    "Items": [["A", 100, "t"], ["B", 10, "kg"]],
    "Suppliers": [["S1", "C1"], ["S2", "C2"]],
    "Countries": countries("C1", "C2", blocs={"C2": "EU"}, tariffs={"C1": 0.1}),
    "Offers": [["A", "S1", 10, None, None, 1], ["A", "S2", 12.5], ["B", "S1", 3], ["B", "S2", 4]],
    "Policy": [["max_share", None, "C1", 0.6]],
    "Scenarios": [["c1-stop", None, "C1", 0]],
}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_solve_json_is_the_only_stdout(tmp_path: Path) -> None:
    """A: C1 60 at 10 * 1.1 + 1 = 12, C2 40 at 12.5: 720 + 500 = 1220.
    B: C1 6 at 3 * 1.1 = 3.3, C2 4 at 4: 19.8 + 16 = 35.8. Total 1255.8."""
    src = write_workbook(tmp_path / "in.xlsx", GOOD)
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(src), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["status"] == "optimal"
    assert payload["total_cost"] == pytest.approx(1255.8)
    assert payload["output"] == str(out) and out.exists()


def test_plan_workbook_contents(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", GOOD)
    out = tmp_path / "plan.xlsx"
    assert run("solve", str(src), "-o", str(out)).returncode == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Plan", "Summary", "Shares", "Scenarios", "Coverage", "Rules", "Run"]
    plan = wb["Plan"]
    header = [c.value for c in plan[1]]
    for column in ("item", "supplier", "country", "quantity", "unit_cost", "cost", "share_of_demand"):
        assert column in header
    rows = [dict(zip(header, [c.value for c in r])) for r in plan.iter_rows(min_row=2)]
    assert {(r["item"], r["supplier"]): r["quantity"] for r in rows} == pytest.approx(
        {("A", "S1"): 60, ("A", "S2"): 40, ("B", "S1"): 6, ("B", "S2"): 4})
    assert all(r["quantity"] > 0 for r in rows)
    assert plan.freeze_panes == "A2"
    assert plan.cell(row=2, column=header.index("share_of_demand") + 1).number_format == "0.00%"
    assert plan.cell(row=1, column=1).comment is not None
    run_sheet = {r[0].value: r[1].value for r in wb["Run"].iter_rows(min_row=2)}
    assert run_sheet["input file"] == "in.xlsx"
    assert run_sheet["input SHA-256"] == sha(src)
    assert run_sheet["status"] == "optimal"
    for key in ("planner version", "pyomo version", "highspy version", "objective", "MIP gap"):
        assert key in run_sheet
    scen = [[c.value for c in r] for r in wb["Scenarios"].iter_rows()]
    assert scen[0][:5] == ["scenario", "item", "demand", "unit", "surviving"]
    assert scen[1][:2] == ["c1-stop", "A"] and scen[1][4] == pytest.approx(40)
    summary = [[c.value for c in r] for r in wb["Summary"].iter_rows()]
    labels = [r[0] for r in summary]
    assert summary[labels.index("total cost")][1] == pytest.approx(1255.8)
    for title in ("Cost by country", "Cost by bloc", "Concentration per item (Herfindahl-Hirschman index)"):
        assert title in labels
    # HHI of A: country shares 60 % and 40 % -> 3600 + 1600 = 5200
    conc = labels.index("Concentration per item (Herfindahl-Hirschman index)")
    head = summary[conc + 1]
    a_row = summary[conc + 2]
    assert a_row[head.index("hhi_country")] == pytest.approx(5200)


def test_invalid_input_exit_2_and_nothing_written(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", {**GOOD, "Offers": [["A", "S1", -1], ["A", "S9", 2]]})
    out = tmp_path / "plan.xlsx"
    out.write_bytes(b"previous plan")
    before = sha(src)
    result = run("solve", str(src), "-o", str(out), "--json")
    assert result.returncode == 2
    payload = json.loads(result.stdout)
    assert payload["status"] == "invalid" and payload["output"] is None and payload["total_cost"] is None
    assert [p["text"] for p in payload["problems"]] == [
        "Offers!C2 (price): -1 is negative", "Offers!B3 (supplier): 'S9' is not listed in Suppliers"]
    assert out.read_bytes() == b"previous plan"
    assert sha(src) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "plan.xlsx"]  # no stray temporary file
    human = run("solve", str(src), "-o", str(tmp_path / "new.xlsx"))
    assert human.returncode == 2 and "Offers!C2 (price): -1 is negative" in human.stderr and "Traceback" not in human.stderr
    assert not (tmp_path / "new.xlsx").exists()


def test_infeasible_exit_3_and_nothing_written(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", {**GOOD, "Policy": [["max_share", None, "each country", 0.4]]})
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(src), "-o", str(out), "--json")
    assert result.returncode == 3
    payload = json.loads(result.stdout)
    assert payload["status"] == "infeasible" and payload["output"] is None
    assert not out.exists()


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", GOOD)
    before = sha(src)
    result = run("solve", str(src), "-o", str(tmp_path / "." / "in.xlsx"), "--json")
    assert result.returncode == 2
    assert "is the input file" in json.loads(result.stdout)["message"]
    assert sha(src) == before


def test_default_output_under_outputs(tmp_path: Path) -> None:
    write_workbook(tmp_path / "book.xlsx", GOOD)
    result = run("solve", "book.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "outputs" / "book-plan.xlsx").exists()
    assert "optimal: total cost 1,255.80 EUR" in result.stdout


def test_validate_and_template(tmp_path: Path) -> None:
    from planner.cli import main

    template = tmp_path / "template.xlsx"
    assert main(["template", str(template)]) == 0
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["README", "Items", "Suppliers", "Countries", "Offers", "Tiers", "Currencies", "Tariffs", "Policy",
                             "Scenarios", "Settings", "Periods", "Demand", "Capacity", "Prices", "Routes", "Expansions"]
    policy = wb["Policy"]
    assert [c.value for c in policy[1]] == ["rule", "item", "group", "value", "active", "from", "to", "min_award",
                                            "period"]
    assert all(c.comment is not None for c in policy[1])
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in policy.data_validations.dataValidation}
    assert lists["A2"] == f'"{",".join(LISTED_RULE_KINDS)}"'
    readme = [[c.value for c in r] for r in wb["README"].iter_rows()]
    assert ["Offers", "min_order", "no", "0", "unit of the item"] == readme_row(readme, "Offers", "min_order")[:5]
    assert main(["template", str(template)]) == 1  # refuses to overwrite without --force

    # the empty template is not a plan input yet: validate lists every empty sheet at once
    assert main(["validate", str(template)]) == 2
    good = write_workbook(tmp_path / "good.xlsx", GOOD)
    assert main(["validate", str(good)]) == 0


def readme_row(rows: list[list], sheet: str, column: str) -> list:
    return next(r for r in rows if r[0] == sheet and r[1] == column)


def test_validate_json_lists_all_problems(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", {**GOOD, "Items": [["A", "x"], ["B", -1]]})
    result = run("validate", str(src), "--json")
    assert result.returncode == 2
    texts = [p["text"] for p in json.loads(result.stdout)["problems"]]
    assert texts[:2] == ["Items!B2 (demand): 'x' is not a plain number (write it as a number, without thousands "
                         "separators, currency or units; the locale is never guessed)", "Items!B3 (demand): -1 is negative"]


@pytest.mark.parametrize("command", ["solve", "validate", "template"])
def test_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0 and "usage: planner" in result.stdout
