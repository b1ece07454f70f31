"""`Plan` -> plan workbook (step 6 of the pipeline).

Sheets: Plan (one row per purchase), Summary (costs, shares, concentration,
price of resilience; chart of spend by bloc), Shares (share of each item's
demand per country, against its cap; stacked bar chart), Scenarios (surviving
volume per scenario and item), Coverage (surviving share against the required
coverage; chart), Rules (cost of each Policy row; chart of the costliest),
Violations (only for a relaxed plan), Run (provenance, solver status,
warnings). A plan of several periods (`Plan.periods`) has instead a Plan line
per arrival period, Summary with cost by period, Stock, Build-up, Routes,
Shares, Scenarios and Coverage per period (`planner.io.write_periods`).
Headers are frozen and carry a comment saying what the column
means; numbers are formatted; columns are sized to their content. Charts are
native Excel charts whose series point at the cells of these sheets.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.data import PlanningData
from planner.diff import PlanDiff
from planner.io.atomic import atomic_write
from planner.io.splice import BulkCells
from planner.io.reproducible import workbook_bytes
from planner.io.style import displayed, header
from planner.model import registry
from planner.model.families.policy_max_share import MAX_SHARE
from planner.results import Plan

MONEY = "#,##0.00"
QUANTITY = "#,##0.00"
SHARE = "0.00%"
INDEX = "#,##0"

# Rule kind -> the number format of its value in the Rules sheet, where it is not a share
VALUE_FORMATS = {k.name: {"money": MONEY, "count": INDEX}[k.value] for k in registry.rule_kinds()
                 if k.value in ("money", "count")}

RED_FILL = PatternFill("solid", fgColor="F8CBAD")
AMBER_FILL = PatternFill("solid", fgColor="FFE699")
TITLE_FONT = Font(bold=True, size=13)

# Output column -> (number format, meaning shown as the header's comment)
COLUMNS: dict[str, tuple[str | None, str]] = {
    "item": (None, "item id from the input's Items sheet"),
    "supplier": (None, "supplier id from the input's Suppliers sheet"),
    "country": (None, "country the supplier delivers from"),
    "quantity": (QUANTITY, "quantity bought, in the item's unit"),
    "unit": (None, "unit of quantity (from Items)"),
    "share_of_demand": (SHARE, "quantity / demand of the item"),
    "price": (MONEY, "offer price per unit (Offers price), in the offer's currency (column currency)"),
    "tariff": (SHARE, "ad-valorem duty on the item from the supplier's country (Tariffs row, else Countries)"),
    "freight": (MONEY, "freight per unit, in the offer's currency"),
    "unit_cost": (MONEY, "landed cost per unit, in the base currency (Summary: currency) = rate of the offer's "
                         "currency * (quoted_price * (1 + tariff) + freight)"),
    "cost": (MONEY, "quantity * unit_cost, in the base currency (Summary: currency)"),
    "quoted_price": (MONEY, "price per unit as quoted, in the offer's currency (column currency): the tier price "
                            "that applies (incremental tiers: the mean price of the units bought), else the Offers "
                            "price"),
    "currency": (None, "currency the offer's prices and freight are quoted in"),
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
    "policy_row": (INDEX, "row of the rule in the input's Policy sheet"),
    "rule": (None, "the rule, as named in the input's Policy sheet"),
    "value": (SHARE, "the rule's value (a share; for max_spend an amount in the base currency)"),
    "model_rows": (INDEX, "constraint rows the rule puts in the model (for exclude: offers removed)"),
    "binds": (None, "yes when the rule shapes this plan: one of its rows holds with equality "
                    "(for exclude: without it the plan would buy from the excluded group)"),
    "cost_of_rule": (MONEY, "optimum with every rule minus optimum without this one: what the rule costs"),
    "share_of_optimum": (SHARE, "cost_of_rule / optimum"),
    "optimum_without": (MONEY, "optimum when only this rule is removed"),
    "marginal_per_point": (MONEY, "LP only: change of the optimum if the rule's value rises by 0.01 "
                                  "(one percentage point; for max_spend by 1 in the base currency), from the "
                                  "duals; negative = saves"),
    "overlap_group": (INDEX, "rules covering a common item (directly or through other rules) share a group"),
    "cost_of_group": (MONEY, "optimum with every rule minus optimum without every rule of the group"),
    "joint_cost": (MONEY, "the rule's share of its group's cost: its Shapley value, the mean of what it adds over "
                          "every order of dropping the group's rules; a group's joint costs add up to its cost"),
    "meaning": (None, "the rule in words, and (LPs) its marginal cost"),
    "note": (None, "how the figure was obtained"),
    "constraint": (None, "the model row relaxed, as named in models/formulation.md"),
    "family": (None, "constraint family"),
    "input rows": (None, "the input rows behind the constraint"),
    "relaxed_by": (QUANTITY, "by how much the row is broken, in its units (quantity)"),
    "share_of_scale": (SHARE, "relaxed_by as a share of the demand or capacity the row concerns"),
}


# the Plan sheet's route columns of a single-period plan (a workbook with Routes)
ROUTE_NOTES: dict[str, tuple[str | None, str]] = {
    "route": (None, "the Routes row the offer travels on; (direct) for none"),
    "lead_time": (INDEX, "the route's lead time in periods: shown, but without a Periods sheet it has no effect"),
    "route_freight": (MONEY, "the route's freight per unit, in the base currency, added to unit_cost"),
    "unit_cost": (MONEY, "landed cost per unit, in the base currency (Summary: currency) = rate of the offer's "
                         "currency * (quoted_price * (1 + tariff) + freight) + route_freight (0 direct)"),
}


def write_plan(plan: Plan, path: Path, currency: str = "EUR", data: PlanningData | None = None,
               timings: bool = False) -> None:
    """Write the plan workbook to `path` atomically (an existing file is replaced whole or kept).

    With `data`, the Shares sheet also shows each cap next to the plan's
    shares. The same plan gives the same bytes; `timings` adds wall-clock
    times to the Run sheet, which then differ from run to run.
    """
    wb = Workbook()
    bulk = BulkCells(wb)  # the sheets that grow with the catalogue are written in bulk
    if plan.periods:  # several periods: the sheets that show time (planner.io.write_periods)
        _multi_period_sheets(wb, plan, currency, data, bulk)
    else:
        _plan_sheet(wb.active, plan, bulk)
        _summary_sheet(wb.create_sheet("Summary"), plan, currency, bulk)
        if len(plan.volume_shares):
            _shares_sheet(wb.create_sheet("Shares"), plan, data, bulk)
        _scenarios_sheet(wb.create_sheet("Scenarios"), plan, bulk)
        if len(plan.scenarios):
            _coverage_sheet(wb.create_sheet("Coverage"), plan, bulk)
        if len(plan.route_usage):  # a workbook with Routes (only: without, the sheets are as they always were)
            from planner.io.write_periods import one_period_routes_sheet

            one_period_routes_sheet(wb.create_sheet("Routes"), plan, bulk)
    if plan.risk:  # the two-stage mode (planner.io.write_stages)
        from planner.io import write_stages as stages

        stages.contracts_sheet(wb.create_sheet("Contracts"), plan)
        stages.recourse_sheet(wb.create_sheet("Recourse"), plan)
        stages.risk_sheet(wb.create_sheet("Risk"), plan, currency)
    if len(plan.rules):
        _rules_sheet(wb.create_sheet("Rules"), plan, currency)
        _widen_for_numbers(wb["Rules"])
    if plan.status == "relaxed":
        _violations_sheet(wb.create_sheet("Violations"), plan)
    _run_sheet(wb.create_sheet("Run"), plan, timings)
    rows = bulk.finish()
    _print_setup(wb)
    atomic_write(path, workbook_bytes(wb, rows))


def _multi_period_sheets(wb: Workbook, plan: Plan, currency: str, data: PlanningData | None, bulk: BulkCells) -> None:
    """Plan (a line per arrival period), Summary (with cost by period), Stock, Build-up (with expansions or
    Capacity rows), Routes (with Routes), Shares per period, Scenarios and Coverage per period."""
    from planner.io import write_periods as periods

    ws = wb.active
    ws.title = "Plan"
    end = _table(ws, plan.lines, bulk=bulk, notes=periods.NOTES)
    ws.freeze_panes = "A2"
    if len(plan.lines.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(plan.lines.columns))}{max(end - 1, 1)}"
    _fit_columns(ws, bulk)
    _summary_sheet(wb.create_sheet("Summary"), plan, currency, bulk)
    periods.stock_sheet(wb.create_sheet("Stock"), plan, bulk)
    if len(plan.buildup) or len(plan.capacity_by_period):
        periods.buildup_sheet(wb.create_sheet("Build-up"), plan, bulk)
    if len(plan.route_usage):
        periods.routes_sheet(wb.create_sheet("Routes"), plan, bulk)
    if len(plan.period_shares):
        periods.shares_sheet(wb.create_sheet("Shares"), plan, data, bulk)
    ws = wb.create_sheet("Scenarios")
    end = _table(ws, plan.scenarios, bulk=bulk, notes=periods.NOTES)
    if len(plan.scenarios):
        col = get_column_letter(list(plan.scenarios.columns).index("shortfall") + 1)
        ws.conditional_formatting.add(f"A2:{get_column_letter(len(plan.scenarios.columns))}{end - 1}", FormulaRule(
            formula=[f"AND(ISNUMBER(${col}2),${col}2>0)"], fill=RED_FILL))
    ws.freeze_panes = "A2"
    _fit_columns(ws, bulk)
    if len(plan.scenarios):
        periods.coverage_sheet(wb.create_sheet("Coverage"), plan, bulk)


# Column widths (in characters) a landscape page holds at 100 %, and the most a sheet may have to be shrunk onto one
# page wide: beyond it (below about 70 %), print at 100 % over several pages, the header row and first column repeated.
PAGE_CHARACTERS = 135
READABLE_WIDTH = 190


def _print_setup(wb: Workbook) -> None:
    """Landscape, one page wide while that stays readable: printed or exported to PDF, a chart is never cut in two.

    A sheet wider than READABLE_WIDTH characters would shrink below about 70 %
    on one page; unless a chart sits beside its table (which fitting keeps
    whole), it prints at 100 % instead, across pages, repeating its header
    row and first column (the Rules sheet: its first two).
    """
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        width = sum(d.width or 0 for d in ws.column_dimensions.values())
        beside = any(str(chart.anchor).rstrip("0123456789").upper() != "A" for chart in ws._charts)
        if width <= READABLE_WIDTH or beside:
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
        else:
            ws.print_title_rows = "1:1"
            ws.print_title_cols = "A:B" if ws.title == "Rules" else "A:A"


def _chart_axes(chart: BarChart | LineChart, x_title: str | None, y_title: str | None) -> None:
    # openpyxl >= 3.1 writes axes as deleted unless told otherwise; Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title


def _cell_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[union-attr]
    return value


def _table(ws: Worksheet, frame: pd.DataFrame, top: int = 1, comments: bool = True, bulk: BulkCells | None = None,
           notes: dict[str, tuple[str | None, str]] | None = None) -> int:
    """Write a header and rows from row `top` (the rows through `bulk` if given); return the next free row.

    `notes` (column -> number format, header comment) take precedence over COLUMNS: a column of the same name
    may mean something more precise in one table (`share_of_demand` of a period's demand)."""
    known = {**COLUMNS, **(notes or {})}
    for name, cell in zip(frame.columns, header(ws, frame.columns, row=top)):
        cell.alignment = Alignment(horizontal="center")
        if comments and name in known:
            cell.comment = Comment(known[name][1], "planner")
    if bulk is not None:
        if len(frame):
            bulk.add(ws, top + 1, 1, [(frame[name].tolist(), known.get(name, (None, ""))[0]) for name in frame.columns])
        return top + 1 + len(frame)
    for r, values in enumerate(frame.itertuples(index=False), start=top + 1):
        for col, (name, value) in enumerate(zip(frame.columns, values), start=1):
            cell = ws.cell(row=r, column=col, value=_cell_value(value))
            fmt = known.get(name, (None, ""))[0]
            if fmt and isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    return top + 1 + len(frame)


def _fit_columns(ws: Worksheet, bulk: BulkCells | None = None) -> None:
    widths: dict[int, int] = bulk.widths(ws) if bulk is not None else {}
    # the cells that exist, not every coordinate up to the last row (iter_rows would create those)
    for cell in list(ws._cells.values()):
        if cell.value is None or cell.font.sz == TITLE_FONT.sz:  # titles may spill over empty cells
            continue
        text = displayed(cell.value, cell.number_format)
        widths[cell.column] = max(widths.get(cell.column, 0), len(text))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)


