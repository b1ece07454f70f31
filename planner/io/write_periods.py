"""The sheets of a multi-period plan (`Plan.periods` not empty): Stock, Build-up, Routes, Shares per period,
Coverage per period and the Summary's cost by period, each table with its native chart.

The tables are `planner.timeline`'s; this module only lays them out. Tables are written long (one row per item
and period, in planning order), so each item's rows are one block and a chart's series point at that block.
"""

from __future__ import annotations

import math

import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.series_factory import SeriesFactory
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from planner.data import PlanningData
from planner.io.splice import BulkCells
from planner.io.style import header
from planner.model.families.policy_max_share import MAX_SHARE
from planner.results import Plan

# imported by write_plan's `write_plan` when it is called, so these names exist by then
from planner.io.write_plan import (AMBER_FILL, CHART_ITEMS, INDEX, MONEY, QUANTITY, RED_FILL, SHARE, _chart_axes,
                                   _fit_columns, _horizontal_bars, _table, _title, _too_many_items)

# Column -> (number format, header comment) of the multi-period tables, before the single-period COLUMNS
NOTES: dict[str, tuple[str | None, str]] = {
    "period": (None, "the period (Periods sheet) the quantity ARRIVES in: it counts for that period's demand, "
                     "stock and shares"),
    "order_period": (None, "the period it is ordered (ships) in: period minus the route's lead time; capacities, "
                           "min_order, tiers and prices hold on what is ordered in a period"),
    "lead_time": (INDEX, "whole periods from order to arrival (the route's lead_time; 0 direct)"),
    "route": (None, "the Routes row the offer travels on; (direct) for none"),
    "route_freight": (MONEY, "the route's freight per unit, in the base currency, added to the landed cost"),
    "price": (MONEY, "price per unit for orders placed in order_period (Prices row, else Offers price), in the "
                     "offer's currency"),
    "share_of_demand": (SHARE, "quantity / the item's demand in the period (above 100 % when buying for stock)"),
    "unit_cost": (MONEY, "landed cost per unit, in the base currency = rate of the offer's currency * "
                         "(quoted_price * (1 + tariff) + freight) + route_freight"),
    "opening_stock": (QUANTITY, "stock at the start of the period: the end stock of the period before "
                                "(initial_stock for the first)"),
    "arrivals": (QUANTITY, "units arriving in the period, from every supplier"),
    "demand": (QUANTITY, "demand of the item in the period (Demand row, else Items demand)"),
    "stock": (QUANTITY, "end-of-period stock = opening_stock + arrivals - demand"),
    "reserve": (QUANTITY, "min_stock: the strategic reserve the period must end with"),
    "max_stock": (QUANTITY, "the most that may be held (blank: unlimited)"),
    "holding_cost": (MONEY, "holding_cost per unit and period * stock, in the base currency"),
    "expansion": (None, "expansion id from the input's Expansions sheet"),
    "added_capacity": (QUANTITY, "capacity it adds per period once it delivers"),
    "fixed_cost": (MONEY, "paid once if it is built, in the period it is decided in"),
    "earliest": (None, "first period in which it may be decided"),
    "built": (None, "yes when the plan builds it"),
    "decided": (None, "the period it is decided in (blank: not built)"),
    "delivers_from": (None, "the first period its capacity counts: decided + lead_time"),
    "base_capacity": (QUANTITY, "capacity in the period without expansions (Capacity row, else Offers or "
                                "Suppliers capacity; blank: unlimited)"),
    "expansion_capacity": (QUANTITY, "capacity the expansions built add in the period"),
    "capacity": (QUANTITY, "what may be ordered in the period (blank: unlimited)"),
    "ordered": (QUANTITY, "units ordered in the period"),
    "utilisation": (SHARE, "ordered / capacity"),
    "arrives": (None, "the period what is ordered in this period arrives in"),
    "freight_cost": (MONEY, "ordered * the route's freight, in the base currency"),
    "landed_cost": (MONEY, "landed cost of what is ORDERED in the period (its prices)"),
    "supplier_fixed_cost": (MONEY, "fixed costs of the suppliers whose first order is placed in the period (each "
                                   "paid once over the horizon)"),
    "expansion_cost": (MONEY, "fixed costs of the expansions decided in the period"),
    "total_cost": (MONEY, "landed_cost + supplier_fixed_cost + expansion_cost + holding_cost"),
    "surviving": (QUANTITY, "units arriving in the period still delivered in the scenario"),
    "shortfall": (QUANTITY, "max(0, required_share * demand - surviving) in the period; blank when no coverage "
                            "is required"),
}
CHARTS = 20  # per-item (per-target, per-route) line charts drawn; beyond, a note says how many were left out


