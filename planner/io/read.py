"""Read an input workbook into raw cells (step 1 of the pipeline).

Each sheet may be a plain range with its header in row 1, or hold one Excel
Table whose header row is the header. Sheet names and headers are matched by
`schema.normalize`. A formula cell is read through the value Excel stored for
it; openpyxl cannot give both in one pass, so the file is parsed twice: once
for formulas and tables, once for stored values. The file is read into memory
once and never opened for writing.
"""

from __future__ import annotations

import csv
import math
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.guard import GuardedWorkbook, ReadLimits, open_workbook, read_file
from planner.problems import ProblemLog
from planner.raw import RawCell, RawRow, RawSheet, RawWorkbook, match_header
from planner.schema import PLAIN_NUMBER, SHEETS, UPDATE_SPEC, SheetSpec, escaped, normalize, unwritable



def read_workbook(path: str | Path, log: ProblemLog, limits: ReadLimits | None = None) -> RawWorkbook | None:
    """Read every known sheet of `path`; problems go to `log`.

    Returns None when the file itself cannot be read (the reason is logged).
    """
    path = Path(path)
    book = open_workbook(path, log, limits)
    if book is None:
        return None
    plain = _values_only(book, log)
    if plain is not None:
        titles, read_sheet = plain
    else:
        loaded = _load(book, log)
        if loaded is None:
            return None
        formulas, values, xml = loaded
        titles = formulas.sheetnames

        def read_sheet(title: str, spec: SheetSpec) -> RawSheet | None:
            return _read_sheet(formulas[title], values[title], spec, log, xml=xml.get(title))

    by_key: dict[str, list[str]] = {}
    for title in titles:
        by_key.setdefault(normalize(title), []).append(title)
    sheets: dict[str, RawSheet] = {}
    for spec in SHEETS:
        found = by_key.pop(normalize(spec.name), [])
        if not found:
            if spec.required:
                log.error(spec.name, "", "", f"required sheet is missing (sheets found: {', '.join(titles)})")
            continue
        if len(found) > 1:  # reading either would silently drop the other's rows
            named = ", ".join(f"'{t}'" for t in found[:-1]) + f" and '{found[-1]}'"
            log.error(spec.name, "", "", f"sheets {named} {'both' if len(found) == 2 else 'all'} match {spec.name} "
                                         "(sheet names are matched ignoring case, spaces and underscores): rename "
                                         "or delete all but one")
            continue
        title = found[0]
        sheet = read_sheet(title, spec)
        if sheet is not None:
            sheets[spec.name] = sheet
    by_key.pop(normalize("README"), None)  # the template's own help sheet
    if by_key:
        ignored = [title for group in by_key.values() for title in group]
        log.warning("", "", "", f"sheets ignored (not part of the input format): {', '.join(ignored)}")
    digest = book.sha256
    return RawWorkbook(path=str(path), sha256=digest, sheets=sheets)


# What only a cell-by-cell read can report: merged cells, Excel Tables, error values, and formulas without a
# stored value. A workbook with none of them is read for its values alone (calamine). Hidden rows are found
# in the sheet's XML (`_hidden_rows`): with the cell-by-cell reader, one hidden row among a million empty
# formatted ones cost 60-94 s and 2.6 GB.
_HIDDEN_ROW = re.compile(rb'<row\b[^>]*\bhidden="(?:1|true)"')
_HIDDEN_ROW_NUMBER = re.compile(rb'<row\b(?=[^>]*\bhidden="(?:1|true)")[^>]*?\br="(\d+)"')
_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"')
_FORMULA_WITHOUT_VALUE = re.compile(rb'(?:<f\b[^>]*/>|</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')


def _formula_without_value(sheet_xml: bytes) -> bool:
    """Whether a formula cell has no stored value. A string-typed one (`t="str"`) with an empty value is a
    formula whose result is "" (LibreOffice writes `=IF(...;"";...)` so): a blank cell, read by values."""
    for found in _FORMULA_WITHOUT_VALUE.finditer(sheet_xml):
        start = sheet_xml.rfind(b"<c", 0, found.start())
        if b't="str"' not in sheet_xml[start:found.start()].split(b">", 1)[0]:
            return True
    return False


