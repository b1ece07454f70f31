"""The LP/MIP collector the independent formulations share (tests/periods_reference.py,
tests/two_stage_reference.py): columns and rows gathered in Python, handed to HiGHS at once. It shares nothing
with planner/model; HiGHS comes from the project's factory only so that no banner reaches stdout
(tests/test_stdout.py)."""

from __future__ import annotations

import highspy

from planner.highs import new_highs


class Lp:
    """Columns and rows collected in Python, handed to HiGHS at once."""

    def __init__(self, name: str = "reference model") -> None:
        self.name = name  # how its errors call it
        self.cost: list[float] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self.rows: list[tuple[float, float, dict[int, float]]] = []

    def col(self, cost: float, lb: float, ub: float, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def row(self, lb: float, ub: float, terms: dict[int, float]) -> None:
        self.rows.append((lb, ub, terms))

    def solve(self, gap: float) -> tuple[str, float | None, list[float]]:
        """(status "optimal" or "infeasible", objective (None when infeasible), column values)."""
        h = new_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("mip_abs_gap", 0.0)
        h.setOptionValue("random_seed", 1)
        inf = highspy.kHighsInf
        n = len(self.cost)
        h.addVars(n, [max(-inf, x) for x in self.lb], [min(inf, x) for x in self.ub])
        h.changeColsCost(n, list(range(n)), self.cost)
        ints = [k for k in range(n) if self.integer[k]]
        if ints:
            h.changeColsIntegrality(len(ints), ints, [highspy.HighsVarType.kInteger] * len(ints))
        for lb, ub, terms in self.rows:
            keys = list(terms)
            h.addRow(max(-inf, lb), min(inf, ub), len(keys), keys, [terms[k] for k in keys])
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", h.getInfo().objective_function_value, list(h.getSolution().col_value)
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return "infeasible", None, []
        raise RuntimeError(f"{self.name}: HiGHS says {h.modelStatusToString(status)}")
