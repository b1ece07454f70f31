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
import numpy as np

from planner.model.blocks import Columns, Rows, concat, names, repeated
from planner.model.container import SourcingModel, View
from planner.model.context import BuildContext, model_offers, rule_id
from planner.model.family import Family
from planner.model.outer import Cut
from planner.model.periods import Horizon, HorizonContext, horizon_rule

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
    if data.multi_period:
        model = _build_periods(data, view, tuple(cuts))
        for hook in tuple(_hooks):
            hook(data, view, model)
        return model
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


def _build_periods(data: PlanningData, view: View, cuts: tuple[Cut, ...]) -> SourcingModel:
    """The model of several periods (`planner/model/periods.py`): each family with `periods = "each"` built per
    arrival period from that period's world and stacked, its index gaining `period`; each `"horizon"` family built
    once over all periods; `"single"` families left out. Rows of a rule over the whole horizon (`max_spend` with a
    blank period) are summed over the periods into one row, period `HORIZON`."""
    hz = Horizon(data, view)
    contexts = [BuildContext(w, w.table, hz.arriving[t], view, cuts=cuts, reach=hz.reach(t), period=hz.names[t])
                for t, w in enumerate(hz.worlds)]
    union = BuildContext(data, data.table, np.unique(hz.position), view, cuts=cuts)
    hctx = HorizonContext(data, hz, view, contexts, union)
    for c in contexts:
        object.__setattr__(c, "horizon", hctx)
    parts: dict[str, list[Columns] | Columns] = {}
    at = 0
    for family in registry.variables():
        if view not in family.views or family.periods == "single":
            continue
        if family.periods == "horizon":
            block = _declared(family, family.build_horizon(hctx), several=True)
            for c in contexts:
                c.starts[family.name] = at
            parts[family.name] = block
            size = len(block)
        else:
            blocks, size = [], 0
            for c in contexts:
                c.starts[family.name] = at + size
                blocks.append(_declared(family, family.build(c)))
                size += len(blocks[-1])
            parts[family.name] = blocks
        hctx.starts[family.name] = at
        at += size
    for bound in registry.bounds():
        if view not in bound.views or bound.variable not in parts or bound.periods == "single":
            continue
        target = parts[bound.variable]
        if isinstance(target, list):
            parts[bound.variable] = [bound.build(c, b) for c, b in zip(contexts, target)]
        else:
            parts[bound.variable] = bound.build_horizon(hctx, target)  # type: ignore[call-arg]
    columns = [p if isinstance(p, Columns) else _stack_columns(p, hz.names) for p in parts.values()]
    families = [f for f in registry.row_families() if view in f.views and f.periods != "single"]
    rows: list[Rows] = []
    outer = []
    for family in families:
        if family.periods == "horizon":
            rows.append(_declared(family, family.build_horizon(hctx), several=True))
            continue
        blocks = [_declared(family, family.build(c)) for c in contexts]
        rows.append(_merge_horizon_rules(data, family, _stack_rows(family, blocks, hz.names)))
        outer.extend(spec for c in contexts for spec in [family.outer(c)] if spec is not None and len(spec))
    return SourcingModel(tuple(columns), tuple(rows), hz.position, view, tuple(outer), cuts, periods=hz.period,
                         period_names=hz.names)


HORIZON = "(horizon)"  # the `period` of a rule's row over the whole horizon


def _stack_columns(blocks: list[Columns], names: tuple[str, ...]) -> Columns:
    first = blocks[0]
    filled = [b for b in blocks if len(b)]
    index = tuple(np.concatenate([b.index[p] for b in filled]) if filled else np.zeros(0, dtype=object)
                  for p in range(len(first.dims)))
    period = np.concatenate([repeated(names[t], len(b)) for t, b in enumerate(blocks) if len(b)]) if filled else \
        np.zeros(0, dtype=object)
    return Columns(first.name, (*index, period), np.concatenate([b.cost for b in blocks]),
                   np.concatenate([b.lower for b in blocks]), np.concatenate([b.upper for b in blocks]),
                   first.integer, (*first.dims, "period"))


def _stack_rows(family: Family, blocks: list[Rows], names: tuple[str, ...]) -> Rows:
    dims = (*family.dims, "period")
    filled = [b for b in blocks if len(b)]
    if not filled:
        return Rows(family.name, (), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0),
                    np.zeros(0), np.zeros(0), dims)
    period = np.concatenate([repeated(names[t], len(b)) for t, b in enumerate(blocks) if len(b)])
    merged = concat(family.name, family.dims, filled)
    return Rows(family.name, (*merged.index, period), merged.start, merged.column, merged.coef, merged.lower,
                merged.upper, dims)


def _merge_horizon_rules(data: PlanningData, family: Family, block: Rows) -> Rows:
    """Rows of rules over the whole horizon, one per period as built, summed into one row per index (the sum of
    the periods' left-hand sides within the same bounds), with period `HORIZON`."""
    if not len(block) or "rule" not in block.dims:
        return block
    horizon_ids = {rule_id(data, r) for r in data.rules if horizon_rule(data, r)}
    if not horizon_ids:
        return block
    rule = block.coord("rule")
    merge = np.isin(rule, list(horizon_ids))
    if not merge.any():
        return block
    keys = [tuple(block.label(k)[:-1]) for k in range(len(block))]
    groups: dict[tuple, list[int]] = {}
    order: list[tuple[bool, object]] = []
    for k in range(len(block)):
        if merge[k]:
            if keys[k] not in groups:
                groups[keys[k]] = []
                order.append((True, keys[k]))
            groups[keys[k]].append(k)
        else:
            order.append((False, k))
    index: list[list] = [[] for _ in block.dims]
    start, column, coef, lower, upper = [0], [], [], [], []
    for merged, what in order:
        ks = groups[what] if merged else [what]  # type: ignore[index]
        label = (*what, HORIZON) if merged else block.label(what)  # type: ignore[misc, arg-type]
        for p, v in enumerate(label):
            index[p].append(v)
        for k in ks:
            a, b = block.start[k], block.start[k + 1]
            column.append(block.column[a:b])
            coef.append(block.coef[a:b])
        start.append(start[-1] + sum(block.start[k + 1] - block.start[k] for k in ks))
        lower.append(block.lower[ks[0]])
        upper.append(block.upper[ks[0]])
    return Rows(block.family, tuple(names(v) for v in index), np.array(start, dtype=np.int64),
                np.concatenate(column).astype(np.int32), np.concatenate(coef), np.array(lower, dtype=float),
                np.array(upper, dtype=float), block.dims)


def _declared(family: Family, block: B, several: bool = False) -> B:
    """The block a family built, if it is named and indexed as the family declares (else a programming error)."""
    dims = family.period_dims(several) if several else family.dims
    if block.name != family.name or block.dims != dims:
        raise TypeError(f"{family.module} built {block.name}{list(block.dims)}, but declares "
                        f"{family.name}{list(dims)}")
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