_ROOT = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*)?<([^\s/>]+)")
_MAIN_PREFIXED = re.compile(rb"""xmlns:[^\s=]+\s*=\s*["'](?:http://schemas\.openxmlformats\.org/spreadsheetml/2006/main|"""
                            rb"""http://purl\.oclc\.org/ooxml/spreadsheetml/main)["']""")


def _plain_sheet(sheet_xml: bytes, root_name: bytes = b"worksheet") -> bool:
    """Whether a worksheet's XML is written as Excel, LibreOffice and openpyxl write it, so that the byte
    patterns of `_needs_cells`, `_hidden_rows` and `_compact_sheet` mean what they are taken to: the root an
    unprefixed `<worksheet>`, the spreadsheet namespace bound to no prefix (`<x:sheetData>`, `<x:mergeCell>`,
    `<x:f>` would go unseen), and no CDATA section or comment (text that looks like markup, and is not). Any
    other sheet is read by openpyxl's full cell-by-cell reader, uncompacted. (`root_name`: the same test for
    the workbook part, whose `<sheet state="hidden">` is found so.)"""
    root = _ROOT.match(sheet_xml)
    return (root is not None and root.group(1) == root_name and _MAIN_PREFIXED.search(sheet_xml) is None
            and b"<![CDATA[" not in sheet_xml and b"<!--" not in sheet_xml)


def _needs_cells(sheet_xml: bytes) -> bool:
    """Whether a worksheet's XML holds what only the cell-by-cell reader reports (a plain substring test first:
    the regular expressions run only on sheets that may hold such a thing)."""
    return (b"<mergeCell" in sheet_xml
            or (b't="e"' in sheet_xml and _ERROR_CELL.search(sheet_xml) is not None)
            or (b"<f" in sheet_xml and _formula_without_value(sheet_xml)))


def _hidden_rows(sheet_xml: bytes) -> set[int] | None:
    """The numbers of the sheet's hidden (or filtered) rows; None if a hidden row carries no number (rows may
    leave `r` out, and only the cell-by-cell reader counts them then)."""
    if b'hidden="' not in sheet_xml:
        return set()
    numbers = {int(n) for n in _HIDDEN_ROW_NUMBER.findall(sheet_xml)}
    return numbers if len(numbers) == len(_HIDDEN_ROW.findall(sheet_xml)) else None

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

Bounds = tuple[int, int, int, int]  # header row, first column, last column, last row (as `_data_range`)


