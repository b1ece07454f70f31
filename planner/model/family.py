"""What a family declares: the one interface every constraint and variable family implements.

A family module (`planner/model/families/*.py`) defines one subclass of
`VariableFamily`, `BoundFamily`, `RowFamily` or `RuleFamily` and exposes an
instance as `FAMILY`. The declaration holds everything about the family:

* `name` (as in `models/formulation.md` and in every message), `summary`
  (one line of meaning) and `dims`, the names of its index's dimensions;
* `views`: the model views it is part of ("plan", "diagnose");
* `build(ctx)`: its block, computed from the data (docstring: when it
  applies and its algebra);
* `describe(data, index)`: the row in workbook terms (which cells);
* `tier`: how reluctantly an elastic diagnosis relaxes it (None: a
  definition that is never relaxed);
* `check(data, plan)`: the independent checker's test of a plan, written
  from the contract and sharing no helper with `build`;
* for families that own Policy rule kinds, `rule_kinds` (`RuleKind`: how a
  Policy row of that kind is validated, worded and priced) and
  `check_rule(data, plan, rule)`;
* optionally `conflicts(data)` (rows that would have no variable yet ask
  for something: named before any solve) and `missing(data)` (the same rows
  in the diagnose view, with their shortfall).

Every consumer (builder, explain, diagnose, rule costs, lint, schema, the
template, the plan writer, the checker) asks `planner.model.registry`.
Abstract methods make a family that forgets a piece fail when the registry
instantiates it at import; `__init_subclass__` checks the declared
attributes; the registry checks that every module of `families/` is
registered, once, and that every rule kind has one owner.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from planner.model.blocks import Columns, Rows
from planner.model.container import SourcingModel, View

if TYPE_CHECKING:
    from planner.check.view import PlanView
    from planner.data import Offer, PlanningData, Rule
    from planner.model.context import BuildContext
    from planner.model.outer import SquaredShares
    from planner.model.periods import HorizonContext
    from planner.check.periods import Timeline

ALL_VIEWS: frozenset[View] = frozenset({"plan", "diagnose"})


@dataclass(frozen=True)
class RowRef:
    """One model row or bound, named as in `models/formulation.md` and as in the workbook."""

    family: str  # "Policy-max-share"
    index: tuple  # the constraint's index, () for a scalar
    labels: tuple[str, ...]  # the input rows behind it, as the user knows them
    scale: float  # the quantity a violation of the row is measured against

    @property
    def name(self) -> str:
        inside = ",".join(str(part) for part in self.index)
        return f"{self.family}[{inside}]" if self.index else self.family

    @property
    def what(self) -> str:
        return "; ".join(self.labels)


@dataclass(frozen=True)
class RuleKind:
    """A kind of Policy row (`max_share`, ...): how it is read, worded and priced.

    `group`: "required" (the row must name a group), "optional" (a blank
    group means every supplier) or "ignored" (a group given is ignored with
    a warning that says why, `no_group`: "counts all offers of the item").
    `value`: "share" (a share in [0, 1], required), "fraction" (a share in
    (0, 1]), "count" (a whole number >= 1), "money" (an amount >= 0 in the
    base currency) or "none" (a value given is ignored with a warning).
    `award`: the row reads the Policy `min_award` column (elsewhere a value
    in it is ignored with a warning). `all_items`: a blank item cell means
    all items together (a budget), not each item separately. `restricts_offers`: the rule removes offers from the model
    (a set restriction) rather than adding rows, so dropping it means a
    rebuild. `sentence(rule)`: what the rule asks, in words. `raising`:
    how a rise of its value reads in the Rules sheet's `meaning`, with
    `{group}` and `{on}` filled in (None: it has no value).
    `never_binds(data, rule)`: why the rule can never bind ("" if it can).
    `point`: what one step of the Rules sheet's `marginal_per_point` is, in
    the `meaning`'s words (`{currency}` filled in): a rise of the value by
    `step`, 0.01 for a share (one percentage point), 1 otherwise (one unit
    of money).
    """

    name: str
    help: str
    group: Literal["required", "optional", "ignored"]
    value: Literal["share", "fraction", "count", "money", "none"]
    sentence: Callable[[Rule], str]
    never_binds: Callable[[PlanningData, Rule], str]
    raising: str | None = None
    restricts_offers: bool = False
    no_group: str = ""
    award: bool = False
    all_items: bool = False
    point: str = "1 % of demand"

    def __post_init__(self) -> None:
        if self.group == "ignored" and not self.no_group:
            raise TypeError(f"rule kind {self.name} ignores a group: say why (no_group), for the warning on one given")

    @property
    def takes_value(self) -> bool:
        return self.value != "none"

    @property
    def step(self) -> float:
        """The rise of the value that `marginal_per_point` prices: a percentage point of a share, else 1."""
        return 0.01 if self.value in ("share", "fraction") else 1.0


def _declared(cls: type, names: tuple[str, ...]) -> None:
    """Fail at import when a concrete family class leaves a declaration out."""
    if inspect.isabstract(cls):
        return
    missing = [n for n in names if not hasattr(cls, n)]
    if missing:
        raise TypeError(f"family class {cls.__qualname__} does not declare {', '.join(missing)}")
    build = getattr(cls, "build", None)
    if build is not None and not (build.__doc__ or "").strip():
        raise TypeError(f"{cls.name}: build() needs a docstring stating when the family applies and its algebra")


class Family(ABC):
    """What every family declares (see the module's docstring)."""

    name: ClassVar[str]
    summary: ClassVar[str]
    dims: ClassVar[tuple[str, ...]]
    views: ClassVar[frozenset[View]] = ALL_VIEWS
    rule_kinds: ClassVar[tuple[RuleKind, ...]] = ()
    # How the family reads several periods (a Periods sheet; `planner/model/periods.py`):
    #   "each": built per arrival period from that period's world, its index gaining a last dimension `period`;
    #   "horizon": built once over all periods by `build_horizon`, indexed by `horizon_dims` (without periods by
    #       `build`, which may give an empty block: stock has nothing to hold in one period);
    #   "single": only without periods (a horizon family takes its part: Item-balance that of Item-demand).
    periods: ClassVar[Literal["each", "horizon", "single"]] = "each"
    horizon_dims: ClassVar[tuple[str, ...]] = ()
    _required: ClassVar[tuple[str, ...]] = ("name", "summary", "dims")

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        _declared(cls, cls._required)
        if cls.periods == "horizon" and not inspect.isabstract(cls) and not cls.horizon_dims:
            raise TypeError(f"{cls.__qualname__} is built over the horizon but declares no horizon_dims")

    def period_dims(self, several: bool) -> tuple[str, ...]:
        """The dimensions of the family's block in a model of one period (`dims`) or of several."""
        if not several:
            return self.dims
        return self.horizon_dims if self.periods == "horizon" else (*self.dims, "period")

    def when(self, data: PlanningData, index: tuple, period: str) -> str:
        """How a row of a family built per period says its period (`explain.describe`): `in period 2027`."""
        return f"in period {period}"

    def build_horizon(self, hz: HorizonContext) -> Columns | Rows:
        """The family's block over all periods (families with `periods = "horizon"`)."""
        raise NotImplementedError(f"{self.name} is not built over the horizon")

    @property
    def module(self) -> str:
        """The module that is the family's one home: `planner/model/families/item_demand.py`."""
        return type(self).__module__.replace(".", "/") + ".py"

    def key(self, index: tuple) -> dict[str, object]:
        """An index tuple by dimension name."""
        return dict(zip(self.dims, index))


class VariableFamily(Family):
    """A family of variables: its columns, their costs (their part of `Total-cost`), bounds and domain.

    A family of binaries (`integer = True`) must say when the data needs it
    (`needed`: the model is then a MIP, as the Run sheet and `planner
    validate` state before any build) and which purchases a binary at 0
    switches off (`closes`: the plan drops the solver's crumbs there, a
    quantity of 1e-7 its binary at 0 allows within the integrality tolerance).
    """

    integer: ClassVar[bool]
    _required = ("name", "summary", "dims", "integer")

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "integer", False) and not inspect.isabstract(cls):
            missing = [m for m in ("needed", "closes") if getattr(cls, m) is getattr(VariableFamily, m)]
            if missing:
                raise TypeError(f"binary family {cls.name} does not define {', '.join(missing)}")

    @abstractmethod
    def build(self, ctx: BuildContext) -> Columns:
        """The family's columns."""

    def needed(self, data: PlanningData) -> bool:
        """Whether the plan view of `data` gets columns of this family (binaries make the model a MIP)."""
        return False

    def closes(self, data: PlanningData, model: SourcingModel, closed: np.ndarray) -> np.ndarray:
        """Bool per `buy` column (offer `model.offers[k]`): switched off by this family's binaries at positions
        `closed` of its block (value 0)."""
        return np.zeros(len(model.offers), dtype=bool)


