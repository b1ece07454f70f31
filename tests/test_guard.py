"""The guard every file passes before a parser sees it (planner/io/guard.py): what it refuses, with what
message, and that no reader can get round it. What a refusal costs is measured by bench/guard.py, not here."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

import planner.io.guard as guard
from catalogue import BASE, concatenated, lying_header
from helpers import write_workbook
from planner.io.guard import GuardedWorkbook, ReadLimits, open_workbook
from planner.problems import ProblemLog

PLANNER = Path(__file__).resolve().parents[1] / "planner"


def errors(path: Path, limits: ReadLimits | None = None) -> list[str]:
    log = ProblemLog()
    assert open_workbook(path, log, limits) is None
    return [str(p) for p in log.errors]


def test_only_the_guard_opens_workbooks() -> None:
    """openpyxl and python-calamine parse a file only through GuardedWorkbook, which only open_workbook makes;
    the one other zip reader is reproducible.py, which re-reads the plan the planner has just written."""
    opener = re.compile(
        r"load_workbook|read_excel|ExcelReader|ExcelFile|CalamineWorkbook|from_filelike|unpack_archive"
        r"|\bfrom\s+zipfile\s+import|\bimport\s+zipfile\s+as\b|ZipFile\s*\(|[\"']ZipFile[\"']"
        r"|\bzipfile\s*\.\s*ZipFile\b(?!\s*[,)\]:|=])")  # the last: ZipFile named but not as an annotation
    found = {str(p.relative_to(PLANNER)) for p in PLANNER.rglob("*.py") if opener.search(p.read_text())}
    assert found == {"io/guard.py", "io/reproducible.py"}
    for sneaky in ["import pandas as pd; pd.read_excel(path)", "from openpyxl import load_workbook as lw",
                   "import openpyxl as o; o.reader.excel.ExcelReader(path)", "from zipfile import ZipFile as Z",
                   "import zipfile as z", "opener = zipfile.ZipFile\nopener(path)", "zipfile.ZipFile(path)",
                   "getattr(zipfile, 'ZipFile')(path)", "python_calamine.CalamineWorkbook.from_path(path)",
                   "shutil.unpack_archive(path)"]:
        assert opener.search(sneaky), sneaky
    assert not opener.search("def _rels(archive: zipfile.ZipFile, member: str) -> zipfile.ZipFile:")
    with pytest.raises(TypeError, match="open_workbook only"):
        GuardedWorkbook(Path("in.xlsx"), b"PK", [])


def test_a_header_that_understates_is_caught_at_its_first_lie(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """64 MB of XML declared as 2,400 bytes: refused, having inflated no more than one chunk past the claim."""
    path = tmp_path / "in.xlsx"
    path.write_bytes(lying_header(write_workbook(tmp_path / "base.xlsx", BASE).read_bytes(), blanks=64 * 2**20))
    produced = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args: object) -> None:
            self.inner = real(*args)

        def decompress(self, data: bytes, limit: int) -> bytes:
            out = self.inner.decompress(data, limit)
            produced.append(len(out))
            return out

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    monkeypatch.setattr(guard.zlib, "decompressobj", Counting)
    assert errors(path) == ["in.xlsx: refused: xl/worksheets/sheet1.xml unpacks to more than the 2,400 bytes its "
                            "zip header declares (a zip bomb, or a damaged file)"]
    assert sum(produced) <= 10 * 2**20  # every member before it, and one chunk (1 MB) of the liar
    assert max(produced) <= guard._CHUNK_OUT


def test_real_bytes_are_counted_against_the_limits(tmp_path: Path) -> None:
    """The streaming count refuses on its own, whatever the headers passed: here its limits are below them."""
    content = write_workbook(tmp_path / "in.xlsx", BASE).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(content))
    log = ProblemLog()
    assert guard._inflate_all(content, archive.infolist(), ReadLimits(max_unzipped_mb=0.001), "in.xlsx", log) is None
    assert [str(p) for p in log.errors] == ["in.xlsx: unpacks to more than 0.001 MB, the limit (raise it with "
                                            "--max-unzipped-mb)"]
    log = ProblemLog()
    big = bytes(range(256)) * 8192  # 2 MB that deflate cannot shrink much: over 1 MB, and over the ratio below
    entries = _zip({"[Content_Types].xml": b"<Types/>", "xl/media/a.bin": big})
    archive = zipfile.ZipFile(io.BytesIO(entries))
    assert guard._inflate_all(entries, archive.infolist(), ReadLimits(max_ratio=0.5), "in.xlsx", log) is None
    assert [str(p) for p in log.errors] == ["in.xlsx: unpacks to more than 0.5 times its size, the limit (a zip "
                                            "bomb? raise it with --max-ratio)"]


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def _patched(content: bytes, name: str, central_offset: int, value: int) -> bytes:
    """`content` with a 4-byte field of `name`'s central directory entry set to `value`."""
    out = bytearray(content)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        length, extra, comment = struct.unpack("<HHH", out[at + 28:at + 34])
        if out[at + 46:at + 46 + length] == name.encode():
            struct.pack_into("<I", out, at + central_offset, value)
        at = out.find(b"PK\x01\x02", at + 46 + length + extra + comment)
    return bytes(out)


