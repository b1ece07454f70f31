"""The input workbook's sheets and columns, declared once.

The reader matches headers against these declarations, the validator parses
every cell by them (its `kind`, whether it is `required`, the sheet it
`refers` to, the value a blank reads as, the record field it fills, the
sheet's `key`), and the template writer turns the help texts into the
README sheet, header comments and dropdowns. `docs/workbook.md` describes the
same columns for people; a test keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Literal

from planner.data import MIN_AWARD  # the Policy `min_award` a blank cell reads as (one constant, for Rule too)
from planner.model import registry
from planner.model.family import RuleKind

# A number written as text that is read without guessing a locale: "1250.5", " 42 ", "1e3".
# Every number in a cell must be below this. HiGHS refuses a model with a matrix coefficient of 1e15 or more
# (its option large_matrix_value) and a demand or minimum order becomes one (the bound M_o of Supplier-use and
# Offer-use rows); it reads costs and bounds of 1e20 and more as infinite (infinite_cost, infinite_bound).
MAX_NUMBER = 1e15

PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# What no text may hold: control characters other than tab, line feed and carriage return, lone surrogates and
# the non-characters U+FFFE and U+FFFF. XML 1.0, and so a workbook, cannot hold them, not even escaped; Excel's
# `_x0000_` escape and a CSV can carry them in. Refused when read (`unwritable`), and dropped by every writer
# on its way to bytes (defence in depth: `planner.io.splice`, `planner.io.reproducible.text_cells`).
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unwritable(value: object) -> str | None:
    """Why text cannot be read ("holds the control character U+0000 ..."), or None for any other value."""
    if type(value) is not str:
        return None
    found = UNWRITABLE.search(value)
    if found is None:
        return None
    code = ord(found.group())
    kind = "control character" if code < 0x20 else "character"
    return (f"holds the {kind} U+{code:04X} (character {found.start() + 1}), which no workbook can hold (in Excel, "
            "_x0000_ and the like stand for one); text may hold tabs and line breaks, no other control characters")


def escaped(value: object) -> object:
    """A value for a message's `value` field with every unwritable character as a \\uXXXX escape."""
    if type(value) is not str:
        return value
    return UNWRITABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


# What a cell holds, and so how the validator parses it (`planner.validate`):
#   id      trimmed text, a number typed as an id is its text ("1001"); with `refers`, an id listed in that sheet
#   number  a number (or text holding a plain decimal), within BOUNDS["number"] and below MAX_NUMBER
#   share   the same within BOUNDS["share"]
#   text    free text shown in outputs
#   names   comma-separated names, each trimmed, repeats dropped ("EU, MSP")
#   group   a country, bloc or supplier (`kind:name` when ambiguous); the `each ...` words only where `choices`
#           lists them
#   rule    the name of a rule kind (RULE_KINDS), matched like a header
#   switch  on or off (`switch`)
#   items   an item id listed in Items, or `class:NAME` (`CLASS_CELL`) naming a class some item has (Policy,
#           Scenarios, Tariffs); a cell that is exactly an item's id is that item, as in version 1
#   choice  one of `choices`, matched like a header (all units = all_units)
#   code    an id read in upper case: a currency code (usd is USD)
#   currency  the base currency, or one listed in Currencies, in any case (codes are compared in upper case)
#   date    a date cell, or text YYYY-MM-DD
#   setting, value   a setting's name (SETTINGS) and its value, of the kind that setting declares
ColumnKind = Literal["id", "number", "share", "text", "names", "group", "rule", "switch", "setting", "value",
                     "items", "choice", "code", "currency", "date"]

# The range a number or share column accepts, both ends included; every number must also be below MAX_NUMBER.
# The validator's messages name these bounds as they are ("-3 is negative", "1.5 is not a share in [0, 1]"):
# a column with other bounds needs a kind, and messages, of its own.
BOUNDS: dict[ColumnKind, tuple[float, float]] = {"number": (0.0, math.inf), "share": (0.0, 1.0)}

