"""Convex rules as tangent rows: an outer approximation that cuts refine until the plan meets the rule.

`max_hhi` caps a sum of squares, HHI_i = sum_c s_c^2 with s_c the share of
item i bought from country c. The model holds it exactly as a linear
program can: one column per (item, country), `hhi_points[i, c]` (the
country's part of the HHI on the 0-10,000 scale, `POINTS`), bounded below
by tangent rows of the parabola POINTS * s_c^2, and the cap on their sum.
Each tangent is valid for every plan (a convex function lies above its
tangents), so the rows only ever cut off plans that break the rule; the
more tangent points, the closer the rows follow the parabola.

The points are state of a solve, not data: `build(data, view, cuts)` takes
them as `Cut`s (item, country, share) on top of the ones the data gives
(`planner/model/families/_hhi.py`), and `SquaredShares` tells the solver
where they are. `planner.solver.HighsModel.solve` solves, measures each
capped item's HHI from the plan (`separate`), appends a tangent at every
violated share to the HiGHS instance, and re-solves, until every cap holds
to within `CUT_TOL`; the instance then holds exactly the rows of
`build(data, view, handle.cut_pool)` (a test reads them back from HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POINTS = 10_000.0  # the rows' HHI scale, 0..10,000 as the plan's Concentration sheet reports it: see `tangent`
CUT_TOL = 1e-9  # the loop stops once every cap holds to this (on the 0..1 scale): a thousandth of the contract's
CONTRACT_TOL = 1e-6  # workbook-v2 §1: a max_hhi plan must satisfy its cap to within 1e-6
SAME_POINT = 1e-12  # a tangent this close to one the pair has already adds nothing


@dataclass(frozen=True)
class Cut:
    """A tangent point the solve added: country `country`'s share `share` of item `item`."""

    item: str
    country: str
    share: float
    period: str | None = None  # with several periods, the period of the pair it was added for


@dataclass(frozen=True, eq=False)
class SquaredShares:
    """points[j] >= POINTS * s_j^2 for each pair j = (item, country), s_j = sum_{o in members(j)} buy[o] / d_j.

    `column[j]` is points[j]'s column and members(j) (`members[start[j]:start[j + 1]]`) the buy columns of
    the item's offers from the country, both model-wide; `points[j]` the tangent points of the rows the build
    made for j, in row order (row k of j is its k-th point, k from 1). `rows` names the family of the tangent
    rows, `caps` that of the cap rows, sum_{j of item i} points[j] <= POINTS * h, one per (rule, item).
    """

    rows: str
    caps: str
    item: np.ndarray  # object: the item of pair j
    country: np.ndarray  # object: its country
    group: np.ndarray  # a code per item, 0, 1, ...: the pairs of one item share it (pairs in item order)
    column: np.ndarray
    demand: np.ndarray
    start: np.ndarray
    members: np.ndarray
    points: tuple[tuple[float, ...], ...]
    period: str | None = None  # with several periods, the arrival period of the rows (they index `period` last)

    def __len__(self) -> int:
        return len(self.column)

    def tangents(self, pairs: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                        np.ndarray]:
        """The tangent row of pair pairs[r] at shares[r] a, for every r, row-wise as (start, columns,
        coefficients, upper bounds):

            (2 a POINTS / d_j) * sum_{o in members(j)} buy[o] - points[j] <= POINTS * a^2

        i.e. POINTS * s^2 >= POINTS * (2 a s - a^2) held for points[j]. On the 0..10,000 scale the rows'
        numbers do not depend on the demand's unit, so HiGHS's absolute tolerance (1e-7) stays 1e-11 of an
        HHI whatever d_j is (in volume units it would be 1e-7 / d_j: an HHI held to 1e-5 for a demand of 0.01).
        """
        pairs, shares = np.asarray(pairs, dtype=np.int64), np.asarray(shares, dtype=float)
        sizes = self.start[pairs + 1] - self.start[pairs] + 1  # the members, then points[j]
        start = np.zeros(len(pairs) + 1, dtype=np.int64)
        np.cumsum(sizes, out=start[1:])
        row = np.repeat(np.arange(len(pairs)), sizes)
        offset = np.arange(int(start[-1])) - start[row]
        last = offset == sizes[row] - 1
        member = np.minimum(self.start[pairs][row] + offset, max(len(self.members) - 1, 0))
        columns = np.where(last, self.column[pairs][row], self.members[member] if len(self.members) else 0)
        coef = np.where(last, -1.0, (2.0 * shares * POINTS / self.demand[pairs])[row])
        return start, columns.astype(np.int64), coef, POINTS * shares * shares


