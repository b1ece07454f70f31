"""What moved between two plans: quantities, costs, suppliers, country and bloc shares.

Plain tables in, plain tables out (`planner.io.read_plan` reads plan
workbooks into `PlanTables`). The change of total cost is split exactly:

    price effect         = sum over lines in both plans of q_old * (u_new - u_old)
    reallocation effect  = sum over all lines of u_new * (q_new - q_old)
    fixed-cost effect    = fixed_new - fixed_old

with u the landed unit cost; a line only in the old plan has no new price,
so u_new = u_old there (no price effect, all reallocation), and a line only
in the new plan has q_old = 0. Price + reallocation = change of landed cost,
and adding the fixed-cost effect gives the change of total cost.

Plans of several periods (a `period` column in their Plan sheet: the arrival
period) are compared period by period: a line is (item, supplier, period),
and the holding-cost effect holding_new - holding_old joins the split. A
period only one plan has is a period whose lines enter or leave. A plan of
one period against one of several is compared over the horizon: the lines
of the plan of several periods are summed over its periods per (item,
supplier), u = cost / quantity, and `PlanDiff.note` says so.

A two-stage plan (workbook-v2 section 3: a Risk sheet) is compared the same
way, its contracts as its lines, so that its `total cost` above is what
the contracts cost with every unit delivered. Since a deterministic plan's
cost and a two-stage plan's expected cost are not costs of one kind, the
diff then also lists, side by side, what each plan has (`PlanDiff.costs`):
its cost with nothing disrupted (a deterministic plan's total cost, a
two-stage plan's baseline scenario), and for a two-stage plan its expected
cost, CVaR, worst scenario and the objective it minimised. These figures
are the plans' own, read from their Risk sheets: a diff does not re-solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from planner.problems import ProblemLog

LINE_COLUMNS = ["item", "supplier", "country", "quantity_old", "quantity_new", "quantity_change", "unit_cost_old",
                "unit_cost_new", "cost_old", "cost_new", "cost_change", "price_effect", "reallocation_effect", "change"]
SHARE_COLUMNS = ["item", "share_old", "share_new", "share_change"]
COST_COLUMNS = ["figure", "old", "new", "kind of cost"]
# the figures of a two-stage plan's Risk sheet a diff shows (planner.io.write_stages writes them)
RISK_FIGURES = ("objective", "expected_cost", "cvar", "cvar_alpha", "risk_weight", "worst_scenario", "worst_cost")


@dataclass
class PlanTables:
    """What a diff needs of a plan: its purchase lines and fixed costs."""

    lines: pd.DataFrame  # item, supplier, country, quantity, unit_cost, cost, blocs
    fixed_cost: float = 0.0
    name: str = ""
    currency: str | None = None  # None: the plan does not say (not written by the planner)
    currency_at: str = ""  # where the currency was read: `plan.xlsx:Summary!B6`
    holding_cost: float = 0.0
    periods: tuple[str, ...] = ()  # in planning order; none for a single-period plan (lines without `period`)
    # a two-stage plan's figures (RISK_FIGURES, and `baseline_cost`: the baseline scenario's cost), from its Risk
    # sheet; empty for a deterministic plan
    risk: dict[str, object] = field(default_factory=dict)

    @property
    def two_stage(self) -> bool:
        return bool(self.risk)


@dataclass
class PlanDiff:
    lines: pd.DataFrame
    countries: pd.DataFrame
    blocs: pd.DataFrame
    suppliers_entering: list[str] = field(default_factory=list)
    suppliers_leaving: list[str] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)
    currency: str = ""  # of both plans ("" when neither says)
    periods: tuple[str, ...] = ()  # compared period by period: the periods of either plan, old's order first
    note: str = ""  # how plans of different shapes were compared
    # with a two-stage plan on either side: each plan's costs by kind, side by side (COST_COLUMNS; `cost_table`)
    costs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COST_COLUMNS))
    plan_costs: dict[str, dict[str, object]] = field(default_factory=dict)  # "old", "new" -> `cost_figures`


def check_comparable(old: PlanTables | None, new: PlanTables | None, log: ProblemLog) -> None:
    """Log an error when the two plans' costs cannot be subtracted: they state different currencies.

    Every cost of a plan is in its base currency; a plan does not carry the rates another base would need,
    and subtracting EUR from USD gives a number that means nothing. A plan that states no currency is compared
    as it is.
    """
    if old is None or new is None or not old.currency or not new.currency:
        return
    if old.currency.upper() != new.currency.upper():
        log.error("", "", "", f"the plans are in different base currencies: {old.name} in {old.currency} (read "
                              f"from {old.currency_at}), {new.name} in {new.currency} (read from {new.currency_at}); "
                              "their costs cannot be subtracted: plan both in one base currency (Settings currency, "
                              "with the other currencies' rates in Currencies) and compare those")


def diff_plans(old: PlanTables, new: PlanTables) -> PlanDiff:
    """What moved from `old` to `new`; `InputError` when they are in different currencies (`check_comparable`)."""
    log = ProblemLog()
    check_comparable(old, new, log)
    log.raise_if_errors()
    periods, note = (), ""
    old_lines, new_lines = old.lines, new.lines
    if old.periods and new.periods:
        periods = tuple(dict.fromkeys(old.periods + new.periods))
    elif old.periods or new.periods:
        many = old if old.periods else new
        note = (f"{old.name or 'the old plan'} plans {_periods(old)}, {new.name or 'the new plan'} "
                f"{_periods(new)}: compared over the horizon, the lines of {many.name or 'the plan of several periods'}"
                " summed over its periods")
        old_lines, new_lines = over_horizon(old_lines), over_horizon(new_lines)
    keys = ["item", "supplier", "period"] if periods else ["item", "supplier"]
    a = old_lines.set_index(keys)
    b = new_lines.set_index(keys)
    index = a.index.union(b.index)
    if periods:
        at = {p: k for k, p in enumerate(periods)}
        index = pd.MultiIndex.from_tuples(sorted(index, key=lambda k: (k[0], k[1], at.get(k[2], len(at)))),
                                          names=keys)
    else:
        index = index.sort_values()
    a, b = a.reindex(index), b.reindex(index)
    q0, q1 = a["quantity"].fillna(0.0), b["quantity"].fillna(0.0)
    u0 = a["unit_cost"]
    u1 = b["unit_cost"].fillna(u0)  # a line that left keeps its old price
    price = (q0 * (u1 - u0.fillna(u1))).where(a["quantity"].notna() & b["quantity"].notna(), 0.0)
    realloc = u1 * (q1 - q0)
    lines = pd.DataFrame({
        "country": b["country"].fillna(a["country"]),
        "quantity_old": q0, "quantity_new": q1, "quantity_change": q1 - q0,
        "unit_cost_old": a["unit_cost"], "unit_cost_new": b["unit_cost"],
        "cost_old": a["cost"].fillna(0.0), "cost_new": b["cost"].fillna(0.0),
    }, index=index)
    lines["cost_change"] = lines["cost_new"] - lines["cost_old"]
    lines["price_effect"] = price
    lines["reallocation_effect"] = realloc
    lines["change"] = [
        "entering" if pd.isna(x) else "leaving" if pd.isna(y) else ("unchanged" if abs(dq) <= 1e-9 * max(1.0, x)
                                                                     and abs(dc) <= 1e-9 * max(1.0, abs(c)) else "changed")
        for x, y, dq, dc, c in zip(a["quantity"], b["quantity"], lines["quantity_change"], lines["cost_change"],
                                   lines["cost_old"])]
    lines = lines.reset_index()[LINE_COLUMNS[:2] + (["period"] if periods else []) + LINE_COLUMNS[2:]]
    used_old = set(old.lines["supplier"]) if len(old.lines) else set()
    used_new = set(new.lines["supplier"]) if len(new.lines) else set()
    landed_old = float(lines["cost_old"].sum())
    landed_new = float(lines["cost_new"].sum())
    totals = {
        "total cost old": landed_old + old.fixed_cost,
        "total cost new": landed_new + new.fixed_cost,
        "total cost change": landed_new + new.fixed_cost - landed_old - old.fixed_cost,
        "price effect": float(lines["price_effect"].sum()),
        "reallocation effect": float(lines["reallocation_effect"].sum()),
        "fixed-cost effect": new.fixed_cost - old.fixed_cost,
    }
    if old.periods or new.periods:  # holding cost exists only with periods: a single-period diff keeps its keys
        totals["total cost old"] += old.holding_cost
        totals["total cost new"] += new.holding_cost
        totals["total cost change"] += new.holding_cost - old.holding_cost
        totals["holding-cost effect"] = new.holding_cost - old.holding_cost
    d = PlanDiff(lines, _shares(old_lines, new_lines, "country", periods),
                 _shares(old_lines, new_lines, "bloc", periods), sorted(used_new - used_old),
                 sorted(used_old - used_new), totals, old.currency or new.currency or "", periods, note)
    if old.two_stage or new.two_stage:
        d.plan_costs = {"old": cost_figures(old, totals["total cost old"]),
                        "new": cost_figures(new, totals["total cost new"])}
        d.costs = cost_table(d.plan_costs["old"], d.plan_costs["new"])
    return d


def cost_figures(plan: PlanTables, total: float) -> dict[str, object]:
    """What a plan says it costs, by kind: `mode`; `total_cost`, the diff's total (its lines at landed cost and
    its fixed costs: a deterministic plan's purchases as planned, a two-stage plan's contracts with every unit
    delivered); `baseline_cost`, its cost with nothing disrupted (a deterministic plan's total, a two-stage
    plan's baseline scenario); `objective`, what it minimised (the total; (1 - w) E + w CVaR); and for a
    two-stage plan its `expected_cost`, `cvar`, `cvar_alpha`, `risk_weight`, `worst_scenario`, `worst_cost`."""
    if not plan.two_stage:
        return {"mode": "deterministic", "total_cost": total, "baseline_cost": total, "objective": total}
    figures: dict[str, object] = {"mode": "two_stage", "total_cost": total,
                                  "baseline_cost": plan.risk.get("baseline_cost")}
    figures.update({key: plan.risk.get(key) for key in RISK_FIGURES})
    return figures


# the rows of the side-by-side table: figure key, its label, what kind of cost it is
COST_ROWS: tuple[tuple[str, str, str], ...] = (
    ("total_cost", "total cost of the lines", "the diff's total cost above: the Plan lines at their landed cost and "
                                              "the fixed costs; for a two-stage plan, its contracts with every unit "
                                              "delivered"),
    ("baseline_cost", "cost with nothing disrupted", "deterministic: its total cost, the purchases as planned; "
                                                     "two-stage: its baseline scenario, in which every contract "
                                                     "delivers"),
    ("expected_cost", "expected cost", "two-stage only: the probability-weighted cost of its scenarios and the "
                                       "baseline, spot purchases and shortage included"),
    ("cvar", "CVaR", "two-stage only: the mean cost of the worst 1 - cvar_alpha of probability"),
    ("cvar_alpha", "cvar_alpha", "two-stage only: the level of its CVaR (Settings cvar_alpha)"),
    ("worst_scenario", "worst scenario", "two-stage only: its costliest scenario"),
    ("worst_cost", "worst scenario's cost", "two-stage only: what that scenario costs"),
    ("risk_weight", "risk_weight", "two-stage only: w, the weight of CVaR in its objective"),
    ("objective", "objective", "what each plan minimised: deterministic, its total cost; two-stage, (1 - w) x "
                               "expected cost + w x CVaR"),
)


def cost_table(old: dict[str, object], new: dict[str, object]) -> pd.DataFrame:
    """The two plans' `cost_figures` side by side: one row per figure (COST_ROWS), `old` and `new` (None where
    that plan has no such figure: a deterministic plan prices no disruption), and what kind of cost it is."""
    return pd.DataFrame([(label, old.get(key), new.get(key), kind) for key, label, kind in COST_ROWS],
                        columns=COST_COLUMNS, dtype=object)


def _periods(plan: PlanTables) -> str:
    if not plan.periods:
        return "one period"
    return f"{len(plan.periods)} periods ({plan.periods[0]} to {plan.periods[-1]})"


def over_horizon(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines of a plan of several periods as one line per (item, supplier): quantities and costs summed,
    unit_cost = cost / quantity (lines without a `period` are returned as they are)."""
    if "period" not in lines.columns:
        return lines
    frame = lines.groupby(["item", "supplier"], as_index=False, sort=True).agg(
        country=("country", "first"), quantity=("quantity", "sum"), cost=("cost", "sum"), blocs=("blocs", "first"))
    frame["unit_cost"] = [c / q if q else 0.0 for c, q in zip(frame["cost"], frame["quantity"])]
    return frame[["item", "supplier", "country", "quantity", "unit_cost", "cost", "blocs"]]


