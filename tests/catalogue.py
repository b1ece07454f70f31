"""Malformed input workbooks, one builder each: the catalogue behind test_catalogue.py.

Every builder writes a file (or folder) into a folder and returns its path;
`CASES` pairs it with the exact error messages the planner must print.
`COMMAND_CASES` does the same for the other files the planner reads (batch
tables, plans given to diff, update files): each builder returns the command
line. A path in `UNREADABLE` is one the user may not read: the tests make
opening it raise PermissionError (they run as root, who may read anything).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from helpers import HEADERS, PERIOD_HEADERS, TWO_STAGE_HEADERS, countries, patch_cell_xml, write_workbook
from planner.model.registry import LISTED_RULE_KINDS

BASE = {
    "Items": [["A", 100, "t"], ["B", 10, "kg"]],
    "Suppliers": [["S1", "C1", 500, None], ["S2", "C2", None, 50]],
    "Countries": countries("C1", "C2", blocs={"C2": "EU"}),
    "Offers": [["A", "S1", 10, None, None, 1], ["A", "S2", 12], ["B", "S2", 4]],
    "Policy": [["max_share", None, "C1", 0.6]],
    "Scenarios": [["C1 stop", None, "C1", 0]],
}

Builder = Callable[[Path], Path]
UNREADABLE: set[Path] = set()
CONTROL = ("holds the control character U+{code} (character {at}), which no workbook can hold (in Excel, _x0000_ and "
           "the like stand for one); text may hold tabs and line breaks, no other control characters")


def cells(**changes: list) -> Builder:
    """A workbook like BASE with some sheets' rows replaced."""
    return lambda folder: write_workbook(folder / "in.xlsx", {**BASE, **changes})


def periodic(**changes: list) -> Builder:
    """A workbook like BASE that plans the periods P1, P2, P3, its offer of S1 for A on route `sea` (lead time 1),
    with some sheets' rows replaced (Items, Offers, Policy and Scenarios with every column of several periods)."""
    sheets = {**BASE, "Items": [["A", 100, "t"], ["B", 10, "kg"]],
              "Offers": [["A", "S1", 10, None, None, 1, None, None, "sea"], ["A", "S2", 12], ["B", "S2", 4]],
              "Periods": [["P1"], ["P2"], ["P3"]], "Routes": [["sea", 1, 2, None]], **changes}
    return lambda folder: write_workbook(folder / "in.xlsx", sheets, headers=PERIOD_HEADERS)


def two_stage(**changes: list) -> Builder:
    """A workbook like BASE in the two-stage mode (Settings mode two_stage): Items with spot_price, spot_capacity
    and shortage_cost, Scenarios with probability (C1 stop at 0.1), some sheets' rows replaced."""
    sheets = {**BASE, "Items": [["A", 100, "t", 30, None, None], ["B", 10, "kg", None, None, 50]],
              "Scenarios": [["C1 stop", None, "C1", 0, 0.1]], "Settings": [["mode", "two_stage"]], **changes}
    return lambda folder: write_workbook(folder / "in.xlsx", sheets, headers=TWO_STAGE_HEADERS)


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


def unreadable(builder: Builder) -> Builder:
    """The file `builder` writes, made unreadable: chmod 000, and listed in UNREADABLE for the tests."""
    def build(folder: Path) -> Path:
        path = builder(folder)
        path.chmod(0)
        UNREADABLE.add(path)
        return path
    return build


def _with_rels(folder: Path, member: str, rels: dict[str, str], types: str = "") -> bytes:
    """A valid workbook plus `member`, with extra relationships of xl/workbook.xml (id -> type) to it and
    extra content types."""
    source = zipfile.ZipFile(io.BytesIO(_valid_bytes(folder)))
    entries = {n: source.read(n) for n in source.namelist()}
    links = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{member.split("/", 1)[1]}"/>'
                    for rid, kind in rels.items())
    entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", links.encode() + b"</Relationships>")
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(b"</Types>", types.encode() + b"</Types>")
    entries[member] = b"\xd0\xcf\x11\xe0 a VBA project by another name"
    return _zip(entries)


def _macro_by_relationship(folder: Path) -> bytes:
    return _with_rels(folder, "xl/macro1.bin", {"rId99": "http://schemas.microsoft.com/office/2006/relationships/vbaProject"})


def _macro_by_content_type(folder: Path) -> bytes:
    return _with_rels(folder, "xl/code.bin", {}, '<Override PartName="/xl/code.bin" '
                                                 'ContentType="application/vnd.ms-office.vbaProject"/>')