@pytest.mark.parametrize("field, value, message", [
    (24, 10**6, "xl/worksheets/sheet1.xml is shorter than its zip header declares"),  # size claims more
    (16, 12345, "xl/worksheets/sheet1.xml fails its CRC check"),
])
def test_a_member_that_is_not_what_its_header_says_is_damaged(tmp_path: Path, field: int, value: int,
                                                              message: str) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(_patched(write_workbook(tmp_path / "base.xlsx", BASE).read_bytes(), "xl/worksheets/sheet1.xml",
                              field, value))
    assert errors(path) == [f"in.xlsx: not a readable .xlsx workbook: the zip archive is damaged: {message}"]


def test_compression_methods_xlsx_never_uses_are_refused(tmp_path: Path) -> None:
    source = zipfile.ZipFile(write_workbook(tmp_path / "base.xlsx", BASE))
    path = tmp_path / "in.xlsx"
    path.write_bytes(_zip({n: source.read(n) for n in source.namelist()}, zipfile.ZIP_BZIP2))
    assert errors(path)[0].startswith("in.xlsx: not a readable .xlsx workbook: the zip archive is damaged: ")
    assert errors(path)[0].endswith("is compressed with zip method 12; .xlsx workbooks use deflate only")


def test_a_stored_workbook_passes_and_parses(tmp_path: Path) -> None:
    """Members stored without compression (method 0) are as valid as deflated ones."""
    source = zipfile.ZipFile(write_workbook(tmp_path / "base.xlsx", BASE))
    path = tmp_path / "in.xlsx"
    path.write_bytes(_zip({n: source.read(n) for n in source.namelist()}, zipfile.ZIP_STORED))
    book = open_workbook(path, ProblemLog())
    assert book is not None and book.openpyxl(data_only=True)["Items"]["B2"].value == 100


@pytest.mark.parametrize("content_type, what", [
    ("application/vnd.ms-excel.sheet.macroEnabled.main+xml", "the main part of a macro-enabled workbook"),
    ("application/vnd.ms-excel.macrosheet+xml", "an Excel 4.0 macro sheet"),
])
def test_macro_content_types(tmp_path: Path, content_type: str, what: str) -> None:
    source = zipfile.ZipFile(write_workbook(tmp_path / "base.xlsx", BASE))
    entries = {n: source.read(n) for n in source.namelist()}
    types = entries["[Content_Types].xml"].decode()
    types = re.sub(r'(PartName="/xl/workbook.xml" ContentType=")[^"]*"', rf'\g<1>{content_type}"', types)
    entries["[Content_Types].xml"] = types.encode()
    path = tmp_path / "in.xlsx"
    path.write_bytes(_zip(entries))
    assert errors(path) == [f"in.xlsx: carries macros (xl/workbook.xml, {what}); the planner does not open such "
                            "files: save a copy as .xlsx (Excel Workbook) without macros"]


def test_a_plain_workbook_passes_with_its_members_unchanged(tmp_path: Path) -> None:
    """The parsers get an archive the guard rebuilt: the same members, byte for byte; the digest is the file's."""
    path = write_workbook(tmp_path / "in.xlsx", BASE)
    book = open_workbook(path, ProblemLog())
    assert book is not None and "xl/workbook.xml" in book.names
    assert book.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    original, rebuilt = zipfile.ZipFile(path), book.members()
    assert rebuilt.namelist() == original.namelist() == book.names
    assert all(rebuilt.read(n) == original.read(n) for n in book.names)
    assert rebuilt.testzip() is None


def _demand(book: GuardedWorkbook) -> tuple[object, object]:
    """Items!B2 as openpyxl and as python-calamine read it."""
    return (book.openpyxl(data_only=True)["Items"]["B2"].value,
            book.calamine().get_sheet_by_name("Items").to_python()[1][1])


@pytest.mark.parametrize("junk", ["archive", "prefix", "suffix"])
def test_the_parsers_read_only_the_archive_the_guard_checked(tmp_path: Path, junk: str) -> None:
    """Another archive before the checked one (its end record's comment running past the end of the file, as
    Python's zipfile tolerates), or bytes before or after it: the readers see only what the guard inflated."""
    checked = write_workbook(tmp_path / "checked.xlsx", BASE).read_bytes()
    other = write_workbook(tmp_path / "other.xlsx", {**BASE, "Items": [["A", 999], ["B", 10]]}).read_bytes()
    path = tmp_path / "in.xlsx"
    path.write_bytes({"archive": concatenated(other, checked), "prefix": b"\0" * 4096 + checked,
                      "suffix": checked + b"trailing bytes" * 100}[junk])
    book = open_workbook(path, ProblemLog())
    if book is None:  # a refusal is as good, as long as nothing is read
        return
    assert _demand(book) == (100, 100.0)
    assert book.content.startswith(b"PK\x03\x04") and book.content.count(b"PK\x05\x06") == 1


