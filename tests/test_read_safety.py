"""Reading without misreading (issue 12): numbers shown as typed, blank formula results, sheets that match
one name, hidden rows on the fast reader. The hostile files themselves are in tests/catalogue.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue import BASE
from helpers import patch_cell_xml, write_workbook
from planner.cli import main
from planner.validate import shown


@pytest.mark.parametrize("number, text", [(1.0000001, "1.0000001"), (50.0, "50"), (-5, "-5"), (1e300, "1e+300"),
                                          (0.1 + 0.2, "0.30000000000000004"), (123456789.0, "123456789")])
def test_numbers_are_shown_as_typed(number: float, text: str) -> None:
    assert shown(number) == text


def test_an_override_shows_its_value_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    assert main(["validate", str(source), "--set", "Policy!2=1.0000001", "--set", "time_limit=-0.0000001"]) == 2
    out = capsys.readouterr().out
    assert "error: --set Policy!2=1.0000001: 1.0000001 is not a share in [0, 1] (write 30 % as 0.3)" in out
    assert "error: --set time_limit=-0.0000001: -1e-07 must be positive" in out


def test_a_text_number_is_read_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", {**BASE, "Items": [["A", "100.0000001"], ["B", 10]]})
    assert main(["validate", str(source)]) == 0
    assert "warning: Items!B2 (demand): text '100.0000001' read as the number 100.0000001" in capsys.readouterr().out


def test_frontier_bounds_are_shown_as_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_workbook(tmp_path / "in.xlsx", BASE)
    assert main(["frontier", str(source), "--rule", "2", "--from", "1.0000001", "--to", "0.5",
                 "-o", str(tmp_path / "f.xlsx")]) == 2
    assert "--from 1.0000001 is not a share in [0, 1]" in capsys.readouterr().err


def test_a_formula_returning_empty_text_is_a_blank_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice stores =IF(...;"";...) as t="str" with an empty value: an optional cell left blank, on
    either reader (a merged cell elsewhere sends the file to the cell-by-cell one)."""
    import planner.io.read as reader

    path = write_workbook(tmp_path / "in.xlsx", {**BASE, "Offers": [["A", "S1", 10, 5], ["A", "S2", 12],
                                                                    ["B", "S2", 4]]})
    patch_cell_xml(path, 4, "D2", '<c r="D2" s="0" t="str"><f aca="false">IF(1=1,&quot;&quot;,5)</f><v></v></c>')
    for cell_by_cell in (False, True):
        with monkeypatch.context() as patch:
            if cell_by_cell:
                patch.setattr(reader, "_values_only", lambda book, log: None)
            assert main(["validate", str(path)]) == 0
        assert "valid: 2 items, 2 suppliers, 2 countries, 3 offers" in capsys.readouterr().out


