"""Checks on a file's bytes before any parser sees them.

A workbook is a zip of XML files, so a hostile or broken file is refused
here, with a message saying what it is and how to get a readable one:

- not a regular file, empty, or larger than `max_file_mb`;
- an Excel 97-2003 (.xls) or other OLE2 file, an OpenDocument (.ods)
  spreadsheet, text such as CSV, or anything that is not a zip archive
  (damaged or truncated downloads);
- macro-bearing workbooks (`.xlsm`, `.xltm`, or an `xl/vbaProject.bin`
  inside): the planner never opens them;
- zip bombs: more than `max_entries` entries, more than `max_unzipped_mb`
  unpacked, or an unpacked size more than `max_ratio` times the file's.

XML entity attacks are stopped by defusedxml, which openpyxl uses when it is
installed (it is a dependency); `read.py` turns its refusal into a message.
Every limit can be raised from the command line (`--max-file-mb`, ...).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

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


def check_workbook_bytes(path: Path, log: ProblemLog, limits: ReadLimits | None = None) -> bytes | None:
    """The file's bytes if it may be handed to openpyxl; None (with the reason logged) otherwise."""
    limits = limits or ReadLimits()
    name = path.name
    if not path.exists():
        log.error(name, "", "", f"file not found: {path}")
        return None
    if path.is_dir():
        log.error(name, "", "", f"{path} is a folder, not a workbook")
        return None
    if not path.is_file():
        log.error(name, "", "", f"{path} is not a regular file")
        return None
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        log.error(name, "", "", f"is {size / MB:,.3g} MB, above the limit of {limits.max_file_mb:g} MB "
                                "(raise it with --max-file-mb)")
        return None
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        log.error(name, "", "", f"is a macro-enabled workbook ({suffix}); the planner does not open files that "
                                "can carry macros: save a copy as .xlsx (Excel Workbook)")
        return None
    content = path.read_bytes()
    if not content:
        log.error(name, "", "", "is empty (0 bytes)")
        return None
    if content.startswith(OLE2):
        log.error(name, "", "", "is an Excel 97-2003 workbook (.xls) or another OLE2 file, not .xlsx: open it in "
                                "Excel or LibreOffice and save it as .xlsx")
        return None
    if not content.startswith(b"PK"):
        log.error(name, "", "", _what_it_is(suffix, content))
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        log.error(name, "", "", f"not a readable .xlsx workbook: the zip archive is damaged or truncated ({exc})")
        return None
    names = {e.filename for e in entries}
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        log.error(name, "", "", "is an OpenDocument spreadsheet (.ods), not .xlsx: save it as .xlsx")
        return None
    if len(entries) > limits.max_entries:
        log.error(name, "", "", f"holds {len(entries):,} zip entries, above the limit of {limits.max_entries:,} "
                                "(raise it with --max-entries)")
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
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        log.error(name, "", "", "carries macros (xl/vbaProject.bin); the planner does not open such files: "
                                "save a copy as .xlsx (Excel Workbook) without macros")
        return None
    if "[Content_Types].xml" not in names:
        log.error(name, "", "", "is a zip archive but not an .xlsx workbook ([Content_Types].xml is missing)")
        return None
    if suffix != ".xlsx":
        log.error(name, "", "", f"is an .xlsx workbook named '{suffix or 'no extension'}': rename it to .xlsx")
        return None
    return content


def _what_it_is(suffix: str, content: bytes) -> str:
    head = content[:4096]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return (f"is text ({suffix or 'no extension'}), not an .xlsx workbook: the input must be a workbook "
                    "with the sheets Items, Suppliers, Countries, Offers (see 'planner template')")
        except UnicodeDecodeError:
            pass
    return "not a readable .xlsx workbook: it is not a zip archive (damaged, truncated, or another format)"
