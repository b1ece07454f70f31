"""Rules that cannot hold whatever the plan: rows with no variable that are false, named before solving."""

from __future__ import annotations

from planner.data import PlanningData
from planner.model import registry


def structural_conflicts(data: PlanningData) -> list[str]:
    """Every family's rows that would have no variable yet ask for something (`CheckedFamily.conflicts`).

    They are found here, before solving, so the message names the rows at
    fault instead of a solver status. With several periods, a family built per
    period is asked on each period's world (what it finds is said of that
    period: an item's offers all excluded in one period may be met from
    stock, so `Item-demand`, a family of one period, is not asked), and a
    family built over the horizon on the data.
    """
    if not data.multi_period:
        conflicts = [message for family in registry.checked() for message in family.conflicts(data)]
        return sorted(set(conflicts), key=conflicts.index)
    from planner.model.periods import world

    conflicts = [message for family in registry.checked() if family.periods == "horizon"
                 for message in family.conflicts(data)]
    for t, period in enumerate(data.period_names):
        w = world(data, t)
        conflicts += [f"in period {period}: {message}" for family in registry.checked() if family.periods == "each"
                      for message in family.conflicts(w)]
    return sorted(set(conflicts), key=conflicts.index)