def _wrap_column(ws: Worksheet, column: int, rows: range) -> None:
    """Wrap the texts of one sized column (why a run or step has no plan: a few hundred characters) within its
    width, each row as tall as its lines: Excel and LibreOffice do not grow a row for text they did not wrap."""
    width = ws.column_dimensions[get_column_letter(column)].width or 10
    for r in rows:
        text = ws.cell(row=r, column=column).value
        # a column unit holds about one character of text; a little longer still shows, overflowing
        if isinstance(text, str) and len(text) > 1.2 * width:
            for cell in ws[r]:
                cell.alignment = Alignment(wrap_text=cell.column == column, vertical="top")
            ws.row_dimensions[r].height = 15 * math.ceil(len(text) / width)


def _plan_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells | None = None) -> None:
    ws.title = "Plan"
    end = _table(ws, plan.lines, bulk=bulk, notes=ROUTE_NOTES)
    ws.freeze_panes = "A2"
    if len(plan.lines.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(plan.lines.columns))}{max(end - 1, 1)}"
    _fit_columns(ws, bulk)


def _title(ws: Worksheet, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=text).font = TITLE_FONT
    return row + 1


def _summary_sheet(ws: Worksheet, plan: Plan, currency: str, bulk: BulkCells | None = None) -> None:
    row = _title(ws, 1, "Summary")
    facts = [
        ("status", plan.status, None),
        ("total cost", plan.total_cost, MONEY),
        ("landed cost (price, tariff, freight)", plan.landed_cost, MONEY),
        ("fixed costs", plan.fixed_cost, MONEY),
        ("currency", currency, None),
        ("MIP gap", plan.mip_gap, SHARE),
    ]
    if plan.periods:  # below the facts every plan has, so that they keep their rows
        facts += [
            ("expansion costs", plan.expansion_cost, MONEY),
            ("holding cost", plan.holding_cost, MONEY),
            ("periods", f"{len(plan.periods)}: {plan.periods[0]} .. {plan.periods[-1]}", None),  # as the Run sheet
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
    if plan.periods:
        from planner.io.write_periods import cost_block

        row = cost_block(ws, plan, row, currency, bulk)
        blocks[2] = ("Share of each item's volume by country and by bloc, over every period (of the demand of "
                     "every period together)", plan.volume_shares)
        blocks[3] = ("Concentration per item over every period (Herfindahl-Hirschman index)", plan.concentration)
    if plan.resilience:
        row = _resilience(ws, _title(ws, row + 1, "Price of resilience (what all Policy rules together cost)"), plan)
        with_rules = plan.resilience.get("optimum with all Policy rules")
        price = plan.resilience.get("price of resilience")
        if price is not None and with_rules:
            ws.cell(row=row, column=1, value="as a share of the optimum without rules").font = Font(bold=True)
            base = with_rules - price
            ws.cell(row=row, column=2, value=price / base if base > 0 else None).number_format = SHARE
            row += 1
    for title, frame in blocks:
        row = _title(ws, row + 1, title)
        top = row
        row = _table(ws, frame, top=row, bulk=bulk)
        if title == "Cost by bloc" and len(frame):
            chart = _horizontal_bars(ws, f"Spend by bloc ({currency})", top, row - 1, currency)
            chart.width, chart.height = 16, 7 + 0.4 * len(frame)
            ws.add_chart(chart, f"H{top}")
    ws.freeze_panes = "A2"
    _fit_columns(ws, bulk)


def _resilience(ws: Worksheet, row: int, plan: Plan, column: int = 2) -> int:
    """The optimum with and without Policy rules and their difference, from `row` (values in `column`); returns the
    next row."""
    for label, value in plan.resilience.items():
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.cell(row=row, column=column, value=_cell_value(value)).number_format = MONEY
        row += 1
    return row


def _horizontal_bars(ws: Worksheet, title: str, header_row: int, last_row: int, unit: str, column: int = 2
                     ) -> BarChart:
    """One series of bars: labels in column A, values in `column` (B), rows header_row+1..last_row."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    chart.add_data(Reference(ws, min_col=column, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    _chart_axes(chart, None, unit)
    return chart


CHART_ITEMS = 60  # per-item charts are drawn for up to this many items; beyond, bars are too thin to read


def _caps(data: PlanningData | None, items: list[str], country: str) -> list[float | None]:
    """For each item, the strictest max_share on `country` (named or via `each country`), None if none."""
    if data is None:
        return [None] * len(items)
    rules = [r for r in data.rules if r.kind == MAX_SHARE.name and r.value is not None and r.group is not None
             and r.group.kind == "country" and (r.group.name is None or r.group.name == country)]
    own: dict[str, float] = {}
    for r in rules:
        for item in data.rule_items(r):
            own[item] = min(own.get(item, math.inf), r.value)  # type: ignore[type-var]
    return [own.get(item) for item in items]


def _too_many_items(ws: Worksheet, row: int, column: int, items: int) -> None:
    ws.cell(row=row, column=column, value=f"chart left out: {items:,} items (it is drawn for up to {CHART_ITEMS})")


def _shares_sheet(ws: Worksheet, plan: Plan, data: PlanningData | None, bulk: BulkCells) -> None:
    """Item x country share of demand, a stacked bar chart of it, and the caps below with highlighting."""
    shares = plan.volume_shares[plan.volume_shares["group_kind"] == "country"]
    matrix = shares.pivot_table(index="item", columns="group", values="share_of_demand", aggfunc="sum",
                                fill_value=0.0, sort=True)
    items, countries = list(matrix.index), list(matrix.columns)
    header(ws, ["item", *countries])
    if items:
        bulk.add(ws, 2, 1, [(items, None), *[([float(v) for v in matrix[c].tolist()], SHARE) for c in countries]])
    ws.cell(row=1, column=1).comment = Comment("share of each item's demand bought from each country; "
                                               "amber: at its cap, red: above its cap", "planner")
    caps_top = len(items) + 4
    ws.cell(row=caps_top - 1, column=1, value="Cap on each share (strictest max_share on the country; blank: none)").font = TITLE_FONT
    ws.cell(row=caps_top, column=1, value="item").font = Font(bold=True)
    for c, country in enumerate(countries, start=2):
        ws.cell(row=caps_top, column=c, value=country).font = Font(bold=True)
    if items:
        bulk.add(ws, caps_top + 1, 1, [(items, None), *[(_caps(data, items, c), SHARE) for c in countries]])
    if items and countries:
        last = get_column_letter(len(countries) + 1)
        area = f"B2:{last}{len(items) + 1}"
        cap_ref = f"B{caps_top + 1}"
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f"AND(ISNUMBER({cap_ref}),B2>{cap_ref}+0.000001)"], fill=RED_FILL, stopIfTrue=True))
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f"AND(ISNUMBER({cap_ref}),B2>={cap_ref}-0.000001,B2>0)"], fill=AMBER_FILL))
        if len(items) > CHART_ITEMS:
            _too_many_items(ws, 1, len(countries) + 3, len(items))
        else:
            chart = BarChart()
            chart.type = "bar"
            chart.grouping = "percentStacked"
            chart.overlap = 100
            chart.title = "Volume share by country per item"
            chart.add_data(Reference(ws, min_col=2, max_col=len(countries) + 1, min_row=1, max_row=len(items) + 1),
                           titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(items) + 1))
            _chart_axes(chart, None, "share of demand")
            chart.width, chart.height = 18, 6 + 0.6 * len(items)
            ws.add_chart(chart, f"{get_column_letter(len(countries) + 3)}2")
    ws.freeze_panes = "B2"
    _fit_columns(ws, bulk)


def _coverage_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells) -> None:
    """Item x scenario surviving share, the required coverage per item, and a bar + line chart."""
    table = plan.scenarios
    # a dict, not a pivot: a pivot drops scenarios whose shares are all blank (items with no demand)
    share = dict(zip(zip(table["item"].tolist(), table["scenario"].tolist()), table["share_of_demand"].tolist()))
    scenarios = list(dict.fromkeys(table["scenario"]))
    items = list(dict.fromkeys(table["item"]))
    required = table.groupby("item", sort=False)["required_share"].max()
    req_col = len(scenarios) + 2
    header(ws, ["item", *scenarios, "required coverage"])
    ws.cell(row=1, column=1).comment = Comment("share of each item's demand still delivered in each scenario; "
                                               "red: below the required coverage", "planner")
    if items:
        bulk.add(ws, 2, 1, [(items, None),
                            *[([_cell_value(share.get((item, scenario))) for item in items], SHARE)
                              for scenario in scenarios],
                            ([_cell_value(required.get(item)) for item in items], SHARE)], style_blanks=True)
    if items and scenarios:
        req_letter = get_column_letter(req_col)
        area = f"B2:{get_column_letter(req_col - 1)}{len(items) + 1}"
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f"AND(ISNUMBER(${req_letter}2),B2<${req_letter}2-0.000001)"], fill=RED_FILL))
        if len(items) > CHART_ITEMS:
            _too_many_items(ws, 1, req_col + 2, len(items))
        else:
            bars = BarChart()
            bars.type = "col"
            bars.title = "Surviving share per scenario against the required coverage"
            bars.add_data(Reference(ws, min_col=2, max_col=req_col - 1, min_row=1, max_row=len(items) + 1),
                          titles_from_data=True)
            bars.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(items) + 1))
            _chart_axes(bars, None, "share of demand")
            if required.notna().any():
                line = LineChart()
                line.add_data(Reference(ws, min_col=req_col, min_row=1, max_row=len(items) + 1), titles_from_data=True)
                line.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(items) + 1))
                bars += line
            bars.width, bars.height = 24, 11
            ws.add_chart(bars, f"{get_column_letter(req_col + 2)}2")
    ws.freeze_panes = "B2"
    _fit_columns(ws, bulk)


# Rules sheet widths in characters; `meaning` and `note` wrap within theirs, the others fit their content up to them.
RULE_WIDTHS = {"policy_row": 8, "rule": 13, "item": 16, "group": 18, "value": 8, "model_rows": 8, "binds": 7,
               "cost_of_rule": 14, "share_of_optimum": 10, "optimum_without": 14, "overlap_group": 8,
               "cost_of_group": 14, "joint_cost": 14, "marginal_per_point": 12, "meaning": 46, "note": 34}
WRAPPED = ("meaning", "note")


def _widen_for_numbers(ws: Worksheet) -> None:
    """Widen each column to the widest number it shows, as displayed in its format (`2,157,991,230.00`).

    The Rules sheet's widths are fixed for printing, but a number cannot
    wrap: narrower than its displayed text, the cell shows ###. Text spills
    or wraps, so only numbers count here, wherever they sit in the column
    (the price-of-resilience lines below the table too).
    """
    needed: dict[int, int] = {}
    for cell in ws._cells.values():  # the cells that exist
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            needed[cell.column] = max(needed.get(cell.column, 0), len(displayed(cell.value, cell.number_format)))
    for column, length in needed.items():
        dimension = ws.column_dimensions[get_column_letter(column)]
        dimension.width = max(dimension.width or 0, length + 2)


def _rule_label(record: dict) -> str:
    """A rule in a chart's labels: `Policy row 2: max_share country:C1 0.5, every item`."""
    parts = [str(record["rule"]), str(record["group"] or ""), f"{record['value']:g}" if record["value"] is not None
             and record["value"] == record["value"] else ""]
    return f"Policy row {record['policy_row']}: {' '.join(p for p in parts if p)}, {record['item']}"


def _rules_sheet(ws: Worksheet, plan: Plan, currency: str) -> None:
    """Cost of each Policy row, then the price of resilience and the costliest rules with a bar chart below.

    The table has fixed widths (long text wraps in `meaning` and `note`), so
    it prints legibly; the lines below it are written in column A and spill
    over the empty cells to their right, with their figures in the
    `cost_of_rule` column; the costliest rules' figures are in the column
    they are ranked and charted by: `joint_cost` when every rule of a group
    has one, else `cost_of_rule`.
    """
    columns = list(plan.rules.columns)
    end = _table(ws, plan.rules)
    if "value" in columns and "rule" in columns:  # an amount or a count is no share: format the cell as its kind
        at = columns.index("value") + 1
        for r, kind in enumerate(plan.rules["rule"].tolist(), start=2):
            cell = ws.cell(row=r, column=at)
            if isinstance(cell.value, (int, float)) and kind in VALUE_FORMATS:
                cell.number_format = VALUE_FORMATS[kind]
    ws.freeze_panes = "C2"
    money = columns.index("cost_of_rule") + 1
    for c, name in enumerate(columns, start=1):
        limit = RULE_WIDTHS.get(name, 14)
        longest = max([0] + [len(str(_cell_value(v) or "")) for v in plan.rules[name].tolist()])
        # a header is one word (`optimum_without_rule`) that cannot wrap: its column is never narrower
        width = max(len(str(name)) + 2, limit if name in WRAPPED else min(limit, max(8, longest + 2)))
        ws.column_dimensions[get_column_letter(c)].width = width
        ws.cell(row=1, column=c).alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
        for r in range(2, end):
            ws.cell(row=r, column=c).alignment = Alignment(vertical="top", wrap_text=name in WRAPPED or
                                                           name in ("item", "group"))
    row = _resilience(ws, _title(ws, end + 1, "Price of resilience: optimum with all Policy rules minus optimum "
                                              "without any"), plan, money)
    joint = plan.rules["joint_cost"].dropna() if "joint_cost" in columns else pd.Series(dtype=float)
    if len(joint):
        ws.cell(row=row, column=1, value="sum of joint_cost (with what is not attributed: the price of resilience)"
                ).font = Font(bold=True)
        ws.cell(row=row, column=money, value=float(joint.sum())).number_format = MONEY
        row += 1
    ws.cell(row=row, column=1, value="Costs of single rules need not add up to the price of resilience: "
                                      "rules interact. Joint costs split each group's cost (Shapley value).")
    # Rank by joint cost when every grouped rule has one (a cap that costs 0 alone may carry much of its group's
    # cost); else, with some groups not split or not done, by the cost of each rule alone.
    grouped = plan.rules.dropna(subset=["overlap_group"]) if "overlap_group" in columns else plan.rules.iloc[:0]
    by = "joint_cost" if len(grouped) and not grouped["joint_cost"].isna().any() else "cost_of_rule"
    figures = columns.index(by) + 1
    top = plan.rules[plan.rules[by].fillna(0.0) > 0].sort_values(
        [by, "policy_row"], ascending=[False, True]).head(10)
    if len(top):
        row = _title(ws, row + 2, "Costliest rules")
        first = row
        ws.cell(row=row, column=1, value="rule").font = Font(bold=True)
        ws.cell(row=row, column=figures, value=by).font = Font(bold=True)
        for record in top.to_dict(orient="records"):
            row += 1
            ws.cell(row=row, column=1, value=_rule_label(record))
            ws.cell(row=row, column=figures, value=_cell_value(record[by])).number_format = MONEY
        row += 1
        title = "Joint cost of the top rules" if by == "joint_cost" else "Cost of the top rules, each alone"
        chart = _horizontal_bars(ws, f"{title} ({currency})", first, row - 1, currency, figures)
        chart.y_axis.number_format = "#,##0"
        chart.width, chart.height = 22, 5 + 0.7 * len(top)
        ws.add_chart(chart, f"A{row + 1}")


def _violations_sheet(ws: Worksheet, plan: Plan) -> None:
    """Every row the relaxed plan breaks, by how much; then the independent check's findings."""
    end = _table(ws, plan.violations)
    for r in range(2, end):
        for c in range(1, len(plan.violations.columns) + 1):
            ws.cell(row=r, column=c).fill = RED_FILL
    row = _title(ws, end + 1, "Independent check of this plan against every rule of the input")
    for line in plan.conflicts or ["no rule broken"]:
        ws.cell(row=row, column=1, value=line)
        row += 1
    ws.freeze_panes = "A2"
    _fit_columns(ws)


def _scenarios_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells | None = None) -> None:
    end = _table(ws, plan.scenarios, bulk=bulk)
    if "shortfall" in plan.scenarios.columns and end > 2:
        # A row whose scenario leaves less than the required coverage turns red.
        col = get_column_letter(list(plan.scenarios.columns).index("shortfall") + 1)
        last = get_column_letter(len(plan.scenarios.columns))
        ws.conditional_formatting.add(f"A2:{last}{end - 1}", FormulaRule(
            formula=[f"AND(ISNUMBER(${col}2),${col}2>0)"], fill=RED_FILL))
    ws.freeze_panes = "A2"
    _fit_columns(ws, bulk)


