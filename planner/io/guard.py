"""Checks on a file's bytes before any parser sees them: every file the planner reads comes through here.

`read_file` is how any input file is read (a workbook, an update CSV, a
batch table, a plan given to `planner diff`): it must be a regular file the
user may read, and no larger than `max_file_mb`. `open_workbook` is the one
way to open a workbook: it reads the file so, and hands back a
`GuardedWorkbook` only when the archive passed every check below; openpyxl
and python-calamine are only ever called through its methods (a test keeps
it so), so that no reader can open a workbook the guard has not seen.

A workbook is a zip of XML files, so a hostile or broken file is refused
here, with a message saying what it is and how to get a readable one:

- not a regular file, unreadable, empty, or larger than `max_file_mb`;
- an Excel 97-2003 (.xls) or other OLE2 file, an OpenDocument (.ods)
  spreadsheet, text such as CSV, or anything that is not a zip archive
  (damaged or truncated downloads);
- a damaged archive: two entries with one name (readers would disagree on
  which one holds the data), a member whose bytes are not what its header
  says (size, CRC, a truncated stream), or one stored with a compression
  method .xlsx never uses;
- macro-bearing workbooks (`.xlsm`, `.xltm`, `.xlam`, an `xl/vbaProject.bin`,
  or any part that the content types or relationships call a VBA project,
  an Excel 4.0 macro sheet or a macro-enabled workbook): never opened;
- zip bombs: more than `max_entries` entries, or more than `max_unzipped_mb`
  unpacked, or an unpacked size more than `max_ratio` times the file's
  (above 1 MB). The sizes the headers declare are checked first (cheap, and
  the message can say by how much); then every member is inflated through
  a bounded stream that counts the bytes really produced, 1 MB at a time,
  against the same limits and against the member's declared size, so a
  header that understates is caught at the first byte past its claim and
  no more is ever inflated than the limits allow, whatever the headers say;
- `[Content_Types].xml`, `mimetype` or a `.rels` part above 10 MB (each is
  held whole and parsed; a real one is a few KB), and any of them declaring
  a DTD or entities;
- member names with a backslash, or two names for one part (compared as
  readers may take them: case, a leading "/", "//", "/./");
- ActiveX controls and embedded OLE objects (by relationship type, or a
  member under xl/activeX/).

The parsers are then handed not the file but an archive rebuilt from the
members the guard checked (`_rebuilt`: their compressed bytes copied, the
CRCs and sizes the guard verified written afresh), so a file holding a
second archive, or bytes before or after the one Python's zipfile finds,
cannot show a parser anything the guard did not inflate, and the headers
the parsers trust are true.

XML entity attacks are stopped by defusedxml, which openpyxl uses when it is
installed (it is a dependency); `read.py` turns its refusal into a message.
Every limit can be raised from the command line (`--max-file-mb`, ...).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from planner.problems import ProblemLog

MB = 1024 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam"}


@dataclass(frozen=True)
class ReadLimits:
    max_file_mb: float = 100.0
    max_unzipped_mb: float = 1000.0
    max_ratio: float = 200.0
    max_entries: int = 10_000


INPUT_WORKBOOK = "the input must be a workbook with the sheets Items, Suppliers, Countries, Offers (see 'planner template')"

# What OOXML calls macros, by relationship type (its last segment) and by content type (ECMA-376 / MS-OFFMACRO):
# a VBA project and its signatures, Excel 4.0 macro sheets, and the main part of a macro-enabled workbook.
_MACRO_RELATIONSHIPS = {"vbaproject": "a VBA project", "vbaprojectsignature": "a VBA project signature",
                        "xlmacrosheet": "an Excel 4.0 macro sheet", "xlintlmacrosheet": "an Excel 4.0 macro sheet"}
_MACRO_CONTENT = {"application/vnd.ms-office.vbaproject": "a VBA project",
                  "application/vnd.ms-office.vbaprojectsignature": "a VBA project signature",
                  "application/vnd.ms-excel.macrosheet+xml": "an Excel 4.0 macro sheet",
                  "application/vnd.ms-excel.intlmacrosheet+xml": "an Excel 4.0 macro sheet",
                  "application/vnd.ms-excel.sheet.macroenabled.main+xml": "the main part of a macro-enabled workbook",
                  "application/vnd.ms-excel.template.macroenabled.main+xml": "the main part of a macro-enabled template",
                  "application/vnd.ms-excel.addin.macroenabled.main+xml": "the main part of a macro-enabled add-in"}
# What OOXML calls ActiveX controls and embedded OLE objects, by relationship type: code or programs run by the
# application that opens the file. The planner would never run them, but a workbook carrying them is refused
# like one with macros (form controls, `ctrlProp`, and embedded packages such as a chart's workbook are not).
_ACTIVE_RELATIONSHIPS = {"control": "an ActiveX control", "activexcontrolbinary": "an ActiveX control",
                         "oleobject": "an embedded OLE object"}
_PART_MB = 10  # the most [Content_Types].xml, mimetype or a .rels part may unpack to: each is held whole
_CHUNK_IN = 64 * 1024  # compressed bytes handed to zlib at a time
_CHUNK_OUT = MB  # the most zlib may produce per call: what one member costs in memory, whatever it declares


def read_file(path: Path, log: ProblemLog, limits: ReadLimits | None = None, what: str = "file",
              kind: str = "file") -> bytes | None:
    """The bytes of any file the planner reads, or None with the reason logged.

    The file must be a regular file the user may read, at most
    `max_file_mb`; it is read with a bounded read, so a file that grows
    after it was measured (or lies about its size) still costs no more.
    `what` names the file in "not found" messages (`update file not found`),
    `kind` what a folder given in its place is not (`a folder, not a workbook`).
    """
    limits = limits or ReadLimits()
    name = path.name
    try:
        if not path.exists():
            log.error(name, "", "", f"{what} not found: {path}")
            return None
        if path.is_dir():
            log.error(name, "", "", f"{path} is a folder, not a {kind}")
            return None
        if not path.is_file():
            log.error(name, "", "", f"{path} is not a regular file")
            return None
        limit = int(limits.max_file_mb * MB)
        size = path.stat().st_size
        content = b""
        if size <= limit:
            with open(path, "rb") as handle:
                content = handle.read(limit + 1)
    except PermissionError:
        log.error(name, "", "", f"cannot be read: permission denied ({path})")
        return None
    except OSError as exc:
        log.error(name, "", "", f"cannot be read: {exc.strerror or exc} ({path})")
        return None
    if size > limit or len(content) > limit:
        log.error(name, "", "", f"is {max(size, len(content)) / MB:,.3g} MB, above the limit of "
                                f"{limits.max_file_mb:g} MB (raise it with --max-file-mb)")
        return None
    return content


class GuardedWorkbook:
    """A workbook that passed every check of `open_workbook`: its bytes, and the only ways to parse them.

    Made by `open_workbook` alone. Its members' headers have been checked
    against what they really inflate to, so `members` and the parsers, which
    trust the headers, unpack no more than the limits allowed.
    """

    def __init__(self, path: Path, content: bytes, names: list[str], _token: object = None,
                 sha256: str = "") -> None:
        if _token is not _TOKEN:
            raise TypeError("a GuardedWorkbook comes from planner.io.guard.open_workbook only")
        self.path = path
        self.name = path.name
        self.content = content  # the archive the guard rebuilt from the members it checked (`_rebuilt`)
        self.names = names  # member names, in archive order
        self.sha256 = sha256  # of the file as it is on disk (what a plan records), not of `content`

    def members(self) -> zipfile.ZipFile:
        """An open `zipfile.ZipFile` over the checked bytes, for reading members (each within the limits)."""
        return zipfile.ZipFile(io.BytesIO(self.content))

    def with_members(self, replaced: dict[str, bytes]) -> GuardedWorkbook:
        """The same workbook with some members' bytes replaced by the reader (with bytes it derived from this
        one, no larger), those stored uncompressed, every other member's compressed bytes copied as they are
        (nothing else is inflated): it is parsed at once, never written."""
        with self.members() as source:
            entries = source.infolist()
        content = _rebuilt(self.content, entries, replaced)
        if content is None:
            raise ValueError("the archive would need zip64")  # cannot be: it held no more before
        return GuardedWorkbook(self.path, content, self.names, _TOKEN, self.sha256)

    def openpyxl(self, *, data_only: bool, read_only: bool = False) -> Any:
        """The workbook as openpyxl loads it (exceptions are the caller's to turn into messages)."""
        import openpyxl

        return openpyxl.load_workbook(io.BytesIO(self.content), data_only=data_only, read_only=read_only)

    def calamine(self) -> Any:
        """The workbook as python-calamine opens it (ImportError if it is not installed)."""
        from python_calamine import CalamineWorkbook

        return CalamineWorkbook.from_filelike(io.BytesIO(self.content))


_TOKEN = object()


def open_workbook(path: Path, log: ProblemLog, limits: ReadLimits | None = None,
                  expect: str = INPUT_WORKBOOK) -> GuardedWorkbook | None:
    """The workbook at `path` if it may be parsed; None (with the reason logged) otherwise.

    `expect` says what the file should have been, for files that are text.
    """
    limits = limits or ReadLimits()
    name = path.name
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES and path.is_file():
        log.error(name, "", "", f"is a macro-enabled workbook ({suffix}); the planner does not open files that "
                                "can carry macros: save a copy as .xlsx (Excel Workbook)")
        return None
    content = read_file(path, log, limits, kind="workbook")
    if content is None:
        return None
    size = len(content)
    if not content:
        log.error(name, "", "", "is empty (0 bytes)")
        return None
    if content.startswith(OLE2):
        log.error(name, "", "", "is an Excel 97-2003 workbook (.xls) or another OLE2 file, not .xlsx: open it in "
                                "Excel or LibreOffice and save it as .xlsx")
        return None
    if not content.startswith(b"PK"):
        log.error(name, "", "", _what_it_is(suffix, content, expect))
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        log.error(name, "", "", f"not a readable .xlsx workbook: the zip archive is damaged or truncated ({exc})")
        return None
    if len(entries) > limits.max_entries:
        log.error(name, "", "", f"holds {len(entries):,} zip entries, above the limit of {limits.max_entries:,} "
                                "(raise it with --max-entries)")
        return None
    backslash = next((e.filename for e in entries if "\\" in e.filename), None)
    if backslash is not None:  # OOXML part names never hold one; some zip readers take it for "/", others not
        log.error(name, "", "", f"not a readable .xlsx workbook: the zip archive is damaged: it holds "
                                f"{backslash}, a name with a backslash, which no .xlsx part has (readers disagree on "
                                "what it names)")
        return None
    twice = [n for n, count in Counter(_same_part(e.filename) for e in entries).items() if count > 1]
    if twice:
        first = next(e.filename for e in entries if _same_part(e.filename) == twice[0])
        log.error(name, "", "", f"not a readable .xlsx workbook: the zip archive is damaged: it holds {first} "
                                "twice, and readers disagree on which copy is the data")
        return None
    unzipped = sum(e.file_size for e in entries)
    if unzipped > limits.max_unzipped_mb * MB:
        log.error(name, "", "", f"would unpack to {unzipped / MB:,.0f} MB, above the limit of "
                                f"{limits.max_unzipped_mb:g} MB (raise it with --max-unzipped-mb)")
        return None
    if unzipped > limits.max_ratio * max(size, 1) and unzipped > MB:
        log.error(name, "", "", f"would unpack to {unzipped / max(size, 1):,.0f} times its size, above the limit "
                                f"of {limits.max_ratio:g} (a zip bomb? raise it with --max-ratio)")
        return None
    part = next((e for e in entries if _kept(e.filename) and e.file_size > _PART_MB * MB), None)
    if part is not None:
        log.error(name, "", "", f"refused: {part.filename} would unpack to {part.file_size / MB:,.0f} MB; the planner "
                                f"holds such a part whole and reads it only up to {_PART_MB} MB (a real one is a "
                                "few KB)")
        return None
    names = [e.filename for e in entries]
    macro = next((n for n in names if n.lower().endswith("vbaproject.bin")), None)
    if macro is not None:
        log.error(name, "", "", f"carries macros ({macro}); the planner does not open such files: "
                                "save a copy as .xlsx (Excel Workbook) without macros")
        return None
    kept = _inflate_all(content, entries, limits, name, log)
    if kept is None:
        return None
    if b"opendocument" in kept.get("mimetype", b""):
        log.error(name, "", "", "is an OpenDocument spreadsheet (.ods), not .xlsx: save it as .xlsx")
        return None
    dtd = next((n for n, data in kept.items() if b"<!DOCTYPE" in data or b"<!ENTITY" in data), None)
    if dtd is not None:  # the macro checks below could not parse it (defusedxml), so they would not see into it
        log.error(name, "", "", f"refused: {dtd} declares entities or a DTD, which a workbook never needs (a "
                                "possible XML entity attack)")
        return None
    found = _macro_part(kept, set(names))
    if found is not None and found[1] in _ACTIVE_RELATIONSHIPS.values():
        log.error(name, "", "", f"carries {found[1]} ({found[0]}); the planner does not open files with ActiveX "
                                "controls or embedded OLE objects: save a copy without them")
        return None
    if found is not None:
        log.error(name, "", "", f"carries macros ({found[0]}, {found[1]}); the planner does not open such files: "
                                "save a copy as .xlsx (Excel Workbook) without macros")
        return None
    if "[Content_Types].xml" not in names:
        log.error(name, "", "", "is a zip archive but not an .xlsx workbook ([Content_Types].xml is missing)")
        return None
    if suffix != ".xlsx":
        log.error(name, "", "", f"is an .xlsx workbook named '{suffix or 'no extension'}': rename it to .xlsx")
        return None
    rebuilt = _rebuilt(content, entries)
    if rebuilt is None:
        log.error(name, "", "", "needs zip64 (a member or the archive of 4 GB or more, or over 65,535 entries), "
                                "which the planner does not read")
        return None
    return GuardedWorkbook(path, rebuilt, names, _TOKEN, hashlib.sha256(content).hexdigest())


def _same_part(member: str) -> str:
    """A member name as readers may take it, for the check that no two members name one part: case, a
    leading "/", "//" and "/./" are not told apart by every zip reader (nor "\\" from "/", refused anyway)."""
    part = member.replace("\\", "/").lower().lstrip("/")
    while "//" in part or "/./" in part:
        part = part.replace("//", "/").replace("/./", "/")
    return part[2:] if part.startswith("./") else part


def _rebuilt(content: bytes, entries: list[zipfile.ZipInfo], replaced: dict[str, bytes] | None = None
             ) -> bytes | None:
    """A new archive holding exactly the members the guard checked, their compressed bytes copied as they are:
    what every parser is handed, so that no reader can find another archive in the file (bytes before the
    first member or after the end record, a second end record, a central directory that is not where the
    end record says) or any byte the guard did not inflate. None if it would need zip64 (4 GB or more, or
    over 65,535 entries). Costs one copy of the compressed bytes; nothing is inflated again. `replaced`:
    members whose bytes are given instead (stored uncompressed; `GuardedWorkbook.with_members`)."""
    if len(entries) > 0xFFFF:
        return None
    view = memoryview(content)
    pieces: list[bytes | memoryview] = []
    directory: list[bytes] = []
    offset = 0
    for info in entries:
        if replaced is not None and info.filename in replaced:
            data: bytes | memoryview = replaced[info.filename]
            method, crc, compressed, size = zipfile.ZIP_STORED, zlib.crc32(data), len(data), len(data)
        else:
            data = _member_data(view, info)  # checked by `_inflate_all`: its CRC and size are the header's
            method, crc, compressed, size = info.compress_type, info.CRC, info.compress_size, info.file_size
        if compressed >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
            return None
        try:
            encoded, flags = info.filename.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = info.filename.encode("utf-8"), 0x800
        time = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
        date = ((max(info.date_time[0], 1980) - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
        fields = struct.pack("<HHHHHIIIH", 20, flags, method, time, date, crc, compressed, size, len(encoded))
        pieces += [b"PK\x03\x04" + fields + b"\0\0", encoded, data]
        directory.append(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                         + struct.pack("<HHHHII", 0, 0, 0, 0, info.external_attr & 0xFFFFFFFF, offset) + encoded)
        offset += 30 + len(encoded) + len(data)
        if offset >= 0xFFFFFFFF:
            return None
    size = sum(map(len, directory))
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), size, offset, 0)
    return b"".join([*pieces, *directory, end])


def _kept(name: str) -> bool:
    """The members whose bytes the macro and format checks read: small by nature (and bounded like the rest)."""
    return name in ("[Content_Types].xml", "mimetype") or name.endswith(".rels")


def _inflate_all(content: bytes, entries: list[zipfile.ZipInfo], limits: ReadLimits, name: str,
                 log: ProblemLog) -> dict[str, bytes] | None:
    """Inflate every member through a bounded stream, counting the bytes really produced; the bytes of the
    `_kept` members, or None (logged) when a member is damaged, lies about its size, or the total passes a limit.

    Nothing is trusted from the headers here but where a member's bytes
    start and end: the budget is the limits' (`max_unzipped_mb`, and
    `max_ratio` times the file's size once over 1 MB), spent as bytes come
    out, and each member is stopped at the first byte past its declared size.
    """
    view = memoryview(content)
    budget = min(limits.max_unzipped_mb * MB, max(limits.max_ratio * max(len(content), 1), MB))
    spent = 0
    kept: dict[str, bytes] = {}
    for info in entries:
        if info.is_dir() and info.compress_size == 0:
            continue
        keep = _kept(info.filename)
        try:
            data = _member_data(view, info)
            real, crc, parts = _inflate(data, info, budget - spent, keep)
        except _Damaged as exc:
            log.error(name, "", "", f"not a readable .xlsx workbook: the zip archive is damaged: {info.filename} "
                                    f"{exc}")
            return None
        spent += real
        if spent > budget or real > info.file_size:
            if real > info.file_size:
                log.error(name, "", "", f"refused: {info.filename} unpacks to more than the {info.file_size:,} bytes "
                                        "its zip header declares (a zip bomb, or a damaged file)")
            elif spent > limits.max_unzipped_mb * MB:
                log.error(name, "", "", f"unpacks to more than {limits.max_unzipped_mb:g} MB, the limit "
                                        "(raise it with --max-unzipped-mb)")
            else:
                log.error(name, "", "", f"unpacks to more than {limits.max_ratio:g} times its size, the limit "
                                        "(a zip bomb? raise it with --max-ratio)")
            return None
        if real != info.file_size or crc != info.CRC:
            what = "is shorter than its zip header declares" if real != info.file_size else "fails its CRC check"
            log.error(name, "", "", f"not a readable .xlsx workbook: the zip archive is damaged: {info.filename} "
                                    f"{what}")
            return None
        if keep:
            kept[info.filename] = b"".join(parts)
    return kept


class _Damaged(Exception):
    """A member whose bytes cannot be what its header says; the message completes "member NAME ..."."""


def _member_data(view: memoryview, info: zipfile.ZipInfo) -> memoryview:
    """A member's compressed bytes, located as every zip reader locates them (local header, then data)."""
    start = info.header_offset
    header = bytes(view[start:start + 30])
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _Damaged("has no local header where the directory says")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    begin = start + 30 + name_length + extra_length
    if begin + info.compress_size > len(view):
        raise _Damaged("runs past the end of the file (truncated?)")
    if info.flag_bits & 0x1:
        raise _Damaged("is encrypted")
    return view[begin:begin + info.compress_size]


def _inflate(data: memoryview, info: zipfile.ZipInfo, budget: float, keep: bool) -> tuple[int, int, list[bytes]]:
    """(bytes produced, their CRC-32, the bytes if `keep`): inflated at most `_CHUNK_OUT` at a time, and
    stopped once past `budget` or past the declared size (the caller then refuses the file)."""
    stop = min(budget, info.file_size) + 1
    parts: list[bytes] = []
    if info.compress_type == zipfile.ZIP_STORED:
        piece = bytes(data[:int(stop)]) if keep else data[:int(stop)]
        if keep:
            parts.append(piece)  # type: ignore[arg-type]
        return len(piece), zlib.crc32(piece), parts
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _Damaged(f"is compressed with zip method {info.compress_type}; .xlsx workbooks use deflate only")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    real = crc = position = 0
    pending: bytes | memoryview = b""
    while real < stop and not inflater.eof:
        if not pending and position < len(data):
            pending = data[position:position + _CHUNK_IN]
            position += len(pending)
        try:
            out = inflater.decompress(pending, _CHUNK_OUT)
        except zlib.error as exc:
            raise _Damaged(f"is not a valid deflate stream ({exc})") from None
        pending = inflater.unconsumed_tail
        if not out and not pending and position >= len(data):
            break  # every byte given and nothing more comes out: the stream is cut short
        real += len(out)
        crc = zlib.crc32(out, crc)
        if keep:
            parts.append(out)
    if real < stop and not inflater.eof:
        raise _Damaged("ends before its deflate stream does (truncated?)")
    return real, crc, parts


def _macro_part(kept: dict[str, bytes], names: set[str]) -> tuple[str, str] | None:
    """(part, what it is) for the first part the package itself calls macros: by a relationship's type, by an
    Override's content type, or by the Default content type of an extension some member has."""
    from defusedxml import ElementTree

    lower = {n.lower(): n for n in names}
    activex = next((n for n in sorted(names) if n.lower().startswith("xl/activex/")), None)
    if activex is not None:
        return activex, _ACTIVE_RELATIONSHIPS["control"]
    for member, data in kept.items():
        if not member.endswith(".rels"):
            continue
        try:
            root = ElementTree.fromstring(data)
        except Exception:  # noqa: BLE001 - an unparsable part is the parsers' to refuse, with their message
            continue
        folder = PurePosixPath(member).parent.parent  # xl/_rels/workbook.xml.rels -> xl
        for rel in root.iter():
            kind = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1].lower()
            what = _MACRO_RELATIONSHIPS.get(kind) or _ACTIVE_RELATIONSHIPS.get(kind)
            if rel.tag.endswith("Relationship") and what is not None:
                target = rel.get("Target") or ""
                part = posixpath.normpath(target if target.startswith("/") else f"{folder}/{target}").lstrip("/")
                return lower.get(part.lower(), part), what
    types = kept.get("[Content_Types].xml")
    if types is not None:
        try:
            root = ElementTree.fromstring(types)
        except Exception:  # noqa: BLE001 - as above
            return None
        extensions = {PurePosixPath(n).suffix.lstrip(".").lower() for n in names}
        for entry in root.iter():
            what = _MACRO_CONTENT.get((entry.get("ContentType") or "").lower())
            if what is None:
                continue
            if entry.tag.endswith("Override"):
                part = (entry.get("PartName") or "").lstrip("/")
                return lower.get(part.lower(), part), what
            extension = (entry.get("Extension") or "").lower()
            if entry.tag.endswith("Default") and extension in extensions:
                return next(n for n in sorted(names) if n.lower().endswith(f".{extension}")), what
    return None


def _what_it_is(suffix: str, content: bytes, expect: str = INPUT_WORKBOOK) -> str:
    head = content[:4096]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return f"is text ({suffix or 'no extension'}), not an .xlsx workbook: {expect}"
        except UnicodeDecodeError:
            pass
    return "not a readable .xlsx workbook: it is not a zip archive (damaged, truncated, or another format)"
