"""Why the rules cannot all hold, in workbook terms; and the least-violating plan.

Two ways to find the conflicting input rows, both on the model's diagnose
view (`build(data, "diagnose")`, where exclusions are rows and
capacities are the only caps on each quantity):

* LP: HiGHS's irreducible infeasible subset (`Highs.getIis` with
  `iis_strategy = 6`: from the whole LP, reduced to an irreducible set).
  Removing any one of the rows it names makes the rest feasible.
* MIP whose LP relaxation (binaries in [0, 1]) is already infeasible: the
  IIS of that relaxation, which is a conflict of the MIP as well.
* Any other MIP (HiGHS's IIS handles LPs only), or when the IIS fails: an
  elastic re-solve. Every input row gets a slack `e_k >= 0` (a shortfall on
  `Item-demand`, an excess on caps, a shortfall on minimums, an excess over
  an offer's capacity), weighted by t_k / its scale so that violations are
  measured as shares of the demand or capacity they concern, with t_k = 1
  for Policy rows, 10 for demand and 100 for capacities and minimum orders
  (`TIER`). Phase 1 minimises `sum_k t_k * e_k / scale_k`; phase 2 keeps that total
  violation and minimises cost. The rows with a positive slack are the ones relaxed.
  Sanctioned supply stays hard: an excluded offer's capacity, a
  `Supplier-capacity` row of excluded offers only, and for a supplier with
  some excluded offers a row `Supplier-capacity-excluded[s]` over those
  offers alone (<= cap_s), so relaxing a sanction never asks for capacity.

`elastic_plan` returns the phase-2 plan itself for `planner solve --elastic`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import highspy
import numpy as np

from planner.check import check_plan
from planner.data import PlanningData
from planner.explain import DEFINITIONS, RowRef, describe
from planner.model import SourcingModel, build, registry, structural_conflicts
from planner.model.families.buy import FAMILY as BUY
from planner.model.family import BoundFamily
from planner.model.families.supplier_capacity import FAMILY as SUPPLIER_CAPACITY
from planner.results import quantities_from_values, schedule_from_values
from planner.solver import INF, HighsModel, SolverOutcome

IIS_STRATEGY = 6  # 2: from the whole LP, + 4: reduce to an irreducible set
SLACK_TOL = 1e-7  # a slack above this share of its row's scale counts as a violation

# Which rows an elastic plan relaxes first: each family declares its tier (`tier` in its module): a policy
# can be broken and the plan still carried out (1); buying less than demand leaves the business short (10);
# buying past a capacity or below a minimum order cannot be carried out at all (100). Definitions (None) are
# never relaxed.
TIER = {f.name: f.tier for f in registry.checked() if f.tier is not None}


def tolerance_decimals(scale: float) -> int:
    """The decimals that keep a number to SLACK_TOL of its scale (demand or capacity): scale 100 -> 5 decimals,
    since 1e-7 * 100 = 1e-5; scale 1e9 -> -2 (hundreds)."""
    return -math.floor(math.log10(SLACK_TOL * max(abs(scale), 1.0)))


def round_to_tolerance(value: float, scale: float) -> float:
    """`value` without the digits below the solver's tolerance on a row of this scale: 20.0000008 -> 20.0 on a
    scale of 100. An elastic plan's phase 2 may use the 1e-9 of violation it is allowed (see `cheapest_within`) to
    shave cost, which leaves such digits."""
    return round(value, tolerance_decimals(scale)) + 0.0  # + 0.0: no -0.0


def rounded_plan(data: PlanningData, quantities: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """An elastic plan's quantities rounded to the solver's tolerance, keeping every item's total.

    The quantities of item i are rounded to the decimals of the smallest
    scale among its offers bought (d_i, the offer's capacity, the
    supplier's): each moves by at most half of 1e-7 of the rows it is in,
    a tenth of the checker's 1e-6. The item's total is rounded the same way
    and the largest purchase takes up the difference, so a demand met
    before is met after. If the checker would still flag a rule it did not
    flag before (many offers shifting one group's volume together), the plan
    is kept unrounded.
    """
    decimals: dict[str, int] = {}
    for (item, supplier), q in quantities.items():
        offer, seller = data.offers[item, supplier], data.suppliers[supplier]
        scale = min(data.items[item].demand, offer.capacity, seller.capacity)
        decimals[item] = max(decimals.get(item, -99), tolerance_decimals(scale))
    rounded = {key: round(q, decimals[key[0]]) for key, q in quantities.items()}
    for item, places in decimals.items():
        keys = [k for k in quantities if k[0] == item]
        gap = round(sum(quantities[k] for k in keys), places) - sum(rounded[k] for k in keys)
        if gap:
            largest = max(keys, key=lambda k: rounded[k])
            rounded[largest] = round(rounded[largest] + gap, places)
    rounded = {k: q + 0.0 for k, q in rounded.items() if q > 0}
    if _flags(check_plan(data, rounded)) - _flags(check_plan(data, quantities)):
        return quantities
    return rounded


def _flags(messages: list[str]) -> set[str]:
    """The checker's findings without their figures: which rule, where."""
    return {re.sub(r"-?\d[\d.,e+-]*", "#", m) for m in messages}


def tier(family: str) -> float:
    """The weight of a family's slack (a KeyError for a definition or an unknown family: never relaxed)."""
    return TIER[family]


@dataclass
class Diagnosis:
    """The input rows that conflict; `method` says how they were found."""

    method: str  # "structural" | "iis" | "elastic" | "none"
    rows: list[RowRef] = field(default_factory=list)
    amounts: list[float | None] = field(default_factory=list)  # elastic: by how much each row is relaxed
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = list(self.notes)
        for ref, amount in zip(self.rows, self.amounts):
            by = f" (relaxed by {amount:,.6g})" if amount is not None else ""
            out.append(f"{ref.name}: {ref.what}{by}")
        return out


def diagnose(data: PlanningData, time_limit: float | None = None) -> Diagnosis:
    """The smallest set of conflicting input rows that the methods above can find."""
    conflicts = structural_conflicts(data)
    if conflicts:
        return Diagnosis("structural", notes=conflicts)
    limit = time_limit if time_limit is not None else data.settings.time_limit
    handle = HighsModel(build(data, "diagnose"))
    is_mip = handle.is_mip
    if is_mip:
        handle.relax_integrality()
    found = _iis(data, handle, limit)
    if found is not None:
        if is_mip:
            found.method = "iis of the LP relaxation"
            found.notes = ["an irreducible set of the LP relaxation: these rows cannot all hold even with "
                           "fractional on/off decisions (fixed costs and minimum orders play no part), and "
                           "dropping any one of them lets the others hold in that relaxation"]
        return found
    handle = HighsModel(build(data, "diagnose"))  # `_iis` changed the instance it was given
    elastic = _Elastic(data, handle)
    outcome = elastic.minimise_violation(limit)
    if not outcome.has_plan:
        return Diagnosis("none", notes=[f"the elastic re-solve found nothing: {outcome.message}"])
    refs, amounts = elastic.violated()
    note = ("rows relaxed by the least total violation (each measured as a share of its demand or capacity); "
            "easing any of them is where to start")
    return Diagnosis("elastic", refs, amounts, [note])


def _drop_capacities_of_excluded(data: PlanningData, handle: HighsModel) -> None:
    """Take every capacity off the excluded offers, in the HiGHS instance only: their offer bounds and their
    terms in `Supplier-capacity` rows.

    Their `Policy-exclude` row buy[o] <= 0 implies every capacity on them,
    so the feasible set is the same; but with the capacities in, an IIS may
    name the capacity of a sanctioned offer in place of the sanction ("raise
    Russia's capacity"), which no one can act on. Without them, a conflict
    an exclusion takes part in names the exclusion.
    """
    h = handle.highs
    columns = np.flatnonzero(~data.usable).astype(np.int32)  # diagnose view: buy column j is offer j of data.table
    if not len(columns):
        return
    h.changeColsBounds(len(columns), columns, handle.col_lower[columns], np.full(len(columns), INF))
    model = handle.model
    block, span = model.row_block(SUPPLIER_CAPACITY.name)
    row_of = dict(zip(block.coord("supplier").tolist(), span))
    table = data.table
    for j in columns.tolist():
        row = row_of.get(str(table.supplier_names[table.supplier[j]]))
        if row is not None:
            h.changeCoeff(row, j, 0.0)


def _upper_bounds() -> dict[str, BoundFamily]:
    """Variable family -> the bound family of its upper bounds (a bound family's dims are its variable's)."""
    return {b.variable: b for b in registry.bounds() if b.side == "upper"}


def _iis(data: PlanningData, handle: HighsModel, time_limit: float) -> Diagnosis | None:
    h = handle.highs
    _drop_capacities_of_excluded(data, handle)
    h.setOptionValue("presolve", "off")  # an infeasibility proof without presolve lets the IIS start from the LP
    outcome = handle.solve(time_limit)
    if outcome.status != "infeasible":
        return None
    h.setOptionValue("iis_strategy", IIS_STRATEGY)
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_:
        return None
    refs: list[RowRef] = []
    for k in iis.row_index_:
        family, index = handle.row_label(k)  # a tangent row the max_hhi cut loop appended too
        if family not in DEFINITIONS:  # a definition (no tier) is no input row: it says what a variable is
            refs.append(describe(data, family, index))
    upper = _upper_bounds()
    for j, bound in zip(iis.col_index_, iis.col_bound_):
        name, index = handle.model.column_label(j)
        # 3 upper, 4 boxed: an upper bound family's (the offer's capacity). 2 (lower) is buy >= 0, not an input.
        if name in upper and bound in (3, 4) and math.isfinite(handle.col_upper[j]):
            refs.append(describe(data, upper[name].name, index))
    if not refs:
        return None
    return Diagnosis("iis", sorted(set(refs), key=_order), [None] * len(set(refs)),
                     ["an irreducible set: these rows cannot all hold, and dropping any one of them "
                      "lets the others hold"])


def _order(ref: RowRef) -> tuple:
    return (ref.family, tuple(str(p) for p in ref.index))


def _excluded_columns(data: PlanningData, model: SourcingModel) -> np.ndarray:
    """Per model column: a `buy` column of an offer an exclusion removes (in its period, with several), the other
    columns False. In the diagnose view buy column j of one period is offer j of data.table."""
    out = np.zeros(model.num_columns, dtype=bool)
    _, at = model.column_block(BUY.name)
    if model.periods is None:
        out[at] = ~data.usable
        return out
    from planner.model.periods import Horizon

    hz = Horizon(data, "diagnose")
    out[at] = np.concatenate([~w.usable[hz.arriving[t]] for t, w in enumerate(hz.worlds)]) if len(hz) else []
    return out


class _Elastic:
    """A slack on every input row and on every capacity bound of a `HighsModel` (modified in place)."""

    def __init__(self, data: PlanningData, handle: HighsModel) -> None:
        self.data, self.handle = data, handle
        h = handle.highs
        self.slacks: list[tuple[RowRef, int]] = []  # (row it relaxes, slack column)
        weights: list[float] = []
        model = handle.model
        excluded = _excluded_columns(data, model)
        start, column, coefficient = model.terms()
        for family, span in model.row_families():
            if family in DEFINITIONS:
                continue
            for k in span:
                if family == SUPPLIER_CAPACITY.name:
                    terms = slice(start[k], start[k + 1])
                    sanctioned = excluded[column[terms]]
                    if sanctioned.all():
                        continue  # only sanctioned offers: relaxing the sanction buys what they can deliver, no more
                    if sanctioned.any():
                        # `Supplier-capacity-excluded[s]`, hard: the excluded offers alone stay within cap_s, so
                        # relaxing a sanction never asks for more; the row itself may still be relaxed for the
                        # supplier's other offers
                        h.addRow(-INF, handle.row_upper[k], int(sanctioned.sum()),
                                 column[terms][sanctioned].astype(np.int32), coefficient[terms][sanctioned])
                ref = describe(data, *model.row_label(k))
                # An equality (demand) may fall short; a >= row may fall short; a <= row may be exceeded.
                sign = 1.0 if handle.row_lower[k] > -INF else -1.0
                self.slacks.append((ref, self._add_slack([k], [sign])))
                weights.append(tier(family) / ref.scale)
        for variable, bound in _upper_bounds().items():
            block, columns = model.column_block(variable)
            for at, j in enumerate(columns.tolist()):
                if not math.isfinite(handle.col_upper[j]) or (variable == BUY.name and excluded[j]):
                    continue  # an excluded offer's capacity stays hard, as above
                ref = describe(data, bound.name, block.label(at))
                cap = handle.col_upper[j]
                h.changeColBounds(j, handle.col_lower[j], INF)
                h.addRow(-INF, cap, 1, np.array([j], dtype=np.int32), np.array([1.0]))
                row = h.getNumRow() - 1
                self.slacks.append((ref, self._add_slack([row], [-1.0])))
                weights.append(tier(bound.name) / ref.scale)
        self.weights = np.array(weights)
        self.columns = np.array([c for _, c in self.slacks], dtype=np.int32)

    def _add_slack(self, rows: list[int], coefficients: list[float]) -> int:
        h = self.handle.highs
        h.addCol(0.0, 0.0, INF, len(rows), np.array(rows, dtype=np.int32), np.array(coefficients))
        return h.getNumCol() - 1

    def minimise_violation(self, time_limit: float) -> SolverOutcome:
        """Phase 1: the least weighted violation, whatever the cost."""
        h, n = self.handle.highs, self.handle.model.num_columns
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        h.changeColsCost(len(self.columns), self.columns, self.weights)
        return self.handle.solve(time_limit, self.data.settings.mip_gap)

    def cheapest_within(self, time_limit: float, violation: float) -> SolverOutcome:
        """Phase 2: the cheapest plan whose weighted violation is no more than phase 1's.

        Capping the total rather than each slack lets cost break ties between
        relaxations that violate equally.
        """
        h, n = self.handle.highs, self.handle.model.num_columns
        h.addRow(-INF, violation + 1e-9 * max(1.0, violation), len(self.columns), self.columns, self.weights)
        h.changeColsCost(len(self.columns), self.columns, np.zeros(len(self.columns)))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), self.handle.cost)
        return self.handle.solve(time_limit, self.data.settings.mip_gap)

    def violated(self) -> tuple[list[RowRef], list[float | None]]:
        values = np.asarray(self.handle.highs.getSolution().col_value)
        refs: list[RowRef] = []
        amounts: list[float | None] = []
        for ref, column in self.slacks:
            if values[column] > SLACK_TOL * ref.scale:
                refs.append(ref)
                amounts.append(round_to_tolerance(float(values[column]), ref.scale))
        return refs, amounts


