"""Byte-identical workbooks: the same plan gives the same bytes, so plans can be versioned and diffed.

openpyxl stamps the package with the time of saving twice: in the zip
entries' dates and in the document properties (`docProps/core.xml`). Both are
replaced by a fixed instant, `SOURCE_DATE_EPOCH` if set (the convention of
reproducible builds), else 2000-01-01T00:00:00Z.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.splice import XmlRows, splice
from planner.schema import UNWRITABLE


def fixed_instant() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(2000, 1, 1)


OWN_FORMULAS = "planner_formulas"  # a worksheet attribute: coordinates of formulas the planner wrote on purpose


def own_formula(ws: Worksheet, coordinate: str, formula: str) -> None:
    """Write a formula of the planner's own making (none today); any other text starting with '=' is text."""
    ws[coordinate] = formula
    setattr(ws, OWN_FORMULAS, getattr(ws, OWN_FORMULAS, set()) | {coordinate})


def text_cells(wb: Workbook) -> int:
    """Make every string cell of `wb` a text cell; return how many openpyxl had typed as formulas.

    openpyxl types any string starting with '=' as a formula, so a country
    typed as the text `=1+1` or a scenario named `=cmd|' /C calc'!A0` would
    come out live in a header. Every workbook the planner writes passes here
    on its way to bytes, so no writer can forget it; a formula the planner
    means to write goes through `own_formula`. Characters XML cannot hold
    (`planner.schema.UNWRITABLE`) are dropped: a well-formed workbook always.
    """
    changed = 0
    for ws in wb.worksheets:
        own = getattr(ws, OWN_FORMULAS, set())
        for cell in ws._cells.values():  # the cells that exist (iter_rows would create the empty ones)
            if isinstance(cell.value, str) and UNWRITABLE.search(cell.value):
                # openpyxl refuses control characters when a cell is set, but writes U+FFFE, U+FFFF raw (and
                # a lone surrogate fails the encoding): the readers refuse them all; here they are dropped
                cell._value = UNWRITABLE.sub("", cell.value)
            if cell.data_type == "f" and isinstance(cell.value, str) and cell.coordinate not in own:
                cell.data_type = "s"
                changed += 1
            if cell.data_type == "s" and isinstance(cell.value, str) and cell.value[:1] in FORMULA_STARTS:
                # what Excel itself stores for text typed as '=1+1: editing the cell later keeps it text
                cell.quotePrefix = True
    return changed


FORMULA_STARTS = ("=", "+", "-", "@")


def workbook_bytes(wb: Workbook, bulk_rows: dict[int, list[XmlRows]] | None = None) -> bytes:
    """The .xlsx package of `wb`, with fixed timestamps: the same workbook gives the same bytes.

    `bulk_rows` (from `planner.io.splice.BulkCells.finish`) are spliced into
    the sheets at those positions. Every string is a text cell (`text_cells`),
    and keeps its carriage returns.
    """

    text_cells(wb)
    instant = fixed_instant()
    wb.properties.creator = "planner"
    wb.properties.created = instant
    wb.properties.lastModifiedBy = None
    first = io.BytesIO()
    wb.save(first)
    stamp = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(first) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    out = io.BytesIO()
    # level 1: a large plan compresses three times faster than at the default level, and only a little less
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info, data in entries:
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if match:
                # openpyxl writes a carriage return raw, and XML reads a raw one back as a line feed; the character
                # reference survives. A raw CR in a sheet's XML is always inside text (openpyxl never indents).
                data = data.replace(b"\r", b"&#13;")
            if bulk_rows and match and int(match.group(1)) - 1 in bulk_rows:
                data = splice(data, bulk_rows[int(match.group(1)) - 1])
            if info.filename == "docProps/core.xml":
                # openpyxl sets `modified` to the time of saving whatever the properties say
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(max(instant.year, 1980), instant.month, instant.day,
                                                              instant.hour, instant.minute, instant.second))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, data, compresslevel=1)
    return out.getvalue()