def _twice(folder: Path) -> bytes:
    """Two xl/worksheets/sheet1.xml (Items): the second says demand 999 where the first says 100."""
    source = zipfile.ZipFile(io.BytesIO(_valid_bytes(folder)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: that is the point
        for name in source.namelist():
            z.writestr(name, source.read(name))
        z.writestr("xl/worksheets/sheet1.xml", source.read("xl/worksheets/sheet1.xml").replace(b">100<", b">999<"))
    return out.getvalue()


def concatenated(first: bytes, second: bytes, comment: int = 100) -> bytes:
    """Two archives in one file, the second's end record claiming a comment of `comment` bytes that run past
    the end: Python's zipfile finds the second (the last end record), python-calamine fell back to the first."""
    content = bytearray(first + second)
    struct.pack_into("<H", content, content.rfind(b"PK\x05\x06") + 20, comment)
    return bytes(content)


def _two_archives(folder: Path) -> bytes:
    """A valid workbook, then one whose demand is text: the guard checks the second, and so must the readers."""
    second = write_workbook(folder / "second.xlsx", {**BASE, "Items": [["A", "999 (second archive)"], ["B", 10]]})
    return concatenated(_valid_bytes(folder), second.read_bytes())


def _backslash(folder: Path) -> bytes:
    """xl/worksheets/sheet1.xml, and a copy named with backslashes saying demand 999: one reader takes one."""
    source = zipfile.ZipFile(io.BytesIO(_valid_bytes(folder)))
    sheet = source.read("xl/worksheets/sheet1.xml").replace(b">100<", b">999<")
    return _with_entries(folder, {"xl\\worksheets\\sheet1.xml": sheet})


def moved_sheet(entries: dict[str, bytes], number: int, folder: str = "xl/ws") -> dict[str, bytes]:
    """`entries` with sheet `number` stored under `folder` instead of xl/worksheets/ (its relationships
    following): a valid package, and readers follow the workbook's relationship to it."""
    old = f"xl/worksheets/sheet{number}.xml"
    new = f"{folder}/sheet{number}.xml"
    out = {}
    for name, data in entries.items():
        if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            data = data.replace(f"/{old}".encode(), f"/{new}".encode()).replace(
                f'"worksheets/sheet{number}.xml"'.encode(), f'"/{new}"'.encode())
        out[{old: new, f"xl/worksheets/_rels/sheet{number}.xml.rels": f"{folder}/_rels/sheet{number}.xml.rels"}
            .get(name, name)] = data
    return out


def prefixed(sheet: bytes) -> bytes:
    """A sheet's XML with the spreadsheet namespace bound to the prefix x (`<x:worksheet>...<x:sheetData>`),
    as some generators write it: the same sheet to an XML parser."""
    import re

    sheet = sheet.replace(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                          b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    sheet = re.sub(rb"<(/?)(?!x:)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", sheet)
    return sheet.replace(b"<x:x:worksheet", b"<x:worksheet")


def _sheet_edit(number: int, edit: Callable[[bytes], bytes], move: bool = False) -> Builder:
    def build(folder: Path) -> Path:
        path = write_workbook(folder / "in.xlsx", BASE)
        name = f"xl/worksheets/sheet{number}.xml"
        return _rewritten(path, lambda e: (moved_sheet if move else lambda x, n: x)({**e, name: edit(e[name])}, number))
    return build


def _merged_offers(sheet: bytes) -> bytes:
    return sheet.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A3:A4"/></mergeCells>')


def _sheet_rels(folder: Path, kind: str, target: str, member: str) -> bytes:
    """A valid workbook whose first sheet has a relationship of `kind` to `target`, and the member it names."""
    rels = (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId9" Type="{kind}" Target="{target}"/></Relationships>').encode()
    return _with_entries(folder, {"xl/worksheets/_rels/sheet1.xml.rels": rels, member: b"\xd0\xcf\x11\xe0 payload"})


OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _huge_content_types(folder: Path) -> bytes:
    """[Content_Types].xml padded to 11 MB with a comment deflate cannot shrink much (so no ratio limit trips)."""
    import os

    source = zipfile.ZipFile(io.BytesIO(_valid_bytes(folder)))
    entries = {n: source.read(n) for n in source.namelist()}
    entries["[Content_Types].xml"] += b"<!--" + os.urandom(11 * 2**19 - 4).hex().encode() + b"-->"
    return _zip(entries)


def lying_header(workbook: bytes, name: str = "xl/worksheets/sheet1.xml", blanks: int = 8 * 1024 * 1024,
                 declared: int = 2400) -> bytes:
    """`workbook` with `name` inflating to its XML plus `blanks` blanks while both its zip headers declare
    `declared` bytes: what a zip bomb that lies about its size looks like."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    entries = {n: source.read(n) for n in source.namelist()}
    entries[name] += b" " * blanks
    content = bytearray(_zip(entries))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(name)
    struct.pack_into("<I", content, info.header_offset + 22, declared)  # the local header's size
    at = content.find(b"PK\x01\x02")
    while at != -1:  # and the central directory's
        length, extra, comment = struct.unpack("<HHH", content[at + 28:at + 34])
        if content[at + 46:at + 46 + length] == name.encode():
            struct.pack_into("<I", content, at + 24, declared)
        at = content.find(b"PK\x01\x02", at + 46 + length + extra + comment)
    return bytes(content)


def _renamed_sheet(old: str, new: str) -> Builder:
    """BASE with a copy of sheet `old` named `new`, which matches the same schema sheet."""
    def edit(wb: openpyxl.Workbook) -> None:
        wb.copy_worksheet(wb[old]).title = new
    return edited(edit)


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
    ("sheet-twice", _renamed_sheet("Items", "Items "),
     ["Items: sheets 'Items' and 'Items ' both match Items (sheet names are matched ignoring case, spaces and "
      "underscores): rename or delete all but one"]),
    ("sheet-twice-underscore", _renamed_sheet("Offers", "OFFERS_"),
     ["Offers: sheets 'Offers' and 'OFFERS_' both match Offers (sheet names are matched ignoring case, spaces and "
      "underscores): rename or delete all but one"]),
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
     ["Suppliers!D2 (fixed_cost): 1e+300 is too large: every number must be below 1e+15, the solver's limit (leave "
      "a capacity blank for unlimited; otherwise use larger units)"]),
    # HiGHS refuses a model holding a coefficient of 1e15 (large_matrix_value): with a fixed cost, demand is one
    ("demand-at-solver-limit", cells(Items=[["A", 1e15, "t"], ["B", 10, "kg"]]),
     ["Items!B2 (demand): 1e+15 is too large: every number must be below 1e+15, the solver's limit (leave a capacity "
      "blank for unlimited; otherwise use larger units)"]),
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
    ("formula-empty-string",  # as LibreOffice 7 saves =IF(1=1;"";5): a blank, not a missing value
     patched(1, "B3", '<c r="B3" s="0" t="str"><f aca="false">IF(1=1,&quot;&quot;,5)</f><v></v></c>'),
     ["Items!B3 (demand): is blank; a number is required"]),
    ("excel-error-value", patched(4, "C3", '<c r="C3" t="e"><f>NA()</f><v>#N/A</v></c>'),
     ["Offers!C3 (price): holds the Excel error value #N/A"]),
    # Excel writes a control character as _x0000_; the reader gives it back as the character, which no plan can hold
    ("nul-in-text", patched(3, "B2", '<c r="B2" t="inlineStr"><is><t>Chi_x0000_na</t></is></c>'),
     [f"Countries!B2 (name): {CONTROL.format(code='0000', at=4)}"]),
    ("control-in-id", patched(4, "B4", '<c r="B4" t="inlineStr"><is><t>S_x001F_2</t></is></c>'),
     [f"Offers!B4 (supplier): {CONTROL.format(code='001F', at=2)}"]),
    ("control-in-header", patched(3, "C1", '<c r="C1" t="inlineStr"><is><t>bl_x0007_ocs</t></is></c>'),
     [f"Countries!C1: the header {CONTROL.format(code='0007', at=3)}"]),
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
     [f"Policy!A2 (rule): 'cap' is not a rule; use one of {', '.join(LISTED_RULE_KINDS)}"]),
    ("rule-without-value", cells(Policy=[["min_share", None, "C2", None]]),
     ["Policy!D2 (value): min_share needs a value: a share of demand in [0, 1]"]),
    ("policy-without-group-column", header("Policy", ["rule", "item", "value"], [["max_share", "A", 0.5]]),
     ["Policy!2:2 (group): max_share needs a group: a country, bloc or supplier, or each country / each supplier / "
      "each bloc"]),  # the rule was dropped without a word before
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
    ("macro-by-relationship", raw_bytes("in.xlsx", _macro_by_relationship),
     ["in.xlsx: carries macros (xl/macro1.bin, a VBA project); the planner does not open such files: save a copy "
      "as .xlsx (Excel Workbook) without macros"]),
    ("macro-by-content-type", raw_bytes("in.xlsx", _macro_by_content_type),
     ["in.xlsx: carries macros (xl/code.bin, a VBA project); the planner does not open such files: save a copy "
      "as .xlsx (Excel Workbook) without macros"]),
    ("zip-entry-twice", raw_bytes("in.xlsx", _twice),
     ["in.xlsx: not a readable .xlsx workbook: the zip archive is damaged: it holds xl/worksheets/sheet1.xml "
      "twice, and readers disagree on which copy is the data"]),
    ("zip-header-lies", raw_bytes("in.xlsx", lambda folder: lying_header(_valid_bytes(folder))),
     ["in.xlsx: refused: xl/worksheets/sheet1.xml unpacks to more than the 2,400 bytes its zip header declares "
      "(a zip bomb, or a damaged file)"]),
    ("two-archives-in-one-file", raw_bytes("in.xlsx", _two_archives),
     [f"Items!B2 (demand): '999 (second archive)' {NOT_PLAIN}"]),
    ("zip-name-with-backslash", raw_bytes("in.xlsx", _backslash),
     ["in.xlsx: not a readable .xlsx workbook: the zip archive is damaged: it holds xl\\worksheets\\sheet1.xml, a "
      "name with a backslash, which no .xlsx part has (readers disagree on what it names)"]),
    ("sheet-outside-worksheets-error", _sheet_edit(4, lambda x: re.sub(
        rb'<c r="C3"[^>]*?(/>|>.*?</c>)', b'<c r="C3" t="e"><v>#REF!</v></c>', x), move=True),
     ["Offers!C3 (price): holds the Excel error value #REF!"]),
    ("sheet-outside-worksheets-formula", _sheet_edit(1, lambda x: re.sub(
        rb'<c r="B2"[^>]*?(/>|>.*?</c>)', b'<c r="B2"><f>SUM(Z1:Z9)</f></c>', x), move=True),
     ["Items!B2 (demand): formula =SUM(Z1:Z9) has no stored value (open and save the file in Excel first)"]),
    ("prefixed-sheet-merge", _sheet_edit(4, lambda x: prefixed(_merged_offers(x))),
     ["Offers!A3:A4: merged cells in the data: unmerge them and fill every cell (a merge keeps its value in the "
      "top-left cell only)"]),
    ("macro-in-a-sheets-relationships", raw_bytes("in.xlsx", lambda f: _sheet_rels(
        f, "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "../vba2.bin", "xl/vba2.bin")),
     ["in.xlsx: carries macros (xl/vba2.bin, a VBA project); the planner does not open such files: save a copy "
      "as .xlsx (Excel Workbook) without macros"]),
    ("activex-control", raw_bytes("in.xlsx", lambda f: _sheet_rels(
        f, f"{OFFICE_RELS}/control", "../activeX/activeX1.xml", "xl/activeX/activeX1.xml")),
     ["in.xlsx: carries an ActiveX control (xl/activeX/activeX1.xml); the planner does not open files with ActiveX "
      "controls or embedded OLE objects: save a copy without them"]),
    ("ole-object", raw_bytes("in.xlsx", lambda f: _sheet_rels(
        f, f"{OFFICE_RELS}/oleObject", "../embeddings/oleObject1.bin", "xl/embeddings/oleObject1.bin")),
     ["in.xlsx: carries an embedded OLE object (xl/embeddings/oleObject1.bin); the planner does not open files "
      "with ActiveX controls or embedded OLE objects: save a copy without them"]),
    ("package-part-too-large", raw_bytes("in.xlsx", _huge_content_types),
     ["in.xlsx: refused: [Content_Types].xml would unpack to 11 MB; the planner holds such a part whole and reads "
      "it only up to 10 MB (a real one is a few KB)"]),
    ("relationships-with-a-dtd", raw_bytes("in.xlsx", lambda f: _with_entries(f, {
        "xl/worksheets/_rels/sheet1.xml.rels": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY t "vbaProject">]>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
        b'Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/&t;" Target="../v.bin"/>'
        b'</Relationships>', "xl/v.bin": b"VBA"})),
     ["in.xlsx: refused: xl/worksheets/_rels/sheet1.xml.rels declares entities or a DTD, which a workbook never "
      "needs (a possible XML entity attack)"]),
    ("unreadable-file", unreadable(cells()), ["in.xlsx: cannot be read: permission denied ({folder}/in.xlsx)"]),
    # version 2 of the contract: tiers, currencies, tariffs, dates, unions, classes
    ("tier-break-repeated-unordered", cells(Tiers=[["A", "S1", 100, 9], ["A", "S1", 50, 9.5], ["A", "S1", 100.0, 8]]),
     ["Tiers!C4 (from_quantity): break 100 of the offer of 'S1' for 'A' appears again (first in row 2)"]),
    ("tier-break-repeated", cells(Tiers=[["A", "S1", 100, 9], ["A", "S1", 100, 8]]),
     ["Tiers!C3 (from_quantity): break 100 of the offer of 'S1' for 'A' appears again (first in row 2)"]),
    ("tier-break-zero", cells(Tiers=[["A", "S1", 0, 9]]),
     ["Tiers!C2 (from_quantity): a break must be above 0: the Offers price holds from 0 to the first break"]),
    ("tier-without-offer", cells(Tiers=[["B", "S1", 10, 3]]),
     ["Tiers!B2 (supplier): 'S1' has no offer for 'B' in Offers: a break belongs to an offer"]),
    ("tier-price-text", cells(Tiers=[["A", "S1", 10, "cheap"]]), [f"Tiers!D2 (price): 'cheap' {NOT_PLAIN}"]),
    ("currency-without-rate", header("Offers", [*HEADERS["Offers"], "discount", "currency"],
                                     [["A", "S1", 10, None, None, 1, None, "USD"], ["A", "S2", 12], ["B", "S2", 4]]),
     ["Offers!H2 (currency): 'USD' is not the base currency (EUR) and has no rate: list it in Currencies (the "
      "workbook has no such sheet) with its rate in EUR"]),
    ("currency-not-listed", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Offers": [["A", "S1", 10, None, None, 1, None, "CNY"], ["A", "S2", 12], ["B", "S2", 4]],
        "Currencies": [["USD", 0.92]]}, headers={"Offers": [*HEADERS["Offers"], "discount", "currency"]}),
     ["Offers!H2 (currency): 'CNY' is not the base currency (EUR) and has no rate: list it in Currencies with its "
      "rate in EUR"]),
    ("currency-rate-zero", cells(Currencies=[["USD", 0]]), ["Currencies!B2 (rate): a rate must be above 0"]),
    ("base-currency-rate", cells(Currencies=[["EUR", 1.1]]),
     ["Currencies!B2 (rate): EUR is the base currency (Settings currency): its rate is 1, not 1.1"]),
    ("discount-unknown", header("Offers", [*HEADERS["Offers"], "discount"],
                                [["A", "S1", 10, None, None, 1, "bulk"], ["A", "S2", 12], ["B", "S2", 4]]),
     ["Offers!G2 (discount): 'bulk' is not one of all_units, incremental"]),
    ("date-not-a-date", header("Policy", [*HEADERS["Policy"], "from", "to"], [["max_share", None, "C1", 0.6, "soon"]]),
     ["Policy!E2 (from): 'soon' is not a date (enter a date, or text as YYYY-MM-DD: 2026-03-31)"]),
    ("date-as-number", header("Policy", [*HEADERS["Policy"], "from", "to"], [["max_share", None, "C1", 0.6, 45000]]),
     ["Policy!E2 (from): 45000 is a number, not a date: format the cell as a date (as a date, Excel's day 45000 is "
      "2023-03-15), or write text as YYYY-MM-DD: 2026-03-31"]),
    ("date-true-false", header("Scenarios", [*HEADERS["Scenarios"], "from", "to"], [["C1 stop", None, "C1", 0, True]]),
     ["Scenarios!E2 (from): TRUE is a TRUE/FALSE value, not a date"]),
    ("date-impossible", header("Scenarios", [*HEADERS["Scenarios"], "from", "to"],
                               [["C1 stop", None, "C1", 0, None, "2026-02-30"]]),
     ["Scenarios!F2 (to): '2026-02-30' is not a date (enter a date, or text as YYYY-MM-DD: 2026-03-31)"]),
    ("from-after-to", header("Policy", [*HEADERS["Policy"], "from", "to"],
                             [["max_share", None, "C1", 0.6, dt.date(2026, 6, 1), dt.date(2026, 1, 1)]]),
     ["Policy!F2 (to): 2026-01-01 is before the row's from (2026-06-01)"]),
    ("plan-date-not-a-date", cells(Settings=[["plan_date", "tomorrow"]]),
     ["Settings!B2 (value): 'tomorrow' is not a date (enter a date, or text as YYYY-MM-DD: 2026-03-31)"]),
    ("plan-date-compact", cells(Settings=[["plan_date", "20270601"]]),
     ["Settings!B2 (value): '20270601' is not a date (enter a date, or text as YYYY-MM-DD: 2026-03-31)"]),
    ("union-unknown-part", cells(Policy=[["max_share", None, "C1 | Atlantis", 0.6]]),
     ["Policy!C2 (group): 'Atlantis' is not a country, bloc or supplier"]),
    ("union-with-each", cells(Policy=[["max_share", None, "bloc:EU | each country", 0.6]]),
     ["Policy!C2 (group): 'each country' cannot be part of a union: a union is one group made of named countries, "
      "blocs and suppliers"]),
    ("union-empty-part", cells(Scenarios=[["s", None, "C1 || C2", 0]]),
     ["Scenarios!C2 (group): 'C1 || C2' has an empty part: join groups with | as in bloc:CPTPP | bloc:MSP | "
      "country:UA"]),
    ("union-every-bad-part", cells(Policy=[["max_share", None, "C1 | supplier:S9 | Nope || each bloc", 0.6]]),
     ["Policy!C2 (group): 'C1 | supplier:S9 | Nope || each bloc' has an empty part: join groups with | as in "
      "bloc:CPTPP | bloc:MSP | country:UA",
      "Policy!C2 (group): supplier 'S9' is not listed in Suppliers",
      "Policy!C2 (group): 'Nope' is not a country, bloc or supplier",
      "Policy!C2 (group): 'each bloc' cannot be part of a union: a union is one group made of named countries, "
      "blocs and suppliers"]),
    ("scenario-every-problem", header("Scenarios", [*HEADERS["Scenarios"], "from", "to"],
                                      [["s", None, "Zed", 2, "2026-05-01", "2026-01-01"]]),
     ["Scenarios!C2 (group): 'Zed' is not a country, bloc or supplier, nor one of 'each country', 'each supplier', "
      "'each bloc'",
      "Scenarios!D2 (availability): 2 is not a share in [0, 1] (write 30 % as 0.3)",
      "Scenarios!F2 (to): 2026-01-01 is before the row's from (2026-05-01)"]),
    ("class-unknown", cells(Policy=[["max_share", "class:rare", "C1", 0.6]]),
     ["Policy!B2 (item): no item has the class 'rare' (no item has a class: give Items a class column)"]),
    ("class-misspelt", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Items": [["A", 100, "t", "critical"], ["B", 10, "kg"]],
        "Scenarios": [["s", "class:critcal", "C1", 0]]}, headers={"Items": [*HEADERS["Items"], "class"]}),
     ["Scenarios!B2 (item): no item has the class 'critcal' (did you mean 'critical'?)"]),
    ("class-name-missing", cells(Policy=[["max_share", "Class :", "C1", 0.6]]),
     ["Policy!B2 (item): 'Class :' names no class: a class name is missing (write class:NAME, NAME a class of the "
      "Items class column)"]),
    # the class of an Items row that is itself wrong is not reported again (as an id of a wrong row is not)
    ("class-of-a-bad-item", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Items": [["A", -1, "t", "crit"], ["B", 10, "kg"]], "Policy": [["max_share", "class:crit", "C1", 0.6]]},
        headers={"Items": [*HEADERS["Items"], "class"]}),
     ["Items!B2 (demand): -1 is negative"]),
    ("tariff-repeated", cells(Tariffs=[["C1", "A", 0.1], ["C1", "A", 0.2]]),
     ["Tariffs!B3 (item): a tariff on 'A' from 'C1' appears again (first in row 2)"]),
    ("tariff-unknown-country", cells(Tariffs=[["XX", None, 0.1]]),
     ["Tariffs!A2 (country): 'XX' is not listed in Countries"]),
    ("count-not-whole", cells(Policy=[["max_suppliers", "A", None, 2.5]]),
     ["Policy!D2 (value): 2.5 is not a whole number >= 1: max_suppliers counts suppliers"]),
    ("count-zero", cells(Policy=[["min_countries", None, "EU", 0]]),
     ["Policy!D2 (value): 0 is not a whole number >= 1: min_countries counts countries"]),
    ("count-without-value", cells(Policy=[["max_countries", "A", None, None]]),
     ["Policy!D2 (value): max_countries needs a value: a whole number >= 1"]),
    ("min-award-zero", header("Policy", [*HEADERS["Policy"], "active", "from", "to", "min_award"],
                              [["min_suppliers", "A", None, 2, None, None, None, 0]]),
     ["Policy!H2 (min_award): 0 is not in (0, 1]: each counted supplier delivers a share above 0 (write 5 % as "
      "0.05)"]),
    # the workbook's own bloc in another case: neither the built-in bloc (the workbook defines one of that name)
    # nor, as ids are case-sensitive, the workbook's
    ("bloc-case-variant", cells(Policy=[["max_share", None, "bloc:eu", 0.6]]),
     ["Policy!C2 (group): 'eu' is not a bloc of this workbook, whose Countries sheet defines the bloc 'EU' (bloc "
      "names are case-sensitive); the built-in EU is not used where the workbook defines a bloc of that name: "
      "write 'EU'"]),
    ("bloc-case-variant-unprefixed", cells(Countries=countries("C1", "C2", blocs={"C2": "eu"}),
                                           Scenarios=[["s", None, "C1 | EU", 0]]),
     ["Scenarios!C2 (group): 'EU' is not a bloc of this workbook, whose Countries sheet defines the bloc 'eu' "
      "(bloc names are case-sensitive); the built-in EU is not used where the workbook defines a bloc of that "
      "name: write 'eu'"]),
    ("min-award-above-one", header("Policy", [*HEADERS["Policy"], "min_award"], [["min_award", "A", None, 1.2]]),
     ["Policy!D2 (value): 1.2 is not in (0, 1]: min_award takes a number above 0 and at most 1 (write 30 % as "
      "0.3; an HHI of 2,500 on the 0-10,000 scale as 0.25)"]),
    ("max-hhi-on-its-own-scale", cells(Policy=[["max_hhi", "A", None, 2500]]),
     ["Policy!D2 (value): 2500 is not in (0, 1]: max_hhi takes a number above 0 and at most 1 (write 30 % as 0.3; "
      "an HHI of 2,500 on the 0-10,000 scale as 0.25)"]),
    # several periods (contract v2, section 2): Periods, Demand, Capacity, Prices, Routes, Expansions and the stock,
    # route and period columns
    ("period-repeated", periodic(Periods=[["P1"], ["P2"], ["P1"]]),
     ["Periods!A4 (period): 'P1' appears again (first in row 2)"]),
    ("demand-unknown-period", periodic(Demand=[["A", "P9", 5]]),
     ["Demand!B2 (period): 'P9' is not listed in Periods"]),
    ("demand-unknown-item", periodic(Demand=[["Z", "P1", 5]]),
     ["Demand!A2 (item): 'Z' is not listed in Items"]),
    ("demand-repeated", periodic(Demand=[["A", "P1", 5], ["A", "P1", 6]]),
     ["Demand!B3 (period): demand of 'A' in 'P1' appears again (first in row 2)"]),
    ("demand-without-periods", cells(Demand=[["A", "P1", 5]]),
     ['Demand: holds rows, but the workbook has no Periods sheet: Demand rows hold per period, so list the '
      'periods in a Periods sheet (a single period is one row), or delete the Demand sheet']),
    ("capacity-unknown-supplier", periodic(Capacity=[["SX", None, "P1", 5]]),
     ["Capacity!A2 (supplier): 'SX' is not listed in Suppliers"]),
    ("capacity-without-offer", periodic(Capacity=[["S1", "B", "P1", 5]]),
     ["Capacity!B2 (item): 'S1' has no offer for 'B' in Offers: leave item blank for the supplier's total"]),
    ("capacity-repeated-total", periodic(Capacity=[["S1", None, "P2", 5], ["S1", None, "P2", 7]]),
     ["Capacity!C3 (period): total capacity of 'S1' in 'P2' appears again (first in row 2)"]),
    ("capacity-without-periods", cells(Capacity=[["S1", None, "P2", 5]]),
     ['Capacity: holds rows, but the workbook has no Periods sheet: Capacity rows hold per period, so list '
      'the periods in a Periods sheet (a single period is one row), or delete the Capacity sheet']),
    ("prices-without-offer", periodic(Prices=[["S1", "B", "P1", 5]]),
     ["Prices!B2 (item): 'S1' has no offer for 'B' in Offers: a price belongs to an offer"]),
    ("prices-on-tiered-offer", periodic(Prices=[["S1", "A", "P1", 5]], Tiers=[["A", "S1", 50, 9]]),
     ["Prices!B2 (item): the offer of 'S1' for 'A' has Tiers rows, which price it in every period: a price "
      'by period cannot be combined with them (give the offer no Tiers rows, or no Prices rows)']),
    ("prices-unknown-period", periodic(Prices=[["S2", "A", "Q1", 5]]),
     ["Prices!C2 (period): 'Q1' is not listed in Periods"]),
    ("prices-repeated", periodic(Prices=[["S2", "A", "P3", 5], ["S2", "A", "P3", 6]]),
     ["Prices!C3 (period): price of the offer of 'S2' for 'A' in 'P3' appears again (first in row 2)"]),
    ("offer-route-unknown", periodic(Offers=[["A", "S1", 10, None, None, 1, None, None, "air"], ["A", "S2", 12],
                                             ["B", "S2", 4]]),
     ["Offers!I2 (route): 'air' is not listed in Routes"]),
    ("offer-route-without-routes", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Offers": [["A", "S1", 10, None, None, 1, None, None, "sea"], ["A", "S2", 12], ["B", "S2", 4]]},
        headers={"Offers": PERIOD_HEADERS["Offers"]}),
     ["Offers!I2 (route): 'sea' is not listed in Routes (the workbook has no such sheet)"]),
    ("route-lead-time-fraction", periodic(Routes=[["sea", 1.5, 2, None]]),
     ['Routes!B2 (lead_time): 1.5 is not a whole number of periods']),
    ("route-repeated", periodic(Routes=[["sea", 1, 2, None], ["sea", 2, 0, None]]),
     ["Routes!A3 (route): 'sea' appears again (first in row 2)"]),
    ("route-group-unknown", periodic(Policy=[["max_share", None, "route:air", 0.5]]),
     ["Policy!C2 (group): route 'air' is not listed in Routes"]),
    ("route-group-unknown-in-scenario", periodic(Scenarios=[["cut", None, "route:sea | route:rail", 0]]),
     ["Scenarios!C2 (group): route 'rail' is not listed in Routes"]),
    ("policy-period-unknown", periodic(Policy=[["max_share", None, "C1", 0.6, None, None, None, None, "P4"]]),
     ["Policy!I2 (period): 'P4' is not listed in Periods"]),
    ("policy-period-without-periods", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Policy": [["max_share", None, "C1", 0.6, None, None, None, None, "P1"]]},
        headers={"Policy": PERIOD_HEADERS["Policy"]}),
     ["Policy!I2 (period): 'P1' names a period, but the workbook has no Periods sheet: list the periods in "
      'a Periods sheet, or leave period blank']),
    ("scenario-periods-reversed", periodic(Scenarios=[["C1 stop", None, "C1", 0, None, None, "P3", "P2"]]),
     ["Scenarios!H2 (to_period): 'P2' is before the row's from_period ('P3') in the Periods order"]),
    ("scenario-period-without-periods", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Scenarios": [["C1 stop", None, "C1", 0, None, None, "P1", None]]},
        headers={"Scenarios": PERIOD_HEADERS["Scenarios"]}),
     ["Scenarios!G2 (from_period): 'P1' names a period, but the workbook has no Periods sheet: list the "
      'periods in a Periods sheet, or leave from_period blank']),
    ("expansion-unknown-supplier", periodic(Expansions=[["E1", "SX", None, 10, 5, 1, None]]),
     ["Expansions!B2 (supplier): 'SX' is not listed in Suppliers"]),
    ("expansion-without-offer", periodic(Expansions=[["E1", "S1", "B", 10, 5, 1, None]]),
     ["Expansions!C2 (item): 'S1' has no offer for 'B' in Offers: leave item blank to expand the "
      "supplier's total"]),
    ("expansion-every-problem", periodic(Expansions=[["E1", "S1", None, 0, -5, 0.5, "P7"]]),
     ['Expansions!D2 (capacity): 0 must be above 0',
      'Expansions!E2 (fixed_cost): -5 is negative',
      'Expansions!F2 (lead_time): 0.5 is not a whole number of periods',
      "Expansions!G2 (earliest): 'P7' is not listed in Periods"]),
    ("expansion-repeated", periodic(Expansions=[["E1", "S1", None, 10], ["E1", "S2", None, 10]]),
     ["Expansions!A3 (expansion): 'E1' appears again (first in row 2)"]),
    ("expansions-without-periods", cells(Expansions=[["E1", "S1", None, 10]]),
     ['Expansions: holds rows, but the workbook has no Periods sheet: Expansions rows hold per period, so '
      'list the periods in a Periods sheet (a single period is one row), or delete the Expansions sheet']),
    ("stock-above-max", periodic(Items=[["A", 100, "t", None, 60, 0, 50, 55], ["B", 10, "kg"]]),
     ['Items!E2 (initial_stock): 60 is above max_stock (50): the stock before the first period cannot be '
      'held',
      'Items!H2 (min_stock): 55 is above max_stock (50): the reserve every period must end with cannot be '
      'held']),
    ("lead-time-beyond-horizon", periodic(Routes=[["sea", 3, 0, None]]),
     ["Offers!I2 (route): the offer of 'S1' for 'A' travels on route 'sea', whose lead time of 3 periods "
      "(Routes!B2) is not shorter than the 3 periods planned: nothing ordered on it can arrive, and 'A' "
      'has no initial_stock']),
    ("demand-before-first-arrival", periodic(
        Offers=[["A", "S1", 10, None, None, 1, None, None, "sea"], ["A", "S2", 12, None, None, None, None, None,
                                                                     "sea"], ["B", "S2", 4]],
        Items=[["A", 100, "t", None, 50], ["B", 10, "kg"]]),
     ["Items!A2 (item): 'A' needs 100 by the end of period 'P1', but no offer can deliver before period "
      "'P2' (the shortest lead time of its offers is 1 period), and its initial_stock is 50: the demand "
      'cannot be met']),
    # a Periods sheet that cannot be read is reported once, not again by every sheet and cell that names a period
    ("periods-without-header", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Periods": [["P1"]], "Demand": [["A", "P1", 5]], "Policy": [["max_share", None, "C1", 0.6, None,
                                                                              None, None, None, "P1"]]},
        headers={"Periods": ["name"], "Policy": PERIOD_HEADERS["Policy"]}),
     ["Periods!1:1 (period): required column is missing from the header row (headers found: name)"]),
    # the two-stage mode (contract v2, section 3): settings, probabilities, spot market and shortage
    ("mode-unknown", cells(Settings=[["mode", "stochastic"]]),
     ["Settings!B2 (value): 'stochastic' is not one of deterministic, two_stage"]),
    ("risk-weight-above-one", cells(Settings=[["risk_weight", 1.5]]),
     ["Settings!B2 (value): 1.5 is not a share in [0, 1] (write 30 % as 0.3)"]),
    ("cvar-alpha-one", cells(Settings=[["cvar_alpha", 1]]),
     ["Settings!B2 (value): 1 is not in [0, 1): cvar_alpha is a level below 1 (0.9: CVaR is the expected cost of "
      "the worst 10 % of probability)"]),
    ("cvar-alpha-negative", cells(Settings=[["cvar_alpha", -0.1]]),
     ["Settings!B2 (value): -0.1 is negative"]),
    ("recourse-columns-bad", two_stage(Items=[["A", 100, "t", -1, "lots", -2], ["B", 10, "kg"]]),
     ["Items!D2 (spot_price): -1 is negative",
      "Items!E2 (spot_capacity): 'lots' is not a plain number (write it as a number, without thousands separators, "
      "currency or units; the locale is never guessed)",
      "Items!F2 (shortage_cost): -2 is negative"]),
    ("probability-not-a-share", two_stage(Scenarios=[["C1 stop", None, "C1", 0, 1.5], ["C2 cut", None, "C2", 0.5, -0.2]]),
     ["Scenarios!E2 (probability): 1.5 is not a share in [0, 1] (write 30 % as 0.3)",
      "Scenarios!E3 (probability): -0.2 is negative"]),
    ("probabilities-disagree", two_stage(Scenarios=[["C1 stop", None, "C1", 0, 0.1], ["C1 stop", "B", "C2", 0.5, None],
                                                     ["C1 stop", "A", "C2", 0.5, 0.2]]),
     ["Scenarios!E4 (probability): 0.2 disagrees with the probability of scenario 'C1 stop' in Scenarios!E2 (0.1): "
      "the rows of one scenario state one probability (leave it blank on the others)"]),
    # in the deterministic mode too: a probability written must make sense (0.7 + 0.5 = 1.2)
    ("probabilities-above-one", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Scenarios": [["C1 stop", None, "C1", 0, 0.7], ["C2 stop", None, "C2", 0, 0.5]]},
        headers=TWO_STAGE_HEADERS),
     ["Scenarios (probability): the probabilities of the scenarios add up to 1.2 ('C1 stop' 0.7, 'C2 stop' 0.5): "
      "they must add up to at most 1 (the rest is the probability of the baseline, in which nothing is "
      "disrupted)"]),
    ("probability-missing", two_stage(Scenarios=[["C1 stop", None, "C1", 0, 0.1], ["C2 cut", None, "C2", 0.5, None],
                                                  ["C2 cut", "A", "C1", 0.5, None]]),
     ["Scenarios!E3 (probability): scenario 'C2 cut' has no probability on any of its rows, but the mode is "
      "two_stage (Settings mode): every scenario needs one (0 for a scenario that should weigh nothing)"]),
    ("probability-column-missing", lambda folder: write_workbook(folder / "in.xlsx", {
        **BASE, "Scenarios": [["C1 stop", None, "C1", 0], ["C2 cut", None, "C2", 0.5]],
        "Settings": [["mode", "two_stage"]]}),
     ["Scenarios: has no probability column, but the mode is two_stage (Settings mode): every scenario needs a "
      "probability on at least one of its rows (scenarios 'C1 stop', 'C2 cut')"]),
    # every problem at once: periodic's Scenarios has no probability column either
    ("two-stage-with-periods", periodic(Settings=[["mode", "Two Stage"]]),
     ["Scenarios: has no probability column, but the mode is two_stage (Settings mode): every scenario needs a "
      "probability on at least one of its rows (scenarios 'C1 stop')",
      "Periods: holds rows, but the mode is two_stage (Settings mode): the two-stage mode plans a single period "
      "only in this version; delete the Periods sheet, or set mode to deterministic"]),
    ("two-stage-scenario-named-baseline", two_stage(Scenarios=[["Baseline", None, "C1", 0.5, 0.1]]),
     ["Scenarios!A2 (scenario): 'Baseline' is the name of the scenario in which nothing is disrupted in the "
      "two-stage mode (Settings mode): give this scenario another name"]),
]


# ---- the other files the planner reads: batch tables, plans given to diff, update files ----------------------

Command = Callable[[Path], list[str]]


def _batch_table(folder: Path) -> Path:
    write_workbook(folder / "in.xlsx", BASE)
    wb = openpyxl.Workbook()
    wb.active.append(["base", "output"])
    wb.active.append(["in.xlsx", "plan.xlsx"])
    wb.save(folder / "runs.xlsx")
    return folder / "runs.xlsx"


def _plan(folder: Path, name: str) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Plan"
    wb.active.append(["item", "supplier", "country", "quantity", "unit_cost", "cost"])
    wb.active.append(["A", "S1", "C1", 100, 10, 1000])
    wb.save(folder / name)
    return folder / name


def _rewritten(path: Path, change: Callable[[dict[str, bytes]], dict[str, bytes]]) -> Path:
    with zipfile.ZipFile(path) as source:
        entries = {n: source.read(n) for n in source.namelist()}
    path.write_bytes(_zip(change(entries)))
    return path


def _comment(megabytes: int) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    """A first sheet holding an XML comment of `megabytes` MB: tiny deflated, slow to parse."""
    def change(entries: dict[str, bytes]) -> dict[str, bytes]:
        sheet = entries["xl/worksheets/sheet1.xml"]
        at = sheet.index(b"<sheetData")
        entries["xl/worksheets/sheet1.xml"] = sheet[:at] + b"<!--" + b"x" * (megabytes * 1024 * 1024) + b"-->" + sheet[at:]
        return entries
    return change


def _lying(path: Path) -> Path:
    """`path` rewritten so that its first sheet's zip headers understate its size (see `lying_header`)."""
    path.write_bytes(lying_header(path.read_bytes()))
    return path


def _prices(folder: Path, price: object) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["item", "supplier", "price"])
    wb.active.append(["A", "S1", price])
    wb.save(folder / "prices.xlsx")
    return folder / "prices.xlsx"


def _each_sheet(edit: Callable[[bytes], bytes]) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    return lambda entries: {n: edit(d) if n.startswith("xl/worksheets/sheet") else d for n, d in entries.items()}


def _stray_row(entries: dict[str, bytes]) -> dict[str, bytes]:
    """A first sheet whose XML opens a `<row>` it never closes: openpyxl's read-only mode loads it, and its
    parse error comes out of `iter_rows`."""
    entries["xl/worksheets/sheet1.xml"] = entries["xl/worksheets/sheet1.xml"].replace(b"</sheetData>",
                                                                                   b"<row>\n</sheetData>")
    return entries


def batch(table: Callable[[Path], Path]) -> Command:
    return lambda folder: ["batch", str(table(folder)), "-o", str(folder / "summary.xlsx")]


def diff(old: Callable[[Path], Path], new: Callable[[Path], Path]) -> Command:
    return lambda folder: ["diff", str(old(folder)), str(new(folder)), "-o", str(folder / "diff.xlsx")]


def update(table: Callable[[Path], Path]) -> Command:
    def build(folder: Path) -> list[str]:
        base = write_workbook(folder / "in.xlsx", BASE)
        return ["solve", str(base), "--update", str(table(folder)), "-o", str(folder / "plan.xlsx")]
    return build


def overriding(*overrides: str) -> Command:
    """`planner solve` of BASE with `--set` overrides."""
    def build(folder: Path) -> list[str]:
        base = write_workbook(folder / "in.xlsx", BASE)
        return ["solve", str(base), *(a for o in overrides for a in ("--set", o)), "-o", str(folder / "plan.xlsx")]
    return build


def _text(name: str, text: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        (folder / name).write_text(text)
        return folder / name
    return build


LONG = "x" * 200_000  # over the csv module's field_size_limit (131,072)
MACROS = ("carries macros (xl/vbaProject.bin); the planner does not open such files: save a copy as .xlsx (Excel "
          "Workbook) without macros")
LIES = ("refused: xl/worksheets/sheet1.xml unpacks to more than the 2,400 bytes its zip header declares (a zip bomb, "
        "or a damaged file)")
TWICE = ("not a readable .xlsx workbook: the zip archive is damaged: it holds xl/worksheets/sheet1.xml twice, and "
         "readers disagree on which copy is the data")

# (id, command line builder, exact error messages)
COMMAND_CASES: list[tuple[str, Command, list[str]]] = [
    ("batch-table-bomb", batch(lambda f: _rewritten(_batch_table(f), _comment(20))),
     ["runs.xlsx: would unpack to 829 times its size, above the limit of 200 (a zip bomb? raise it with --max-ratio)"]),
    ("batch-table-header-lies", batch(lambda f: _lying(_batch_table(f))), [f"runs.xlsx: {LIES}"]),
    ("batch-table-macro", batch(lambda f: _rewritten(_batch_table(f), lambda e: {**e, "xl/vbaProject.bin": b"VBA"})),
     [f"runs.xlsx: {MACROS}"]),
    ("batch-table-long-field", batch(_text("runs.csv", f"base,output\nin.xlsx,{LONG}\n")),
     ["runs.csv!2:2: a field is longer than 131,072 characters, the most a CSV field may hold (is this the right "
      "file?)"]),
    ("batch-table-unreadable", batch(unreadable(_text("runs.csv", "base,output\nin.xlsx,plan.xlsx\n"))),
     ["runs.csv: cannot be read: permission denied ({folder}/runs.csv)"]),
    ("diff-plan-bomb", diff(lambda f: _plan(f, "old.xlsx"), lambda f: _rewritten(_plan(f, "new.xlsx"), _comment(20))),
     ["new.xlsx: would unpack to 826 times its size, above the limit of 200 (a zip bomb? raise it with --max-ratio)"]),
    ("diff-plan-header-lies", diff(lambda f: _lying(_plan(f, "old.xlsx")), lambda f: _plan(f, "new.xlsx")),
     [f"old.xlsx: {LIES}"]),
    ("diff-plan-macro", diff(lambda f: _plan(f, "old.xlsx"),
                             lambda f: _rewritten(_plan(f, "new.xlsx"), lambda e: {**e, "xl/vbaProject.bin": b"VBA"})),
     [f"new.xlsx: {MACROS}"]),
    ("diff-plan-unreadable", diff(unreadable(lambda f: _plan(f, "old.xlsx")), lambda f: _plan(f, "new.xlsx")),
     ["old.xlsx: cannot be read: permission denied ({folder}/old.xlsx)"]),
    ("diff-plan-is-text", diff(_text("old.csv", "item,supplier\n"), lambda f: _plan(f, "new.xlsx")),
     ["old.csv: is text (.csv), not an .xlsx workbook: a plan workbook written by 'planner solve' is expected"]),
    ("update-long-field", update(_text("prices.csv", f"item,supplier,price\nA,S1,9\nA,S2,{LONG}\n")),
     ["prices.csv!3:3: a field is longer than 131,072 characters, the most a CSV field may hold (is this the right "
      "file?)"]),
    ("update-unreadable", update(unreadable(_text("prices.csv", "item,supplier,price\nA,S1,9\n"))),
     ["prices.csv: cannot be read: permission denied ({folder}/prices.csv)"]),
    ("update-workbook-twice", update(raw_bytes("prices.xlsx", _twice)),
     [f"prices.xlsx: {TWICE}"]),
    ("update-prefixed-sheet", update(lambda f: _rewritten(_prices(f, "cheap"), _each_sheet(prefixed))),
     [f"prices.xlsx:Sheet!C2 (price): 'cheap' {NOT_PLAIN}"]),
    ("update-cdata", update(lambda f: _rewritten(_prices(f, 1), _each_sheet(lambda x: re.sub(
        rb'<c r="C2"[^>]*?(/>|>.*?</c>)', b'<c r="C2" t="inlineStr"><is><t><![CDATA[9<c r="Z9"/>9]]></t></is></c>', x)))),
     [f"prices.xlsx:Sheet!C2 (price): '9<c r=\"Z9\"/>9' {NOT_PLAIN}"]),
    ("update-nul", update(_text("names.csv", "country,name\nC1,Chi\x00na\n")),
     [f"names.csv!B2 (name): {CONTROL.format(code='0000', at=4)}"]),
    ("update-noncharacter", update(_text("names.csv", "country,name\nC1,Chi\ufffena\n")),
     ["names.csv!B2 (name): holds the character U+FFFE (character 4), which no workbook can hold (in Excel, _x0000_ "
      "and the like stand for one); text may hold tabs and line breaks, no other control characters"]),
    ("batch-table-nul", batch(_text("runs.csv", "base,output\nin.xlsx,pl\x00an.xlsx\n")),
     [f"runs.csv!B2 (output): {CONTROL.format(code='0000', at=3)}"]),
    ("batch-table-broken-sheet", batch(lambda f: _rewritten(_batch_table(f), _stray_row)),
     ["runs.xlsx:Sheet: is not a readable sheet: its XML is broken after row 2 (ParseError: mismatched tag: line 2, "
      "column 2)"]),
    # one reading of a date typed as text: YYYY-MM-DD, as the Settings cell takes it (plan-date-compact)
    ("set-plan-date-compact", overriding("plan_date=20270601"),
     ["--set plan_date=20270601: '20270601' is not a date: write it as YYYY-MM-DD"]),
    ("diff-plan-broken-sheet", diff(lambda f: _plan(f, "old.xlsx"), lambda f: _rewritten(_plan(f, "new.xlsx"), _stray_row)),
     ["new.xlsx:Plan: is not a readable sheet: its XML is broken after row 2 (ParseError: mismatched tag: line 2, "
      "column 2)"]),
]


# ---- valid input that only looks dangerous: text that a spreadsheet would take for a formula ------------------------
# Not errors (a name may start with '=' or '-'); every workbook the planner writes must keep them as text cells.

FORMULA_LIKE = ["=1+1", "=cmd|' /C calc'!A0", "+C2", "-EU", "@SUM(1)", "\tTAB", "=HYPERLINK(\"http://x\")",
                "a\rb"]


def formula_like_text(folder: Path) -> Path:
    """BASE with formula-like text as ids, names, blocs and scenario names, stored as text cells (as Excel stores
    `'=1+1`), so the planner reads them as text."""
    country, other, scenario = "=1+1", "+C2", "=cmd|' /C calc'!A0"
    sheets = {
        "Items": [["=SUM(A1)", 100, "@t"], ["B", 10, "-kg"]],
        "Suppliers": [["=HYPERLINK(\"http://x\")", country, 500, None], ["S2", other, None, 50]],
        "Countries": [[country, "\tTAB", "-EU", 0], [other, "a\rb", "@SUM(1)", 0]],
        "Offers": [["=SUM(A1)", "=HYPERLINK(\"http://x\")", 10, None, None, 1], ["=SUM(A1)", "S2", 12], ["B", "S2", 4]],
        "Policy": [["max_share", None, f"country:{country}", 0.6]],
        "Scenarios": [[scenario, None, f"country:{country}", 0]],
    }
    path = write_workbook(folder / "in.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"  # openpyxl took the text for a formula; Excel would store it as text
    wb.save(path)
    return path
