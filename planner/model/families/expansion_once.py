"""`Expansion-once[e]`: an expansion is built at most once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.blocks import INF, Rows, names, rows, no_rows
from planner.model.context import BuildContext
from planner.model.families._periods import decisions
from planner.model.family import RowFamily, RowRef
from planner.model.periods import HorizonContext

if TYPE_CHECKING:
    from planner.check.periods import Timeline


class ExpansionOnce(RowFamily):
    name = "Expansion-once"
    summary = "an expansion is decided in one period at most"
    dims = ("expansion",)
    tier = None  # what an expansion is: relaxing it would build a plant twice
    periods = "horizon"
    horizon_dims = ("expansion",)

    def build(self, ctx: BuildContext) -> Rows:
        """Without periods there are no expansions: an empty block."""
        return no_rows(self.name, self.dims)

    def build_horizon(self, hz: HorizonContext) -> Rows:
        """`Expansion-once[e]`: for every expansion with more than one period it may be decided in,
            sum_t expand[e, t] <= 1
        """
        found = decisions(hz.data)
        code = {name: k for k, name in enumerate(dict.fromkeys(e.name for e, _ in found))}
        per = np.bincount([code[e.name] for e, _ in found], minlength=len(code)) if found else np.zeros(0, int)
        several = [name for name, k in code.items() if per[k] > 1]
        row_of = {name: r for r, name in enumerate(several)}
        terms = [(row_of[e.name], hz.start("expand") + k) for k, (e, _) in enumerate(found) if e.name in row_of]
        row = np.array([r for r, _ in terms], dtype=np.int64)
        column = np.array([c for _, c in terms], dtype=np.int64)
        return rows(self.name, self.horizon_dims, (names(several),), row, column, np.ones(len(terms)),
                    np.full(len(several), -INF), np.ones(len(several)))

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        e = data.expansions[str(index[0])]
        return RowRef(self.name, index, (f"{data.cell('Expansions', 'expansion', e.row)} expansion '{e.name}' is "
                                         "built once at most",), 1.0)

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return []

    def check_horizon(self, data: PlanningData, plan: Timeline) -> list[str]:
        """Each built expansion is a known one, decided no earlier than its `earliest` period, in time to deliver
        by the last period (a plan states one decision period per expansion, so once at most holds by form)."""
        order = {name: k for k, name in enumerate(data.period_names)}
        bad = []
        for name, period in plan.builds.items():
            e = data.expansions.get(name)
            if e is None or period not in order:
                bad.append(f"Expansion-once: builds '{name}' in period {period}, which Expansions or Periods lack")
                continue
            if e.earliest is not None and order[period] < order[e.earliest]:
                bad.append(f"Expansion-once: '{name}' is decided in period {period}, before its earliest {e.earliest}")
            if order[period] + e.lead_time > len(order) - 1:
                bad.append(f"Expansion-once: '{name}' decided in period {period} would deliver after the last period")
        return bad


FAMILY = ExpansionOnce()
