"""The input workbook's sheets and columns, declared once.

The reader matches headers against these declarations, the validator parses
cells by their `kind`, and the template writer turns the help texts into the
README sheet, header comments and dropdowns. `docs/workbook.md` describes the
same columns for people; a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

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


ColumnKind = Literal["id", "number", "share", "text", "rule", "group", "setting", "value"]

RULES: tuple[str, ...] = ("max_share", "min_share", "exclude", "min_coverage")
GROUP_WORDS: tuple[str, ...] = ("each country", "each supplier", "each bloc")
GROUP_KINDS: tuple[str, ...] = ("country", "bloc", "supplier")


@dataclass(frozen=True)
class Column:
    """One column of an input sheet."""

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


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Literal["text", "positive", "share"]
    default: str | float
    help: str


@dataclass(frozen=True)
class SheetSpec:
    name: str
    required: bool
    help: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SETTINGS: tuple[Setting, ...] = (
    Setting("currency", "text", "EUR", "currency code shown in outputs; all prices must be in it"),
    Setting("time_limit", "positive", 60.0, "solver time limit in seconds"),
    Setting("mip_gap", "share", 1e-4, "relative MIP gap at which the solver may stop (0.0001 = 0.01 %)"),
)

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "Items",
        True,
        "What to buy: one row per material or product.",
        (
            Column("item", "id", True, "material or product id, unique"),
            Column("demand", "number", True, "quantity to buy in the planning period, >= 0", unit="unit of the item"),
            Column("unit", "text", False, "unit of demand, shown in outputs (t, kg, pcs)"),
        ),
    ),
    SheetSpec(
        "Suppliers",
        True,
        "Who sells: one row per supplier.",
        (
            Column("supplier", "id", True, "supplier id, unique"),
            Column("country", "id", True, "country the goods come from; must be listed in Countries"),
            Column("capacity", "number", False, "total quantity over all items, >= 0", default="unlimited"),
            Column(
                "fixed_cost",
                "number",
                False,
                "paid once if the supplier gets any volume (qualification, contract), >= 0; "
                "any positive value makes the model a MIP",
                default="0",
                unit="currency",
            ),
        ),
    ),
    SheetSpec(
        "Countries",
        True,
        "Where goods come from, the blocs each country belongs to, and import duties.",
        (
            Column("country", "id", True, "country id, unique; ISO 3166 alpha-2 recommended (CN, DE)"),
            Column("name", "text", False, "country name, shown in outputs"),
            Column("blocs", "text", False, "comma-separated bloc names (EU, MSP, CPTPP)"),
            Column("tariff", "number", False, "ad-valorem duty on price, >= 0 (0.05 = 5 %)", default="0", unit="share of price"),
        ),
    ),
    SheetSpec(
        "Offers",
        True,
        "One row per item a supplier can deliver. Landed unit cost = price * (1 + tariff) + freight.",
        (
            Column("item", "id", True, "item id from Items"),
            Column("supplier", "id", True, "supplier id from Suppliers"),
            Column("price", "number", True, "price per unit, >= 0", unit="currency per unit"),
            Column("capacity", "number", False, "most this supplier can deliver of this item, >= 0", default="unlimited", unit="unit of the item"),
            Column("min_order", "number", False, "if anything is bought here, at least this much, >= 0 (makes a MIP)", default="0", unit="unit of the item"),
            Column("freight", "number", False, "transport cost per unit, >= 0", default="0", unit="currency per unit"),
        ),
    ),
    SheetSpec(
        "Policy",
        False,
        "Sourcing rules, one per row; all must hold.",
        (
            Column("rule", "rule", True, "max_share | min_share | exclude | min_coverage", choices=RULES),
            Column("item", "id", False, "item the rule is for; blank: every item, separately", default="every item"),
            Column(
                "group",
                "group",
                False,
                "country id, bloc name or supplier id, or each country / each supplier / each bloc; "
                "prefix country: bloc: supplier: when a name is ambiguous; blank for min_coverage",
                choices=GROUP_WORDS,
                choices_strict=False,
            ),
            Column("value", "share", False, "share of item demand in [0, 1]; blank for exclude", unit="share of demand"),
            Column("active", "text", False, "on or off (also yes/no, true/false, 1/0); off keeps the row but "
                   "switches the rule off. Switch it from the command line with --set Policy!7=on", default="on",
                   choices=("on", "off")),
        ),
    ),
    SheetSpec(
        "Scenarios",
        False,
        "Disruptions: rows with the same scenario name add up to one scenario.",
        (
            Column("scenario", "id", True, "scenario name"),
            Column("item", "id", False, "item hit; blank: every item", default="every item"),
            Column("group", "group", True, "country id, bloc name or supplier id hit (prefix country: bloc: supplier: if ambiguous)"),
            Column("availability", "share", False, "share of the planned volume of the hit offers still delivered, in [0, 1]", default="0", unit="share"),
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
    ),
)

SHEET_BY_NAME: dict[str, SheetSpec] = {s.name: s for s in SHEETS}
SETTING_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def normalize(label: object) -> str:
    """Header/sheet-name key: case-insensitive, trimmed, `_` equal to space."""
    text = str(label).replace("_", " ").strip().lower()
    return " ".join(text.split())


# Update tables (`planner solve --update FILE`): the key columns say what a row
# updates, the other columns are the values it sets; a blank cell keeps the
# base value. One CSV is one table; each sheet of an .xlsx update is one table.
UPDATE_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (key columns, value columns)
    "Offers": (("item", "supplier"), ("price", "capacity", "min_order", "freight")),
    "Suppliers": (("supplier",), ("capacity", "fixed_cost", "country")),
    "Countries": (("country",), ("tariff", "name", "blocs")),
    "Items": (("item",), ("demand", "unit")),
    "Policy": (("policy_row",), ("active", "value")),  # policy_row: the rule's row in the base workbook's Policy
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