def _part(base: str, target: str) -> str:
    """A relationship's target as a member name of the archive."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.rsplit("/", 1)[0].split("/") if "/" in base else []
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _rels(archive: zipfile.ZipFile, member: str) -> dict[str, tuple[str, str]]:
    """A member's relationships: id -> (type, target member)."""
    from defusedxml import ElementTree

    folder, name = member.rsplit("/", 1) if "/" in member else ("", member)
    path = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if path not in archive.namelist():
        return {}
    return {r.get("Id", ""): (r.get("Type", ""), _part(member, r.get("Target", "")))
            for r in ElementTree.fromstring(archive.read(path)).iter(f"{_RELS}Relationship")}


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the archive member holding its XML."""
    from defusedxml import ElementTree

    book = _rels(archive, "xl/workbook.xml")
    return {sheet.get("name", ""): book.get(sheet.get(_REL_ID, ""), ("", ""))[1]
            for sheet in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")}


def _table_bounds(archive: zipfile.ZipFile) -> dict[str, list[Bounds | None]]:
    """Sheet title -> the bounds of each Excel Table on it (None for a table without a header row)."""
    from defusedxml import ElementTree

    out: dict[str, list[Bounds | None]] = {}
    for title, member in _sheet_members(archive).items():
        found: list[Bounds | None] = []
        for kind, target in _rels(archive, member).values():
            if not kind.endswith("/table") or target not in archive.namelist():
                continue
            table = ElementTree.fromstring(archive.read(target))
            if table.get("headerRowCount", "1") == "0":
                found.append(None)
                continue
            min_col, min_row, max_col, max_row = range_boundaries(table.get("ref", "A1"))
            found.append((min_row, min_col, max_col, max_row - int(table.get("totalsRowCount", "0") or 0)))
        out[title] = found
    return out
_HIDDEN_SHEET = re.compile(rb'<sheet\b[^>]*\bstate="(?:hidden|veryHidden)"')


def _values_only(book: GuardedWorkbook, log: ProblemLog) -> tuple[list[str], Callable[[str, SheetSpec], RawSheet | None]] | None:
    """(sheet titles, sheet reader) for a workbook whose cells say nothing beyond their values; else None.

    Such a workbook (the usual case) is read with python-calamine, many
    times faster than openpyxl on large sheets; the sheets come back as
    columns (`RawSheet.set_columns`). Anything else, or a file calamine
    cannot open, goes the cell-by-cell way, which reports each of those
    features with its cell.
    """
    try:
        import python_calamine  # noqa: F401 - only asked whether it is there
    except ImportError:
        return None
    hidden: dict[str, set[int]] = {}
    try:
        with book.members() as archive:
            names = archive.namelist()
            if "xl/workbook.xml" not in names:
                return None
            workbook_xml = archive.read("xl/workbook.xml")
            if not _plain_sheet(workbook_xml, b"workbook") or _HIDDEN_SHEET.search(workbook_xml):
                return None  # a hidden sheet is warned about by the cell-by-cell reader; <x:sheet> would hide one
            members = _sheet_members(archive)
            # the parts calamine reads as sheets are those the workbook's relationships name, wherever they are
            sheets = set(members.values()) | {n for n in names if n.startswith("xl/worksheets/")
                                              and n.endswith(".xml") and "/_rels/" not in n}
            if not sheets <= set(names):
                return None  # a sheet whose part is missing, or named otherwise: the cell-by-cell reader says
            for member in names:
                if not member.endswith((".xml", ".rels")):
                    continue
                part = archive.read(member)
                # a DTD or entity is refused by the cell-by-cell reader's parser (defusedxml), with its message
                if b"<!DOCTYPE" in part or b"<!ENTITY" in part:
                    return None
                if member in sheets:
                    if not _plain_sheet(part):
                        return None
                    rows = _hidden_rows(part)
                    if rows is None or _needs_cells(part):
                        return None
                    hidden[member] = rows
            tables = _table_bounds(archive)
        if any(len(found) > 1 or None in found for found in tables.values()):
            return None  # the cell-by-cell reader says which tables are in the way
        workbook = book.calamine()
    except Exception:  # noqa: BLE001 - the cell-by-cell reader then says what is wrong
        return None

    def read_sheet(title: str, spec: SheetSpec) -> RawSheet | None:
        try:
            rows = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - a message, not a traceback
            log.error(title, "", "", f"could not be read ({type(exc).__name__}: {exc})")
            return None
        table = tables.get(title) or [None]
        return _columns_sheet(rows, title, spec, log, table[0], hidden.get(members.get(title, ""), set()))

    return list(workbook.sheet_names), read_sheet


class _ValueGrid:
    """A sheet's values as rows of a list (python-calamine's shape): 1-based `value(row, column)`."""

    def __init__(self, rows: list[list[object]]) -> None:
        self.rows = rows
        self.max_row = len(rows)
        self.max_column = max((len(r) for r in rows), default=0)

    def value(self, row: int, column: int) -> object:
        if row > self.max_row or column > len(self.rows[row - 1]):
            return None
        value = self.rows[row - 1][column - 1]
        return None if value == "" else value


def _columns_sheet(rows: list[list[object]], title: str, spec: SheetSpec, log: ProblemLog,
                   table: Bounds | None = None, hidden: set[int] | frozenset[int] = frozenset()) -> RawSheet | None:
    """A values-only sheet as a `RawSheet` of columns: the Excel Table's range, or the header in row 1.
    `hidden`: the sheet's hidden rows, of which those holding data are warned about."""
    grid = _ValueGrid(rows)
    header_row, first_col, last_col, last_row = table or (1, 1, max(grid.max_column, 1), grid.max_row)
    columns = _header(grid, title, spec, header_row, first_col, last_col, table is None and spec.name != "Update", log)
    if columns is None:
        return None
    sheet = RawSheet(name=title, spec_name=spec.name, header_row=header_row, columns=columns)
    data = rows[header_row:last_row]
    values: dict[str, list[object]] = {}
    for key, letter in columns.items():
        at = openpyxl.utils.column_index_from_string(letter) - 1
        column = [r[at] if at < len(r) else None for r in data]
        kinds = set(map(type, column))
        if str in kinds:  # calamine gives an empty cell as ""
            column = [None if type(v) is str and v == "" else v for v in column]
        if dt.date in kinds:  # openpyxl gives date cells as datetime
            column = [dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v for v in column]
        values[key] = column
    sheet.fill_columns(values, header_row + 1, whole_as_int=True)
    if hidden and sheet.numbers is not None:
        _warn_hidden(title, [n for n in sheet.numbers if n in hidden], log)
    return sheet


