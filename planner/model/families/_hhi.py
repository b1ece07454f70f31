"""What `hhi_points`, `Item-hhi-points` and `Policy-max-hhi` share: the items max_hhi rules cap, their (item,
country) pairs in the view, and the tangent points each pair's rows start from."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.data import PlanningData, Rule
from planner.model.context import BuildContext, rule_id

KIND = "max_hhi"


def caps(data: PlanningData) -> list[tuple[Rule, str]]:
    """(rule, item) of every cap a max_hhi rule sets: a value below 1 (the HHI is at most 1 whatever the plan),
    on an item with demand > 0 (no share of nothing), in Policy order, then the rule's item order."""
    return [(rule, item) for rule in data.rules if rule.kind == KIND and rule.value is not None and rule.value < 1
            for item in data.rule_items(rule) if data.items[item].demand > 0]


@dataclass(frozen=True, eq=False)
class Pairs:
    """The (item, country) pairs of capped items with an offer in the view, in item then country code order.

    `members[start[j]:start[j + 1]]` are the buy columns (positions in the buy block) of pair j's offers;
    `points[j]` the tangent points of its rows: the data's (`initial_points`), then the build's cuts for it,
    in the order given. `caps` are (rule id, item code, value) of the cap rows, for items with a pair.
    """

    item: np.ndarray  # item code per pair
    country: np.ndarray  # country code per pair
    start: np.ndarray
    members: np.ndarray
    points: tuple[tuple[float, ...], ...]
    caps: tuple[tuple[int, int, float], ...]

    def __len__(self) -> int:
        return len(self.item)


def initial_points(countries: int, values: list[float]) -> tuple[float, ...]:
    """The tangent points every pair of an item starts with: 1/n (n its countries with an offer in the view:
    the even split, where the HHI is least) and sqrt(h) of each cap on it (with the cap, that tangent alone
    holds every share s <= sqrt(h), since s^2 <= HHI), ascending, each once."""
    return tuple(sorted({1.0 / countries, *(math.sqrt(h) for h in values)}))


def pairs(ctx: BuildContext) -> Pairs:
    """The pairs of the build (computed once per build: three families read them)."""
    found = ctx.memo.get("hhi pairs")
    if isinstance(found, Pairs):
        return found
    t, data = ctx.table, ctx.data
    values: dict[int, list[float]] = {}
    rows: list[tuple[int, int, float]] = []
    for rule, item in caps(data):
        code = t.code["item"][item]
        rows.append((rule_id(data, rule), code, float(rule.value)))  # type: ignore[arg-type]
        values.setdefault(code, []).append(float(rule.value))  # type: ignore[arg-type]
    capped = np.zeros(len(t.item_names), dtype=bool)
    capped[list(values)] = True
    columns = np.flatnonzero(capped[ctx.item]) if len(ctx.position) else np.zeros(0, dtype=np.int64)
    width = max(1, len(t.country_names))
    keys, inverse = np.unique(ctx.item[columns].astype(np.int64) * width + ctx.country[columns], return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    start = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(np.bincount(inverse, minlength=len(keys)), out=start[1:])
    item, country = keys // width, keys % width
    countries = np.bincount(item, minlength=len(t.item_names))
    points = [list(initial_points(int(countries[i]), values[int(i)])) for i in item.tolist()]
    at = {(str(t.item_names[i]), str(t.country_names[c])): j for j, (i, c) in enumerate(zip(item.tolist(),
                                                                                              country.tolist()))}
    for cut in ctx.cuts:
        if cut.period != ctx.period:  # with several periods, a cut holds the pair of its own period
            continue
        j = at.get((cut.item, cut.country))
        if j is not None:  # a cut of a pair this view has no offer for holds nothing here
            points[j].append(float(cut.share))
    found = Pairs(item, country, start, columns[order], tuple(tuple(p) for p in points),
                  tuple(row for row in rows if countries[row[1]] > 0))
    ctx.memo["hhi pairs"] = found
    return found