def _run_sheet(ws: Worksheet, plan: Plan, timings: bool = False) -> None:
    """Provenance, problem size, what the solver said and every warning, one `field` and `value` a row.

    A two-stage plan also gets its Risk figures (objective, expected cost, CVaR, the worst scenario and its
    cost, EVPI, VSS, or why there is none) right below the `mode` row that states its scenarios and weights,
    so that whoever opens the Run sheet to see how the plan was made reads what it is worth without turning to
    the Risk sheet. Long values (the mode, a warning) wrap within the value column.
    """
    header(ws, ("field", "value"))
    row = 2
    entries = dict(plan.run)
    if timings:
        entries.update(plan.timings)
    risk_rows: list[tuple[str, object, str | None]] = []
    if plan.risk:
        from planner.io.write_stages import risk_figures

        risk_rows = [(f.label, f.value if f.value is not None else f.meaning, f.number_format)
                     for f in risk_figures(plan, "") if f.key not in ("risk_weight", "cvar_alpha")]

    def put(key: str, value: object, number_format: str | None = None) -> None:
        nonlocal row
        ws.cell(row=row, column=1, value=key)
        cell = ws.cell(row=row, column=2, value=_cell_value(value))
        if number_format and isinstance(value, (int, float)):
            cell.number_format = number_format
        elif isinstance(value, float):
            cell.number_format = "0.000" if "seconds" in key else ("0.0000%" if "gap" in key.lower() else MONEY)
        row += 1

    for key, value in entries.items():
        put(key, value)
        if key == "mode":
            for figure in risk_rows:
                put(*figure)
            risk_rows = []
    for figure in risk_rows:  # a two-stage plan whose run record has no `mode` row (made by hand)
        put(*figure)
    for warning in plan.warnings:
        put("warning", warning)
    ws.freeze_panes = "A2"
    _fit_columns(ws)
    _wrap_column(ws, 2, range(2, row))