def _warn_hidden(name: str, hidden: list[int], log: ProblemLog) -> None:
    """Hidden rows are data someone entered: read, with a warning naming them."""
    if hidden:
        rows = ", ".join(str(r) for r in hidden[:10]) + (f" and {len(hidden) - 10} more" if len(hidden) > 10 else "")
        log.warning(name, f"{hidden[0]}:{hidden[-1]}", "", f"hidden or filtered rows {rows} are read like the others")


def _load(book: GuardedWorkbook, log: ProblemLog) -> tuple[Workbook, Workbook, dict[str, _SheetXml]] | None:
    """The workbook twice, with formulas and tables and with the values Excel stored, from its sheets'
    XML compacted (`_compacted`), and what the compaction found per sheet title."""
    book, xml = _compacted(book)
    formulas = load_openpyxl(book, log, data_only=False)
    values = load_openpyxl(book, log, data_only=True) if formulas is not None else None
    return None if formulas is None or values is None else (formulas, values, xml)


@dataclass(frozen=True)
class _SheetXml:
    """What `_compacted` took out of a sheet's XML, for `_read_sheet`."""

    merged: tuple[str, ...]  # the ranges of its <mergeCell>s
    rows: tuple[int, ...] | None  # the rows that hold a cell, ascending; None when rows or cells are unnumbered


_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*>")
_MERGE_CELLS = re.compile(rb"<mergeCells\b[^>]*?(?:/>|>.*?</mergeCells>)", re.S)
_MERGE_REF = re.compile(rb'<mergeCell\b[^>]*?\bref="([^"]+)"')
_UNNUMBERED = re.compile(rb'<(?:c|row)(?=[\s/>])(?![^>]*\br=")')
_EMPTY = re.compile(rb'<row\b[^>]*?(?:/>|>(?:\s*<c\s[^>]*/>)*\s*</row>)|<c\s[^>]*/>')  # a row or cell with nothing
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')


def _compacted(book: GuardedWorkbook) -> tuple[GuardedWorkbook, dict[str, _SheetXml]]:
    """The workbook with every sheet's XML cut down to the cells that hold something, for openpyxl.

    openpyxl makes an object for every cell and row a sheet lists, values
    or not, and for every cell a merged range covers: a million empty
    formatted rows cost 2.6 GB, and one merge of A1:XFD1048576 would ask
    for 17 billion cells. So cells without a value or formula (`<c .../>`)
    and rows left without cells are dropped (when every row and cell is
    numbered, so that nothing moves), and merges are taken out and handed
    to `_read_sheet` as ranges. Any surprise leaves the workbook as it is.
    """
    try:
        with book.members() as archive:
            members = _sheet_members(archive)
            names = set(archive.namelist())
            replaced: dict[str, bytes] = {}
            found: dict[str, _SheetXml] = {}
            for title, member in members.items():
                if member not in names:
                    continue
                xml = archive.read(member)
                if not _plain_sheet(xml):
                    continue  # read as it is, every row visited (`_plain_sheet`)
                compact, found[title] = _compact_sheet(xml)
                if compact is not xml:
                    replaced[member] = compact
    except Exception:  # noqa: BLE001 - openpyxl then reads the file as it is, and says what is wrong with it
        return book, {}
    return (book.with_members(replaced) if replaced else book), found


