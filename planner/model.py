"""Validated data -> the sourcing model (step 3 of the pipeline).

`build` writes the model one family at a time, as blocks of numbers: each
`add_*` function below states in its docstring when its family applies and
its algebra, with the symbols of `models/formulation.md`, and computes the
family's rows from the data with whole-array operations (no Python loop per
offer), so a model of millions of offers builds in seconds.

The blocks are the formulation's one definition. They go to HiGHS as they
are (`planner.solver.HighsModel`), and `create_model` renders the same blocks
as a Pyomo model, with the same names: a `Var` per variable family and a
`Constraint` per row family (`Item-demand`, `Policy-max-share`, ...), for
anyone who wants to read, print or extend the model in Pyomo. The name a
family carries (`Item-demand`, ...) is the name in the formulation document
and in every message about it.

Index sets are sparse: variables exist only for usable offers (offers that
exist and are not excluded), and a row exists only where it involves at
least one variable. Rows that would involve none are either trivially true
(skipped) or trivially false: `structural_conflicts` names those before any
model is built.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from planner.data import Group, GroupSpec, OfferTable, PlanningData, Rule

if TYPE_CHECKING:
    import pyomo.environ as pyo

INF = math.inf

# Family name -> one line of meaning. The formulation document describes each.
FAMILIES: dict[str, str] = {
    "Total-cost": "objective: landed cost of all purchases plus fixed costs of the suppliers used",
    "Offer-capacity": "bound: buy[o] <= capacity of the offer",
    "Item-demand": "the purchases of an item add up to its demand",
    "Supplier-capacity": "a supplier's purchases over all items stay within its capacity",
    "Supplier-use": "a supplier with a fixed cost delivers only if its fixed cost is paid",
    "Offer-use": "an offer with a minimum order delivers only if it is opened",
    "Offer-min-order": "an opened offer delivers at least its minimum order",
    "Policy-max-share": "a group's volume of an item is at most a share of demand",
    "Policy-min-share": "a group's volume of an item is at least a share of demand",
    "Policy-exclude": "offers of an excluded group get no variable (set restriction); a row buy <= 0 when diagnosing",
    "Policy-min-coverage": "in every scenario, the surviving volume of an item covers a share of demand",
}

View = Literal["plan", "diagnose"]


def rule_id(data: PlanningData, rule: Rule) -> int:
    """The index a rule has in row names: its Policy row (position+1 for rules built in code)."""
    return rule.row if rule.row is not None else data.rules.index(rule) + 1


# ---- the model as blocks of numbers ----

def _label(index: tuple[np.ndarray, ...], k: int) -> tuple:
    return tuple(part[k].item() if isinstance(part[k], np.generic) else part[k] for part in index)


@dataclass(frozen=True, eq=False)
class Columns:
    """One family of variables: `name[index]` for each position, with cost, bounds and domain."""

    name: str
    index: tuple[np.ndarray, ...]  # one array per index position: variable k is name[index[0][k], ...]
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray  # inf: no bound
    integer: bool

    def __len__(self) -> int:
        return len(self.cost)

    def label(self, k: int) -> tuple:
        return _label(self.index, k)


@dataclass(frozen=True, eq=False)
class Rows:
    """One family of rows `lower <= sum_j coef * x_j <= upper`, stored row-wise (CSR)."""

    family: str
    index: tuple[np.ndarray, ...]  # row k is family[index[0][k], ...]
    start: np.ndarray  # row k's terms are start[k]:start[k+1]
    column: np.ndarray  # model-wide column positions
    coef: np.ndarray
    lower: np.ndarray  # -inf / inf: no bound
    upper: np.ndarray

    def __len__(self) -> int:
        return len(self.lower)

    def label(self, k: int) -> tuple:
        return _label(self.index, k)


def _rows(family: str, index: tuple[np.ndarray, ...], row: np.ndarray, column: np.ndarray, coef: np.ndarray,
          lower: np.ndarray, upper: np.ndarray) -> Rows:
    """A `Rows` block from terms (row, column, coef) in any order; terms keep their order within a row."""
    n = len(lower)
    order = np.argsort(row, kind="stable")
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=start[1:])
    # int32 columns: what HiGHS takes, so the hand-off needs no copy (a model has far fewer than 2**31 columns)
    return Rows(family, index, start, np.asarray(column, dtype=np.int32)[order], np.asarray(coef, dtype=float)[order],
                np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))


def _concat(family: str, blocks: list[Rows]) -> Rows:
    """Several blocks of one family as one."""
    if len(blocks) == 1:
        return blocks[0]
    if not blocks:
        return Rows(family, (), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0),
                    np.zeros(0), np.zeros(0))
    offsets = np.cumsum([0] + [b.start[-1] for b in blocks[:-1]])
    start = np.concatenate([[0]] + [b.start[1:] + off for b, off in zip(blocks, offsets)])
    index = tuple(np.concatenate([b.index[p] for b in blocks]) for p in range(len(blocks[0].index)))
    return Rows(family, index, start, np.concatenate([b.column for b in blocks]),
                np.concatenate([b.coef for b in blocks]), np.concatenate([b.lower for b in blocks]),
                np.concatenate([b.upper for b in blocks]))


def _repeated(value: object, n: int) -> np.ndarray:
    """An object array holding `value` n times, as one shared object (np.full makes a copy of a str per slot)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _names(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(eq=False)
class SourcingModel:
    """The model as plain numbers: variable families, row families and the objective (the columns' costs).

    Column j of the whole model is position j in the concatenated `columns`,
    row k position k in the concatenated `rows`; `column_label(j)` and
    `row_label(k)` give their names as `models/formulation.md` writes them.
    """

    columns: tuple[Columns, ...]
    rows: tuple[Rows, ...]
    offers: np.ndarray  # positions in `data.table` of the offers behind the `buy` columns
    view: View = "plan"
    _column_starts: list[int] = field(init=False, repr=False)
    _row_starts: list[int] = field(init=False, repr=False)
    _stacked_columns: list[np.ndarray] = field(init=False, repr=False)
    _stacked_row_bounds: list[np.ndarray] = field(init=False, repr=False)
    matrix: tuple[np.ndarray, np.ndarray, np.ndarray] = field(init=False, repr=False)
    """The constraint matrix row-wise, (start, column, coef) over all rows; each block's terms are views of it."""

    def __post_init__(self) -> None:
        self._column_starts = list(np.cumsum([0] + [len(c) for c in self.columns]))
        self._row_starts = list(np.cumsum([0] + [len(r) for r in self.rows]))
        self._stack_rows()

    def _stack_rows(self) -> None:
        """Stack the blocks into whole-model arrays (the row-wise matrix, costs, bounds) and make each block's
        arrays views of them: every number is held once, however the model is read (by block or whole)."""
        columns = list(self.columns)
        stacked = [np.concatenate([getattr(c, name) for c in columns]) if columns else np.zeros(0)
                   for name in ("cost", "lower", "upper")]
        at = self._column_starts
        cost, lower, upper = stacked
        self.columns = tuple(Columns(c.name, c.index, cost[at[k]:at[k + 1]], lower[at[k]:at[k + 1]],
                                     upper[at[k]:at[k + 1]], c.integer) for k, c in enumerate(columns))
        self._stacked_columns = stacked
        blocks = list(self.rows)
        offsets = np.cumsum([0] + [int(b.start[-1]) for b in blocks])
        column = np.concatenate([b.column for b in blocks]) if blocks else np.zeros(0, dtype=np.int32)
        coef = np.concatenate([b.coef for b in blocks]) if blocks else np.zeros(0)
        bounds = [np.concatenate([getattr(b, name) for b in blocks]) if blocks else np.zeros(0)
                  for name in ("lower", "upper")]
        rs = self._row_starts
        self.rows = tuple(Rows(b.family, b.index, b.start, column[offsets[k]:offsets[k + 1]],
                               coef[offsets[k]:offsets[k + 1]], bounds[0][rs[k]:rs[k + 1]], bounds[1][rs[k]:rs[k + 1]])
                          for k, b in enumerate(blocks))
        self._stacked_row_bounds = bounds
        starts = [b.start[:-1] + offsets[k] for k, b in enumerate(blocks)]
        self.matrix = (np.concatenate(starts + [np.array([offsets[-1]], dtype=np.int64)]).astype(np.int64),
                       column, coef)

    @property
    def num_columns(self) -> int:
        return int(self._column_starts[-1])

    @property
    def num_rows(self) -> int:
        return int(self._row_starts[-1])

    @property
    def is_mip(self) -> bool:
        return any(c.integer and len(c) for c in self.columns)

    def column_block(self, name: str) -> tuple[Columns, np.ndarray]:
        """The variable family `name` and the model-wide positions of its columns."""
        span = self.column_range(name)
        return self.columns[[c.name for c in self.columns].index(name)], np.arange(span.start, span.stop)

    def column_range(self, name: str) -> range:
        for k, block in enumerate(self.columns):
            if block.name == name:
                return range(self._column_starts[k], self._column_starts[k + 1])
        return range(0)

    def column_label(self, j: int) -> tuple[str, tuple]:
        k = int(np.searchsorted(self._column_starts, j, side="right")) - 1
        block = self.columns[k]
        return block.name, block.label(j - self._column_starts[k])

    def row_label(self, k: int) -> tuple[str, tuple]:
        b = int(np.searchsorted(self._row_starts, k, side="right")) - 1
        block = self.rows[b]
        return block.family, block.label(k - self._row_starts[b])

    def row_families(self) -> Iterator[tuple[str, range]]:
        for k, block in enumerate(self.rows):
            yield block.family, range(self._row_starts[k], self._row_starts[k + 1])

    def release_terms(self) -> None:
        """Drop the constraint coefficients once HiGHS holds its own copy (at millions of offers they weigh as much
        as the rest of the model). Names, bounds and costs stay; `matrix`, `shape` and `to_pyomo` then raise."""
        empty_i, empty_f = np.zeros(0, dtype=np.int32), np.zeros(0)
        self.rows = tuple(Rows(b.family, b.index, b.start, empty_i, empty_f, b.lower, b.upper) for b in self.rows)
        self.matrix = None  # type: ignore[assignment]

    def terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`matrix`, or a RuntimeError if `release_terms` dropped it."""
        if self.matrix is None:
            raise RuntimeError("the model's coefficients were released after the hand-off to HiGHS: build it again")
        return self.matrix

    @property
    def cost(self) -> np.ndarray:
        return self._stacked_columns[0]

    @property
    def col_lower(self) -> np.ndarray:
        return self._stacked_columns[1]

    @property
    def col_upper(self) -> np.ndarray:
        return self._stacked_columns[2]

    @cached_property
    def integer(self) -> np.ndarray:
        return np.concatenate([np.full(len(c), c.integer) for c in self.columns]) if self.columns else np.zeros(0, bool)

    @property
    def row_lower(self) -> np.ndarray:
        return self._stacked_row_bounds[0]

    @property
    def row_upper(self) -> np.ndarray:
        return self._stacked_row_bounds[1]

    @cached_property
    def shape(self) -> str:
        """A digest of what fixes the model's shape (names, sizes, which coefficients exist), not its numbers.

        Two models with equal shapes differ only in costs, bounds and
        coefficient values, which `HighsModel.refresh` pushes into a built
        HiGHS instance.
        """
        digest = hashlib.sha256()
        start, column, _ = self.terms()
        named: list[tuple[str, tuple[np.ndarray, ...]]] = [(c.name, c.index) for c in self.columns]
        named += [(r.family, r.index) for r in self.rows]
        for name, index in named:
            digest.update(f"{name}:{len(index[0]) if index else 0};".encode())
            for part in index:
                digest.update(repr(part.tolist()).encode())
        for array in (start, column, self.integer, np.isfinite(self.col_upper), np.isfinite(self.row_lower),
                      np.isfinite(self.row_upper), self.offers):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def size(self) -> dict[str, int]:
        return {"variables": self.num_columns, "binaries": int(self.integer.sum()), "constraints": self.num_rows}


@dataclass(frozen=True, eq=False)
class _Offers:
    """The offers that get a `buy` variable, as the families need them."""

    data: PlanningData
    table: OfferTable
    position: np.ndarray  # in `table`, for each buy column
    view: View

    @cached_property
    def item(self) -> np.ndarray:
        return self.table.item[self.position]

    @cached_property
    def supplier(self) -> np.ndarray:
        return self.table.supplier[self.position]

    @cached_property
    def country(self) -> np.ndarray:
        return self.table.country[self.position]

    @cached_property
    def by_item(self) -> tuple[np.ndarray, np.ndarray]:
        """(order, start): the columns of item code c are order[start[c]:start[c+1]]."""
        order = np.argsort(self.item, kind="stable")
        start = np.zeros(len(self.table.item_names) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.item, minlength=len(self.table.item_names)), out=start[1:])
        return order, start

    def of_item(self, item: str | None) -> np.ndarray:
        """The buy columns of `item` (None: every column)."""
        if item is None:
            return np.arange(len(self.position))
        code = self.table.code["item"].get(item)
        if code is None:
            return np.zeros(0, dtype=np.int64)
        order, start = self.by_item
        return order[start[code]:start[code + 1]]

    def big_m(self, columns: np.ndarray) -> np.ndarray:
        """The most an offer can ever deliver: min(cap_o, cap_s, d_i); only d_i when diagnosing, where capacities
        may be relaxed."""
        demand = self.table.demand[self.item[columns]]
        if self.view == "diagnose":
            return demand
        t = self.table
        return np.minimum(np.minimum(t.capacity[self.position[columns]], t.supplier_capacity[self.supplier[columns]]),
                          demand)

    def members(self, columns: np.ndarray, spec: GroupSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The columns among `columns` that are in a group the spec names: (column, group code, group names by code).

        A column in several groups (a country in several blocs) appears once
        per group. Group codes follow the order of the Suppliers or Countries
        sheet, or of the blocs' first mention.
        """
        t = self.table
        if spec.name is not None:
            inside = columns[t.in_group(Group(spec.kind, spec.name))[self.position[columns]]]
            return inside, np.zeros(len(inside), dtype=np.int64), _names([spec.name])
        if spec.kind == "bloc":
            parts = [columns[t.in_bloc[self.country[columns], b]] for b in range(len(t.bloc_names))]
            codes = [np.full(len(part), b, dtype=np.int64) for b, part in enumerate(parts)]
            return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64),
                    np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64), _names(list(t.bloc_names)))
        if spec.kind == "supplier":
            return columns, self.supplier[columns], t.supplier_names
        return columns, self.country[columns], t.country_names