def _categories(ws: Worksheet, column: int, first: int, last: int, columns: int = 1) -> AxDataSource:
    """Text categories from rows first..last of `columns` columns from `column` (two: item and period, which
    Excel draws as two levels of labels)."""
    ref = f"{quote_sheetname(ws.title)}!${get_column_letter(column)}${first}:" \
          f"${get_column_letter(column + columns - 1)}${last}"
    if columns > 1:
        from openpyxl.chart.data_source import MultiLevelStrRef

        return AxDataSource(multiLvlStrRef=MultiLevelStrRef(f=ref))
    return AxDataSource(strRef=StrRef(f=ref))


def _series(ws: Worksheet, column: int, first: int, last: int, title: str):  # noqa: ANN202 - openpyxl's Series
    series = SeriesFactory(Reference(ws, min_col=column, min_row=first, max_row=last))
    series.tx = SeriesLabel(v=title)
    return series


def _blocks(frame: pd.DataFrame, key: str, top: int) -> list[tuple[str, int, int]]:
    """(key value, first row, last row) of each run of equal `key` values in a table written from row `top`
    (its header)."""
    out: list[tuple[str, int, int]] = []
    for r, value in enumerate(frame[key].tolist(), start=top + 1):
        if out and out[-1][0] == value:
            out[-1] = (value, out[-1][1], r)
        else:
            out.append((value, r, r))
    return out


def _note(ws: Worksheet, row: int, column: int, drawn: int, total: int, what: str) -> None:
    if total > drawn:
        ws.cell(row=row, column=column, value=f"charts left out: {total - drawn:,} {what} (drawn for the first "
                                               f"{drawn})")


def cost_block(ws: Worksheet, plan: Plan, row: int, currency: str, bulk: BulkCells) -> int:
    """The Summary's cost by period and a stacked column chart of it; returns the next free row."""
    row = _title(ws, row + 1, "Cost by period (landed cost counted in the period it is ORDERED in; fixed costs of "
                              "a supplier in the period of its first order, of an expansion in the period it is "
                              "decided in)")
    top = row
    frame = plan.cost_by_period
    row = _table(ws, frame, top=row, bulk=bulk, notes=NOTES)
    if len(frame):
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = f"Cost by period ({currency})"
        chart.add_data(Reference(ws, min_col=2, max_col=5, min_row=top, max_row=row - 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=row - 1))
        _chart_axes(chart, "period", currency)
        chart.width, chart.height = 16, 8
        ws.add_chart(chart, f"H{top}")
        row = max(row, top + 17)  # the chart's height in rows: the next table starts below it
    return row


def stock_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells) -> None:
    """Per item and period: opening stock, arrivals, demand, end stock, reserve, limit, holding cost; per item a
    line chart of the end stock against the reserve (and the limit, when there is one)."""
    frame = plan.stock
    _table(ws, frame, bulk=bulk, notes=NOTES)
    cols = list(frame.columns)
    at = len(cols) + 2
    blocks = _blocks(frame, "item", 1)
    for k, (item, first, last) in enumerate(blocks[:CHARTS]):
        chart = LineChart()
        unit = frame["unit"].iloc[first - 2]
        chart.title = f"Stock of {item}{f' ({unit})' if unit else ''} against the reserve"
        names = ["stock", "reserve"] + (["max_stock"] if frame["max_stock"].iloc[first - 2:last - 1].notna().any()
                                        else [])
        for name in names:
            series = _series(ws, cols.index(name) + 1, first, last, name)
            series.smooth = False  # stock moves in steps from period to period
            chart.series.append(series)
        for series in chart.series:
            series.cat = _categories(ws, cols.index("period") + 1, first, last)
        _chart_axes(chart, "period", unit or "units")
        chart.y_axis.number_format = "#,##0"
        chart.width, chart.height = 16, 7
        ws.add_chart(chart, f"{get_column_letter(at)}{2 + 15 * k}")
    _note(ws, 1, at, CHARTS, len(blocks), "items")
    ws.freeze_panes = "C2"
    _fit_columns(ws, bulk)


