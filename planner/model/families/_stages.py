"""What the families of the two-stage mode share: the scenarios with their probabilities and availabilities.

In the two-stage mode (workbook-v2 section 3) the `buy` columns are the
first stage's contracts. Each scenario s of `data.probabilities` (the
`baseline` included, in which nothing is disrupted) delivers
a(s, o) * buy[o] of offer o, and what is missing of an item's demand is
bought on the spot market (`spot`) or goes short (`short`). The objective is
(1 - w) * sum_s p_s cost_s + w * CVaR_alpha(cost_s), held by Rockafellar and
Uryasev's rows (`eta`, `excess`, `Scenario-excess`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.data import BASELINE, PlanningData
from planner.model.blocks import Columns, names
from planner.model.context import BuildContext


@dataclass(frozen=True, eq=False)
class ScenarioSet:
    """The second stage's scenarios: names, probabilities p_s (adding up to 1), and a(s, o) per offer of
    `data.table` (row s)."""

    names: tuple[str, ...]
    probability: np.ndarray
    availability: np.ndarray  # S x offers


def scenario_set(data: PlanningData) -> ScenarioSet:
    """The data's scenarios (`data.probabilities`, the baseline last), or those a solve put in their place
    (`with_scenarios`: one scenario planned alone, the mean scenario of the VSS)."""
    kept = data.__dict__.get("_scenario_set")
    if kept is not None:
        return kept
    probabilities = data.probabilities
    names = tuple(probabilities)
    rows = [np.ones(len(data.table)) if s == BASELINE else data.availability_levels(s) for s in names]
    found = ScenarioSet(names, np.array([probabilities[s] for s in names], dtype=float),
                        np.vstack(rows) if rows else np.zeros((0, len(data.table))))
    data.__dict__["_scenario_set"] = found
    return found


def with_scenarios(data: PlanningData, scenarios: ScenarioSet) -> PlanningData:
    """The same data planned against other scenarios (a copy; the data itself is unchanged). The copy keeps
    the data's own `availability_floor`, so that every solve of one plan bounds its contracts alike."""
    import dataclasses

    floor = availability_floor(data)
    out = dataclasses.replace(data)
    out.__dict__["_scenario_set"] = scenarios
    out.__dict__["_availability_floor"] = floor
    return out


def availability_floor(data: PlanningData) -> np.ndarray:
    """Per offer of `data.table`: a_min(o) = min {a(s, o) > 0 : s a scenario of the data (the baseline
    included) or their probability-weighted mean}, 1 where none is positive; the floor of
    `BuildContext.contract_reach`. Computed once per data from its own scenarios (a re-solve's copy made by
    `with_scenarios` inherits it): with S scenarios, each of the S + 3 re-solves of EVPI and VSS would
    otherwise read all S again."""
    kept = data.__dict__.get("_availability_floor")
    if kept is not None:
        return kept
    found = scenario_set(data)
    lowest = np.ones(len(data.table))
    for level in [*found.availability, found.probability @ found.availability]:
        positive = level > 0
        lowest[positive] = np.minimum(lowest[positive], level[positive])
    data.__dict__["_availability_floor"] = lowest
    return lowest


def expected_share(ctx: BuildContext, columns: np.ndarray | None = None) -> np.ndarray:
    """Per buy column: (1 - w) * sum_s p_s a(s, o), the weight of its landed cost in the objective's expected
    part (what is delivered is paid; the rest of a contract is not)."""
    found = scenario_set(ctx.data)
    at = ctx.position if columns is None else ctx.position[columns]
    return (1.0 - ctx.data.settings.risk_weight) * (found.probability @ found.availability[:, at])


def spot_items(data: PlanningData) -> np.ndarray:
    """Codes of the items with a spot market (a `spot_price`) and demand."""
    return np.array([k for k, i in enumerate(data.items.values()) if i.spot_price is not None and i.demand > 0],
                    dtype=np.int64)


def short_items(data: PlanningData) -> np.ndarray:
    """Codes of the items that may go short (a `shortage_cost`) and have demand."""
    return np.array([k for k, i in enumerate(data.items.values()) if i.shortage_cost is not None and i.demand > 0],
                    dtype=np.int64)


def recourse_columns(ctx: BuildContext, name: str, dims: tuple[str, ...], items: np.ndarray, price: np.ndarray,
                     upper: np.ndarray) -> Columns:
    """One column per scenario and item of `items` (scenario by scenario), costing (1 - w) * p_s * price_i, at
    most upper_i: the spot purchases and the shortage of the second stage."""
    found, records = scenario_set(ctx.data), list(ctx.data.items.values())
    cost = (1.0 - ctx.data.settings.risk_weight) * np.outer(found.probability, price).reshape(-1)
    return Columns(name, (names([s for s in found.names for _ in items]),
                          names([records[k].name for _ in found.names for k in items])),
                   cost, np.zeros(len(cost)), np.tile(upper, len(found.names)), integer=False, dims=dims)


def with_risk(data: PlanningData) -> bool:
    """Whether the objective has a CVaR part (risk_weight > 0)."""
    return data.two_stage and data.settings.risk_weight > 0
