"""What the tier families share: the price bands of every tiered offer in a build, computed once per build.

An offer with Tiers rows is priced by bands (`models/formulation.md`, *Volume-discount tiers*): band 0 below
its first break, band k from its k-th break on. Only breaks the offer can reach in the view make bands (an
all-units break b <= M_o, an incremental one b < M_o, with M_o = `BuildContext.big_m`); an offer with no such
break is priced by its `buy` column alone, as if it had no Tiers rows. All-units bands stop BREAK_GAP short
of the next break, so that a quantity the model prices below a break is one the checker does too.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from planner.data import PlanningData
from planner.model.context import BuildContext, model_offers
from planner.model.family import RowRef

# An all-units band below a break b ends at b - BREAK_GAP * max(1, b): ten times the checker's tolerance (a
# break counts as reached from b - 1e-6 * max(1, b) on), so that no plan the solver returns within its own
# tolerances (1e-6) lies where the model's price and the contract's differ.
BREAK_GAP = 1e-5

TIER_DIMS = ("item", "supplier", "tier")
OFFER_DIMS = ("item", "supplier")


def break_gap(at: np.ndarray) -> np.ndarray:
    """The quantities an all-units band stops short of the break `at`."""
    return BREAK_GAP * np.maximum(1.0, at)


@dataclass(frozen=True, eq=False)
class Bands:
    """The bands of the tiered offers of one build, in (buy column, band) order.

    Band j belongs to buy column `column[j]` (a position in `ctx.position`),
    is band number `tier[j]` of its offer (0 below the first break, k from
    the offer's k-th break on, numbered as in Tiers), and costs `cost[j]` per
    unit landed. Its `tier_buy` column lies in [0, `size[j]`]: for
    all-units the most it may hold (u_k), for incremental the band's width
    (w_k). `start[j]` is b_k, the break it begins at (0 for band 0).
    `tier_on` columns exist for the bands with `tier >= 1`, in this order.
    """

    column: np.ndarray
    tier: np.ndarray
    start: np.ndarray
    size: np.ndarray
    cost: np.ndarray
    incremental: np.ndarray  # bool per band: its offer's discount is incremental
    tiered: np.ndarray  # bool per buy column: the offer is priced by its bands (a break in reach)

    def __len__(self) -> int:
        return len(self.column)

    @property
    def switched(self) -> np.ndarray:
        """The bands with a `tier_on` binary (every band from a break on), in band order."""
        return np.flatnonzero(self.tier >= 1)

    def first(self) -> np.ndarray:
        """Per buy column, the position of its first band (meaningful where `tiered`)."""
        starts = np.zeros(len(self.tiered) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.column, minlength=len(self.tiered)), out=starts[1:])
        return starts[:-1]


_CACHE: weakref.WeakKeyDictionary[BuildContext, Bands] = weakref.WeakKeyDictionary()


def bands(ctx: BuildContext) -> Bands:
    """The bands of `ctx`'s build (computed once: every tier family, `buy` and the spend rules ask)."""
    found = _CACHE.get(ctx)
    if found is None:
        found = _CACHE[ctx] = _bands(ctx)
    return found


def _bands(ctx: BuildContext) -> Bands:
    data, t = ctx.data, ctx.table
    n = len(ctx.position)
    if not data.tiers:  # the common case: no Tiers sheet, no band, nothing to index
        none_i, none_f = np.zeros(0, dtype=np.int64), np.zeros(0)
        return Bands(none_i, none_i, none_f, none_f, none_f, np.zeros(0, dtype=bool), np.zeros(n, dtype=bool))
    column_of = np.full(len(t), -1, dtype=np.int64)
    column_of[ctx.position] = np.arange(n)
    # one entry per Tiers row of an offer in the build: a loop over the Tiers rows, never over the offers
    columns, breaks, prices, incremental = [], [], [], []
    for key, tiers in data.tiers.items():
        j = column_of[t.position[key]]
        if j < 0:
            continue
        steps = data.offers[key].discount == "incremental"
        for tier in tiers:
            columns.append(j)
            breaks.append(tier.from_quantity)
            prices.append(tier.price)
            incremental.append(steps)
    column = np.array(columns, dtype=np.int64)
    b = np.array(breaks, dtype=float)
    price = np.array(prices, dtype=float)
    steps = np.array(incremental, dtype=bool)
    order = np.lexsort((b, column))  # by offer, breaks ascending
    column, b, price, steps = column[order], b[order], price[order], steps[order]
    m = ctx.big_m(column) if len(column) else np.zeros(0)
    following = np.full(len(b), np.inf)  # the offer's next break (inf after its last)
    same = column[1:] == column[:-1]
    following[:-1][same] = b[1:][same]
    reach = np.where(steps, b < m, b <= m)
    p = ctx.position[column]
    cost = t.rate[p] * (price * (1.0 + t.tariff[p]) + t.freight[p])
    # bands from a break on: all-units [b_k, min(b_(k+1) - gap, M)] (empty if the next break lies within the gap:
    # no band); incremental: width min(b_(k+1), M) - b_k > 0
    last = ~np.isfinite(following)
    below_next = following - np.where(last, 0.0, break_gap(np.where(last, 0.0, following)))  # inf after the last
    size = np.where(steps, np.minimum(following, m) - b, np.minimum(below_next, m))
    upper_kept = reach & np.where(steps, size > 0, size >= b)
    tiered = np.zeros(n, dtype=bool)
    tiered[column[reach]] = True
    # band 0 of each tiered offer: below its first break (all-units: up to b_1 - gap, none when that is <= 0)
    first = np.flatnonzero(reach & np.r_[True, ~same])
    zero_size = np.where(steps[first], b[first], b[first] - break_gap(b[first]))
    zero_kept = zero_size > 0
    k = np.zeros(len(b), dtype=np.int64)  # the break's number within its offer, 1-based
    if len(b):
        offer_start = np.flatnonzero(np.r_[True, ~same])
        k = np.arange(len(b)) - np.repeat(offer_start, np.diff(np.r_[offer_start, len(b)])) + 1
    zero = first[zero_kept]
    j0 = column[zero]
    upper = np.flatnonzero(upper_kept)
    all_column = np.concatenate([j0, column[upper]])
    all_tier = np.concatenate([np.zeros(len(zero), dtype=np.int64), k[upper]])
    order = np.lexsort((all_tier, all_column))
    return Bands(
        column=all_column[order], tier=all_tier[order],
        start=np.concatenate([np.zeros(len(zero)), b[upper]])[order],
        size=np.concatenate([zero_size[zero_kept], size[upper]])[order],
        cost=np.concatenate([t.cost[ctx.position[j0]], cost[upper]])[order],
        incremental=np.concatenate([steps[zero], steps[upper]])[order], tiered=tiered)


def plan_bands(data: PlanningData) -> Bands:
    """The bands of the plan view of `data` (for `needed`, before any build)."""
    return bands(BuildContext(data, data.table, model_offers(data, "plan"), "plan"))


def offer_index(ctx: BuildContext, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(item, supplier) names of buy columns."""
    t = ctx.table
    return t.item_names[ctx.item[columns]], t.supplier_names[ctx.supplier[columns]]


def describe_band(family: str, data: PlanningData, index: tuple, what: str) -> RowRef:
    """A tier row as the Tiers row of its band's break (or the offer, for a row of the whole offer): a
    definition, no input row of its own to relax."""
    at = dict(zip(TIER_DIMS, index))
    item, supplier = at["item"], at["supplier"]
    offer = data.offers[item, supplier]
    k = at.get("tier")
    if k is not None and k >= 1:
        tier = data.tiers[item, supplier][int(k) - 1]
        where = data.cell("Tiers", "from_quantity", tier.row)
        band = f"band {k} of '{item}' from '{supplier}' ({where} from_quantity {tier.from_quantity:g} at " \
               f"price {tier.price:g})"
    elif k == 0:
        band = f"band 0 of '{item}' from '{supplier}' (below its first break, at its Offers price {offer.price:g})"
    else:
        band = f"the {offer.discount} tiers of '{item}' from '{supplier}'"
    return RowRef(family, index, (f"{family} of {band} ({what})",), max(data.items[item].demand, 1.0))
