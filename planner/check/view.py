"""The plan as the independent checker reads it: volumes bought, by item, supplier and group.

Written from the contract's text, not from the model: nothing here is
shared with `planner.model` (no group, availability or cost helper), so a
mistake in the model's index sets shows up as a violation. Each family's
`check` (in its module under `planner/model/families/`) reads a plan only
through this view.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from planner.data import Group, Offer, OfferKey, PlanningData, Rule

# Absolute tolerance per unit of scale (demand or capacity): HiGHS's default
# primal feasibility tolerance is 1e-7, so 1e-6 leaves room without hiding errors.
TOL = 1e-6


def tol(scale: float) -> float:
    return TOL * max(1.0, abs(scale))


@dataclass
class PlanView:
    """A plan's quantities, read once: what every family's check looks at."""

    data: PlanningData
    # every quantity other than 0, in the plan's order: (its offer, None if no offer explains it; the quantity;
    # what is wrong with it whatever the rules: an unknown offer, a negative or infinite quantity)
    lines: list[tuple[Offer | None, float, str | None]]
    bought: dict[str, dict[str, float]]  # item -> supplier -> quantity > 0
    _surviving: dict[str, dict[str, float]] = field(default_factory=dict)
    _hit: dict[str, set[str]] = field(default_factory=dict)
    _duty: dict[tuple[str, str], float] = field(default_factory=dict)
    # in a period of several: the offers that can arrive in it (ordered no earlier than the first period); None:
    # every offer
    arrivable: set[OfferKey] | None = None
    _groups_of: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def entries(self) -> list[tuple[Offer, float]]:
        """Every known offer with a quantity other than 0, in the plan's order."""
        return [(offer, q) for offer, q, _ in self.lines if offer is not None]

    @classmethod
    def of(cls, data: PlanningData, quantities: dict[OfferKey, float],
           arrivable: set[OfferKey] | None = None) -> PlanView:
        lines: list[tuple[Offer | None, float, str | None]] = []
        bought: dict[str, dict[str, float]] = {i: {} for i in data.items}
        for (item, supplier), q in quantities.items():
            if q == 0.0:
                continue  # nothing bought: no offer, capacity, minimum order or rule is concerned
            offer = data.offers.get((item, supplier))
            if offer is None:
                lines.append((None, q, f"buys {q:g} of '{item}' from '{supplier}', which made no offer for it"))
                continue
            wrong = None if math.isfinite(q) and q >= -tol(q) else \
                f"quantity {q} of '{item}' from '{supplier}' is negative or not finite"
            lines.append((offer, q, wrong))
            if q > 0:
                bought[item][supplier] = bought[item].get(supplier, 0.0) + q
        return cls(data, lines, bought, arrivable=arrivable)

    def per_supplier(self) -> dict[str, float]:
        """Supplier -> volume bought over all items."""
        out: dict[str, float] = {}
        for volumes_of_item in self.bought.values():
            for s, q in volumes_of_item.items():
                out[s] = out.get(s, 0.0) + q
        return out

    def groups_of(self, kind: str) -> dict[str, tuple[str, ...]]:
        """Supplier -> the names of the groups of `kind` it belongs to (itself, its country, or its country's
        blocs)."""
        if kind not in self._groups_of:  # once per kind: a check asks for every (rule, item)
            data = self.data
            if kind == "supplier":
                found = {s: (s,) for s in data.suppliers}
            elif kind == "country":
                found = {s.name: (s.country,) for s in data.suppliers.values()}
            else:
                found = {s.name: data.countries[s.country].blocs for s in data.suppliers.values()}
            self._groups_of[kind] = found
        return self._groups_of[kind]

    def all_groups(self, kind: str) -> list[str]:
        data = self.data
        if kind == "supplier":
            return list(data.suppliers)
        if kind == "country":
            return list(data.countries)
        return sorted({b for c in data.countries.values() for b in c.blocs})

    def items_of(self, rule: Rule) -> list[str]:
        """The items a Policy row names: its item, every item whose class its `class:NAME` names, or all."""
        if rule.item is not None:
            return [rule.item]
        return [i.name for i in self.data.items.values() if rule.item_class is None or i.item_class == rule.item_class]

    def member(self, group: Group, supplier: str, item: str | None = None) -> bool:
        """Whether a supplier's goods (of `item`) are in a group, read from the records: a union holds what any
        part holds; a route holds the offers that travel on it (its Offers `route` cell), so it needs the item."""
        data = self.data
        if group.kind == "union":
            return any(self.member(part, supplier, item) for part in group.parts)
        if group.kind == "route":
            offer = data.offers.get((item, supplier)) if item is not None else None
            return offer is not None and offer.route == group.name
        country = data.suppliers[supplier].country
        return (group.name == supplier if group.kind == "supplier" else group.name == country
                if group.kind == "country" else group.name in data.countries[country].blocs)

    def check_groups(self, rule: Rule, every_group: bool, broken: Callable[[float, float], str]) -> list[str]:
        """`broken(volume, demand)` ("" if the rule holds) for every item the rule covers and every group it
        names, each as `<rule label>: '<item>' from <kind>:<group> <what broken says>`: with `each ...`, every
        group of the kind when `every_group` (a group with no volume can break a minimum), else the groups
        with volume."""
        assert rule.group is not None
        data, bad = self.data, []
        items = self.items_of(rule)
        by_offer = rule.group.kind in ("union", "route") and rule.group.name is not None
        groups_of = self.groups_of(rule.group.kind) if not by_offer else {}
        for item in items:
            volumes: dict[str, float] = {}  # group name -> volume of the item bought from it
            for s, q in self.bought[item].items():
                names = groups_of[s] if not by_offer else \
                    ((rule.group.name,) if self.member(rule.group.group, s, item) else ())
                for group_name in names:
                    volumes[group_name] = volumes.get(group_name, 0.0) + q
            checked = ([rule.group.name] if rule.group.name is not None else
                       self.all_groups(rule.group.kind) if every_group else list(volumes))
            demand = data.items[item].demand
            for group_name in checked:
                message = broken(volumes.get(group_name, 0.0), demand)
                if message:
                    bad.append(f"{rule.label()}: '{item}' from {rule.group.kind}:{group_name} {message}")
        return bad

    def deliveries(self, rule: Rule, every_group: bool) -> list[tuple[str, str, dict[str, float]]]:
        """(item, group, supplier -> quantity of the item bought from it) for every item the rule names with
        demand > 0 (without demand nothing is delivered, so nothing is counted) and every group it names, its
        suppliers with volume only: a blank group is `every supplier`; a named group (a union too) is written as
        in the Policy cell; `each ...` gives every group of its kind when `every_group` (a minimum must hold in
        each), else the groups with volume, each written `kind:name`."""
        data, out = self.data, []
        for item in self.items_of(rule):
            if data.items[item].demand <= 0:
                continue
            bought = self.bought[item]
            if rule.group is None:
                out.append((item, "every supplier", dict(bought)))
            elif rule.group.name is not None:
                group = rule.group.group
                out.append((item, str(group), {s: q for s, q in bought.items() if self.member(group, s, item)}))
            else:
                kind = rule.group.kind
                found: dict[str, dict[str, float]] = {}
                for s, q in bought.items():
                    for name in self.groups_of(kind)[s]:
                        found.setdefault(name, {})[s] = q
                for name in (self.all_groups(kind) if every_group else list(found)):
                    out.append((item, f"{kind}:{name}", found.get(name, {})))
        return out

    @property
    def scenarios(self) -> list[str]:
        return list(dict.fromkeys(h.scenario for h in self.data.scenario_hits))

    def hits(self, scenario: str, item: str) -> bool:
        """Whether some row of the scenario cuts an offer of the item that is not excluded (its group holds the
        supplier, or its route the offer, with an availability below 1) and that can arrive."""
        if scenario not in self._hit:  # once per scenario: a rule asks per (scenario, item)
            every_item, per_item = self._availability(scenario)
            # offers an exclusion removes (or, in a period of several, that cannot arrive then) are no offers
            excluded = [r for r in self.data.rules if r.kind == "exclude" and r.group is not None]
            self._hit[scenario] = {
                o.item for key, o in self.data.offers.items()
                if (self.arrivable is None or key in self.arrivable)
                and not any(o.item in self.items_of(r) and self._named(r, o.supplier, o.item) for r in excluded)
                and per_item.get((o.item, o.supplier), every_item.get(o.supplier, 1.0)) < 1.0}
        return item in self._hit[scenario]

    def _named(self, rule: Rule, supplier: str, item: str) -> bool:
        """Whether a rule's group (one group, or `each <kind>`: any group of the kind) holds the supplier's offer
        of the item."""
        assert rule.group is not None
        if rule.group.name is not None:
            return self.member(rule.group.group, supplier, item)
        if rule.group.kind == "route":
            offer = self.data.offers.get((item, supplier))
            return offer is not None and bool(offer.route)
        return bool(self.groups_of(rule.group.kind)[supplier])

    def surviving(self, scenario: str, item: str) -> float:
        """The volume of `item` still delivered in a scenario."""
        if scenario not in self._surviving:  # once per scenario, for every item: a rule asks per (scenario, item)
            every_item, per_item = self._availability(scenario)
            self._surviving[scenario] = {
                name: sum(q * per_item.get((name, s), every_item.get(s, 1.0)) for s, q in volumes.items())
                for name, volumes in self.bought.items()}
        return self._surviving[scenario][item]

    def _availability(self, scenario: str) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
        """What survives of each supplier's deliveries in a scenario: (supplier -> level for every item,
        (item, supplier) -> level where a row naming the item cuts deeper). The lowest level of the rows that hit
        counts; 1 where none does."""
        data = self.data
        every_item: dict[str, float] = {}
        per_item: dict[tuple[str, str], float] = {}
        hits = [h for h in data.scenario_hits if h.scenario == scenario]
        for supplier in data.suppliers.values():
            for hit in hits:
                if _on_route(hit.group):  # what travels on a route: offer by offer
                    for item in ([hit.item] if hit.item is not None else
                                 [i.name for i in data.items.values()
                                  if hit.item_class is None or i.item_class == hit.item_class]):
                        if self.member(hit.group, supplier.name, item):
                            key = (item, supplier.name)
                            per_item[key] = min(per_item.get(key, 1.0), hit.availability)
                    continue
                if self.member(hit.group, supplier.name):
                    if hit.item is None and hit.item_class is None:
                        every_item[supplier.name] = min(every_item.get(supplier.name, 1.0), hit.availability)
                    else:
                        for item in ([hit.item] if hit.item is not None else
                                     [i.name for i in data.items.values() if i.item_class == hit.item_class]):
                            key = (item, supplier.name)
                            per_item[key] = min(per_item.get(key, 1.0), hit.availability)
        for (item, name), level in per_item.items():
            per_item[item, name] = min(level, every_item.get(name, 1.0))
        return every_item, per_item

    def spend(self, item: str, supplier: str, quantity: float) -> float:
        """What `quantity` of an offer costs landed, in the base currency, read from the contract's words: the
        price of the band (incremental) or of the highest break reached (all-units, a break counted reached
        within the tolerance), times 1 + the most specific tariff, plus freight, times the currency's rate."""
        data = self.data
        offer = data.offers[item, supplier]
        rate = 1.0 if offer.currency in ("", data.settings.currency) else data.currencies[offer.currency].rate
        country = data.suppliers[supplier].country
        tariff = self._duty.get((item, country))
        if tariff is None:  # once per (item, country): a plan buys one item from many suppliers of a country
            tariff = data.countries[country].tariff
            rows = [t for t in data.tariffs if t.country == country]
            for wanted in ((lambda t: t.item is None and t.item_class is None),
                           (lambda t: t.item is None and t.item_class == data.items[item].item_class),
                           (lambda t: t.item == item)):
                tariff = next((t.tariff for t in rows if wanted(t)), tariff)
            self._duty[item, country] = tariff
        breaks = [(0.0, offer.price)] + [(t.from_quantity, t.price) for t in data.tiers.get((item, supplier), ())]
        # a route's freight is per unit in the base currency, on top of the offer's (workbook-v2 section 2)
        route_freight = data.routes[offer.route].freight if offer.route else 0.0
        if offer.discount == "incremental":
            quoted = sum(price * max(0.0, min(quantity, upper) - low) for (low, price), upper in
                         zip(breaks, [b for b, _ in breaks[1:]] + [math.inf]))
            return rate * (quoted * (1 + tariff) + quantity * offer.freight) + quantity * route_freight
        price = [p for low, p in breaks if quantity >= low - tol(low)][-1]
        return rate * quantity * (price * (1 + tariff) + offer.freight) + quantity * route_freight

    def spend_by_group(self, rule: Rule, together: bool) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """Landed spend (`spend`) on the items a Policy row names, by (item, group name) for each group the row
        names that has spend (every supplier for a blank group, named `every supplier`), and by item over every
        supplier: ({(item, group): spend}, {item: spend}). `together`: a blank item cell means all items
        together, keyed `every item`."""
        budget = together and rule.item is None and rule.item_class is None
        by_group: dict[tuple[str, str], float] = {}
        by_item: dict[str, float] = {}
        spec = rule.group
        groups_of = None if spec is None or spec.name is not None else self.groups_of(spec.kind)
        for item in self.items_of(rule):
            key = "every item" if budget else item
            for supplier, q in self.bought[item].items():
                spent = self.spend(item, supplier, q)
                by_item[key] = by_item.get(key, 0.0) + spent
                names = ("every supplier",) if spec is None else groups_of[supplier] if groups_of is not None else \
                    ((spec.name,) if self.member(spec.group, supplier, item) else ())
                for name in names:
                    by_group[key, name] = by_group.get((key, name), 0.0) + spent
        return by_group, by_item

    def cost(self, fixed: bool = True) -> tuple[float, set[str]]:
        """Landed cost of every purchase (`spend`), plus fixed costs of suppliers with volume (unless `fixed` is
        False: a period of several, whose fixed costs are paid once over the horizon): (cost, suppliers with
        volume)."""
        data = self.data
        total = 0.0
        used: set[str] = set()
        for item, per_supplier in self.bought.items():
            for supplier, q in per_supplier.items():
                total += self.spend(item, supplier, q)
                used.add(supplier)
        return total + (sum(data.suppliers[s].fixed_cost for s in used) if fixed else 0.0), used


def _on_route(group: Group) -> bool:
    """Whether a group is (or holds) a route: its members are offers, not suppliers."""
    return group.kind == "route" or (group.kind == "union" and any(_on_route(p) for p in group.parts))