def model_offers(data: PlanningData, view: View = "plan") -> np.ndarray:
    """Positions in `data.table` of the offers that get a variable: usable ones to plan; all of them to diagnose."""
    return np.flatnonzero(data.usable) if view == "plan" else np.arange(len(data.table))


def build(data: PlanningData, view: View = "plan") -> SourcingModel:
    """Build the sourcing model from plain data, one family at a time.

    `view="plan"` is the model that is solved: excluded offers get no
    variable. `view="diagnose"` is the same feasible set written so that
    every input that restricts it is a row or a bound that an IIS or an
    elastic re-solve can point at: excluded offers get a variable and a
    `Policy-exclude` row, and the big-M of the on/off rows is the item's
    demand, not a capacity (which may itself be relaxed).
    """
    offers = _Offers(data, data.table, model_offers(data, view), view)
    buy, use_supplier, use_offer = add_purchases(offers), add_supplier_use_columns(offers), add_offer_use_columns(offers)
    columns = (buy, use_supplier, use_offer)
    first_use_supplier, first_use_offer = len(buy), len(buy) + len(use_supplier)
    rows = [
        add_item_demand(offers),
        add_supplier_capacity(offers),
        add_supplier_use(offers, first_use_supplier),
        *add_offer_min_order(offers, first_use_offer),
        add_policy_shares(offers, "max_share"),
        add_policy_shares(offers, "min_share"),
        add_policy_min_coverage(offers),
    ]
    if view == "diagnose":
        rows.append(add_policy_exclude(offers))
    return SourcingModel(columns, tuple(rows), offers.position, view)


