"""The plan workbooks open and render their charts in LibreOffice Calc.

LibreOffice is what CI installs (`.ci/run`); where it is missing the test is
skipped, saying so. Converting to PDF makes Calc parse every sheet, chart and
conditional format; a workbook Calc must repair or cannot read fails here.
The chart titles are then looked for in the PDF's text, so a chart that Calc
dropped is caught too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import countries, write_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "inputs" / "example.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")


def planner(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=300)


def to_pdf(workbook: Path, tmp_path: Path) -> str:
    """Convert with a private LibreOffice profile; return the PDF's text ('' if pdftotext is missing)."""
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(workbook)], capture_output=True, text=True, timeout=300)
    pdf = tmp_path / f"{workbook.stem}.pdf"
    assert result.returncode == 0 and pdf.exists() and pdf.stat().st_size > 10_000, result.stderr
    if shutil.which("pdftotext") is None:
        return ""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout


def test_example_plan_renders_every_chart(tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    assert planner("solve", str(EXAMPLE), "-o", str(plan)).returncode == 0
    text = to_pdf(plan, tmp_path)
    if text:
        for title in ("Spend by bloc (EUR)", "Volume share by country per item",
                      "Surviving share per scenario against the", "Joint cost of the top rules (EUR)"):
            assert title in text


def test_relaxed_plan_and_frontier_render(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]],
        "Suppliers": [["S1", "C1"], ["S2", "C2"]],
        "Countries": countries("C1", "C2"),
        "Offers": [["A", "S1", 10], ["A", "S2", 12, 40]],
        "Policy": [["max_share", None, "C1", 0.5]],
    })
    relaxed = tmp_path / "relaxed.xlsx"
    assert planner("solve", str(src), "-o", str(relaxed), "--elastic").returncode == 4
    assert "Policy-max-share" in to_pdf(relaxed, tmp_path) or shutil.which("pdftotext") is None
    sweep = tmp_path / "sweep.xlsx"
    assert planner("frontier", str(src), "--rule", "2", "--from", "1", "--to", "0.6", "--steps", "5",
                   "-o", str(sweep)).returncode == 0
    text = to_pdf(sweep, tmp_path)
    if text:
        assert "Cost against the rule's value" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is needed to read what Calc shows")
def test_diff_shows_every_number_not_hashes(tmp_path: Path) -> None:
    """Columns sized on the bare numbers were too narrow for whole-number costs shown as #,##0.00: Calc
    printed ### in cost_old and cost_new instead of 2,679,200.00 and 2,100,000.00."""
    from test_rerun import plan_book

    old = plan_book(tmp_path / "old.xlsx", [["A", "S1", "C1", 19700, 136, 2679200, ""],
                                            ["A", "S2", "C2", 300, 140, 42000, "EU"]], 0)
    new = plan_book(tmp_path / "new.xlsx", [["A", "S1", "C1", 5000, 136, 680000, ""],
                                            ["A", "S2", "C2", 15000, 140, 2100000, "EU"]], 0)
    out = tmp_path / "diff.xlsx"
    assert planner("diff", str(old), str(new), "-o", str(out)).returncode == 0
    text = to_pdf(out, tmp_path)
    assert "###" not in text
    assert "2,679,200.00" in text and "2,100,000.00" in text