@dataclass(frozen=True)
class Caps:
    """The cap rows of a model: for each, the pair group (item) it caps, its rule id, model-wide row and value h."""

    group: np.ndarray  # the `SquaredShares.group` code of the item each row caps
    rule: np.ndarray  # the rule id (Policy row) of each
    row: np.ndarray  # model-wide row position
    value: np.ndarray  # h


@dataclass(frozen=True)
class Separation:
    """What a plan leaves of the caps: the tangents to add, and the worst excess over an active cap."""

    cuts: list[tuple[int, float]]  # (pair, share) of every new tangent
    excess: float  # the largest excess over an active cap (0..1 scale), 0 if every cap holds
    item: str = ""  # where it is
    hhi: float = 0.0
    value: float = 0.0
    rule: int = 0


def separate(spec: SquaredShares, caps: Caps, values: np.ndarray, relaxed: set[int], known: list[list[float]],
             tolerance: float = CUT_TOL) -> Separation:
    """The tangents a plan (column `values`) needs, for every item whose active cap it breaks by more than
    `tolerance`.

    A cap row in `relaxed` is not active (its rule is dropped for this solve); an item with no active cap is
    left alone. For item i with shares s_j and the smallest active value h:

        excess_i = max(0, min(HHI_i - h, sum_j max(0, POINTS * s_j^2 - points[j]) / POINTS))

    The first term is the breach of the rule itself; the second bounds what the rows let through (with an
    elastic slack on the cap the first overstates the breach of the cap the model holds), so their minimum
    bounds that breach from above. An item above `tolerance` gets a tangent at s_j for each of its pairs with
    points[j] < POINTS * s_j^2, unless `known[j]` (the pair's points so far) has one within SAME_POINT.
    """
    n = len(spec)
    if not n or not len(caps.row):
        return Separation([], 0.0)
    groups = int(spec.group.max()) + 1
    sizes = np.diff(spec.start)
    pair_of_member = np.repeat(np.arange(n), sizes)
    volume = np.bincount(pair_of_member, weights=values[spec.members], minlength=n)
    share = volume / spec.demand
    deficit = np.maximum(0.0, POINTS * share * share - values[spec.column])
    hhi = np.bincount(spec.group, weights=share * share, minlength=groups)
    through = np.bincount(spec.group, weights=deficit, minlength=groups) / POINTS
    active = np.array([int(r) not in relaxed for r in caps.row.tolist()], dtype=bool)
    lowest = np.full(groups, np.inf)
    np.minimum.at(lowest, caps.group[active], caps.value[active])
    capped = np.isfinite(lowest)
    excess = np.zeros(groups)
    excess[capped] = np.maximum(0.0, np.minimum(hhi[capped] - lowest[capped], through[capped]))
    g = int(np.argmax(excess))
    if excess[g] <= 0:
        return Separation([], 0.0)
    at = np.flatnonzero(active & (caps.group == g))
    at = int(at[np.argmin(caps.value[at])])
    cuts: list[tuple[int, float]] = []
    for j in np.flatnonzero((excess[spec.group] > tolerance) & (deficit > 0)).tolist():
        point = min(1.0, max(0.0, float(share[j])))
        if all(abs(point - p) > SAME_POINT for p in known[j]):
            cuts.append((j, point))
    return Separation(cuts, float(excess[g]), str(spec.item[spec.group == g][0]), float(hhi[g]),
                      float(caps.value[at]), int(caps.rule[at]))


def caps_of(spec: SquaredShares, item: np.ndarray, rule: np.ndarray, rows: range, upper: np.ndarray) -> Caps:
    """The cap rows `rows` of a model (their `item` and `rule` dimensions; upper bounds POINTS * h)."""
    code = {name: int(g) for name, g in zip(spec.item.tolist(), spec.group.tolist())}
    return Caps(np.array([code[name] for name in np.asarray(item).tolist()], dtype=np.int64), np.asarray(rule),
                np.arange(rows.start, rows.stop, dtype=np.int64), np.asarray(upper, dtype=float) / POINTS)
