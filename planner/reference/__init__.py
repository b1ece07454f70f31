"""The planner's built-in reference data: dated bloc memberships and ISO 3166 country names.

`blocs.csv`, shipped beside this module, holds one row per membership
spell: which country (ISO 3166-1 alpha-2) belonged to which bloc (EU,
CPTPP, MSP, G7, OECD, NATO), from which day to which, and the source of
each date. A spell is half-open: `joined` is the first day of membership
(the day it took effect, never the day of signature) and `left` the first
day out, so that a country is a member on `day` when `joined <= day <
left`, and a country that left and came back has two spells that touch
without overlapping. Country names are not a table of ours: they come from
pycountry, the ISO 3166 database.

The table is read once, on the first call that needs it, with the csv
module only: `planner.cli` imports the `blocs` command, and that import must
stay light (no pandas, no pycountry until a name is asked for).
docs/workbook.md, "Built-in blocs", says what a workbook does with them.
"""

from __future__ import annotations

import csv
import datetime
import functools
import re
from dataclasses import dataclass
from importlib import resources

TABLE = "blocs.csv"
COLUMNS = ("bloc", "country", "joined", "left", "source")
_CODE = re.compile(r"[A-Z]{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # date.fromisoformat alone would also take 20200201 and 2020-W05


@dataclass(frozen=True)
class Membership:
    """One spell of `country` in `bloc`: a member from `joined` up to, not including, `left` (None: still one)."""

    bloc: str
    country: str
    joined: datetime.date
    left: datetime.date | None
    source: str

    def on(self, day: datetime.date) -> bool:
        """Whether the country was a member on `day`: `left` is the first day it no longer was."""
        return self.joined <= day and (self.left is None or day < self.left)


def blocs() -> tuple[str, ...]:
    """Every built-in bloc's name, in the order the table first names them."""
    return tuple(_by_bloc())


def lookup(name: str) -> str | None:
    """The built-in bloc `name` means: the bloc of that exact name, else the one it names ignoring case
    ("cptpp" -> "CPTPP"); None when the table knows no such bloc."""
    table = _by_bloc()
    if name in table:
        return name
    return _by_folded_name().get(name.casefold())


def memberships(bloc: str | None = None) -> tuple[Membership, ...]:
    """Every spell of the table, in its order, or those of one bloc (its exact name; KeyError if unknown)."""
    if bloc is None:
        return _table()
    return _by_bloc()[_known(bloc)]


def members(bloc: str, day: datetime.date) -> frozenset[str]:
    """The alpha-2 codes of `bloc`'s members on `day` (its exact name, as `lookup` gives it; KeyError if unknown)."""
    return frozenset(m.country for m in _by_bloc()[_known(bloc)] if m.on(day))


def country_name(code: str) -> str | None:
    """The ISO 3166 short name of an alpha-2 code, from pycountry ("DE" -> "Germany"); None if `code` is not one.

    Codes are upper case, as ISO writes them and as the table and a
    workbook's `country` ids are compared: "de" is not a code.
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return None
    return _name(code)


@functools.cache
def _name(code: str) -> str | None:
    import pycountry  # here: its database loads on first use, and only a command that shows names needs it

    country = pycountry.countries.get(alpha_2=code)
    return None if country is None else country.name


def _known(bloc: str) -> str:
    if bloc not in _by_bloc():
        hint = lookup(bloc) if isinstance(bloc, str) else None
        said = f"; did you mean {hint!r}? (lookup() resolves a name)" if hint else ""
        raise KeyError(f"{bloc!r} is not a built-in bloc{said}; the built-in blocs are {', '.join(blocs())}")
    return bloc


@functools.cache
def _table() -> tuple[Membership, ...]:
    # importlib.resources finds the file in an installed wheel or zip as well as in the source tree
    text = resources.files(__package__).joinpath(TABLE).read_text(encoding="utf-8")
    return parse(text, TABLE)


@functools.cache
def _by_bloc() -> dict[str, tuple[Membership, ...]]:
    grouped: dict[str, list[Membership]] = {}
    for spell in _table():
        grouped.setdefault(spell.bloc, []).append(spell)
    return {bloc: tuple(spells) for bloc, spells in grouped.items()}


@functools.cache
def _by_folded_name() -> dict[str, str]:
    folded: dict[str, str] = {}
    for bloc in _by_bloc():
        # two blocs differing only in case would make a case-insensitive name ambiguous: parse() refuses them
        folded[bloc.casefold()] = bloc
    return folded


def parse(text: str, where: str = TABLE) -> tuple[Membership, ...]:
    """The spells of a table in `blocs.csv`'s format; ValueError naming `where` and the line of the first bad row.

    Lines starting with `#` are comments (the file's header explains its
    columns) and blank lines are skipped; the first other line is the
    header, which must be exactly `bloc,country,joined,left,source`. This
    checks each row on its own (a code of two capitals, dates written
    YYYY-MM-DD, left after joined, a source); that every code is one ISO
    knows and that no two spells overlap is tests/test_reference.py's job,
    which keeps pycountry out of reading the table.
    """
    spells: list[Membership] = []
    cases: dict[str, str] = {}
    for number, row in table_rows(text, where, COLUMNS):
        try:
            spell = _spell(row)
        except ValueError as exc:
            raise ValueError(f"{where}:{number}: {exc}") from None
        if cases.setdefault(spell.bloc.casefold(), spell.bloc) != spell.bloc:
            raise ValueError(f"{where}:{number}: bloc {spell.bloc!r} differs from {cases[spell.bloc.casefold()]!r} "
                             "only in case, so lookup() could not tell them apart")
        spells.append(spell)
    return tuple(spells)


def table_rows(text: str, where: str, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each row of a reference table (this one, `controls.py`'s): `#` lines and blank
    ones are skipped; the first other line is the header, exactly `columns`. ValueError naming `where` and the
    line for no header, another header, or a row of another number of fields."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise ValueError(f"{where}: no header and no rows")
    rows = csv.reader(line for _, line in lines)
    header = tuple(next(rows))
    if header != columns:
        raise ValueError(f"{where}:{lines[0][0]}: the header is {','.join(header)}, not {','.join(columns)}")
    out = []
    for (number, _), row in zip(lines[1:], rows):
        if len(row) != len(columns):
            raise ValueError(f"{where}:{number}: {len(row)} fields, not {len(columns)}")
        out.append((number, row))
    return out


def _spell(row: list[str]) -> Membership:
    bloc, country, joined, left, source = (cell.strip() for cell in row)
    if not bloc:
        raise ValueError("no bloc")
    if not _CODE.fullmatch(country):
        raise ValueError(f"country {country!r} is not an alpha-2 code (two capital letters)")
    start = table_date(joined, "joined")
    end = table_date(left, "left") if left else None
    if end is not None and end <= start:
        raise ValueError(f"left {left} is not after joined {joined} (left is the first day out)")
    if not source:
        raise ValueError("no source")
    return Membership(bloc, country, start, end, source)


def table_date(text: str, column: str) -> datetime.date:
    if not _DATE.fullmatch(text):
        raise ValueError(f"{column} {text!r} is not a date written YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date (no such day)") from None