def write_diagnosis(plan: Plan, path: Path) -> None:
    """Why the rules cannot all hold: the conflicting input rows, then the run record."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Diagnosis"
    ws.cell(row=1, column=1, value="The rules cannot all hold. The input rows below conflict; "
                                   "change one of them (or more) and solve again.").font = TITLE_FONT
    end = _table(ws, plan.diagnosis, top=3)
    for r in range(4, end):
        ws.cell(row=r, column=3).alignment = Alignment(wrap_text=True, vertical="top")
    row = end + 1
    for note in plan.diagnosis_notes:
        ws.cell(row=row, column=1, value=note)
        row += 1
    ws.freeze_panes = "A4"
    _fit_columns(ws)
    _run_sheet(wb.create_sheet("Run"), plan)
    _print_setup(wb)
    atomic_write(path, workbook_bytes(wb))


def write_frontier(table: pd.DataFrame, path: Path, rule_label: str, currency: str, run: dict[str, object]) -> None:
    """The sweep of one rule's value: a table, a cost curve and an HHI curve."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Frontier"
    ws.cell(row=1, column=1, value=f"Sweep of {rule_label}").font = TITLE_FONT
    end = _table(ws, table, top=3, comments=False)
    formats = {"value": SHARE, "total_cost": MONEY, "change_vs_first": MONEY, "hhi_country": INDEX}
    for c, name in enumerate(table.columns, start=1):
        fmt = formats.get(name, SHARE if name.startswith("surviving: ") else None)
        for r in range(4, end):
            if fmt and isinstance(ws.cell(row=r, column=c).value, (int, float)):
                ws.cell(row=r, column=c).number_format = fmt
    comments = {"value": "the rule's value at this step", "status": "what the solver said at this step",
                "total_cost": f"optimum at this value ({currency})", "change_vs_first": "total_cost minus the first solved step's",
                "hhi_country": "demand-weighted mean Herfindahl-Hirschman index of country shares, 0-10,000",
                "why": "for a step with no plan, why: when the rules cannot all hold, the conflicting input rows "
                       "(Policy rows first, at most three; planner solve --diagnose lists them all)"}
    for c, name in enumerate(table.columns, start=1):
        text = comments.get(name) or ("lowest share of demand surviving in this scenario among the rule's items"
                                      if name.startswith("surviving: ") else None)
        if text:
            ws.cell(row=3, column=c).comment = Comment(text, "planner")
    if len(table):
        cols = list(table.columns)
        x = Reference(ws, min_col=cols.index("value") + 1, min_row=4, max_row=end - 1)
        for offset, (name, title, axis) in enumerate((("total_cost", "Cost against the rule's value", currency),
                                                      ("hhi_country", "Concentration (HHI) against the rule's value", "HHI"))):
            chart = LineChart()
            chart.title = title
            chart.add_data(Reference(ws, min_col=cols.index(name) + 1, min_row=3, max_row=end - 1), titles_from_data=True)
            chart.set_categories(x)
            chart.legend = None
            for series in chart.series:
                series.smooth = False  # a smoothed curve would show dips the optimum never takes
            _chart_axes(chart, "rule value", axis)
            chart.width, chart.height = 18, 8
            ws.add_chart(chart, f"{get_column_letter(len(cols) + 2)}{3 + offset * 17}")
    ws.freeze_panes = "A4"
    _fit_columns(ws)
    if "why" in table.columns:
        _wrap_column(ws, list(table.columns).index("why") + 1, range(4, end))
    runs = wb.create_sheet("Run")
    _run_sheet(runs, Plan(status="frontier", message="", run=run))
    _print_setup(wb)
    atomic_write(path, workbook_bytes(wb))


