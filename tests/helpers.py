"""Test helpers: write input workbooks exactly as a person (or an outside test) would."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.worksheet.table import Table

import planner
from planner.check import check_plan
from planner.results import Plan

Rows = Sequence[Sequence[object]]

HEADERS = {
    "Items": ["item", "demand", "unit"],
    "Suppliers": ["supplier", "country", "capacity", "fixed_cost"],
    "Countries": ["country", "name", "blocs", "tariff"],
    "Offers": ["item", "supplier", "price", "capacity", "min_order", "freight"],
    "Policy": ["rule", "item", "group", "value"],
    "Scenarios": ["scenario", "item", "group", "availability"],
    "Settings": ["setting", "value"],
    "Tiers": ["item", "supplier", "from_quantity", "price"],
    "Currencies": ["currency", "rate"],
    "Tariffs": ["country", "item", "tariff"],
    "Periods": ["period"],
    "Demand": ["item", "period", "demand"],
    "Capacity": ["supplier", "item", "period", "capacity"],
    "Prices": ["supplier", "item", "period", "price"],
    "Routes": ["route", "lead_time", "freight", "capacity"],
    "Expansions": ["expansion", "supplier", "item", "capacity", "fixed_cost", "lead_time", "earliest"],
}
# the full headers of the sheets that several periods add columns to (contract v2, section 2)
PERIOD_HEADERS = {
    "Items": ["item", "demand", "unit", "class", "initial_stock", "holding_cost", "max_stock", "min_stock"],
    "Offers": ["item", "supplier", "price", "capacity", "min_order", "freight", "discount", "currency", "route"],
    "Policy": ["rule", "item", "group", "value", "active", "from", "to", "min_award", "period"],
    "Scenarios": ["scenario", "item", "group", "availability", "from", "to", "from_period", "to_period"],
}
# the headers of the sheets the two-stage mode adds columns to (contract v2, section 3): short ones, the new
# columns after the version-1 columns (headers are matched by name, so the order is the test's)
TWO_STAGE_HEADERS = {
    "Items": ["item", "demand", "unit", "spot_price", "spot_capacity", "shortage_cost"],
    "Scenarios": ["scenario", "item", "group", "availability", "probability"],
}


def write_workbook(path: Path, sheets: dict[str, Rows], tables: Sequence[str] = (),
                   headers: dict[str, list[str]] | None = None) -> Path:
    """Write `sheets` (name -> data rows) as an input workbook.

    The header of each sheet comes from `headers` or, by default, HEADERS.
    Sheets named in `tables` are written as Excel Tables.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        header = (headers or {}).get(name) or HEADERS[name]
        ws.append(list(header))
        for row in rows:
            ws.append(list(row))
        if name in tables:
            last = openpyxl.utils.get_column_letter(len(header))
            ws.add_table(Table(displayName=f"T{name.replace(' ', '')}", ref=f"A1:{last}{len(rows) + 1}"))
    wb.save(path)
    return path


def countries(*codes: str, blocs: dict[str, str] | None = None, tariffs: dict[str, float] | None = None) -> list[list]:
    blocs = blocs or {}
    tariffs = tariffs or {}
    return [[c, c, blocs.get(c, ""), tariffs.get(c, 0)] for c in codes]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def solve_file(path: Path) -> tuple[planner.PlanningData, Plan]:
    """Read and solve; the plan must pass the independent checker."""
    data, _ = planner.read(path)
    plan = planner.solve(data)
    if plan.has_plan:
        violations = check_plan(data, plan.quantities, plan.total_cost)
        assert violations == [], violations
    return data, plan


def qty(plan: Plan, item: str, supplier: str) -> float:
    return plan.quantities.get((item, supplier), 0.0)


def patch_cell_xml(path: Path, sheet_number: int, coordinate: str, xml: str) -> None:
    """Replace one cell's XML in sheet `sheet_number` (1-based), e.g. to give a formula a stored value.

    openpyxl cannot write a formula's cached value or an error value; Excel does.
    """
    import re
    import zipfile

    name = f"xl/worksheets/sheet{sheet_number}.xml"
    with zipfile.ZipFile(path) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    text = parts[name].decode()
    pattern = re.compile(rf'<c r="{coordinate}"[^>]*?(/>|>.*?</c>)')
    assert pattern.search(text), f"no cell {coordinate} in {name}"
    parts[name] = pattern.sub(xml, text, count=1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for n, content in parts.items():
            zout.writestr(n, content)
