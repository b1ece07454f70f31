"""The fast build against the straightforward one (`reference_model`): same model, row for row.

`canonical` writes a model as {name: numbers} dictionaries so that two
models built in different orders compare equal exactly when they have the
same variables (cost, bounds, domain), the same rows (bounds and every
coefficient, a row with one bound written as `>=`) and the same names for
all of them.
"""

from __future__ import annotations

import math

import numpy as np

import reference_model
from planner.data import PlanningData
from planner.model import SourcingModel, View, build, from_pyomo


def canonical(model: SourcingModel) -> tuple[dict, dict]:
    columns = {model.column_label(j): (float(model.cost[j]), float(model.col_lower[j]), float(model.col_upper[j]),
                                       bool(model.integer[j])) for j in range(model.num_columns)}
    start, column, coef = model.matrix
    rows = {}
    for k in range(model.num_rows):
        terms: dict[tuple, float] = {}
        for p in range(start[k], start[k + 1]):
            if coef[p] != 0:  # a zero coefficient is no term (Pyomo drops it)
                label = model.column_label(int(column[p]))
                terms[label] = terms.get(label, 0.0) + float(coef[p])
        lower, upper = float(model.row_lower[k]), float(model.row_upper[k])
        if lower == -math.inf and upper != math.inf:  # a <= row as the >= row it equals: Pyomo writes either
            lower, upper, terms = -upper, math.inf, {t: -c for t, c in terms.items()}
        rows[model.row_label(k)] = (lower, upper, terms)
    return columns, rows


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def differences(fast: SourcingModel, straight: SourcingModel) -> list[str]:
    """Every way the two models differ, in words (empty when they are the same model)."""
    out: list[str] = []
    for what, (a, b) in zip(("variable", "row"), zip(canonical(fast), canonical(straight))):
        for name in sorted(set(a) ^ set(b), key=str):
            out.append(f"{what} {name} only in the {'fast' if name in a else 'straightforward'} model")
        for name in sorted(set(a) & set(b), key=str):
            x, y = a[name], b[name]
            if what == "variable":
                same = all(_close(p, q) for p, q in zip(x[:3], y[:3])) and x[3] == y[3]
            else:
                same = _close(x[0], y[0]) and _close(x[1], y[1]) and set(x[2]) == set(y[2]) and all(
                    _close(x[2][t], y[2][t]) for t in x[2])
            if not same:
                out.append(f"{what} {name}: fast {x} != straightforward {y}")
    if not np.array_equal(np.sort(fast.offers), np.sort(straight.offers)):
        out.append("the buy columns stand for other offers")
    return out


def straightforward(data: PlanningData, view: View = "plan", cuts: tuple = ()) -> SourcingModel:
    """The reference Pyomo model, compiled row by row by Pyomo's `generate_standard_repn`."""
    return from_pyomo(reference_model.create_model(data, view, cuts), data)


def assert_same_model(data: PlanningData, view: View = "plan", fast: SourcingModel | None = None) -> None:
    """The fast build (with the tangent points it was built with, `fast.cuts`) against the reference's."""
    fast = fast if fast is not None else build(data, view)
    problems = differences(fast, straightforward(data, view, fast.cuts))
    assert not problems, "the fast build differs from the straightforward one:\n" + "\n".join(problems[:20])
