"""The sheets of a two-stage plan (workbook-v2 section 3): Contracts, Recourse and Risk, with a native bar chart
of the cost of each scenario; and the Risk figures as the Run sheet lists them (`risk_figures`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.write_plan import (AMBER_FILL, CHART_ITEMS, MONEY, QUANTITY, RED_FILL, _fit_columns,
                                   _horizontal_bars, _table, _title)
from planner.results import Plan

WEIGHT = "0.00"  # risk_weight and cvar_alpha: shares written as the Settings cell holds them
# column -> (number format, header comment), as the plan writer's tables take them
NOTES: dict[str, tuple[str | None, str]] = {
    "contract": (QUANTITY, "units contracted now, before anyone knows which scenario comes (the first stage)"),
    "delivered": (QUANTITY, "what the contracts deliver in the scenario: availability x contract"),
    "spot": (QUANTITY, "units bought on the spot market in the scenario, at the item's spot_price (amber: some)"),
    "short": (QUANTITY, "units of demand left unmet in the scenario, at the item's shortage_cost (red: some)"),
    "cost": (MONEY, "landed cost of what is delivered (at the contract's unit price), spot purchases and shortage"
                    " (the scenario's cost in the Risk sheet adds the fixed costs)"),
    "probability": ("0.0000", "the scenario's probability (Scenarios); the baseline, nothing disrupted, has the "
                              "rest"),
}
MEANING_WIDTH = 60  # the Risk sheet's `meaning` column: its texts wrap within it


@dataclass(frozen=True)
class Figure:
    """One figure of the Risk sheet: its key there, its label on the Run sheet, its value (a number, a name, or
    None when there is none), the cell's number format and what it means (for a missing figure: why)."""

    key: str
    label: str
    value: float | str | None
    number_format: str | None
    meaning: str


def _foresight(plan: Plan, key: str, word: str) -> tuple[float | None, str]:
    """EVPI or VSS and, when there is none, why: the warning the foresight figures left, or that they were not
    computed (a plan made without them: `planner.solve(..., foresight=False)`, each step of `frontier --risk`)."""
    if key not in plan.risk:
        return None, "none: not computed for this plan (planner.solve(..., foresight=False))"
    value = plan.risk[key]
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        said = next((w for w in plan.warnings if str(w).startswith(f"{word}:")), None)
        return None, f"none: {str(said).split(':', 1)[1].strip()}" if said else "none"
    return float(value), ""  # type: ignore[arg-type]


def risk_figures(plan: Plan, currency: str) -> list[Figure]:
    """The figures of a two-stage plan, in the order the Risk and Run sheets give them."""
    risk = plan.risk
    w = float(risk.get("risk_weight") or 0.0)  # type: ignore[arg-type]
    alpha = float(risk.get("cvar_alpha") if risk.get("cvar_alpha") is not None else 0.9)  # type: ignore[arg-type]
    worst_cost = risk.get("worst_cost")
    evpi, evpi_why = _foresight(plan, "evpi", "EVPI")
    vss, vss_why = _foresight(plan, "vss", "VSS")
    return [
        Figure("objective", "two-stage objective", risk.get("objective"), MONEY,  # type: ignore[arg-type]
               f"{1 - w:g} x expected_cost + {w:g} x cvar ((1 - risk_weight) E + risk_weight CVaR): what the "
               "contracts minimise"),
        Figure("expected_cost", "expected cost", risk.get("expected_cost"), MONEY,  # type: ignore[arg-type]
               "the probability-weighted cost of the scenarios and the baseline: deliveries, spot purchases, "
               "shortage, fixed costs"),
        Figure("cvar", f"CVaR at {alpha:g}", risk.get("cvar"), MONEY,  # type: ignore[arg-type]
               f"the mean cost of the worst {1 - alpha:.0%} of probability (CVaR at cvar_alpha {alpha:g})"),
        Figure("risk_weight", "risk_weight", w, WEIGHT, "Settings risk_weight: the weight of CVaR in the objective"),
        Figure("cvar_alpha", "cvar_alpha", alpha, WEIGHT, "Settings cvar_alpha: the level of CVaR"),
        Figure("worst_scenario", "worst scenario", risk.get("worst_scenario"), None,  # type: ignore[arg-type]
               "the scenario (of probability above 0) that costs most"),
        Figure("worst_cost", "worst scenario's cost", worst_cost, MONEY,  # type: ignore[arg-type]
               "its cost, fixed costs included"),
        Figure("evpi", "EVPI", evpi, MONEY, evpi_why or
               "what perfect foresight would save: the objective minus the same measure of the scenarios' costs, "
               "each planned alone knowing it comes"),
        Figure("vss", "VSS", vss, MONEY, vss_why or
               "what planning for the scenarios saves over planning for their mean: the objective of the mean "
               "scenario's contracts, fixed in every scenario, minus this one"),
    ]


