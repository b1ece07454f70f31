"""A fast greedy purchase plan, to hand HiGHS as a MIP start (`HighsModel.solve(start=...)`).

This is a heuristic: its plan is a starting point for the solver, never a
result. Nothing reports it; the solver's plan (checked as every plan is)
is the answer. When the greedy cannot meet an item's demand within the rules
it honours, its plan is short there, the solver finds that the start does
not complete to a feasible plan, and it solves without one.

`greedy_plan(data, offers)` goes through the items (largest demand first:
they have the fewest cheap options per unit) and, for each, buys from the
offer with the least landed cost per unit at the quantity it can take, one
offer at a time, until demand is met. It honours, as far as a greedy can:

* offer and supplier capacities (a supplier's capacity across items);
* exclusions (only the model's offers, which excludes rows removed, are
  candidates);
* `max_share` caps of every group the offer is in;
* `min_coverage`: in each scenario, the volume an item loses,
  sum_o (1 - a_{s,o}) * q_o, stays within (1 - v) * d_i, as a cap;
* `max_suppliers`: at most k suppliers of the group per item, with a look
  ahead (an offer is taken only if it and the k - 1 largest other offers of
  the group could still meet the demand left);
* `min_share`: before the cheapest fill, each group with a minimum share is
  filled from its own cheapest offers up to value * d_i;
* minimum orders (an offer is taken for at least its `min_order`, or not);
* volume-discount tiers: an offer's unit cost is that of the quantity it
  would get (all-units: the price of the highest break reached; incremental:
  the average over the bands);
* fixed costs: a supplier not yet used carries its fixed cost spread over
  the quantity it would get.

Other rules (spend budgets, minimum supplier or country counts, HHI, ...)
are not pursued: the solver's completion of the start is what says whether
the plan is feasible.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np

from planner.data import GroupSpec, OfferTable, PlanningData, Rule

_EPS = 1e-9
_Bands = tuple[str, list[tuple[float, float]]]  # (discount, [(break, landed unit cost)] from 0 up)
_RULES = ("max_share", "min_share", "max_suppliers", "min_coverage")


@dataclass
class _ItemRules:
    """What limits one item's purchases: volume caps and supplier-count slots shared by some of its columns."""

    caps: dict[Hashable, float] = field(default_factory=dict)  # key -> volume left
    cap_terms: dict[int, list[tuple[Hashable, float]]] = field(default_factory=lambda: defaultdict(list))
    slots: dict[Hashable, int] = field(default_factory=dict)  # key -> suppliers still allowed
    slot_keys: dict[int, list[Hashable]] = field(default_factory=lambda: defaultdict(list))
    floors: list[tuple[list[int], float]] = field(default_factory=list)  # (columns of a group, volume asked)


def _group_keys(data: PlanningData, spec: GroupSpec | None, positions: np.ndarray) -> list[list[Hashable]]:
    """For each offer position, the keys of the groups of `spec` it is in (blank spec: one group of all)."""
    t = data.table
    if spec is None:
        return [[0] for _ in positions]
    if spec.name is not None:
        inside = t.in_group(spec.group)[positions]
        return [[0] if k else [] for k in inside.tolist()]
    if spec.kind == "supplier":
        return [[s] for s in t.supplier[positions].tolist()]
    if spec.kind == "country":
        return [[c] for c in t.country[positions].tolist()]
    return [np.flatnonzero(t.in_bloc[c]).tolist() for c in t.country[positions].tolist()]


