"""What the families of several periods share: the expansion decisions a capacity row adds, and period names."""

from __future__ import annotations

import numpy as np

from planner.data import Expansion, PlanningData
from planner.model.blocks import names
from planner.model.periods import HorizonContext


def decisions(data: PlanningData) -> list[tuple[Expansion, int]]:
    """(expansion, period code) of every `expand` column, in column order: each expansion in Expansions order,
    in each period from its `earliest` on in which a decision still delivers within the horizon
    (t + lead_time <= the last period)."""
    position = {name: k for k, name in enumerate(data.period_names)}
    last = len(data.period_names) - 1
    return [(e, t) for e in data.expansions.values()
            for t in range(position.get(e.earliest, 0) if e.earliest else 0, last - e.lead_time + 1)]


def expansion_columns(hz: HorizonContext, supplier: str, item: str | None, order: int) -> list[tuple[int, Expansion]]:
    """(model column, expansion) of every `expand[e, t']` that adds capacity to the supplier's total (`item`
    None) or to its offer of `item` in order period `order`: t' + lead_e <= order."""
    found = hz.memo.get("expansions")
    if found is None:
        found = {}
        for k, (e, t) in enumerate(decisions(hz.data)):
            found.setdefault((e.supplier, e.item), []).append((hz.start("expand") + k, e, t))
        hz.memo["expansions"] = found
    return [(col, e) for col, e, t in found.get((supplier, item), []) if t + e.lead_time <= order]


def names_of(periods: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    """The names of period codes, as an object array (a block's index)."""
    return names([periods[int(c)] for c in codes])
