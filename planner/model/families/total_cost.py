"""`Total-cost`: the objective, landed cost of all purchases plus fixed costs of the suppliers used."""

from __future__ import annotations

from planner.check.view import PlanView
from planner.data import PlanningData
from planner.model.family import ObjectiveFamily


class TotalCost(ObjectiveFamily):
    """`Total-cost` (minimise): the sum of the variable families' costs,
        sum_{o untiered} c_o * buy[o]  +  sum_{o tiered} sum_k c_{o,k} * tier_buy[o, k]
            +  sum_{s: F_s > 0} F_s * use_supplier[s]
    Each variable family sets its own part (`buy`, `tier_buy`, `use_supplier`); there is nothing to build here.
    """

    name = "Total-cost"
    summary = "objective: landed cost of all purchases plus fixed costs of the suppliers used"
    dims = ()

    def check(self, data: PlanningData, plan: PlanView, objective: float) -> list[str]:
        cost, used = plan.cost()
        # An incumbent may pay a fixed cost for a supplier it then gives no volume:
        # the solver's figure can exceed the plan's by at most those fixed costs.
        idle_fixed = sum(s.fixed_cost for s in data.suppliers.values() if s.name not in used)
        excess = objective - cost
        tol = 1e-6 * max(1.0, abs(cost))
        if not (-tol <= excess <= idle_fixed + tol):
            return [f"Total-cost: the plan costs {cost:.10g}, the solver reported {objective:.10g}"]
        return []


FAMILY = TotalCost()