def write_risk_frontier(table: pd.DataFrame, path: Path, currency: str, run: dict[str, object]) -> None:
    """The sweep of the two-stage mode's risk_weight: a table, and the expected cost against the CVaR of the
    plan at each weight (a line through the steps: the efficient frontier of cost and risk)."""
    from openpyxl.chart import ScatterChart, Series

    wb = Workbook()
    ws = wb.active
    ws.title = "Frontier"
    ws.cell(row=1, column=1, value="Sweep of risk_weight: expected cost against CVaR").font = TITLE_FONT
    end = _table(ws, table, top=3, comments=False)
    cols = list(table.columns)
    for name in ("objective", "expected_cost", "cvar"):
        for r in range(4, end):
            ws.cell(row=r, column=cols.index(name) + 1).number_format = MONEY
    comments = {"risk_weight": "w: the objective is (1 - w) x expected cost + w x CVaR",
                "expected_cost": f"the plan's probability-weighted cost ({currency})",
                "cvar": f"the mean cost of the worst 1 - cvar_alpha of probability ({currency})"}
    for c, name in enumerate(cols, start=1):
        if name in comments:
            ws.cell(row=3, column=c).comment = Comment(comments[name], "planner")
    if len(table):
        chart = ScatterChart()
        chart.title = "Expected cost against CVaR"
        chart.style = 13
        x = Reference(ws, min_col=cols.index("cvar") + 1, min_row=4, max_row=end - 1)
        y = Reference(ws, min_col=cols.index("expected_cost") + 1, min_row=4, max_row=end - 1)
        series = Series(y, x, title="plan at each risk_weight")
        series.marker.symbol = "circle"
        chart.series.append(series)
        chart.legend = None
        chart.x_axis.title, chart.y_axis.title = f"CVaR ({currency})", f"expected cost ({currency})"
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.width, chart.height = 18, 10
        ws.add_chart(chart, f"{get_column_letter(len(cols) + 2)}3")
    ws.freeze_panes = "A4"
    _fit_columns(ws)
    runs = wb.create_sheet("Run")
    _run_sheet(runs, Plan(status="frontier", message="", run=run))
    _print_setup(wb)
    atomic_write(path, workbook_bytes(wb))


