"""Large tables written straight into the worksheet XML, next to what openpyxl writes.

openpyxl makes a cell object per value and serialises each through an XML
tree: a plan of 500k offers has millions of cells and took minutes. Here the
data rows of a table are held as columns (`BulkCells.add`), turned into
`<row>` elements in one pass when the package is written, and spliced into
the sheet's `<sheetData>` between the rows openpyxl wrote (titles, headers).
Cells come out as openpyxl writes them: inline strings, numbers as `%.16g`,
the number format as a style id registered in the same workbook. Everything
else on the sheet (headers, comments, conditional formats, charts, column
widths) is still openpyxl's.

A block's finished rows are an `XmlRows`: XML text for one sheet, nothing to
do with the model's `planner.model.Rows` (a block of constraint rows).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.style import displayed
from planner.schema import UNWRITABLE


@dataclass
class _Block:
    first_row: int
    first_col: int
    columns: list[tuple[list[object], int | None]]  # values of rows first_row.., style id of its number format
    style_blanks: bool  # a blank cell still carries the style (openpyxl writes it as an empty styled cell)
    formats: list[str | None]  # each column's number format, to measure its values as they show


class BulkCells:
    """The bulk-written blocks of one workbook, by sheet."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._blocks: dict[int, list[_Block]] = {}  # by id() of the worksheet
        self._sheets: dict[int, Worksheet] = {}
        self._styles: dict[str, int] = {}
        self._probe: Worksheet | None = None

    def style_id(self, number_format: str) -> int:
        """The style id openpyxl gives a cell with this number format (and no other style)."""
        if number_format not in self._styles:
            if self._probe is None:
                self._probe = self.wb.create_sheet("planner-style-probe")
            cell = self._probe.cell(row=1, column=len(self._styles) + 1)
            cell.number_format = number_format
            self._styles[number_format] = cell.style_id
        return self._styles[number_format]

    def add(self, ws: Worksheet, first_row: int, first_col: int, columns: list[tuple[list[object], str | None]],
            style_blanks: bool = False) -> None:
        """Cells from (`first_row`, `first_col`) on: one (values, number format or None) per column.

        A number format applies to numbers (and, with `style_blanks`, to blanks
        too); text and blanks are written without style otherwise.
        """
        block = _Block(first_row, first_col, [(values, self.style_id(fmt) if fmt else None) for values, fmt in columns],
                       style_blanks, [fmt for _, fmt in columns])
        self._blocks.setdefault(id(ws), []).append(block)
        self._sheets[id(ws)] = ws

    def widths(self, ws: Worksheet) -> dict[int, int]:
        """Column -> characters of the widest value in the sheet's blocks, numbers as their format shows them."""
        out: dict[int, int] = {}
        for block in self._blocks.get(id(ws), []):
            for offset, ((values, _), fmt) in enumerate(zip(block.columns, block.formats)):
                width = _widest(values, fmt)
                if width:
                    col = block.first_col + offset
                    out[col] = max(out.get(col, 0), width)
        return out

    def finish(self) -> dict[int, list[XmlRows]]:
        """Remove the style probe; return, by sheet position, the XML rows of each block."""
        if self._probe is not None:
            self.wb.remove(self._probe)
            self._probe = None
        out: dict[int, list[XmlRows]] = {}
        for key, blocks in self._blocks.items():
            done = []
            for block in blocks:
                columns = [_cells(values, get_column_letter(block.first_col + offset), block.first_row, style,
                                  block.style_blanks) for offset, (values, style) in enumerate(block.columns)]
                cells: Iterable[str] = (("".join(c for c in row if c is not None) for row in zip(*columns))
                                        if any(None in column for column in columns)
                                        else map("".join, zip(*columns)))  # type: ignore[arg-type]
                xml = "".join(f'<row r="{r}">{c}</row>' for r, c in enumerate(cells, start=block.first_row))
                last_row = block.first_row + max((len(v) for v, _ in block.columns), default=0) - 1
                done.append(XmlRows(block.first_row, last_row, block.first_col + len(block.columns) - 1, xml.encode()))
            out[self.wb.worksheets.index(self._sheets[key])] = done
        return out


@dataclass(frozen=True)
class XmlRows:
    """A block's `<row>` elements, ready to splice: rows first..last, up to column last_col."""

    first: int
    last: int
    last_col: int
    xml: bytes