def _centre(ws: Worksheet, frame: pd.DataFrame, column: str, top: int = 1) -> None:
    """Centre a column of short numbers (a probability) that sits right of a long name and left of one: right
    aligned, its figures run into the next column's text."""
    if column in frame.columns:
        c = list(frame.columns).index(column) + 1
        for r in range(top + 1, top + 1 + len(frame)):
            ws.cell(row=r, column=c).alignment = Alignment(horizontal="center")


def contracts_sheet(ws: Worksheet, plan: Plan) -> None:
    """One row per contract: item, supplier, country, contract, unit cost."""
    end = _table(ws, plan.contracts, notes=NOTES)
    ws.freeze_panes = "A2"
    if len(plan.contracts.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(plan.contracts.columns))}{max(end - 1, 1)}"
    _fit_columns(ws)


def recourse_sheet(ws: Worksheet, plan: Plan) -> None:
    """Per scenario and item: probability, demand, delivered, spot, short, cost; a row with spot purchases is
    amber, one with a shortage red, so that the few rows where a disruption bites stand out among those where
    it does not."""
    frame = plan.recourse
    end = _table(ws, frame, notes=NOTES)
    _centre(ws, frame, "probability")
    columns = list(frame.columns)
    if end > 2 and {"spot", "short"} <= set(columns):
        area = f"A2:{get_column_letter(len(columns))}{end - 1}"
        short = get_column_letter(columns.index("short") + 1)
        spot = get_column_letter(columns.index("spot") + 1)
        ws.conditional_formatting.add(area, FormulaRule(formula=[f"${short}2>0"], fill=RED_FILL, stopIfTrue=True))
        ws.conditional_formatting.add(area, FormulaRule(formula=[f"${spot}2>0"], fill=AMBER_FILL))
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(end - 1, 1)}"
    _fit_columns(ws)


def risk_sheet(ws: Worksheet, plan: Plan, currency: str) -> None:
    """The figures (objective, expected cost, CVaR, the worst scenario and its cost, EVPI, VSS), then the cost of
    each scenario with a horizontal bar chart below it (scenario names read across, whatever their length)."""
    figures = risk_figures(plan, currency)
    facts = pd.DataFrame([(f.key, f.value if f.value is not None else "none", f.meaning) for f in figures],
                         columns=["figure", f"value ({currency})", "meaning"])
    _table(ws, facts)
    for r, figure in enumerate(figures, start=2):
        cell = ws.cell(row=r, column=2)
        if figure.number_format and isinstance(cell.value, (int, float)):
            cell.number_format = figure.number_format
        else:
            cell.alignment = Alignment(horizontal="right", vertical="top")
    row = len(facts) + 3
    row = _title(ws, row, "Cost of each scenario (fixed costs included)")
    top = row
    end = _table(ws, plan.scenario_costs, top=top, notes=NOTES)
    _centre(ws, plan.scenario_costs, "probability", top)
    _fit_columns(ws)
    # the meanings wrap in a column of fixed width, each row as tall as its lines (LibreOffice and Excel grow no
    # row for text they were not told to wrap)
    ws.column_dimensions["C"].width = MEANING_WIDTH
    for r, figure in enumerate(figures, start=2):
        ws.cell(row=r, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
        ws.cell(row=r, column=2).alignment = Alignment(horizontal="right", vertical="top")
        # a column unit holds a little more than one character of this text (as `_wrap_column` reckons)
        ws.row_dimensions[r].height = 15 * max(1, math.ceil(len(figure.meaning) / (1.2 * MEANING_WIDTH)))
    n = len(plan.scenario_costs)
    if n > CHART_ITEMS:
        ws.cell(row=end + 1, column=1, value=f"chart left out: {n:,} scenarios (it is drawn for up to {CHART_ITEMS})")
    elif n:
        cost = list(plan.scenario_costs.columns).index("cost") + 1
        chart = _horizontal_bars(ws, "Cost of each scenario, fixed costs included", top, end - 1, currency, cost)
        chart.y_axis.number_format = "#,##0"
        chart.x_axis.scaling.orientation = "maxMin"  # the scenarios top down, in the table's order
        chart.y_axis.crosses = "max"  # with the categories reversed, keep the value axis below the bars
        chart.width, chart.height = 22, 3 + 0.7 * n
        ws.add_chart(chart, f"A{end + 1}")