def _shares(old: pd.DataFrame, new: pd.DataFrame, kind: str, periods: tuple[str, ...] = ()) -> pd.DataFrame:
    """Share of each item's bought volume per country (or bloc; a country in two blocs counts in both); with
    `periods`, of each item's volume arriving in each period."""
    by = ["item", "period"] if periods else ["item"]

    def table(lines: pd.DataFrame) -> pd.Series:
        if not len(lines):
            return pd.Series(dtype=float)
        frame = lines[[*by, "country", "quantity", "blocs"]].copy()
        totals = frame.groupby(by)["quantity"].transform("sum")
        frame["share"] = frame["quantity"] / totals.where(totals > 0)
        if kind == "bloc":
            frame["bloc"] = frame["blocs"].fillna("").map(lambda t: [b.strip() for b in str(t).split(",") if b.strip()]
                                                        or ["(no bloc)"])
            frame = frame.explode("bloc")
        return frame.groupby([*by, kind])["share"].sum()

    a, b = table(old), table(new)
    index = a.index.union(b.index)
    if periods:
        at = {p: k for k, p in enumerate(periods)}
        index = pd.MultiIndex.from_tuples(sorted(index, key=lambda k: (k[0], at.get(k[1], len(at)), k[2])),
                                          names=[*by, kind])
    else:
        index = index.sort_values()
    out = pd.DataFrame({"share_old": a.reindex(index).fillna(0.0), "share_new": b.reindex(index).fillna(0.0)},
                       index=index)
    out["share_change"] = out["share_new"] - out["share_old"]
    out.index.names = [*by, kind]
    return out.reset_index()[[*by, kind, "share_old", "share_new", "share_change"]]
