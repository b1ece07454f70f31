"""An independent check of a plan against every rule of the input contract.

Each family declares its own check (`check` or, for Policy rule kinds,
`check_rule`, in its module under `planner/model/families/`), written from
the contract's text and reading the plan only through `PlanView`: it shares
no group, availability or cost helper with the model's builders, so a
mistake in the model's index sets shows up here as a violation. Every solve
runs it before a plan is written, and the tests run it on every solved
instance.
"""

from __future__ import annotations

from planner.check.view import TOL, PlanView
from planner.data import PlanningData, Rule

__all__ = ["TOL", "PlanView", "check_plan"]


def check_plan(data: PlanningData, quantities: dict, objective: float | None = None,
               builds: dict[str, str] | None = None, skip_rules: tuple[Rule, ...] = (),
               in_period: bool = False, view: PlanView | None = None) -> list[str]:
    """Every violated rule, as a sentence; an empty list means the plan obeys the contract.

    With several periods (`data.multi_period`) `quantities` is the schedule, (item, supplier, arrival period) ->
    quantity, and `builds` the period each built expansion is decided in: `planner.check.periods`.

    `in_period`: `data` is one period's world of a plan of several (families built over the horizon are checked
    there), `view` its plan as read for it; `skip_rules`: rules checked over the horizon, not here.

    Order: purchase by purchase in the plan's order, what is wrong with it
    (no such offer, a negative quantity, then each `per_offer` family's
    finding in registry order); then every other family in registry order,
    rule families rule by rule in Policy order; then `Total-cost` when the
    solver's `objective` is given.
    """
    from planner.model import registry  # the families import this package's view: import them once it exists

    if data.multi_period:  # a schedule: (item, supplier, arrival period) -> quantity
        from planner.check.periods import check_periods

        return check_periods(data, quantities, builds, objective)
    plan = view if view is not None else PlanView.of(data, quantities)
    per_offer = [f for f in registry.checked() if f.per_offer]
    bad: list[str] = []
    for offer, q, wrong in plan.lines:
        if wrong is not None:
            bad.append(wrong)
        if offer is not None:
            for family in per_offer:
                found = family.check_offer(data, offer, q)
                if found:
                    bad += found
    for family in registry.checked():
        if not family.rule_kinds and not family.per_offer and not (in_period and family.periods != "each"):
            bad += family.check(data, plan)
    for rule in data.rules:
        if rule not in skip_rules:
            bad += registry.family_of_rule(rule.kind).check_rule(data, plan, rule)
    if objective is not None and data.two_stage:  # (1 - w) E + w CVaR of the cheapest recourse per scenario
        from planner.check.stages import check_objective

        bad += check_objective(data, plan, objective)
    elif objective is not None:
        bad += registry.OBJECTIVE.check(data, plan, objective)
    return bad
