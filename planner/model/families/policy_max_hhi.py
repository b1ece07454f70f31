"""`Policy-max-hhi[r, i]`: the HHI of an item's volume shares by country is at most a value."""

from __future__ import annotations

import numpy as np

from planner.check.view import TOL, PlanView
from planner.data import PlanningData, Rule
from planner.model.blocks import INF, Rows, concat, repeated, rows
from planner.model.context import BuildContext, rules_by_id
from planner.model.families._hhi import KIND, caps, pairs
from planner.model.family import RowRef, RuleFamily, RuleKind
from planner.model.outer import POINTS


def _sentence(rule: Rule) -> str:
    of = f"of {rule.item}" if rule.item is not None else "of each item" if rule.item_class is None \
        else f"of each item of class {rule.item_class}"
    value = f"{rule.value:g}" if rule.value is not None else ""
    return f"the HHI of the country shares {of} at most {value}"


def _never_binds(data: PlanningData, rule: Rule) -> str:
    return "an HHI is at most 1 whatever the plan" if rule.value is not None and rule.value >= 1 else ""


MAX_HHI = RuleKind(
    KIND, "sum over countries of (volume of the item from the country / demand)^2 <= value, in (0, 1]; group blank",
    group="ignored", value="fraction", sentence=_sentence, never_binds=_never_binds,
    no_group="measures the concentration over all of the item's countries")


def _countries_with_offers(data: PlanningData, usable: bool) -> dict[str, list[str]]:
    """Item -> the countries with an offer of it (usable ones only, if `usable`), in Countries order."""
    t = data.table
    mask = data.usable if usable else np.ones(len(t), dtype=bool)
    width = max(1, len(t.country_names))
    keys = np.unique(t.item[mask].astype(np.int64) * width + t.country[mask])
    out: dict[str, list[str]] = {}
    for key in keys.tolist():
        out.setdefault(str(t.item_names[key // width]), []).append(str(t.country_names[key % width]))
    return out


class PolicyMaxHhi(RuleFamily):
    name = "Policy-max-hhi"
    summary = "the HHI of an item's country shares is at most a value"
    dims = ("rule", "item")
    tier = 1.0  # a policy can be broken and the plan still carried out
    rule_kinds = (MAX_HHI,)

    def build(self, ctx: BuildContext) -> Rows:
        """`Policy-max-hhi[r, i]`: for max_hhi rule r with value h < 1 and every item i it covers with demand
        d_i > 0 and an offer in the view,

            sum_{c} hhi_points[i, c] <= 10,000 h

        which, with `Item-hhi-points` holding each hhi_points[i, c] above 10,000 s_c^2 by tangents, is an
        outer approximation of HHI_i = sum_c s_c^2 <= h; the solve adds tangents until the plan meets the cap
        to within 1e-9 (`planner/model/outer.py`). A rule with h >= 1 can never bind: it has no row.
        """
        t, found = ctx.table, pairs(ctx)
        first = np.searchsorted(found.item, np.arange(len(t.item_names) + 1))  # pairs are in item code order
        blocks = []
        for rid, code, value in found.caps:
            columns = ctx.start("hhi_points") + np.arange(first[code], first[code + 1])
            blocks.append(rows(self.name, self.dims, (repeated(rid, 1), t.item_names[[code]]),
                               np.zeros(len(columns), dtype=np.int64), columns, np.ones(len(columns)),
                               np.array([-INF]), np.array([POINTS * value])))
        return concat(self.name, self.dims, blocks)

    def describe(self, data: PlanningData, index: tuple) -> RowRef:
        at = self.key(index)
        rule, item = rules_by_id(data)[at["rule"]], at["item"]
        label = rule.label() + (f" (for '{item}')" if rule.item is None else "")
        # its slack is in HHI points: measured against the whole scale, a relaxation reads as an HHI (0..1)
        return RowRef(self.name, index, (label,), POINTS)

    def check_rule(self, data: PlanningData, plan: PlanView, rule: Rule) -> list[str]:
        """The HHI of each item the rule covers: sum over countries of (volume from the country / demand)^2,
        from the plan's volumes and the suppliers' countries, against the value plus 1e-6 (the contract's)."""
        if rule.value is None:
            return []
        bad = []
        for item, hhi in self._hhi(data, plan, rule).items():
            if hhi > rule.value + TOL:
                bad.append(f"Policy-max-hhi: {rule.label()}: the HHI of '{item}' by country is {hhi:.9g}, above "
                           f"{rule.value:g}")
        return bad

    @staticmethod
    def _hhi(data: PlanningData, plan: PlanView, rule: Rule) -> dict[str, float]:
        """Item -> its HHI in the plan, for every item the rule covers with demand > 0."""
        country_of = plan.groups_of("country")
        out = {}
        for item in plan.items_of(rule):
            demand = data.items[item].demand
            if demand <= 0:
                continue  # no share of nothing: nothing is bought
            volume: dict[str, float] = {}
            for supplier, q in plan.bought[item].items():
                (country,) = country_of[supplier]
                volume[country] = volume.get(country, 0.0) + q
            out[item] = sum((v / demand) ** 2 for v in volume.values())
        return out

    def binds(self, data: PlanningData, plan: PlanView, rule: Rule) -> bool | None:
        """The cap binds when some item's HHI is within 1e-6 of it (its tangent rows cannot tell: a tangent
        holding with equality is no proof, and the cap row may be tight with the points above the parabola)."""
        if rule.value is None or rule.value >= 1:
            return False
        return any(abs(hhi - rule.value) <= TOL for hhi in self._hhi(data, plan, rule).values())

    def conflicts(self, data: PlanningData) -> list[str]:
        """A cap below 1/n, n the countries with usable offers of the item: the HHI of n shares adding up to 1
        is at least 1/n (the even split), so no plan meets it."""
        out = []
        usable, every = _countries_with_offers(data, True), _countries_with_offers(data, False)
        for rule, item in caps(data):
            countries = usable.get(item, [])
            n, value = len(countries), float(rule.value)  # type: ignore[arg-type]
            if not n or value >= 1.0 / n:
                continue  # no usable offer at all: `Item-demand` names it
            gone = [c for c in every.get(item, []) if c not in countries]
            excluded = sorted({r.label() for key, rules in data.excluded_by.items() if key[0] == item for r in rules})
            why = f"; offers from {', '.join(gone)} are excluded by {'; '.join(excluded)}" if gone else ""
            out.append(f"Policy-max-hhi: {rule.label()} cannot hold for '{item}': its usable offers come from "
                       f"{n} {'country' if n == 1 else 'countries'} ({', '.join(countries)}), so its HHI is at least "
                       f"1/{n} = {1.0 / n:.6g}, above {value:g}{why}")
        return out


FAMILY = PolicyMaxHhi()