def add_purchases(o: _Offers) -> Columns:
    """Variables `buy[o]` for every usable offer o = (item, supplier), with `Offer-capacity` and their part of
    `Total-cost`.

    Applies to every offer not removed by `Policy-exclude`. Bound and cost:
        0 <= buy[o] <= cap_o            (no upper bound when capacity is blank)
        c_o * buy[o],   c_o = price_o * (1 + tariff of the supplier's country) + freight_o
    """
    t = o.table
    return Columns("buy", (t.item_names[o.item], t.supplier_names[o.supplier]), t.cost[o.position],
                   np.zeros(len(o.position)), t.capacity[o.position], integer=False)


def _fixed_suppliers(o: _Offers) -> np.ndarray:
    """Codes of the suppliers with fixed cost F_s > 0 and an offer in the model, by name."""
    t = o.table
    used = np.unique(o.supplier[t.fixed_cost[o.supplier] > 0])
    return used[np.argsort(t.supplier_names[used].astype(str), kind="stable")]


def add_supplier_use_columns(o: _Offers) -> Columns:
    """Binaries `use_supplier[s]` for every supplier with fixed cost F_s > 0 and an offer in the model, with their
    part of `Total-cost`:
        F_s * use_supplier[s]
    """
    t, used = o.table, _fixed_suppliers(o)
    return Columns("use_supplier", (t.supplier_names[used],), t.fixed_cost[used], np.zeros(len(used)),
                   np.ones(len(used)), integer=True)


