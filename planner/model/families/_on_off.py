"""What the families with one row or bound per offer share: `Supplier-use`, `Offer-use` and `Offer-min-order`
link an offer to a binary; `Offer-capacity` and `Offer-min-order` come from an Offers cell."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Rows, rows
from planner.model.context import BuildContext
from planner.model.family import RowRef

DIMS = ("item", "supplier")


def on_off_rows(family: str, ctx: BuildContext, columns: np.ndarray, binary: np.ndarray, coef: np.ndarray,
                lower: float, upper: float) -> Rows:
    """One row per buy column j: buy[j] + coef * binary[j] within [lower, upper]."""
    t, n = ctx.table, len(columns)
    row = np.concatenate([np.arange(n), np.arange(n)])
    return rows(family, DIMS, (t.item_names[ctx.item[columns]], t.supplier_names[ctx.supplier[columns]]), row,
                np.concatenate([ctx.start("buy") + columns, binary]), np.concatenate([np.ones(n), coef]),
                np.full(n, lower), np.full(n, upper))


def linking_row(family: str, data: PlanningData, index: tuple) -> RowRef:
    """A row that only links a quantity to its on/off decision: a definition, no input row of its own."""
    at = dict(zip(DIMS, index))
    item, supplier = at["item"], at["supplier"]
    return RowRef(family, index, (f"{family} of '{item}' from '{supplier}' (links the quantity to its on/off "
                                  "decision)",), max(data.items[item].demand, 1.0))


def offer_cell(family: str, data: PlanningData, index: tuple, column: str) -> RowRef:
    """A row or bound that one Offers cell sets: `Offers!D2 capacity 70 of 'A' from 'S1'`."""
    at = dict(zip(DIMS, index))
    item, supplier = at["item"], at["supplier"]
    o = data.offers[item, supplier]
    label = f"{data.where('Offers', o, column)} {column} {getattr(o, column):g} of '{item}' from '{supplier}'"
    return RowRef(family, index, (label,), max(data.items[item].demand, 1.0))
