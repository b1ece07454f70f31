"""Tables for the terminal: the console output of frontier, batch and diff.

One way to show money (`1,234.00`, blank for a missing figure), one sign
convention for changes (`+1,234.00`, `-1,234.00`, and `+0.00` for no
change), and tables whose long last column (why a step or run has no plan)
goes last and unpadded. The workbooks and the JSON carry the numbers
themselves; nothing here is written to a file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import pandas as pd

from planner.diff import PlanDiff


def _missing(value: object) -> bool:
    return value is None or value != value  # None or NaN


def money(value: object) -> str:
    """`1,234.00`; blank for None or NaN (a run or step with no plan)."""
    return "" if _missing(value) else f"{value:,.2f}"


def _signed(value: object, decimals: int, spec: str) -> str:
    """`value` rounded to `decimals` and formatted by `spec` with its sign; zero is `+0...`, never `-0...`."""
    if _missing(value):
        return ""
    rounded = round(float(value), decimals)  # type: ignore[arg-type]
    return format(rounded if rounded != 0 else 0.0, spec)


def change(value: object) -> str:
    """`+1,234.00` / `-1,234.00`; no change (or less than half a cent either way) is `+0.00`, never `-0.00`."""
    return _signed(value, 2, "+,.2f")


def share(value: object) -> str:
    """`40.0%`; blank for None or NaN."""
    return "" if _missing(value) else f"{value:.1%}"


def share_change(value: object) -> str:
    """`+12.5%` / `-12.5%`, `+0.0%` for no change."""
    return _signed(value, 3, "+.1%")


def index(value: object) -> str:
    """A concentration index: `3,600`; blank for None or NaN."""
    return "" if _missing(value) else f"{value:,.0f}"


def with_reason(table: str, reasons: Sequence[str], header: str = "why") -> str:
    """`table` (a header line, then one line per row) with `reasons` as a last column.

    The reason goes last and unpadded: it is long, and padding it would pad every other line too.
    """
    lines = table.splitlines()
    return "\n".join(f"{line}  {reason}".rstrip() for line, reason in zip(lines, [header, *reasons]))


def frontier_text(table: pd.DataFrame) -> str:
    """The sweep (`pipeline.frontier`) as a terminal table: money with separators, the change against the first
    solved step signed, shares in %, blanks where a step has no plan, and last `why` a step has none (its
    conflicting input rows)."""
    numbers = table.drop(columns=["why"])
    formatters = {c: share for c in numbers.columns if c == "value" or c.startswith("surviving: ")}
    formatters.update({"total_cost": money, "change_vs_first": change, "hhi_country": index})
    lines = numbers.to_string(index=False, formatters=formatters, na_rep="")
    return with_reason(lines, [str(v) if isinstance(v, str) else "" for v in table["why"]])


def batch_text(summary: pd.DataFrame) -> str:
    """A batch summary for a terminal: one line per run, money with separators, the change against the first
    run of its base that wrote a plan (`compared_with`), and last `why` a run wrote no plan (the conflicting
    rows, the invalid cells, or the error: the workbook's `message`)."""
    shown = summary[["run", "name", "status", "total_cost", "change_vs_first", "compared_with", "model"]].copy()
    shown["model"] = shown["model"].map(lambda m: str(m).split(":")[0] if isinstance(m, str) else "")
    shown["compared_with"] = shown["compared_with"].map(lambda n: n if isinstance(n, str) else "")
    table = shown.to_string(index=False, na_rep="", formatters={"total_cost": money, "change_vs_first": change})
    wrote = summary["status"].isin(["optimal", "feasible"]).tolist()
    return with_reason(table, ["" if ok else str(m) for ok, m in zip(wrote, summary["message"].fillna(""))])


def diff_text(d: PlanDiff, currency: str = "") -> str:
    """The diff for a terminal: totals and their split, suppliers in and out, lines that moved."""
    t = d.totals
    currency = currency or d.currency
    signed = (lambda v: f"{change(v)} {currency}".rstrip())
    out = [f"total cost: {money(t['total cost old'])} -> {money(t['total cost new'])} "
           f"({signed(t['total cost change'])})",
           f"  price effect {signed(t['price effect'])}, reallocation effect {signed(t['reallocation effect'])}, "
           f"fixed-cost effect {signed(t['fixed-cost effect'])}"
           + (f", holding-cost effect {signed(t['holding-cost effect'])}" if "holding-cost effect" in t else ""),
           f"suppliers entering: {', '.join(d.suppliers_entering) or 'none'}",
           f"suppliers leaving: {', '.join(d.suppliers_leaving) or 'none'}"]
    if d.note:
        out.append(d.note)
    if len(d.costs):
        out += ["", costs_text(d, currency)]
    moved = d.lines[d.lines["change"] != "unchanged"]
    if len(moved):
        out.append("")
        # formatters by column, not a float_format: a plan of whole numbers reads back as ints, which a
        # float_format leaves bare (19700 under 5,000.00)
        by = ["item", "supplier", "period"] if "period" in moved.columns else ["item", "supplier"]
        out.append(moved[[*by, "country", "quantity_old", "quantity_new", "cost_change", "change"]]
                   .to_string(index=False, formatters={"quantity_old": money, "quantity_new": money,
                                                       "cost_change": change}))
    shifts = d.countries[d.countries["share_change"].abs() > 1e-9]
    if len(shifts):
        out.append("")
        out.append("country shares that moved:")
        out.append(shifts.to_string(index=False, formatters={"share_old": share, "share_new": share,
                                                             "share_change": share_change}))
    return "\n".join(out)


def costs_text(d: PlanDiff, currency: str = "") -> str:
    """The two plans' costs by kind, side by side (`PlanDiff.costs`), with what each kind is: shown when either
    plan is two-stage, whose expected cost is not a cost of the kind a deterministic plan's total is."""
    modes = {side: str(d.plan_costs[side]["mode"]).replace("_", "-") for side in ("old", "new")}

    def shown(value: object, figure: str) -> str:
        if _missing(value):
            return "-"
        if figure in ("cvar_alpha", "risk_weight"):
            return f"{value:g}"
        return money(value) if isinstance(value, (int, float)) else str(value)

    heads = ["", f"old ({modes['old']})", f"new ({modes['new']})"]
    rows = [[str(f), shown(o, str(f)), shown(n, str(f))] for f, o, n in zip(d.costs["figure"], d.costs["old"],
                                                                           d.costs["new"])]
    wide = [max(len(r[k]) for r in [heads, *rows]) for k in range(3)]
    text = "\n".join(f"  {r[0]:<{wide[0]}}  {r[1]:>{wide[1]}}  {r[2]:>{wide[2]}}".rstrip() for r in [heads, *rows])
    legend = textwrap.fill(
        "-: a figure the plan does not have (a deterministic plan prices no disruption: it buys its demand as "
        "planned, with cover in its scenarios where a min_coverage rule asks for it). The total cost of the "
        "lines is, for a deterministic plan, what it costs with nothing disrupted; for a two-stage plan, what its "
        "contracts cost with every unit delivered. Expected cost and CVaR count each scenario's spot purchases "
        "and shortage; the objective is what each plan minimised.", width=110, initial_indent="  ",
        subsequent_indent="  ")
    return f"each plan's costs, by kind{f' ({currency})' if currency else ''}:\n{text}\n{legend}"