GROUP_WORDS: tuple[str, ...] = ("each country", "each supplier", "each bloc")
UNION = "|"  # joins groups in one group cell: `bloc:CPTPP | bloc:MSP | country:UA`
# an item cell naming a class of items, `class:critical`: the word in any case, spaces around the colon, as the
# group prefixes are read (`Class : critical`)
CLASS_CELL = re.compile(r"^\s*class\s*:(.*)$", re.IGNORECASE | re.DOTALL)
DISCOUNTS: tuple[str, ...] = ("all_units", "incremental")
GROUP_KINDS: tuple[str, ...] = ("country", "bloc", "supplier")
MODES: tuple[str, ...] = ("deterministic", "two_stage")  # Settings mode (`Settings.mode`)


# The kinds of Policy rule, in the order people see them, each as its family declares it
# (`planner.model.family.RuleKind`: `group` required or ignored and why, `value` a share or none). The
# validator's `_rule_fields` reads nothing else about a kind; a new kind is a family module, not an edit here.
RULE_KINDS: dict[str, RuleKind] = {kind.name: kind for kind in registry.rule_kinds()}
RULES: tuple[str, ...] = tuple(RULE_KINDS)


@dataclass(frozen=True)
class Column:
    """One column of an input sheet: what people are told about it, and what the validator checks.

    `required`: the sheet must have the column, and a row that leaves its cell blank is an error (Settings
    reads `value` as the setting in its row declares). `default` is what a blank optional cell means, in
    words for people ("unlimited"); `if_blank` is the value it reads as (math.inf), which is also what a bad
    optional number reads as once reported. `refers`: the sheet whose ids the column names (Offers.item names
    an item of Items). `field`: the field of the sheet's record the column fills, when it is not the column's
    own name (Countries.name fills Country.label).
    """

    name: str
    kind: ColumnKind
    required: bool
    help: str
    default: str = ""
    unit: str = ""
    choices: tuple[str, ...] = ()
    # choices_strict: the dropdown questions other entries, with a warning that lets them through since the
    # reader ignores case, spaces and underscores (Max Share); False: it only suggests
    choices_strict: bool = True
    if_blank: object = None
    refers: str = ""
    field: str = ""
    # a number column's further bounds: a whole number (read as int: periods), or above 0 (a capacity that is built)
    whole: bool = False
    above_zero: bool = False

    @property
    def record_field(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class Setting:
    """One Settings row. `kind`: text, a number above 0 (positive), a share in [0, 1], a level in [0, 1)
    (`below_one`: cvar_alpha, at which CVaR would be the worst cost alone), a date, or one of `choices` (matched
    like a header, in any case: Two Stage = two_stage)."""

    name: str
    kind: Literal["text", "positive", "share", "below_one", "date", "choice"]
    default: str | float
    help: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetSpec:
    """One input sheet. `required`: the sheet must be present and hold at least one row.

    `key`: the columns whose values together name a row's record (Items: `item`; Offers: `item` and
    `supplier`); a key already given in an earlier row is an error. No key: rows may repeat (Scenarios:
    rows with one scenario name add up).
    """

    name: str
    required: bool
    help: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SETTINGS: tuple[Setting, ...] = (
    Setting("currency", "text", "EUR", "the base currency, shown in outputs as written: every cost is reported in "
            "it; an offer quoted in another currency names it in the Offers currency column, with its rate in "
            "Currencies (codes ignore case)"),
    Setting("time_limit", "positive", 60.0, "solver time limit in seconds"),
    Setting("mip_gap", "share", 1e-4, "relative MIP gap at which the solver may stop (0.0001 = 0.01 %)"),
    Setting("plan_date", "date", "", "the day the plan is for (YYYY-MM-DD): dated Policy and Scenarios rows and "
            "built-in bloc memberships are read on it; blank: the day of the run"),
    # the two-stage mode (workbook-v2 section 3)
    Setting("mode", "choice", "deterministic", "deterministic: one plan that buys the demand, Scenarios as "
            "min_coverage rules; two_stage: contracts now, and in each scenario (probability in Scenarios) what is "
            "missing bought on the spot market or gone short (Items spot_price, shortage_cost); one period only",
            choices=MODES),
    Setting("risk_weight", "share", 0.0, "two_stage: w in [0, 1], the objective is (1 - w) * expected cost + "
            "w * CVaR (0: expected cost alone; 1: CVaR alone)"),
    Setting("cvar_alpha", "below_one", 0.9, "two_stage: the level alpha in [0, 1) of CVaR, the expected cost of "
            "the worst 1 - alpha of probability (0.9: the worst 10 %)"),
)

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "Items",
        True,
        "What to buy: one row per material or product.",
        (
            Column("item", "id", True, "material or product id, unique", field="name"),
            Column("demand", "number", True, "quantity to buy in the planning period, >= 0", unit="unit of the item"),
            Column("unit", "text", False, "unit of demand, shown in outputs (t, kg, pcs)", if_blank=""),
            Column("class", "id", False, "class of the item (critical, bulk); Policy, Scenarios and Tariffs rows "
                   "may name class:NAME for every item of the class", if_blank="", field="item_class"),
            # several periods (a Periods sheet): without one these play no part (a value is warned about)
            Column("initial_stock", "number", False, "with Periods: stock at the start of the first period, >= 0, "
                   "at most max_stock", default="0", unit="unit of the item", if_blank=0.0),
            Column("holding_cost", "number", False, "with Periods: cost per unit of stock at the end of each "
                   "period, >= 0", default="0", unit="currency per unit and period", if_blank=0.0),
            Column("max_stock", "number", False, "with Periods: most stock at the end of a period, >= 0",
                   default="unlimited", unit="unit of the item", if_blank=math.inf),
            Column("min_stock", "number", False, "with Periods: strategic reserve every period must end with, >= 0, "
                   "at most max_stock", default="0", unit="unit of the item", if_blank=0.0),
            # the two-stage mode (Settings mode two_stage): in the deterministic mode these play no part
            Column("spot_price", "number", False, "two_stage: landed price per unit bought on the spot market in a "
                   "scenario, >= 0", default="no spot market", unit="currency per unit"),
            Column("spot_capacity", "number", False, "two_stage: most that can be bought on the spot market in one "
                   "scenario, >= 0", default="unlimited", unit="unit of the item", if_blank=math.inf),
            Column("shortage_cost", "number", False, "two_stage: cost per unit of demand left unmet in a scenario, "
                   ">= 0", default="shortage not allowed", unit="currency per unit"),
            # planner scenarios: the export-control material the item is (docs/workbook.md, Generated scenarios)
            Column("material", "text", False, "planner scenarios: the export-control material(s) the item is, "
                   "separated by ; (gallium; Dy; NdFeB; none): matched instead of the item's id and class",
                   default="the item's id and class are matched", if_blank=""),
        ),
        key=("item",),
    ),
    SheetSpec(
        "Suppliers",
        True,
        "Who sells: one row per supplier.",
        (
            Column("supplier", "id", True, "supplier id, unique", field="name"),
            Column("country", "id", True, "country the goods come from; must be listed in Countries",
                   refers="Countries"),
            Column("capacity", "number", False, "total quantity over all items, >= 0", default="unlimited",
                   if_blank=math.inf),
            Column(
                "fixed_cost",
                "number",
                False,
                "paid once if the supplier gets any volume (qualification, contract), >= 0; "
                "any positive value makes the model a MIP",
                default="0",
                unit="currency",
                if_blank=0.0,
            ),
        ),
        key=("supplier",),
    ),
    SheetSpec(
        "Countries",
        True,
        "Where goods come from, the blocs each country belongs to, and import duties.",
        (
            Column("country", "id", True, "country id, unique; ISO 3166 alpha-2 recommended (CN, DE)", field="name"),
            Column("name", "text", False, "country name, shown in outputs", if_blank="", field="label"),
            Column("blocs", "names", False, "comma-separated bloc names (EU, MSP, CPTPP)", if_blank=()),
            Column("tariff", "number", False, "ad-valorem duty on price, >= 0 (0.05 = 5 %)", default="0", unit="share of price",
                   if_blank=0.0),
        ),
        key=("country",),
    ),
    SheetSpec(
        "Offers",
        True,
        "One row per item a supplier can deliver. Landed unit cost = price * (1 + tariff) + freight.",
        (
            Column("item", "id", True, "item id from Items", refers="Items"),
            Column("supplier", "id", True, "supplier id from Suppliers", refers="Suppliers"),
            Column("price", "number", True, "price per unit, >= 0", unit="currency per unit"),
            Column("capacity", "number", False, "most this supplier can deliver of this item, >= 0", default="unlimited", unit="unit of the item",
                   if_blank=math.inf),
            Column("min_order", "number", False, "if anything is bought here, at least this much, >= 0 (makes a MIP)", default="0", unit="unit of the item",
                   if_blank=0.0),
            Column("freight", "number", False, "transport cost per unit, >= 0", default="0", unit="currency per unit",
                   if_blank=0.0),
            Column("discount", "choice", False, "how the offer's Tiers rows price it: all_units (every unit at the "
                   "price of the highest break reached) or incremental (each unit at its band's price)",
                   default="all_units", choices=DISCOUNTS, if_blank="all_units"),
            Column("currency", "currency", False, "currency of price, freight and Tiers prices: the base currency "
                   "(Settings currency) or one listed in Currencies", default="the base currency", if_blank=""),
            Column("route", "id", False, "route from Routes the goods travel on: its lead time (with Periods), "
                   "freight and capacity apply", default="direct (lead time 0)", refers="Routes", if_blank=""),
        ),
        key=("item", "supplier"),
    ),
    SheetSpec(
        "Tiers",
        False,
        "Volume discounts: one row per price break of an offer; the Offers price holds below the first break.",
        (
            Column("item", "id", True, "item of the offer", refers="Items"),
            Column("supplier", "id", True, "supplier of the offer (item and supplier must be a row of Offers)",
                   refers="Suppliers"),
            Column("from_quantity", "number", True, "the break: from this quantity on, > 0; an offer's breaks in "
                   "any order, each once", unit="unit of the item"),
            Column("price", "number", True, "price per unit from this break on, >= 0, in the offer's currency",
                   unit="currency per unit"),
        ),
        key=("item", "supplier", "from_quantity"),
    ),
    SheetSpec(
        "Currencies",
        False,
        "Exchange rates: what one unit of each currency is worth in the base currency (Settings currency).",
        (
            Column("currency", "code", True, "currency code (USD, CNY), unique, in any case (usd = USD)",
                   field="name"),
            Column("rate", "number", True, "units of the base currency per unit of this one, > 0",
                   unit="base currency per unit"),
        ),
        key=("currency",),
    ),
    SheetSpec(
        "Tariffs",
        False,
        "Duties by item: the most specific row wins (item over class over blank); without one, the Countries "
        "tariff holds.",
        (
            Column("country", "id", True, "country of origin, from Countries", refers="Countries"),
            Column("item", "items", False, "item id, class:NAME, or blank for every item", default="every item",
                   refers="Items"),
            Column("tariff", "number", True, "ad-valorem duty on price, >= 0 (0.05 = 5 %)", unit="share of price"),
        ),
        key=("country", "item"),
    ),
    SheetSpec(
        "Policy",
        False,
        "Sourcing rules, one per row; all must hold.",
        (
            Column("rule", "rule", True, " | ".join(RULES), choices=RULES, field="kind"),
            Column("item", "items", False, "item the rule is for, or class:NAME for every item of a class; blank: "
                   "every item, separately (for max_spend: all items together)", default="every item",
                   refers="Items"),
            Column(
                "group",
                "group",
                False,
                "country id, bloc name (the workbook's, or a built-in one: EU, CPTPP, MSP, G7, OECD, NATO) or "
                "supplier id, or each country / each supplier / each bloc; route:NAME for the offers on a route; "
                "several joined with | count as one group (bloc:CPTPP | bloc:MSP); prefix country: bloc: supplier: "
                "when a name is ambiguous; blank for "
                "min_coverage and max_hhi, and for the count, award and spend rules: every supplier",
                choices=GROUP_WORDS,
                choices_strict=False,
            ),
            Column("value", "share", False, "share of item demand in [0, 1]; a whole number >= 1 for the count rules "
                   "(max_suppliers, ...); money for max_spend; in (0, 1] for min_award and max_hhi; blank for "
                   "exclude", unit="as the rule says"),
            Column("active", "switch", False, "on or off (also yes/no, true/false, 1/0); off keeps the row but "
                   "switches the rule off. Switch it from the command line with --set Policy!7=on", default="on",
                   choices=("on", "off")),
            Column("from", "date", False, "first day the row applies (a date, or text YYYY-MM-DD)",
                   default="always", field="start"),
            Column("to", "date", False, "last day the row applies", default="always", field="end"),
            Column("min_award", "share", False, "for min_suppliers and min_countries: the share of demand each "
                   "counted supplier (or country) delivers at least, in (0, 1]", default=f"{MIN_AWARD:g}",
                   unit="share of demand", if_blank=MIN_AWARD),
            Column("period", "id", False, "with Periods: the period from Periods in which the rule holds",
                   default="every period", refers="Periods"),
        ),
    ),
    SheetSpec(
        "Scenarios",
        False,
        "Disruptions: rows with the same scenario name add up to one scenario.",
        (
            Column("scenario", "id", True, "scenario name"),
            Column("item", "items", False, "item hit, or class:NAME; blank: every item", default="every item",
                   refers="Items"),
            Column("group", "group", True, "country id, bloc name or supplier id hit, route:NAME (what travels on "
                   "it), or several joined with | (prefix country: bloc: supplier: if ambiguous)"),
            Column("availability", "share", False, "share of the planned volume of the hit offers still delivered, in [0, 1]", default="0", unit="share",
                   if_blank=0.0),
            Column("from", "date", False, "first day the disruption applies", default="always", field="start"),
            Column("to", "date", False, "last day the disruption applies", default="always", field="end"),
            Column("from_period", "id", False, "with Periods: first period from Periods the disruption lasts",
                   default="the first period", refers="Periods"),
            Column("to_period", "id", False, "with Periods: last period the disruption lasts, not before "
                   "from_period", default="the last period", refers="Periods"),
            Column("probability", "share", False, "two_stage: the scenario's probability in [0, 1], on at least one "
                   "of its rows (rows of one scenario agree); all scenarios add up to at most 1, the rest is the "
                   "baseline, in which nothing is disrupted", default="the scenario's other rows", unit="share"),
        ),
    ),
    SheetSpec(
        "Settings",
        False,
        "Run settings, one per row.",
        (
            Column("setting", "setting", True, " | ".join(s.name for s in SETTINGS), choices=tuple(s.name for s in SETTINGS)),
            Column("value", "value", True, "the setting's value"),
        ),
        key=("setting",),
    ),
    # several periods (workbook-v2 section 2): a workbook with a Periods sheet of at least one row plans its periods
    SheetSpec(
        "Periods",
        False,
        "Several periods: one row per planning period, in planning order. Demand, Capacity, Prices and "
        "Expansions, and the period columns of Policy and Scenarios, need this sheet.",
        (
            Column("period", "id", True, "period id (2026-Q1, M01), unique; the row order is the planning order",
                   field="name"),
        ),
        key=("period",),
    ),
    SheetSpec(
        "Demand",
        False,
        "Demand by period (with Periods): an item with no row for a period has its Items demand there.",
        (
            Column("item", "id", True, "item id from Items", refers="Items"),
            Column("period", "id", True, "period from Periods", refers="Periods"),
            Column("demand", "number", True, "quantity needed in the period, >= 0", unit="unit of the item",
                   field="value"),
        ),
        key=("item", "period"),
    ),
    SheetSpec(
        "Capacity",
        False,
        "Capacity by period (with Periods): what may be ordered in the period, overriding the Offers capacity "
        "(item given) or the Suppliers capacity (item blank).",
        (
            Column("supplier", "id", True, "supplier id from Suppliers", refers="Suppliers"),
            Column("item", "id", False, "item of the supplier's offer (item and supplier must be a row of Offers); "
                   "blank: the supplier's total over items", default="the supplier's total", refers="Items"),
            Column("period", "id", True, "period from Periods", refers="Periods"),
            Column("capacity", "number", True, "most that may be ordered in the period, >= 0",
                   unit="unit of the item", field="value"),
        ),
        key=("supplier", "item", "period"),
    ),
    SheetSpec(
        "Prices",
        False,
        "Prices by period (with Periods): the price of orders placed in the period, overriding the Offers price "
        "(not for an offer with Tiers rows).",
        (
            Column("supplier", "id", True, "supplier id from Suppliers", refers="Suppliers"),
            Column("item", "id", True, "item of the offer (item and supplier must be a row of Offers)",
                   refers="Items"),
            Column("period", "id", True, "period from Periods in which the order is placed", refers="Periods"),
            Column("price", "number", True, "price per unit, >= 0, in the offer's currency", unit="currency per unit",
                   field="value"),
        ),
        key=("supplier", "item", "period"),
    ),
    SheetSpec(
        "Routes",
        False,
        "Transport routes: Offers name the route their goods travel on. Its freight and capacity apply with or "
        "without Periods; its lead time only with Periods.",
        (
            Column("route", "id", True, "route id, unique; Policy and Scenarios groups may name route:NAME",
                   field="name"),
            Column("lead_time", "number", False, "whole periods from order to arrival, >= 0 (with Periods)",
                   default="0", unit="periods", if_blank=0, whole=True),
            Column("freight", "number", False, "freight per unit on top of the offer's, >= 0, in the base currency",
                   default="0", unit="currency per unit", if_blank=0.0),
            Column("capacity", "number", False, "most that may be ordered on the route per period (over all its "
                   "offers), >= 0", default="unlimited", unit="unit", if_blank=math.inf),
        ),
        key=("route",),
    ),
    SheetSpec(
        "Expansions",
        False,
        "Capacity build-up (with Periods): each row may be built once; decided in a period, it adds capacity from "
        "lead_time periods later on.",
        (
            Column("expansion", "id", True, "expansion id, unique", field="name"),
            Column("supplier", "id", True, "supplier id from Suppliers whose capacity grows", refers="Suppliers"),
            Column("item", "id", False, "item of the supplier's offer that grows (item and supplier must be a row of "
                   "Offers); blank: the supplier's total", default="the supplier's total", refers="Items"),
            Column("capacity", "number", True, "capacity added per period once it delivers, > 0",
                   unit="unit of the item", above_zero=True),
            Column("fixed_cost", "number", False, "paid once if it is built, >= 0", default="0", unit="currency",
                   if_blank=0.0),
            Column("lead_time", "number", False, "whole periods from the decision until it delivers, >= 0",
                   default="0", unit="periods", if_blank=0, whole=True),
            Column("earliest", "id", False, "first period from Periods in which it may be decided",
                   default="the first period", refers="Periods"),
        ),
        key=("expansion",),
    ),
)