BATCH_COMMENTS = {
    "run": "row of the run in the batch table",
    "status": "optimal or feasible: the plan was written; invalid, infeasible or error: no plan (see message)",
    "total_cost": "the plan's total cost, in the currency of its base workbook",
    "change_vs_first": "total_cost minus that of the first run of the same base that wrote a plan (named in "
                       "compared_with; a first run that failed is skipped); blank for a run with no plan. Runs of "
                       "different bases are not compared: they plan different purchases",
    "compared_with": "the run change_vs_first is taken against: name (row in the batch table)",
    "model": "built, or re-used from an earlier run of the same shape with the new numbers pushed in",
    "message": "what the solver said; for a run with no plan, why (for rules that cannot all hold, the "
               "conflicting input rows, Policy rows first)",
}


def write_batch_summary(table: pd.DataFrame, totals: dict[str, object], path: Path, currency: str = "") -> None:
    """One row per run of a batch (status, cost, change against its base's first run, output), then the totals."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Batch"
    end = _table(ws, table, comments=False)
    for cell in ws[1]:
        if cell.value in BATCH_COMMENTS:
            cell.comment = Comment(BATCH_COMMENTS[cell.value], "planner")
    for c, name in enumerate(table.columns, start=1):
        if name in ("total_cost", "change_vs_first"):
            for r in range(2, end):
                ws.cell(row=r, column=c).number_format = MONEY
    status_col = get_column_letter(list(table.columns).index("status") + 1)
    if end > 2:
        ws.conditional_formatting.add(f"A2:{get_column_letter(len(table.columns))}{end - 1}", FormulaRule(
            formula=[f'AND(${status_col}2<>"optimal",${status_col}2<>"feasible")'], fill=RED_FILL))
    row = end + 1
    for key, value in totals.items():
        if key == "seconds":
            continue  # wall-clock time would make the summary differ between identical batches
        ws.cell(row=row, column=1, value=key).font = Font(bold=True)
        ws.cell(row=row, column=2, value=_cell_value(value))
        row += 1
    ws.freeze_panes = "A2"
    _fit_columns(ws)
    _wrap_column(ws, list(table.columns).index("message") + 1, range(2, end))
    _print_setup(wb)
    atomic_write(path, workbook_bytes(wb))


def _diff_costs(ws: Worksheet, d: PlanDiff, row: int) -> None:
    """The two plans' costs by kind side by side (`PlanDiff.costs`) from `row`: figure, old, new, kind of cost
    (wrapped), a blank where a plan has no such figure (a deterministic plan prices no disruption)."""
    modes = {side: str(d.plan_costs[side]["mode"]).replace("_", "-") for side in ("old", "new")}
    row = _title(ws, row, f"Each plan's costs, by kind ({d.currency})" if d.currency else "Each plan's costs, by kind")
    for cell in header(ws, ("figure", f"old ({modes['old']})", f"new ({modes['new']})", "kind of cost"), row=row):
        cell.alignment = Alignment(horizontal="center")
    for record in d.costs.to_dict(orient="records"):
        row += 1
        label = ws.cell(row=row, column=1, value=record["figure"])
        label.font, label.alignment = Font(bold=True), Alignment(vertical="top")
        for c, side in ((2, "old"), (3, "new")):
            value = _cell_value(record[side])
            cell = ws.cell(row=row, column=c, value=value)
            if isinstance(value, (int, float)):
                cell.number_format = "0.00" if record["figure"] in ("cvar_alpha", "risk_weight") else MONEY
            cell.alignment = Alignment(horizontal="right", vertical="top")
        kind = ws.cell(row=row, column=4, value=record["kind of cost"])
        kind.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(str(record["kind of cost"])) / 72))


def write_diff(d: PlanDiff, path: Path, old_name: str, new_name: str) -> None:
    """Summary (totals and their split, suppliers in and out), Lines, Countries and Blocs sheets."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.cell(row=1, column=1, value=f"From {old_name} to {new_name}").font = TITLE_FONT
    row = 3
    for key, value in d.totals.items():
        ws.cell(row=row, column=1, value=key).font = Font(bold=True)
        ws.cell(row=row, column=2, value=_cell_value(value)).number_format = MONEY
        row += 1
    if d.currency:
        ws.cell(row=row, column=1, value="currency").font = Font(bold=True)
        ws.cell(row=row, column=2, value=d.currency)
        row += 1
    for label, names in (("suppliers entering", d.suppliers_entering), ("suppliers leaving", d.suppliers_leaving)):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.cell(row=row, column=2, value=", ".join(names) or "none")
        row += 1
    ws.cell(row=row + 1, column=1, value="price effect: old quantities at the price change; reallocation effect: "
                                          "quantity changes at new prices (old price for lines that left)")
    if d.periods:
        ws.cell(row=row + 2, column=1, value=f"compared period by period ({', '.join(d.periods)}): a line is an "
                                              "item, a supplier and the period its quantity arrives in")
    if d.note:
        ws.cell(row=row + 2, column=1, value=d.note)
    if len(d.costs):  # a two-stage plan on either side: its costs by kind, beside the other plan's
        _diff_costs(ws, d, row + 4)
    _fit_columns(ws)
    if len(d.costs):
        ws.column_dimensions["D"].width = 60
    money = {"unit_cost_old", "unit_cost_new", "cost_old", "cost_new", "cost_change", "price_effect",
             "reallocation_effect"}
    for title, frame in (("Lines", d.lines), ("Countries", d.countries), ("Blocs", d.blocs)):
        sheet = wb.create_sheet(title)
        end = _table(sheet, frame, comments=False)
        for c, name in enumerate(frame.columns, start=1):
            fmt = MONEY if name in money else QUANTITY if name.startswith("quantity") else \
                SHARE if name.startswith("share") else None
            for r in range(2, end):
                if fmt:
                    sheet.cell(row=r, column=c).number_format = fmt
        if title == "Lines" and end > 2:
            change = get_column_letter(list(frame.columns).index("change") + 1)
            last = get_column_letter(len(frame.columns))
            sheet.conditional_formatting.add(f"A2:{last}{end - 1}", FormulaRule(
                formula=[f'${change}2="entering"'], fill=PatternFill("solid", fgColor="C6EFCE")))
            sheet.conditional_formatting.add(f"A2:{last}{end - 1}", FormulaRule(
                formula=[f'${change}2="leaving"'], fill=RED_FILL))
        sheet.freeze_panes = "A2"
        _fit_columns(sheet)
    _print_setup(wb)
    atomic_write(path, workbook_bytes(wb))
