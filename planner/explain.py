"""Model rows and bounds -> the workbook cells a person edits.

Every row of the model comes from input rows: `Item-demand['Nd']` from the
demand cell of Nd in Items, `Policy-max-share[7, ...]` from Policy row 7,
`Policy-min-coverage[r, s, i]` from the rule and the Scenarios rows of s. Each
family names its own rows (`describe` in its module under
`planner/model/families/`: `Policy!A7 max_share country:CN 0.2 on Nd`) so that
a diagnosis or a violation reads in the user's terms, and gives each row its
scale (the quantity its slack is measured against). This module asks the
registry which family a row belongs to.
"""

from __future__ import annotations

from planner.data import PlanningData
from planner.model import registry
from planner.model.builder import HORIZON
from planner.model.periods import world
from planner.model.context import rules_by_id
from planner.model.family import RowRef

# Families that link binaries to quantities: definitions, not user rules (a family with no diagnosis tier).
DEFINITIONS = frozenset(f.name for f in registry.checked() if f.tier is None)

__all__ = ["DEFINITIONS", "RowRef", "describe", "rules_by_id"]


def describe(data: PlanningData, family: str, index: tuple) -> RowRef:
    """The input rows behind the model row `family[index]` (a KeyError for a family the registry does not know).

    With several periods, a row of a family built per period (its index ending with the period) is described on
    that period's world, and says which period: `... in period 2027`; a rule's row over the whole horizon says so.
    """
    found = registry.checked_family(family)
    if data.multi_period and found.periods == "each" and index and str(index[-1]) in (*data.period_names, HORIZON):
        period = str(index[-1])
        at = data.period_names.index(period) if period != HORIZON else 0
        inner = found.describe(world(data, at), tuple(index[:-1]))
        when = "over the whole horizon" if period == HORIZON else found.when(data, tuple(index[:-1]), period)
        # a Policy row of one period says so in its own label already
        first = inner.labels[0] if inner.labels[0].endswith(f"in period {period}") or f"in period {period} (" in \
            inner.labels[0] else f"{inner.labels[0]} {when}"
        ref = RowRef(inner.family, tuple(index), (first, *inner.labels[1:]), inner.scale)
    else:
        ref = found.describe(data, index)
    if ref.family != family:  # a family module describing its rows under another name: a programming error
        raise TypeError(f"{registry.family(family).module} describes {family}{list(index)} as {ref.family}")
    return ref
