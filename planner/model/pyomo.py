"""The sourcing model in Pyomo, both ways: the blocks rendered as Pyomo components, and any linear Pyomo
model compiled back into blocks.

`create_model` renders the families' blocks as a Pyomo model, with the
same names: a `Var` per variable family and a `Constraint` per row family
(`Item-demand`, `Policy-max-share`, ...), for anyone who wants to read,
print or extend the model in Pyomo. `from_pyomo` compiles any linear Pyomo
model back into a `SourcingModel` that `planner.solver.HighsModel` solves.
Pyomo is imported only here, when one of these is called.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np

from planner.data import PlanningData
from planner.model import registry
from planner.model.blocks import INF, Columns, Rows, names
from planner.model.blocks import rows as make_rows
from planner.model.builder import build
from planner.model.families.buy import FAMILY as BUY
from planner.model.container import SourcingModel, View
from planner.model.outer import Cut

if TYPE_CHECKING:
    import pyomo.environ as pyo


def create_model(data: PlanningData, view: View = "plan", cuts: tuple[Cut, ...] = ()) -> pyo.ConcreteModel:
    """The model `build` makes, as a Pyomo model: one `Var` per variable family (`buy`, `use_supplier`,
    `use_offer`, indexed as in the formulation), one `Constraint` per row family, named as the family, and the
    objective `Total-cost`. `m.OFFERS` is the index set of `buy` ((item, supplier), with periods (item, supplier, period)).

    A max_hhi rule comes as the planner solves it, linear: `hhi_points`, its tangent rows `Item-hhi-points`
    and the cap `Policy-max-hhi`, with the tangents of `cuts` (a plan's `cuts`: then the Pyomo model's LP
    optimum is the plan's). Not as the quadratic constraint: the rendering is the model row for row, which
    `from_pyomo` compiles back (linear models only) and which any LP/MIP solver reads; the tangents hold the
    quadratic to the plan's accuracy. A QCQP solver can take sum_c (hhi_points[i, c]) and replace the tangent
    rows by hhi_points[i, c] >= 10,000 * s_c^2 itself."""
    return to_pyomo(build(data, view, cuts))


def to_pyomo(model: SourcingModel) -> pyo.ConcreteModel:
    """A `SourcingModel` as Pyomo components, row for row and coefficient for coefficient."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    model.terms()  # raises if the coefficients were released
    m = pyo.ConcreteModel(name="planner")
    variables = []
    for block in model.columns:
        labels = [_pyomo_index(block.label(k)) for k in range(len(block))]
        if block.name == BUY.name:
            m.OFFERS = pyo.Set(initialize=labels, dimen=len(block.dims), ordered=True)
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
        index = tuple(names([lab[p] for lab in labels]) for p in range(len(labels[0]) if labels else 0))
        columns.append(Columns(
            var.name, index, np.zeros(len(members)),
            np.array([-INF if v.lb is None else v.lb for v in members], dtype=float),
            np.array([INF if v.ub is None else v.ub for v in members], dtype=float),
            integer=any(v.is_integer() for v in members), dims=_dims(var.name, len(index))))
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
        index = tuple(names([lab[p] for lab in labels]) for p in range(len(labels[0]) if labels else 0))
        rows.append(make_rows(con.name, _dims(con.name, len(index)), index, np.array(terms_row, dtype=np.int64), np.array(terms_col, dtype=np.int64),
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
        columns[k] = dataclasses.replace(block, cost=cost[at:at + len(block)])
        at += len(block)
    buy = next((c for c in columns if c.name == BUY.name), None)
    offers = (np.array([data.table.position[item, supplier] for item, supplier in
                        zip(buy.coord("item").tolist(), buy.coord("supplier").tolist())], dtype=np.int64)
              if data is not None and buy is not None else np.zeros(0, dtype=np.int64))
    return SourcingModel(tuple(columns), tuple(rows), offers)


def _dims(name: str, n: int) -> tuple[str, ...]:
    """A family's dimensions if the registry knows it under this name and arity, else `dim1`, `dim2`, ..."""
    try:
        dims = registry.family(name).dims
    except KeyError:
        dims = ()
    return dims if len(dims) == n else tuple(f"dim{p + 1}" for p in range(n))


def _as_tuple(index: object) -> tuple:
    if index is None:
        return ()
    return index if isinstance(index, tuple) else (index,)