def add_offer_use_columns(o: _Offers) -> Columns:
    """Binaries `use_offer[o]` for every offer in the model with minimum order q_o > 0 (no cost)."""
    t = o.table
    k = np.flatnonzero(t.min_order[o.position] > 0)
    return Columns("use_offer", (t.item_names[o.item[k]], t.supplier_names[o.supplier[k]]), np.zeros(len(k)),
                   np.zeros(len(k)), np.ones(len(k)), integer=True)


def add_item_demand(o: _Offers) -> Rows:
    """`Item-demand[i]`: for every item with at least one usable offer,
        sum_{o in O_i} buy[o] = d_i
    """
    items, row = np.unique(o.item, return_inverse=True)
    demand = o.table.demand[items]
    n = len(o.position)
    return _rows("Item-demand", (o.table.item_names[items],), row, np.arange(n), np.ones(n), demand, demand)


def add_supplier_capacity(o: _Offers) -> Rows:
    """`Supplier-capacity[s]`: for every supplier with a capacity and a usable offer,
        sum_{o in O_s} buy[o] <= cap_s
    """
    t = o.table
    capped = np.flatnonzero(np.isfinite(t.supplier_capacity[o.supplier]))
    suppliers, row = np.unique(o.supplier[capped], return_inverse=True)
    return _rows("Supplier-capacity", (t.supplier_names[suppliers],), row, capped, np.ones(len(capped)),
                 np.full(len(suppliers), -INF), t.supplier_capacity[suppliers])


