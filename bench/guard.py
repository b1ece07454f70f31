"""What a hostile file costs the planner before it is refused (or read): wall time and peak memory.

    python bench/guard.py [--out bench/results/guard.md] [--before DIR] [--only CASE ...]

    git archive 843aaab | tar -x -C /tmp/before && python bench/guard.py --before /tmp/before

Builds each file below in a temporary folder and runs the command a user
would type on it, `python -m planner ...`, in a fresh process; reports the
exit code, wall time (process start to exit, imports included) and peak
memory (that process's VmHWM), and the same for `open_workbook` alone. `--before` also runs another checkout of the planner
(say the commit before the fixes) on the same files. Not part of the test
suite: the tests assert what is refused and its message, this script what
the refusal costs.

Cases:

* bomb-lying: the Items sheet inflates to 600 MB of XML (blanks after the
  root element) while the zip headers declare its old size, ~2.4 KB;
* bomb-lying-100mb: the same declaring 100 MB, just within the ratio limit
  (200 x 604 KB), so the guard streams 100 MB before it finds the lie;
* bomb-honest: a 64 MB member whose headers tell the truth (the catalogue's);
* batch-comment: a batch table (.xlsx) whose sheet holds a 20 MB XML comment;
* diff-comment: a plan given to `planner diff` whose Plan sheet holds one;
* hidden-million / plain-million / merged-million: three offers, then a
  million empty formatted rows, with one hidden row, none, or a merged cell.
"""

from __future__ import annotations

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import publish  # noqa: E402 - after the path is set

MB = 1024 * 1024
SHEETS = {
    "Items": (["item", "demand", "unit"], [["A", 100, "t"], ["B", 10, "kg"]]),
    "Suppliers": (["supplier", "country"], [["S1", "C1"], ["S2", "C2"]]),
    "Countries": (["country", "name"], [["C1", "C1"], ["C2", "C2"]]),
    "Offers": (["item", "supplier", "price"], [["A", "S1", 10], ["A", "S2", 12], ["B", "S2", 4]]),
}


def input_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in SHEETS.items():
        ws = wb.create_sheet(name)
        for row in [header, *rows]:
            ws.append(row)
    wb.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def lying_bomb(folder: Path, declared: int | None = None) -> list[str]:
    """Items' XML plus 600 MB of blanks after its root element; then both zip headers are made to declare
    `declared` bytes (default the XML's old size, ~2.4 KB), as a hostile file would."""
    parts = members(input_workbook(folder / "base.xlsx"))
    name = "xl/worksheets/sheet1.xml"
    real = parts.pop(name)
    path = write_zip(folder / "bomb.xlsx", parts)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open(name, "w") as member:
            member.write(real)
            for _ in range(600):
                member.write(b" " * MB)
    content = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    declared = len(real) if declared is None else declared
    struct.pack_into("<I", content, local + 22, declared)  # the local header's uncompressed size
    central = content.find(b"PK\x01\x02", local)
    while central != -1:
        length, extra, comment = struct.unpack("<HHH", content[central + 28:central + 34])
        if content[central + 46:central + 46 + length] == name.encode():
            struct.pack_into("<I", content, central + 24, declared)  # the central directory's
        central = content.find(b"PK\x01\x02", central + 46 + length + extra + comment)
    path.write_bytes(bytes(content))
    return ["validate", str(path)]


def honest_bomb(folder: Path) -> list[str]:
    parts = members(input_workbook(folder / "base.xlsx"))
    write_zip(folder / "bomb.xlsx", {**parts, "xl/media/padding.bin": b"\0" * (64 * MB)})
    return ["validate", str(folder / "bomb.xlsx")]


def with_comment(path: Path, member: str, size: int) -> Path:
    parts = members(path)
    parts[member] = parts[member].replace(b"<sheetData>", b"<!--" + b"x" * size + b"--><sheetData>", 1)
    return write_zip(path, parts)


