"""The built-in table of dated export controls and route disruptions, `export_controls.csv`.

One row per spell in force: who exports (an alpha-2 code, or `route:NAME`),
to whom it applies (`destination`: blank for every buyer), which materials,
from which day to which (both in force, as a Policy row's `from` and `to`),
the share still delivered, what happened and its source. `planner scenarios`
turns the spells in force on the plan date that hit an item of a workbook
into scenarios (`planner.scenarios`); docs/workbook.md, "Generated
scenarios", says how materials are matched to items.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from importlib import resources

from planner.reference import table_date, table_rows

TABLE = "export_controls.csv"
COLUMNS = ("id", "country", "destination", "materials", "start", "end", "availability", "event", "source", "note")
EVERY_ITEM = "*"
_CODE = re.compile(r"[A-Z]{2}")  # as planner.reference reads a country code
_ROUTE = re.compile(r"route:(\S.*)", re.IGNORECASE)

SYNONYMS = "material_synonyms.csv"
SYNONYM_COLUMNS = ("material", "term", "rule", "source", "note")
SYNONYM_RULES = ("synonym", "product", "symbol", "member")
_SYMBOL = re.compile(r"[A-Z][a-z]?")  # a chemical symbol as IUPAC writes it: a capital, then at most one small letter


@dataclass(frozen=True)
class Control:
    """One spell of an export control (or route disruption): in force on `start`..`end`, both included."""

    id: str
    country: str  # alpha-2 code of the exporter; "" for a route disruption
    route: str  # the text a workbook route's name must contain (ignoring case); "" for a country's control
    destination: tuple[str, ...]  # the buyers' codes it applies to; () for every buyer
    materials: tuple[str, ...]  # as written; ("*",) is every item
    start: datetime.date
    end: datetime.date | None
    availability: float
    event: str
    source: str
    note: str = ""

    def in_force(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def controls() -> tuple[Control, ...]:
    """Every spell of the built-in table, in its order."""
    return _table()


@functools.cache
def _table() -> tuple[Control, ...]:
    text = resources.files(__package__).joinpath(TABLE).read_text(encoding="utf-8")
    return parse(text, TABLE)


def parse(text: str, where: str = TABLE) -> tuple[Control, ...]:
    """The spells of a table in `export_controls.csv`'s format; ValueError naming `where` and the line of the first
    bad row. `#` lines are comments; the first other line is the header, exactly COLUMNS."""
    found: list[Control] = []
    ids: set[str] = set()
    for number, row in table_rows(text, where, COLUMNS):
        try:
            control = _control(row)
        except ValueError as exc:
            raise ValueError(f"{where}:{number}: {exc}") from None
        if control.id in ids:
            raise ValueError(f"{where}:{number}: id {control.id!r} appears twice")
        ids.add(control.id)
        found.append(control)
    return tuple(found)


def _control(row: list[str]) -> Control:
    ident, country, destination, materials, start, end, availability, event, source, note = (c.strip() for c in row)
    if not ident:
        raise ValueError("no id")
    route = _ROUTE.fullmatch(country)
    if route is None and not _CODE.fullmatch(country):
        raise ValueError(f"country {country!r} is neither an alpha-2 code nor route:NAME")
    buyers = tuple(part.strip() for part in destination.split(";") if part.strip())
    for code in buyers:
        if not _CODE.fullmatch(code):
            raise ValueError(f"destination {code!r} is not an alpha-2 code")
    names = tuple(part.strip() for part in materials.split(";") if part.strip())
    if not names:
        raise ValueError("no materials")
    first = table_date(start, "start")
    last = table_date(end, "end") if end else None
    if last is not None and last < first:
        raise ValueError(f"end {end} is before start {start}")
    try:
        share = float(availability)
    except ValueError:
        raise ValueError(f"availability {availability!r} is not a number") from None
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"availability {availability} is not a share in [0, 1]")
    if not source:
        raise ValueError("no source")
    return Control(ident, "" if route else country, route.group(1).strip() if route else "", buyers, names, first,
                   last, share, event, source, note)




@dataclass(frozen=True)
class Term:
    """One row of `material_synonyms.csv`: `term` names `material` by `rule` (one of SYNONYM_RULES)."""

    material: str
    term: str
    rule: str
    source: str
    note: str = ""


def synonyms() -> tuple[Term, ...]:
    """Every row of the built-in synonyms table, in its order."""
    return _synonyms()


@functools.cache
def _synonyms() -> tuple[Term, ...]:
    text = resources.files(__package__).joinpath(SYNONYMS).read_text(encoding="utf-8")
    return parse_synonyms(text, SYNONYMS)


def parse_synonyms(text: str, where: str = SYNONYMS) -> tuple[Term, ...]:
    """The rows of a table in `material_synonyms.csv`'s format; ValueError naming `where` and the line of the first
    bad row: a blank material, term or source, a rule not in SYNONYM_RULES, a symbol not written as one (`Dy`), a
    row given twice."""
    found: list[Term] = []
    seen: set[tuple[str, str, str]] = set()
    for number, row in table_rows(text, where, SYNONYM_COLUMNS):
        material, term, rule, source, note = (c.strip() for c in row)
        problem = ("no material" if not material else "no term" if not term else "no source" if not source else
                   f"rule {rule!r} is not one of {', '.join(SYNONYM_RULES)}" if rule not in SYNONYM_RULES else
                   f"symbol {term!r} is not written as a chemical symbol (Dy)"
                   if rule == "symbol" and not _SYMBOL.fullmatch(term) else "")
        key = (material.casefold(), term.casefold(), rule)
        if not problem and key in seen:
            problem = f"{material}, {term}, {rule} appears twice"
        if problem:
            raise ValueError(f"{where}:{number}: {problem}")
        seen.add(key)
        found.append(Term(material, term, rule, source, note))
    return tuple(found)