def _on_off_rows(family: str, o: _Offers, columns: np.ndarray, binary: np.ndarray, coef: np.ndarray,
                 lower: float, upper: float) -> Rows:
    """One row per offer column j: buy[j] + coef * binary[j] within [lower, upper]."""
    t, n = o.table, len(columns)
    row = np.concatenate([np.arange(n), np.arange(n)])
    return _rows(family, (t.item_names[o.item[columns]], t.supplier_names[o.supplier[columns]]), row,
                 np.concatenate([columns, binary]), np.concatenate([np.ones(n), coef]),
                 np.full(n, lower), np.full(n, upper))


def add_supplier_use(o: _Offers, first: int) -> Rows:
    """`Supplier-use[o]`: for every usable offer o of a supplier s with fixed cost F_s > 0,
        buy[o] <= M_o * use_supplier[s],   M_o = min(cap_o, cap_s, d_i)
    with use_supplier[s] binary (column `first` onwards, in `_fixed_suppliers` order). One row per offer
    rather than per supplier: the disaggregated form has the tighter LP relaxation.
    """
    columns = np.flatnonzero(o.table.fixed_cost[o.supplier] > 0)
    binary_of = np.zeros(len(o.table.supplier_names), dtype=np.int64)
    binary_of[_fixed_suppliers(o)] = first + np.arange(len(_fixed_suppliers(o)))
    return _on_off_rows("Supplier-use", o, columns, binary_of[o.supplier[columns]], -o.big_m(columns), -INF, 0.0)


def add_offer_min_order(o: _Offers, first: int) -> tuple[Rows, Rows]:
    """`Offer-use[o]` and `Offer-min-order[o]`: for every usable offer with minimum order q_o > 0,
        buy[o] <= M_o * use_offer[o]
        buy[o] >= q_o * use_offer[o]
    with use_offer[o] binary: buy[o] is 0 or in [q_o, M_o].
    """
    columns = np.flatnonzero(o.table.min_order[o.position] > 0)
    binary = first + np.arange(len(columns))
    return (_on_off_rows("Offer-use", o, columns, binary, -o.big_m(columns), -INF, 0.0),
            _on_off_rows("Offer-min-order", o, columns, binary, -o.table.min_order[o.position[columns]], 0.0, INF))


def _grouped_rows(rid: int, kind: str, item: np.ndarray, members: tuple[np.ndarray, np.ndarray, np.ndarray]
                  ) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray, np.ndarray]:
    """Rows (rule id, item, group kind, group name), one per pair with at least one column, in item then group order:
    (index with item codes, row of each term, column of each term, item code of each row)."""
    columns, codes, names = members
    items = item[columns]
    pairs, first, row = np.unique(items.astype(np.int64) * max(1, len(names)) + codes, return_index=True,
                                  return_inverse=True)
    n = len(pairs)
    index = (_repeated(rid, n), items[first], _repeated(kind, n), names[codes[first]])
    return index, row, columns, items[first]


