"""Generated scenario sets: every country stopping alone, every pair, every bloc, the built-in export controls.

`generate(data, ...)` is pure (no file is read or written): from a workbook's
data and stated rates it returns the Scenarios rows `planner scenarios`
writes. The kinds, for the countries C that hold a usable offer (one no
`exclude` rule removes), in Countries order:

- `single`: one scenario per country c in C, `country c`: every offer from c
  keeps availability 0; probability `rate_country` each, so |C| scenarios.
- `pairs` (N-2): one per unordered pair {c, c'} of C, `pair c+c'`, one row
  whose group is the union `country:c | country:c'`; probability `rate_pair`
  each (default rate_country^2: two independent stops), |C| (|C| - 1) / 2
  scenarios.
- `blocs`: one per bloc with a member in C, `bloc B`: the workbook's own blocs
  (Countries `blocs` cells), then the built-in blocs (planner.reference) that
  no workbook name takes and that have a member in C on the plan date;
  probability `rate_bloc` each.
- `controls`: one per spell of the built-in export-control table in force on
  the plan date (start <= day <= end) that hits a usable offer of the
  workbook, `control <id>`: its rows keep the spell's availability, dated
  `from` start `to` end; probability `rate_control` each. A spell limited to
  some buyers (a `destination`) applies only when `buyer` is one of them.

The two-stage model treats the scenarios as disjoint outcomes of the
planning period, each with its own probability, and the baseline (nothing
disrupted) with the rest, 1 - sum p_s; so the probabilities must add up to
at most 1. `generate` states the total; the command refuses a set whose
total, with the probabilities of scenarios the workbook already has, is
above 1 (scaling the rates down silently would change what they state).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the hints only: `planner scenarios --help` reads the defaults here without numpy
    from planner.data import PlanningData

KINDS: tuple[str, ...] = ("single", "pairs", "blocs", "controls")
DEFAULT_RATE_COUNTRY = 0.02
DEFAULT_RATE_BLOC = 0.01
DEFAULT_RATE_CONTROL = 0.1
SCENARIOS_COLUMNS: tuple[str, ...] = ("scenario", "item", "group", "availability", "from", "to", "probability")


@dataclass(frozen=True)
class Rates:
    """The probability of each generated scenario of a kind, in [0, 1]: that one given country stops in the
    planning period, a given pair (None: country^2), a given bloc, a given control in force is enforced."""

    country: float = DEFAULT_RATE_COUNTRY
    pair: float | None = None
    bloc: float = DEFAULT_RATE_BLOC
    control: float = DEFAULT_RATE_CONTROL

    @property
    def of_pair(self) -> float:
        return self.country ** 2 if self.pair is None else self.pair

    def problems(self) -> list[str]:
        """What is wrong with the rates, each in the option's words."""
        said = []
        for option, value in (("--rate-country", self.country), ("--rate-pair", self.pair),
                              ("--rate-bloc", self.bloc), ("--rate-control", self.control)):
            if value is not None and not 0.0 <= value <= 1.0:
                said.append(f"{option} {value:g} is not a probability in [0, 1]")
        return said


@dataclass(frozen=True)
class ScenarioRow:
    """One row of the Scenarios sheet written, in SCENARIOS_COLUMNS order."""

    scenario: str
    item: str  # "" : every item
    group: str
    availability: float
    start: dt.date | None
    end: dt.date | None
    probability: float

    def cells(self) -> tuple[object, ...]:
        return (self.scenario, self.item or None, self.group, self.availability, self.start, self.end,
                self.probability)


@dataclass(frozen=True)
class Generated:
    """The rows, the scenarios they make (name, kind, probability) and the controls left out, each with why."""

    rows: tuple[ScenarioRow, ...]
    scenarios: tuple[tuple[str, str, float], ...]
    left_out: tuple[str, ...] = ()
    day: dt.date | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(p for _, _, p in self.scenarios)


def offering_countries(data: PlanningData) -> list[str]:
    """The countries (Countries order) of the suppliers of the usable offers."""
    table = data.table
    codes = set(table.country[data.usable].tolist())
    named = {str(table.country_names[k]) for k in codes}
    return [c for c in data.countries if c in named]


def generate(data: PlanningData, kinds: Iterable[str] = KINDS, rates: Rates = Rates(),
             day: dt.date | None = None, buyer: str | None = None) -> Generated:
    """The scenario rows of `kinds` (see the module's docstring); `day` is the plan date the built-in blocs and
    controls are read on (default: the data's, else today)."""
    kinds = tuple(kinds)
    if day is None:
        day = data.dating.day if data.dating is not None else data.settings.plan_date or dt.date.today()
    countries = offering_countries(data)
    rows: list[ScenarioRow] = []
    made: list[tuple[str, str, float]] = []
    left: list[str] = []
    counts = dict.fromkeys(kinds, 0)

    def add(name: str, kind: str, probability: float, hits: Sequence[tuple[str, str, float, dt.date | None,
                                                                         dt.date | None]]) -> None:
        for item, group, availability, start, end in hits:
            rows.append(ScenarioRow(name, item, group, availability, start, end, probability))
        made.append((name, kind, probability))
        counts[kind] += 1

    if "single" in kinds:
        for c in countries:
            add(f"country {c}", "single", rates.country, [("", f"country:{c}", 0.0, None, None)])
    if "pairs" in kinds:
        for a, b in itertools.combinations(countries, 2):
            add(f"pair {a}+{b}", "pairs", rates.of_pair, [("", f"country:{a} | country:{b}", 0.0, None, None)])
    if "blocs" in kinds:
        for bloc in blocs_hit(data, countries, day):
            add(f"bloc {bloc}", "blocs", rates.bloc, [("", f"bloc:{bloc}", 0.0, None, None)])
    if "controls" in kinds:
        for name, hits, why in controls_hit(data, day, buyer):
            if why:
                left.append(why)
            else:
                add(name, "controls", rates.control, hits)
    return Generated(tuple(rows), tuple(made), tuple(left), day, counts)