# The Items columns that play a part only with several periods (without them, a value is warned about)
STOCK_COLUMNS: tuple[str, ...] = ("initial_stock", "holding_cost", "max_stock", "min_stock")
# The Items columns that play a part only in the two-stage mode (in the deterministic mode they are read, and
# ignored without a warning: one workbook serves both modes, switched with --set mode=... or --two-stage)
RECOURSE_COLUMNS: tuple[str, ...] = ("spot_price", "spot_capacity", "shortage_cost")

SHEET_BY_NAME: dict[str, SheetSpec] = {s.name: s for s in SHEETS}
SETTING_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> dt.date | None:
    """A date written as text YYYY-MM-DD (surrounding spaces ignored); None for anything else, an impossible day
    (2026-02-30) included. The one reading of a date typed as text, for date cells and `--set plan_date=`:
    `date.fromisoformat` alone would also take 20270601 and 2027-W22, which a date cell refuses."""
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def normalize(label: object) -> str:
    """Header/sheet-name key: case-insensitive, trimmed, `_` equal to space."""
    text = str(label).replace("_", " ").strip().lower()
    return " ".join(text.split())


# Update tables (`planner solve --update FILE`): the key columns say what a row
# updates, the other columns are the values it sets; a blank cell keeps the
# base value. One CSV is one table; each sheet of an .xlsx update is one table.
UPDATE_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (key columns, value columns)
    "Offers": (("item", "supplier"), ("price", "capacity", "min_order", "freight", "route")),
    "Suppliers": (("supplier",), ("capacity", "fixed_cost", "country")),
    "Countries": (("country",), ("tariff", "name", "blocs")),
    "Items": (("item",), ("demand", "unit", "initial_stock", "holding_cost", "max_stock", "min_stock", "spot_price",
                          "spot_capacity", "shortage_cost")),
    "Policy": (("policy_row",), ("active", "value", "period")),  # policy_row: the rule's row in the base Policy
    # several periods: a row of a key the base lacks is added (its item, supplier and period must exist);
    # Capacity's item may be blank (the supplier's total)
    "Demand": (("item", "period"), ("demand",)),
    "Capacity": (("supplier", "item", "period"), ("capacity",)),
    "Prices": (("supplier", "item", "period"), ("price",)),
    "Routes": (("route",), ("lead_time", "freight", "capacity")),
    "Expansions": (("expansion",), ("supplier", "item", "capacity", "fixed_cost", "lead_time", "earliest")),
}