def rows_without_variables(data: PlanningData) -> list[tuple[RowRef, float]]:
    """Rows of the diagnose view that have no variable yet ask for something: (row, shortfall).

    Each family names its own (`missing`): an item with no offer at all, a
    min_share group with no offer of the item, a scenario that stops every
    offer of an item with a coverage rule. No plan can meet them, so an
    elastic plan misses them in full; the model leaves them out (a row needs
    a variable, and the Pyomo rendering could not hold one without).
    """
    if not data.multi_period:
        return [(describe(data, family.name, index), shortfall)
                for family in registry.checked() for index, shortfall in family.missing(data)]
    from planner.model.periods import world

    # several periods: per period, on its world, for the families built per period (an item with no offer is
    # then short in Item-balance, which has rows in every period)
    return [(describe(data, family.name, (*index, period)), shortfall)
            for t, period in enumerate(data.period_names) for w in [world(data, t)]
            for family in registry.checked() if family.periods == "each"
            for index, shortfall in family.missing(w)]


def elastic_plan(data: PlanningData, time_limit: float | None = None
                 ) -> tuple[dict[tuple[str, str], float] | None, Diagnosis, SolverOutcome]:
    """The cheapest plan among those that break the rules least: (quantities, what it relaxes, outcome).

    Items with no offer at all cannot be bought whatever is relaxed; they are
    left unbought and show up as `Item-demand` violations in the plan's check.
    """
    limit = time_limit if time_limit is not None else data.settings.time_limit
    handle = HighsModel(build(data, "diagnose"))
    elastic = _Elastic(data, handle)
    first = elastic.minimise_violation(limit)
    if not first.has_plan:
        return None, Diagnosis("none", notes=[first.message]), first
    second = elastic.cheapest_within(limit, float(first.objective or 0.0))
    if not second.has_plan:
        return None, Diagnosis("none", notes=[second.message]), second
    refs, amounts = elastic.violated()
    for ref, amount in rows_without_variables(data):
        refs.append(ref)
        amounts.append(amount)
    values = np.asarray(handle.highs.getSolution().col_value, dtype=float)[:handle.model.num_columns]
    if data.multi_period:  # the schedule and the expansions built, unrounded
        schedule, builds = schedule_from_values(handle.model, values, data)
        return (schedule, builds), Diagnosis("elastic", refs, amounts), second
    quantities = rounded_plan(data, quantities_from_values(handle.model, values, data))
    return quantities, Diagnosis("elastic", refs, amounts), second
