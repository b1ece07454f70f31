"""The family registry: every family declares every piece, and a family that forgets one fails, loudly.

Each constraint and variable family is one module under planner/model/families; the builder, the checker,
explain, diagnose, rule costs, lint and the template ask the registry. These tests build an instance where every
family has rows, and check that each piece each family declares works on them.
"""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pytest

import planner
from planner.check import check_plan
from planner.data import (Country, Expansion, Group, GroupSpec, Item, Offer, Period, PeriodValue, PlanningData, Route,
                          Rule, ScenarioHit, Supplier, Tier)
from planner.explain import describe
from planner.diagnose import TIER
from planner.model import build, observe_builds, registry
from planner.model.family import BoundFamily, RowFamily, RowRef, RuleFamily, RuleKind, VariableFamily


def every_family() -> PlanningData:
    """Two items, four suppliers in three countries; a fixed cost, a minimum order, a capacity, all-units tiers
    on (A, S4) and incremental ones on (B, S4), one rule of each kind (an exclusion of RU), one scenario: every
    family has rows in the view it belongs to."""
    return PlanningData(
        items={"A": Item("A", 100, row=2), "B": Item("B", 50, row=3)},
        suppliers={"S1": Supplier("S1", "CN", row=2), "S2": Supplier("S2", "DE", 80, 10, row=3),
                   "S3": Supplier("S3", "RU", row=4), "S4": Supplier("S4", "FR", row=5)},
        countries={"CN": Country("CN", row=2), "DE": Country("DE", blocs=("EU",), row=3), "RU": Country("RU", row=4),
                   "FR": Country("FR", blocs=("EU",), row=5)},
        offers={k: Offer(*k, price=p, capacity=c, min_order=m, row=r) for r, (k, p, c, m) in enumerate([
            (("A", "S1"), 10, 70, 0), (("A", "S2"), 12, np.inf, 5), (("A", "S3"), 9, np.inf, 0),
            (("A", "S4"), 13, np.inf, 0), (("B", "S2"), 3, np.inf, 0), (("B", "S4"), 4, np.inf, 0)], start=2)}
        | {("B", "S4"): Offer("B", "S4", price=4, discount="incremental", row=7)},
        tiers={("A", "S4"): (Tier("A", "S4", 30, 12.5, row=2),), ("B", "S4"): (Tier("B", "S4", 20, 3.5, row=3),)},
        rules=(Rule("exclude", None, GroupSpec("country", "RU"), row=2, cell="A2"),
               Rule("max_share", None, GroupSpec("country"), 0.7, row=3, cell="A3"),
               Rule("min_share", "A", GroupSpec("bloc", "EU"), 0.2, row=4, cell="A4"),
               Rule("min_coverage", "A", None, 0.5, row=5, cell="A5"),
               # the count and award rules from row 7 (row 6 is the conflicting rule a test adds)
               Rule("max_suppliers", "A", None, 2, row=7, cell="A7"),
               Rule("min_suppliers", "B", None, 2, row=8, cell="A8", min_award=0.1),
               Rule("max_countries", "A", None, 2, row=9, cell="A9"),
               Rule("min_countries", "B", None, 2, row=10, cell="A10", min_award=0.1),
               Rule("min_award", "A", None, 0.1, row=11, cell="A11"),
               Rule("max_spend", "B", None, 200.0, row=12, cell="A12"),
               Rule("max_spend_share", "A", GroupSpec("country", "CN"), 0.7, row=13, cell="A13"),
               Rule("max_hhi", "A", None, 0.6, row=14, cell="A14")),
        scenario_hits=(ScenarioHit("cn", Group("country", "CN"), None, 0.0, row=2, cell="A2"),),
    )


def several_periods() -> PlanningData:
    """`every_family` over two periods: a Demand row, an initial stock, a reserve, a most that may be held, a
    route with a lead time and a capacity, a supplier capacity by period, an expansion of an offer (decided in
    either period) and one of a supplier's total: every family built over the horizon has rows."""
    base = every_family()
    items = {**base.items, "A": dataclasses.replace(base.items["A"], initial_stock=40, min_stock=5, max_stock=500,
                                                     holding_cost=0.5)}
    offers = {**base.offers, ("A", "S3"): dataclasses.replace(base.offers["A", "S3"], route="sea"),
              ("A", "S4"): dataclasses.replace(base.offers["A", "S4"], route="rail")}
    return dataclasses.replace(
        base, items=items, offers=offers, periods=(Period("P1", row=2), Period("P2", row=3)),
        demands={("B", "P2"): PeriodValue("P2", 60, item="B", row=2)},
        capacities={("S2", None, "P2"): PeriodValue("P2", 90, supplier="S2", row=2)},
        routes={"sea": Route("sea", lead_time=1, freight=1, capacity=80, row=2), "rail": Route("rail", 0, 2, 60, row=3)},
        expansions={"X": Expansion("X", "S1", 30, item="A", fixed_cost=5, lead_time=0, row=2),
                    "Y": Expansion("Y", "S2", 20, fixed_cost=5, lead_time=0, row=3)})


