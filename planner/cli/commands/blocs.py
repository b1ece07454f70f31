"""`planner blocs`: the built-in blocs and their members on a date, with each member's joining date and source."""

from __future__ import annotations

import argparse
import datetime
import re
from typing import Any

from planner import reference  # the csv module and a dataclass: light enough for `import planner.cli`
from planner.cli.envelope import Envelope
from planner.cli.exit_codes import EXIT_INVALID, EXIT_OK

HELP = "list the built-in blocs and their members on a date"
DESCRIPTION = ("List each built-in bloc (EU, CPTPP, MSP, G7, OECD, NATO) with its members on a date: the "
               "country's ISO code and name, the day it joined and the source of that date. A bloc that a "
               "Policy or Scenarios row names and no Countries 'blocs' cell mentions is taken from this table, "
               "with its members on the plan_date.")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # as blocs.csv writes dates; fromisoformat alone takes 20261202 too


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day to list members on (default: today)")
    parser.add_argument("--bloc", metavar="NAME", help="list only this bloc (its name in any case: cptpp)")
    parser.add_argument("--json", action="store_true", help="print the blocs as one JSON object on stdout")


def run(args: argparse.Namespace, envelope: Envelope) -> int:
    day, why = _day(args.date)
    if day is None:
        return envelope.begin("invalid", message=why).finish(EXIT_INVALID)
    names = reference.blocs()
    if args.bloc is not None:
        bloc = reference.lookup(args.bloc)
        if bloc is None:
            return envelope.begin("invalid", message=f"--bloc {args.bloc!r} is not a built-in bloc; the built-in "
                                                     f"blocs are {', '.join(names)}").finish(EXIT_INVALID)
        names = (bloc,)
    listed = [_listing(bloc, day) for bloc in names]
    if args.json:
        return envelope.begin("done", message=f"{len(listed)} bloc(s) on {day.isoformat()}", date=day.isoformat(),
                              blocs=listed).finish(EXIT_OK)
    print("\n\n".join(_text(entry, day) for entry in listed))
    return EXIT_OK


def _day(text: str | None) -> tuple[datetime.date | None, str]:
    """The day asked for, or None and the one line that says what is wrong with it."""
    if text is None:
        return datetime.date.today(), ""
    if _DATE.fullmatch(text.strip()):
        try:
            return datetime.date.fromisoformat(text.strip()), ""
        except ValueError:
            return None, f"--date {text!r} is not a date: there is no such day"
    return None, f"--date {text!r} is not a date: write it as YYYY-MM-DD (2026-03-31)"


def _listing(bloc: str, day: datetime.date) -> dict[str, Any]:
    """One bloc as the JSON lists it: its members on `day`, by code, each with the spell that makes it one."""
    spells = sorted((s for s in reference.memberships(bloc) if s.on(day)), key=lambda s: s.country)
    members = [{"country": s.country, "name": reference.country_name(s.country), "joined": s.joined.isoformat(),
                "left": s.left.isoformat() if s.left else None, "source": s.source} for s in spells]
    return {"bloc": bloc, "count": len(members), "members": members}


def _text(entry: dict[str, Any], day: datetime.date) -> str:
    """One bloc for a terminal: a heading, then one aligned row per member."""
    count = entry["count"]
    lines = [f"{entry['bloc']} ({count} member{'' if count == 1 else 's'} on {day.isoformat()})"]
    if not entry["members"]:
        lines.append("  (none)")
    width = max((len(m["name"] or "") for m in entry["members"]), default=0)
    # a member on the day can only leave later (the UK in the EU before 2020-02-01): a column only when one does
    leaving = any(m["left"] for m in entry["members"])
    for m in entry["members"]:
        left = (f"  left {m['left']}" if m["left"] else " " * len("  left YYYY-MM-DD")) if leaving else ""
        lines.append(f"  {m['country']}  {(m['name'] or '').ljust(width)}  joined {m['joined']}{left}  {m['source']}")
    return "\n".join(lines)
