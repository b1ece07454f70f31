"""A plan workbook (as `planner solve` writes it) -> `diff.PlanTables`.

Reads the Plan sheet by its header names and the fixed costs and currency
from the Summary sheet; problems (not a plan workbook, a column missing) are logged
with the file and sheet.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from planner.diff import PlanTables
from planner.problems import ProblemLog

NEEDED = ("item", "supplier", "country", "quantity", "unit_cost", "cost")


def read_plan(path: str | Path, log: ProblemLog) -> PlanTables | None:
    path = Path(path)
    if not path.is_file():
        log.error(path.name, "", "", f"file not found: {path}" if not path.exists() else f"{path} is not a file")
        return None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=True, read_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        log.error(path.name, "", "", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})")
        return None
    if "Plan" not in wb.sheetnames:
        log.error(path.name, "", "", f"has no Plan sheet: not a plan workbook (sheets: {', '.join(wb.sheetnames)})")
        return None
    rows = list(wb["Plan"].iter_rows(values_only=True))
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    missing = [c for c in NEEDED if c not in header]
    if missing:
        log.error(f"{path.name}:Plan", "1:1", "", f"columns missing from the header: {', '.join(missing)}")
        return None
    frame = pd.DataFrame([r for r in rows[1:] if any(v is not None for v in r)], columns=header)
    if "blocs" not in frame.columns:
        frame["blocs"] = ""
    bad = [i + 2 for i, (q, u) in enumerate(zip(frame["quantity"], frame["unit_cost"]))
           if not isinstance(q, (int, float)) or not isinstance(u, (int, float))]
    for row in bad[:5]:
        log.error(f"{path.name}:Plan", f"row {row}", "quantity", "quantity and unit_cost must be numbers")
    if bad:
        return None
    frame["item"] = frame["item"].astype(str)
    frame["supplier"] = frame["supplier"].astype(str)
    fixed = 0.0
    currency, currency_at = None, ""
    if "Summary" in wb.sheetnames:
        found_fixed = False
        for row, (label, value, *_) in enumerate(wb["Summary"].iter_rows(values_only=True, max_col=2), start=1):
            if label == "fixed costs" and isinstance(value, (int, float)) and not found_fixed:
                fixed, found_fixed = float(value), True
            elif label == "currency" and isinstance(value, str) and value.strip() and currency is None:
                currency, currency_at = value.strip(), f"{path.name}:Summary!B{row}"
            if found_fixed and currency is not None:
                break  # the facts head the sheet; the tables below can be long
    return PlanTables(frame[["item", "supplier", "country", "quantity", "unit_cost", "cost", "blocs"]], fixed,
                      path.name, currency, currency_at)