def two_stages() -> PlanningData:
    """`every_family` in the two-stage mode: scenario cn with probability 0.2, a spot market for A, shortage
    allowed for B, and a risk weight of 0.5: every family of the second stage has rows."""
    base = every_family()
    items = {"A": dataclasses.replace(base.items["A"], spot_price=50.0, spot_capacity=30.0),
             "B": dataclasses.replace(base.items["B"], shortage_cost=100.0)}
    hits = tuple(dataclasses.replace(h, probability=0.2) for h in base.scenario_hits)
    return dataclasses.replace(base, items=items, scenario_hits=hits,
                               settings=dataclasses.replace(base.settings, mode="two_stage", risk_weight=0.5))


# families with rows only in one of the instances: of several periods, or of the two-stage mode
SEVERAL_ONLY = {"stock", "expand", "Item-max-stock", "Item-balance", "Item-reserve", "Expansion-capacity",
                "Expansion-once", "Route-capacity"}
TWO_STAGE_ONLY = {"spot", "short", "eta", "excess", "Scenario-demand", "Scenario-excess"}


def test_every_family_has_a_module_and_rows_in_this_instance() -> None:
    data = every_family()
    plan, diagnose = build(data, "plan"), build(data, "diagnose")
    several = {view: build(several_periods(), view) for view in ("plan", "diagnose")}
    staged = {view: build(two_stages(), view) for view in ("plan", "diagnose")}
    for family in registry.FAMILIES:
        assert family.module.startswith("planner/model/families/"), family.name
        view = "diagnose" if family.views == {"diagnose"} else "plan"
        for model, dims, expected in (
                (diagnose if view == "diagnose" else plan, family.dims,
                 family.name not in SEVERAL_ONLY | TWO_STAGE_ONLY),
                (several[view], family.period_dims(True), family.name not in TWO_STAGE_ONLY),
                (staged[view], family.dims, family.name not in SEVERAL_ONLY | {"Item-demand"})):
            if family.periods == "single" and model.periods is not None:
                assert family.name not in {c.name for c in model.columns} | {r.family for r in model.rows}
                continue
            if isinstance(family, VariableFamily):
                block, _ = model.column_block(family.name)
                size = len(block)
            elif isinstance(family, RowFamily):
                block, span = model.row_block(family.name)
                size = len(span)
            else:
                break
            assert bool(size) == expected, (family.name, model.periods is not None, size)
            if size:
                assert block.dims == dims, family.name


def test_every_row_and_bound_is_described_in_workbook_terms() -> None:
    """Each family's `describe` names the input rows behind each of its rows; Policy rows name their cell."""
    data = every_family()
    model = build(data, "diagnose")
    seen = set()
    for name, span in model.row_families():
        family = registry.checked_family(name)
        for k in span:
            ref = family.describe(data, model.row_label(k)[1])
            assert isinstance(ref, RowRef) and ref.family == name and ref.labels and ref.scale >= 1
            if family.rule_kinds:
                rid = model.rows[[r.family for r in model.rows].index(name)].key(k - span.start)["rule"]
                assert ref.labels[0].startswith(f"Policy!A{rid} "), ref.labels
            seen.add(name)
    several = several_periods()
    for other in (several, two_stages()):
        for view in ("plan", "diagnose"):
            model = build(other, view)
            for name, span in model.row_families():
                for k in span:
                    ref = describe(other, name, model.row_label(k)[1])
                    assert isinstance(ref, RowRef) and ref.family == name and ref.labels and ref.scale >= 1
                    seen.add(name)
    block, _ = model.column_block("buy")
    capacity = registry.checked_family("Offer-capacity")
    assert capacity.describe(data, ("A", "S1")).labels == ("Offers row 2 capacity 70 of 'A' from 'S1'",)
    assert seen == {f.name for f in registry.row_families()}
    # a row of a family built per period says which period, on that period's data
    model = build(several, "plan")
    block, span = model.row_block("Policy-min-share")
    assert describe(several, "Policy-min-share", model.row_label(span.start)[1]).labels[0].endswith(" in period P1")