def add_policy_shares(o: _Offers, kind: Literal["max_share", "min_share"]) -> Rows:
    """`Policy-max-share[r, i, g]` and `Policy-min-share[r, i, g]`: for rule r with value v,
    every item i it covers and every group g it names (each member, for `each ...`):
        sum_{o in O_i, o in g} buy[o] <= v * d_i      (max_share)
        sum_{o in O_i, o in g} buy[o] >= v * d_i      (min_share)
    Only rows with at least one offer in the group: an empty max-share row is
    always true, an empty min-share row is a structural conflict.
    """
    family = "Policy-max-share" if kind == "max_share" else "Policy-min-share"
    t, blocks = o.table, []
    for rule in o.data.rules:
        if rule.kind != kind or rule.group is None or rule.value is None:
            continue
        columns = o.of_item(rule.item)
        index, row, terms, items = _grouped_rows(rule_id(o.data, rule), rule.group.kind, o.item,
                                                 o.members(columns, rule.group))
        bound = rule.value * t.demand[items]
        none = np.full(len(items), INF)
        blocks.append(_rows(family, (index[0], t.item_names[index[1]], index[2], index[3]), row, terms,
                            np.ones(len(terms)), -none if kind == "max_share" else bound,
                            bound if kind == "max_share" else none))
    return _concat(family, blocks)


@dataclass(frozen=True)
class _Coverage:
    """For one min_coverage rule and one scenario, per buy column and per item code of the columns."""

    rid: int
    scenario: str
    columns: np.ndarray  # buy columns the rule covers
    level: np.ndarray  # a_{s,o} of those columns
    bound: np.ndarray  # v * d_i per item code
    hit: np.ndarray  # bool per item code: the scenario cuts some covered offer of the item
    zero: np.ndarray  # bool per item code: the scenario stops every covered offer of the item (that has one)


def _coverage(o: _Offers) -> Iterator[_Coverage]:
    t = o.table
    n_items = len(t.item_names)
    for rule in o.data.rules:
        if rule.kind != "min_coverage" or rule.value is None:
            continue
        columns = o.of_item(rule.item)
        items = o.item[columns]
        count = np.bincount(items, minlength=n_items)
        for scenario in o.data.scenarios:
            level = o.data.availability_levels(scenario)[o.position[columns]]
            cut = np.bincount(items, weights=level < 1.0, minlength=n_items) > 0
            alive = np.bincount(items, weights=level > 0.0, minlength=n_items) > 0
            yield _Coverage(rule_id(o.data, rule), scenario, columns, level, rule.value * t.demand,
                            cut, (count > 0) & ~alive)


def add_policy_min_coverage(o: _Offers) -> Rows:
    """`Policy-min-coverage[r, s, i]`: for min_coverage rule r with value v, every item i it covers
    and every scenario s that hits an offer of i:
        sum_{o in O_i} a_{s,o} * buy[o] >= v * d_i
    where a_{s,o} is the lowest availability any row of s gives offer o (1 if none hits it).
    Rows asking for nothing (v * d_i = 0) are left out, and so are rows where s
    stops every offer of i (a structural conflict, named before solving).
    """
    family, t, blocks = "Policy-min-coverage", o.table, []
    for c in _coverage(o):
        keep_item = c.hit & (c.bound > 0) & ~c.zero
        items = o.item[c.columns]
        take = keep_item[items] & (c.level > 0)
        codes, row = np.unique(items[take], return_inverse=True)
        n = len(codes)
        index = (_repeated(c.rid, n), _repeated(c.scenario, n), t.item_names[codes])
        blocks.append(_rows(family, index, row, c.columns[take], c.level[take], c.bound[codes], np.full(n, INF)))
    return _concat(family, blocks)


def add_policy_exclude(o: _Offers) -> Rows:
    """`Policy-exclude[r, i, s]` (diagnose view only): for exclude rule r and every offer o = (i, s) it removes,
        buy[o] <= 0
    In the plan view the same rule is a set restriction: o gets no variable.
    """
    data = o.data
    rows = sorted({(rule_id(data, r), key[0], key[1]) for key, rules in data.excluded_by.items() for r in rules})
    position = data.table.position  # in the diagnose view, buy column j is table position j
    columns = np.array([position[i, s] for _, i, s in rows], dtype=np.int64)
    index = tuple(_names([r[p] for r in rows]) for p in range(3))
    return _rows("Policy-exclude", index, np.arange(len(rows)), columns, np.ones(len(rows)),
                 np.full(len(rows), -INF), np.zeros(len(rows)))


# ---- rows with no variable ----

