"""Reruns after price updates: update files, overrides, diffs, batches, reproducible output, the API.

Optima are worked out by hand in the docstrings, as in test_optima.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import planner
from helpers import countries, sha, solve_file, write_workbook
from planner.check import check_plan
from planner.pipeline import ModelCache, solve

BASE = {
    "Items": [["A", 100, "t"], ["B", 10, "t"]],
    "Suppliers": [["S1", "C1"], ["S2", "C2"], ["S3", "C3", None, None]],
    "Countries": countries("C1", "C2", "C3", blocs={"C2": "EU", "C3": "EU"}),
    "Offers": [["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 15], ["B", "S2", 3]],
    "Policy": [["max_share", None, "C1", 0.6]],
}
# Base optimum: A: S1 60 at 10, S2 40 at 12 = 1080; B: S2 10 at 3 = 30. Total 1110.


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=180,
                          cwd=cwd)


def csv_file(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def load(tmp_path: Path, *updates: Path, overrides: tuple[str, ...] = (), allow_new: bool = False,
         base: dict | None = None) -> planner.PlanningData:
    src = write_workbook(tmp_path / "base.xlsx", base or BASE)
    data, _ = planner.load(src, list(updates), list(overrides), allow_new)
    return data


def errors(tmp_path: Path, *updates: Path, overrides: tuple[str, ...] = (), allow_new: bool = False) -> list[str]:
    with pytest.raises(planner.InputError) as caught:
        load(tmp_path, *updates, overrides=overrides, allow_new=allow_new)
    return [str(p) for p in caught.value.problems]


def test_base_optimum(tmp_path: Path) -> None:
    _, plan = solve_file(write_workbook(tmp_path / "base.xlsx", BASE))
    assert plan.total_cost == pytest.approx(1110)


def test_offer_price_update_and_blank_keeps(tmp_path: Path) -> None:
    """S2 raises A to 16: S3 (15) becomes second source: S1 60 * 10 + S3 40 * 15 = 1200, B 30: 1230.
    The blank capacity keeps S2 unlimited; B's row changes nothing."""
    prices = csv_file(tmp_path / "prices.csv", "item,supplier,price,capacity\nA,S2,16,\nB,S2,3,\n")
    data = load(tmp_path, prices)
    assert data.offers["A", "S2"].price == 16 and data.offers["A", "S2"].capacity == float("inf")
    plan = solve(data)
    assert plan.total_cost == pytest.approx(1230)
    assert not check_plan(data, plan.quantities)
    changes = dict(data.source.changes)
    assert changes["update prices.csv"] == (f"Offers: 1 row(s) changed, 0 added; file prices.csv, SHA-256 "
                                            f"{sha(prices)}")
    # messages about an updated value name the update file's cell
    assert data.where("Offers", data.offers["A", "S2"], "price") == "prices.csv!C2"
    assert data.where("Offers", data.offers["A", "S1"], "price") == "Offers!C2"


def test_supplier_country_and_item_updates(tmp_path: Path) -> None:
    """S1 capacity 50, C2 tariff 0.25 (S2's A costs 15 landed, B 3.75), demand of A 80.
    A: S1 48 (60 % of 80, capacity 50 allows it) at 10 = 480; the other 32 at 15 from S2 or S3 = 480.
    B: 10 at 3.75 = 37.5. Total 997.5."""
    book = tmp_path / "changes.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "suppliers"
    wb.active.append(["supplier", "capacity"])
    wb.active.append(["S1", 50])
    for title, rows in (("tariffs", [["country", "tariff"], ["C2", 0.25]]), ("demand", [["item", "demand"], ["A", 80]])):
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(book)
    data = load(tmp_path, book)
    assert data.suppliers["S1"].capacity == 50 and data.countries["C2"].tariff == 0.25 and data.items["A"].demand == 80
    assert solve(data).total_cost == pytest.approx(997.5)
    assert [k for k, _ in data.source.changes] == ["update changes.xlsx:tariffs", "update changes.xlsx:demand",
                                                   "update changes.xlsx:suppliers"]  # countries, items, suppliers


def test_unlimited_removes_a_capacity_and_later_files_win(tmp_path: Path) -> None:
    first = csv_file(tmp_path / "a.csv", "supplier,capacity\nS1,5\n")
    second = csv_file(tmp_path / "b.csv", "supplier,capacity,fixed_cost\nS1,unlimited,7\n")
    data = load(tmp_path, first, second)
    assert data.suppliers["S1"].capacity == float("inf") and data.suppliers["S1"].fixed_cost == 7


def test_update_errors_name_file_row_and_column(tmp_path: Path) -> None:
    bad = csv_file(tmp_path / "bad.csv", "item,supplier,price,freight\nA,S9,10,\nA,S1,-3,\nA,S2,\"1,5\",\nA,S2,11,\n"
                                         "C,S1,1,\n")
    assert errors(tmp_path, bad) == [
        "bad.csv!A2 (item): offer of 'S9' for 'A' is not in the base workbook's Offers (add it there, or pass "
        "--allow-new to add it from this file)",
        "bad.csv!C3 (price): -3 is negative",
        "bad.csv!C4 (price): '1,5' is not a plain number (write it as a number, without thousands separators, "
        "currency or units; the locale is never guessed)",
        "bad.csv!A6 (item): offer of 'S1' for 'C' is not in the base workbook's Offers (add it there, or pass "
        "--allow-new to add it from this file)",
    ]
    keyless = csv_file(tmp_path / "keyless.csv", "price\n3\n")
    assert errors(tmp_path, keyless) == [
        "keyless.csv!1:1: cannot tell what this table updates: it needs the key columns item and supplier (Offers), "
        "supplier (Suppliers), country (Countries), item (Items) or policy_row (Policy)"]
    twice = csv_file(tmp_path / "twice.csv", "item,demand\nA,5\nA,6\n")
    assert errors(tmp_path, twice) == ["twice.csv!A3 (item): 'A' appears again in this table (first in row 2)"]
    assert errors(tmp_path, tmp_path / "missing.csv") == [f"missing.csv: update file not found: {tmp_path / 'missing.csv'}"]


def test_allow_new_adds_records(tmp_path: Path) -> None:
    """A new supplier S4 in C3 offers A at 9, cheaper than S1 and outside the capped C1:
    A 100 from S4 at 9 = 900; B 10 from S2 at 3 = 30. Total 930."""
    suppliers = csv_file(tmp_path / "s.csv", "supplier,country\nS4,C3\n")
    offers = csv_file(tmp_path / "o.csv", "item,supplier,price\nA,S4,9\n")
    assert any(e.startswith("s.csv!A2 (supplier): 'S4' is not in the base") for e in errors(tmp_path, suppliers, offers))
    data = load(tmp_path, suppliers, offers, allow_new=True)
    assert data.offers["A", "S4"].price == 9 and data.suppliers["S4"].country == "C3"
    assert solve(data).total_cost == pytest.approx(930)
    incomplete = csv_file(tmp_path / "n.csv", "item,supplier,freight\nA,S3x,1\n")
    assert errors(tmp_path, incomplete, allow_new=True) == ["n.csv!A2 (price): a new offer of 'S3x' for 'A' needs price"]


