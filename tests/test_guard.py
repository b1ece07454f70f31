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
    opener = re.compile(r"load_workbook\(|CalamineWorkbook|from_filelike|ZipFile\(")
    found = {str(p.relative_to(PLANNER)) for p in PLANNER.rglob("*.py") if opener.search(p.read_text())}
    assert found == {"io/guard.py", "io/reproducible.py"}
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
