"""`Plan` -> plan workbook (step 6 of the pipeline).

Sheets: Plan (one row per purchase), Summary (costs, shares, concentration),
Scenarios (surviving volume per scenario and item), Run (provenance, solver
status, warnings). Headers are frozen and carry a comment saying what the
column means; numbers are formatted; columns are sized to their content.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.atomic import atomic_write
from planner.results import Plan

MONEY = "#,##0.00"
QUANTITY = "#,##0.00"
SHARE = "0.00%"
INDEX = "#,##0"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
TITLE_FONT = Font(bold=True, size=13)

# Output column -> (number format, meaning shown as the header's comment)
COLUMNS: dict[str, tuple[str | None, str]] = {
    "item": (None, "item id from the input's Items sheet"),
    "supplier": (None, "supplier id from the input's Suppliers sheet"),
    "country": (None, "country the supplier delivers from"),
    "quantity": (QUANTITY, "quantity bought, in the item's unit"),
    "unit": (None, "unit of quantity (from Items)"),
    "share_of_demand": (SHARE, "quantity / demand of the item"),
    "price": (MONEY, "offer price per unit"),
    "tariff": (SHARE, "ad-valorem duty of the supplier's country"),
    "freight": (MONEY, "freight per unit"),
    "unit_cost": (MONEY, "landed cost per unit = price * (1 + tariff) + freight"),
    "cost": (MONEY, "quantity * unit_cost"),
    "country_name": (None, "country name (from Countries)"),
    "blocs": (None, "blocs the country belongs to"),
    "name": (None, "country name"),
    "share_of_spend": (SHARE, "cost / total landed cost; blocs overlap, so bloc shares may add up to more than 100 %"),
    "bloc": (None, "bloc name; (no bloc) for countries in none"),
    "group_kind": (None, "country or bloc"),
    "group": (None, "country id or bloc name"),
    "demand": (QUANTITY, "demand of the item"),
    "suppliers_used": (INDEX, "suppliers with a positive quantity"),
    "countries_used": (INDEX, "countries with a positive quantity"),
    "hhi_country": (INDEX, "Herfindahl-Hirschman index of country shares, 0-10,000 (10,000 = one country)"),
    "hhi_supplier": (INDEX, "Herfindahl-Hirschman index of supplier shares, 0-10,000"),
    "top_country": (None, "country with the largest volume"),
    "top_country_share": (SHARE, "its share of demand"),
    "fixed_cost": (MONEY, "fixed cost paid because the supplier gets volume"),
    "scenario": (None, "scenario name from the input's Scenarios sheet"),
    "surviving": (QUANTITY, "planned volume still delivered in the scenario: sum of availability * quantity"),
    "required_share": (SHARE, "min_coverage required for the item (blank: none)"),
    "shortfall": (QUANTITY, "max(0, required_share * demand - surviving); blank when no coverage is required"),
    "status": (None, "covered, short, or not required"),
}


def write_plan(plan: Plan, path: Path, currency: str = "EUR") -> None:
    """Write the plan workbook to `path` atomically (an existing file is replaced whole or kept)."""
    wb = Workbook()
    _plan_sheet(wb.active, plan)
    _summary_sheet(wb.create_sheet("Summary"), plan, currency)
    _scenarios_sheet(wb.create_sheet("Scenarios"), plan)
    _run_sheet(wb.create_sheet("Run"), plan)
    atomic_write(path, lambda tmp: wb.save(tmp))


def _cell_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[union-attr]
    return value


def _table(ws: Worksheet, frame: pd.DataFrame, top: int = 1, comments: bool = True) -> int:
    """Write a header and rows from row `top`; return the next free row."""
    for col, name in enumerate(frame.columns, start=1):
        cell = ws.cell(row=top, column=col, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        if comments and name in COLUMNS:
            cell.comment = Comment(COLUMNS[name][1], "planner")
    for r, values in enumerate(frame.itertuples(index=False), start=top + 1):
        for col, (name, value) in enumerate(zip(frame.columns, values), start=1):
            cell = ws.cell(row=r, column=col, value=_cell_value(value))
            fmt = COLUMNS.get(name, (None, ""))[0]
            if fmt and isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    return top + 1 + len(frame)


def _fit_columns(ws: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            value = cell.value
            text = f"{value:,.2f}" if isinstance(value, float) else str(value)
            widths[cell.column] = max(widths.get(cell.column, 0), len(text))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)


def _plan_sheet(ws: Worksheet, plan: Plan) -> None:
    ws.title = "Plan"
    end = _table(ws, plan.lines)
    ws.freeze_panes = "A2"
    if len(plan.lines.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(plan.lines.columns))}{max(end - 1, 1)}"
    _fit_columns(ws)


def _title(ws: Worksheet, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=text).font = TITLE_FONT
    return row + 1


def _summary_sheet(ws: Worksheet, plan: Plan, currency: str) -> None:
    row = _title(ws, 1, "Summary")
    facts = [
        ("status", plan.status, None),
        ("total cost", plan.total_cost, MONEY),
        ("landed cost (price, tariff, freight)", plan.landed_cost, MONEY),
        ("fixed costs", plan.fixed_cost, MONEY),
        ("currency", currency, None),
        ("MIP gap", plan.mip_gap, SHARE),
    ]
    for label, value, fmt in facts:
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = ws.cell(row=row, column=2, value=_cell_value(value))
        if fmt and isinstance(cell.value, (int, float)):
            cell.number_format = fmt
        row += 1
    blocks = [
        ("Cost by country", plan.cost_by_country),
        ("Cost by bloc", plan.cost_by_bloc),
        ("Share of each item's volume by country and by bloc", plan.volume_shares),
        ("Concentration per item (Herfindahl-Hirschman index)", plan.concentration),
        ("Fixed costs paid", plan.fixed_costs),
    ]
    for title, frame in blocks:
        row = _title(ws, row + 1, title)
        row = _table(ws, frame, top=row)
    ws.freeze_panes = "A2"
    _fit_columns(ws)


def _scenarios_sheet(ws: Worksheet, plan: Plan) -> None:
    _table(ws, plan.scenarios)
    ws.freeze_panes = "A2"
    _fit_columns(ws)


def _run_sheet(ws: Worksheet, plan: Plan) -> None:
    for col, name in enumerate(("field", "value"), start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    row = 2
    for key, value in plan.run.items():
        ws.cell(row=row, column=1, value=key)
        cell = ws.cell(row=row, column=2, value=_cell_value(value))
        if isinstance(value, float):
            cell.number_format = "0.000" if "seconds" in key else ("0.0000%" if "gap" in key.lower() else MONEY)
        row += 1
    for warning in plan.warnings:
        ws.cell(row=row, column=1, value="warning")
        ws.cell(row=row, column=2, value=warning)
        row += 1
    ws.freeze_panes = "A2"
    _fit_columns(ws)