def empty_min_share_rows(data: PlanningData, view: View, items: str = "with demand"
                         ) -> list[tuple[Rule, str, Group]]:
    """(rule, item, group) of min_share rows with a positive value whose group has no offer of the item.

    `items="with demand"` looks at items with demand > 0, `"with offers"` at
    items with at least one offer in the view.
    """
    o = _Offers(data, data.table, model_offers(data, view), view)
    t = o.table
    out: list[tuple[Rule, str, Group]] = []
    count = np.bincount(o.item, minlength=len(t.item_names))
    for rule in data.rules:
        if rule.kind != "min_share" or rule.group is None or not rule.value:
            continue
        names = data.rule_items(rule)
        present: set[tuple[int, str]] = set()
        columns, codes, group_names = o.members(o.of_item(rule.item), rule.group)
        present.update(zip(o.item[columns].tolist(), group_names[codes].tolist()))
        groups = data.groups(rule.group)
        for name in names:
            code = t.code["item"][name]
            if (items == "with demand" and data.items[name].demand <= 0) or (items == "with offers" and not count[code]):
                continue
            out.extend((rule, name, g) for g in groups if (code, g.name) not in present)
    return out


def zero_coverage_rows(data: PlanningData, view: View) -> list[tuple[int, str, str, float]]:
    """(rule id, scenario, item, v * d_i) of coverage rows where the scenario stops every offer of the item that
    the view has, though the rule asks for something and the scenario cuts an offer."""
    o = _Offers(data, data.table, model_offers(data, view), view)
    names = o.table.item_names
    return [(c.rid, c.scenario, names[code], float(c.bound[code]))
            for c in _coverage(o) for code in np.flatnonzero(c.zero & c.hit & (c.bound > 0))]


def structural_conflicts(data: PlanningData) -> list[str]:
    """Rules that cannot hold whatever the plan: rows with no variable that are false.

    They are found here, before solving, so the message names the rows at
    fault instead of a solver status.
    """
    conflicts: list[str] = []
    count = np.bincount(data.table.item[data.usable], minlength=len(data.items))
    for code, item in enumerate(data.items.values()):
        if item.demand > 0 and not count[code]:
            where = f"{data.where('Items', item, 'demand')} " if item.row is not None or item.origin else ""
            excluded = sorted({r.label() for key, rules in data.excluded_by.items() if key[0] == item.name for r in rules})
            reason = f"every offer is excluded by {'; '.join(excluded)}" if excluded else "there is no offer for it in Offers"
            conflicts.append(f"Item-demand: {where}demand {item.demand:g} of '{item.name}' cannot be bought: {reason}")
    for rule, item_name, group in empty_min_share_rows(data, "plan"):
        conflicts.append(f"Policy-min-share: {rule.label()} asks for {rule.value:g} of '{item_name}' "
                         f"from {group}, which has no usable offer for it")
    for _, scenario, item_name, _ in zero_coverage_rows(data, "plan"):
        rule_labels = "; ".join(r.label() for r in data.rules if r.kind == "min_coverage"
                                and (r.item is None or r.item == item_name))
        conflicts.append(f"Policy-min-coverage: scenario '{scenario}' stops every usable offer of "
                         f"'{item_name}', so {rule_labels} cannot hold")
    return sorted(set(conflicts), key=conflicts.index)


# ---- the same model in Pyomo ----

def create_model(data: PlanningData, view: View = "plan") -> pyo.ConcreteModel:
    """The model `build` makes, as a Pyomo model: one `Var` per variable family (`buy`, `use_supplier`,
    `use_offer`, indexed as in the formulation), one `Constraint` per row family, named as the family, and the
    objective `Total-cost`. `m.OFFERS` is the index set of `buy`."""
    return to_pyomo(build(data, view))