class CheckedFamily(Family):
    """A family with rows or bounds that restrict the plan: described in workbook terms and checked.

    A family whose rule concerns one purchase at a time (a capacity, a
    minimum order) sets `per_offer` and defines `check_offer`: the checker
    then reports, purchase by purchase in the plan's order, what is wrong
    with each (its `check` does the same for the whole plan).
    """

    tier: ClassVar[float | None]
    per_offer: ClassVar[bool] = False
    _required = ("name", "summary", "dims", "tier")

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.per_offer and cls.check_offer is CheckedFamily.check_offer:
            raise TypeError(f"{cls.name} checks per offer but does not define check_offer")

    def check_offer(self, data: PlanningData, offer: Offer, q: float) -> list[str]:
        """What is wrong with buying q of one offer (for `per_offer` families)."""
        raise NotImplementedError

    def check_each_offer(self, data: PlanningData, plan: PlanView) -> list[str]:
        """`check` of a `per_offer` family: `check_offer` for every purchase, in the plan's order."""
        return [m for offer, q in plan.entries for m in self.check_offer(data, offer, q)]

    @abstractmethod
    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        """The input rows behind `name[index]`, with the scale its violation is measured against."""

    @abstractmethod
    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        """Every violation of the family by the plan, as a sentence starting with the family's name."""

    def conflicts(self, data: PlanningData) -> list[str]:
        """Rows of the plan view that have no variable yet ask for something: no plan can meet them."""
        return []

    def check_horizon(self, data: PlanningData, plan: Timeline) -> list[str]:
        """With several periods, every violation of a family built over the horizon (`periods = "horizon"`) by
        the plan's schedule: stock, capacities by order period, expansions. Families built per period are checked
        per period by `check` on each period's world."""
        return []

    def missing(self, data: PlanningData) -> list[tuple[tuple, float]]:
        """(index, shortfall) of rows of the diagnose view that have no variable yet ask for something."""
        return []