# How a rule is switched on and off: the `active` column, a Policy update table, `--set Policy!7=off`.
SWITCH_ON = frozenset({"on", "yes", "true", "1"})
SWITCH_OFF = frozenset({"off", "no", "false", "0"})


def switch(value: object) -> bool | None:
    """True for on, False for off (as words, Excel's TRUE/FALSE or 1/0), None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = normalize(value) if value is not None else ""
    return True if text in SWITCH_ON else False if text in SWITCH_OFF else None


def parse_switch(value: object) -> tuple[bool | None, str | None]:
    """An on/off entry as (on, None), (None, None) for a blank, or (None, the message saying what it accepts).

    The one reading of a switch, for the Policy sheet's `active` cells, Policy update tables and `--set`.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    on = switch(value)
    if on is None:
        return None, f"'{value}' is neither on nor off (also yes/no, true/false, 1/0)"
    return on, None


UPDATE_SPEC = SheetSpec(
    "Update", False, "an update table: key columns, then the values to set",
    tuple(Column(name, "text", False, f"update column {name}") for name in dict.fromkeys(
        name for keys, values in UPDATE_KINDS.values() for name in (*keys, *values))),
)


def rule_value_problem(kind: RuleKind, value: float) -> str | None:
    """Why a number is not a value of a rule of `kind` (None if it is one): the one reading of a rule's value, for
    the Policy sheet, Policy update tables and `--set`. `value` is >= 0 and finite already."""
    if kind.value == "share" and value > 1.0:
        return f"{_shown(value)} is not a share in [0, 1] (write 30 % as 0.3)"
    if kind.value == "fraction" and not 0.0 < value <= 1.0:  # min_award (a share) and max_hhi (an index)
        return f"{_shown(value)} is not in (0, 1]: {kind.name} takes a number above 0 and at most 1 (write 30 % " \
            "as 0.3; an HHI of 2,500 on the 0-10,000 scale as 0.25)"
    if kind.value == "count" and (not float(value).is_integer() or value < 1):
        return f"{_shown(value)} is not a whole number >= 1: {kind.name} counts" + \
            (" suppliers" if "supplier" in kind.name else " countries")
    return None


def value_words(kind: RuleKind) -> str:
    """What a rule of `kind` takes as its value, in words, for the message on a blank one."""
    return {"share": "a share of demand in [0, 1]", "fraction": "a number in (0, 1]",
            "count": "a whole number >= 1", "money": "an amount in the base currency, >= 0"}.get(kind.value, "none")


def setting_choice(setting: Setting, text: str) -> str | None:
    """The choice a `choice` setting's entry names, matched like a header (`Two Stage`, `two-stage` ->
    `two_stage`); None if it names none. The one reading, for the Settings sheet and `--set`."""
    word = normalize(text).replace(" ", "_").replace("-", "_")
    return word if word in setting.choices else None


def setting_number_problem(setting: Setting, value: float) -> str | None:
    """Why a number is not a value of a `below_one` setting (cvar_alpha), or None: the one reading, for the
    Settings sheet and `--set`."""
    if setting.kind == "below_one" and not 0.0 <= value < 1.0:
        return (f"{_shown(value)} is not in [0, 1): {setting.name} is a level below 1 (0.9: CVaR is the expected "
                "cost of the worst 10 % of probability)")
    return None


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() and abs(number) < 1e15 else repr(float(number))