def test_a_bomb_or_macros_in_an_archive_the_guard_did_not_check_are_never_read(tmp_path: Path) -> None:
    checked = write_workbook(tmp_path / "checked.xlsx", BASE).read_bytes()
    source = zipfile.ZipFile(io.BytesIO(checked))
    hostile = _zip({**{n: source.read(n) for n in source.namelist()}, "xl/vbaProject.bin": b"VBA",
                    "xl/media/a.bin": b"\0" * (16 * 2**20)})
    path = tmp_path / "in.xlsx"
    path.write_bytes(concatenated(hostile, checked))
    book = open_workbook(path, ProblemLog())
    assert book is not None and "xl/vbaProject.bin" not in book.members().namelist()
    assert len(book.content) < len(checked) + 1024


@pytest.mark.parametrize("twin", ["XL/Worksheets/Sheet1.xml", "/xl/worksheets/sheet1.xml",
                                  "xl//worksheets/sheet1.xml", "xl/./worksheets/sheet1.xml"])
def test_two_names_for_one_part_are_refused(tmp_path: Path, twin: str) -> None:
    source = zipfile.ZipFile(write_workbook(tmp_path / "base.xlsx", BASE))
    entries = {n: source.read(n) for n in source.namelist()}
    path = tmp_path / "in.xlsx"
    path.write_bytes(_zip({**entries, twin: entries["xl/worksheets/sheet1.xml"].replace(b">100<", b">999<")}))
    assert errors(path) == ["in.xlsx: not a readable .xlsx workbook: the zip archive is damaged: it holds "
                            "xl/worksheets/sheet1.xml twice, and readers disagree on which copy is the data"]


def _package(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(write_workbook(tmp_path / "base.xlsx", BASE))
    entries = {n: source.read(n) for n in source.namelist()}
    change(entries)
    path = tmp_path / "in.xlsx"
    path.write_bytes(_zip(entries))
    return path


VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


@pytest.mark.parametrize("rels, target", [
    ("xl/worksheets/_rels/sheet1.xml.rels", "../macro1.bin"),  # a sheet's relationships, not the workbook's
    ("_rels/.rels", "xl/macro1.bin"),  # the package's
    ("xl/_rels/workbook.xml.rels", "/xl/macro1.bin"),  # an absolute target
])
def test_a_vba_relationship_anywhere_is_refused(tmp_path: Path, rels: str, target: str) -> None:
    def change(entries: dict[str, bytes]) -> None:
        link = f'<Relationship Id="rId99" Type="{VBA}" Target="{target}"/>'.encode()
        entries[rels] = (entries[rels].replace(b"</Relationships>", link + b"</Relationships>") if rels in entries
                         else b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                              + link + b"</Relationships>")
        entries["xl/macro1.bin"] = b"\xd0\xcf\x11\xe0 a VBA project"

    assert errors(_package(tmp_path, change)) == [
        "in.xlsx: carries macros (xl/macro1.bin, a VBA project); the planner does not open such files: save a copy "
        "as .xlsx (Excel Workbook) without macros"]


def test_a_vba_content_type_by_an_uppercase_extension_is_refused(tmp_path: Path) -> None:
    def change(entries: dict[str, bytes]) -> None:
        entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
            b"</Types>", b'<Default Extension="BIN" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        entries["xl/code.bin"] = b"\xd0\xcf\x11\xe0 a VBA project"

    assert errors(_package(tmp_path, change)) == [
        "in.xlsx: carries macros (xl/code.bin, a VBA project); the planner does not open such files: save a copy "
        "as .xlsx (Excel Workbook) without macros"]


@pytest.mark.parametrize("part", ["[Content_Types].xml", "xl/_rels/workbook.xml.rels", "mimetype"])
def test_a_package_part_above_10_mb_is_refused(tmp_path: Path, part: str) -> None:
    """[Content_Types].xml, mimetype and the .rels parts are held whole and parsed: a few KB in any real
    workbook, refused above 10 MB before they are inflated, whatever the other limits allow."""
    def change(entries: dict[str, bytes]) -> None:
        entries[part] = entries.get(part, b"x") + b" " * (11 * 2**20)

    assert errors(_package(tmp_path, change), ReadLimits(max_ratio=10**6)) == [
        f"in.xlsx: refused: {part} would unpack to 11 MB; the planner holds such a part whole and reads it only up "
        "to 10 MB (a real one is a few KB)"]


def test_with_members_inflates_only_what_it_replaces(tmp_path: Path) -> None:
    """The compacted workbook keeps every other member compressed as it was (no archive held unpacked)."""
    book = open_workbook(write_workbook(tmp_path / "in.xlsx", BASE), ProblemLog())
    assert book is not None
    changed = book.with_members({"xl/worksheets/sheet1.xml": b"<worksheet/>"})
    archive = changed.members()
    assert archive.read("xl/worksheets/sheet1.xml") == b"<worksheet/>" and archive.testzip() is None
    assert archive.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_STORED
    assert archive.getinfo("xl/styles.xml").compress_type == zipfile.ZIP_DEFLATED
    assert archive.namelist() == book.names and changed.sha256 == book.sha256
