"""What the plan date decides, in one place: which Policy and Scenarios rows are in force on a day, and which of
the workbook's countries the built-in blocs named by the rows that play a part have as members that day.

Validation (`planner.validate`) reads a workbook through `on_day`, and so does every change made afterwards
(`--set plan_date=...`, a rule switched on or off, an update table that rewrites a Countries `blocs` cell:
`planner.update`), so that the rows in force, the blocs' members and the Run sheet's lines always describe the
data the plan is made from, however it got there.

Switching and dating are kept apart. A Policy row switched off is in `PlanningData.inactive_rules` whatever its
dates; of the rows switched on (and the Scenarios rows), those in force on the day are `rules` (and
`scenario_hits`), the others `Dating.out_of_force`. A built-in bloc takes members only for rows that play a
part, a Policy row switched on and in force or a Scenarios row in force: a switched-off or out-of-force row that
names CPTPP adds no CPTPP member, which would change `each bloc` rules and the Summary.

Nothing here reads a workbook: `planner.reference` holds the dated table, and it is only imported when a row
names a built-in bloc.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping

from planner.data import Country, GroupSpec, PlanningData, Rule, ScenarioHit

Membership = tuple[str, str, str]  # (bloc, country, source) of a membership taken from the built-in table


def in_force(record: Rule | ScenarioHit, day: dt.date) -> bool:
    """Whether a row applies on `day`: it lies in [from, to], both days included (a blank end is open)."""
    return (record.start is None or record.start <= day) and (record.end is None or day <= record.end)


def span(record: Rule | ScenarioHit) -> str:
    """A row's dates in words: `in force from 2027-01-01 to 2027-12-31`, `... from 2027-01-01 on`, `... until
    2026-06-30`."""
    if record.start is not None and record.end is not None:
        return f"in force from {record.start.isoformat()} to {record.end.isoformat()}"
    if record.start is not None:
        return f"in force from {record.start.isoformat()} on"
    return f"in force until {record.end.isoformat()}" if record.end is not None else "always in force"


def named_blocs(records: Iterable[Rule | ScenarioHit]) -> set[str]:
    """The blocs the rows' groups name, union parts included (`each bloc` names none: it means the blocs the
    countries have)."""
    out: set[str] = set()
    for record in records:
        group = record.group
        if isinstance(group, GroupSpec):
            if group.name is None:
                continue
            group = group.group
        if group is None:
            continue
        for part in group.parts if group.kind == "union" else (group,):
            if part.kind == "bloc":
                out.add(part.name)
    return out


def with_built_in(countries: Mapping[str, Country], blocs: Iterable[str], day: dt.date
                  ) -> tuple[dict[str, Country], tuple[Membership, ...]]:
    """The countries with each of the built-in `blocs` added to the blocs of the countries that are its members on
    `day`, and those memberships, bloc by bloc in the order given, each in the table's order. A country whose
    blocs already hold the bloc is left as it is: a bloc appears once in a country's blocs."""
    from planner import reference

    out = dict(countries)
    taken: list[Membership] = []
    for bloc in blocs:
        for spell in reference.memberships(bloc):
            country = out.get(spell.country)
            if country is not None and spell.on(day) and bloc not in country.blocs:
                out[spell.country] = dataclasses.replace(country, blocs=(*country.blocs, bloc))
                taken.append((bloc, spell.country, spell.source))
    return out, tuple(taken)


def without_built_in(data: PlanningData) -> PlanningData:
    """The data with the memberships taken from the built-in table off its countries: the countries as the
    workbook (and the update tables applied) define them. `on_day` gives them back."""
    dating = data.dating
    if dating is None or not dating.memberships:
        return data
    taken: dict[str, set[str]] = {}
    for bloc, country, _ in dating.memberships:
        taken.setdefault(country, set()).add(bloc)
    countries = {name: dataclasses.replace(c, blocs=tuple(b for b in c.blocs if b not in taken[name]))
                 if name in taken else c for name, c in data.countries.items()}
    return dataclasses.replace(data, countries=countries, dating=dataclasses.replace(dating, memberships=()))


def on_day(data: PlanningData, day: dt.date, of_run: bool) -> PlanningData:
    """The data read on `day` (`of_run`: the day of the run, Settings plan_date blank).

    Of the Policy rows switched on (`rules` and the out-of-force rows of `Dating`) and the Scenarios rows, those
    in force on `day` play a part, in row order; the others are `Dating.out_of_force` (Policy rows, then Scenarios
    rows), for the Run sheet. Rows
    switched off (`inactive_rules`) stay as they are. Each built-in bloc (`Dating.built_in`) that a row playing a
    part names, and that no Countries `blocs` cell mentions in any case (the workbook's own bloc of that name
    wins: docs/workbook.md, Built-in blocs), has as members the countries that belong to it on `day`. Data built
    in code without dates (`dating` None) is returned as it is.
    """
    dating = data.dating
    if dating is None:
        return data
    rules = [*data.rules, *(r for r in dating.out_of_force if isinstance(r, Rule))]
    hits = [*data.scenario_hits, *(h for h in dating.out_of_force if isinstance(h, ScenarioHit))]
    rules_on, hits_on = _by_row(r for r in rules if in_force(r, day)), _by_row(h for h in hits if in_force(h, day))
    out_of_force = (*_by_row(r for r in rules if not in_force(r, day)),
                    *_by_row(h for h in hits if not in_force(h, day)))
    stripped = without_built_in(data)
    countries, taken = stripped.countries, ()
    if dating.built_in:
        own = {b.casefold() for c in countries.values() for b in c.blocs}
        named = named_blocs([*rules_on, *hits_on])
        countries, taken = with_built_in(countries, [b for b in dating.built_in
                                                     if b in named and b.casefold() not in own], day)
    return dataclasses.replace(data, countries=countries, rules=rules_on, scenario_hits=hits_on,
                               dating=dataclasses.replace(dating, day=day, of_run=of_run, out_of_force=out_of_force,
                                                          memberships=taken))


def _by_row(records: Iterable) -> tuple:
    """Rows in sheet order; records built in code, with no row, keep their order at the end."""
    return tuple(sorted(records, key=lambda r: (r.row is None, r.row or 0)))


__all__ = ["in_force", "named_blocs", "on_day", "span", "with_built_in", "without_built_in"]
