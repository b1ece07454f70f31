"""Issue 12, writing half: nothing the planner writes carries a live formula from input text, no command writes
over a file it reads or one open in Excel, and odd numbers give a message instead of an internal error."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from catalogue import BASE, FORMULA_LIKE, formula_like_text
from helpers import patch_cell_xml, write_workbook
from planner.cli import main

PLANNER = Path(__file__).resolve().parent.parent / "planner"


def cells(path: Path) -> list[tuple[str, str, object, str]]:
    """(sheet, coordinate, value, data_type) of every cell of every sheet of a workbook."""
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate, c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.value is not None]


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a folder with its bytes and mtime: what 'nothing was changed' compares."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


# ---- 1. every string is a text cell ---------------------------------------------------------------------------------


def test_a_plan_from_formula_like_input_holds_no_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = formula_like_text(tmp_path)
    plan = tmp_path / "plan.xlsx"
    assert main(["solve", str(source), "-o", str(plan)]) == 0, capsys.readouterr().err
    found = cells(plan)
    assert [c for c in found if c[3] == "f"] == []  # the planner writes no formula of its own
    texts = {(sheet, value) for sheet, _, value, kind in found if kind == "s"}
    # the headers openpyxl used to write as formulas, and the bulk-written Plan sheet, hold the text unchanged
    assert ("Shares", "=1+1") in texts and ("Shares", "+C2") in texts
    assert ("Coverage", "=cmd|' /C calc'!A0") in texts and ("Scenarios", "=cmd|' /C calc'!A0") in texts
    assert ("Plan", "=SUM(A1)") in texts and ("Plan", '=HYPERLINK("http://x")') in texts
    assert ("Plan", "-EU") in texts and ("Plan", "@SUM(1)") in texts
    assert ("Summary", "=1+1") in texts
    # and marked as Excel marks text typed as '=1+1, so that editing the cell later keeps it text
    shares = openpyxl.load_workbook(plan)["Shares"]
    headers = [c for c in shares[1] if isinstance(c.value, str) and c.value[:1] in "=+"]
    assert headers and all(c.quotePrefix for c in headers)


def test_every_writer_keeps_text_as_text(tmp_path: Path) -> None:
    """The batch summary, diff and frontier writers, with every kind of formula-like text, CR and tab included."""
    from planner.batch import SUMMARY_COLUMNS
    from planner.io.write_plan import write_batch_summary, write_frontier

    rows = [{c: (text if c in ("name", "message", "output") else None) for c in SUMMARY_COLUMNS}
            for text in FORMULA_LIKE]
    for k, row in enumerate(rows):
        row.update(run=k + 2, status="optimal", total_cost=1.0, change_vs_first=0.0)
    write_batch_summary(pd.DataFrame(rows, columns=SUMMARY_COLUMNS), {"runs": len(rows)}, tmp_path / "batch.xlsx")
    names = [v for sheet, coord, v, kind in cells(tmp_path / "batch.xlsx") if coord.startswith("B") and kind == "s"]
    assert names == ["name", *FORMULA_LIKE]  # carriage return and leading tab kept
    table = pd.DataFrame({"step": [1], "value": [0.5], "status": ["=1+1"], "total_cost": [1.0],
                          "change_vs_first": [0.0], "hhi_country": [1.0], "surviving: =2+2": [0.5]})
    write_frontier(table, tmp_path / "frontier.xlsx", "=rule", "=EUR", {"input": "=cmd|' /C calc'!A0"})
    found = cells(tmp_path / "frontier.xlsx")
    assert [c for c in found if c[3] == "f"] == []
    assert {"=1+1", "surviving: =2+2", "=cmd|' /C calc'!A0"} <= {v for _, _, v, _ in found}


def test_every_workbook_goes_through_the_text_cell_sweep() -> None:
    """No module but planner/io/reproducible.py turns a workbook into bytes, so no writer can skip text_cells."""
    savers = [p.relative_to(PLANNER).as_posix() for p in PLANNER.rglob("*.py")
              if re.search(r"\.save\(", p.read_text())]
    assert savers == ["io/reproducible.py"]


def test_own_formulas_survive_the_sweep() -> None:
    from openpyxl import Workbook

    from planner.io.reproducible import own_formula, text_cells

    wb = Workbook()
    own_formula(wb.active, "A1", "=SUM(B1:B2)")
    wb.active["A2"] = "=1+1"
    assert text_cells(wb) == 1
    assert (wb.active["A1"].data_type, wb.active["A2"].data_type) == ("f", "s")


# ---- 2. no command writes over a file it reads, or one open in Excel -----------------------------------------------


def update_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["item", "supplier", "price"])
    wb.active.append(["A", "S1", 11])
    wb.save(path)
    return path


@pytest.mark.parametrize("extra, message", [
    (["-o", "{tmp}/upd.xlsx"], "the output '{tmp}/upd.xlsx' is the update file '{tmp}/upd.xlsx'; choose another "
                               "output path"),
    (["-o", "{tmp}/./sub/../upd.xlsx"], "the output '{tmp}/sub/../upd.xlsx' is the update file '{tmp}/upd.xlsx'; "
                                        "choose another output path"),
    (["-o", "{tmp}/link.xlsx"], "the output '{tmp}/link.xlsx' is the input file; choose another output path"),
    (["-o", "{tmp}/plan.xlsx", "--diagnose", "{tmp}/upd.xlsx"],
     "the output '{tmp}/upd.xlsx' is the update file '{tmp}/upd.xlsx'; choose another output path"),
    (["-o", "{tmp}/plan.xlsx", "--diagnose", "{tmp}/in.xlsx"],
     "the output '{tmp}/in.xlsx' is the input file; choose another output path"),
])
def test_solve_never_writes_over_what_it_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                                               message: str) -> None:
    """Infeasible rules, so that --diagnose would write; the update and the input stay as they were."""
    source = write_workbook(tmp_path / "in.xlsx", {**BASE, "Policy": [["max_share", None, "each country", 0.3]]})
    update_book(tmp_path / "upd.xlsx")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.xlsx").symlink_to(source)
    before = state(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    assert main(["solve", str(source), "--update", str(tmp_path / "upd.xlsx"), *args]) == 2
    assert capsys.readouterr().err.strip() == f"invalid: {message.replace('{tmp}', str(tmp_path))}"
    assert state(tmp_path) == before


def test_frontier_and_diff_never_write_over_what_they_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    update_book(tmp_path / "upd.xlsx")
    assert main(["solve", str(source), "-o", str(tmp_path / "old.xlsx"), "-q"]) == 0
    shutil.copy(tmp_path / "old.xlsx", tmp_path / "new.xlsx")
    (tmp_path / "~$diff.xlsx").write_text("lock")
    capsys.readouterr()
    before = state(tmp_path)
    assert main(["frontier", str(source), "--rule", "2", "--from", "1", "--to", "0.5", "--steps", "2",
                 "--update", str(tmp_path / "upd.xlsx"), "-o", str(tmp_path / "upd.xlsx")]) == 2
    assert capsys.readouterr().err.strip() == (f"invalid: the output '{tmp_path}/upd.xlsx' is the update file "
                                               f"'{tmp_path}/upd.xlsx'; choose another output path")
    assert main(["diff", str(tmp_path / "old.xlsx"), str(tmp_path / "new.xlsx"), "-o", f"{tmp_path}/./new.xlsx"]) == 2
    assert f"error: {tmp_path}/new.xlsx: the output '{tmp_path}/new.xlsx' is the new plan; choose another output " \
           "path" in capsys.readouterr().err
    assert main(["diff", str(tmp_path / "old.xlsx"), str(tmp_path / "new.xlsx"), "-o", str(tmp_path / "diff.xlsx")]) == 2
    assert "'diff.xlsx' is open in Excel (lock file '~$diff.xlsx')" in capsys.readouterr().err
    assert state(tmp_path) == before


def test_a_batch_checks_every_file_of_every_row_before_the_first_run(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write_workbook(tmp_path / "b.xlsx", BASE)
    write_workbook(tmp_path / "b2.xlsx", BASE)
    update_book(tmp_path / "upd.xlsx")
    (tmp_path / "~$locked.xlsx").write_text("lock")
    (tmp_path / "runs.csv").write_text(
        "name,base,updates,output\n"
        "fine,b.xlsx,,fine.xlsx\n"             # row 2: would run first, and must not
        "one,b.xlsx,upd.xlsx,b2.xlsx\n"        # row 3: writes the base of row 5
        "two,b.xlsx,,./upd.xlsx\n"             # row 4: writes row 3's update
        "three,b2.xlsx,,b2-plan.xlsx\n"        # row 5
        "four,b.xlsx,,locked.xlsx\n"           # row 6: open in Excel
        "five,b.xlsx,,sub/../b.xlsx\n")        # row 7: writes its own base
    (tmp_path / "sub").mkdir()
    before = state(tmp_path)
    assert main(["batch", str(tmp_path / "runs.csv"), "-o", str(tmp_path / "b2-plan.xlsx")]) == 2
    errors = [line[len("  error: "):] for line in capsys.readouterr().err.splitlines() if line.startswith("  error: ")]
    assert errors == [
        "runs.csv!row 3 (output): 'b2.xlsx' is the base of row 5: the batch would write over a file it reads",
        "runs.csv!row 4 (output): 'upd.xlsx' is an update file of row 3: the batch would write over a file it reads",
        "runs.csv!row 6 (output): 'locked.xlsx' is open in Excel (lock file '~$locked.xlsx'): close it first, or "
        "delete the lock file if Excel is not running",
        "runs.csv!row 7 (output): 'b.xlsx' is the base of row 2: the batch would write over a file it reads",
        "runs.csv!row 5 (output): 'b2-plan.xlsx' is also the summary (-o): choose another summary path",
    ]
    assert state(tmp_path) == before  # not even row 2's plan


@pytest.mark.parametrize("summary, message", [
    ("b.xlsx", "-o: the summary '{tmp}/b.xlsx' is the base of row 2: the batch would write over a file it reads"),
    ("runs.xlsx", "invalid: the output '{tmp}/runs.xlsx' is the batch table; choose another output path"),
    ("sum.xlsx", "invalid: 'sum.xlsx' is open in Excel (lock file '~$sum.xlsx'): close it first, or delete the lock "
                 "file if Excel is not running"),
])
def test_the_batch_summary_never_replaces_a_file_the_batch_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 summary: str, message: str) -> None:
    write_workbook(tmp_path / "b.xlsx", BASE)
    wb = openpyxl.Workbook()
    wb.active.append(["base", "output"])
    wb.active.append(["b.xlsx", "plan.xlsx"])
    wb.save(tmp_path / "runs.xlsx")
    (tmp_path / "~$sum.xlsx").write_text("lock")
    before = state(tmp_path)
    assert main(["batch", str(tmp_path / "runs.xlsx"), "-o", str(tmp_path / summary)]) == 2
    assert message.replace("{tmp}", str(tmp_path)) in capsys.readouterr().err
    assert state(tmp_path) == before


# ---- 3. clean messages where an internal error came out -----------------------------------------------------------


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_number_too_large_for_a_float_in_an_update_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         json_flag: list[str]) -> None:
    """'1e309' reads as inf: the message was right, but --json failed encoding the problem's value (exit 1)."""
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    (tmp_path / "u.csv").write_text("item,supplier,price\nA,S1,1e309\n")
    before = state(tmp_path)
    assert main(["solve", str(source), "--update", str(tmp_path / "u.csv"), "-o", str(tmp_path / "p.xlsx"),
                 *json_flag]) == 2
    out, err = capsys.readouterr()
    message = "'1e309' is too large to be a number (the largest is about 1.8e308)"
    if json_flag:
        problem = json.loads(out)["problems"][0]
        assert (problem["sheet"], problem["cell"], problem["column"], problem["message"]) == (
            "u.csv", "C2", "price", message)
    else:
        assert f"  error: u.csv!C2 (price): {message}" in err.splitlines()
    assert "internal error" not in out + err and state(tmp_path) == before


