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
  Its materials name items by `matches` (name, synonym or product of the
  built-in synonyms table, chemical symbol, group member; or the Items
  `material` cell instead), and each row keeps how, as its `note`.

The two-stage model treats the scenarios as disjoint outcomes of the
planning period, each with its own probability, and the baseline (nothing
disrupted) with the rest, 1 - sum p_s; so the probabilities must add up to
at most 1. `generate` states the total; the command refuses a set whose
total, with the probabilities of scenarios the workbook already has, is
above 1 (scaling the rates down silently would change what they state).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the hints only: `planner scenarios --help` reads the defaults here without numpy
    from planner.data import PlanningData
    from planner.reference.controls import Term

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


# A generated Scenarios row before its scenario is named: item ("" every item), group, availability, from, to, and
# the note saying how a control's material named the item ("" for the other kinds)
Hit = tuple[str, str, float, dt.date | None, dt.date | None, str]


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
    note: str = ""  # how a control's material named the item: the sheet's note column, else a note on the item cell

    def cells(self) -> tuple[object, ...]:
        return (self.scenario, self.item or None, self.group, self.availability, self.start, self.end,
                self.probability)


@dataclass(frozen=True)
class Generated:
    """The rows, the scenarios they make (name, kind, probability), the controls left out, each with why, and the
    Items material entries that name no material of the built-in tables (`material_notes`)."""

    rows: tuple[ScenarioRow, ...]
    scenarios: tuple[tuple[str, str, float], ...]
    left_out: tuple[str, ...] = ()
    day: dt.date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def matched(self) -> tuple[tuple[str, str, str], ...]:
        """(scenario, item, how its control's material named it) of each control row that names an item."""
        return tuple((r.scenario, r.item, r.note) for r in self.rows if r.note and r.item)

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

    def add(name: str, kind: str, probability: float, hits: Sequence[Hit]) -> None:
        for item, group, availability, start, end, note in hits:
            rows.append(ScenarioRow(name, item, group, availability, start, end, probability, note))
        made.append((name, kind, probability))
        counts[kind] += 1

    if "single" in kinds:
        for c in countries:
            add(f"country {c}", "single", rates.country, [("", f"country:{c}", 0.0, None, None, "")])
    if "pairs" in kinds:
        for a, b in itertools.combinations(countries, 2):
            add(f"pair {a}+{b}", "pairs", rates.of_pair, [("", f"country:{a} | country:{b}", 0.0, None, None, "")])
    if "blocs" in kinds:
        for bloc in blocs_hit(data, countries, day):
            add(f"bloc {bloc}", "blocs", rates.bloc, [("", f"bloc:{bloc}", 0.0, None, None, "")])
    notes: list[str] = []
    if "controls" in kinds:
        for name, hits, why in controls_hit(data, day, buyer):
            if why:
                left.append(why)
            else:
                add(name, "controls", rates.control, hits)
        notes = material_notes(data)
    return Generated(tuple(rows), tuple(made), tuple(left), day, counts, tuple(notes))


def blocs_hit(data: PlanningData, countries: Sequence[str], day: dt.date) -> list[str]:
    """The workbook's blocs with a member in `countries`, then the built-in blocs no workbook name takes (no
    country, supplier or workbook bloc of that name in any case) with a member among them on `day`."""
    from planner import reference

    offering = set(countries)
    own = [b for b in data.blocs if any(b in data.countries[c].blocs for c in offering)]
    taken = {name.casefold() for name in (*data.countries, *data.suppliers, *data.blocs)}
    built_in = [b for b in reference.blocs() if b.casefold() not in taken and reference.members(b, day) & offering]
    return own + built_in


# The chemical symbols of the elements (IUPAC Periodic Table of the Elements, 2022-05-04): a word is read as a
# formula only when it is wholly these and counts (Dy2O3 is Dy and O; GeForce is none: `Fo` is no symbol).
ELEMENTS: frozenset[str] = frozenset("""
    H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr
    Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir
    Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl
    Mc Lv Ts Og""".split())
