"""Validated data -> the sourcing model (step 3 of the pipeline), family by family from the registry.

`build` asks each family of `planner.model.registry` for its block, in
model order: the variable families first (each learns where its columns
start), then the bounds on them, then the row families. Every family
computes its block with whole-array operations (no Python loop per offer),
so a model of millions of offers builds in seconds.

Every model any code path builds passes through `build`, and every hook
registered with `observe_builds` sees it: the tests use this one hook to
compare each model with an independent formulation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from planner.data import PlanningData
from planner.model import registry
from planner.model.blocks import Columns, Rows
from planner.model.container import SourcingModel, View
from planner.model.context import BuildContext, model_offers
from planner.model.family import Family
from planner.model.outer import Cut

B = TypeVar("B", Columns, Rows)

BuildHook = Callable[[PlanningData, View, SourcingModel], None]
_hooks: list[BuildHook] = []


def build(data: PlanningData, view: View = "plan", cuts: tuple[Cut, ...] = ()) -> SourcingModel:
    """Build the sourcing model from plain data, one family at a time.

    `view="plan"` is the model that is solved: excluded offers get no
    variable. `view="diagnose"` is the same feasible set written so that
    every input that restricts it is a row or a bound that an IIS or an
    elastic re-solve can point at: excluded offers get a variable and a
    `Policy-exclude` row, and the big-M of the on/off rows is the item's
    demand, not a capacity (which may itself be relaxed).

    `cuts` are tangent points of convex rules that solves added
    (`HighsModel.cut_pool`): the model then holds their rows too, exactly the
    rows that HiGHS instance holds (`planner/model/outer.py`).
    """
    ctx = BuildContext(data, data.table, model_offers(data, view), view, cuts=tuple(cuts))
    columns: list[Columns] = []
    at = 0
    for family in registry.variables():
        if view in family.views:
            ctx.starts[family.name] = at
            columns.append(_declared(family, family.build(ctx)))
            at += len(columns[-1])
    names = [c.name for c in columns]
    for bound in registry.bounds():
        if view in bound.views:
            k = names.index(bound.variable)
            bounded = bound.build(ctx, columns[k])
            if bounded.name != columns[k].name or bounded.dims != columns[k].dims or len(bounded) != len(columns[k]):
                raise TypeError(f"{bound.module} changed the columns of {bound.variable}, not only their bounds")
            columns[k] = bounded
    if view == "plan":
        for family, block in zip((f for f in registry.variables() if view in f.views), columns):
            if family.integer and family.needed(data) != bool(len(block)):
                raise TypeError(f"{family.module}: needed() says {family.needed(data)}, build() made {len(block)} "
                                "columns (the Run sheet would call the model LP or MIP wrongly)")
    families = [family for family in registry.row_families() if view in family.views]
    rows = tuple(_declared(family, family.build(ctx)) for family in families)
    outer = tuple(spec for family in families for spec in [family.outer(ctx)] if spec is not None and len(spec))
    model = SourcingModel(tuple(columns), rows, ctx.position, view, outer, tuple(cuts))
    for hook in tuple(_hooks):
        hook(data, view, model)
    return model


def _declared(family: Family, block: B) -> B:
    """The block a family built, if it is named and indexed as the family declares (else a programming error)."""
    if block.name != family.name or block.dims != family.dims:
        raise TypeError(f"{family.module} built {block.name}{list(block.dims)}, but declares "
                        f"{family.name}{list(family.dims)}")
    if isinstance(block, Columns) and block.integer != family.integer:  # type: ignore[attr-defined]
        raise TypeError(f"{family.module} built {'binary' if block.integer else 'continuous'} columns, but declares "
                        f"integer = {family.integer}")  # type: ignore[attr-defined]
    return block


@contextmanager
def observe_builds(hook: BuildHook) -> Iterator[None]:
    """Call `hook(data, view, model)` on every model `build` makes while the context is open."""
    _hooks.append(hook)
    try:
        yield
    finally:
        _hooks.remove(hook)