def test_a_non_finite_problem_value_is_json() -> None:
    from planner.problems import Problem

    assert Problem("error", "S", "A1", "c", "m", math.inf).as_dict()["value"] == "inf"


def test_demand_the_solver_would_refuse_is_refused_on_its_cell(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """HiGHS refuses a matrix coefficient of 1e15 or more (large_matrix_value); with a fixed cost, demand is the
    bound M of the Supplier-use rows. Just below it, the model is accepted and solved."""
    source = write_workbook(tmp_path / "in.xlsx", {**BASE, "Items": [["A", 1e15, "t"], ["B", 10, "kg"]],
                                                   "Suppliers": [["S1", "C1", None, None], ["S2", "C2", None, 50]]})
    assert main(["solve", str(source), "-o", str(tmp_path / "p.xlsx"), "--json"]) == 2
    problem = json.loads(capsys.readouterr().out)["problems"][0]
    assert (problem["sheet"], problem["cell"], problem["column"]) == ("Items", "B2", "demand")
    assert problem["message"].startswith("1e+15 is too large: every number must be below 1e+15")
    below = write_workbook(tmp_path / "in2.xlsx", {**BASE, "Items": [["A", 9.99e14, "t"], ["B", 10, "kg"]],
                                                   "Suppliers": [["S1", "C1", None, None], ["S2", "C2", None, 50]]})
    assert main(["solve", str(below), "-o", str(tmp_path / "p.xlsx"), "--no-rule-costs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "optimal"


@pytest.mark.parametrize("xml, expected", [
    ('<c r="D3" t="n"><v>INF</v></c>', "new.xlsx:Plan!D3 (quantity): 'INF' in a number cell is not a number"),
    ('<c r="D3" t="n"><v>1e309</v></c>', "new.xlsx:Plan!D3 (quantity): inf is not a finite number"),
    ('<c r="L2" t="str"><v>NaN</v></c>', "new.xlsx:Plan!L2 (unit_cost): 'NaN' is not a finite number"),
])
def test_diff_of_a_plan_holding_a_non_finite_number(tmp_path: Path, capsys: pytest.CaptureFixture[str], xml: str,
                                                    expected: str) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    assert main(["solve", str(source), "-o", str(tmp_path / "old.xlsx"), "-q"]) == 0
    shutil.copy(tmp_path / "old.xlsx", tmp_path / "new.xlsx")
    patch_cell_xml(tmp_path / "new.xlsx", 1, xml[6:8], xml)
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "old.xlsx"), str(tmp_path / "new.xlsx"), "-o", str(tmp_path / "d.xlsx"),
                 "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert [p["text"] for p in payload["problems"]] == [expected]
    assert not (tmp_path / "d.xlsx").exists()


def test_frontier_steps_are_bounded_before_anything_is_built(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from planner.analysis import MAX_STEPS, sweep_values

    source = write_workbook(tmp_path / "in.xlsx", BASE)
    before = state(tmp_path)
    assert main(["frontier", str(source), "--rule", "2", "--from", "1", "--to", "0", "--steps", "1000000000"]) == 2
    assert capsys.readouterr().err.strip() == (
        "invalid: --steps 1,000,000,000 is more than 1,001, the most a sweep takes (each step is one solve; 1,001 "
        "steps go from 0 to 1 by 0.1 percentage point)")
    assert state(tmp_path) == before
    assert len(sweep_values(0, 1, MAX_STEPS)) == MAX_STEPS and sweep_values(0, 1, MAX_STEPS)[1] == 0.001
    with pytest.raises(ValueError):
        sweep_values(0, 1, MAX_STEPS + 1)


# ---- 4. the status and the gap agree -------------------------------------------------------------------------------

# Found by a random search: HiGHS says kOptimal with its own gap 0, yet the best bound it reports (15,107.94) is
# 0.07 % below the objective of the plan it returns (15,118.9, the true optimum): its presolve, on a restart,
# folded the cost 9e14 of an offer it eliminated into an objective offset of ~1e17, exact only to ~16.
LARGE_PRICE = {
    "Items": [["I0", 54, "t"], ["I1", 34, "t"], ["I2", 66, "t"], ["I3", 112, "t"]],
    "Suppliers": [["S0", "C0", None, None], ["S1", "C1", None, None], ["S2", "C2", None, 263],
                  ["S3", "C0", 320, 185], ["S4", "C1", None, 323]],
    "Countries": [["C0", "C0", "", 0], ["C1", "C1", "", 0], ["C2", "C2", "", 0]],
    "Offers": [["I0", "S3", 38.41, None, 8], ["I0", "S4", 46.8, None, 15], ["I1", "S3", 99.44], ["I1", "S0", 85.9, 183, 28],
               ["I1", "S4", 91.97], ["I2", "S0", 39.34, None, 19], ["I3", "S1", 65.56], ["I3", "S0", 9e14, None, 30],
               ["I3", "S4", 78.3]],
    "Policy": [["max_share", None, "each country", 1]],
}


def test_a_plan_is_optimal_only_if_the_reported_bound_proves_it(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", LARGE_PRICE)
    code = main(["solve", str(source), "-o", str(tmp_path / "p.xlsx"), "--no-rule-costs", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["total_cost"] == pytest.approx(15118.9)
    gap = payload["mip_gap"]
    if payload["status"] == "optimal":  # a HiGHS whose bound agrees: then the gap must be within the setting
        assert gap <= 1e-4
    else:
        assert payload["status"] == "feasible" and gap > 1e-4
        assert payload["message"].startswith("not proven optimal within the MIP gap setting (0.0001): HiGHS "
                                             "reported optimal, but its best bound 15,107.9 is 0.0725% from the "
                                             "plan's cost 15,118.9")


def test_classify_trusts_only_a_bound_that_proves_the_gap() -> None:
    from planner.solver import classify, proven_within

    assert classify("kOptimal", True, 15118.9, 15107.94, True, 1e-4)[0] == "feasible"
    assert classify("kOptimal", True, 19693.01, 19696.0, True, 1e-4)[0] == "feasible"  # a bound above the plan
    assert classify("kOptimal", True, 100.0, 99.995, True, 1e-4)[0] == "optimal"
    assert proven_within(100.0, 100.0 - 5e-7, 0.0)  # HiGHS's absolute gap 1e-6 counts when the setting is 0
    assert not proven_within(100.0, 99.99, 0.0)


# ---- 5. what a written workbook can contain -----------------------------------------------------------------------


def test_a_plan_package_holds_no_macro_no_external_link_and_no_formula(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    source = formula_like_text(tmp_path)
    assert main(["solve", str(source), "-o", str(tmp_path / "plan.xlsx"), "-q"]) == 0
    with zipfile.ZipFile(tmp_path / "plan.xlsx") as package:
        names = package.namelist()
        types = package.read("[Content_Types].xml").decode()
        sheets = b"".join(package.read(n) for n in names if n.startswith("xl/worksheets/"))
    assert not [n for n in names if "vbaProject" in n or "externalLink" in n or "connections" in n]
    assert "macroEnabled" not in types and "<f>" not in sheets.decode() and b"<v>inf" not in sheets.lower()


def test_a_template_is_not_written_over_a_workbook_open_in_excel(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.xlsx").write_bytes(b"open in Excel")
    (tmp_path / "~$t.xlsx").write_text("lock")
    before = state(tmp_path)
    assert main(["template", str(tmp_path / "t.xlsx"), "--force"]) == 2
    assert capsys.readouterr().err.strip() == ("'t.xlsx' is open in Excel (lock file '~$t.xlsx'): close it first, "
                                               "or delete the lock file if Excel is not running")
    assert state(tmp_path) == before


def test_paths_a_case_apart_are_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On macOS and Windows Plan.xlsx is plan.xlsx, before either exists: two batch rows, a plan and its
    diagnosis, a summary and a row's plan a case apart would write over each other there, so they are refused
    everywhere (on a case-sensitive file system the cost is another name)."""
    from planner.io.paths import same_file

    assert same_file(tmp_path / "Plan.xlsx", tmp_path / "plan.xlsx")
    assert not same_file(tmp_path / "plan.xlsx", tmp_path / "plan2.xlsx")
    source = write_workbook(tmp_path / "b.xlsx", BASE)
    (tmp_path / "runs.csv").write_text("base,output\nb.xlsx,Plan.xlsx\nb.xlsx,plan.xlsx\nb.xlsx,Other.xlsx\n")
    before = state(tmp_path)
    assert main(["batch", str(tmp_path / "runs.csv"), "-o", str(tmp_path / "other.XLSX")]) == 2
    errors = [line[len("  error: "):] for line in capsys.readouterr().err.splitlines() if line.startswith("  error: ")]
    assert errors == ["runs.csv!row 3 (output): 'plan.xlsx' is also the output of row 2",
                      "runs.csv!row 4 (output): 'Other.xlsx' is also the summary (-o): choose another summary path"]
    assert main(["solve", str(source), "-o", str(tmp_path / "P.xlsx"), "--diagnose", str(tmp_path / "p.xlsx")]) == 2
    assert "the diagnosis and the plan must be different files" in capsys.readouterr().err
    assert main(["solve", str(source), "-o", str(tmp_path / "B.XLSX")]) == 2
    assert "is the input file; choose another output path" in capsys.readouterr().err
    assert state(tmp_path) == before


def test_a_diagnosis_hard_linked_to_the_plan_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "b.xlsx", BASE)
    (tmp_path / "plan.xlsx").write_bytes(b"the previous plan")
    os.link(tmp_path / "plan.xlsx", tmp_path / "why.xlsx")
    assert main(["solve", str(source), "-o", str(tmp_path / "plan.xlsx"), "--diagnose", str(tmp_path / "why.xlsx")]) == 2
    assert "the diagnosis and the plan must be different files" in capsys.readouterr().err
    assert (tmp_path / "plan.xlsx").read_bytes() == b"the previous plan"