# The words that say what form of a material an item is (singular, as `_fold` reads a plural). A chemical symbol
# names its material as the first word of an id only when one of these (or a purity) follows it: `dy_oxide`,
# `ga_metal`, `Ga 6N`; two letters before any other word are as often an abbreviation (`ga_valve`, gauge).
FORMS: frozenset[str] = frozenset("""
    metal oxide powder ingot alloy compound concentrate ore salt chloride fluoride nitrate carbonate sulfate
    sulphate hydroxide nitride arsenide phosphide sulfide sulphide acetate oxalate trioxide dioxide wafer target
    granule pellet shot scrap cathode foil sheet plate wire rod bar billet chip crystal sponge flake feedstock
    matte magnet""".split())
_PURITY = re.compile(r"\dn|9{2,}")  # 6N; 99.99 (the words 99 and 99)
_WORD = re.compile(r"[^\W_]+")  # a word: letters and digits; `_`, `-`, spaces and other signs part words
WHERE = {"id": "the item's id", "class": "the item's class", "material": "the Items material cell"}


def _fold(word: str) -> str:
    """A word with a plural s taken off (`materials`, `earths`, `oxides`), so that `anode materials` names
    `anode_material`; `glass`, `gas`, `basis`, `bonus` keep theirs. Both sides are folded alike."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def _phrase(text: str) -> tuple[str, ...]:
    """The words of `text` as materials are compared: case folded, split at anything not a letter or digit,
    plurals folded."""
    return tuple(_fold(w) for w in _WORD.findall(text.casefold()))


def _formula(word: str) -> frozenset[str]:
    """The symbols of `word` read as a chemical formula written with its capitals (`Dy2O3`: Dy, O; `GaN`: Ga, N;
    `NdFeB`), or none: a word not wholly symbols and counts, a single symbol without a count (`Ga`: the symbol
    rule's), or one with neither a small letter nor a digit (`NY`, `CO`: read as abbreviations)."""
    found: list[str] = []
    i = 0
    while i < len(word):
        j = i + 2 if i + 1 < len(word) and word[i + 1].islower() else i + 1
        if word[i:j] not in ELEMENTS:
            return frozenset()
        found.append(word[i:j])
        while j < len(word) and word[j].isdigit():
            j += 1
        i = j
    digits = any(c.isdigit() for c in word)
    if len(found) < (1 if digits else 2) or not (digits or any(c.islower() for c in word)):
        return frozenset()
    return frozenset(found)


@dataclass(frozen=True)
class _Text:
    """An id, class or Items material entry, analysed once: its words (`_phrase`), its words as written (for the
    symbol rule) and its formulas (word -> symbols)."""

    words: tuple[str, ...]
    raw: tuple[str, ...]
    formulas: tuple[tuple[str, frozenset[str]], ...]
    vocabulary: frozenset[str]  # the words, to pass over a term none of whose words is there at once


@functools.lru_cache(maxsize=1 << 16)
def _text(text: str) -> _Text:
    raw = tuple(_WORD.findall(text))
    formulas = tuple((w, f) for w in raw if (f := _formula(w)))
    words = tuple(_fold(w.casefold()) for w in raw)
    return _Text(words, raw, formulas, frozenset(words))


@functools.cache
def _by_material() -> dict[tuple[str, ...], tuple[Term, ...]]:
    """The synonyms table's rows by the words of their material."""
    from planner.reference.controls import synonyms

    table: dict[tuple[str, ...], list[Term]] = {}
    for term in synonyms():
        table.setdefault(_phrase(term.material), []).append(term)
    return {key: tuple(rows) for key, rows in table.items()}


@functools.cache
def _terms(material: str) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """What names `material`, in the order tried: (rule, term, the member it belongs to or "", the term's words).
    Its own words; its synonyms, products and symbol (material_synonyms.csv, in order); then each member of the
    group it is (rare earths), with the member's own terms, found through it."""
    out: list[tuple[str, str, str, tuple[str, ...]]] = [("name", material, "", _phrase(material))]
    seen = {_phrase(material)}

    def add(of: str, key: tuple[str, ...]) -> None:
        rows = _by_material().get(key, ())
        out.extend((t.rule, t.term, of, _phrase(t.term)) for t in rows if t.rule != "member")
        for member in (t for t in rows if t.rule == "member" and _phrase(t.term) not in seen):
            seen.add(_phrase(member.term))
            out.append(("member", member.term, "", _phrase(member.term)))
            add(member.term, _phrase(member.term))

    add("", _phrase(material))
    return tuple(out)


@dataclass(frozen=True)
class Match:
    """How a material of the controls table names an item: by `rule` (name, synonym, product, member, symbol,
    formula; `every item` for `*`), finding `term` in `where` (id, class, or the Items material cell), through the
    group member `of` when the material is a group."""

    material: str
    rule: str
    term: str
    where: str = ""
    of: str = ""

    def describe(self) -> str:
        """`gallium, by the symbol 'Ga' in the item's id`: what a Scenarios row's note says."""
        if self.rule == "every item":
            return "every item: the control's materials are *"
        how = ("its name" if self.rule == "name" else
               f"the symbol {self.term!r}" if self.rule == "symbol" else
               f"the formula {self.term!r}" if self.rule == "formula" else f"the {self.rule} {self.term!r}")
        member = f" of its member {self.of}" if self.of else ""
        return f"{self.material}, by {how}{member} in {WHERE[self.where]}"


def _found(rule: str, term: str, words: tuple[str, ...], text: _Text) -> tuple[str, str] | None:
    """(rule, what was found) when `term` names `text` by `rule`, else None."""
    if rule != "symbol":
        n = len(words)
        found = n and words[0] in text.vocabulary and \
            any(text.words[k:k + n] == words for k in range(len(text.words) - n + 1))
        return (rule, term) if found else None
    raw = text.raw
    # written as IUPAC writes it (Dy) or in small letters (dy); in capitals (EU, CO, GA) it is an abbreviation
    if raw and raw[0] in (term, term.lower()) and (
            len(raw) == 1 and len(term) == 2 or
            len(raw) > 1 and (_fold(raw[1].casefold()) in FORMS or _PURITY.fullmatch(raw[1].casefold()))):
        return ("symbol", term)
    formula = next((w for w, symbols in text.formulas if term in symbols), None)
    return ("formula", formula) if formula else None


def matches(material: str, item: str, item_class: str = "", item_material: str = "") -> Match | None:
    """How a material of the table names an item (a Match, true), or None. With an Items `material` cell, each of
    its entries (`;`-separated) is matched and the id and class are not; else the id, then the class. The rules,
    tried in order: the material's words appear whole (`gallium` names `High-purity Gallium` and `gallium(III)
    oxide`, not `galliumx`; a plural s is ignored); a synonym's or product's words do (`aluminum`, `NdFeB`); its
    symbol, written as IUPAC writes it or in small letters (`Dy`, `dy`; not `DY`, `EU`, `CO`: abbreviations), is
    the whole text (two letters only: `Ga`, never `Y`), or its first word before a form of a material or a purity
    (`dy_oxide`, `Ga 6N`; not `ga_valve`), or is in a formula written with its capitals (`Dy2O3`, `GaN`); for a
    group (rare earths), any of this for one of its members. `*` names every item."""
    from planner.reference.controls import EVERY_ITEM

    if material == EVERY_ITEM:
        return Match(material, "every item", EVERY_ITEM)
    if item_material.strip():
        texts = [("material", part.strip()) for part in item_material.split(";") if part.strip()]
    else:
        texts = [("id", item), ("class", item_class)]
    analysed = [(where, _text(text)) for where, text in texts if text]
    for rule, term, of, words in _terms(material):
        for where, text in analysed:
            found = _found(rule, term, words, text)
            if found is not None:
                return Match(material, found[0], found[1], where, of)
    return None


def known_materials() -> tuple[str, ...]:
    """Every material the built-in tables name: those of the controls (not `*`), then the synonyms table's own
    (a group, its members), each once, in order."""
    from planner.reference.controls import EVERY_ITEM, controls, synonyms

    named = [m for c in controls() for m in c.materials if m != EVERY_ITEM]
    named += [t.material for t in synonyms()] + [t.term for t in synonyms() if t.rule == "member"]
    by_words: dict[tuple[str, ...], str] = {}
    for name in named:
        by_words.setdefault(_phrase(name), name)
    return tuple(by_words.values())


def material_notes(data: PlanningData) -> list[str]:
    """For each Items `material` entry that names no material of the built-in tables (`none` aside, which says
    the item is none of them): what the entry is, and what would name one."""
    materials = known_materials()
    notes = []
    for item in data.items.values():
        for entry in (part.strip() for part in item.material.split(";")):
            if entry and entry.casefold() != "none" and not any(matches(m, "", "", entry) for m in materials):
                where = f"Items row {item.row}" if item.row is not None else "Items"
                close = difflib.get_close_matches(entry.casefold(), materials, n=1, cutoff=0.8)
                hint = f"did you mean {close[0]!r}? " if close else ""
                notes.append(f"{where} (material) of item {item.name!r}: {entry!r} names no material of the "
                             f"built-in tables, so no export control hits the item; {hint}they know "
                             f"{', '.join(materials)} (and their symbols and synonyms); `none` says it is none")
    return notes


def controls_hit(data: PlanningData, day: dt.date, buyer: str | None) -> list[tuple[str, list[Hit], str]]:
    """For each built-in control in force on `day`: its scenario's name, its rows (item, group, availability,
    from, to, how its material named the item) and "" ; or, for one that cannot apply to this workbook, no rows
    and why (a control not in force is not listed)."""
    from planner.reference.controls import EVERY_ITEM, controls

    table = data.table
    usable = data.usable
    out: list[tuple[str, list[Hit], str]] = []
    for control in controls():
        if not control.in_force(day):
            continue
        name = f"control {control.id}"
        if control.destination and buyer not in control.destination:
            out.append((name, [], f"{name}: applies to buyers in {', '.join(control.destination)} only "
                                  f"(--buyer {buyer or 'not given'})"))
            continue
        named: dict[str, Match] = {}  # item -> how the first of the control's materials that names it does
        for i, it in data.items.items():
            tried = (matches(material, i, it.item_class, it.material) for material in control.materials)
            found = next((match for match in tried if match is not None), None)
            if found is not None:
                named[i] = found
        items = list(named)
        if not items:
            out.append((name, [], _unnamed(name, control.materials, data)))
            continue
        every = control.materials == (EVERY_ITEM,)
        whole = Match(EVERY_ITEM, "every item", EVERY_ITEM).describe()
        of_items = usable & _of_items(table, items)
        hits: list[Hit] = []
        if control.route:
            routes = [r for r in data.routes if control.route.casefold() in r.casefold()]
            for route in routes:
                names = list(table.route_names)
                on_route = (table.route == names.index(route)) & of_items if route in names and len(table.route) \
                    else of_items & False
                if not on_route.any():
                    continue
                if every:
                    hits.append(("", f"route:{route}", control.availability, control.start, control.end, whole))
                else:
                    hit_items = {str(table.item_names[k]) for k in set(table.item[on_route].tolist())}
                    hits += [(i, f"route:{route}", control.availability, control.start, control.end,
                              named[i].describe()) for i in items if i in hit_items]
            where = f"a route whose name contains {control.route!r}" if routes else \
                f"a route (no route of the workbook has {control.route!r} in its name)"
        else:
            code = table.code["country"].get(control.country)
            from_country = of_items & (table.country == code) if code is not None else of_items & False
            hit_items = {str(table.item_names[k]) for k in set(table.item[from_country].tolist())}
            item_cells = [""] if every and hit_items else [i for i in items if i in hit_items]
            hits = [(i, f"country:{control.country}", control.availability, control.start, control.end,
                     named[i].describe() if i else whole) for i in item_cells]
            where = f"country {control.country}"
        if not hits:
            out.append((name, [], f"{name}: no usable offer of {', '.join(items)} from {where}"))
            continue
        out.append((name, hits, ""))
    return out


def _unnamed(name: str, materials: Sequence[str], data: PlanningData) -> str:
    """Why a control hits no item, and how to make it hit one: the Items material cell."""
    said = "; ".join(materials)
    given = [i.name for i in data.items.values() if i.material.strip()]
    cells = f" (the {len(given)} with a material cell are matched by that cell alone)" if given else ""
    return (f"{name}: no item names {said}, by name, synonym, product or chemical symbol, in its id or class"
            f"{cells}; for an item that is one, write {materials[0]!r} in its Items material cell")


def _of_items(table, items: Sequence[str]):  # noqa: ANN001, ANN202 - an OfferTable and a bool array
    import numpy as np

    codes = [table.code["item"][i] for i in items if i in table.code["item"]]
    return np.isin(table.item, codes)
