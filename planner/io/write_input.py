"""Write input workbooks: the empty template and filled ones (the bundled example).

Every sheet of the schema gets its header, a comment on each header cell
with the column's meaning, accepted values and default, and a dropdown where
a column takes a fixed list, or names a period, route or supplier (the list
is then the ids of the Periods, Routes or Suppliers sheet, as filled in). A
README sheet explains every column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.atomic import atomic_write
from planner.io.reproducible import workbook_bytes
from planner.io.style import header as style_header
from planner.model import registry
from planner.schema import RULES, SETTING_BY_NAME, SETTINGS, SHEETS, Column, SheetSpec, normalize

README_SHEET = "README"
VALIDATED_ROWS = 2000
# Columns naming an id of these sheets get a dropdown of that sheet's first column (its ids, as filled in): the
# list follows the workbook, so a warning (not a stop) questions other entries, which the planner reports anyway
LISTED_IDS: tuple[str, ...] = ("Periods", "Routes", "Suppliers")

# What each Policy rule kind means, as its family declares it (`RuleKind.help`), in the order listed to people.
RULE_MEANINGS: tuple[tuple[str, str], ...] = tuple((kind.name, kind.help) for kind in registry.rule_kinds())


def column_note(column: Column) -> str:
    parts = [column.help, "required" if column.required else f"optional; blank = {column.default or 'blank'}"]
    if column.unit:
        parts.append(f"unit: {column.unit}")
    return ". ".join(parts)


def write_input_workbook(path: Path, rows: dict[str, Sequence[Sequence[object]]] | None = None,
                         notes: Sequence[tuple[str, str]] = (), as_tables: bool = True) -> None:
    """Write an input workbook: every sheet of the schema, filled with `rows` where given.

    `rows` maps a sheet name to data rows in the schema's column order;
    `notes` are extra (heading, text) lines for the README sheet, such as
    the sources of an example's figures.
    """
    # the empty template names the mode, so that its dropdown (deterministic, two_stage) is there to pick from
    rows = rows if rows is not None else {"Settings": [("mode", "deterministic")]}
    wb = Workbook()
    _readme(wb.active, notes)
    for spec in SHEETS:
        _data_sheet(wb.create_sheet(spec.name), spec, rows.get(spec.name, ()), as_tables)
    atomic_write(path, workbook_bytes(wb))


def _readme(ws: Worksheet, notes: Sequence[tuple[str, str]]) -> None:
    ws.title = README_SHEET
    ws["A1"] = "Sourcing planner input workbook"
    ws["A1"].font = Font(bold=True, size=14)
    lines = [
        ("How to use", "Fill the sheets Items, Suppliers, Countries and Offers (required) and, if you need them, "
                       "Tiers (volume discounts), Currencies, Tariffs (duties by item), Policy (rules), Scenarios "
                       "(disruptions), Settings and Routes (freight, capacity and lead times of transport routes). "
                       "Then run: planner solve THIS.xlsx -o plan.xlsx"),
        ("Several periods", "List periods in the Periods sheet, one row each in planning order, to plan them all "
                            "at once: then Demand, Capacity and Prices give values by period (a period without a "
                            "row keeps the Items, Offers or Suppliers value), Expansions capacity that can be "
                            "built, the Items stock columns the stock carried between periods, Routes lead times "
                            "the periods goods travel, and the period columns of Policy and Scenarios the periods "
                            "a rule or disruption holds in. Without Periods those sheets and columns must stay "
                            "empty (the stock columns are ignored with a warning)."),
        ("Headers", "Matched ignoring case, spaces and _ vs space. Extra columns and sheets are ignored "
                    "(this README sheet too). A sheet may be a plain range (header in row 1) or one Excel Table."),
        ("Numbers", "Type numbers as numbers. Text holding a plain decimal ('42') is read with a warning; "
                    "'1,250.5', '12 t' or currency signs are refused: the locale is never guessed."),
        ("Landed cost", "rate * (price * (1 + tariff) + freight) per unit, in the base currency (Settings "
                        "currency): rate from Currencies for an offer quoted in another currency, tariff from Tariffs "
                        "(item over class over every item) else the supplier's country's, price from Tiers above a "
                        "break."),
        ("Dates", "Type dates as dates (or text YYYY-MM-DD). Policy and Scenarios rows with from/to apply only "
                  "when Settings plan_date (blank: the day of the run) lies between them, both days included."),
        ("The plan", "buys exactly the demand of every item at least total landed cost plus fixed costs, "
                     "while every Policy rule holds."),
        ("Two stages", "Settings mode two_stage (or planner solve --two-stage): contracts are signed now; in each "
                       "scenario (its probability in the Scenarios probability column; the rest is the baseline, "
                       "nothing disrupted) what the contracts deliver is paid, and what is missing of demand is "
                       "bought at the Items spot_price or goes short at the Items shortage_cost. The plan minimises "
                       "(1 - risk_weight) * expected cost + risk_weight * CVaR at cvar_alpha. One period only."),
    ]
    row = _notes(ws, 3, lines) + 1
    header = ("sheet", "column", "required", "default", "unit", "meaning")
    style_header(ws, header, row=row)
    for spec in SHEETS:
        for column in spec.columns:
            row += 1
            values = (spec.name, column.name, "yes" if column.required else "no", column.default, column.unit, column.help)
            for col, value in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=value)
    row += 2
    ws.cell(row=row, column=1, value="rule").font = Font(bold=True)
    ws.cell(row=row, column=2, value="meaning for item i and group g").font = Font(bold=True)
    for rule, meaning in RULE_MEANINGS:
        row += 1
        ws.cell(row=row, column=1, value=rule)
        ws.cell(row=row, column=2, value=meaning)
    row += 2
    ws.cell(row=row, column=1, value="setting").font = Font(bold=True)
    ws.cell(row=row, column=2, value="default and meaning").font = Font(bold=True)
    for setting in SETTINGS:
        row += 1
        ws.cell(row=row, column=1, value=setting.name)
        ws.cell(row=row, column=2, value=f"{setting.default}: {setting.help}")
    # the workbook's own notes (an example's sources) last, below the tables: a note's heading may be a sheet's
    # name (Prices), which a reader of the sheet by its first column should find as the note, not a column row
    if notes:
        _notes(ws, row + 2, notes)
    widths = {"A": 22, "B": 60, "C": 10, "D": 14, "E": 20, "F": 90}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width


def _notes(ws: Worksheet, row: int, lines: Sequence[tuple[str, str]]) -> int:
    """(heading, text) lines from `row` on, headings bold; the row after the last."""
    for heading, text in lines:
        ws.cell(row=row, column=1, value=heading).font = Font(bold=True)
        ws.cell(row=row, column=2, value=text).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    return row


def _data_sheet(ws: Worksheet, spec: SheetSpec, rows: Sequence[Sequence[object]], as_table: bool) -> None:
    for col, (column, cell) in enumerate(zip(spec.columns, style_header(ws, [c.name for c in spec.columns])), start=1):
        cell.comment = Comment(column_note(column), "planner", width=300, height=120)
        ws.column_dimensions[get_column_letter(col)].width = max(14, len(column.name) + 4)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"  # read as the date it is, in every locale
        for col, value in enumerate(values, start=1):
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = min(60, max(ws.column_dimensions[letter].width or 0, len(str(value or "")) + 2))
    last = get_column_letter(len(spec.columns))
    if as_table and rows:
        table = Table(displayName=f"{spec.name}Table", ref=f"A1:{last}{len(rows) + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    for col, column in enumerate(spec.columns, start=1):
        if column.refers in LISTED_IDS and column.refers != spec.name:
            _id_list(ws, get_column_letter(col), column)
        if not column.choices:
            continue
        letter = get_column_letter(col)
        # The reader matches these names ignoring case, spaces and underscores, so a stop-style dropdown would
        # refuse entries the planner reads (Max Share): it warns instead, and says why.
        dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                            showErrorMessage=column.choices_strict, errorStyle="warning")
        dv.errorTitle = "Not in the list"
        dv.error = _choices_warning(column)
        dv.prompt = column.help
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    if spec.name == "Settings":
        _setting_lists(ws, rows)
    ws.freeze_panes = "A2"


def _setting_lists(ws: Worksheet, rows: Sequence[Sequence[object]]) -> None:
    """A dropdown on the value cell of each Settings row of a setting with choices (mode: deterministic,
    two_stage), which warns, and lets through, other spellings the reader takes (Two Stage)."""
    for r, values in enumerate(rows, start=2):
        setting = SETTING_BY_NAME.get(normalize(values[0]).replace(" ", "_")) if values and values[0] else None
        if setting is None or not setting.choices:
            continue
        dv = DataValidation(type="list", formula1='"' + ",".join(setting.choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorStyle="warning")
        dv.errorTitle = "Not in the list"
        dv.error = (f"{setting.name} is one of: {', '.join(setting.choices)}. The planner ignores case, spaces and "
                    "underscores (Two Stage = two_stage); it reports anything else.")
        dv.prompt = setting.help[:255]
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"B{r}")


def _id_list(ws: Worksheet, letter: str, column: Column) -> None:
    """A dropdown of the ids in the first column of the sheet `column` refers to (Periods, Routes, Suppliers)."""
    dv = DataValidation(type="list", formula1=f"{column.refers}!$A$2:$A${VALIDATED_ROWS}", allow_blank=True,
                        showErrorMessage=True, errorStyle="warning")
    dv.errorTitle = f"Not in {column.refers}"
    dv.error = (f"{column.name} names an id of the {column.refers} sheet; the planner reports any other entry "
                f"(list it in {column.refers} first).")
    dv.prompt = column.help[:255]
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{VALIDATED_ROWS}")


def _choices_warning(column: Column) -> str:
    """The dropdown's warning: the listed names, and that other spellings of them are read too (<= 225 characters,
    Excel's limit)."""
    if column.name == "active":  # the reader takes more than the two words listed
        return ("active is on or off; the planner also reads yes/no, true/false and 1/0, in any case (Off = off): "
                "keep your entry if it is one of these; the planner reports anything else. Blank is on.")
    listed = ", ".join(column.choices)
    sample = next((c for c in column.choices if "_" in c), column.choices[0])
    rest = (f"The planner ignores case, spaces and underscores ({sample.replace('_', ' ').title()} = {sample}): keep "
            "your entry if it is one of these; the planner reports anything else.")
    message = f"{column.name} is usually one of: {listed}. {rest}"
    # a list too long for Excel's 225 characters (the rule kinds) is named by where it is, not spelt out
    return message if len(message) <= 225 else f"{column.name} is usually one of the list's entries. {rest}"


__all__ = ["write_input_workbook", "README_SHEET", "RULES"]
