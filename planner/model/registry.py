"""Every family, in model order: the one list the builder, the checker and every reader ask.

The order is the order of the model's columns and rows (and of the sections
of `models/formulation.md`): variable families, then bounds, then row
families. Adding a family is adding its module to `MODULES`; a module in
`families/` left out of it, two families with one name, or a rule kind with
no owner or two fail here, at import.
"""

from __future__ import annotations

import pkgutil
from types import ModuleType

from planner.model import families
from planner.model.families import (
    award_country,
    award_supplier,
    buy,
    eta,
    excess,
    expand,
    expansion_capacity,
    expansion_once,
    hhi_points,
    item_balance,
    item_demand,
    item_hhi_points,
    item_max_stock,
    item_reserve,
    offer_capacity,
    offer_min_order,
    offer_use,
    policy_exclude,
    policy_max_countries,
    policy_max_countries_use,
    policy_max_hhi,
    policy_max_share,
    policy_max_suppliers,
    policy_min_award,
    policy_min_countries,
    policy_min_countries_award,
    policy_max_spend,
    policy_max_spend_share,
    policy_min_coverage,
    policy_min_share,
    policy_min_suppliers,
    policy_min_suppliers_award,
    route_capacity,
    scenario_demand,
    scenario_excess,
    short,
    spot,
    stock,
    supplier_capacity,
    supplier_use,
    tier_band_lower,
    tier_band_upper,
    tier_buy,
    tier_fill,
    tier_on,
    tier_one,
    tier_volume,
    total_cost,
    use_country,
    use_offer,
    use_supplier,
)
from planner.model.family import (
    BoundFamily,
    CheckedFamily,
    Family,
    ObjectiveFamily,
    RowFamily,
    RuleFamily,
    RuleKind,
    VariableFamily,
)

MODULES: tuple[ModuleType, ...] = (
    total_cost,
    buy,
    stock,
    use_supplier,
    use_offer,
    use_country,
    award_supplier,
    award_country,
    tier_buy,
    tier_on,
    hhi_points,
    expand,
    spot,
    short,
    eta,
    excess,
    offer_capacity,
    item_max_stock,
    item_demand,
    scenario_demand,
    item_balance,
    item_reserve,
    supplier_capacity,
    route_capacity,
    expansion_capacity,
    expansion_once,
    supplier_use,
    offer_use,
    offer_min_order,
    tier_volume,
    tier_band_lower,
    tier_band_upper,
    tier_one,
    tier_fill,
    item_hhi_points,
    policy_max_share,
    policy_min_share,
    policy_min_coverage,
    policy_exclude,
    policy_max_suppliers,
    policy_min_suppliers_award,
    policy_min_suppliers,
    policy_max_countries_use,
    policy_max_countries,
    policy_min_countries_award,
    policy_min_countries,
    policy_min_award,
    policy_max_spend,
    policy_max_spend_share,
    policy_max_hhi,
    scenario_excess,
)

# How Policy rule kinds are listed to people (template dropdown, README sheet, messages): every kind, once.
LISTED_RULE_KINDS: tuple[str, ...] = ("max_share", "min_share", "exclude", "min_coverage",
                                      "max_suppliers", "min_suppliers", "max_countries", "min_countries", "min_award",
                                      "max_spend", "max_spend_share", "max_hhi")