def _item_rules(data: PlanningData, rules: list[tuple[int, Rule, set[str] | None]], item: str,
                positions: np.ndarray, levels: dict[str, np.ndarray]) -> _ItemRules:
    """The caps, slots and floors the rules put on one item's columns (positions in the table, in column order)."""
    out = _ItemRules()
    demand = data.items[item].demand
    for r, rule, items in rules:
        if items is not None and item not in items:
            continue
        value = rule.value if rule.value is not None else 0.0
        if rule.kind == "min_coverage":
            for scenario, level in levels.items():
                loss = 1.0 - level[positions]
                if (loss > 0).any():
                    key = (r, scenario)
                    out.caps[key] = max(0.0, (1.0 - value) * demand)
                    for c in np.flatnonzero(loss > 0).tolist():
                        out.cap_terms[c].append((key, float(loss[c])))
            continue
        keys = _group_keys(data, rule.group, positions)
        if rule.kind == "max_share":
            for c, ks in enumerate(keys):
                for k in ks:
                    out.caps.setdefault((r, k), value * demand)
                    out.cap_terms[c].append(((r, k), 1.0))
        elif rule.kind == "max_suppliers":
            for c, ks in enumerate(keys):
                for k in ks:
                    out.slots.setdefault((r, k), int(round(value)))
                    out.slot_keys[c].append((r, k))
        elif rule.kind == "min_share":
            members: dict[Hashable, list[int]] = defaultdict(list)
            for c, ks in enumerate(keys):
                for k in ks:
                    members[k].append(c)
            out.floors += [(cols, value * demand) for cols in members.values()]
    return out


def _unit_costs(data: PlanningData, position: int) -> _Bands | None:
    """(discount, [(break, landed unit cost)] from 0 up) of an offer with tiers; None without."""
    key = data.table.keys[position]
    if not data.tiers.get(key):
        return None
    offer = data.offers[key]
    return offer.discount, data.tier_costs(offer)


def _average_cost(flat: float, bands: _Bands | None, q: float) -> float:
    """Landed cost per unit of buying q of an offer, at its tier prices."""
    if bands is None:
        return flat
    discount, breaks = bands
    if discount == "incremental":
        total = 0.0
        for k, (start, cost) in enumerate(breaks):
            end = breaks[k + 1][0] if k + 1 < len(breaks) else math.inf
            if q <= start:
                break
            total += (min(q, end) - start) * cost
        return total / q
    return next(cost for start, cost in reversed(breaks) if q >= start)


def greedy_plan(data: PlanningData, offers: np.ndarray) -> np.ndarray:
    """A starting purchase plan: the quantity of each offer (`offers`: positions in `data.table`, the model's
    `buy` columns in order), greedy per item on landed cost; a heuristic (see the module), never a result."""
    t = data.table
    offers = np.asarray(offers, dtype=np.int64)
    quantity = np.zeros(len(offers))
    usable = data.usable[offers]
    rules = [(r, rule, None if rule.item is None and rule.item_class is None else set(data.rule_items(rule)))
             for r, rule in enumerate(data.rules) if rule.kind in _RULES and rule.value is not None]
    levels = ({s: data.availability_levels(s) for s in data.scenarios}
              if any(rule.kind == "min_coverage" for _, rule, _ in rules) else {})
    # a fixed cost is paid once for all the items a supplier serves: spread over all it could deliver, not charged
    # to the first item that opens it (which would open a new supplier per item)
    reach = np.bincount(t.supplier[offers[usable]], minlength=len(t.supplier_names),
                        weights=np.minimum(t.capacity[offers[usable]], t.demand[t.item[offers[usable]]]))
    state = _State(t, t.supplier_capacity.astype(float).copy(), np.zeros(len(t.supplier_names), dtype=bool),
                   np.maximum(np.minimum(reach, t.supplier_capacity), _EPS))
    item_of = t.item[offers]
    order = np.argsort(item_of, kind="stable")
    start = np.searchsorted(item_of[order], np.arange(len(t.item_names) + 1))
    for code in sorted(range(len(t.item_names)), key=lambda c: -t.demand[c]):
        columns = order[start[code]:start[code + 1]]
        columns = columns[usable[columns]]
        if not len(columns):
            continue
        positions = offers[columns]
        bands = [_unit_costs(data, int(p)) for p in positions.tolist()] if data.tiers else [None] * len(positions)
        item = str(t.item_names[code])
        saved = state.supplier_left.copy(), state.opened.copy()
        bought, need = state.item(_item_rules(data, rules, item, positions, levels), positions, bands,
                                  float(t.demand[code]), largest_first=False)
        if need > _EPS:
            # cheapest first can spend a supplier count on small offers and then not reach demand: the largest
            # offers first reach it whenever k offers can, at a higher cost
            state.supplier_left, state.opened = saved
            bought, need = state.item(_item_rules(data, rules, item, positions, levels), positions, bands,
                                      float(t.demand[code]), largest_first=True)
        quantity[columns] = bought
    return quantity


