"""The sheets of a two-stage plan (workbook-v2 section 3): Contracts, Recourse and Risk, with a native bar chart
of the cost of each scenario."""

from __future__ import annotations

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.write_plan import _chart_axes, _fit_columns, _table, _title
from planner.results import Plan

NUMBER, MONEY = "#,##0.00", "#,##0.00"
# column -> (number format, header comment), as the plan writer's tables take them
NOTES: dict[str, tuple[str | None, str]] = {
    "contract": (NUMBER, "units contracted now, before anyone knows which scenario comes (the first stage)"),
    "delivered": (NUMBER, "what the contracts deliver in the scenario: availability x contract"),
    "spot": (NUMBER, "units bought on the spot market in the scenario, at the item's spot_price"),
    "short": (NUMBER, "units of demand left unmet in the scenario, at the item's shortage_cost"),
    "cost": (MONEY, "landed cost of what is delivered (at the contract's unit price), spot purchases and shortage"
                    " (the scenario's cost in the Risk sheet adds the fixed costs)"),
    "probability": ("0.0000", "the scenario's probability (Scenarios); the baseline, nothing disrupted, has the "
                              "rest"),
}


def contracts_sheet(ws: Worksheet, plan: Plan) -> None:
    """One row per contract: item, supplier, country, contract, unit cost."""
    _table(ws, plan.contracts, notes=NOTES)
    ws.freeze_panes = "A2"
    _fit_columns(ws)


def recourse_sheet(ws: Worksheet, plan: Plan) -> None:
    """Per scenario and item: probability, demand, delivered, spot, short, cost."""
    _table(ws, plan.recourse, notes=NOTES)
    ws.freeze_panes = "A2"
    _fit_columns(ws)


def risk_sheet(ws: Worksheet, plan: Plan, currency: str) -> None:
    """The figures (objective, expected cost, CVaR, the worst scenario, EVPI, VSS) and the cost of each scenario
    as a bar chart."""
    risk = plan.risk
    facts = pd.DataFrame([
        ("objective", risk.get("objective"), "(1 - risk_weight) x expected cost + risk_weight x CVaR"),
        ("expected_cost", risk.get("expected_cost"), "the probability-weighted cost of the scenarios"),
        ("cvar", risk.get("cvar"), f"mean cost of the worst {1 - float(risk.get('cvar_alpha') or 0.9):.0%} of "
                                   "probability (CVaR at cvar_alpha)"),
        ("risk_weight", risk.get("risk_weight"), "Settings risk_weight"),
        ("cvar_alpha", risk.get("cvar_alpha"), "Settings cvar_alpha"),
        ("worst_scenario", risk.get("worst_scenario"), f"its cost: {risk.get('worst_cost')}"),
        ("evpi", risk.get("evpi"), "what perfect foresight would save: objective minus the same measure of each "
                                   "scenario planned alone"),
        ("vss", risk.get("vss"), "what planning for the scenarios saves over planning for their mean: the mean "
                                 "plan's contracts in every scenario minus the objective"),
    ], columns=["figure", f"value ({currency})", "meaning"])
    _table(ws, facts)
    row = len(facts) + 3
    row = _title(ws, row, "Cost of each scenario (fixed costs included)")
    _table(ws, plan.scenario_costs, top=row, notes=NOTES)
    n = len(plan.scenario_costs)
    if n:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Cost of each scenario"
        chart.add_data(Reference(ws, min_col=3, min_row=row, max_row=row + n), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=row + 1, max_row=row + n))
        _chart_axes(chart, "scenario", currency)
        chart.y_axis.number_format = "#,##0"
        chart.legend = None
        chart.width, chart.height = 18, 8
        ws.add_chart(chart, "E2")
    _fit_columns(ws)
