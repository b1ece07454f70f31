"""A plan workbook (as `planner solve` writes it) -> `diff.PlanTables`.

Reads the Plan sheet by its header names and the fixed costs and currency
from the Summary sheet; problems (not a plan workbook, a column missing) are logged
with the file and sheet. A plan of several periods (a `period` column) also
gives its holding cost (Summary), its expansion costs (added to its fixed
costs) and its periods in planning order (Stock). A two-stage plan (a Risk
sheet) also gives its objective, expected cost, CVaR, worst scenario and
baseline cost (`PlanTables.risk`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
from openpyxl.utils import column_index_from_string, get_column_letter

from planner.diff import RISK_FIGURES, PlanTables
from planner.io.guard import ReadLimits, open_workbook
from planner.problems import ProblemLog

NEEDED = ("item", "supplier", "country", "quantity", "unit_cost", "cost")
PLAN_WORKBOOK = "a plan workbook written by 'planner solve' is expected"


def read_plan(path: str | Path, log: ProblemLog, limits: ReadLimits | None = None) -> PlanTables | None:
    """The Plan sheet and fixed costs of a plan workbook, or None with every problem logged.

    The file passes the same guard as an input workbook (`open_workbook`):
    a plan comes from outside too (a colleague's, last month's).
    """
    from planner.io.read import broken_sheet, load_values

    path = Path(path)
    book = open_workbook(path, log, limits, expect=PLAN_WORKBOOK)
    wb = load_values(book, log) if book is not None else None
    if wb is None:
        return None
    if "Plan" not in wb.sheetnames:
        log.error(path.name, "", "", f"has no Plan sheet: not a plan workbook (sheets: {', '.join(wb.sheetnames)})")
        return None
    rows: list[tuple] = []
    try:
        for row in wb["Plan"].iter_rows(values_only=True):
            rows.append(row)
    except (ValueError, OverflowError) as exc:
        # openpyxl casts a number cell's text as it meets it and fails on one no float is written as ('INF')
        cell, text = _unreadable_number(wb["Plan"], len(rows) + 1)
        if cell is None:
            broken_sheet(f"{path.name}:Plan", len(rows), exc, log)
            return None
        header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
        column = header[column_index_from_string(cell.rstrip("0123456789")) - 1] if cell and rows else ""
        log.error(f"{path.name}:Plan", cell, column, f"{text!r} in a number cell is not a number", text)
        return None
    except Exception as exc:  # noqa: BLE001 - read-only mode parses as it goes: a broken sheet raises here
        broken_sheet(f"{path.name}:Plan", len(rows), exc, log)
        return None
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
    bad = 0
    for column in ("quantity", "unit_cost"):
        letter = get_column_letter(header.index(column) + 1)
        for i, value in enumerate(frame[column]):
            # a non-finite value would turn every total of the diff into inf or NaN, and its JSON into an error
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                bad += 1
                if bad <= 5:
                    log.error(f"{path.name}:Plan", f"{letter}{i + 2}", column,
                              f"{value!r} is not a finite number", value)
    if bad:
        return None
    frame["item"] = frame["item"].astype(str)
    frame["supplier"] = frame["supplier"].astype(str)
    columns = ["item", "supplier", "country", "quantity", "unit_cost", "cost", "blocs"]
    periods: tuple[str, ...] = ()
    if "period" in frame.columns:  # a plan of several periods: a line per arrival period
        frame["period"] = frame["period"].astype(str)
        columns.insert(2, "period")
        periods = _periods(wb, frame)
    fixed, holding, built = 0.0, 0.0, 0.0
    currency, currency_at = None, ""
    if "Summary" in wb.sheetnames:
        found_fixed = found_holding = found_built = False
        row = 0
        try:
            for row, (label, value, *_) in enumerate(wb["Summary"].iter_rows(values_only=True, max_col=2), start=1):
                if label == "fixed costs" and isinstance(value, (int, float)) and not found_fixed:
                    fixed, found_fixed = float(value), True
                elif label == "holding cost" and isinstance(value, (int, float)) and periods and not found_holding:
                    holding, found_holding = float(value), True
                elif label == "expansion costs" and isinstance(value, (int, float)) and periods and not found_built:
                    built, found_built = float(value), True  # fixed costs too: the diff's fixed-cost effect
                elif label == "currency" and isinstance(value, str) and value.strip() and currency is None:
                    currency, currency_at = value.strip(), f"{path.name}:Summary!B{row}"
                if found_fixed and currency is not None and (found_holding and found_built or not periods):
                    break  # the facts head the sheet; the tables below can be long
        except Exception as exc:  # noqa: BLE001 - as the Plan sheet's: the fixed costs would be read wrong
            broken_sheet(f"{path.name}:Summary", row, exc, log)
            return None
    risk: dict[str, object] = {}
    if "Risk" in wb.sheetnames:
        found = _risk(wb["Risk"], f"{path.name}:Risk", log)
        if found is None:
            return None
        risk = found
    return PlanTables(frame[columns], fixed + built, path.name, currency, currency_at, holding, periods, risk)


def _risk(ws: object, where: str, log: ProblemLog) -> dict[str, object] | None:
    """A two-stage plan's figures from its Risk sheet (planner.io.write_stages): the `figure` / `value` rows
    (a figure written `none` has none: None), and `baseline_cost`, the cost of the `baseline` row of the table
    of each scenario's cost below them; None with the problem logged when a figure is not a finite number."""
    from planner.io.read import broken_sheet

    out: dict[str, object] = {}
    row = 0
    costs_at: int | None = None  # the `cost` column of the table of scenarios, once its header is met
    try:
        for row, values in enumerate(ws.iter_rows(values_only=True, max_col=3), start=1):  # type: ignore[attr-defined]
            label, value = (values + (None, None))[:2]
            if label == "scenario" and "cost" in values:
                costs_at = list(values).index("cost")
            elif costs_at is not None and label == "baseline":
                out["baseline_cost"] = values[costs_at]
                break
            elif costs_at is None and label in RISK_FIGURES and label not in out:
                out[label] = None if value == "none" else value
    except Exception as exc:  # noqa: BLE001 - read-only mode parses as it goes: a broken sheet raises here
        broken_sheet(where, row, exc, log)
        return None
    for key, value in out.items():
        if key == "worst_scenario":
            out[key] = None if value is None else str(value)
        elif value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                    or not math.isfinite(value)):
            log.error(where, "", key, f"{value!r} is not a finite number", value)
            return None
        elif value is not None:
            out[key] = float(value)
    return out if out.get("objective") is not None else {}