def test_every_family_declares_a_tier_and_diagnose_uses_it() -> None:
    for family in registry.checked():
        assert family.tier is None or family.tier > 0
        assert TIER.get(family.name) == family.tier
    assert {f.name for f in registry.checked() if f.tier is None} == {
        "Supplier-use", "Offer-use", "Policy-min-suppliers-award", "Policy-max-countries-use",
        "Policy-min-countries-award", "Tier-volume", "Tier-band-lower", "Tier-band-upper", "Tier-one", "Tier-fill",
        "Item-hhi-points", "Expansion-once", "Scenario-excess"}


def test_each_rule_kind_has_one_family_and_is_listed_everywhere_people_read() -> None:
    from pathlib import Path

    from planner.io.write_input import RULE_MEANINGS
    from planner.schema import RULES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "workbook.md").read_text()
    kinds = registry.rule_kinds()
    assert [k.name for k in kinds] == list(RULES) == [name for name, _ in RULE_MEANINGS]
    for kind in kinds:
        family = registry.family_of_rule(kind.name)
        assert isinstance(family, RuleFamily) and kind in family.rule_kinds and family.dims[0] == "rule"
        assert f"`{kind.name}`" in doc


def test_the_checker_asks_every_family() -> None:
    """A plan that breaks one rule of each kind and each capacity is flagged once per family, by its name."""
    data = every_family()
    quantities = {("A", "S1"): 80.0, ("A", "S2"): 2.0, ("A", "S3"): 18.0, ("B", "S2"): 90.0}
    found = {m.split(":")[0] for m in check_plan(data, quantities, objective=0.0)}
    assert found == {"Offer-capacity", "Offer-min-order", "Item-demand", "Supplier-capacity", "Policy-exclude",
                     "Policy-max-share", "Policy-min-share", "Policy-min-coverage", "Policy-max-suppliers",
                     "Policy-min-suppliers", "Policy-max-countries", "Policy-min-countries", "Policy-min-award",
                     "Policy-max-spend", "Policy-max-spend-share", "Policy-max-hhi", "Total-cost"}


def test_a_family_that_forgets_a_piece_fails_at_import() -> None:
    with pytest.raises(TypeError, match="does not declare tier"):
        class NoTier(RowFamily):  # noqa: F841 - defining the class is the test
            name, summary, dims = "X-rows", "x", ("item",)

            def build(self, ctx):
                """x"""

            def describe(self, data, index):
                return RowRef(self.name, index, ("x",), 1.0)

            def check(self, data, plan):
                return []

    class NoDescribe(RowFamily):
        name, summary, dims, tier = "X-rows", "x", ("item",), 1.0

        def build(self, ctx):
            """x"""

        def check(self, data, plan):
            return []

    with pytest.raises(TypeError, match="describe"):
        NoDescribe()

    with pytest.raises(TypeError, match="docstring"):
        class Undocumented(VariableFamily):  # noqa: F841
            name, summary, dims, integer = "x", "x", ("item",), False

            def build(self, ctx):
                return None

    with pytest.raises(TypeError, match="binary family x does not define needed, closes"):
        class Binary(VariableFamily):  # noqa: F841 - a MIP family that would leave the Run sheet saying LP
            name, summary, dims, integer = "x", "x", ("item",), True

            def build(self, ctx):
                """x"""


def _module(name: str, family: object) -> types.ModuleType:
    module = types.ModuleType(f"planner.model.families.{name}")
    module.FAMILY = family  # type: ignore[attr-defined]
    return module


def test_the_registry_refuses_an_unlisted_module_a_second_owner_and_an_unlisted_kind() -> None:
    found = {m.__name__.rsplit(".", 1)[1] for m in registry.MODULES}
    with pytest.raises(ImportError, match=r"not listed \['max_suppliers'\]"):
        registry.register(registry.MODULES, found | {"max_suppliers"}, registry.LISTED_RULE_KINDS)

    share = registry.family_of_rule("max_share")

    class Again(RuleFamily):
        name, summary, dims, tier = "Policy-again", "x", ("rule", "item"), 1.0
        rule_kinds = share.rule_kinds

        def build(self, ctx):
            """x"""

        def describe(self, data, index):
            return RowRef(self.name, index, ("x",), 1.0)

        def check_rule(self, data, plan, rule):
            return []

    modules = (*registry.MODULES, _module("again", Again()))
    with pytest.raises(ImportError, match="owned by Policy-max-share and Policy-again"):
        registry.register(modules, found | {"again"}, registry.LISTED_RULE_KINDS)

    Again.rule_kinds = ()
    with pytest.raises(ImportError, match="is a rule family: it owns a rule kind"):
        registry.register(modules, found | {"again"}, registry.LISTED_RULE_KINDS)

    kind = RuleKind("max_again", "x", "required", "share", lambda r: "", lambda d, r: "")
    Again.rule_kinds, Again.dims = (kind,), ("item", "rule")
    with pytest.raises(ImportError, match="first dimension is 'rule'"):
        registry.register(modules, found | {"again"}, (*registry.LISTED_RULE_KINDS, "max_again"))
    Again.dims = ("rule", "item")
    with pytest.raises(TypeError, match="say why"):
        RuleKind("max_again", "x", "ignored", "share", lambda r: "", lambda d, r: "")
    Again.rule_kinds = (kind,)
    with pytest.raises(ImportError, match="LISTED_RULE_KINDS"):
        registry.register(modules, found | {"again"}, registry.LISTED_RULE_KINDS)
    registry.register(modules, found | {"again"}, (*registry.LISTED_RULE_KINDS, "max_again"))


