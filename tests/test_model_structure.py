"""The model's shape: sparse index sets, and one name per family in code and in models/."""

from __future__ import annotations

import re
from pathlib import Path

import pyomo.environ as pyo

from planner.data import Country, GroupSpec, Item, Offer, PlanningData, Rule, ScenarioHit, Group, Supplier
from planner.model import FAMILIES, create_model

ROOT = Path(__file__).resolve().parents[1]


def data() -> PlanningData:
    return PlanningData(
        items={"A": Item("A", 100), "B": Item("B", 50)},
        suppliers={"S1": Supplier("S1", "CN"), "S2": Supplier("S2", "DE", 80, 10), "S3": Supplier("S3", "RU")},
        countries={"CN": Country("CN"), "DE": Country("DE", blocs=("EU",)), "RU": Country("RU")},
        offers={k: Offer(*k, price=p, min_order=m) for k, p, m in [
            (("A", "S1"), 10, 0), (("A", "S2"), 12, 5), (("A", "S3"), 9, 0), (("B", "S2"), 3, 0)]},
        rules=(Rule("exclude", None, GroupSpec("country", "RU")), Rule("max_share", None, GroupSpec("country"), 0.7),
               Rule("min_coverage", "A", None, 0.5)),
        scenario_hits=(ScenarioHit("cn", Group("country", "CN"), None, 0.0),),
    )


def test_index_sets_are_sparse() -> None:
    """Variables only for the offers that exist and are not excluded; rows only where they bind anything."""
    m = create_model(data())
    assert list(m.OFFERS) == [("A", "S1"), ("A", "S2"), ("B", "S2")]
    assert len(list(m.component_data_objects(pyo.Var))) == 3 + 1 + 1  # buy, use_supplier[S2], use_offer[A,S2]
    assert all(not v.fixed for v in m.component_data_objects(pyo.Var))
    # each country <= 70 %: A has CN and DE offers, B only DE; no row for RU (excluded) or empty groups
    assert sorted(m.component("Policy-max-share")) == [(2, "A", "country", "CN"), (2, "A", "country", "DE"),
                                                        (2, "B", "country", "DE")]
    # scenario cn hits item A only; B has no coverage rule
    assert list(m.component("Policy-min-coverage")) == [(3, "cn", "A")]
    assert list(m.component("Supplier-capacity")) == ["S2"]


def test_every_family_is_named_alike_in_code_and_formulation() -> None:
    m = create_model(data())
    components = {c.name for c in m.component_objects((pyo.Constraint, pyo.Objective))}
    doc = (ROOT / "models" / "formulation.md").read_text()
    documented = set(re.findall(r"`((?:Total|Offer|Item|Supplier|Policy|Tier|Route|Expansion|Scenario)-[a-z-]+)(?:\[[^\]]*\])?`", doc))
    assert components <= set(FAMILIES)
    assert set(FAMILIES) == documented
    from planner.model import registry

    for name in FAMILIES:
        family = registry.family(name)
        source = (ROOT / family.module).read_text()
        assert f"`{name}" in source, f"{name} has no docstring in {family.module}"


def test_workbook_doc_names_every_column() -> None:
    from planner.schema import SETTINGS, SHEETS

    doc = (ROOT / "docs" / "workbook.md").read_text()
    for sheet in SHEETS:
        assert f"## {sheet.name}" in doc
        for column in sheet.columns:
            assert f"| `{column.name}` |" in doc, f"{sheet.name}.{column.name} is not documented"
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in doc
