"""Reading workbooks: the contract's tolerances, and every kind of bad input with its exact message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

import planner
from helpers import countries, patch_cell_xml, qty, solve_file, write_workbook
from planner.model.registry import LISTED_RULE_KINDS

BASE = {
    "Items": [["A", 100, "t"]],
    "Suppliers": [["S1", "C1"], ["S2", "C2"]],
    "Countries": countries("C1", "C2"),
    "Offers": [["A", "S1", 10], ["A", "S2", 12]],
}


def book(tmp_path: Path, name: str = "in.xlsx", **sheets) -> Path:
    return write_workbook(tmp_path / name, {**BASE, **sheets})


def errors_of(path: Path) -> list[str]:
    with pytest.raises(planner.InputError) as caught:
        planner.read(path)
    return [str(p) for p in caught.value.problems]


# ---- what must be accepted -------------------------------------------------

def test_tables_and_plain_ranges_give_the_same_plan(tmp_path: Path) -> None:
    plain = solve_file(book(tmp_path, "plain.xlsx"))[1]
    tables = solve_file(write_workbook(tmp_path / "tables.xlsx", BASE, tables=list(BASE)))[1]
    assert plain.total_cost == tables.total_cost == pytest.approx(1000)


def test_table_not_at_a1_with_totals_row(tmp_path: Path) -> None:
    """An Excel Table placed at C3 with a totals row: its header row is the header, the totals row is not data."""
    path = book(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Items"]
    ws.delete_rows(1, 2)
    ws["C3"], ws["D3"] = "Item", "Demand"
    ws["C4"], ws["D4"] = "A", 100
    ws["C5"], ws["D5"] = "Total", 100
    table = openpyxl.worksheet.table.Table(displayName="Items", ref="C3:D5", totalsRowCount=1)
    ws.add_table(table)
    wb.save(path)
    data, _ = planner.read(path)
    assert list(data.items) == ["A"] and data.items["A"].row == 4


def test_header_matching_is_tolerant_and_extra_columns_and_sheets_warn(tmp_path: Path) -> None:
    headers = {"Offers": [" ITEM ", "Supplier", "Price", "Min Order", "comment"]}
    path = write_workbook(tmp_path / "h.xlsx", {**BASE, "Offers": [["A", "S1", 10, 0, "x"], ["A", "S2", 12, 0, ""]]},
                          headers=headers)
    wb = openpyxl.load_workbook(path)
    wb["Items"].title = " items "
    wb.create_sheet("Notes")
    wb.save(path)
    data, warnings = planner.read(path)
    assert data.offers["A", "S1"].price == 10
    texts = [str(w) for w in warnings]
    assert "Offers!1:1: columns ignored (not part of the input format): comment (E)" in texts
    assert "sheets ignored (not part of the input format): Notes" in texts


def test_numeric_ids_and_text_numbers(tmp_path: Path) -> None:
    """Item 1001 typed as a number is the id '1001'; ' 42 ' as text is the number 42, with a warning."""
    path = book(tmp_path, Items=[[1001, " 100 ", "t"]], Offers=[[1001, "S1", "10"], ["1001", "S2", 12]],
                Suppliers=[["S1", "C1"], ["S2", 7]], Countries=countries("C1", "7"))
    data, warnings = planner.read(path)
    assert data.items["1001"].demand == 100
    assert data.suppliers["S2"].country == "7"
    assert "Items!B2 (demand): text ' 100 ' read as the number 100" in [str(w) for w in warnings]
    assert "Offers!C2 (price): text '10' read as the number 10" in [str(w) for w in warnings]
    _, plan = solve_file(path)
    assert qty(plan, "1001", "S1") == 100


def test_blank_rows_skipped_and_defaults(tmp_path: Path) -> None:
    path = book(tmp_path, Offers=[["A", "S1", 10, None, None, None], [None, None, None], ["A", "S2", 12, 5, 0, 1]])
    data, _ = planner.read(path)
    s1 = data.offers["A", "S1"]
    assert (s1.capacity, s1.min_order, s1.freight) == (float("inf"), 0, 0)
    assert data.offers["A", "S2"].row == 4


def test_formula_read_through_its_stored_value(tmp_path: Path) -> None:
    path = book(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Items"]["B2"] = "=50*2"
    wb.save(path)
    patch_cell_xml(path, 1, "B2", '<c r="B2"><f>50*2</f><v>100</v></c>')
    data, _ = planner.read(path)
    assert data.items["A"].demand == 100


def test_settings(tmp_path: Path) -> None:
    path = book(tmp_path, Settings=[["Currency", "USD"], ["time limit", 5], ["mip_gap", 0.01]])
    data, _ = planner.read(path)
    assert data.settings == planner.Settings("USD", 5.0, 0.01)


def test_input_file_is_never_modified(tmp_path: Path) -> None:
    from helpers import sha

    path = book(tmp_path)
    before = (sha(path), path.stat().st_mtime_ns)
    solve_file(path)
    assert (sha(path), path.stat().st_mtime_ns) == before


# ---- what must be refused, each with its message -------------------------

@pytest.mark.parametrize("sheets, expected", [
    ({"Items": [["A", "abc"]]}, "Items!B2 (demand): 'abc' is not a plain number (write it as a number, without "
     "thousands separators, currency or units; the locale is never guessed)"),
    ({"Items": [["A", "1,250.5"]]}, "Items!B2 (demand): '1,250.5' is not a plain number"),
    ({"Items": [["A", "1.250,5"]]}, "Items!B2 (demand): '1.250,5' is not a plain number"),
    ({"Items": [["A", "12 t"]]}, "Items!B2 (demand): '12 t' is not a plain number"),
    ({"Items": [["A", "€12"]]}, "Items!B2 (demand): '€12' is not a plain number"),
    ({"Items": [["A", None]]}, "Items!B2 (demand): is blank; a number is required"),
    ({"Items": [["A", True]]}, "Items!B2 (demand): TRUE is a TRUE/FALSE value, not a number"),
    ({"Items": [["A", dt.datetime(2025, 1, 2)]]}, "Items!B2 (demand): 2025-01-02 00:00:00 is a date or time, not a number"),
    ({"Items": [["A", "inf"]]}, "Items!B2 (demand): 'inf' is not a plain number"),
    ({"Offers": [["A", "S1", -3], ["A", "S2", 12]]}, "Offers!C2 (price): -3 is negative"),
    ({"Items": [["A", 100], ["A", 5]]}, "Items!A3 (item): 'A' appears again (first in row 2)"),
    ({"Suppliers": [["S1", "C1"], ["S2", "C9"]]}, "Suppliers!B3 (country): 'C9' is not listed in Countries"),
    ({"Suppliers": [["S1", "C1"], ["S2", "c2"]]}, "Suppliers!B3 (country): 'c2' is not listed in Countries (did you mean 'C2'?)"),
    ({"Offers": [["A", "S1", 10], ["A", "S3", 12]]}, "Offers!B3 (supplier): 'S3' is not listed in Suppliers"),
    ({"Offers": [["B", "S1", 10], ["A", "S2", 12]]}, "Offers!A2 (item): 'B' is not listed in Items"),
    ({"Offers": [["A", "S1", 10], ["A", "S1", 12]]}, "Offers!B3 (supplier): offer of 'S1' for 'A' appears again (first in row 2)"),
    ({"Offers": [["A", "S1", None], ["A", "S2", 12]]}, "Offers!C2 (price): is blank; a number is required"),
    ({"Policy": [["max_share", None, "C1", 1.5]]}, "Policy!D2 (value): 1.5 is not a share in [0, 1] (write 30 % as 0.3)"),
    ({"Policy": [["max_share", None, "C1", None]]}, "Policy!D2 (value): max_share needs a value: a share of demand in [0, 1]"),
    ({"Policy": [["max share", None, "C9", 0.5]]}, "Policy!C2 (group): 'C9' is not a country, bloc or supplier, nor one of "
     "'each country', 'each supplier', 'each bloc'"),
    ({"Policy": [["cap", None, "C1", 0.5]]}, f"Policy!A2 (rule): 'cap' is not a rule; use one of {', '.join(LISTED_RULE_KINDS)}"),
    ({"Policy": [["max_share", "B", "C1", 0.5]]}, "Policy!B2 (item): 'B' is not listed in Items"),
    ({"Policy": [["exclude", None, None, None]]}, "Policy!C2 (group): is blank; a value is required"),
    ({"Policy": [["exclude", None, "country:C9", None]]}, "Policy!C2 (group): country 'C9' is not listed in Countries"),
    ({"Scenarios": [["s", None, "each country", 0]]}, "Scenarios!C2 (group): 'each country' cannot be used here; "
     "name one country, bloc or supplier"),
    ({"Scenarios": [["s", None, "C1", 2]]}, "Scenarios!D2 (availability): 2 is not a share in [0, 1] (write 30 % as 0.3)"),
    ({"Settings": [["time_limit", 0]]}, "Settings!B2 (value): time_limit must be greater than 0"),
    ({"Settings": [["mip_gap", 0.1], ["mip gap", 0.2]]}, "Settings!A3 (setting): 'mip_gap' is set again (first in row 2)"),
    ({"Items": []}, "Items: has no rows below the header"),
])
def test_each_bad_cell_is_named(tmp_path: Path, sheets, expected) -> None:
    messages = errors_of(book(tmp_path, **sheets))
    assert any(m.startswith(expected) for m in messages), messages


def test_ambiguous_group_asks_for_the_prefix(tmp_path: Path) -> None:
    path = book(tmp_path, Suppliers=[["S1", "C1"], ["EU", "C2"]], Countries=countries("C1", "C2", blocs={"C1": "EU"}),
                Offers=[["A", "S1", 10], ["A", "EU", 12]], Policy=[["max_share", None, "EU", 0.5]])
    assert errors_of(path) == ["Policy!C2 (group): 'EU' is both a bloc and a supplier; write 'bloc:EU' or 'supplier:EU'"]


def test_missing_sheet_and_column(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "m.xlsx", {"Items": BASE["Items"], "Suppliers": BASE["Suppliers"],
                                                "Offers": [["A", "S1"]]}, headers={"Offers": ["item", "supplier"]})
    messages = errors_of(path)
    assert "Countries: required sheet is missing (sheets found: Items, Suppliers, Offers)" in messages
    assert any(m.startswith("Offers!1:1 (price): required column is missing from the header row") for m in messages)


def test_formula_without_value_and_error_value(tmp_path: Path) -> None:
    path = book(tmp_path, Offers=[["A", "S1", "=5+5"], ["A", "S2", 12]])
    patch_cell_xml(path, 4, "C3", '<c r="C3" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    messages = errors_of(path)
    assert "Offers!C2 (price): formula =5+5 has no stored value (open and save the file in Excel first)" in messages
    assert "Offers!C3 (price): holds the Excel error value #DIV/0!" in messages


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = book(tmp_path, Items=[["A", -1], ["A", 5]], Offers=[["A", "S1", "x"], ["A", "S9", 1]],
                Policy=[["max_share", None, "nowhere", 2]])
    assert errors_of(path) == [
        "Items!B2 (demand): -1 is negative",
        "Items!A3 (item): 'A' appears again (first in row 2)",
        "Offers!C2 (price): 'x' is not a plain number (write it as a number, without thousands separators, "
        "currency or units; the locale is never guessed)",
        "Offers!B3 (supplier): 'S9' is not listed in Suppliers",
        "Policy!C2 (group): 'nowhere' is not a country, bloc or supplier, nor one of 'each country', "
        "'each supplier', 'each bloc'",
        "Policy!D2 (value): 2 is not a share in [0, 1] (write 30 % as 0.3)",
    ]


@pytest.mark.parametrize("name, content, expected", [
    ("plan.csv", b"item,demand\n", "is text (.csv), not an .xlsx workbook"),
    ("broken.xlsx", b"not a zip\x00\x01", "not a readable .xlsx workbook: it is not a zip archive"),
    ("empty.xlsx", b"", "is empty (0 bytes)"),
])
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert any(expected in m for m in errors_of(path))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert any("file not found" in m for m in errors_of(tmp_path / "nope.xlsx"))
    folder = tmp_path / "dir.xlsx"
    folder.mkdir()
    assert any("is a folder, not a workbook" in m for m in errors_of(folder))


def test_template_dropdowns_warn_where_the_reader_accepts_more(tmp_path: Path) -> None:
    """The rule and setting dropdowns list one spelling, but the reader ignores case, spaces and underscores:
    Excel must let `Max Share` through with a warning that says so, not refuse it."""
    from planner.cli import main

    template = tmp_path / "template.xlsx"
    assert main(["template", str(template)]) == 0
    wb = openpyxl.load_workbook(template)
    found = {}
    for sheet in ("Policy", "Settings"):
        for dv in wb[sheet].data_validations.dataValidation:
            found[sheet, str(dv.sqref).split(":")[0]] = dv
    rule, setting, group = found["Policy", "A2"], found["Settings", "A2"], found["Policy", "C2"]
    assert (rule.errorStyle, rule.showErrorMessage) == ("warning", True)
    assert rule.error == (f"rule is usually one of: {', '.join(LISTED_RULE_KINDS)}. The planner ignores "
                          "case, spaces and underscores (Max Share = max_share): keep your entry if it is one of "
                          "these; the planner reports anything else.")
    assert (setting.errorStyle, setting.showErrorMessage) == ("warning", True)
    assert "(Time Limit = time_limit)" in setting.error
    # `active` names every entry the reader takes, not just the two listed
    active = found["Policy", "E2"]
    assert (active.errorStyle, active.showErrorMessage) == ("warning", True)
    assert all(word in active.error for word in ("on", "off", "yes/no", "true/false", "1/0", "any case"))
    assert all(len(dv.error) <= 225 for dv in (rule, setting, active))  # Excel's limit for the message
    assert group.showErrorMessage is False  # any id is a group: the list only suggests
    # what the warning lets through is read as the listed spelling
    data, _ = planner.read(book(tmp_path, Policy=[["Max Share", None, "C1", 0.6]], Settings=[["Time Limit", 5]]))
    assert data.rules[0].kind == "max_share" and data.settings.time_limit == 5
