"""The model's building blocks: a family of variables (`Columns`) and a family of rows (`Rows`).

Every block carries the names of its index's dimensions (`dims`): `buy` is
indexed by ("item", "supplier"), `Policy-min-coverage` by ("rule",
"scenario", "item"). Readers take a dimension by name (`block.coord("item")`,
`block.key(k)["rule"]`, `block.frame()`), never by position, so a family that
gains a dimension (a period, a scenario, a stage) changes no reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

INF = math.inf


def _label(index: tuple[np.ndarray, ...], k: int) -> tuple:
    return tuple(part[k].item() if isinstance(part[k], np.generic) else part[k] for part in index)


class _Indexed:
    """What `Columns` and `Rows` share: an index of named dimensions, one array per dimension."""

    dims: tuple[str, ...]
    index: tuple[np.ndarray, ...]

    def label(self, k: int) -> tuple:
        """Position k's index, in the order of `dims`: `("gallium", "S1")`."""
        return _label(self.index, k)

    def key(self, k: int) -> dict[str, object]:
        """Position k's index by dimension name: `{"item": "gallium", "supplier": "S1"}`."""
        return dict(zip(self.dims, self.label(k)))

    def coord(self, dim: str) -> np.ndarray:
        """The values of one dimension, one per position (a KeyError names the dimensions there are)."""
        if dim not in self.dims:
            raise KeyError(f"{getattr(self, 'name', '')} has no dimension {dim!r}; its dimensions are {self.dims}")
        if not self.index:  # an empty block built without index arrays
            return np.zeros(0, dtype=object)
        return self.index[self.dims.index(dim)]

    def frame(self) -> pd.DataFrame:
        """The index as a table, one column per dimension."""
        import pandas as pd

        return pd.DataFrame({dim: part for dim, part in zip(self.dims, self.index)}, columns=list(self.dims))



def _check_dims(name: str, dims: tuple[str, ...], index: tuple[np.ndarray, ...]) -> None:
    # an empty block built without an index (no row at all) has no arrays to name
    if index and len(dims) != len(index):
        raise ValueError(f"{name}: {len(index)} index arrays for the dimensions {dims}")


@dataclass(frozen=True, eq=False)
class Columns(_Indexed):
    """One family of variables: `name[index]` for each position, with cost, bounds and domain."""

    name: str
    index: tuple[np.ndarray, ...]  # one array per dimension: variable k is name[index[0][k], ...]
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray  # inf: no bound
    integer: bool
    dims: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_dims(self.name, self.dims, self.index)

    def __len__(self) -> int:
        return len(self.cost)


@dataclass(frozen=True, eq=False)
class Rows(_Indexed):
    """One family of rows `lower <= sum_j coef * x_j <= upper`, stored row-wise (CSR)."""

    family: str
    index: tuple[np.ndarray, ...]  # one array per dimension: row k is family[index[0][k], ...]
    start: np.ndarray  # row k's terms are start[k]:start[k+1]
    column: np.ndarray  # model-wide column positions
    coef: np.ndarray
    lower: np.ndarray  # -inf / inf: no bound
    upper: np.ndarray
    dims: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_dims(self.family, self.dims, self.index)

    def __len__(self) -> int:
        return len(self.lower)

    @property
    def name(self) -> str:
        return self.family

    def with_terms(self, column: np.ndarray, coef: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> Rows:
        """The same rows over other arrays (views of the stacked model, or none once released)."""
        return Rows(self.family, self.index, self.start, column, coef, lower, upper, self.dims)


def rows(family: str, dims: tuple[str, ...], index: tuple[np.ndarray, ...], row: np.ndarray, column: np.ndarray,
         coef: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> Rows:
    """A `Rows` block from terms (row, column, coef) in any order; terms keep their order within a row."""
    n = len(lower)
    order = np.argsort(row, kind="stable")
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=start[1:])
    # int32 columns: what HiGHS takes, so the hand-off needs no copy (a model has far fewer than 2**31 columns)
    return Rows(family, index, start, np.asarray(column, dtype=np.int32)[order], np.asarray(coef, dtype=float)[order],
                np.asarray(lower, dtype=float), np.asarray(upper, dtype=float), dims)


def concat(family: str, dims: tuple[str, ...], blocks: list[Rows]) -> Rows:
    """Several blocks of one family as one (an empty block when there are none)."""
    if len(blocks) == 1:
        return blocks[0]
    if not blocks:
        return Rows(family, (), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0),
                    np.zeros(0), np.zeros(0), dims)
    offsets = np.cumsum([0] + [b.start[-1] for b in blocks[:-1]])
    start = np.concatenate([[0]] + [b.start[1:] + off for b, off in zip(blocks, offsets)])
    index = tuple(np.concatenate([b.index[p] for b in blocks]) for p in range(len(blocks[0].index)))
    return Rows(family, index, start, np.concatenate([b.column for b in blocks]),
                np.concatenate([b.coef for b in blocks]), np.concatenate([b.lower for b in blocks]),
                np.concatenate([b.upper for b in blocks]), dims)


def no_rows(family: str, dims: tuple[str, ...]) -> Rows:
    """A family's block of no rows (a family of several periods in a model of one, where it has none)."""
    empty = tuple(np.zeros(0, dtype=object) for _ in dims)
    return rows(family, dims, empty, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0),
                np.zeros(0), np.zeros(0))


def no_columns(name: str, dims: tuple[str, ...], integer: bool) -> Columns:
    """A variable family's block of no columns."""
    empty = np.zeros(0)
    return Columns(name, tuple(np.zeros(0, dtype=object) for _ in dims), empty, empty, empty, integer, dims)


def repeated(value: object, n: int) -> np.ndarray:
    """An object array holding `value` n times, as one shared object (np.full makes a copy of a str per slot)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def names(values: list) -> np.ndarray:
    """An object array of the values (numpy would turn a list of str into a fixed-width str array)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
