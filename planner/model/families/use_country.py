"""`use_country[r, i, g, c]`: whether a country is counted by a max_countries rule (some supplier of the group
in it delivers the item)."""

from __future__ import annotations

import numpy as np

from planner.data import PlanningData
from planner.model.blocks import Columns, names, repeated
from planner.model.container import SourcingModel
from planner.model.context import BuildContext
from planner.model.families._counts import Countries, Spread, capped_countries, plan_context
from planner.model.family import VariableFamily

DIMS = ("rule", "item", "group", "country")


def country_columns(ctx: BuildContext) -> tuple[tuple[np.ndarray, ...], list[tuple[Spread, Countries, int]]]:
    """The index of every use_country binary, and for each max_countries rule (as `capped_countries` gives
    them) its spread, its countries (one binary each, in unit order) and where its binaries start, counted from
    the family's first column."""
    t, at = ctx.table, 0
    parts: list[tuple[np.ndarray, ...]] = []
    out: list[tuple[Spread, Countries, int]] = []
    for s, units in capped_countries(ctx):
        n = len(units.pair)
        parts.append((repeated(s.rid, n), t.item_names[s.item[units.pair]], s.group[units.pair],
                      t.country_names[units.country]))
        out.append((s, units, at))
        at += n
    index = tuple(np.concatenate([p[d] for p in parts]) if parts else names([]) for d in range(len(DIMS)))
    return index, out


class UseCountry(VariableFamily):
    name = "use_country"
    summary = "binary: a country is counted by a max_countries rule (a supplier of the group in it delivers)"
    dims = DIMS
    integer = True

    def build(self, ctx: BuildContext) -> Columns:
        """Binaries `use_country[r, i, g, c]` (no cost) for max_countries rule r with value k, every item i it
        covers with d_i > 0 and group g it names whose suppliers with an offer of i in the model are in more than
        k countries, and each of those countries c (elsewhere the rule always holds). Per rule and group, not
        per (i, c) alone: a group may hold some of a country's suppliers only (`supplier:S5 | country:DE`), and
        only those count."""
        index, _ = country_columns(ctx)
        n = len(index[0])
        return Columns(self.name, index, np.zeros(n), np.zeros(n), np.ones(n), integer=True, dims=self.dims)

    def needed(self, data: PlanningData) -> bool:
        """A max_countries rule whose group's usable offers of an item with demand are in more than k countries."""
        return any(len(units.pair) for _, units in capped_countries(plan_context(data)))

    def closes(self, data: PlanningData, model: SourcingModel, closed: np.ndarray) -> np.ndarray:
        """The purchases of the group's offers from a country whose use_country is 0."""
        ctx = BuildContext(data, data.table, model.offers, model.view)
        mask = np.zeros(len(model.offers), dtype=bool)
        shut = np.zeros(len(model.column_block(self.name)[0]), dtype=bool)
        shut[closed] = True
        for s, units, at in country_columns(ctx)[1]:
            mask[s.columns[shut[at + units.term]]] = True
        return mask


FAMILY = UseCountry()