def blocs_hit(data: PlanningData, countries: Sequence[str], day: dt.date) -> list[str]:
    """The workbook's blocs with a member in `countries`, then the built-in blocs no workbook name takes (no
    country, supplier or workbook bloc of that name in any case) with a member among them on `day`."""
    from planner import reference

    offering = set(countries)
    own = [b for b in data.blocs if any(b in data.countries[c].blocs for c in offering)]
    taken = {name.casefold() for name in (*data.countries, *data.suppliers, *data.blocs)}
    built_in = [b for b in reference.blocs() if b.casefold() not in taken and reference.members(b, day) & offering]
    return own + built_in


_NOT_WORD = re.compile(r"[\s_\-]+")


def _words(text: str) -> str:
    """Text as materials are compared: case folded, `_` and `-` read as spaces, runs of spaces as one."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def matches(material: str, item: str, item_class: str) -> bool:
    """Whether a material of the table names an item: its words appear, whole, in the item's id or its class
    (`gallium` names `gallium`, `Gallium metal`, `high-purity gallium` and any item of class `gallium`; not
    `Ga`, nor `galliumx`). `*` names every item."""
    if material == "*":
        return True
    pattern = re.compile(r"(?<!\w)" + re.escape(_words(material)) + r"(?!\w)")
    return bool(pattern.search(_words(item)) or (item_class and pattern.search(_words(item_class))))


def controls_hit(data: PlanningData, day: dt.date, buyer: str | None
                 ) -> list[tuple[str, list[tuple[str, str, float, dt.date | None, dt.date | None]], str]]:
    """For each built-in control in force on `day`: its scenario's name, its rows (item, group, availability,
    from, to) and "" ; or, for one that cannot apply to this workbook, no rows and why (a control not in
    force is not listed)."""
    from planner.reference.controls import controls

    table = data.table
    usable = data.usable
    out: list[tuple[str, list[tuple[str, str, float, dt.date | None, dt.date | None]], str]] = []
    for control in controls():
        if not control.in_force(day):
            continue
        name = f"control {control.id}"
        if control.destination and buyer not in control.destination:
            out.append((name, [], f"{name}: applies to buyers in {', '.join(control.destination)} only "
                                  f"(--buyer {buyer or 'not given'})"))
            continue
        items = [i for i, it in data.items.items() if any(matches(m, i, it.item_class) for m in control.materials)]
        if not items:
            out.append((name, [], f"{name}: no item names {'; '.join(control.materials)}"))
            continue
        of_items = usable & _of_items(table, items)
        hits: list[tuple[str, str, float, dt.date | None, dt.date | None]] = []
        if control.route:
            routes = [r for r in data.routes if control.route.casefold() in r.casefold()]
            for route in routes:
                names = list(table.route_names)
                on_route = (table.route == names.index(route)) & of_items if route in names and len(table.route) \
                    else of_items & False
                if not on_route.any():
                    continue
                if control.materials == ("*",):
                    hits.append(("", f"route:{route}", control.availability, control.start, control.end))
                else:
                    hit_items = {str(table.item_names[k]) for k in set(table.item[on_route].tolist())}
                    hits += [(i, f"route:{route}", control.availability, control.start, control.end)
                             for i in items if i in hit_items]
            where = f"a route whose name contains {control.route!r}" if routes else \
                f"a route (no route of the workbook has {control.route!r} in its name)"
        else:
            code = table.code["country"].get(control.country)
            from_country = of_items & (table.country == code) if code is not None else of_items & False
            hit_items = {str(table.item_names[k]) for k in set(table.item[from_country].tolist())}
            item_cells = [""] if control.materials == ("*",) and hit_items else [i for i in items if i in hit_items]
            hits = [(i, f"country:{control.country}", control.availability, control.start, control.end)
                    for i in item_cells]
            where = f"country {control.country}"
        if not hits:
            out.append((name, [], f"{name}: no usable offer of {', '.join(items)} from {where}"))
            continue
        out.append((name, hits, ""))
    return out


def _of_items(table, items: Sequence[str]):  # noqa: ANN001, ANN202 - an OfferTable and a bool array
    import numpy as np

    codes = [table.code["item"][i] for i in items if i in table.code["item"]]
    return np.isin(table.item, codes)