@pytest.mark.parametrize("text, expected", [
    ("time_limit=5", ("override time_limit", "5.0 (was 60.0)")),
    ("Settings!mip_gap=0.01", ("override mip_gap", "0.01 (was 0.0001)")),
    ("currency=eur", ("override currency", "EUR (was EUR)")),  # the same currency: nothing is relabelled
    ("Policy!2=0.7", ("override Policy!2", "value 0.7 (was 0.6) in Policy!A2 max_share country:C1 0.6 on every item")),
    ("Policy!2.value=0.7", ("override Policy!2.value",
                            "value 0.7 (was 0.6) in Policy!A2 max_share country:C1 0.6 on every item")),
    ("Policy!D2=0.7", ("override Policy!D2", "value 0.7 (was 0.6) in Policy!A2 max_share country:C1 0.6 on every item")),
])
def test_overrides(tmp_path: Path, text: str, expected: tuple[str, str]) -> None:
    data = load(tmp_path, overrides=(text,))
    assert data.source.changes == (expected,)


def test_override_changes_the_optimum(tmp_path: Path) -> None:
    """Cap C1 at 70 %: A: S1 70 at 10 + S2 30 at 12 = 1060; B 30: 1090."""
    assert solve(load(tmp_path, overrides=("Policy!2=0.7",))).total_cost == pytest.approx(1090)


@pytest.mark.parametrize("text, message", [
    ("Policy!9=0.5", "--set Policy!9=0.5: Policy row 9 holds no rule (rules are in rows 2)"),
    ("Policy!C2=0.5", "--set Policy!C2=0.5: column C of Policy is not its value column (D)"),
    ("Policy!2=1.5", "--set Policy!2=1.5: 1.5 is not a share in [0, 1] (write 30 % as 0.3)"),
    ("Policy!2=30%", "--set Policy!2=30%: '30%' is not a plain number"),
    ("time_limit=0", "--set time_limit=0: 0 must be positive"),
    ("currency=RUB", "--set currency=RUB: the workbook's amounts are in EUR; setting RUB would relabel them without "
                     "converting them (the base currency is what every cost is reported in). Give offers quoted in "
                     "other currencies a currency column and list their rates in Currencies, or, if the amounts are "
                     "in RUB after all, write RUB as the currency in the Settings sheet"),
    ("speed=3", "--set speed=3: 'speed' is neither a setting (currency, time_limit, mip_gap, plan_date, mode, risk_weight, "
                "cvar_alpha) nor a Policy row "
                "(Policy!7)"),
    ("time_limit", "--set time_limit: write NAME=VALUE: a setting (time_limit=30) or a Policy row's value "
                   "(Policy!7=0.3)"),
])
def test_override_errors(tmp_path: Path, text: str, message: str) -> None:
    assert errors(tmp_path, overrides=(text,)) == [message]


def test_exclude_rows_have_no_value_to_override(tmp_path: Path) -> None:
    base = {**BASE, "Policy": [["exclude", None, "C3", None]]}
    src = write_workbook(tmp_path / "b.xlsx", base)
    data, _ = planner.read(src)
    with pytest.raises(planner.InputError) as caught:
        planner.apply_changes(data, overrides=["Policy!2=0.5"])
    assert [str(p) for p in caught.value.problems] == [
        "--set Policy!2=0.5: Policy row 2 is an exclude rule, which has no value; switch it off or on with "
        "Policy!2=off or Policy!2=on"]


def test_cli_update_run_sheet_and_nothing_written_on_error(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "base.xlsx", BASE)
    source_sha = sha(src)
    prices = csv_file(tmp_path / "prices.csv", "item,supplier,price\nA,S2,16\n")
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(src), "--update", str(prices), "--set", "Policy!2=0.6", "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["total_cost"] == pytest.approx(1230) and payload["schema_version"] == 2
    run_sheet = {r[0].value: r[1].value for r in openpyxl.load_workbook(out)["Run"].iter_rows(min_row=2)}
    assert run_sheet["update prices.csv"].endswith(f"SHA-256 {sha(prices)}")
    assert run_sheet["override Policy!2"].startswith("value 0.6 (was 0.6)")
    before = out.read_bytes()
    bad = csv_file(tmp_path / "bad.csv", "item,supplier,price\nA,S2,-1\n")
    bad_sha = sha(bad)
    result = run("solve", str(src), "--update", str(bad), "-o", str(out))
    assert result.returncode == 2 and "bad.csv!C2 (price): -1 is negative" in result.stderr
    assert out.read_bytes() == before and sha(src) == source_sha and sha(bad) == bad_sha


def test_same_inputs_give_byte_identical_plans(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "base.xlsx", {**BASE, "Scenarios": [["C1 stop", None, "C1", 0]]})
    first, second, timed = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "t.xlsx"
    assert run("solve", str(src), "-o", str(first)).returncode == 0
    assert run("solve", str(src), "-o", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert run("solve", str(src), "-o", str(timed), "--timings").returncode == 0
    assert "solve seconds" in {r[0].value for r in openpyxl.load_workbook(timed)["Run"].iter_rows()}


def plan_book(path: Path, lines: list[list], fixed: float) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["item", "supplier", "country", "quantity", "unit_cost", "cost", "blocs"])
    for line in lines:
        ws.append(line)
    summary = wb.create_sheet("Summary")
    summary.append(["Summary"])
    summary.append(["fixed costs", fixed])
    wb.save(path)
    return path


