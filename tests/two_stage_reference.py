"""An independent formulation of the two-stage disruption mode (workbook-v2 section 3), for tests only.

Written from the contract's words with highspy's own API and nothing from `planner.model` (only the
records of `planner.data`, read field by field: the probabilities, the availabilities, the group
memberships and the landed costs are all worked out here again; `planner.highs.new_highs` (tests/reference_lp.py) only makes a
silent instance). `solve(data)` gives the objective, the expected cost, the CVaR, the contracts, each
scenario's recourse and cost, EVPI and VSS.

Scenarios S: those of the Scenarios rows in the order they first appear, each with the probability of
its first row that states one (0 if none does), then `baseline` with p = 1 - (their sum), in which
every offer keeps 1. a(s, o) is the lowest availability of the rows of s that hit o (the row's item,
its class's items or every item; its group, a union counting each offer once), 1 where none does.

The extensive form, o over usable offers (no exclude row hits them), i over items, s over S:

    contract[o] in [0, cap_o]                        first stage
    sum_{o of supplier k} contract[o] <= cap_k
    contract[o] <= M_o use[k]                        (fixed cost F_k > 0: use[k] binary)
    q_o y[o] <= contract[o] <= M_o y[o]              (min_order q_o > 0: y[o] binary)
    max_share / min_share v on i, g:  sum_{o of i in g} contract[o] <= / >= v d_i
    min_coverage v on i:  sum_o a(s, o) contract[o] >= v d_i   for every scenario s of the Scenarios
                          sheet (the baseline, a = 1, is implied by any of them); it holds on the
                          contracts, so also in the perfect-foresight and mean-value plans below
    spot[s, i] in [0, K_i]   (only with a spot_price P_i; K_i = spot_capacity)
    short[s, i] >= 0         (only with a shortage_cost Q_i)
    sum_o a(s, o) contract[o] + spot[s, i] + short[s, i] >= d_i         second stage
    cost_s = sum_o a(s, o) c_o contract[o] + sum_k F_k use[k] + sum_i (P_i spot[s, i] + Q_i short[s, i])
    minimise (1 - w) sum_s p_s cost_s + w (eta + 1/(1 - alpha) sum_s p_s u_s),
             u_s >= cost_s - eta, u_s >= 0, eta free           (Rockafellar-Uryasev)

with c_o = price_o * (1 + tariff of the supplier's country) + freight_o (landed, paid on delivered
units only) and M_o = min(cap_o, cap_k, max(n_i / a_min(o), q_o)), n_i = d_i * max(1, v of every
min_share and min_coverage row on i), a_min(o) the least positive of 1, a(s, o) over the scenarios of
the model being solved and a(s, o) over the Scenarios sheet. The bound cuts no optimum: lower a
contract above it to M_o and (a) every modelled scenario in which o delivers still gets d_i from o
alone, so no recourse is needed there and no cost rises (delivery above demand is paid and wasted);
(b) min_share holds on o alone (M_o >= v d_i; contracted volume counts whatever is delivered);
(c) min_coverage holds in every sheet scenario where o delivers (a M_o >= v d_i) and is untouched where
it does not; (d) max_share and the capacities only loosen. The sheet's scenarios and the 1 matter when
the model is one scenario alone (perfect foresight) or the mean: an offer that delivers nothing there
still counts towards min_share, and may have to cover min_coverage in a scenario that keeps less of it.

Reported figures (each recomputed from the contracts, not read off the solver's recourse columns, so
that with w = 1 a scenario below the tail still reports its cheapest recourse, as the contract asks):
cost_s is the cheapest recourse given the contracts (per item: the cheaper of spot, up to K_i, and
shortage first), CVaR_alpha the Rockafellar-Uryasev minimum over eta of the discrete distribution
(attained at one of the costs), objective = (1 - w) E + w CVaR.

    EVPI = objective - [(1 - w) E + w CVaR] of cost*_s, cost*_s the optimum of s planned alone
           (one scenario of probability 1, every first-stage rule as above)
    VSS  = objective of the mean-value plan - objective: the mean-value plan is the optimum for one
           scenario with a(o) = sum_s p_s a(s, o); its contracts (and the suppliers it pays fixed costs
           for) are then fixed and every scenario takes its cheapest recourse; inf when some scenario
           cannot meet demand with them (no spot market, no shortage)

Rules other than exclude, max_share, min_share and min_coverage, and Tiers, currencies, Tariffs rows,
routes, dated rows and Periods are refused (NotImplementedError): the tests here do not need them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from planner.data import Group, Offer, OfferKey, PlanningData, Rule, ScenarioHit
from reference_lp import Lp

BASELINE = "baseline"  # the contract's word, written again here rather than imported
SUPPORTED_RULES = frozenset({"exclude", "max_share", "min_share", "min_coverage"})


@dataclass
class Recourse:
    """What one item gets in one scenario: `cost` is its delivered units' landed cost plus spot and shortage
    (the suppliers' fixed costs belong to the scenario, not to an item)."""

    delivered: float
    spot: float
    short: float
    cost: float


@dataclass
class Result:
    status: str  # "optimal" or "infeasible"
    objective: float = math.nan
    expected_cost: float = math.nan
    cvar: float = math.nan
    evpi: float = math.nan
    vss: float = math.nan
    contracts: dict[OfferKey, float] = field(default_factory=dict)
    probabilities: dict[str, float] = field(default_factory=dict)
    scenario_costs: dict[str, float] = field(default_factory=dict)
    recourse: dict[tuple[str, str], Recourse] = field(default_factory=dict)  # (scenario, item)
    perfect_foresight: dict[str, float] = field(default_factory=dict)  # cost*_s
    mean_value_objective: float = math.nan
    solver_objective: float = math.nan  # HiGHS's value of the extensive form, to check the recomputation


# ---- the data, read again from the records ----

def check_supported(data: PlanningData) -> None:
    unsupported = [r.kind for r in data.rules if r.kind not in SUPPORTED_RULES]
    if unsupported or data.tiers or data.currencies or data.tariffs or data.routes or data.periods:
        raise NotImplementedError(f"two-stage reference: not written for {unsupported or 'this data'}")
    if any(h.start or h.end or h.from_period or h.to_period for h in data.scenario_hits) or \
            any(r.start or r.end or r.period for r in data.rules):
        raise NotImplementedError("two-stage reference: dated rows are not written")


def probabilities(data: PlanningData) -> dict[str, float]:
    """Scenarios in the order they first appear with the first probability stated (0 if none), then the
    baseline with the rest."""
    out: dict[str, float] = {}
    stated: set[str] = set()
    for hit in data.scenario_hits:
        out.setdefault(hit.scenario, 0.0)
        if hit.probability is not None and hit.scenario not in stated:
            out[hit.scenario] = hit.probability
            stated.add(hit.scenario)
    out[BASELINE] = max(0.0, 1.0 - sum(out.values()))
    return out


def member(data: PlanningData, offer: Offer, group: Group) -> bool:
    if group.kind == "union":
        return any(member(data, offer, part) for part in group.parts)
    country = data.suppliers[offer.supplier].country
    if group.kind == "supplier":
        return offer.supplier == group.name
    if group.kind == "country":
        return country == group.name
    if group.kind == "bloc":
        return group.name in data.countries[country].blocs
    raise NotImplementedError(f"two-stage reference: group kind {group.kind}")


def items_of(data: PlanningData, row: Rule | ScenarioHit) -> list[str]:
    if row.item is not None:
        return [row.item]
    if row.item_class is not None:
        return [name for name, item in data.items.items() if item.item_class == row.item_class]
    return list(data.items)


def groups_of(data: PlanningData, rule: Rule) -> list[Group]:
    spec = rule.group
    if spec is None:
        return []
    if spec.name is not None:
        return [Group(spec.kind, spec.name, spec.parts)]
    if spec.kind == "country":
        return [Group("country", c) for c in data.countries]
    if spec.kind == "supplier":
        return [Group("supplier", s) for s in data.suppliers]
    if spec.kind == "bloc":
        return [Group("bloc", b) for b in dict.fromkeys(b for c in data.countries.values() for b in c.blocs)]
    raise NotImplementedError(f"two-stage reference: each {spec.kind}")


def usable_offers(data: PlanningData) -> list[Offer]:
    out = []
    for offer in data.offers.values():
        hit = any(rule.kind == "exclude" and offer.item in items_of(data, rule)
                  and any(member(data, offer, g) for g in groups_of(data, rule)) for rule in data.rules)
        if not hit:
            out.append(offer)
    return out


def availability(data: PlanningData, scenario: str, offers: list[Offer]) -> dict[OfferKey, float]:
    """a(s, o): the lowest availability of the scenario's rows hitting the offer, 1 where none does (and in
    the baseline)."""
    level = {o.key: 1.0 for o in offers}
    for hit in data.scenario_hits:
        if hit.scenario != scenario or scenario == BASELINE:
            continue
        items = set(items_of(data, hit))
        for o in offers:
            if o.item in items and member(data, o, hit.group):
                level[o.key] = min(level[o.key], hit.availability)
    return level


def landed(data: PlanningData, offer: Offer) -> float:
    return offer.price * (1.0 + data.countries[data.suppliers[offer.supplier].country].tariff) + offer.freight


def cvar(costs: dict[str, float], probs: dict[str, float], alpha: float) -> float:
    """CVaR_alpha = min over eta of eta + 1/(1 - alpha) sum_s p_s max(cost_s - eta, 0): a convex piecewise
    linear function of eta with its breaks at the costs, so its minimum is at one of them."""
    def ru(eta: float) -> float:
        return eta + sum(probs[s] * max(c - eta, 0.0) for s, c in costs.items()) / (1.0 - alpha)
    return min(ru(c) for s, c in costs.items() if probs[s] > 0) if any(probs.values()) else 0.0


# ---- the extensive form ----



def _add(terms: dict[int, float], col: int, coef: float) -> None:
    terms[col] = terms.get(col, 0.0) + coef


def extensive_form(data: PlanningData, scenarios: dict[str, tuple[float, dict[OfferKey, float]]],
                   gap: float = 1e-9) -> tuple[str, float, dict[OfferKey, float], set[str]]:
    """The model of the module docstring over `scenarios` (name -> (p_s, a(s, .))): status, HiGHS's
    objective, the contracts and the suppliers paying their fixed cost."""
    offers = usable_offers(data)
    settings = data.settings
    w, alpha = settings.risk_weight, settings.cvar_alpha
    sheet = {s: availability(data, s, offers) for s in probabilities(data) if s != BASELINE}
    lp = Lp("two-stage reference")
    x: dict[OfferKey, int] = {}
    bigs: dict[OfferKey, float] = {}
    floors = {item: max([1.0] + [r.value for r in data.rules if r.kind in ("min_share", "min_coverage")
                                 and item in items_of(data, r)]) for item in data.items}
    for o in offers:
        levels = [1.0] + [a[o.key] for _, a in scenarios.values()] + [a[o.key] for a in sheet.values()]
        need = data.items[o.item].demand * floors[o.item]
        reach = max(need / min(v for v in levels if v > 0), o.min_order)
        big = bigs[o.key] = min(o.capacity, data.suppliers[o.supplier].capacity, reach)
        x[o.key] = lp.col(0.0, 0.0, o.capacity)
        if o.min_order > 0:
            y = lp.col(0.0, 0.0, 1.0, integer=True)
            lp.row(0.0, math.inf, {x[o.key]: 1.0, y: -o.min_order})
            lp.row(-math.inf, 0.0, {x[o.key]: 1.0, y: -big})
    use: dict[str, int] = {}
    for name, supplier in data.suppliers.items():
        mine = [o for o in offers if o.supplier == name]
        if supplier.capacity < math.inf and mine:
            lp.row(-math.inf, supplier.capacity, {x[o.key]: 1.0 for o in mine})
        if supplier.fixed_cost > 0 and mine:
            use[name] = lp.col(0.0, 0.0, 1.0, integer=True)
            for o in mine:
                lp.row(-math.inf, 0.0, {x[o.key]: 1.0, use[name]: -bigs[o.key]})
    for rule in data.rules:
        for item in items_of(data, rule):
            demand = data.items[item].demand
            mine = [o for o in offers if o.item == item]
            if rule.kind == "min_coverage":
                for a in sheet.values():
                    lp.row(rule.value * demand, math.inf, {x[o.key]: a[o.key] for o in mine})
            elif rule.kind in ("max_share", "min_share"):
                for g in groups_of(data, rule):
                    terms = {x[o.key]: 1.0 for o in mine if member(data, o, g)}
                    if rule.kind == "max_share":
                        lp.row(-math.inf, rule.value * demand, terms)
                    else:
                        lp.row(rule.value * demand, math.inf, terms)
    # cost_s as a column per scenario, so that both objective terms and the CVaR rows can use it
    eta = lp.col(w, -math.inf, math.inf)
    for s, (p, a) in scenarios.items():
        cost = lp.col((1.0 - w) * p, -math.inf, math.inf)
        terms: dict[int, float] = {cost: -1.0}
        for o in offers:
            _add(terms, x[o.key], a[o.key] * landed(data, o))
        for name, col in use.items():
            _add(terms, col, data.suppliers[name].fixed_cost)
        for item_name, item in data.items.items():
            cover = {x[o.key]: a[o.key] for o in offers if o.item == item_name}
            if item.spot_price is not None:
                spot = lp.col(0.0, 0.0, item.spot_capacity)
                cover[spot] = 1.0
                terms[spot] = item.spot_price
            if item.shortage_cost is not None:
                short = lp.col(0.0, 0.0, math.inf)
                cover[short] = 1.0
                terms[short] = item.shortage_cost
            lp.row(item.demand, math.inf, cover)
        lp.row(0.0, 0.0, terms)
        if w > 0:
            u = lp.col(w * p / (1.0 - alpha), 0.0, math.inf)
            lp.row(0.0, math.inf, {u: 1.0, cost: -1.0, eta: 1.0})
    status, objective, values = lp.solve(gap)
    if status != "optimal":
        return status, math.nan, {}, set()
    contracts = {key: max(0.0, values[col]) for key, col in x.items()}
    paying = {name for name, col in use.items() if values[col] > 0.5}
    return status, objective, contracts, paying


def recourse(data: PlanningData, contracts: dict[OfferKey, float], paying: set[str],
             a: dict[OfferKey, float]) -> tuple[float, dict[str, Recourse]]:
    """The cheapest recourse of one scenario given the contracts: per item what is missing of demand goes to
    the cheaper of spot (up to its capacity) and shortage; inf cost when neither can take what is left."""
    total = sum(data.suppliers[name].fixed_cost for name in paying)
    out: dict[str, Recourse] = {}
    for item_name, item in data.items.items():
        mine = [data.offers[key] for key in contracts if key[0] == item_name]
        delivered = sum(a[o.key] * contracts[o.key] for o in mine)
        paid = sum(a[o.key] * contracts[o.key] * landed(data, o) for o in mine)
        missing = item.demand - delivered
        if missing <= 1e-7 * max(1.0, item.demand):
            missing = 0.0
        spot = short = 0.0
        options = sorted([(item.spot_price, "spot"), (item.shortage_cost, "short")],
                         key=lambda t: math.inf if t[0] is None else t[0])
        for price, kind in options:
            if price is None or missing <= 0:
                continue
            take = min(missing, item.spot_capacity) if kind == "spot" else missing
            if kind == "spot":
                spot = take
            else:
                short = take
            missing -= take
            paid += price * take
        if missing > 1e-7 * max(1.0, item.demand):
            paid = math.inf
        out[item_name] = Recourse(delivered, spot, short, paid)
        total += paid
    return total, out


def _objective(costs: dict[str, float], probs: dict[str, float], w: float, alpha: float) -> tuple[float, float,
                                                                                                  float]:
    if any(math.isinf(c) for s, c in costs.items() if probs[s] > 0):
        return math.inf, math.inf, math.inf
    expected = sum(probs[s] * c for s, c in costs.items())
    tail = cvar(costs, probs, alpha)
    return (1.0 - w) * expected + w * tail, expected, tail


def solve(data: PlanningData, gap: float = 1e-9) -> Result:
    """The two-stage optimum, its figures and EVPI and VSS (module docstring)."""
    check_supported(data)
    w, alpha = data.settings.risk_weight, data.settings.cvar_alpha
    probs = probabilities(data)
    offers = usable_offers(data)
    levels = {s: availability(data, s, offers) for s in probs}
    scenarios = {s: (probs[s], levels[s]) for s in probs}
    status, solver_objective, contracts, paying = extensive_form(data, scenarios, gap)
    if status != "optimal":
        return Result(status, probabilities=probs)
    result = Result(status, contracts=contracts, probabilities=probs, solver_objective=solver_objective)
    for s in probs:
        result.scenario_costs[s], per_item = recourse(data, contracts, paying, levels[s])
        for item, r in per_item.items():
            result.recourse[(s, item)] = r
    result.objective, result.expected_cost, result.cvar = _objective(result.scenario_costs, probs, w, alpha)

    for s in probs:  # each scenario planned alone, knowing it comes
        alone_status, _, alone, alone_paying = extensive_form(data, {s: (1.0, levels[s])}, gap)
        result.perfect_foresight[s] = recourse(data, alone, alone_paying, levels[s])[0] \
            if alone_status == "optimal" else math.inf
    foresight, _, _ = _objective(result.perfect_foresight, probs, w, alpha)
    result.evpi = result.objective - foresight

    mean = {o.key: sum(probs[s] * levels[s][o.key] for s in probs) for o in offers}
    mean_status, _, planned, planned_paying = extensive_form(data, {"mean": (1.0, mean)}, gap)
    if mean_status == "optimal":
        fixed = {s: recourse(data, planned, planned_paying, levels[s])[0] for s in probs}
        result.mean_value_objective = _objective(fixed, probs, w, alpha)[0]
    else:
        result.mean_value_objective = math.inf
    result.vss = result.mean_value_objective - result.objective
    return result


def violations(data: PlanningData, contracts: dict[OfferKey, float], tol: float = 1e-6) -> list[str]:
    """Every first-stage rule the contracts break (anyone's: this module's or the planner's), in words."""
    out: list[str] = []
    usable = {o.key for o in usable_offers(data)}
    scale = max([1.0] + [i.demand for i in data.items.values()])
    eps = tol * scale
    for key, q in contracts.items():
        o = data.offers[key]
        if q < -eps:
            out.append(f"contract {key} = {q} < 0")
        if key not in usable and q > eps:
            out.append(f"contract {key} = {q} on an excluded offer")
        if q > o.capacity + eps:
            out.append(f"contract {key} = {q} above its capacity {o.capacity}")
        if o.min_order > 0 and eps < q < o.min_order - eps:
            out.append(f"contract {key} = {q} below its min_order {o.min_order}")
    for name, s in data.suppliers.items():
        total = sum(q for key, q in contracts.items() if key[1] == name)
        if total > s.capacity + eps:
            out.append(f"supplier {name}: contracts {total} above its capacity {s.capacity}")
    sheet = [availability(data, s, list(data.offers.values())) for s in probabilities(data) if s != BASELINE]
    for rule in data.rules:
        for item in items_of(data, rule):
            d = data.items[item].demand
            mine = {key: q for key, q in contracts.items() if key[0] == item}
            if rule.kind == "min_coverage":
                for a in sheet:
                    if sum(a[k] * q for k, q in mine.items()) < rule.value * d - eps:
                        out.append(f"{rule.description()}: surviving contracts below {rule.value * d}")
            elif rule.kind in ("max_share", "min_share"):
                for g in groups_of(data, rule):
                    v = sum(q for k, q in mine.items() if member(data, data.offers[k], g))
                    if (rule.kind == "max_share" and v > rule.value * d + eps) or \
                            (rule.kind == "min_share" and v < rule.value * d - eps):
                        out.append(f"{rule.description()} ({g}): contracts {v} against {rule.value * d}")
    return out


def evaluate(data: PlanningData, contracts: dict[OfferKey, float]) -> tuple[float, dict[str, float]]:
    """The objective of given contracts (anyone's) and each scenario's cheapest-recourse cost; a supplier
    pays its fixed cost when it holds any contract above 1e-9."""
    w, alpha = data.settings.risk_weight, data.settings.cvar_alpha
    probs = probabilities(data)
    offers = list(data.offers.values())
    paying = {key[1] for key, q in contracts.items() if q > 1e-9 and data.suppliers[key[1]].fixed_cost > 0}
    full = {o.key: contracts.get(o.key, 0.0) for o in offers}
    costs = {s: recourse(data, full, paying, availability(data, s, offers))[0] for s in probs}
    return _objective(costs, probs, w, alpha)[0], costs