def test_bounds_name_a_variable_family() -> None:
    assert all(isinstance(b, BoundFamily) and registry.family(b.variable) for b in registry.bounds())


def test_blocks_are_read_by_dimension_name() -> None:
    model = build(every_family())
    block, _ = model.row_block("Policy-min-coverage")
    assert block.dims == ("rule", "scenario", "item")
    assert block.key(0) == {"rule": 5, "scenario": "cn", "item": "A"}
    assert list(block.coord("item")) == ["A"]
    with pytest.raises(KeyError, match="no dimension 'period'"):
        block.coord("period")
    table = model.frame("buy", np.arange(model.num_columns, dtype=float))
    assert list(table.columns) == ["item", "supplier", "value"]
    assert table.iloc[0].tolist() == ["A", "S1", 0.0]


def test_one_hook_sees_every_model_any_path_builds() -> None:
    """Solving with rule costs, and diagnosing an infeasible input, build several models; the hook sees each."""
    seen: list[str] = []
    data = every_family()
    with observe_builds(lambda d, view, model: seen.append(view)):
        plan = planner.solve(data)
        assert plan.status == "optimal"
        assert "plan" in seen
        seen.clear()
        broken = PlanningData(data.items, data.suppliers, data.countries, data.offers,
                              rules=(*data.rules, Rule("max_share", "A", GroupSpec("bloc", "EU"), 0.1, row=6)),
                              scenario_hits=data.scenario_hits)
        assert planner.solve(broken).status == "infeasible"
    assert "diagnose" in seen
    assert len(plan.purchases) == len(plan.quantities)
    assert set(plan.purchases.columns) == {"item", "supplier", "quantity"}


def test_checks_read_the_plan_only_through_the_checker_view() -> None:
    """A family's check shares no helper with its build: it reads `PlanView` and the records, never the offer
    table, the build context, group members or availability arrays the builders use."""
    import inspect

    from planner.check import view

    builders_only = ("ctx", ".table", "members(", "availability_levels", "in_any", "in_group(", "excluded_by",
                     "usable", "data.groups(", "rule_items", "coverage_rows", "min_share_rows", "fixed_suppliers",
                     "from planner.model", "import planner.model")
    sources = [inspect.getsource(view)]
    for family in registry.checked():
        for method in ("check", "check_rule", "check_offer"):
            if method in type(family).__dict__:
                sources.append(inspect.getsource(type(family).__dict__[method]))
    sources.append(inspect.getsource(type(registry.OBJECTIVE).check))
    for source in sources:
        for word in builders_only:
            assert word not in source, f"a check uses {word}:\n{source}"


def test_checker_reports_purchase_by_purchase_then_family_by_family_then_rule_by_rule() -> None:
    """The order users have always seen: per purchase (capacity, minimum order) in the plan's order, then demand
    and supplier capacity, then each Policy row in its order."""
    data = every_family()
    quantities = {("A", "S2"): 2.0, ("A", "S1"): 80.0, ("A", "S3"): 18.0, ("B", "S2"): 90.0}
    families = [m.split(":")[0] for m in check_plan(data, quantities)]
    assert families[:2] == ["Offer-min-order", "Offer-capacity"]
    assert families[2:4] == ["Item-demand", "Supplier-capacity"]
    assert list(dict.fromkeys(families[4:])) == ["Policy-exclude", "Policy-max-share", "Policy-min-share", "Policy-min-coverage",
                                                 "Policy-max-suppliers", "Policy-min-suppliers", "Policy-max-countries",
                                                 "Policy-min-countries", "Policy-min-award", "Policy-max-spend",
                                                 "Policy-max-spend-share", "Policy-max-hhi"]