def test_diff_arithmetic_on_hand_made_plans(tmp_path: Path) -> None:
    """Old: A/S1 60 at 10, A/S2 40 at 12 (1080), no fixed cost. New: A/S1 50 at 11, A/S3 50 at 12 (1150), fixed 100.
    Price effect: A/S1 60 * (11 - 10) = 60. Reallocation: A/S1 11 * (50 - 60) = -110; A/S2 left: 12 * -40 = -480;
    A/S3 entered: 12 * 50 = 600; sum 10. Landed change 70 = 60 + 10; fixed-cost effect 100; total change 170."""
    old = plan_book(tmp_path / "old.xlsx", [["A", "S1", "C1", 60, 10, 600, ""], ["A", "S2", "C2", 40, 12, 480, "EU"]], 0)
    new = plan_book(tmp_path / "new.xlsx", [["A", "S1", "C1", 50, 11, 550, ""], ["A", "S3", "C3", 50, 12, 600, "EU"]], 100)
    d = planner.diff_plans(planner.read_plan(old), planner.read_plan(new))
    assert d.totals == pytest.approx({"total cost old": 1080, "total cost new": 1250, "total cost change": 170,
                                      "price effect": 60, "reallocation effect": 10, "fixed-cost effect": 100})
    lines = {r["supplier"]: r for r in d.lines.to_dict(orient="records")}
    assert (lines["S1"]["change"], lines["S2"]["change"], lines["S3"]["change"]) == ("changed", "leaving", "entering")
    assert lines["S2"]["quantity_new"] == 0 and lines["S3"]["quantity_old"] == 0
    assert (d.suppliers_entering, d.suppliers_leaving) == (["S3"], ["S2"])
    shares = {r["country"]: [r["share_old"], r["share_new"]] for r in d.countries.to_dict(orient="records")}
    assert shares["C1"] == pytest.approx([0.6, 0.5]) and shares["C2"] == pytest.approx([0.4, 0.0])
    assert shares["C3"] == pytest.approx([0.0, 0.5])
    blocs = {r["bloc"]: r["share_change"] for r in d.blocs.to_dict(orient="records")}
    assert blocs == pytest.approx({"(no bloc)": -0.1, "EU": 0.1})

    out = tmp_path / "diff.xlsx"
    result = run("diff", str(old), str(new), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "total cost: 1,080.00 -> 1,250.00 (+170.00)" in result.stdout
    assert "price effect +60.00, reallocation effect +10.00, fixed-cost effect +100.00" in result.stdout
    assert openpyxl.load_workbook(out).sheetnames == ["Summary", "Lines", "Countries", "Blocs"]
    assert run("diff", str(old), str(tmp_path / "nope.xlsx")).returncode == 2


def test_batch_equals_the_same_runs_one_by_one(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "base.xlsx", BASE)
    for k, price in enumerate([11, 13, 16, 9], start=1):
        csv_file(tmp_path / f"p{k}.csv", f"item,supplier,price\nA,S2,{price}\n")
    csv_file(tmp_path / "bad.csv", "item,supplier,price\nA,S2,-1\n")
    table = ("name,base,updates,set,output\n"
             "w1,base.xlsx,p1.csv,,w1.xlsx\nw2,base.xlsx,p2.csv,,w2.xlsx\n"
             "w3,base.xlsx,p3.csv,Policy!2=0.7,w3.xlsx\nw4,base.xlsx,p4.csv,,w4.xlsx\nw5,base.xlsx,bad.csv,,w5.xlsx\n")
    runs = csv_file(tmp_path / "runs.csv", table)
    result = run("batch", str(runs), "-o", str(tmp_path / "summary.xlsx"), "--json")
    assert result.returncode == 1, result.stderr  # one run is invalid
    payload = json.loads(result.stdout)
    rows = {r["name"]: r for r in payload["runs"]}
    assert rows["w5"]["status"] == "invalid" and "bad.csv!C2 (price): -1 is negative" in rows["w5"]["message"]
    assert payload["totals"]["models built"] == 1 and payload["totals"]["models re-used"] == 3
    for name, updates, overrides in (("w1", "p1.csv", []), ("w2", "p2.csv", []), ("w3", "p3.csv", ["Policy!2=0.7"]),
                                     ("w4", "p4.csv", [])):
        alone = tmp_path / f"{name}-alone.xlsx"
        args = ["solve", str(src), "--update", str(tmp_path / updates), "-o", str(alone)]
        for o in overrides:
            args += ["--set", o]
        assert run(*args).returncode == 0
        assert sheets(tmp_path / f"{name}.xlsx") == sheets(alone)  # the same plan, sheet by sheet
        assert rows[name]["status"] == "optimal"
    # hand check of w3: S2 at 16, cap 70 %: S1 70 * 10 + S3 30 * 15 = 1150, B 30
    assert rows["w3"]["total_cost"] == pytest.approx(1180)
    assert not (tmp_path / "w5.xlsx").exists()
    summary = openpyxl.load_workbook(tmp_path / "summary.xlsx")["Batch"]
    assert [c.value for c in summary[1]][:4] == ["run", "name", "status", "total_cost"]


def sheets(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's values, but the Run sheet's line saying whether the model was built or re-used."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [row for row in ws.iter_rows(values_only=True) if row[0] != "model"] for ws in wb}


def test_batch_table_errors(tmp_path: Path) -> None:
    runs = csv_file(tmp_path / "runs.csv", "name,base,output\na,missing.xlsx,a.xlsx\nb,,b.txt\n")
    result = run("batch", str(runs))
    assert result.returncode == 2
    assert "runs.csv!row 2 (base): 'missing.xlsx' is not a file" in result.stderr
    assert "runs.csv!row 3 (base): is blank; a path is required" in result.stderr


@pytest.mark.parametrize("change", ["price", "capacity", "demand", "value", "fixed", "min_order"])
def test_reused_model_matches_a_fresh_build(tmp_path: Path, change: str) -> None:
    """A model re-used with new numbers gives the optimum of a model built from scratch, LP and MIP alike."""
    base = {**BASE, "Suppliers": [["S1", "C1", 80, 50], ["S2", "C2"], ["S3", "C3", None, None]],
            "Offers": [["A", "S1", 10, 70], ["A", "S2", 12, None, 20], ["A", "S3", 15], ["B", "S2", 3]]}
    data = load(tmp_path, base=base)
    cache = ModelCache()
    first = solve(data, cache=cache)
    offers, suppliers, items, rules = dict(data.offers), dict(data.suppliers), dict(data.items), list(data.rules)
    if change == "price":
        offers["A", "S2"] = dataclasses.replace(offers["A", "S2"], price=9)
    elif change == "capacity":
        offers["A", "S1"] = dataclasses.replace(offers["A", "S1"], capacity=30)
        suppliers["S1"] = dataclasses.replace(suppliers["S1"], capacity=35)
    elif change == "demand":
        items["A"] = dataclasses.replace(items["A"], demand=300)
    elif change == "value":
        rules[0] = dataclasses.replace(rules[0], value=0.2)
    elif change == "fixed":
        suppliers["S1"] = dataclasses.replace(suppliers["S1"], fixed_cost=400)
    else:
        offers["A", "S2"] = dataclasses.replace(offers["A", "S2"], min_order=95)
    changed = dataclasses.replace(data, offers=offers, suppliers=suppliers, items=items, rules=tuple(rules))
    again = solve(changed, cache=cache)
    fresh = solve(changed)
    assert again.run["model"].startswith("re-used") and cache.reused == 1
    assert again.status == fresh.status
    assert again.total_cost == pytest.approx(fresh.total_cost, rel=1e-9)
    assert again.total_cost != pytest.approx(first.total_cost)  # the change mattered
    assert not check_plan(changed, again.quantities)


def test_api_round_trip_from_dataframes(tmp_path: Path) -> None:
    frames = {
        "items": pd.DataFrame({"item": ["A", "B"], "demand": [100, 10], "unit": ["t", "t"]}),
        "suppliers": pd.DataFrame({"supplier": ["S1", "S2", "S3"], "country": ["C1", "C2", "C3"]}),
        "countries": pd.DataFrame({"country": ["C1", "C2", "C3"], "blocs": ["", "EU", "EU"]}),
        "offers": pd.DataFrame({"item": ["A", "A", "A", "B"], "supplier": ["S1", "S2", "S3", "S2"],
                                "price": [10, 12, 15, 3]}),
        "policy": pd.DataFrame({"rule": ["max_share"], "group": ["C1"], "value": [0.6]}),
    }
    data, warnings = planner.from_frames(**frames)
    assert warnings == []
    plan = planner.solve(data)
    assert plan.total_cost == pytest.approx(1110)
    assert isinstance(plan.lines, pd.DataFrame) and set(plan.lines["supplier"]) == {"S1", "S2"}
    out = tmp_path / "plan.xlsx"
    planner.write_plan(plan, out, data=data)
    tables = planner.read_plan(out)
    assert tables.lines["quantity"].sum() == pytest.approx(110)
    same = planner.diff_plans(tables, tables)
    assert same.totals["total cost change"] == 0 and set(same.lines["change"]) == {"unchanged"}
    # the same data read from a workbook solves to the same plan
    _, from_book = solve_file(write_workbook(tmp_path / "base.xlsx", BASE))
    assert from_book.quantities == pytest.approx(plan.quantities)

    bad = {**frames, "offers": frames["offers"].assign(price=[10, -1, 15, "x"])}
    with pytest.raises(planner.InputError) as caught:
        planner.from_frames(**bad)
    assert [str(p) for p in caught.value.problems] == ["Offers!C3 (price): -1 is negative",
                                                       "Offers!C5 (price): 'x' is not a plain number (write it as a "
                                                       "number, without thousands separators, currency or units; the "
                                                       "locale is never guessed)"]


def test_quiet_and_verbose(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "base.xlsx", {**BASE, "Extra": [["x"]]}, headers={"Extra": ["x"]})
    loud = run("solve", str(src), "-o", str(tmp_path / "a.xlsx"), "-v")
    assert "warning: sheets ignored" in loud.stderr and "solver said: kOptimal" in loud.stderr
    quiet = run("solve", str(src), "-o", str(tmp_path / "b.xlsx"), "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert "optimal: total cost 1,110.00 EUR" in quiet.stdout


def test_warnings_describe_the_data_as_updated(tmp_path: Path) -> None:
    """A price slip in the base that an update corrects is not warned about; one the update makes is."""
    base = {**BASE, "Offers": [["A", "S1", 10], ["A", "S2", 12], ["A", "S3", 1500], ["B", "S2", 3]]}
    src = write_workbook(tmp_path / "base.xlsx", base)
    _, before = planner.read(src)
    assert any("price 1500 of 'A' from 'S3'" in str(w) for w in before)
    fixed = csv_file(tmp_path / "fix.csv", "item,supplier,price\nA,S3,15\n")
    _, after = planner.load(src, [fixed])
    assert not any("price 1500" in str(w) for w in after)
    slip = csv_file(tmp_path / "slip.csv", "item,supplier,price\nA,S3,15\nA,S1,2000\n")
    _, slipped = planner.load(src, [slip])
    assert [str(w) for w in slipped if "median" in str(w)] == [
        "slip.csv!C3 (price): price 2000 of 'A' from 'S1' is over 100 times the median price of 'A' (15): "
        "a unit or decimal slip?"]


def test_diff_columns_fit_the_numbers_as_displayed(tmp_path: Path) -> None:
    """A plan of whole numbers comes back from its workbook as ints: 2679200 is 7 characters but shows as
    2,679,200.00 (12) in #,##0.00, so its column needs 12 + 2 of padding = 14, or Excel shows ###.
    Old: S1 19700 at 136 = 2679200, S2 300 at 140 = 42000. New: S1 5000 = 680000, S2 15000 = 2100000."""
    old = plan_book(tmp_path / "old.xlsx", [["A", "S1", "C1", 19700, 136, 2679200, ""],
                                            ["A", "S2", "C2", 300, 140, 42000, "EU"]], 0)
    new = plan_book(tmp_path / "new.xlsx", [["A", "S1", "C1", 5000, 136, 680000, ""],
                                            ["A", "S2", "C2", 15000, 140, 2100000, "EU"]], 0)
    out = tmp_path / "diff.xlsx"
    result = run("diff", str(old), str(new), "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = openpyxl.load_workbook(out)["Lines"]
    width = {c.value: lines.column_dimensions[c.column_letter].width for c in lines[1]}
    assert (width["cost_old"], width["cost_new"]) == (14, 14)
    assert width["cost_change"] == 15  # -1,999,200.00: 13 + 2
    # the console formats every quantity and cost alike, whatever type the workbook gave
    table = result.stdout.split("\n\n")[1].splitlines()
    assert [line.split() for line in table] == [
        ["item", "supplier", "country", "quantity_old", "quantity_new", "cost_change", "change"],
        ["A", "S1", "C1", "19,700.00", "5,000.00", "-1,999,200.00", "changed"],
        ["A", "S2", "C2", "300.00", "15,000.00", "+2,058,000.00", "changed"]]


def test_diff_refuses_plans_in_different_currencies(tmp_path: Path) -> None:
    """A EUR plan and a USD plan of the same purchases: subtracting them would mean nothing, so exit 2 naming
    both currencies and the cells they were read from (Summary!B6 of each plan)."""
    eur, usd = tmp_path / "eur.xlsx", tmp_path / "usd.xlsx"
    assert run("solve", str(write_workbook(tmp_path / "e.xlsx", BASE)), "-o", str(eur)).returncode == 0
    usd_base = write_workbook(tmp_path / "u.xlsx", {**BASE, "Settings": [["currency", "USD"]]})
    assert run("solve", str(usd_base), "-o", str(usd)).returncode == 0
    result = run("diff", str(eur), str(usd), "-o", str(tmp_path / "d.xlsx"), "--json")
    assert result.returncode == 2
    payload = json.loads(result.stdout)
    assert payload["status"] == "invalid" and payload["message"] == (
        "the plans are in different base currencies: eur.xlsx in EUR (read from eur.xlsx:Summary!B6), usd.xlsx in USD "
        "(read from usd.xlsx:Summary!B6); their costs cannot be subtracted: plan both in one base currency (Settings "
        "currency, with the other currencies' rates in Currencies) and compare those")
    assert not (tmp_path / "d.xlsx").exists()
    # plans in one currency are compared, and the diff says which
    same = run("diff", str(eur), str(eur), "-o", str(tmp_path / "d.xlsx"), "--json")
    assert same.returncode == 0 and json.loads(same.stdout)["currency"] == "EUR"
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(tmp_path / "d.xlsx")["Summary"].iter_rows(values_only=True)}
    assert summary["currency"] == "EUR" and summary["total cost change"] == 0
    assert "total cost: 1,110.00 -> 1,110.00 (+0.00 EUR)" in run("diff", str(eur), str(eur)).stdout


COVER = {
    "Items": [["A", 100, "t"]],
    "Suppliers": [["S1", "C1"], ["S2", "C2"], ["S3", "C3"], ["S4", "C4"]],
    "Countries": countries("C1", "C2", "C3", "C4"),
    "Offers": [["A", "S1", 10, 20], ["A", "S2", 11, 20], ["A", "S3", 12, 20], ["A", "S4", 13]],
    "Policy": [["min_coverage", None, None, 0.5]],
    "Scenarios": [["C4 stop", None, "C4", 0]],
}
# Optimum: S1, S2, S3 at their capacities of 20 (200 + 220 + 240), S4 the other 40 at 13 (520): 1180; 60 % of A
# survives "C4 stop". A coverage of 0.7 needs 70 from S1-S3, which hold 60: the rule and three capacities conflict.


def test_batch_names_the_rule_that_broke_a_run(tmp_path: Path) -> None:
    """The IIS lists three capacities before the coverage rule; the summary names the rule first."""
    write_workbook(tmp_path / "cover.xlsx", COVER)
    runs = csv_file(tmp_path / "runs.csv", "name,base,set,output\nok,cover.xlsx,,ok.xlsx\n"
                                           "tight,cover.xlsx,Policy!2=0.7,tight.xlsx\n")
    why = ("the rules cannot all hold: 4 conflicting input row(s): Policy!A2 min_coverage 0.7 on every item (in "
           "scenario 'C4 stop', for 'A'); Scenarios!A2 C4 stop: country:C4 keeps 0 of every item | Offers!D2 "
           "capacity 20 of 'A' from 'S1' | Offers!D3 capacity 20 of 'A' from 'S2' | and 1 more")
    result = run("batch", str(runs), "-o", str(tmp_path / "summary.xlsx"))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["run", "name", "status", "total_cost", "change_vs_first", "compared_with", "model",
                                "why"]
    assert lines[1].split() == ["2", "ok", "optimal", "1,180.00", "+0.00", "ok", "(row", "2)", "built"]
    assert lines[2].split(None, 4)[:4] == ["3", "tight", "infeasible", "re-used"]
    assert lines[2].split(None, 4)[4] == why
    sheet = openpyxl.load_workbook(tmp_path / "summary.xlsx")["Batch"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=3, column=header.index("message") + 1).value == why
    # 279 characters wrap within the column's 60, on ceil(279 / 60) = 5 lines of 15 points: it prints whole
    letter = openpyxl.utils.get_column_letter(header.index("message") + 1)
    assert sheet.column_dimensions[letter].width == 60 and sheet[f"{letter}3"].alignment.wrap_text
    assert sheet.row_dimensions[3].height == 75 and sheet.row_dimensions[2].height is None
    payload = json.loads(run("batch", str(runs), "-o", str(tmp_path / "summary.xlsx"), "--json").stdout)
    assert [r["message"] for r in payload["runs"]][1] == why


def test_batch_compares_each_run_with_the_first_run_of_its_base(tmp_path: Path) -> None:
    """cover.xlsx costs 1180, base.xlsx 1110 and 1230 with S2 at 16 (test_offer_price_update...): base.xlsx's
    second run is +120 against its own first, not +50 against cover.xlsx's. tight.xlsx's first run cannot hold
    (coverage 0.7), so its second (1180 at 0.5) is the first to compare with: its third, with S2 at 16, needs 50
    surviving from S1-S3: S1 20 at 10, S3 20 at 12, S2 10 at 16, and S4 the other 50 at 13: 200 + 240 + 160 +
    650 = 1250, +70 against the second (not blank because the first failed)."""
    write_workbook(tmp_path / "cover.xlsx", COVER)
    write_workbook(tmp_path / "base.xlsx", BASE)
    write_workbook(tmp_path / "tight.xlsx", {**COVER, "Policy": [["min_coverage", None, None, 0.7]]})
    csv_file(tmp_path / "p.csv", "item,supplier,price\nA,S2,16\n")
    runs = csv_file(tmp_path / "runs.csv", "name,base,updates,set,output\nc1,cover.xlsx,,,c1.xlsx\n"
                                           "b1,base.xlsx,,,b1.xlsx\nb2,base.xlsx,p.csv,,b2.xlsx\n"
                                           "t1,tight.xlsx,,,t1.xlsx\nt2,tight.xlsx,,Policy!2=0.5,t2.xlsx\n"
                                           "t3,tight.xlsx,p.csv,Policy!2=0.5,t3.xlsx\n")
    result = run("batch", str(runs), "-o", str(tmp_path / "summary.xlsx"), "--json")
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)["runs"]
    assert [r["total_cost"] for r in rows] == pytest.approx([1180, 1110, 1230, None, 1180, 1250])
    assert [r["change_vs_first"] for r in rows] == pytest.approx([0, 0, 120, None, 0, 70])
    compared = ["c1 (row 2)", "b1 (row 3)", "b1 (row 3)", None, "t2 (row 6)", "t2 (row 6)"]
    assert [r["compared_with"] for r in rows] == compared
    sheet = openpyxl.load_workbook(tmp_path / "summary.xlsx")["Batch"]
    header = [c.value for c in sheet[1]]
    column = header.index("change_vs_first") + 1
    assert header[column] == "compared_with"
    assert [sheet.cell(row=r, column=column).value for r in range(2, 8)] == [0, 0, 120, None, 0, 70]
    assert [sheet.cell(row=r, column=column + 1).value for r in range(2, 8)] == compared
    assert sheet.cell(row=1, column=column).comment.text.startswith(
        "total_cost minus that of the first run of the same base that wrote a plan (named in compared_with; a "
        "first run that failed is skipped)")
    assert sheet.cell(row=1, column=column + 1).comment is not None
    lines = run("batch", str(runs), "-o", str(tmp_path / "summary.xlsx")).stdout.splitlines()
    assert lines[5].split()[:7] == ["6", "t2", "optimal", "1,180.00", "+0.00", "t2", "(row"]
    assert lines[6].split()[:7] == ["7", "t3", "optimal", "1,250.00", "+70.00", "t2", "(row"]


def test_diff_api_refuses_plans_in_different_currencies() -> None:
    """planner.diff_plans guards itself, not only the command: EUR minus USD is not a cost change."""
    lines = pd.DataFrame({"item": ["A"], "supplier": ["S1"], "country": ["C1"], "quantity": [60.0],
                          "unit_cost": [10.0], "cost": [600.0], "blocs": [""]})
    eur = planner.PlanTables(lines, 0.0, "eur.xlsx", "EUR", "eur.xlsx:Summary!B6")
    usd = dataclasses.replace(eur, name="usd.xlsx", currency="USD", currency_at="usd.xlsx:Summary!B6")
    with pytest.raises(planner.InputError) as caught:
        planner.diff_plans(eur, usd)
    assert [str(p) for p in caught.value.problems] == [
        "the plans are in different base currencies: eur.xlsx in EUR (read from eur.xlsx:Summary!B6), usd.xlsx in USD "
        "(read from usd.xlsx:Summary!B6); their costs cannot be subtracted: plan both in one base currency (Settings "
        "currency, with the other currencies' rates in Currencies) and compare those"]
    assert planner.diff_plans(eur, dataclasses.replace(eur, currency="eur")).currency == "EUR"
    assert planner.diff_plans(eur, dataclasses.replace(eur, currency=None)).totals["total cost change"] == 0


SANCTION = {**BASE, "Policy": [["max_share", None, "C1", 0.6], ["exclude", "A", "C2", None]]}
# With the sanction on A from C2: A: S1 60 at 10 + S3 40 at 15 = 1200; B: S2 10 at 3 = 30. Total 1230.
# Without it, the base optimum: 1110.


@pytest.mark.parametrize("overrides, expected", [
    ((), 1230),
    (("Policy!3=off",), 1110),
    (("Policy!3.active=off",), 1110),
    (("Policy!3=off", "Policy!3=on"), 1230),  # switched on again: the sanction holds as before
    (("Policy!2=off", "Policy!3=off"), 1000 + 30),  # no rule at all: A: S1 100 at 10; B 30
])
def test_a_sanction_is_switched_off_and_on_by_set(tmp_path: Path, overrides: tuple[str, ...], expected: float) -> None:
    data = load(tmp_path, overrides=overrides, base=SANCTION)
    assert solve(data).total_cost == pytest.approx(expected)


def test_switching_is_recorded_and_an_inactive_rule_plays_no_part(tmp_path: Path) -> None:
    data = load(tmp_path, overrides=("Policy!3=off",), base=SANCTION)
    assert [r.row for r in data.rules] == [2] and [r.row for r in data.inactive_rules] == [3]
    assert data.source.changes == (("override Policy!3", "off (was on) Policy!A3 exclude country:C2 on A"),)
    plan = solve(data)
    # the Rules sheet prices the rules that hold, and lists the one switched off, at no cost
    assert plan.rules["policy_row"].tolist() == [2, 3] and plan.rules["active"].tolist() == ["on", "off"]
    assert plan.rules["cost_of_rule"].isna().tolist() == [False, True]
    on_again = load(tmp_path, overrides=("Policy!3=off", "Policy!3=on"), base=SANCTION)
    assert [r.row for r in on_again.rules] == [2, 3] and on_again.inactive_rules == ()


def test_policy_update_table_and_active_column(tmp_path: Path) -> None:
    """A Policy update table switches the sanction off (1110) and sets the cap's value: at 0.7, A: S1 70 at 10
    + S2 30 at 12 = 1060, B 30: 1090. A Policy sheet whose `active` cell is off starts without the rule (1110),
    and --set switches it on (1230)."""
    table = csv_file(tmp_path / "policy.csv", "policy_row,active,value\n3,off,\n2,,0.7\n")
    data = load(tmp_path, table, base=SANCTION)
    assert solve(data).total_cost == pytest.approx(1090)
    assert ("update policy.csv!A2", "off (was on) Policy!A3 exclude country:C2 on A") in data.source.changes
    book = write_workbook(tmp_path / "active.xlsx", {**SANCTION, "Policy": [["max_share", None, "C1", 0.6, None],
                                                                           ["exclude", "A", "C2", None, "off"]]},
                          headers={"Policy": ["rule", "item", "group", "value", "active"]})
    base, _ = planner.read(book)
    assert [r.row for r in base.inactive_rules] == [3]
    assert solve(base).total_cost == pytest.approx(1110)
    switched, _ = planner.apply_changes(base, overrides=["Policy!3=on"])
    assert solve(switched).total_cost == pytest.approx(1230)


@pytest.mark.parametrize("text, message", [
    ("Policy!3=0.5", "--set Policy!3=0.5: Policy row 3 is an exclude rule, which has no value; switch it off or "
                     "on with Policy!3=off or Policy!3=on"),
    ("Policy!3.active=maybe", "--set Policy!3.active=maybe: 'maybe' is neither on nor off (also yes/no, "
                              "true/false, 1/0)"),
    ("Policy!9=off", "--set Policy!9=off: Policy row 9 holds no rule (rules are in rows 2, 3)"),
])
def test_switch_errors(tmp_path: Path, text: str, message: str) -> None:
    src = write_workbook(tmp_path / "b.xlsx", SANCTION)
    data, _ = planner.read(src)
    with pytest.raises(planner.InputError) as caught:
        planner.apply_changes(data, overrides=[text])
    assert [str(p) for p in caught.value.problems] == [message]


def test_policy_table_and_active_cell_errors(tmp_path: Path) -> None:
    table = csv_file(tmp_path / "policy.csv", "policy_row,active,value\n7,off,\n3,,0.5\n2,later,\n")
    with pytest.raises(planner.InputError) as caught:
        load(tmp_path, table, base=SANCTION)
    assert [str(p) for p in caught.value.problems] == [
        "policy.csv!A2 (policy_row): '7' is not a row of the base workbook's Policy that holds a rule (rules are in "
        "rows 2, 3)",
        "policy.csv!C3 (value): Policy row 3 is an exclude rule, which has no value (switch it with active: on or "
        "off)",
        "policy.csv!B4 (active): 'later' is neither on nor off (also yes/no, true/false, 1/0)"]
    # the column holds an on/off entry, so it switches rules and `maybe` is a typo (a column with no on/off
    # entry at all is the workbook's own: test_a_v1_workbook_s_own_active_column...)
    book = write_workbook(tmp_path / "bad.xlsx", {**SANCTION, "Policy": [["max_share", None, "C1", 0.6, "maybe"],
                                                                        ["exclude", "A", "C2", None, "on"]]},
                          headers={"Policy": ["rule", "item", "group", "value", "active"]})
    with pytest.raises(planner.InputError) as caught:
        planner.read(book)
    assert [str(p) for p in caught.value.problems] == [
        "Policy!E2 (active): 'maybe' is neither on nor off (also yes/no, true/false, 1/0)"]


def test_cli_switches_a_sanction_off(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "base.xlsx", SANCTION)
    result = run("solve", str(src), "-o", str(tmp_path / "plan.xlsx"), "--set", "Policy!3=off", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_cost"] == pytest.approx(1110)


def test_lifting_the_example_s_russia_sanction_costs_what_its_rules_sheet_says() -> None:
    """The bundled example's Russia exclusion (Policy row 2) costs 325,884.21 EUR (README, and the Rules sheet's
    optimum without it: 23,777,028.93 - 325,884.21 = 23,451,144.72). Switched off, the optimum is that; switched
    on again, 23,777,028.93."""
    example = Path(__file__).resolve().parents[1] / "inputs" / "example.xlsx"
    off, _ = planner.load(example, overrides=["Policy!2=off"])
    assert solve(off, rule_costs=False).total_cost == pytest.approx(23_451_144.72, abs=0.01)
    again, _ = planner.load(example, overrides=["Policy!2=off", "Policy!2=on"])
    assert solve(again, rule_costs=False).total_cost == pytest.approx(23_777_028.93, abs=0.01)


POLICY_HEADER = {"Policy": ["rule", "item", "group", "value", "active"]}


def test_a_rule_switched_off_is_warned_about_and_listed_in_run_and_rules_sheets(tmp_path: Path) -> None:
    """A plan made without the sanction says so: a warning, a Run-sheet line and a Rules-sheet row `off`."""
    said = "Policy row 3 (exclude country:C2 on A) is switched off: not applied"
    book = write_workbook(tmp_path / "active.xlsx", {**SANCTION, "Policy": [["max_share", None, "C1", 0.6, "on"],
                                                                           ["exclude", "A", "C2", None, "off"]]},
                          headers=POLICY_HEADER)
    _, warnings = planner.read(book)
    assert [str(w) for w in warnings] == [said]
    src = write_workbook(tmp_path / "base.xlsx", SANCTION)
    _, warnings = planner.load(src, overrides=["Policy!3=off"])
    assert [str(w) for w in warnings] == [said]
    table = csv_file(tmp_path / "lift.csv", "policy_row,active\n3,off\n")
    assert [str(w) for w in planner.load(src, [table])[1]] == [said]
    assert planner.load(src, overrides=["Policy!3=off", "Policy!3=on"])[1] == []  # on again: nothing to say
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(src), "-o", str(out), "--set", "Policy!3=off")
    assert result.returncode == 0, result.stderr
    assert said in result.stderr
    wb = openpyxl.load_workbook(out)
    run_sheet = [(r[0].value, r[1].value) for r in wb["Run"].iter_rows(min_row=2)]
    assert ("rule switched off: Policy row 3", "Policy!A3 exclude country:C2 on A: not applied") in run_sheet
    assert ("warning", said) in run_sheet
    rules = wb["Rules"]
    header = [c.value for c in rules[1]]
    body = [dict(zip(header, [c.value for c in r])) for r in rules.iter_rows(min_row=2, max_row=3)]
    assert [(r["policy_row"], r["rule"], r["active"], r["cost_of_rule"]) for r in body] == [
        (2, "max_share", "on", pytest.approx(80)), (3, "exclude", "off", None)]
    assert body[1]["note"] == "switched off: not applied (switch it on with --set Policy!3=on)"


def test_a_v1_workbook_s_own_active_column_is_ignored_but_a_switch_typo_is_an_error(tmp_path: Path) -> None:
    """Contract v1 ignores extra columns: an `Active` column of the workbook's own (no on/off entry in it) is
    ignored with a warning and every rule holds (1230, the sanction on). A column that holds on/off entries
    switches rules, and an entry that is not one is a typo: exit 2."""
    own = write_workbook(tmp_path / "own.xlsx", {**SANCTION, "Policy": [["max_share", None, "C1", 0.6, "x"],
                                                                       ["exclude", "A", "C2", None, "reviewed 2024"]]},
                         headers={"Policy": ["rule", "item", "group", "value", "Active"]})
    data, warnings = planner.read(own)
    assert [r.row for r in data.rules] == [2, 3] and data.inactive_rules == ()
    assert [str(w) for w in warnings] == [
        "Policy!E1 (active): holds no on/off entry ('x', 'reviewed 2024'): read as a column of the workbook's own "
        "and ignored, so every rule is on; write on or off in it to switch rules, or rename it to keep it apart"]
    assert solve(data).total_cost == pytest.approx(1230)
    typo = write_workbook(tmp_path / "typo.xlsx", {**SANCTION, "Policy": [["max_share", None, "C1", 0.6, "on"],
                                                                         ["exclude", "A", "C2", None, "of"]]},
                          headers=POLICY_HEADER)
    with pytest.raises(planner.InputError) as caught:
        planner.read(typo)
    assert [str(p) for p in caught.value.problems] == [
        "Policy!E3 (active): 'of' is neither on nor off (also yes/no, true/false, 1/0)"]
    result = run("validate", str(own))
    assert result.returncode == 0, result.stderr


def test_a_policy_table_with_an_item_column_is_a_policy_table(tmp_path: Path) -> None:
    """`policy_row` names only Policy rows: with an `item` column (a note) the table still lifts the sanction
    (1110), and says the column is ignored."""
    table = csv_file(tmp_path / "lift.csv", "policy_row,item,active\n3,A,off\n")
    data, warnings = planner.load(write_workbook(tmp_path / "base.xlsx", SANCTION), [table])
    assert [r.row for r in data.inactive_rules] == [3]
    assert solve(data).total_cost == pytest.approx(1110)
    assert "lift.csv!1:1: columns ignored in a Policy update (it sets active, value): item" in map(str, warnings)


@pytest.mark.parametrize("text, message", [
    ("Policy!D2=off", "--set Policy!D2=off: 'off' is not a value: Policy!D2 sets the rule's value; to switch the "
                      "rule write Policy!2=off or Policy!2.active=off"),
    ("Policy!2.value=off", "--set Policy!2.value=off: 'off' is not a value: Policy!2.value sets the rule's value; "
                           "to switch the rule write Policy!2=off or Policy!2.active=off"),
    ("Policy!D3=off", "--set Policy!D3=off: 'off' is not a value: Policy!D3 sets the rule's value; to switch the "
                      "rule write Policy!3=off or Policy!3.active=off"),
    ("Policy!3=yes", "--set Policy!3=yes: 'yes' is not a plain number; to switch the rule write "
                     "Policy!3.active=yes (or Policy!3=on)"),
    ("Policy!2=false", "--set Policy!2=false: 'false' is not a plain number; to switch the rule write "
                       "Policy!2.active=false (or Policy!2=off)"),
])
def test_the_value_column_takes_values_and_says_how_to_switch(tmp_path: Path, text: str, message: str) -> None:
    """Policy!D7 is Policy!7.value when D is the value column: `off` there is refused as `.value=off` is."""
    src = write_workbook(tmp_path / "b.xlsx", SANCTION)
    data, _ = planner.read(src)
    with pytest.raises(planner.InputError) as caught:
        planner.apply_changes(data, overrides=[text])
    assert [str(p) for p in caught.value.problems] == [message]
    assert [r.value for r in planner.apply_changes(data, overrides=["Policy!D2=0.7"])[0].rules] == [0.7, None]


def test_a_value_set_while_a_rule_is_off_holds_once_it_is_on(tmp_path: Path) -> None:
    """off, value 0.4, on: the cap holds at 0.4. A: S1 40 at 10 + S2 60 at 12 = 400 + 720 = 1120; B: S2 10 at
    3 = 30. Total 1150. The Run sheet lists the three overrides of one row, in order."""
    label = "Policy!A2 max_share country:C1 {} on every item"
    data = load(tmp_path, overrides=("Policy!2=off", "Policy!2=0.4", "Policy!2=on"))
    assert [r.value for r in data.rules] == [0.4] and data.inactive_rules == ()
    assert data.source.changes == (
        ("override Policy!2", f"off (was on) {label.format(0.6)}"),
        ("override Policy!2", f"value 0.4 (was 0.6) in {label.format(0.6)}"),
        ("override Policy!2", f"on (was off) {label.format(0.4)}"))
    plan = solve(data)
    assert plan.total_cost == pytest.approx(1150)
    assert not check_plan(data, plan.quantities)
    assert [(k, v) for k, v in plan.run.items() if k.startswith("override")] == [
        ("override Policy!2", f"off (was on) {label.format(0.6)}"),
        ("override Policy!2 (2)", f"value 0.4 (was 0.6) in {label.format(0.6)}"),
        ("override Policy!2 (3)", f"on (was off) {label.format(0.4)}")]


def test_an_update_table_and_set_on_one_row(tmp_path: Path) -> None:
    """The table applies first (off, value 0.7), then --set switches the rule on: the cap holds at 0.7.
    A: S1 70 at 10 + S2 30 at 12 = 1060; B 30: 1090. The other order (--set 0.5 after the table's 0.7) keeps
    the last value: at 0.5, A: S1 50 at 10 + S2 50 at 12 = 1100; B 30: 1130."""
    table = csv_file(tmp_path / "policy.csv", "policy_row,active,value\n2,off,0.7\n")
    data = load(tmp_path, table, overrides=("Policy!2=on",))
    assert [r.value for r in data.rules] == [0.7]
    assert solve(data).total_cost == pytest.approx(1090)
    label = "Policy!A2 max_share country:C1 {} on every item"
    assert [(k, v) for k, v in run_info_of(data) if k.startswith(("update", "override"))] == [
        ("update policy.csv", f"Policy: 1 row(s) changed, 0 added; file policy.csv, SHA-256 {sha(table)}"),
        ("update policy.csv!A2", f"value 0.7 (was 0.6) in {label.format(0.6)}"),
        ("update policy.csv!A2 (2)", f"off (was on) {label.format(0.7)}"),
        ("override Policy!2", f"on (was off) {label.format(0.7)}")]
    later = load(tmp_path, table, overrides=("Policy!2=on", "Policy!2=0.5"))
    assert solve(later).total_cost == pytest.approx(1130)


def run_info_of(data: planner.PlanningData) -> list[tuple[str, object]]:
    from planner.pipeline import run_info

    return list(run_info(data).items())


def test_console_changes_have_one_sign_convention() -> None:
    """Changes are signed in every console table (batch, frontier, diff); no change is +0.00, never -0.00."""
    from planner.console import change, money

    assert [change(v) for v in (1234, -1234, 0.0, -0.0, -0.004, None, float("nan"))] == [
        "+1,234.00", "-1,234.00", "+0.00", "+0.00", "+0.00", "", ""]
    assert [money(v) for v in (1234.5, None, float("nan"))] == ["1,234.50", "", ""]


def test_batch_money_carries_no_float_noise(tmp_path: Path) -> None:
    """3 t at 0.1 is 0.30000000000000004 in floats, and at 0.2 0.6000000000000001: the summary and the JSON
    report 0.3, 0.6 and a change of 0.3 (12 significant digits, `planner.results.reported`), as `solve --json`
    reports its total_cost."""
    from helpers import countries

    write_workbook(tmp_path / "tiny.xlsx", {"Items": [["A", 3, "t"]], "Suppliers": [["S1", "C1", None, None]],
                                            "Countries": countries("C1"), "Offers": [["A", "S1", 0.1]]})
    csv_file(tmp_path / "p.csv", "item,supplier,price\nA,S1,0.2\n")
    runs = csv_file(tmp_path / "runs.csv", "name,base,updates,output\na,tiny.xlsx,,a.xlsx\nb,tiny.xlsx,p.csv,b.xlsx\n")
    result = run("batch", str(runs), "-o", str(tmp_path / "summary.xlsx"), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["runs"]
    assert [(r["total_cost"], r["change_vs_first"]) for r in rows] == [(0.3, 0.0), (0.6, 0.3)]
    sheet = openpyxl.load_workbook(tmp_path / "summary.xlsx")["Batch"]
    header = [c.value for c in sheet[1]]
    assert [sheet.cell(row=r, column=header.index("total_cost") + 1).value for r in (2, 3)] == [0.3, 0.6]
    assert sheet.cell(row=3, column=header.index("change_vs_first") + 1).value == 0.3
    single = run("solve", str(tmp_path / "tiny.xlsx"), "-o", str(tmp_path / "one.xlsx"), "--json")
    assert json.loads(single.stdout)["total_cost"] == 0.3


def test_reported_rounds_to_twelve_significant_digits() -> None:
    from planner.results import reported

    assert reported(99300.00000000001) == 99300.0
    assert reported(99.99999999998545, 99400.0) == 100.0
    assert str(reported(-4e-12, 2e7)) == "0.0"  # no -0.0
    assert reported(22139499.37) == 22139499.37 and reported(0.0123456789012345) == 0.01234567890123
    assert reported(None) is None and reported(float("inf")) == float("inf")
