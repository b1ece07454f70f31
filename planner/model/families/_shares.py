"""What `Policy-max-share` and `Policy-min-share` share: rows per (rule, item, group), and their check."""

from __future__ import annotations

from typing import Literal

import numpy as np

from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat, repeated, rows
from planner.model.context import BuildContext, rule_id, rules_by_id
from planner.model.family import RowRef

DIMS = ("rule", "item", "group_kind", "group")


def grouped_rows(rid: int, kind: str, item: np.ndarray, members: tuple[np.ndarray, np.ndarray, np.ndarray]
                 ) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray, np.ndarray]:
    """Rows (rule id, item, group kind, group name), one per pair with at least one column, in item then group
    order: (index with item codes, row of each term, column of each term, item code of each row)."""
    columns, codes, names = members
    items = item[columns]
    pairs, first, row = np.unique(items.astype(np.int64) * max(1, len(names)) + codes, return_index=True,
                                  return_inverse=True)
    n = len(pairs)
    index = (repeated(rid, n), items[first], repeated(kind, n), names[codes[first]])
    return index, row, columns, items[first]


def share_rows(family: str, ctx: BuildContext, kind: Literal["max_share", "min_share"]) -> Rows:
    """The rows of every rule of `kind`: volume of the item from the group against value * demand."""
    t, blocks = ctx.table, []
    for rule in ctx.data.rules:
        if rule.kind != kind or rule.group is None or rule.value is None:
            continue
        columns = ctx.of_rule(rule)
        index, row, terms, items = grouped_rows(rule_id(ctx.data, rule), rule.group.kind, ctx.item,
                                                ctx.members(columns, rule.group))
        bound = rule.value * t.demand[items]
        none = np.full(len(items), INF)
        blocks.append(rows(family, DIMS, (index[0], t.item_names[index[1]], index[2], index[3]), row,
                           ctx.start("buy") + terms, np.ones(len(terms)), -none if kind == "max_share" else bound,
                           bound if kind == "max_share" else none))
    return concat(family, DIMS, blocks)


def describe_share(family: str, data: PlanningData, index: tuple) -> RowRef:
    """A share row as its Policy row, with the item and group it is for when the rule covers several."""
    at = dict(zip(DIMS, index))
    item, kind, name = at["item"], at["group_kind"], at["group"]
    rule = rules_by_id(data)[at["rule"]]
    label = rule.label()
    each = rule.group is not None and rule.group.each
    if rule.item is None or each:
        label += f" ({'for ' + repr(item) if rule.item is None else ''}{' ' if rule.item is None and each else ''}" \
                 f"{'from ' + kind + ':' + name if each else ''})"
    return RowRef(family, index, (label,), max(data.items[item].demand, 1.0))


def sentence(rule: Rule, verb: str) -> str:
    """`at most 50 % of each item's demand from any one country`."""
    of = f"the demand of {rule.item}" if rule.item is not None else "each item's demand" if rule.item_class is None \
        else f"the demand of each item of class {rule.item_class}"
    share = f"{rule.value * 100:g} %" if rule.value is not None else ""
    group = ""
    if rule.group is not None:
        group = str(rule.group) if not rule.group.each else \
            (f"any one {rule.group.kind}" if verb == "at most" else f"every {rule.group.kind}")
    return f"{verb} {share} of {of} from {group}"


def group_holds_nothing(data: PlanningData, rule: Rule) -> str:
    """Why a rule on a group can never bind: its group holds no offer of its items ("" if it holds one)."""
    if rule.group is None:
        return ""
    members = data.of_rule(rule) & data.table.in_any(rule.group)
    if not members.any():
        return f"{rule.group} has no offer of {'its item' if rule.item else 'any item' if rule.item_class is None else 'any item of its class'}"
    return ""