class BoundFamily(CheckedFamily):
    """Bounds on the columns of a variable family (`variable`), set by the builder after the variables.

    `side` says which bound ("upper"): an IIS that names a column's upper
    bound is described as this family's, and an elastic diagnosis relaxes
    it. Its `dims` are those of the variable it bounds.
    """

    variable: ClassVar[str]
    side: ClassVar[Literal["upper"]]  # a lower-bound family needs the diagnosis to relax lower bounds first
    _required = ("name", "summary", "dims", "tier", "variable", "side")

    @abstractmethod
    def build(self, ctx: BuildContext, columns: Columns) -> Columns:
        """The variable family's columns with this family's bounds applied."""


class RowFamily(CheckedFamily):
    """A family of rows."""

    @abstractmethod
    def build(self, ctx: BuildContext) -> Rows:
        """The family's rows (an empty block when it does not apply)."""

    def outer(self, ctx: BuildContext) -> SquaredShares | None:
        """For tangent rows of a convex rule, which the solve refines with cuts (`planner/model/outer.py`): where
        they are. None for the rows of every other family."""
        return None


class RuleFamily(RowFamily):
    """A row family that Policy rows of its `rule_kinds` put in the model; its index starts with `rule`."""

    def check(self, data: PlanningData, plan: PlanView) -> list[str]:
        return [m for rule in data.rules if rule.kind in {k.name for k in self.rule_kinds}
                for m in self.check_rule(data, plan, rule)]

    @abstractmethod
    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        """Every violation of one rule of this family's kinds by the plan."""

    def binds(self, data: PlanningData, plan: PlanView, rule: Rule) -> bool | None:
        """Whether the plan is at the rule's limit, for the Rules sheet, where its rows cannot say it (None: a row
        of the rule holding with equality is the answer). Rows on binaries the solver may set either way at the
        plan (an unused offer's `use_offer` may be 1; an award row holds with equality at 0 = 0) read the plan
        instead."""
        return None
    def value_terms(self, data: PlanningData, model: SourcingModel, values: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """For each of the family's rows in `model`, in block order, at the plan `values` (the model's column
        values; None when there is none): (the scale a row's slack is measured against, to tell whether it
        binds; how far its right-hand side moves per unit of its rule's value, NaN where it does not move in
        proportion: no marginal). The Rules sheet reads it (`planner/analysis.py`). The default is for rows
        whose right-hand side is value * d_i: (d_i, d_i) with an `item` dimension, (1, NaN) without."""
        block, _ = model.row_block(self.name)
        if "item" in block.dims and "period" in block.dims and data.multi_period:  # that period's demand
            demand = np.array([data.demand_in(i, p) if p in data.period_names else data.items[i].demand
                               for i, p in zip(block.coord("item"), block.coord("period"))], dtype=float)
            return demand, demand
        if "item" in block.dims:
            demand = np.array([data.items[i].demand for i in block.coord("item")], dtype=float)
            return demand, demand
        return np.ones(len(block)), np.full(len(block), np.nan)


class ObjectiveFamily(Family):
    """The objective: the sum of the variable families' costs, checked against the plan's own cost."""

    @abstractmethod
    def check(self, data: PlanningData, plan: PlanView, objective: float) -> list[str]:
        """Whether the solver's objective is what the plan costs."""