def batch_comment(folder: Path) -> list[str]:
    input_workbook(folder / "in.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["base", "output"])
    wb.active.append(["in.xlsx", "plan.xlsx"])
    wb.save(folder / "runs.xlsx")
    with_comment(folder / "runs.xlsx", "xl/worksheets/sheet1.xml", 20 * MB)
    return ["batch", str(folder / "runs.xlsx"), "-o", str(folder / "summary.xlsx"), "--no-rule-costs"]


def diff_comment(folder: Path) -> list[str]:
    input_workbook(folder / "in.xlsx")
    subprocess.run([sys.executable, "-m", "planner", "solve", str(folder / "in.xlsx"), "-o", str(folder / "old.xlsx"),
                    "-q", "--no-rule-costs"], check=True, cwd=ROOT)
    (folder / "new.xlsx").write_bytes((folder / "old.xlsx").read_bytes())
    names = members(folder / "new.xlsx")
    plan = next(n for n in names if n.startswith("xl/worksheets/") and b"unit_cost" in names[n])
    with_comment(folder / "new.xlsx", plan, 20 * MB)
    return ["diff", str(folder / "old.xlsx"), str(folder / "new.xlsx")]


def million(extra: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        parts = members(input_workbook(folder / "in.xlsx"))
        name = "xl/worksheets/sheet4.xml"  # Offers
        xml = parts[name].decode()
        rows = "".join(f'<row r="{r}" s="0" customFormat="1"><c r="A{r}" s="0"/></row>'
                       for r in range(5, 1_000_005))
        xml = xml.replace("</sheetData>", rows + "</sheetData>", 1)
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:C1000004"/>', xml)
        if extra == "hidden":
            xml = xml.replace('<row r="3"', '<row r="3" hidden="1"', 1)
        if extra == "merged":
            xml = xml.replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A3:A4"/></mergeCells>', 1)
        parts[name] = xml.encode()
        write_zip(folder / "in.xlsx", parts)
        return ["validate", str(folder / "in.xlsx")]
    return build


def baseline(folder: Path) -> list[str]:
    """What any command costs before it reads a byte: Python start-up and the planner's imports."""
    return ["validate", str(folder / "missing.xlsx")]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "baseline (missing file)": baseline, "bomb-lying": lying_bomb,
    "bomb-lying-100mb": lambda folder: lying_bomb(folder, 100 * MB), "bomb-honest": honest_bomb,
    "batch-comment": batch_comment, "diff-comment": diff_comment, "hidden-million": million("hidden"),
    "plain-million": million("plain"), "merged-million": million("merged"),
}

# Peak memory is the process's own VmHWM, read as it exits: Linux carries ru_maxrss across exec, so wait4
# would report the benchmark's own footprint (the files it built) for any child that used less.
PEAK = """
import atexit, os
def _peak():
    with open("/proc/self/status") as status:
        kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["BENCH_PEAK"], "w") as out:
        out.write(kib)
atexit.register(_peak)
"""
PLANNER = PEAK + "import runpy; runpy.run_module('planner', run_name='__main__')"
GUARD_ALONE = PEAK + """
import sys, time
from pathlib import Path
from planner.io.guard import open_workbook
from planner.problems import ProblemLog
with open("/proc/self/status") as status:
    before = next(line.split()[1] for line in status if line.startswith("VmRSS:"))
started = time.perf_counter()
passed = open_workbook(Path(sys.argv[1]), ProblemLog()) is not None
print(time.perf_counter() - started, int(before) / 1024, passed)
"""


def peak_mib(path: Path) -> float:
    return int(path.read_text() or 0) / 1024 if path.is_file() and path.read_text() else float("nan")


def run(argv: list[str], root: Path, timeout: float) -> tuple[int | str, float, float, str]:
    """(exit code, wall seconds, peak MiB, last line of output) of `python -m planner ARGV` from `root`."""
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as err:
        peak = Path(scratch) / "peak"
        env = {**os.environ, "PYTHONPATH": str(root), "BENCH_PEAK": str(peak)}
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", PLANNER, *argv, "-q"], cwd=root, env=env, stdout=err,
                                 stderr=err)
        try:
            code: int | str = child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            code = f"killed after {timeout:g} s"
        wall = time.perf_counter() - started
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
        return code, wall, peak_mib(peak), (lines[-1] if lines else "")[:140]


def guard_alone(path: Path, root: Path) -> str:
    """`open_workbook` on the file in a fresh process that imports nothing else: seconds, peak MiB."""
    if not path.is_file():
        return "| |"
    with tempfile.TemporaryDirectory() as scratch:
        peak = Path(scratch) / "peak"
        out = subprocess.run([sys.executable, "-c", GUARD_ALONE, str(path)], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONPATH": str(root), "BENCH_PEAK": str(peak)})
        seconds, before, _ = out.stdout.split()
        return f"{float(seconds):.3f} | {peak_mib(peak) - float(before):,.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "guard.md")
    parser.add_argument("--root", type=Path, default=ROOT, help="the planner checkout to run (default: this one)")
    parser.add_argument("--before", type=Path, help="also run this checkout (say, the commit before the fixes)")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="run only these cases")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    roots = [args.before.resolve()] if args.before else []
    roots.append(args.root.resolve())
    rows = []
    for case, build in CASES.items():
        if args.only and case not in args.only:
            continue
        with tempfile.TemporaryDirectory() as folder:
            argv = build(Path(folder))
            named = [Path(a) for a in argv if Path(a).is_file()]
            target = max(named, key=lambda p: p.stat().st_size) if named else Path(folder) / "missing.xlsx"
            size = target.stat().st_size if target.is_file() else 0
            cells = []
            for root in roots:
                code, wall, peak, said = run(argv, root, args.timeout)
                cells.append(f"{code} | {wall:.2f} | {peak:,.0f} |")
            alone = guard_alone(target, roots[-1])
        rows.append(f"| {case} | {size / 1024:,.0f} | {argv[0]} | {' '.join(cells)} {alone} {said.replace('|', '/')} |")
        print(rows[-1], file=sys.stderr)
    names = [r.name for r in roots]
    head = "".join(f" exit ({n}) | wall s ({n}) | peak MiB ({n}) |" for n in names)
    publish("\n".join([
        f"Hostile files (bench/guard.py): each command in a fresh process, run from {' and '.join(f'`{n}`' for n in names)}; "
        "wall time from process start to exit (the baseline row is what start-up and imports cost alone), "
        "peak memory is the process's high-water RSS (VmHWM). 'guard' is `open_workbook` alone on the same "
        "file in a fresh process: its seconds, and how far its peak memory rose above what the process held "
        "once `planner` was imported (the file's bytes included).", "",
        f"| case | file KiB | command |{head} guard s | guard MiB | last message ({names[-1]}) |",
        "|---|---:|---|" + "---:|---:|---:|" * len(names) + "---:|---:|---|",
        *rows]), args.out)


if __name__ == "__main__":
    main()