def _periods(wb: object, frame: pd.DataFrame) -> tuple[str, ...]:
    """The periods of a plan of several periods in planning order: the Stock sheet lists every period for its
    first item in that order; without one (a plan edited by hand), the Plan sheet's in the order they appear."""
    found: list[str] = []
    if "Stock" in wb.sheetnames:  # type: ignore[attr-defined]
        rows = wb["Stock"].iter_rows(values_only=True)  # type: ignore[index]
        head = [str(h) if h is not None else "" for h in next(rows, ())]
        if "item" in head and "period" in head:
            first = None
            for values in rows:
                item, period = values[head.index("item")], values[head.index("period")]
                if first is None:
                    first = item
                if item != first or period is None:
                    break
                found.append(str(period))
    return tuple(dict.fromkeys(found + [str(p) for p in frame["period"]]))


_NUMBER_CELL = re.compile(rb'<c r="([A-Z]+\d+)"(?:(?! t=)[^>])*(?: t="n"(?:(?! t=)[^>])*)?>(?:<f>[^<]*</f>)?<v>([^<]*)</v>')


def _unreadable_number(ws: object, row: int) -> tuple[str | None, str | None]:
    """The coordinate and text of the first number cell of `row` that no float reads, from the sheet's XML."""
    try:
        with ws._get_source() as source:  # type: ignore[attr-defined]
            xml = source.read()
    except (OSError, KeyError, AttributeError):
        return None, None
    for match in _NUMBER_CELL.finditer(xml):
        coordinate = match.group(1).decode()
        if coordinate.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != str(row):
            continue
        text = match.group(2).decode(errors="replace")
        try:
            float(text)
        except ValueError:
            return coordinate, text
        if not math.isfinite(float(text)):
            return coordinate, text
    return None, None