def _with_offers_xml(path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """`path` with the Offers sheet's XML (sheet 4) passed through `change`."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    parts["xl/worksheets/sheet4.xml"] = change(parts["xl/worksheets/sheet4.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_hidden_row_is_found_without_the_cell_by_cell_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    """A hidden row used to send the whole file to openpyxl; it is now read from the sheet's XML, with the
    same warning either way."""
    import planner
    import planner.io.read as reader
    from planner.io.guard import open_workbook
    from planner.problems import ProblemLog

    path = _with_offers_xml(write_workbook(tmp_path / "in.xlsx", BASE),
                            lambda xml: xml.replace('<row r="3"', '<row r="3" hidden="1"', 1))
    assert reader._values_only(open_workbook(path, ProblemLog()), ProblemLog()) is not None
    fast = [str(w) for w in planner.read(path)[1]]
    monkeypatch.setattr(reader, "_values_only", lambda book, log: None)
    assert [str(w) for w in planner.read(path)[1]] == fast
    assert "Offers!3:3: hidden or filtered rows 3 are read like the others" in fast


def test_the_cell_by_cell_reader_visits_only_the_cells_there_are(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Empty formatted rows and a merge over most of the sheet: openpyxl would make an object per cell (17e9
    for this merge); the XML is cut to the cells that hold something first, and the merge is still named."""
    rows = "".join(f'<row r="{r}" s="0" customFormat="1"><c r="A{r}" s="0"/></row>' for r in range(5, 20_005))
    path = _with_offers_xml(write_workbook(tmp_path / "in.xlsx", BASE), lambda xml: xml.replace(
        "</sheetData>", rows + '</sheetData><mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>', 1))
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().out.splitlines()[0] == ("error: Offers!A3:XFD1048576: merged cells in the data: "
                                                       "unmerge them and fill every cell (a merge keeps its value "
                                                       "in the top-left cell only)")


def test_compaction_keeps_every_cell_that_holds_something() -> None:
    from planner.io.read import _compact_sheet

    xml = (b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"/></row>'
           b'<row r="2" ht="20" customHeight="1"/><row r="3" hidden="1"><c r="C3"><f>1+1</f></c></row>'
           b'</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')
    compact, found = _compact_sheet(xml)
    assert compact == (b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                       b'<row r="3" hidden="1"><c r="C3"><f>1+1</f></c></row></sheetData></worksheet>')
    assert found.merged == ("A1:B1",) and found.rows == (1, 3)
    unnumbered = b'<worksheet><sheetData><row><c r="A1"><v>1</v></c><c s="1"/><c><v>2</v></c></row></sheetData></worksheet>'
    assert _compact_sheet(unnumbered) == (unnumbered, type(found)((), None))  # a dropped cell would move the next


def test_a_plan_is_read_as_far_as_its_cells_go_not_its_dimension(tmp_path: Path) -> None:
    """openpyxl's read-only mode pads every row to the sheet's <dimension>: A1:XFD1048576 would be 17e9 cells."""
    import re
    import zipfile

    import openpyxl

    import planner

    wb = openpyxl.Workbook()
    wb.active.title = "Plan"
    wb.active.append(["item", "supplier", "country", "quantity", "unit_cost", "cost", "blocs"])
    wb.active.append(["A", "S1", "C1", 100, 10, 1000])  # no blocs: a row shorter than the header
    wb.save(tmp_path / "plan.xlsx")
    with zipfile.ZipFile(tmp_path / "plan.xlsx") as source:
        parts = {n: source.read(n) for n in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>',
                                                parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(tmp_path / "plan.xlsx", "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    tables = planner.read_plan(tmp_path / "plan.xlsx")
    assert tables.lines.to_dict("records") == [{"item": "A", "supplier": "S1", "country": "C1", "quantity": 100,
                                                "unit_cost": 10, "cost": 1000, "blocs": None}]


def test_a_batch_table_workbook_reads_as_its_cells(tmp_path: Path) -> None:
    """The .xlsx batch table goes through the guard, compaction and the read-only reader: rows keep their
    numbers, blank rows are left out, short rows read as blanks."""
    import openpyxl

    from planner.io.read import read_text_table
    from planner.problems import ProblemLog

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "base", "output", "allow new"])
    ws.append(["w47", "in.xlsx", "w47.xlsx", "yes"])
    ws.append([])
    ws.append([None, "in.xlsx", "w48.xlsx"])
    for row in range(5, 2000):
        ws.row_dimensions[row].height = 20  # formatted, empty
    ws.cell(row=1999, column=8).number_format = "0.00"
    wb.save(tmp_path / "runs.xlsx")
    log = ProblemLog()
    assert read_text_table(tmp_path / "runs.xlsx", log) == ("runs.xlsx", [
        (2, {"name": "w47", "base": "in.xlsx", "output": "w47.xlsx", "allow_new": "yes"}),
        (4, {"name": "", "base": "in.xlsx", "output": "w48.xlsx", "allow_new": ""})])
    assert log.problems == []


@pytest.mark.parametrize("xml, plain", [
    (b'<?xml version="1.0"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', True),
    (b'\xef\xbb\xbf<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', True),
    (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', False),
    (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
     b'xmlns:s="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><s:sheetData/>', False),
    (b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<c r="Z9"/>b]]></t></is></c>', False),
    (b'<worksheet><!-- <mergeCells><mergeCell ref="A1:B2"/></mergeCells> --><sheetData/>', False),
    (b'<chartsheet>', False),
])
def test_only_sheets_written_as_usual_are_compacted_or_read_by_values(xml: bytes, plain: bool) -> None:
    """A prefixed spreadsheet namespace hides <sheetData>, <mergeCell> and <f> from byte patterns; CDATA and
    comments hold text that looks like markup: such sheets go to openpyxl's full reader, uncompacted."""
    from planner.io.read import _compact_sheet, _plain_sheet

    assert _plain_sheet(xml) is plain
    assert _compact_sheet(b'<worksheet><x:sheetData><x:row r="2"/></x:sheetData></worksheet>')[1].rows is None


def test_a_sheet_outside_xl_worksheets_gets_every_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """python-calamine follows the workbook's relationship to a sheet wherever it is stored: a hidden row
    there is warned about as in xl/worksheets/."""
    import zipfile

    from catalogue import moved_sheet

    path = write_workbook(tmp_path / "in.xlsx", BASE)
    with zipfile.ZipFile(path) as source:
        entries = {n: source.read(n) for n in source.namelist()}
    entries["xl/worksheets/sheet4.xml"] = entries["xl/worksheets/sheet4.xml"].replace(b'<row r="3"', b'<row r="3" hidden="1"')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in moved_sheet(entries, 4).items():
            target.writestr(name, data)
    assert main(["validate", str(path)]) == 0
    assert "warning: Offers!3:3: hidden or filtered rows 3 are read like the others" in capsys.readouterr().out


def test_a_hidden_sheet_behind_a_namespace_prefix_is_still_warned_about(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`<x:sheet state="hidden">` in a prefixed xl/workbook.xml escapes the byte pattern that finds hidden
    sheets: such a workbook part sends the file to the cell-by-cell reader, which warns."""
    import re
    import zipfile

    import openpyxl

    path = write_workbook(tmp_path / "in.xlsx", BASE)
    wb = openpyxl.load_workbook(path)
    wb["Scenarios"].sheet_state = "hidden"
    wb.save(path)
    with zipfile.ZipFile(path) as source:
        entries = {n: source.read(n) for n in source.namelist()}
    book = entries["xl/workbook.xml"].replace(b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                                              b' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    entries["xl/workbook.xml"] = re.sub(rb"<(/?)(?!x:)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", book).replace(
        b"<x:x:workbook", b"<x:workbook")
    assert b"<x:sheet " in entries["xl/workbook.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)
    assert main(["validate", str(path)]) == 0
    assert "warning: Scenarios: the sheet is hidden; it is read like any other sheet" in capsys.readouterr().out


def test_tab_line_feed_and_carriage_return_stay_allowed_in_text(tmp_path: Path) -> None:
    """Only the control characters XML cannot hold are refused: a tab or a line break in a name is text."""
    import planner

    rows = [["C1", "Chi\tna\nsecond line\r", "", 0], ["C2", "C2", "EU", 0]]
    data, _ = planner.read(write_workbook(tmp_path / "in.xlsx", {**BASE, "Countries": rows}))
    assert data.countries["C1"].label == "Chi\tna\nsecond line"
