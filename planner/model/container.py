"""The model as plain numbers: `SourcingModel` stacks the families' blocks into one matrix.

Column j of the whole model is position j in the concatenated variable
families, row k position k in the concatenated row families. Each block's
arrays are views of the stacked arrays, so every number is held once however
the model is read (by family, or whole for HiGHS).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from planner.model.blocks import Columns, Rows
from planner.model.outer import Cut, SquaredShares

if TYPE_CHECKING:
    import pandas as pd

View = Literal["plan", "diagnose"]


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
    # convex rules held by tangent rows that a solve refines (`planner/model/outer.py`), and the tangent points
    # added by solves before that the model was built with (`build(data, view, cuts)`)
    outer: tuple[SquaredShares, ...] = ()
    cuts: tuple[Cut, ...] = ()
    # several periods: the code of the arrival period of each `buy` column (None: a model of one period), and the
    # periods' names
    periods: np.ndarray | None = None
    period_names: tuple[str, ...] = ()
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
                                     upper[at[k]:at[k + 1]], c.integer, c.dims) for k, c in enumerate(columns))
        self._stacked_columns = stacked
        blocks = list(self.rows)
        offsets = np.cumsum([0] + [int(b.start[-1]) for b in blocks])
        column = np.concatenate([b.column for b in blocks]) if blocks else np.zeros(0, dtype=np.int32)
        coef = np.concatenate([b.coef for b in blocks]) if blocks else np.zeros(0)
        bounds = [np.concatenate([getattr(b, name) for b in blocks]) if blocks else np.zeros(0)
                  for name in ("lower", "upper")]
        rs = self._row_starts
        self.rows = tuple(b.with_terms(column[offsets[k]:offsets[k + 1]], coef[offsets[k]:offsets[k + 1]],
                                       bounds[0][rs[k]:rs[k + 1]], bounds[1][rs[k]:rs[k + 1]])
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

    def frame(self, name: str, values: np.ndarray | None = None) -> pd.DataFrame:
        """A variable or row family as a table: one column per dimension, and `value` (the model-wide `values`
        of its columns or rows: a solution, row activities, duals) when given."""
        if any(c.name == name for c in self.columns):
            block, span = self.column_block(name)
        else:
            block, span = self.row_block(name)
        table = block.frame()
        if values is not None:
            table["value"] = np.asarray(values)[span.start:span.stop] if isinstance(span, range) else \
                np.asarray(values)[span]
        return table

    def row_block(self, family: str) -> tuple[Rows, range]:
        """The row family `family` and the model-wide positions of its rows (an empty range if it has none)."""
        for k, block in enumerate(self.rows):
            if block.family == family:
                return block, range(self._row_starts[k], self._row_starts[k + 1])
        raise KeyError(f"the model has no row family {family!r}")

    def has_rows(self, family: str) -> bool:
        return any(block.family == family for block in self.rows)

    def row_families(self) -> Iterator[tuple[str, range]]:
        for k, block in enumerate(self.rows):
            yield block.family, range(self._row_starts[k], self._row_starts[k + 1])

    def release_terms(self) -> None:
        """Drop the constraint coefficients once HiGHS holds its own copy (at millions of offers they weigh as much
        as the rest of the model). Names, bounds and costs stay; `matrix`, `shape` and `to_pyomo` then raise."""
        empty_i, empty_f = np.zeros(0, dtype=np.int32), np.zeros(0)
        self.rows = tuple(b.with_terms(empty_i, empty_f, b.lower, b.upper) for b in self.rows)
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