def _compact_sheet(xml: bytes) -> tuple[bytes, _SheetXml]:
    """A sheet's XML without merges, empty cells and empty rows (see `_compacted`), and what was taken out."""
    merged: tuple[str, ...] = ()
    out = xml
    if b"<mergeCells" in xml:
        merged = tuple(ref.decode() for ref in _MERGE_REF.findall(xml))
        out = _MERGE_CELLS.sub(b"", xml)
    opening = _SHEET_DATA.search(out)
    end = out.rfind(b"</sheetData>")
    if opening is None:
        return out, _SheetXml(merged, None)  # no <sheetData> as such: every row is visited
    if end < opening.end():
        return out, _SheetXml(merged, ())  # <sheetData/>: no rows at all
    start = opening.end()
    if _UNNUMBERED.search(out, start, end):
        return out, _SheetXml(merged, None)
    pieces, at = [out[:start]], start
    for empty in _EMPTY.finditer(out, start, end):
        if empty.start() > at:  # adjacent empties add no piece: a million empty rows cost no million copies
            pieces.append(out[at:empty.start()])
        at = empty.end()
    if at == start:
        return out, _SheetXml(merged, tuple(sorted({int(n) for n in _ROW_NUMBER.findall(out, start, end)})))
    pieces.append(out[at:])
    compact = b"".join(pieces)
    return compact, _SheetXml(merged, tuple(sorted({int(n) for n in _ROW_NUMBER.findall(compact)})))


def load_openpyxl(book: GuardedWorkbook, log: ProblemLog, *, data_only: bool, read_only: bool = False) -> Workbook | None:
    """openpyxl's view of a guarded workbook, or None with what it tripped on logged against the file."""
    try:
        return book.openpyxl(data_only=data_only, read_only=read_only)
    except Exception as exc:  # noqa: BLE001 - whatever the parser trips on, the file is unreadable
        log_unreadable(book.name, exc, log)
        return None


def log_unreadable(name: str, exc: BaseException, log: ProblemLog) -> None:
    """What openpyxl tripped on while loading, logged against the file (a sheet that breaks later, as its rows
    are read in read-only mode, is `broken_sheet`'s)."""
    if _defused(exc):
        log.error(name, "", "", "refused: its XML declares entities or a DTD, which a workbook never needs "
                                "(a possible XML entity attack)")
    else:
        log.error(name, "", "", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})")


def load_values(book: GuardedWorkbook, log: ProblemLog) -> Workbook | None:
    """The stored values of a small table workbook (a batch table, a plan), read-only, or None (logged).

    The sheets are cut to their cells that hold something (`_compacted`),
    and their `<dimension>` is ignored: openpyxl's read-only mode would pad
    every row out to the width and height it claims (A1:XFD1048576 is 17
    billion cells).
    """
    wb = load_openpyxl(_compacted(book)[0], log, data_only=True, read_only=True)
    for ws in wb.worksheets if wb is not None else ():
        ws.reset_dimensions()
    return wb


def broken_sheet(label: str, rows_read: int, exc: BaseException, log: ProblemLog) -> None:
    """Log that a sheet read in read-only mode broke off: openpyxl parses such a sheet as its rows are asked
    for, so a parse error in its XML comes out of `iter_rows`, after the file was loaded (`load_values`)."""
    if _defused(exc):
        log.error(label, "", "", "refused: its XML declares entities or a DTD, which a workbook never needs "
                                 "(a possible XML entity attack)")
    else:
        log.error(label, "", "", f"is not a readable sheet: its XML is broken after row {rows_read} "
                                 f"({type(exc).__name__}: {exc})")