def register(modules: tuple[ModuleType, ...], found: set[str], listed_kinds: tuple[str, ...]
             ) -> tuple[dict[str, Family], dict[str, RowFamily], dict[str, RuleKind]]:
    """Check a list of family modules against the modules `found` in `families/` and the kinds listed to people,
    and index them: (family by name, family by rule kind, rule kind by name). Raises ImportError on the first
    inconsistency."""
    listed = {module.__name__.rsplit(".", 1)[1] for module in modules}
    if found != listed:
        raise ImportError(f"planner/model/families and registry.MODULES disagree: not listed {sorted(found - listed)}, "
                          f"listed but missing {sorted(listed - found)}")
    members: list[Family] = []
    for module in modules:
        family = getattr(module, "FAMILY", None)
        if not isinstance(family, Family):
            raise ImportError(f"{module.__name__} defines no FAMILY (an instance of a family class)")
        members.append(family)
    objectives = [f for f in members if isinstance(f, ObjectiveFamily)]
    if len(objectives) != 1:
        raise ImportError(f"the model needs one objective family, not {len(objectives)}")
    by_name: dict[str, Family] = {}
    by_kind: dict[str, RowFamily] = {}
    kinds: dict[str, RuleKind] = {}
    for family in members:
        if family.name in by_name:
            raise ImportError(f"two families are named {family.name!r}")
        by_name[family.name] = family
        for kind in family.rule_kinds:
            if kind.name in kinds:
                raise ImportError(f"rule kind {kind.name!r} is owned by {by_kind[kind.name].name} and {family.name}")
            if not isinstance(family, RuleFamily):
                raise ImportError(f"{family.name} owns rule kinds but is not a rule family")
            kinds[kind.name] = kind
            by_kind[kind.name] = family
    variables = {f.name for f in members if isinstance(f, VariableFamily)}
    for family in members:
        if isinstance(family, BoundFamily) and family.variable not in variables:
            raise ImportError(f"{family.name} bounds {family.variable!r}, which is no variable family")
        if isinstance(family, BoundFamily) and family.side != "upper":
            raise ImportError(f"{family.name}: the diagnosis relaxes upper bounds only; a {family.side!r} bound "
                              "family needs it extended (planner/diagnose.py) first")
        if isinstance(family, RuleFamily) and (not family.rule_kinds or family.dims[:1] != ("rule",)):
            raise ImportError(f"{family.name} is a rule family: it owns a rule kind and its first dimension is 'rule'")
    sides = [(f.variable, f.side) for f in members if isinstance(f, BoundFamily)]
    if len(set(sides)) != len(sides):
        raise ImportError("two bound families bound the same side of one variable family: an IIS could not tell "
                          "which of them it names")
    if sorted(listed_kinds) != sorted(kinds) or len(set(listed_kinds)) != len(listed_kinds):
        raise ImportError(f"LISTED_RULE_KINDS {listed_kinds} must list every rule kind once: {sorted(kinds)}")
    return by_name, by_kind, kinds


_BY_NAME, _BY_RULE_KIND, _RULE_KINDS = register(
    MODULES, {m.name for m in pkgutil.iter_modules(families.__path__) if not m.name.startswith("_")},
    LISTED_RULE_KINDS)
FAMILIES: tuple[Family, ...] = tuple(_BY_NAME.values())

OBJECTIVE: ObjectiveFamily = next(f for f in FAMILIES if isinstance(f, ObjectiveFamily))


def family(name: str) -> Family:
    """The family named `name` (a KeyError names the families there are)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no family is named {name!r}; the families are {', '.join(_BY_NAME)}") from None


def checked_family(name: str) -> CheckedFamily:
    """A family with rows or bounds (what `describe`, tiers and the checker know about)."""
    found = family(name)
    if not isinstance(found, CheckedFamily):
        raise KeyError(f"{name} has no rows or bounds")
    return found


def variables() -> list[VariableFamily]:
    return [f for f in FAMILIES if isinstance(f, VariableFamily)]


def bounds() -> list[BoundFamily]:
    return [f for f in FAMILIES if isinstance(f, BoundFamily)]


def row_families() -> list[RowFamily]:
    return [f for f in FAMILIES if isinstance(f, RowFamily)]


def checked() -> list[CheckedFamily]:
    """Bounds and row families, in model order."""
    return [f for f in FAMILIES if isinstance(f, CheckedFamily)]


def family_of_rule(kind: str) -> RowFamily:
    """The family whose rows a Policy rule of `kind` puts in the model."""
    return _BY_RULE_KIND[kind]


def rule_kind(kind: str) -> RuleKind:
    return _RULE_KINDS[kind]


def rule_kinds() -> list[RuleKind]:
    """Every Policy rule kind, as listed to people."""
    return [_RULE_KINDS[name] for name in LISTED_RULE_KINDS]


def summaries() -> dict[str, str]:
    """Family name -> one line of meaning, for the objective, bounds and row families (variables excluded)."""
    return {f.name: f.summary for f in FAMILIES if not isinstance(f, VariableFamily)}
