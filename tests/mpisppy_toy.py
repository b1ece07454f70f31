"""A toy two-stage sourcing model for the mpi-sppy engine's tests, and its extensive form.

One item of demand ``d``; offers ``o`` with unit cost ``c_o``, capacity ``cap_o`` and fixed cost
``F_o`` (binary ``use[o]``, ``x[o] <= cap_o use[o]``); first stage: contracts ``x[o]`` and ``use[o]``.
In scenario s offer o delivers ``a(s,o) x[o]`` and the buyer pays ``c_o`` per delivered unit; what is
missing is bought on the spot market at ``spot`` per unit:
``cost_s = sum_o (a(s,o) c_o x[o] + F_o use[o]) + spot * y_s``, ``sum_o a(s,o) x[o] + y_s >= d``.
The extensive form minimises ``sum_s p_s cost_s`` with one x, use for all scenarios; it is written
here on its own (not from the scenario creator), so that the engine is checked against a model it
did not build.

An instance is a plain dict (JSON for the ``mpiexec`` subprocess): ``demand``, ``spot``,
``offers`` {name: [c, cap, F]}, ``scenarios`` {name: [p, {offer: a}]} (an offer not named delivers
all: a = 1).
"""

from __future__ import annotations

import random
from typing import Any

import pyomo.environ as pyo


def availability(instance: dict[str, Any], scenario: str, offer: str) -> float:
    return float(instance["scenarios"][scenario][1].get(offer, 1.0))


def scenario_creator(instance: dict[str, Any], scenario: str) -> pyo.ConcreteModel:
    offers = instance["offers"]
    m = pyo.ConcreteModel(name=scenario)
    m.O = pyo.Set(initialize=list(offers))
    m.x = pyo.Var(m.O, bounds=lambda _, o: (0, offers[o][1]))
    m.use = pyo.Var(m.O, domain=pyo.Binary)
    m.y = pyo.Var(domain=pyo.NonNegativeReals)
    m.link = pyo.Constraint(m.O, rule=lambda m, o: m.x[o] <= offers[o][1] * m.use[o])
    m.demand = pyo.Constraint(
        expr=sum(availability(instance, scenario, o) * m.x[o] for o in m.O) + m.y >= instance["demand"]
    )
    m.first_cost = pyo.Expression(expr=sum(offers[o][2] * m.use[o] for o in m.O))
    m.cost = pyo.Objective(
        expr=m.first_cost
        + sum(availability(instance, scenario, o) * offers[o][0] * m.x[o] for o in m.O)
        + instance["spot"] * m.y
    )
    return m


def first_stage_vars(model: pyo.ConcreteModel) -> list[Any]:
    return [model.x, model.use]


def extensive_form(instance: dict[str, Any], fix: dict[str, float] | None = None) -> tuple[float, dict[str, float]]:
    """Optimal expected cost and first-stage values (by Pyomo name) of the extensive form, by HiGHS;
    with ``fix``, the first-stage values are fixed to it (the expected cost of that plan)."""
    offers, scenarios = instance["offers"], instance["scenarios"]
    m = pyo.ConcreteModel()
    m.O = pyo.Set(initialize=list(offers))
    m.S = pyo.Set(initialize=list(scenarios))
    m.x = pyo.Var(m.O, bounds=lambda _, o: (0, offers[o][1]))
    m.use = pyo.Var(m.O, domain=pyo.Binary)
    m.y = pyo.Var(m.S, domain=pyo.NonNegativeReals)
    m.link = pyo.Constraint(m.O, rule=lambda m, o: m.x[o] <= offers[o][1] * m.use[o])
    m.demand = pyo.Constraint(
        m.S, rule=lambda m, s: sum(availability(instance, s, o) * m.x[o] for o in m.O) + m.y[s] >= instance["demand"]
    )
    m.cost = pyo.Objective(
        expr=sum(offers[o][2] * m.use[o] for o in m.O)
        + sum(
            scenarios[s][0]
            * (sum(availability(instance, s, o) * offers[o][0] * m.x[o] for o in m.O) + instance["spot"] * m.y[s])
            for s in m.S
        )
    )
    for var in (m.x, m.use):
        for v in var.values():
            if fix is not None:
                v.fix(round(fix[v.name]) if v.is_binary() else fix[v.name])
    solver = pyo.SolverFactory("appsi_highs")
    solver.config.mip_gap = 1e-9
    result = solver.solve(m)
    assert result.solver.termination_condition == pyo.TerminationCondition.optimal
    values = {v.name: float(v.value) for var in (m.x, m.use) for v in var.values()}
    return float(pyo.value(m.cost)), values


def hand_instance(p_out: float) -> dict[str, Any]:
    """A at 10 (capacity 100), B at 12 plus a fixed 100, spot 30, demand 100; A fails with p_out."""
    return {
        "demand": 100.0,
        "spot": 30.0,
        "offers": {"A": [10.0, 100.0, 0.0], "B": [12.0, 100.0, 100.0]},
        "scenarios": {"A_out": [p_out, {"A": 0.0}], "baseline": [1.0 - p_out, {}]},
    }


def random_instance(seed: int, scenarios: int, offers: int = 5) -> dict[str, Any]:
    """``scenarios - 1`` disruptions, each cutting one or two offers to a random share, and a baseline."""
    rng = random.Random(seed)
    names = [f"o{k}" for k in range(offers)]
    instance: dict[str, Any] = {
        "demand": 100.0,
        "spot": 40.0,
        "offers": {o: [float(rng.randint(8, 16)), float(rng.choice([40, 60, 80])), float(rng.choice([0, 50, 150]))] for o in names},
        "scenarios": {},
    }
    left = 1.0
    for k in range(scenarios - 1):
        p = round(rng.uniform(0.01, 0.04), 4)
        hit = rng.sample(names, rng.choice([1, 2]))
        instance["scenarios"][f"s{k}"] = [p, {o: rng.choice([0.0, 0.25, 0.5]) for o in hit}]
        left -= p
    instance["scenarios"]["baseline"] = [left, {}]
    return instance