def buildup_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells) -> None:
    """The expansions (built or not, decided when, delivering from when), then the capacity by period of each
    supplier (or offer) an expansion or a Capacity row concerns, with a chart per one: base and added capacity
    stacked, what is ordered as a line."""
    row = _title(ws, 1, "Expansions")
    row = _table(ws, plan.buildup, top=row, bulk=bulk, notes=NOTES)
    row = _title(ws, row + 1, "Capacity by period (what may be ordered in each period)")
    top = row
    frame = plan.capacity_by_period
    _table(ws, frame, top=top, bulk=bulk, notes=NOTES)
    cols = list(frame.columns)
    at = max(len(cols), len(plan.buildup.columns)) + 2  # right of both tables
    keys = frame.assign(target=frame["supplier"] + " " + frame["item"]) if len(frame) else frame.assign(target="")
    blocks = _blocks(keys, "target", top)
    for k, (target, first, last) in enumerate(blocks[:CHARTS]):
        bars = BarChart()
        bars.type = "col"
        bars.grouping = "stacked"
        bars.overlap = 100
        bars.title = f"Capacity of {target} by period"
        for name in ("base_capacity", "expansion_capacity"):
            bars.series.append(_series(ws, cols.index(name) + 1, first, last, name))
        line = LineChart()
        line.series.append(_series(ws, cols.index("ordered") + 1, first, last, "ordered"))
        for series in (*bars.series, *line.series):
            series.cat = _categories(ws, cols.index("period") + 1, first, last)
        _chart_axes(bars, "period", "units per period")
        bars.y_axis.number_format = "#,##0"
        bars += line
        bars.width, bars.height = 16, 7
        ws.add_chart(bars, f"{get_column_letter(at)}{2 + 15 * k}")
    _note(ws, 1, at, CHARTS, len(blocks), "capacities")
    ws.freeze_panes = "A2"
    _fit_columns(ws, bulk)


def routes_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells) -> None:
    """Per route and order period: units ordered on it, against its capacity, and the freight; a column chart
    of the units ordered per route and period."""
    frame = plan.route_usage
    _table(ws, frame, bulk=bulk, notes=NOTES)
    cols = list(frame.columns)
    blocks = _blocks(frame, "route", 1)
    if blocks:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Units ordered per route and period"
        for route, first, last in blocks[:CHARTS]:
            series = _series(ws, cols.index("ordered") + 1, first, last, str(route))
            series.cat = _categories(ws, cols.index("period") + 1, first, last)
            chart.series.append(series)
        _chart_axes(chart, "period ordered in", "units")
        chart.y_axis.number_format = "#,##0"
        chart.width, chart.height = 18, 8
        ws.add_chart(chart, f"{get_column_letter(len(cols) + 2)}2")
        _note(ws, 1, len(cols) + 2, CHARTS, len(blocks), "routes")
    ws.freeze_panes = "B2"
    _fit_columns(ws, bulk)


def _caps(data: PlanningData | None, pairs: list[tuple[str, str]], country: str) -> list[float | None]:
    """For each (item, period), the strictest max_share on `country` (named or `each country`) in force in the
    period (a Policy row's `period`, blank: every period); None if none."""
    if data is None:
        return [None] * len(pairs)
    own: dict[tuple[str, str], float] = {}
    for r in data.rules:
        if r.kind != MAX_SHARE.name or r.value is None or r.group is None or r.group.kind != "country" or \
                (r.group.name is not None and r.group.name != country):
            continue
        for item in data.rule_items(r):
            for period in [r.period] if r.period else data.period_names:
                own[(item, period)] = min(own.get((item, period), math.inf), r.value)
    return [own.get(pair) for pair in pairs]