def _defused(exc: BaseException | None) -> bool:
    """Whether defusedxml refused the XML (openpyxl may wrap its exception in another)."""
    while exc is not None:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def read_update_file(path: str | Path, log: ProblemLog, limits: ReadLimits | None = None
                     ) -> tuple[str, list[RawSheet]] | None:
    """An update file's tables and its SHA-256: a CSV is one table, each sheet of an .xlsx one table.

    Sheets are named `prices.csv` or `prices.xlsx:Offers` in messages. In a
    CSV every cell is text: plain decimal numbers become numbers (that is how
    CSV writes them), anything else stays text for the validator to judge.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        content = read_file(path, log, limits, what="update file")
        if content is None:
            return None
        digest = hashlib.sha256(content).hexdigest()
        if not content.strip():
            return digest, []
        sheet = _csv_table(path.name, content, log)
        return None if sheet is None else (digest, [sheet])
    if suffix != ".xlsx":
        if read_file(path, log, limits, what="update file") is None:
            return None
        log.error(path.name, "", "", f"an update file must be .csv or .xlsx, got '{path.suffix or 'no extension'}'")
        return None
    book = open_workbook(path, log, limits, expect=UPDATE_FILE)
    loaded = _load(book, log) if book is not None else None
    if book is None or loaded is None:
        return None
    digest = book.sha256
    formulas, values, xml = loaded
    tables = []
    for title in formulas.sheetnames:
        if formulas[title].max_row <= 1 and formulas[title].max_column <= 1 and formulas[title]["A1"].value is None:
            continue  # an empty sheet updates nothing
        sheet = _read_sheet(formulas[title], values[title], UPDATE_SPEC, log, label=f"{path.name}:{title}",
                            xml=xml.get(title))
        if sheet is not None:
            tables.append(sheet)
    return digest, tables


def read_text_table(path: str | Path, log: ProblemLog, limits: ReadLimits | None = None
                    ) -> tuple[str, list[tuple[int, dict[str, str]]]] | None:
    """A small table of text (a batch table): CSV, or the first sheet of an .xlsx, header in row 1.

    Returns (name for messages, [(row number, normalised column -> text)]), blank rows left out.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        content = read_file(path, log, limits)
        found = _csv_rows(path.name, content.decode("utf-8-sig", errors="replace"), log) if content is not None else None
        if found is None:
            return None
        lines = found
    elif suffix == ".xlsx":
        book = open_workbook(path, log, limits, expect=BATCH_TABLE)
        wb = load_values(book, log) if book is not None else None
        if wb is None:
            return None
        if not wb.worksheets:
            log.error(path.name, "", "", "holds no sheet")
            return None
        ws = wb.worksheets[0]
        lines = []
        try:
            for row in ws.iter_rows(values_only=True):
                lines.append(["" if v is None else str(v) for v in row])
        except Exception as exc:  # noqa: BLE001 - whatever the parser trips on, the sheet is unreadable
            broken_sheet(f"{path.name}:{ws.title}", len(lines), exc, log)
            return None
    else:
        if read_file(path, log, limits) is None:
            return None
        log.error(path.name, "", "", f"expected a .csv or .xlsx table, got '{path.suffix or 'no extension'}'")
        return None
    if not lines:
        log.error(path.name, "", "", "is empty")
        return None
    unreadable = [(r, c, text) for r, values in enumerate(lines, start=1) for c, text in enumerate(values, start=1)
                  if unwritable(text)]
    for r, c, text in unreadable:  # a NUL in a name or a path would end in a corrupt summary or a failed open
        column = lines[0][c - 1] if r > 1 and c <= len(lines[0]) and not unwritable(lines[0][c - 1]) else ""
        log.error(path.name, f"{get_column_letter(c)}{r}", normalize(column).replace(" ", "_"),
                  f"{'the header ' if r == 1 else ''}{unwritable(text)}", escaped(text))
    if unreadable:
        return None
    header = [normalize(h).replace(" ", "_") for h in lines[0]]
    rows = []
    for number, values in enumerate(lines[1:], start=2):
        row = {key: (values[i] if i < len(values) else "") for i, key in enumerate(header) if key}
        if any(v.strip() for v in row.values()):
            rows.append((number, row))
    return path.name, rows