def _widest(values: list[object], number_format: str | None) -> int:
    kinds = set(map(type, values))
    texts = values if kinds == {str} else [v for v in values if type(v) is str] if str in kinds else []
    width = max(map(len, texts), default=0)  # type: ignore[arg-type]
    if kinds & {int, float}:
        numbers = values if kinds <= {int, float} else [v for v in values if type(v) in (int, float)]
        finite = [v for v in numbers if math.isfinite(v)]  # type: ignore[arg-type]
        # in a fixed-decimals format the widest number is the smallest or the largest (it has the longest
        # integer part, or a minus sign); measuring two numbers keeps this fast for 500k rows
        for v in (min(finite, default=None), max(finite, default=None)):
            if v is not None:
                width = max(width, len(displayed(v, number_format)))
    return width


def _cells(values: list[object], letter: str, first_row: int, style: int | None, style_blanks: bool
           ) -> list[str | None]:
    """Each value's `<c>` element as openpyxl writes it (None: no cell)."""
    s = f' s="{style}"' if style is not None else ""
    rows = range(first_row, first_row + len(values))
    kinds = set(map(type, values))
    if kinds <= {float, int} and all(map(math.isfinite, values)):  # type: ignore[arg-type]
        return [f'<c r="{letter}{r}"{s} t="n"><v>{"%.16g" % v}</v></c>' for r, v in zip(rows, values)]
    if kinds == {str}:
        # tested on the values as they are: no value may reach the XML raw with a character XML cannot hold (the
        # NULs that once joined the values here were stripped before the test, and with them a value's own)
        joined = "".join(values)  # type: ignore[arg-type]
        plain = (not any(ch in joined for ch in "&<>\r") and not UNWRITABLE.search(joined)
                 and all(v == v.strip() and v for v in values) and max(map(len, values)) <= 32767)  # type: ignore
        if plain:
            return [f'<c r="{letter}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for r, v in zip(rows, values)]
    blank = f'<c r="{{}}"{s} t="n" />' if style_blanks and style is not None else None
    out: list[str | None] = []
    for r, v in zip(rows, values):
        kind = type(v)
        if v is None or (kind is float and not math.isfinite(v)):  # type: ignore[arg-type]
            out.append(blank.format(f"{letter}{r}") if blank else None)
        elif kind is float or kind is int:
            out.append(f'<c r="{letter}{r}"{s} t="n"><v>{"%.16g" % v}</v></c>')
        elif kind is bool:
            out.append(f'<c r="{letter}{r}" t="b"><v>{"%.16g" % v}</v></c>')
        else:
            # openpyxl's cut; the readers refuse what XML cannot hold, and what gets here anyway is dropped
            text = UNWRITABLE.sub("", str(v)[:32767])
            if text == "":
                out.append(f'<c r="{letter}{r}" t="inlineStr" />')
                continue
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            out.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{escape(text, _CR)}</t></is></c>')
    return out


_CR = {"\r": "&#13;"}  # XML reads a raw carriage return back as a line feed; the character reference survives

_ROW = re.compile(rb'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_LAST_CELL = re.compile(rb'<c r="([A-Z]+)\d+"[^>]*(?:/>|>(?:(?!<c ).)*</c>)\s*</row>', re.S)


def splice(sheet_xml: bytes, blocks: list[XmlRows]) -> bytes:
    """The sheet's XML with the blocks' rows placed among the rows openpyxl wrote, in row order.

    A row belongs to one side: openpyxl writing a cell in a block's rows is a
    mistake in the writer, and raises.
    """
    if not blocks:
        return sheet_xml
    start = sheet_xml.find(b"<sheetData")
    end = sheet_xml.find(b"</sheetData>")
    if end < 0:  # openpyxl writes an empty sheetData as <sheetData />
        close = sheet_xml.find(b"/>", start) + 2
        sheet_xml = sheet_xml[:start] + b"<sheetData></sheetData>" + sheet_xml[close:]
        end = sheet_xml.find(b"</sheetData>")
    body_start = sheet_xml.find(b">", start) + 1
    pieces: list[tuple[int, bytes]] = []
    last_col = max(b.last_col for b in blocks)
    for match in _ROW.finditer(sheet_xml, body_start, end):
        r = int(match.group(1))
        if any(b.first <= r <= b.last for b in blocks):
            raise ValueError(f"row {r} is written both cell by cell and in bulk")
        pieces.append((r, match.group(0)))
        last = _LAST_CELL.search(match.group(0))
        if last:
            last_col = max(last_col, _column_number(last.group(1)))
    pieces += [(b.first, b.xml) for b in blocks]
    last_row = max(max(r for r, _ in pieces), max(b.last for b in blocks))
    out = sheet_xml[:body_start] + b"".join(xml for _, xml in sorted(pieces, key=lambda p: p[0])) + sheet_xml[end:]
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:%s%d"' % (get_column_letter(last_col).encode(),
                                                                             last_row), out, count=1)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number