def _matrix(plan: Plan, kind: str) -> tuple[list[tuple[str, str]], list[str], dict[tuple[str, str, str], float]]:
    """(the (item, period) rows in item then planning order, the groups of `kind` in name order, share per
    (item, period, group))."""
    frame = plan.period_shares[plan.period_shares["group_kind"] == kind]
    at = {p: k for k, p in enumerate(plan.periods)}
    pairs = sorted({(i, p) for i, p in zip(plan.stock["item"], plan.stock["period"])},
                   key=lambda e: (e[0], at[e[1]]))
    groups = sorted(set(frame["group"]))
    share = {(i, p, g): v for i, p, g, v in zip(frame["item"], frame["period"], frame["group"],
                                                 frame["share_of_demand"])}
    return pairs, groups, share


def shares_sheet(ws: Worksheet, plan: Plan, data: PlanningData | None, bulk: BulkCells) -> None:
    """(item, period) x country share of the period's demand, stacked bars per period, the caps below it
    (amber at, red above); then (item, period) x bloc shares, side by side (blocs overlap: not stacked)."""
    pairs, countries, share = _matrix(plan, "country")
    items, periods = [i for i, _ in pairs], [p for _, p in pairs]
    header(ws, ["item", "period", *countries])
    ws.cell(row=1, column=1).comment = Comment(
        "share of each item's demand IN THE PERIOD arriving from each country (above 100 % together when buying "
        "for stock); amber: at its cap, red: above its cap", "planner")
    n = len(pairs)
    if n:
        bulk.add(ws, 2, 1, [(items, None), (periods, None),
                            *[([share.get((i, p, c), 0.0) for i, p in pairs], SHARE) for c in countries]])
    caps_top = n + 4
    ws.cell(row=caps_top - 1, column=1, value="Caps").font = Font(bold=True, size=13)
    for c, name in enumerate(["item", "period", *countries], start=1):
        ws.cell(row=caps_top, column=c, value=name).font = Font(bold=True)
    ws.cell(row=caps_top, column=1).comment = Comment(
        "the cap on each share above: the strictest max_share on the country (named or each country) in force in "
        "the period; blank: none", "planner")
    if n:
        bulk.add(ws, caps_top + 1, 1, [(items, None), (periods, None),
                                       *[(_caps(data, pairs, c), SHARE) for c in countries]])
    blocs = _matrix(plan, "bloc")[1]
    chart_at = max(len(countries), len(blocs)) + 4
    first_height = 0.0
    if n and countries:
        last = get_column_letter(len(countries) + 2)
        area = f"C2:{last}{n + 1}"
        cap_ref = f"C{caps_top + 1}"
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f"AND(ISNUMBER({cap_ref}),C2>{cap_ref}+0.000001)"], fill=RED_FILL, stopIfTrue=True))
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f"AND(ISNUMBER({cap_ref}),C2>={cap_ref}-0.000001,C2>0)"], fill=AMBER_FILL))
        if n > CHART_ITEMS:
            _too_many_items(ws, 1, chart_at, n)
        else:
            chart = _period_bars(ws, "Share of each period's demand by country", 1, n, len(countries), True)
            ws.add_chart(chart, f"{get_column_letter(chart_at)}2")
            first_height = chart.height
    row = caps_top + n + 2
    pairs, blocs, share = _matrix(plan, "bloc")
    if blocs:
        row = _title(ws, row, "Shares by bloc")
        top = row
        header(ws, ["item", "period", *blocs], row=top)
        ws.cell(row=top, column=1).comment = Comment(
            "share of each item's demand in the period arriving from each bloc; a country in several blocs counts "
            "in each, so the shares of a period may add up to more than its arrivals", "planner")
        bulk.add(ws, top + 1, 1, [([i for i, _ in pairs], None), ([p for _, p in pairs], None),
                                  *[([share.get((i, p, b), 0.0) for i, p in pairs], SHARE) for b in blocs]])
        if n and n <= CHART_ITEMS:
            chart = _period_bars(ws, "Share of each period's demand by bloc", top, n, len(blocs), False)
            # below the countries' chart (a row is about 0.5 cm): side by side with its table when it is lower
            ws.add_chart(chart, f"{get_column_letter(chart_at)}{max(top + 1, 3 + math.ceil(first_height / 0.5))}")
    ws.freeze_panes = "C2"
    _fit_columns(ws, bulk)


