"""A plan workbook (as `planner solve` writes it) -> `diff.PlanTables`.

Reads the Plan sheet by its header names and the fixed costs from the
Summary sheet; problems (not a plan workbook, a column missing) are logged
with the file and sheet.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.diff import PlanTables
from planner.io.guard import ReadLimits, open_workbook
from planner.problems import ProblemLog

NEEDED = ("item", "supplier", "country", "quantity", "unit_cost", "cost")
PLAN_WORKBOOK = "a plan workbook written by 'planner solve' is expected"


def read_plan(path: str | Path, log: ProblemLog, limits: ReadLimits | None = None) -> PlanTables | None:
    """The Plan sheet and fixed costs of a plan workbook, or None with every problem logged.

    The file passes the same guard as an input workbook (`open_workbook`):
    a plan comes from outside too (a colleague's, last month's).
    """
    from planner.io.read import load_values

    path = Path(path)
    book = open_workbook(path, log, limits, expect=PLAN_WORKBOOK)
    wb = load_values(book, log) if book is not None else None
    if wb is None:
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
    width = len(header)  # rows end at their last cell (the sheet's <dimension> is not trusted): pad or cut them
    frame = pd.DataFrame([tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[1:]
                          if any(v is not None for v in r)], columns=header)
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
    if "Summary" in wb.sheetnames:
        for label, value, *_ in wb["Summary"].iter_rows(values_only=True, max_col=2):
            if label == "fixed costs" and isinstance(value, (int, float)):
                fixed = float(value)
                break
    return PlanTables(frame[["item", "supplier", "country", "quantity", "unit_cost", "cost", "blocs"]], fixed,
                      path.name)