UPDATE_FILE = "an update file is a .csv, or an .xlsx whose every sheet is one table"
BATCH_TABLE = "a batch table is a .csv, or an .xlsx whose first sheet is the table"


def _csv_rows(name: str, text: str, log: ProblemLog) -> list[list[str]] | None:
    """A CSV's records, or None with the record it fails on logged (a field over the csv module's limit,
    a NUL byte): the csv module raises for those, and a raise here would be a traceback."""
    rows: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text)):
            rows.append(record)
    except csv.Error as exc:
        row = len(rows) + 1
        if "field limit" in str(exc):
            log.error(name, f"{row}:{row}", "", f"a field is longer than {csv.field_size_limit():,} characters, "
                                                "the most a CSV field may hold (is this the right file?)")
        else:
            log.error(name, f"{row}:{row}", "", f"is not a readable CSV file ({exc})")
        return None
    return rows


def _csv_table(name: str, content: bytes, log: ProblemLog) -> RawSheet | None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
        log.warning(name, "", "", "not UTF-8; read as Latin-1")
    rows = _csv_rows(name, text, log)
    if rows is None:
        return None
    header = rows[0] if rows else []
    columns = match_header(name, 1, enumerate(header, start=1), UPDATE_SPEC, log, "not update columns")
    sheet = RawSheet(name=name, spec_name="Update", header_row=1, columns=columns)
    positions = {key: openpyxl.utils.column_index_from_string(letter) - 1 for key, letter in columns.items()}
    for number, values in enumerate(rows[1:], start=2):
        cells = {}
        for key, pos in positions.items():
            raw = values[pos] if pos < len(values) else ""
            text_value = raw.strip()
            value: object = None if text_value == "" else (float(text_value) if PLAIN_NUMBER.fullmatch(text_value)
                                                          else raw)
            if isinstance(value, float) and not math.isfinite(value):
                # '1e309' is written like a number but no float holds it: refused here, on its cell, before an
                # infinite value can reach the model or a JSON message
                cells[key] = RawCell(None, f"{get_column_letter(pos + 1)}{number}",
                                     f"'{text_value}' is too large to be a number (the largest is about 1.8e308)")
                continue
            cells[key] = RawCell(value, f"{get_column_letter(pos + 1)}{number}")
        if any(c.value is not None for c in cells.values()):
            sheet.rows.append(RawRow(row=number, cells=cells))
    return sheet


def _data_range(ws: Worksheet, spec: SheetSpec, log: ProblemLog) -> tuple[int, int, int, int] | None:
    """(header_row, first_col, last_col, last_row) of the sheet's data."""
    tables = list(ws.tables.values())
    if len(tables) > 1:
        names = ", ".join(t.displayName for t in tables)
        log.error(ws.title, "", "", f"holds {len(tables)} Excel Tables ({names}); one table or a plain range is expected")
        return None
    if tables:
        table = tables[0]
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        max_row -= table.totalsRowCount or 0
        return min_row, min_col, max_col, max_row
    return 1, 1, max(ws.max_column, 1), ws.max_row


