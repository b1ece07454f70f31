"""Model rows and bounds -> the workbook cells a person edits.

Every row of the model comes from input rows: `Item-demand['Nd']` from the
demand cell of Nd in Items, `Policy-max-share[7, ...]` from Policy row 7,
`Policy-min-coverage[r, s, i]` from the rule and the Scenarios rows of s. This
module names them (`Policy!A7 max_share country:CN 0.2 on Nd`) so that a
diagnosis or a violation reads in the user's terms, and gives each row its
scale (the quantity its slack is measured against).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.data import PlanningData, Rule
from planner.model import rule_id

# Families that link binaries to quantities: definitions, not user rules.
DEFINITIONS = frozenset({"Supplier-use", "Offer-use"})


@dataclass(frozen=True)
class RowRef:
    """One model row or bound, named as in `models/formulation.md` and as in the workbook."""

    family: str  # "Policy-max-share"
    index: tuple  # the constraint's index, () for a scalar
    labels: tuple[str, ...]  # the input rows behind it, as the user knows them
    scale: float  # the quantity a violation of the row is measured against

    @property
    def name(self) -> str:
        inside = ",".join(str(part) for part in self.index)
        return f"{self.family}[{inside}]" if self.index else self.family

    @property
    def what(self) -> str:
        return "; ".join(self.labels)


def rules_by_id(data: PlanningData) -> dict[int, Rule]:
    return {rule_id(data, rule): rule for rule in data.rules}


def describe(data: PlanningData, family: str, index: tuple) -> RowRef:
    """The input rows behind the model row `family[index]`."""
    rules = rules_by_id(data)
    if family == "Item-demand":
        (item,) = index
        d = data.items[item]
        return RowRef(family, index, (f"{data.where('Items', d, 'demand')} demand {d.demand:g} of '{item}'",),
                      max(d.demand, 1.0))
    if family == "Supplier-capacity":
        (name,) = index
        s = data.suppliers[name]
        return RowRef(family, index, (f"{data.where('Suppliers', s, 'capacity')} capacity {s.capacity:g} of '{name}'",),
                      max(s.capacity, 1.0))
    if family in ("Offer-capacity", "Offer-min-order", "Offer-use", "Supplier-use"):
        item, supplier = index
        o = data.offers[item, supplier]
        scale = max(data.items[item].demand, 1.0)
        if family == "Offer-capacity":
            label = f"{data.where('Offers', o, 'capacity')} capacity {o.capacity:g} of '{item}' from '{supplier}'"
        elif family == "Offer-min-order":
            label = f"{data.where('Offers', o, 'min_order')} min_order {o.min_order:g} of '{item}' from '{supplier}'"
        else:
            label = f"{family} of '{item}' from '{supplier}' (links the quantity to its on/off decision)"
        return RowRef(family, index, (label,), scale)
    if family in ("Policy-max-share", "Policy-min-share"):
        r, item, kind, name = index
        rule = rules[r]
        label = rule.label()
        each = rule.group is not None and rule.group.each
        if rule.item is None or each:
            label += f" ({'for ' + repr(item) if rule.item is None else ''}{' ' if rule.item is None and each else ''}" \
                     f"{'from ' + kind + ':' + name if each else ''})"
        return RowRef(family, index, (label,), max(data.items[item].demand, 1.0))
    if family == "Policy-exclude":
        r, item, supplier = index
        return RowRef(family, index, (f"{rules[r].label()} ('{item}' from '{supplier}')",),
                      max(data.items[item].demand, 1.0))
    if family == "Policy-min-coverage":
        r, scenario, item = index
        label = f"{rules[r].label()} (in scenario '{scenario}', for '{item}')"
        hits = [h.label() for h in data.scenario_hits if h.scenario == scenario and (h.item is None or h.item == item)
                and any(data.in_group(o, h.group) for o in data.offers.values() if o.item == item)]
        return RowRef(family, index, (label, *hits), max(data.items[item].demand, 1.0))
    return RowRef(family, index, (family,), 1.0)
