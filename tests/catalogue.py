"""Malformed input workbooks, one builder each: the catalogue behind test_catalogue.py.

Every builder writes a file (or folder) into a folder and returns its path;
`CASES` pairs it with the exact error messages the planner must print.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from helpers import countries, patch_cell_xml, write_workbook

BASE = {
    "Items": [["A", 100, "t"], ["B", 10, "kg"]],
    "Suppliers": [["S1", "C1", 500, None], ["S2", "C2", None, 50]],
    "Countries": countries("C1", "C2", blocs={"C2": "EU"}),
    "Offers": [["A", "S1", 10, None, None, 1], ["A", "S2", 12], ["B", "S2", 4]],
    "Policy": [["max_share", None, "C1", 0.6]],
    "Scenarios": [["C1 stop", None, "C1", 0]],
}

Builder = Callable[[Path], Path]


def cells(**changes: list) -> Builder:
    """A workbook like BASE with some sheets' rows replaced."""
    return lambda folder: write_workbook(folder / "in.xlsx", {**BASE, **changes})


def without(sheet: str) -> Builder:
    return lambda folder: write_workbook(folder / "in.xlsx", {k: v for k, v in BASE.items() if k != sheet})


def header(sheet: str, names: list[str], rows: list[list]) -> Builder:
    return lambda folder: write_workbook(folder / "in.xlsx", {**BASE, sheet: rows}, headers={sheet: names})


def edited(edit: Callable[[openpyxl.Workbook], None], name: str = "in.xlsx") -> Builder:
    def build(folder: Path) -> Path:
        path = write_workbook(folder / "base.xlsx", BASE)
        wb = openpyxl.load_workbook(path)
        edit(wb)
        wb.save(folder / name)
        return folder / name
    return build


def raw_bytes(name: str, content: bytes | Callable[[Path], bytes]) -> Builder:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content(folder) if callable(content) else content)
        return path
    return build


def patched(sheet_number: int, cell: str, xml: str) -> Builder:
    def build(folder: Path) -> Path:
        path = write_workbook(folder / "in.xlsx", BASE)
        patch_cell_xml(path, sheet_number, cell, xml)
        return path
    return build


def _title_above(wb: openpyxl.Workbook) -> None:
    wb["Items"].insert_rows(1, 2)
    wb["Items"]["A1"] = "Demand 2026"


def _merge(wb: openpyxl.Workbook) -> None:
    ws = wb["Offers"]
    ws["A3"] = "A"
    ws.merge_cells("A2:A3")


def _valid_bytes(folder: Path) -> bytes:
    return write_workbook(folder / "valid.xlsx", BASE).read_bytes()


def _truncated(folder: Path) -> bytes:
    data = _valid_bytes(folder)
    return data[: len(data) // 2]


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def _with_entries(folder: Path, extra: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_valid_bytes(folder)))
    return _zip({**{n: source.read(n) for n in source.namelist()}, **extra})


def _bomb(folder: Path) -> bytes:
    return _with_entries(folder, {"xl/media/padding.bin": b"\0" * (64 * 1024 * 1024)})


def _many(folder: Path) -> bytes:
    return _with_entries(folder, {f"xl/media/n{k}.txt": b"x" for k in range(10_050)})


def _macro(folder: Path) -> bytes:
    return _with_entries(folder, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake macro storage"})


def _entities(folder: Path) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_valid_bytes(folder)))
    entries = {n: source.read(n) for n in source.namelist()}
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    entries["xl/workbook.xml"] = laughs + entries["xl/workbook.xml"]
    return _zip(entries)


def _ods(folder: Path) -> bytes:
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


def _folder(folder: Path) -> Path:
    path = folder / "input.xlsx"
    path.mkdir()
    return path


NOT_PLAIN = ("is not a plain number (write it as a number, without thousands separators, currency or units; "
             "the locale is never guessed)")