def _read_sheet(ws: Worksheet, ws_values: Worksheet, spec: SheetSpec, log: ProblemLog,
                label: str | None = None, xml: _SheetXml | None = None) -> RawSheet | None:
    """The sheet's rows keyed by `spec`'s columns; `label` names the sheet in messages (default its title).

    With `xml` (what `_compacted` took out of the sheet), the merges are its
    ranges and only the rows that hold a cell are visited: the work follows
    the cells there are, not the rows a file claims.
    """
    name = label or ws.title
    bounds = _data_range(ws, spec, log)
    if bounds is None:
        return None
    header_row, first_col, last_col, last_row = bounds
    columns = _header(_CellGrid(ws), name, spec, header_row, first_col, last_col,
                      not ws.tables and spec.name != "Update", log)
    if columns is None:
        return None

    sheet = RawSheet(name=name, spec_name=spec.name, header_row=header_row, columns=columns)
    col_index = {key: openpyxl.utils.column_index_from_string(letter) for key, letter in columns.items()}
    ranges = ws.merged_cells.ranges if xml is None else [CellRange(ref) for ref in xml.merged]
    merged = [m for m in ranges
              if m.max_row > header_row and m.min_row <= last_row and m.max_col >= first_col and m.min_col <= last_col]
    for m in merged:
        log.error(name, m.coord, "", "merged cells in the data: unmerge them and fill every cell (a merge keeps "
                                     "its value in the top-left cell only)")
    if merged:
        return None
    if ws.sheet_state != "visible":
        log.warning(name, "", "", f"the sheet is {ws.sheet_state}; it is read like any other sheet")
    hidden: list[int] = []
    present = range(header_row + 1, last_row + 1) if xml is None or xml.rows is None else \
        [r for r in xml.rows if header_row < r <= last_row]
    for r in present:
        cells: dict[str, RawCell] = {}
        for key, c in col_index.items():
            cells[key] = _raw_cell(ws.cell(row=r, column=c), ws_values.cell(row=r, column=c))
        if all(_is_blank(cell) for cell in cells.values()):
            continue
        if ws.row_dimensions[r].hidden:
            hidden.append(r)
        sheet.rows.append(RawRow(row=r, cells=cells))
    _warn_hidden(name, hidden, log)
    return sheet


class _CellGrid:
    """An openpyxl worksheet seen as `_ValueGrid` is: 1-based `value(row, column)`."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.max_row = ws.max_row

    def value(self, row: int, column: int) -> object:
        return self.ws.cell(row=row, column=column).value


def _header(grid: _ValueGrid | _CellGrid, name: str, spec: SheetSpec, header_row: int, first_col: int,
            last_col: int, title_check: bool, log: ProblemLog) -> dict[str, str] | None:
    """The sheet's columns (schema name -> letter) from its header row; None, logged, when unusable:
    a title above the header (with `title_check`) or a required column missing."""
    if title_check:
        title_rows = _header_below(grid, spec, first_col, last_col)
        if title_rows:
            log.error(name, f"{title_rows}:{title_rows}", "",
                      f"the header is in row {title_rows}, not row 1: delete the rows above it, or make the "
                      "range an Excel Table (Insert > Table)")
            return None
    labels = ((col, grid.value(header_row, col)) for col in range(first_col, last_col + 1))
    columns = match_header(name, header_row, labels, spec, log)
    missing = [c.name for c in spec.columns if c.required and c.name not in columns]
    for column in missing:
        found = ", ".join(str(grid.value(header_row, c)) for c in range(first_col, last_col + 1)
                          if grid.value(header_row, c) is not None) or "none"
        log.error(name, f"{header_row}:{header_row}", column,
                  f"required column is missing from the header row (headers found: {found})")
    return None if missing else columns


def _header_below(grid: _ValueGrid | _CellGrid, spec: SheetSpec, first_col: int, last_col: int) -> int | None:
    """The row (2-10) holding every required header when row 1 does not: a title above the header."""
    required = {normalize(c.name) for c in spec.columns if c.required}

    def found(row: int) -> set[str]:
        return {normalize(grid.value(row, c)) for c in range(first_col, last_col + 1)
                if grid.value(row, c) is not None}

    if required <= found(1):
        return None
    for row in range(2, min(grid.max_row, 10) + 1):
        if required <= found(row):
            return row
    return None


def _raw_cell(formula_cell, value_cell) -> RawCell:
    coordinate = value_cell.coordinate
    value = value_cell.value
    if value_cell.data_type == "e":
        return RawCell(None, coordinate, f"holds the Excel error value {value}")
    is_formula = formula_cell.data_type == "f"
    if is_formula and value is None and value_cell.data_type == "str":
        return RawCell(None, coordinate)  # its stored result is "" (openpyxl reads an empty <v> as None): blank
    if is_formula and value is None:
        text = formula_cell.value if isinstance(formula_cell.value, str) else "a formula"
        return RawCell(None, coordinate, f"formula {text} has no stored value (open and save the file in Excel first)")
    return RawCell(value, coordinate)


def _is_blank(cell: RawCell) -> bool:
    if cell.error is not None:
        return False
    return cell.value is None or (isinstance(cell.value, str) and cell.value.strip() == "")