@dataclass
class _State:
    """What the items share as the greedy goes through them: supplier capacity left and suppliers opened."""

    t: OfferTable
    supplier_left: np.ndarray
    opened: np.ndarray
    reach: np.ndarray  # the most each supplier could deliver, over which its fixed cost is spread

    def item(self, limits: _ItemRules, positions: np.ndarray, bands: list[_Bands | None], demand: float,
             largest_first: bool) -> tuple[np.ndarray, float]:
        """One item's purchases (per column) and the demand they leave unmet: the groups with a minimum share
        first, then the cheapest (or largest) offers with the look-ahead on supplier counts, then without it."""
        bought = np.zeros(len(positions))
        everything = list(range(len(positions)))
        need = demand
        for cols, floor in limits.floors:
            need = self.fill(limits, positions, bands, bought, cols, floor, need, True, largest_first)
        need = self.fill(limits, positions, bands, bought, everything, need, need, True, largest_first)
        if need > _EPS:  # the look-ahead may have refused what a plain fill can still place
            need = self.fill(limits, positions, bands, bought, everything, need, need, False, largest_first)
        return bought, need

    def room(self, limits: _ItemRules, positions: np.ndarray, bought: np.ndarray, c: int, need: float) -> float:
        """The most column c can still take: its capacity, its supplier's, every cap it is under, the demand left,
        and nothing if it would need a supplier slot that is used up."""
        t = self.t
        if bought[c] > 0:
            return 0.0  # each column is bought once: whatever capped it then caps it still
        if any(limits.slots[k] <= 0 for k in limits.slot_keys.get(c, ())):
            return 0.0
        room = min(float(t.capacity[positions[c]]), float(self.supplier_left[t.supplier[positions[c]]]), need)
        for key, weight in limits.cap_terms.get(c, ()):
            room = min(room, limits.caps[key] / weight)
        return max(room, 0.0)

    def fill(self, limits: _ItemRules, positions: np.ndarray, bands: list[_Bands | None], bought: np.ndarray,
             candidates: list[int], target: float, need: float, look_ahead: bool, largest_first: bool) -> float:
        """Buy `target` (at most `need`, the item's demand left) from `candidates`, cheapest per unit (or largest)
        first; the demand left after it."""
        t = self.t
        want = min(target, need)
        while want > _EPS:
            rooms = {c: self.room(limits, positions, bought, c, want) for c in candidates}
            best, best_rank = -1, (math.inf, math.inf)
            for c, room in rooms.items():
                p = positions[c]
                if room <= _EPS or room < t.min_order[p] - _EPS:
                    continue
                if look_ahead and not _can_finish(limits, rooms, c, room, want):
                    continue
                s = t.supplier[p]
                cost = _average_cost(float(t.cost[p]), bands[c], room)
                if not self.opened[s]:
                    cost += t.fixed_cost[s] / self.reach[s]
                rank = (-room, cost) if largest_first else (cost, -room)
                if rank < best_rank:
                    best, best_rank = c, rank
            if best < 0:
                break
            q = rooms[best]
            bought[best] = q
            s = t.supplier[positions[best]]
            self.supplier_left[s] -= q
            self.opened[s] = True
            for key, weight in limits.cap_terms.get(best, ()):
                limits.caps[key] -= weight * q
            for key in limits.slot_keys.get(best, ()):
                limits.slots[key] -= 1
            want -= q
            need -= q
        return need


def _can_finish(limits: _ItemRules, rooms: dict[int, float], c: int, room: float, want: float) -> bool:
    """Whether taking column c still leaves a way to buy `want` within every supplier count it uses: c's room,
    plus the largest rooms of the slots left in each of its groups, plus what columns outside the group can take."""
    for key in limits.slot_keys.get(c, ()):
        inside = sorted((r for d, r in rooms.items() if d != c and key in limits.slot_keys.get(d, ())),
                        reverse=True)
        outside = sum(r for d, r in rooms.items() if d != c and key not in limits.slot_keys.get(d, ()))
        if room + sum(inside[:limits.slots[key] - 1]) + outside < want - _EPS:
            return False
    return True
