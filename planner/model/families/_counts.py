"""What the count and award rules share: a rule's offers by the group each is counted in, the suppliers and
countries counted, and which binaries each rule needs.

`max_suppliers`, `min_suppliers`, `max_countries`, `min_countries` and
`min_award` rows are per (rule, item, group): for rule r, every item i it
covers with d_i > 0 (an item without demand delivers nothing, so nothing is
counted) and every group g it names (a blank group is one group, `every
supplier`; `each ...` names every member; a union is one group), the offers
of i in g that have a variable in the view. A supplier counts through its
one offer of i; a country through the offers of i in g from its suppliers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.data import GroupSpec, PlanningData, Rule
from planner.model.blocks import Rows, names, repeated, rows
from planner.model.container import View
from planner.model.context import BuildContext, model_offers, rule_id, rules_by_id
from planner.model.family import RowRef

EVERY = "every supplier"  # the group index of a rule whose group is blank
DIMS = ("rule", "item", "group")  # the rows of the count rules


def group_texts(spec: GroupSpec | None, group_names: np.ndarray) -> np.ndarray:
    """The `group` index of each group code: `country:CN`, `bloc:EU | country:UA`, `every supplier`."""
    if spec is None:
        return names([EVERY])
    if spec.name is not None:
        return names([str(spec.group)])
    return names([f"{spec.kind}:{name}" for name in group_names])


def groups_named(data: PlanningData, spec: GroupSpec | None) -> list[str]:
    """Every group a rule names, as its `group` index: the one group, or every member of `each ...`."""
    if spec is None:
        return [EVERY]
    return [str(g) for g in data.groups(spec)]


@dataclass(frozen=True)
class Spread:
    """One rule's terms in one view: the offers of its items (d_i > 0) in each group it names, a term per
    (group, offer), by (item, group) pair, pairs numbered in item then group order."""

    rule: Rule
    rid: int
    columns: np.ndarray  # buy column of each term
    pair: np.ndarray  # each term's pair
    item: np.ndarray  # item code of each pair
    group: np.ndarray  # `group` index of each pair

    @property
    def size(self) -> np.ndarray:
        """Terms (offers, so suppliers) per pair."""
        return np.bincount(self.pair, minlength=len(self.item))

    def restrict(self, keep: np.ndarray) -> Spread:
        """The pairs where `keep` (bool per pair) holds, renumbered in order, with their terms."""
        renumber = np.cumsum(keep) - 1
        take = keep[self.pair]
        return Spread(self.rule, self.rid, self.columns[take], renumber[self.pair[take]], self.item[keep],
                      self.group[keep])


def spread(ctx: BuildContext, rule: Rule) -> Spread:
    """The terms of one rule in the view of `ctx`."""
    columns = ctx.of_rule(rule)
    columns = columns[ctx.table.demand[ctx.item[columns]] > 0]
    if rule.group is None:
        terms, codes, texts = columns, np.zeros(len(columns), dtype=np.int64), group_texts(None, names([]))
    else:
        terms, codes, group_names = ctx.members(columns, rule.group)
        texts = group_texts(rule.group, group_names)
    items = ctx.item[terms].astype(np.int64)
    keys, first, pair = np.unique(items * max(1, len(texts)) + codes, return_index=True, return_inverse=True)
    return Spread(rule, rule_id(ctx.data, rule), terms, pair.reshape(-1), items[first],
                  texts[codes[first]] if len(keys) else names([]))


def spreads(ctx: BuildContext, kind: str) -> list[Spread]:
    """The spread of every rule of `kind`, in Policy order."""
    return [spread(ctx, rule) for rule in ctx.data.rules if rule.kind == kind and rule.value is not None]


@dataclass(frozen=True)
class Countries:
    """The countries of a spread: a unit per (pair, country of a term's supplier), in pair then country order."""

    term: np.ndarray  # unit of each term
    pair: np.ndarray  # pair of each unit
    country: np.ndarray  # country code of each unit

    def per_pair(self, pairs: int) -> np.ndarray:
        return np.bincount(self.pair, minlength=pairs)


def countries(ctx: BuildContext, s: Spread) -> Countries:
    n = max(1, len(ctx.table.country_names))
    keys, term = np.unique(s.pair.astype(np.int64) * n + ctx.country[s.columns], return_inverse=True)
    return Countries(term.reshape(-1), keys // n, keys % n)


def capped_suppliers(ctx: BuildContext) -> list[Spread]:
    """max_suppliers rules, each on its pairs with more offers than its value k: elsewhere the rule always holds."""
    return [s.restrict(s.size > s.rule.value) for s in spreads(ctx, "max_suppliers")]


def capped_countries(ctx: BuildContext) -> list[tuple[Spread, Countries]]:
    """max_countries rules, each on its pairs with more countries than its value k, with those countries."""
    out = []
    for s in spreads(ctx, "max_countries"):
        kept = s.restrict(countries(ctx, s).per_pair(len(s.item)) > s.rule.value)
        out.append((kept, countries(ctx, kept)))
    return out


def awarded(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the buy columns a rule's supplier awards are for, once each in column order; each term's award)."""
    unique, term = np.unique(columns, return_inverse=True)
    return unique, term.reshape(-1)


def opened(ctx: BuildContext) -> np.ndarray:
    """The buy columns that get a `use_offer` binary, in column order: an offer with a minimum order q_o > 0, in a
    `Policy-max-suppliers` row, or covered by a min_award rule."""
    mask = ctx.table.min_order[ctx.position] > 0
    for s in capped_suppliers(ctx):
        mask[s.columns] = True
    for s in spreads(ctx, "min_award"):
        mask[s.columns] = True
    return np.flatnonzero(mask)


def use_offer_at(ctx: BuildContext) -> np.ndarray:
    """The model-wide column of each buy column's `use_offer` binary (-1 where it has none)."""
    at = np.full(len(ctx.position), -1, dtype=np.int64)
    have = opened(ctx)
    at[have] = ctx.start("use_offer") + np.arange(len(have))
    return at


def use_offer_of(ctx: BuildContext, columns: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
    """The model-wide column of the `use_offer` binary of each of `columns` (each must have one); `at`: the
    map `use_offer_at` gives, when the caller asks for several sets of columns."""
    found = (use_offer_at(ctx) if at is None else at)[columns]
    assert (found >= 0).all(), "a buy column without a use_offer binary"
    return found


def plan_context(data: PlanningData) -> BuildContext:
    """The plan view's context, for what the data alone decides (`needed`, conflicts)."""
    return BuildContext(data, data.table, model_offers(data, "plan"), "plan")


def rule_of(data: PlanningData, rid: int) -> Rule:
    return rules_by_id(data)[rid]


def of_items(rule: Rule) -> str:
    """The items of a rule, in a sentence: `A`, `each item`, `each item of class critical`."""
    return rule.item if rule.item is not None else "each item" if rule.item_class is None \
        else f"each item of class {rule.item_class}"


def from_group(rule: Rule) -> str:
    """` of country:CN`, ` of each country` (each member separately), or "" for a blank group."""
    return "" if rule.group is None else f" of {rule.group}"


def where(rule: Rule, item: str, group: str | None = None) -> str:
    """The item and group a row is for, when the rule covers several: ` (for 'A' of country:CN)`."""
    parts = ([f"for '{item}'"] if rule.item is None else []) + \
        ([f"of {group}"] if group is not None and rule.group is not None and rule.group.each else [])
    return f" ({' '.join(parts)})" if parts else ""


def count_never_binds(data: PlanningData, rule: Rule, unit: str) -> str:
    """Why a max_suppliers / max_countries rule of value k never binds: no group it names holds more than k
    suppliers (countries) with a usable offer of an item it covers ("" if one does)."""
    if rule.value is None:
        return ""
    ctx = plan_context(data)
    s = spread(ctx, rule)
    most = s.size if unit == "suppliers" else countries(ctx, s).per_pair(len(s.item))
    if not len(most) or most.max() <= rule.value:
        return f"no group holds more than {rule.value:g} {unit} with a usable offer of its items"
    return ""


def pair_rows(family: str, ctx: BuildContext, s: Spread, pair: np.ndarray, column: np.ndarray, lower: float,
              upper: float) -> Rows:
    """One row per pair of a spread, `family[r, i, g]`: the sum of the binaries `column` (model-wide; `pair`
    says whose) within [lower, upper]."""
    n = len(s.item)
    return rows(family, DIMS, (repeated(s.rid, n), ctx.table.item_names[s.item], s.group), pair, column,
                np.ones(len(column)), np.full(n, lower), np.full(n, upper))


def describe_count(family: str, data: PlanningData, index: tuple, detail: str = "") -> RowRef:
    """A row of a count or award rule as its Policy row, with the item and group when the rule covers several;
    its scale is the rule's value k (a count: a violation is measured in suppliers or countries of k)."""
    at = dict(zip(("rule", "item", "group"), index[:3]))
    rule = rule_of(data, at["rule"])
    label = rule.label() + where(rule, at["item"], at["group"]) + detail
    return RowRef(family, index, (label,), max(rule.value or 1.0, 1.0))


def short_groups(data: PlanningData, view: View, kind: str, unit: str, with_offers: bool = False
                 ) -> list[tuple[Rule, str, str, int]]:
    """(rule, item, group, suppliers or countries with an offer) of each item with demand a min_suppliers or
    min_countries rule of `kind` covers and each group it names where fewer than its value k have an offer of
    the item in the view. `with_offers`: only items with an offer in the view (the diagnose view's rows)."""
    ctx = BuildContext(data, data.table, model_offers(data, view), view)
    t = ctx.table
    present = np.bincount(ctx.item, minlength=len(t.item_names)) > 0
    out = []
    for s in spreads(ctx, kind):
        per_pair = s.size if unit == "suppliers" else countries(ctx, s).per_pair(len(s.item))
        found = {(t.item_names[i], g): int(n) for i, g, n in zip(s.item.tolist(), s.group.tolist(), per_pair.tolist())}
        for item in data.rule_items(s.rule):
            if data.items[item].demand <= 0 or (with_offers and not present[t.code["item"][item]]):
                continue
            for group in groups_named(data, s.rule.group):
                n = found.get((item, group), 0)
                if n < (s.rule.value or 0):
                    out.append((s.rule, item, group, n))
    return out


def min_conflicts(family: str, data: PlanningData, kind: str, unit: str) -> list[str]:
    """A min_suppliers or min_countries rule that cannot hold before any solve: a group with fewer than k
    suppliers (countries) offering an item, or k counted ones each delivering min_award m with k * m > 1."""
    out = []
    for rule, item, group, n in short_groups(data, "plan", kind, unit):
        have = "none has" if n == 0 else f"only {n} {'has' if n == 1 else 'have'}"
        out.append(f"{family}: {rule.label()} asks for {many(rule.value, unit)} of '{item}' from {group}, but "
                   f"{have} a usable offer of it")
    for rule in data.rules:
        if rule.kind == kind and rule.value is not None and rule.value * rule.min_award > 1 + 1e-9 and any(
                data.items[i].demand > 0 for i in data.rule_items(rule)):
            out.append(f"{family}: {rule.label()} asks for {rule.value:g} {unit} each delivering at least "
                       f"{rule.min_award:g} of the demand (min_award): {rule.value * rule.min_award:g} of it, more "
                       "than all of it")
    return out


def min_missing(data: PlanningData, kind: str, unit: str) -> list[tuple[tuple, float]]:
    """The diagnose view's groups with no offer at all of an item a min rule asks k of: short of k."""
    return [((rule_id(data, rule), item, group), float(rule.value or 0))
            for rule, item, group, n in short_groups(data, "diagnose", kind, unit, with_offers=True) if n == 0]


def counting(rule: Rule, bound: str, unit: str) -> str:
    """`at most 2 suppliers of country:CN deliver A`, `at least 1 country delivers each item`."""
    return f"{bound} {many(rule.value, unit)}{from_group(rule)} deliver{'s' if rule.value == 1 else ''} " \
           f"{of_items(rule)}"


def many(k: float | None, unit: str) -> str:
    """`1 supplier`, `3 suppliers`, `1 country`, `2 countries` (`unit`: "suppliers" or "countries")."""
    one = {"suppliers": "supplier", "countries": "country"}[unit]
    return f"{k:g} {one if k == 1 else unit}"
