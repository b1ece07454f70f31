"""Rules that cannot hold whatever the plan: rows with no variable that are false, named before solving."""

from __future__ import annotations

from planner.data import PlanningData
from planner.model import registry


def structural_conflicts(data: PlanningData) -> list[str]:
    """Every family's rows that would have no variable yet ask for something (`CheckedFamily.conflicts`).

    They are found here, before solving, so the message names the rows at
    fault instead of a solver status.
    """
    conflicts = [message for family in registry.checked() for message in family.conflicts(data)]
    return sorted(set(conflicts), key=conflicts.index)
