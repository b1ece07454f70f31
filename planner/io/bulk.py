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
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


@dataclass
class _Block:
    first_row: int
    first_col: int
    columns: list[tuple[list[object], int | None]]  # values of rows first_row.., style id of its number format
    style_blanks: bool  # a blank cell still carries the style (openpyxl writes it as an empty styled cell)


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
                       style_blanks)
        self._blocks.setdefault(id(ws), []).append(block)
        self._sheets[id(ws)] = ws

    def widths(self, ws: Worksheet) -> dict[int, int]:
        """Column -> characters of the widest value in the sheet's blocks (numbers as `1,234.56`)."""
        out: dict[int, int] = {}
        for block in self._blocks.get(id(ws), []):
            for offset, (values, _) in enumerate(block.columns):
                width = _widest(values)
                if width:
                    col = block.first_col + offset
                    out[col] = max(out.get(col, 0), width)
        return out

    def finish(self) -> dict[int, dict[int, list[tuple[int, str]]]]:
        """Remove the style probe; return, by sheet position, row -> [(column, cell XML)] of every block."""
        if self._probe is not None:
            self.wb.remove(self._probe)
            self._probe = None
        out: dict[int, dict[int, list[tuple[int, str]]]] = {}
        for key, blocks in self._blocks.items():
            rows: dict[int, list[tuple[int, str]]] = {}
            for block in blocks:
                for offset, (values, style) in enumerate(block.columns):
                    col = block.first_col + offset
                    letter = get_column_letter(col)
                    for r, xml in enumerate(_cells(values, letter, block.first_row, style, block.style_blanks),
                                            start=block.first_row):
                        if xml is not None:
                            rows.setdefault(r, []).append((col, xml))
            out[self.wb.worksheets.index(self._sheets[key])] = rows
        return out


def _widest(values: list[object]) -> int:
    texts = [v for v in values if isinstance(v, str)]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]
    width = max(map(len, texts), default=0)
    if numbers:
        for v in (min(numbers), max(numbers)):
            width = max(width, len(f"{v:,.2f}" if isinstance(v, float) else str(v)))
    return width


def _cells(values: list[object], letter: str, first_row: int, style: int | None, style_blanks: bool
           ) -> list[str | None]:
    """Each value's `<c>` element as openpyxl writes it (None: no cell)."""
    s = f' s="{style}"' if style is not None else ""
    blank = f'<c r="{{}}"{s} t="n" />' if style_blanks and style is not None else None
    out: list[str | None] = []
    for r, v in enumerate(values, start=first_row):
        kind = type(v)
        if v is None or (kind is float and not math.isfinite(v)):  # type: ignore[arg-type]
            out.append(blank.format(f"{letter}{r}") if blank else None)
        elif kind is float or kind is int:
            out.append(f'<c r="{letter}{r}"{s} t="n"><v>{"%.16g" % v}</v></c>')
        elif kind is bool:
            out.append(f'<c r="{letter}{r}" t="b"><v>{"%.16g" % v}</v></c>')
        else:
            text = ILLEGAL_CHARACTERS_RE.sub("", str(v)[:32767])  # openpyxl's cut; it refuses control characters
            if text == "":
                out.append(f'<c r="{letter}{r}" t="inlineStr" />')
                continue
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            out.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
    return out


_ROW = re.compile(rb'<row r="(\d+)"([^>]*?)(?:/>|>(.*?)</row>)', re.S)
_CELL = re.compile(rb'<c r="([A-Z]+)\d+"')


def splice(sheet_xml: bytes, rows: dict[int, list[tuple[int, str]]]) -> bytes:
    """The sheet's XML with the bulk rows merged into `<sheetData>`, in row and column order."""
    if not rows:
        return sheet_xml
    start, end = sheet_xml.find(b"<sheetData"), sheet_xml.find(b"</sheetData>")
    if end < 0:  # openpyxl writes an empty sheetData as <sheetData />
        start = sheet_xml.find(b"<sheetData")
        close = sheet_xml.find(b"/>", start) + 2
        sheet_xml = sheet_xml[:start] + b"<sheetData></sheetData>" + sheet_xml[close:]
        end = sheet_xml.find(b"</sheetData>")
    body_start = sheet_xml.find(b">", start) + 1
    merged: dict[int, tuple[bytes, list[tuple[int, bytes]]]] = {}
    for match in _ROW.finditer(sheet_xml, body_start, end):
        cells = [(_column_number(c.group(1)), chunk) for c, chunk in _split_cells(match.group(3) or b"")]
        merged[int(match.group(1))] = (match.group(2), cells)
    for r, cells in rows.items():
        attrs, existing = merged.get(r, (b"", []))
        taken = {col for col, _ in existing}
        for col, _ in cells:
            if col in taken:
                raise ValueError(f"cell {get_column_letter(col)}{r} is written twice")
        merged[r] = (attrs, existing + [(col, xml.encode()) for col, xml in cells])
    body = b"".join(b'<row r="%d"%s>%s</row>' % (r, attrs, b"".join(x for _, x in sorted(cells, key=lambda c: c[0])))
                    for r, (attrs, cells) in sorted(merged.items()))
    last_row = max(merged)
    last_col = max((col for _, cells in merged.values() for col, _ in cells), default=1)
    out = sheet_xml[:body_start] + body + sheet_xml[end:]
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:%s%d"' % (get_column_letter(last_col).encode(),
                                                                             last_row), out, count=1)


def _split_cells(row_body: bytes) -> list[tuple[re.Match[bytes], bytes]]:
    """The `<c>` elements of a row openpyxl wrote, each with its column letters."""
    starts = [m for m in _CELL.finditer(row_body)]
    out = []
    for k, m in enumerate(starts):
        stop = starts[k + 1].start() if k + 1 < len(starts) else len(row_body)
        out.append((m, row_body[m.start():stop]))
    return out


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number