# (id, builder, exact error messages)
CASES: list[tuple[str, Builder, list[str]]] = [
    ("missing-sheet", without("Countries"),
     ["Countries: required sheet is missing (sheets found: Items, Suppliers, Offers, Policy, Scenarios)"]),
    ("missing-column", header("Offers", ["item", "supplier", "capacity"], [["A", "S1", 5]]),
     ["Offers!1:1 (price): required column is missing from the header row (headers found: item, supplier, capacity)"]),
    ("missing-demand-column", header("Items", ["item", "unit"], [["A", "t"]]),
     ["Items!1:1 (demand): required column is missing from the header row (headers found: item, unit)"]),
    ("empty-sheet", edited(lambda wb: wb["Items"].delete_rows(1, 10)),
     ["Items!1:1 (demand): required column is missing from the header row (headers found: none)",
      "Items!1:1 (item): required column is missing from the header row (headers found: none)"]),
    ("header-only", cells(Offers=[]), ["Offers: has no rows below the header"]),
    ("title-above-header", edited(_title_above),
     ["Items!3:3: the header is in row 3, not row 1: delete the rows above it, or make the range an Excel Table "
      "(Insert > Table)"]),
    ("merged-cells", edited(_merge),
     ["Offers!A2:A3: merged cells in the data: unmerge them and fill every cell (a merge keeps its value in the "
      "top-left cell only)"]),
    ("demand-text", cells(Items=[["A", "abc"], ["B", 10]]), [f"Items!B2 (demand): 'abc' {NOT_PLAIN}"]),
    ("thousands-separator", cells(Items=[["A", "1,250.5"], ["B", 10]]), [f"Items!B2 (demand): '1,250.5' {NOT_PLAIN}"]),
    ("german-decimal", cells(Items=[["A", "1.250,5"], ["B", 10]]), [f"Items!B2 (demand): '1.250,5' {NOT_PLAIN}"]),
    ("currency-sign", cells(Offers=[["A", "S1", "€12"], ["A", "S2", 12], ["B", "S2", 4]]),
     [f"Offers!C2 (price): '€12' {NOT_PLAIN}"]),
    ("unit-in-number", cells(Offers=[["A", "S1", 10, None, None, "3 $/t"], ["A", "S2", 12], ["B", "S2", 4]]),
     [f"Offers!F2 (freight): '3 $/t' {NOT_PLAIN}"]),
    ("negative-capacity", cells(Offers=[["A", "S1", 10, -5], ["A", "S2", 12], ["B", "S2", 4]]),
     ["Offers!D2 (capacity): -5 is negative"]),
    ("negative-tariff", cells(Countries=[["C1", "C1", "", -0.1], ["C2", "C2", "EU", 0]]),
     ["Countries!D2 (tariff): -0.1 is negative"]),
    ("boolean-fixed-cost", cells(Suppliers=[["S1", "C1", 500, True], ["S2", "C2", None, 50]]),
     ["Suppliers!D2 (fixed_cost): TRUE is a TRUE/FALSE value, not a number"]),
    ("date-min-order", cells(Offers=[["A", "S1", 10, None, dt.datetime(2026, 3, 1)], ["A", "S2", 12], ["B", "S2", 4]]),
     ["Offers!E2 (min_order): 2026-03-01 00:00:00 is a date or time, not a number"]),
    ("date-demand", cells(Items=[["A", dt.date(2026, 1, 5)], ["B", 10]]),
     ["Items!B2 (demand): 2026-01-05 00:00:00 is a date or time, not a number"]),
    ("text-infinity", cells(Suppliers=[["S1", "C1", "inf", None], ["S2", "C2", None, 50]]),
     [f"Suppliers!C2 (capacity): 'inf' {NOT_PLAIN}"]),
    ("number-too-large", cells(Suppliers=[["S1", "C1", 500, 1e300], ["S2", "C2", None, 50]]),
     ["Suppliers!D2 (fixed_cost): 1e+300 is larger than 1e+15, which the solver cannot tell from infinity (leave a "
      "capacity blank for unlimited; otherwise use larger units)"]),
    ("share-above-one", cells(Policy=[["max_share", None, "C1", 1.5]]),
     ["Policy!D2 (value): 1.5 is not a share in [0, 1] (write 30 % as 0.3)"]),
    ("percent-as-number", cells(Policy=[["min_coverage", None, None, 50]]),
     ["Policy!D2 (value): 50 is not a share in [0, 1] (write 30 % as 0.3)"]),
    ("share-as-typed", cells(Policy=[["max_share", None, "C1", 1.0000001]]),
     ["Policy!D2 (value): 1.0000001 is not a share in [0, 1] (write 30 % as 0.3)"]),
    ("share-as-typed-text", cells(Scenarios=[["C1 stop", None, "C1", "1.0000001"]]),
     ["Scenarios!D2 (availability): 1.0000001 is not a share in [0, 1] (write 30 % as 0.3)"]),
    ("negative-availability", cells(Scenarios=[["C1 stop", None, "C1", -0.2]]),
     ["Scenarios!D2 (availability): -0.2 is negative"]),
    ("mip-gap-above-one", cells(Settings=[["mip_gap", 2]]),
     ["Settings!B2 (value): 2 is not a share in [0, 1] (write 30 % as 0.3)"]),
    ("time-limit-zero", cells(Settings=[["time_limit", 0]]), ["Settings!B2 (value): time_limit must be greater than 0"]),
    ("time-limit-text", cells(Settings=[["time_limit", "fast"]]), [f"Settings!B2 (value): 'fast' {NOT_PLAIN}"]),
    ("formula-without-value", cells(Offers=[["A", "S1", "=5+5"], ["A", "S2", 12], ["B", "S2", 4]]),
     ["Offers!C2 (price): formula =5+5 has no stored value (open and save the file in Excel first)"]),
    ("excel-error-value", patched(4, "C3", '<c r="C3" t="e"><f>NA()</f><v>#N/A</v></c>'),
     ["Offers!C3 (price): holds the Excel error value #N/A"]),
    ("duplicate-item", cells(Items=[["A", 100], ["A", 5], ["B", 10]]),
     ["Items!A3 (item): 'A' appears again (first in row 2)"]),
    ("duplicate-supplier", cells(Suppliers=[["S1", "C1"], ["S1", "C2"], ["S2", "C2"]]),
     ["Suppliers!A3 (supplier): 'S1' appears again (first in row 2)"]),
    ("duplicate-country", cells(Countries=[["C1"], ["C2"], ["C2"]]),
     ["Countries!A4 (country): 'C2' appears again (first in row 3)"]),
    ("duplicate-offer", cells(Offers=[["A", "S1", 10], ["A", "S1", 11], ["A", "S2", 12], ["B", "S2", 4]]),
     ["Offers!B3 (supplier): offer of 'S1' for 'A' appears again (first in row 2)"]),
    ("dangling-supplier-country", cells(Suppliers=[["S1", "C1"], ["S2", "C9"]]),
     ["Suppliers!B3 (country): 'C9' is not listed in Countries"]),
    ("dangling-offer-item", cells(Offers=[["A", "S1", 10], ["A", "S2", 12], ["Z", "S2", 4]]),
     ["Offers!A4 (item): 'Z' is not listed in Items"]),
    ("dangling-offer-supplier", cells(Offers=[["A", "S1", 10], ["A", "s2", 12], ["B", "S2", 4]]),
     ["Offers!B3 (supplier): 's2' is not listed in Suppliers (did you mean 'S2'?)"]),
    ("dangling-policy-item", cells(Policy=[["max_share", "Z", "C1", 0.5]]), ["Policy!B2 (item): 'Z' is not listed in Items"]),
    ("dangling-policy-group", cells(Policy=[["exclude", None, "country:RU", None]]),
     ["Policy!C2 (group): country 'RU' is not listed in Countries"]),
    ("dangling-scenario-item", cells(Scenarios=[["s", "Z", "C1", 0]]), ["Scenarios!B2 (item): 'Z' is not listed in Items"]),
    ("dangling-scenario-group", cells(Scenarios=[["s", None, "Atlantis", 0]]),
     ["Scenarios!C2 (group): 'Atlantis' is not a country, bloc or supplier, nor one of 'each country', "
      "'each supplier', 'each bloc'"]),
    ("ambiguous-group", cells(Suppliers=[["S1", "C1"], ["S2", "C2"], ["EU", "C1"]], Policy=[["max_share", None, "EU", 0.5]]),
     ["Policy!C2 (group): 'EU' is both a bloc and a supplier; write 'bloc:EU' or 'supplier:EU'"]),
    ("unknown-rule", cells(Policy=[["cap", None, "C1", 0.5]]),
     ["Policy!A2 (rule): 'cap' is not a rule; use one of max_share, min_share, exclude, min_coverage"]),
    ("rule-without-value", cells(Policy=[["min_share", None, "C2", None]]),
     ["Policy!D2 (value): min_share needs a value: a share of demand in [0, 1]"]),
    ("each-in-scenario", cells(Scenarios=[["s", None, "each country", 0]]),
     ["Scenarios!C2 (group): 'each country' cannot be used here; name one country, bloc or supplier"]),
    ("blank-id", cells(Items=[[None, 100], ["B", 10]]),
     ["Items!A2 (item): is blank; a value is required",  # and so item A is missing for its offers:
      "Offers!A2 (item): 'A' is not listed in Items", "Offers!A3 (item): 'A' is not listed in Items"]),
    ("blank-price", cells(Offers=[["A", "S1", None], ["A", "S2", 12], ["B", "S2", 4]]),
     ["Offers!C2 (price): is blank; a number is required"]),
    ("xls-file", raw_bytes("in.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
     ["in.xls: is an Excel 97-2003 workbook (.xls) or another OLE2 file, not .xlsx: open it in Excel or LibreOffice "
      "and save it as .xlsx"]),
    ("xlsm-file", raw_bytes("in.xlsm", _valid_bytes),
     ["in.xlsm: is a macro-enabled workbook (.xlsm); the planner does not open files that can carry macros: save a "
      "copy as .xlsx (Excel Workbook)"]),
    ("macro-inside-xlsx", raw_bytes("in.xlsx", _macro),
     ["in.xlsx: carries macros (xl/vbaProject.bin); the planner does not open such files: save a copy as .xlsx "
      "(Excel Workbook) without macros"]),
    ("ods-file", raw_bytes("in.ods", _ods), ["in.ods: is an OpenDocument spreadsheet (.ods), not .xlsx: save it as .xlsx"]),
    ("csv-file", raw_bytes("in.csv", b"item,demand\nA,100\n"),
     ["in.csv: is text (.csv), not an .xlsx workbook: the input must be a workbook with the sheets Items, Suppliers, "
      "Countries, Offers (see 'planner template')"]),
    ("xlsx-renamed", raw_bytes("in.xlsb", _valid_bytes), ["in.xlsb: is an .xlsx workbook named '.xlsb': rename it to .xlsx"]),
    ("empty-file", raw_bytes("in.xlsx", b""), ["in.xlsx: is empty (0 bytes)"]),
    ("truncated-file", raw_bytes("in.xlsx", _truncated),
     ["in.xlsx: not a readable .xlsx workbook: the zip archive is damaged or truncated (File is not a zip file)"]),
    ("directory", _folder, ["input.xlsx: {folder}/input.xlsx is a folder, not a workbook"]),
    ("zip-bomb", raw_bytes("in.xlsx", _bomb),
     ["in.xlsx: would unpack to 920 times its size, above the limit of 200 (a zip bomb? raise it with --max-ratio)"]),
    ("too-many-entries", raw_bytes("in.xlsx", _many),
     ["in.xlsx: holds 10,064 zip entries, above the limit of 10,000 (raise it with --max-entries)"]),
    ("xml-entities", raw_bytes("in.xlsx", _entities),
     ["in.xlsx: refused: its XML declares entities or a DTD, which a workbook never needs (a possible XML entity "
      "attack)"]),
]