def _period_bars(ws: Worksheet, title: str, top: int, rows: int, groups: int, stacked: bool) -> BarChart:
    """Horizontal bars, one bar per (item, period) row below `top`, one series per group column from C."""
    chart = BarChart()
    chart.type = "bar"
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    chart.title = title
    chart.add_data(Reference(ws, min_col=3, max_col=groups + 2, min_row=top, max_row=top + rows),
                   titles_from_data=True)
    for series in chart.series:
        series.cat = _categories(ws, 1, top + 1, top + rows, columns=2)
    chart.y_axis.number_format = "0%"
    chart.x_axis.scaling.orientation = "maxMin"  # the first item's first period on top, as in the table
    chart.y_axis.crosses = "max"  # and the share axis below the bars, where a reader looks for it
    _chart_axes(chart, None, "share of the period's demand")
    chart.width, chart.height = 18, 6 + 0.6 * rows
    return chart


def coverage_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells) -> None:
    """(item, period) x scenario surviving share of the period's demand (blank where the scenario does not
    last), the required coverage, red below it; a column chart per scenario with the requirement as a line."""
    table = plan.scenarios
    share = {(i, p, s): v for i, p, s, v in zip(table["item"], table["period"], table["scenario"],
                                                 table["share_of_demand"])}
    required = {(i, p): v for i, p, v in zip(table["item"], table["period"], table["required_share"])
                if v is not None and v == v}
    scenarios = list(dict.fromkeys(table["scenario"]))
    at = {p: k for k, p in enumerate(plan.periods)}
    pairs = sorted({(i, p) for i, p in zip(table["item"], table["period"])}, key=lambda e: (e[0], at[e[1]]))
    req_col = len(scenarios) + 3
    header(ws, ["item", "period", *scenarios, "required coverage"])
    ws.cell(row=1, column=1).comment = Comment(
        "share of each item's demand in the period still arriving in each scenario (blank: the scenario does not "
        "last that period); red: below the required coverage", "planner")
    n = len(pairs)
    if n:
        bulk.add(ws, 2, 1, [([i for i, _ in pairs], None), ([p for _, p in pairs], None),
                            *[([share.get((i, p, s)) for i, p in pairs], SHARE) for s in scenarios],
                            ([required.get(pair) for pair in pairs], SHARE)], style_blanks=True)
    if n and scenarios:
        req = get_column_letter(req_col)
        area = f"C2:{get_column_letter(req_col - 1)}{n + 1}"
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[f"AND(ISNUMBER(C2),ISNUMBER(${req}2),C2<${req}2-0.000001)"], fill=RED_FILL))
        if n > CHART_ITEMS:
            _too_many_items(ws, 1, req_col + 2, n)
        else:
            bars = BarChart()
            bars.type = "col"
            bars.title = "Surviving share per scenario and period against the required coverage"
            bars.add_data(Reference(ws, min_col=3, max_col=req_col - 1, min_row=1, max_row=n + 1),
                          titles_from_data=True)
            series = list(bars.series)
            if required:
                line = LineChart()
                line.add_data(Reference(ws, min_col=req_col, min_row=1, max_row=n + 1), titles_from_data=True)
                series += line.series
                bars += line
            for s in series:
                s.cat = _categories(ws, 1, 2, n + 1, columns=2)
            _chart_axes(bars, None, "share of the period's demand")
            bars.y_axis.number_format = "0%"
            bars.width, bars.height = 24, 11
            ws.add_chart(bars, f"{get_column_letter(req_col + 2)}2")
    ws.freeze_panes = "C2"
    _fit_columns(ws, bulk)


def one_period_routes_sheet(ws: Worksheet, plan: Plan, bulk: BulkCells) -> None:
    """A single-period plan's routes: units on each against its capacity, the freight; bars of the units."""
    frame = plan.route_usage
    end = _table(ws, frame, bulk=bulk, notes={**NOTES, "ordered": (QUANTITY, "units bought on the route"),
                                              "capacity": (QUANTITY, "the route's capacity (blank: unlimited)")})
    if len(frame):
        chart = _horizontal_bars(ws, "Units bought per route", 1, end - 1, "units",
                                 list(frame.columns).index("ordered") + 1)
        chart.width, chart.height = 16, 5 + 0.6 * len(frame)
        ws.add_chart(chart, f"{get_column_letter(len(frame.columns) + 2)}2")
    ws.freeze_panes = "B2"
    _fit_columns(ws, bulk)