def to_pyomo(model: SourcingModel) -> pyo.ConcreteModel:
    """A `SourcingModel` as Pyomo components, row for row and coefficient for coefficient."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    model.terms()  # raises if the coefficients were released
    m = pyo.ConcreteModel(name="planner")
    variables = []
    for block in model.columns:
        labels = [_pyomo_index(block.label(k)) for k in range(len(block))]
        if block.name == "buy":
            m.OFFERS = pyo.Set(initialize=labels, dimen=2, ordered=True)
            labels_set: object = m.OFFERS
        else:
            labels_set = labels
        var = pyo.Var(labels_set, domain=pyo.Binary if block.integer else pyo.NonNegativeReals, dense=True)
        m.add_component(block.name, var)
        for k, label in enumerate(labels):
            v = var[label]
            v.setlb(float(block.lower[k]))
            v.setub(float(block.upper[k]) if math.isfinite(block.upper[k]) else None)
            variables.append(v)
    for family in model.rows:
        labels = [_pyomo_index(family.label(k)) for k in range(len(family))]
        position = {label: k for k, label in enumerate(labels)}

        def rule(_m: object, *index: object, family: Rows = family, position: dict = position) -> object:
            k = position[index[0] if len(index) == 1 else index]
            terms = slice(family.start[k], family.start[k + 1])
            body = LinearExpression(constant=0, linear_coefs=[float(c) for c in family.coef[terms]],
                                    linear_vars=[variables[j] for j in family.column[terms]])
            lower, upper = float(family.lower[k]), float(family.upper[k])
            if lower == upper:
                return body == lower
            return (lower if math.isfinite(lower) else None, body, upper if math.isfinite(upper) else None)

        m.add_component(family.family, pyo.Constraint(labels, rule=rule))
    objective = LinearExpression(constant=0, linear_coefs=[float(c) for c in model.cost], linear_vars=variables)
    m.add_component("Total-cost", pyo.Objective(expr=objective, sense=pyo.minimize))
    return m


def _pyomo_index(label: tuple) -> object:
    return label[0] if len(label) == 1 else label


def from_pyomo(m: pyo.ConcreteModel, data: PlanningData | None = None) -> SourcingModel:
    """Any linear Pyomo model as a `SourcingModel`: a `Columns` block per `Var`, a `Rows` block per `Constraint`,
    each row compiled by Pyomo's `generate_standard_repn` (the straightforward path, one row at a time).

    With `data`, the `buy[i, s]` variables are tied to their offers so that a
    plan can be read out. Lets a model extended in Pyomo be solved by
    `planner.solver.HighsModel` like the planner's own.
    """
    import pyomo.environ as pyo
    from pyomo.repn.standard_repn import generate_standard_repn

    column_of: dict[int, int] = {}
    columns: list[Columns] = []
    for var in m.component_objects(pyo.Var, active=True, descend_into=True):
        members = list(var.values())
        labels = [_as_tuple(v.index()) for v in members]
        for v in members:
            column_of[id(v)] = len(column_of)
        columns.append(Columns(
            var.name, tuple(_names([lab[p] for lab in labels]) for p in range(len(labels[0]) if labels else 0)),
            np.zeros(len(members)), np.array([-INF if v.lb is None else v.lb for v in members], dtype=float),
            np.array([INF if v.ub is None else v.ub for v in members], dtype=float),
            integer=any(v.is_integer() for v in members)))
    rows: list[Rows] = []
    for con in m.component_objects(pyo.Constraint, active=True, descend_into=True):
        labels, terms_row, terms_col, terms_coef, lower, upper = [], [], [], [], [], []
        for k, c in enumerate(con.values()):
            repn = generate_standard_repn(c.body, quadratic=False)
            if repn.nonlinear_expr is not None:
                raise ValueError(f"{c.name} is not linear")
            for var, coef in zip(repn.linear_vars, repn.linear_coefs):
                terms_row.append(k)
                terms_col.append(column_of[id(var)])
                terms_coef.append(float(coef))
            constant = float(repn.constant)
            lower.append(-INF if c.lb is None else float(pyo.value(c.lb)) - constant)
            upper.append(INF if c.ub is None else float(pyo.value(c.ub)) - constant)
            labels.append(_as_tuple(c.index()))
        index = tuple(_names([lab[p] for lab in labels]) for p in range(len(labels[0]) if labels else 0))
        rows.append(_rows(con.name, index, np.array(terms_row, dtype=np.int64), np.array(terms_col, dtype=np.int64),
                          np.array(terms_coef), np.array(lower), np.array(upper)))
    (objective,) = list(m.component_data_objects(pyo.Objective, active=True))
    if objective.sense != pyo.minimize:
        raise ValueError("the planner's models minimise cost")
    repn = generate_standard_repn(objective.expr, quadratic=False)
    cost = np.zeros(len(column_of))
    for var, coef in zip(repn.linear_vars, repn.linear_coefs):
        cost[column_of[id(var)]] += float(coef)
    at = 0
    for k, block in enumerate(columns):
        columns[k] = Columns(block.name, block.index, cost[at:at + len(block)], block.lower, block.upper, block.integer)
        at += len(block)
    buy = next((c for c in columns if c.name == "buy"), None)
    offers = (np.array([data.table.position[buy.label(k)] for k in range(len(buy))], dtype=np.int64)
              if data is not None and buy is not None else np.zeros(0, dtype=np.int64))
    return SourcingModel(tuple(columns), tuple(rows), offers)


def _as_tuple(index: object) -> tuple:
    if index is None:
        return ()
    return index if isinstance(index, tuple) else (index,)
