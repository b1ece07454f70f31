"""What the spend rules share: the landed spend of a set of offers as terms of the model's columns.

Spend, as the contract defines it, is the landed cost of the volume at its tier prices, in the base currency;
fixed costs are not spend. For an offer without bands that is c_o * buy[o]; for a tiered offer, whose buy
column carries no cost, sum_k c_{o,k} * tier_buy[o, k]: exactly the offer's part of `Total-cost`.
"""

from __future__ import annotations

import numpy as np

from planner.model.context import BuildContext
from planner.model.families._tiers import bands


def spend_terms(ctx: BuildContext, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The spend of each buy column of `columns` (positions in `ctx.position`, repeats allowed) as terms
    (owner, model column, coefficient): owner is the position in `columns` the term belongs to, terms in owner
    order."""
    found = bands(ctx)
    columns = np.asarray(columns, dtype=np.int64)
    tiered = found.tiered[columns]
    plain = np.flatnonzero(~tiered)
    owners = [plain]
    model_columns = [ctx.start("buy") + columns[plain]]
    coefs = [ctx.table.cost[ctx.position[columns[plain]]]]
    banded = np.flatnonzero(tiered)
    if len(banded):
        count = np.bincount(found.column, minlength=len(found.tiered))[columns[banded]]
        first = found.first()[columns[banded]]
        owner = np.repeat(banded, count)
        # position of each term within its owner's bands: 0, 1, ... count - 1
        offset = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
        band = np.repeat(first, count) + offset
        owners.append(owner)
        model_columns.append(ctx.start("tier_buy") + band)
        coefs.append(found.cost[band])
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    return owner[order], np.concatenate(model_columns)[order], np.concatenate(coefs)[order]


def merged(row: np.ndarray, column: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Terms with one entry per (row, column): coefficients of repeated pairs added (HiGHS takes each pair once)."""
    if not len(row):
        return row, column, coef
    width = int(column.max()) + 1
    pairs, inverse = np.unique(row.astype(np.int64) * width + column, return_inverse=True)
    return pairs // width, pairs % width, np.bincount(inverse, weights=coef, minlength=len(pairs))
