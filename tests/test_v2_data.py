"""Contract v2's data features on plans: item classes, group unions, dated rows and plan_date, currencies and
tariffs by item. Each optimum is worked out in its docstring; `solve_file` runs the independent checker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import HEADERS, countries, qty, solve_file, write_workbook
from planner.cli import main
from planner.io.read import read_workbook
from planner.pipeline import load
from planner.problems import ProblemLog
from planner.validate import validate

ITEMS = [["A", 100, "t", "critical"], ["B", 100, "t", "critical"], ["C", 100, "t"]]
ITEM_HEADER = [*HEADERS["Items"], "class"]


def three_items(tmp_path: Path, policy: list[list], headers: dict | None = None, **extra) -> Path:
    """Items A, B (class critical) and C, demand 100 each; S1 in C1 sells each at 10, S2 in C2 at 12."""
    sheets = {
        "Items": ITEMS,
        "Suppliers": [["S1", "C1"], ["S2", "C2"]],
        "Countries": countries("C1", "C2"),
        "Offers": [[i, "S1", 10] for i in "ABC"] + [[i, "S2", 12] for i in "ABC"],
        "Policy": policy,
        **extra,
    }
    return write_workbook(tmp_path / "in.xlsx", sheets, headers={"Items": ITEM_HEADER, **(headers or {})})


def test_a_class_rule_applies_to_each_item_of_the_class(tmp_path: Path) -> None:
    """max_share C1 0.6 on class:critical: A and B each 60 from S1 at 10 + 40 from S2 at 12 = 1080; C all from
    S1 at 10 = 1000. Total 3160."""
    _, plan = solve_file(three_items(tmp_path, [["max_share", "class:critical", "C1", 0.6]]))
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(3160)
    assert qty(plan, "A", "S1") == pytest.approx(60) and qty(plan, "B", "S1") == pytest.approx(60)
    assert qty(plan, "C", "S1") == pytest.approx(100)
    assert plan.rules.loc[0, "item"] == "class:critical"


def test_a_union_counts_each_offer_once(tmp_path: Path) -> None:
    """One item A, demand 100: S1 (C1) at 10, S2 (C2) at 11, S3 (C3) at 15. max_share `C1 | C2` 0.7: at most 70
    from S1 and S2 together, so 70 from S1 at 10 + 30 from S3 at 15 = 1150."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]],
        "Suppliers": [["S1", "C1"], ["S2", "C2"], ["S3", "C3"]],
        "Countries": countries("C1", "C2", "C3"),
        "Offers": [["A", "S1", 10], ["A", "S2", 11], ["A", "S3", 15]],
        "Policy": [["max_share", None, "country:C1 | C2", 0.7]],
    })
    data, plan = solve_file(path)
    assert data.rules[0].group is not None and data.rules[0].group.kind == "union"
    assert plan.total_cost == pytest.approx(1150)
    assert qty(plan, "A", "S1") == pytest.approx(70) and qty(plan, "A", "S3") == pytest.approx(30)


def dated(tmp_path: Path, plan_date: object, until: object = "2026-06-30") -> Path:
    """A: S1 (C1) at 10, S2 (C2) at 12. A sanction on C1 until 30 June 2026 (`exclude` with `to`)."""
    return write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]],
        "Suppliers": [["S1", "C1"], ["S2", "C2"]],
        "Countries": countries("C1", "C2"),
        "Offers": [["A", "S1", 10], ["A", "S2", 12]],
        "Policy": [["exclude", None, "C1", None, None, until]],
        "Settings": [["plan_date", plan_date]] if plan_date is not None else [],
    }, headers={"Policy": [*HEADERS["Policy"], "from", "to"]})


@pytest.mark.parametrize("day, cost", [("2026-06-30", 1200), (dt.date(2026, 6, 30), 1200), ("2026-07-01", 1000)])
def test_a_dated_sanction_ends_on_its_last_day(tmp_path: Path, day: object, cost: float) -> None:
    """In force on its `to` day (everything from S2 at 12: 1200); the day after, S1 at 10 again: 1000."""
    data, plan = solve_file(dated(tmp_path, day))
    assert plan.total_cost == pytest.approx(cost)
    if cost == 1000:
        assert data.rules == () and len(data.dating.out_of_force) == 1
        assert plan.run["not in force on the plan date: Policy row 2"].startswith("Policy!A2 exclude country:C1")
    assert plan.run["plan date"] == "2026-06-30 (Settings plan_date)" if cost == 1200 else True


def test_a_blank_plan_date_is_the_day_of_the_run_and_stated_only_when_dates_matter(tmp_path: Path) -> None:
    """Without plan_date a dated row is read on today (stated in the Run sheet); a workbook without dates gets no
    plan-date line at all, so its plan is the same on any day."""
    today = dt.date.today()
    data, plan = solve_file(dated(tmp_path, None, until=today.isoformat()))
    assert plan.total_cost == pytest.approx(1200)
    assert plan.run["plan date"] == f"{today.isoformat()} (the day of the run: Settings plan_date is blank)"
    (tmp_path / "plain").mkdir()
    _, plain = solve_file(write_workbook(tmp_path / "plain" / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "C1"]], "Countries": countries("C1"),
        "Offers": [["A", "S1", 10]]}))
    assert not any(key.startswith("plan date") for key in plain.run)


def test_set_plan_date_reads_the_dated_rows_anew(tmp_path: Path) -> None:
    """--set plan_date=2026-07-01 on a workbook dated 2026-06-30 lifts the sanction: 1000; and back: 1200."""
    path = dated(tmp_path, "2026-06-30")
    later, _ = load(path, overrides=("plan_date=2026-07-01",))
    assert later.rules == () and later.dating.day == dt.date(2026, 7, 1)
    earlier, _ = load(path, overrides=("plan_date=2026-06-30",))
    assert len(earlier.rules) == 1
    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(path), "--set", "plan_date=2026-07-01", "-o", str(out), "-q"]) == 0


def test_currencies_convert_price_and_freight(tmp_path: Path) -> None:
    """Base EUR. S1 quotes 10 USD + 1 USD freight, USD = 0.9 EUR: (10 + 1) * 0.9 = 9.9 EUR landed; S2 quotes
    10 EUR + 0.5 freight = 10.5. All 100 from S1: 990 EUR."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "US"], ["S2", "DE"]], "Countries": countries("US", "DE"),
        "Offers": [["A", "S1", 10, None, None, 1, None, "USD"], ["A", "S2", 10, None, None, 0.5]],
        "Currencies": [["USD", 0.9]],
    }, headers={"Offers": [*HEADERS["Offers"], "discount", "currency"]})
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(990)
    assert qty(plan, "A", "S1") == pytest.approx(100)


def test_the_most_specific_tariff_wins(tmp_path: Path) -> None:
    """C1 duty 0 by Countries. Tariffs: every item from C1 20 %, class critical 50 %, item B 10 %. S1 (C1) at 10,
    S2 (C2) at 13, no duty. A (critical): 10 * 1.5 = 15 > 13, from S2: 1300. B (critical, own row): 11 < 13, from
    S1: 1100. C (no class): 10 * 1.2 = 12 < 13, from S1: 1200. Total 3600."""
    path = three_items(tmp_path, [], Tariffs=[["C1", None, 0.2], ["C1", "class:critical", 0.5], ["C1", "B", 0.1]])
    data, _ = load(path)
    assert [data.tariff("C1", i) for i in "ABC"] == [0.5, 0.1, 0.2]
    sheets = {"Items": ITEMS, "Suppliers": [["S1", "C1"], ["S2", "C2"]], "Countries": countries("C1", "C2"),
              "Offers": [[i, "S1", 10] for i in "ABC"] + [[i, "S2", 13] for i in "ABC"],
              "Tariffs": [["C1", None, 0.2], ["C1", "class:critical", 0.5], ["C1", "B", 0.1]]}
    (tmp_path / "t").mkdir()
    _, plan = solve_file(write_workbook(tmp_path / "t" / "in.xlsx", sheets, headers={"Items": ITEM_HEADER}))
    assert plan.total_cost == pytest.approx(3600)
    assert qty(plan, "A", "S2") == pytest.approx(100) and qty(plan, "B", "S1") == pytest.approx(100)
    assert qty(plan, "C", "S1") == pytest.approx(100)


def test_a_scenario_row_may_name_a_class_and_a_union(tmp_path: Path) -> None:
    """min_coverage 0.5 on every item; scenario `stop`: C1 | C2 keeps nothing of class critical. Items A, B
    (critical) must get 50 from S3 (C3, at 20); C unaffected. A, B: 50 * 10 + 50 * 20 = 1500 each; C 1000.
    Total 4000."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": ITEMS,
        "Suppliers": [["S1", "C1"], ["S2", "C2"], ["S3", "C3"]],
        "Countries": countries("C1", "C2", "C3"),
        "Offers": [[i, "S1", 10] for i in "ABC"] + [[i, "S2", 12] for i in "ABC"] + [[i, "S3", 20] for i in "ABC"],
        "Policy": [["min_coverage", None, None, 0.5]],
        "Scenarios": [["stop", "class:critical", "C1 | C2", 0]],
    }, headers={"Items": ITEM_HEADER})
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(4000)
    assert qty(plan, "A", "S3") == pytest.approx(50) and qty(plan, "C", "S3") == pytest.approx(0)


def test_validation_keeps_a_class_rule_one_rule(tmp_path: Path) -> None:
    log = ProblemLog()
    data = validate(read_workbook(three_items(tmp_path, [["exclude", "class:critical", "C1", None]]), log), log)
    assert data is not None and len(data.rules) == 1
    rule = data.rules[0]
    assert (rule.item, rule.item_class) == (None, "critical")
    assert data.rule_items(rule) == ["A", "B"]
    assert sorted(data.excluded_by) == [("A", "S1"), ("B", "S1")]


@pytest.mark.parametrize("day, cost, members", [("2024-12-15", 1060, ["GB", "JP"]), ("2024-12-14", 1180, ["JP"])])
def test_a_built_in_bloc_has_the_workbooks_members_on_the_plan_date(tmp_path: Path, day: str, cost: float,
                                                                     members: list[str]) -> None:
    """No Countries cell names CPTPP, so its members are the built-in table's on the plan date: JP (since
    2018-12-30) and GB (in force 2024-12-15), never CN. A: CN1 at 10, GB1 at 11, JP1 at 13. min_share CPTPP 0.6:
    on 2024-12-15 60 from GB1 at 11 + 40 from CN1 at 10 = 1060; the day before GB is not yet a member: 60 from
    JP1 at 13 + 400 = 1180."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]],
        "Suppliers": [["CN1", "CN"], ["GB1", "GB"], ["JP1", "JP"]],
        "Countries": countries("CN", "GB", "JP"),
        "Offers": [["A", "CN1", 10], ["A", "GB1", 11], ["A", "JP1", 13]],
        "Policy": [["min_share", None, "CPTPP", 0.6]],
        "Settings": [["plan_date", day]],
    })
    data, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(cost)
    assert sorted(c.name for c in data.countries.values() if "CPTPP" in c.blocs) == members
    assert sorted(k for k in plan.run if k.startswith("built-in member")) == \
        [f"built-in member of CPTPP: {m}" for m in members]


def test_a_workbook_bloc_of_a_built_in_name_is_the_workbooks_alone(tmp_path: Path) -> None:
    """A Countries cell names EU (for DE only), so FR, though an EU member, is not in it: max_share EU 0.5 caps
    DE1 alone. A: DE1 at 10, FR1 at 11: 50 from DE1 + 50 from FR1 = 1050."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["DE1", "DE"], ["FR1", "FR"]],
        "Countries": countries("DE", "FR", blocs={"DE": "EU"}),
        "Offers": [["A", "DE1", 10], ["A", "FR1", 11]], "Policy": [["max_share", None, "EU", 0.5]]})
    data, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1050)
    assert not any(k.startswith("built-in member") for k in plan.run)


def test_a_price_that_rises_at_a_break_is_warned_about(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "C1"]], "Countries": countries("C1"),
        "Offers": [["A", "S1", 10]], "Tiers": [["A", "S1", 50, 9], ["A", "S1", 80, 12]]})
    _, warnings = load(path)
    assert [str(w) for w in warnings] == [
        "Tiers!D3 (price): price 12 from 80 of 'A' from 'S1' is above the price below the break (9): a volume "
        "discount lowers the price; it is planned as written"]


# ---- built-in blocs and the workbook's own names ---------------------------------------------------------------


def v1_named(tmp_path: Path, name: str, where: str) -> Path:
    """A version-1 workbook in which `name`, a built-in bloc's name in some case, is a country or a supplier's id,
    and a Policy row (or a Scenarios row) names it."""
    country, supplier = (name, "S1") if where == "country" else ("US", name)
    return write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]],
        "Suppliers": [[supplier, country], ["S2", "CN"]],
        "Countries": countries(country, "CN"),
        "Offers": [["A", supplier, 12], ["A", "S2", 10]],
        "Policy": [["min_share", None, name, 0.5]],
        "Scenarios": [[f"{name} stop", None, name, 0]],
    })


@pytest.mark.parametrize("name, where", [("EU", "country"), ("NATO", "supplier"), ("eu", "supplier"),
                                         ("cptpp", "country")])
def test_a_country_or_supplier_named_like_a_built_in_bloc_is_that_country_or_supplier(
        tmp_path: Path, name: str, where: str) -> None:
    """Version 1 holds: the built-in table is consulted only for a name no country, workbook bloc or supplier has.
    min_share 0.5 from the country (or supplier): 50 at 12 + 50 at 10 = 1100, and no built-in membership."""
    data, plan = solve_file(v1_named(tmp_path, name, where))
    assert str(data.rules[0].group) == f"{where}:{name}" and str(data.scenario_hits[0].group) == f"{where}:{name}"
    assert plan.total_cost == pytest.approx(1100)
    assert data.dating is not None and data.dating.built_in == () and data.dating.memberships == ()
    assert not any(key.startswith(("built-in", "plan date")) for key in plan.run)


# ---- switching and dating kept apart; built-in members only for rows that play a part ---------------------------

POLICY_DATED = [*HEADERS["Policy"], "active", "from", "to"]


def au_cn(tmp_path: Path, policy: list[list], scenarios: list[list] | None = None, name: str = "in.xlsx") -> Path:
    """A: S1 (AU) at 10, S2 (CN) at 12; plan date 2025-01-01, when AU is in CPTPP (since 2018-12-30). No
    Countries cell names a bloc."""
    return write_workbook(tmp_path / name, {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "AU"], ["S2", "CN"]], "Countries": countries("AU", "CN"),
        "Offers": [["A", "S1", 10], ["A", "S2", 12]], "Policy": policy,
        "Scenarios": scenarios or [], "Settings": [["plan_date", "2025-01-01"]]},
        headers={"Policy": POLICY_DATED, "Scenarios": [*HEADERS["Scenarios"], "from", "to"]})


@pytest.mark.parametrize("policy, scenarios", [
    ([["exclude", None, "CPTPP", None, "off"]], None),  # switched off
    ([["exclude", None, "CPTPP", None, "on", "2030-01-01"]], None),  # not yet in force
    ([["exclude", None, "CPTPP", None, "on", None, "2020-12-31"]], None),  # no longer in force
    ([], [["cut", None, "bloc:CPTPP", 0, "2030-01-01"]]),  # a Scenarios row not in force
], ids=["off", "from", "to", "scenario"])
def test_a_row_that_plays_no_part_takes_no_built_in_member(tmp_path: Path, policy: list[list],
                                                           scenarios: list[list] | None) -> None:
    """max_share each bloc 0.5 (on). The only row naming CPTPP plays no part, so CPTPP has no member and `each
    bloc` caps nothing: all 100 from S1 at 10 = 1000 (with AU in CPTPP: 50 at 10 + 50 at 12 = 1100)."""
    path = au_cn(tmp_path, [["max_share", None, "each bloc", 0.5, "on"], *policy], scenarios)
    data, plan = solve_file(path)
    assert data.countries["AU"].blocs == () and data.blocs == ()
    assert plan.total_cost == pytest.approx(1000)
    assert not any(key.startswith("built-in member") for key in plan.run)


def test_switching_a_row_on_gives_its_built_in_bloc_members(tmp_path: Path) -> None:
    """exclude CPTPP, switched off: nothing excluded, all from S1 (AU) at 10. --set Policy!3=on: AU is a member on
    2025-01-01, so S1 is excluded and all comes from S2 at 12 = 1200, the Run sheet naming AU."""
    path = au_cn(tmp_path, [["max_share", None, "each bloc", 1, "on"], ["exclude", None, "CPTPP", None, "off"]])
    data, _ = load(path, overrides=("Policy!3=on",))
    assert data.countries["AU"].blocs == ("CPTPP",) and [r.row for r in data.rules] == [2, 3]
    assert [m[:2] for m in data.dating.memberships] == [("CPTPP", "AU")]
    plan = planner_solve(data)
    assert plan.total_cost == pytest.approx(1200) and "built-in member of CPTPP: AU" in plan.run
    off, _ = load(path, overrides=("Policy!3=on", "Policy!3=off"))
    assert off.countries["AU"].blocs == () and off.dating.memberships == ()


def planner_solve(data):  # type: ignore[no-untyped-def]
    import planner

    return planner.solve(data)


def test_a_new_plan_date_keeps_a_switched_off_row_off(tmp_path: Path) -> None:
    """exclude C1 switched off and in force from 2027-01-01, on a workbook dated 2026-06-01. Moved to 2027-06-01
    it is in force, but still off: C1 stays usable (it used to be switched on by the new date)."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "C1"], ["S2", "C2"]], "Countries": countries("C1", "C2"),
        "Offers": [["A", "S1", 10], ["A", "S2", 12]],
        "Policy": [["exclude", None, "C1", None, "off", "2027-01-01"], ["max_share", None, "C2", 1, "on"]],
        "Settings": [["plan_date", "2026-06-01"]]}, headers={"Policy": POLICY_DATED})
    base, _ = load(path)
    assert [r.row for r in base.rules] == [3] and [r.row for r in base.inactive_rules] == [2]
    assert planner_solve(base).run["rule switched off: Policy row 2"] == (
        "Policy!A2 exclude country:C1 on every item (in force from 2027-01-01 on; not in force on the plan date "
        "either): not applied")
    later, _ = load(path, overrides=("plan_date=2027-06-01",))
    assert [r.row for r in later.rules] == [3] and [r.row for r in later.inactive_rules] == [2]
    assert later.excluded_by == {} and later.dating.out_of_force == ()
    switched, _ = load(path, overrides=("plan_date=2027-06-01", "Policy!2=on"))
    assert [r.row for r in switched.rules] == [2, 3] and list(switched.excluded_by) == [("A", "S1")]


def test_a_blank_plan_date_override_goes_back_to_the_day_of_the_run(tmp_path: Path) -> None:
    """--set plan_date= on a workbook dated 2026-06-30: read on today, and the Run sheet says so."""
    path = dated(tmp_path, "2026-06-30")
    data, _ = load(path, overrides=("plan_date=",))
    today = dt.date.today()
    assert data.dating.day == today and data.dating.of_run and data.settings.plan_date is None
    assert data.rules == () and len(data.dating.out_of_force) == 1  # the sanction ended on 2026-06-30
    plan = planner_solve(data)
    assert plan.run["plan date"] == f"{today.isoformat()} (the day of the run: Settings plan_date is blank)"
    assert plan.run["override plan_date"] == "blank: the day of the run (was 2026-06-30)"


@pytest.mark.parametrize("override, on", [("Policy!2=on", True), ("Policy!2=off", False)])
def test_switching_a_row_not_in_force_is_kept_and_said(tmp_path: Path, override: str, on: bool) -> None:
    """The sanction of `dated` ended on 2026-06-30; the plan date is 2026-07-01. Switching its row is no error:
    the switch is kept (it counts on a plan date within the row's dates) and a warning says the row is not in
    force, with its dates."""
    path = dated(tmp_path, "2026-07-01")
    data, warnings = load(path, overrides=(override,))
    assert data.rules == ()
    assert [r.row for r in data.inactive_rules] == ([] if on else [2])
    assert [str(w) for w in warnings if "not in force" in str(w)] == [
        f"--set {override}: Policy row 2 (exclude country:C1 on every item) is not in force on the plan date "
        "2026-07-01 (in force until 2026-06-30): the change is kept, and counts on a plan date within those dates "
        f"(--set plan_date=YYYY-MM-DD); switched {'on' if on else 'off'}, it plays no part until then"]
    back, _ = load(path, overrides=(override, "plan_date=2026-06-30"))
    assert [r.row for r in back.rules] == ([2] if on else [])


def test_an_update_of_a_countries_blocs_cell_keeps_the_built_in_members(tmp_path: Path) -> None:
    """min_share EU 0.5, EU built in (no Countries cell names it): DE1 at 12, FR1 at 11, CN1 at 10. An update table
    sets FR's blocs to `Francophonie`: FR stays an EU member (the table gives the workbook's blocs, the built-in
    membership comes on top), so 50 from FR1 + 50 from CN1 = 1050, and the Run sheet lists what the data holds."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["DE1", "DE"], ["FR1", "FR"], ["CN1", "CN"]],
        "Countries": countries("DE", "FR", "CN"),
        "Offers": [["A", "DE1", 12], ["A", "FR1", 11], ["A", "CN1", 10]],
        "Policy": [["min_share", None, "EU", 0.5]], "Settings": [["plan_date", "2025-01-01"]]})
    (tmp_path / "blocs.csv").write_text("country,blocs\nFR,Francophonie\n")
    data, _ = load(path, updates=(tmp_path / "blocs.csv",))
    assert data.countries["FR"].blocs == ("Francophonie", "EU") and data.countries["DE"].blocs == ("EU",)
    plan = planner_solve(data)
    assert plan.total_cost == pytest.approx(1050)
    listed = sorted(k.rpartition(": ")[2] for k in plan.run if k.startswith("built-in member of EU"))
    assert listed == sorted(c for c, country in data.countries.items() if "EU" in country.blocs) == ["DE", "FR"]
    # a table that names EU in a blocs cell makes EU the workbook's bloc: DE alone, as the cell says
    (tmp_path / "eu.csv").write_text("country,blocs\nDE,EU\n")
    own, _ = load(path, updates=(tmp_path / "eu.csv",))
    assert [c for c, country in own.countries.items() if "EU" in country.blocs] == ["DE"]
    assert own.dating.memberships == ()


@pytest.mark.parametrize("text, day", [("2027-06-01", dt.date(2027, 6, 1)), (" 2027-06-01 ", dt.date(2027, 6, 1)),
                                       ("20270601", None), ("2027-W22", None), ("2027-6-1", None),
                                       ("2027-02-30", None)])
def test_a_plan_date_reads_the_same_in_settings_and_in_set(tmp_path: Path, text: str, day: dt.date | None) -> None:
    """One parser: text YYYY-MM-DD, nothing else, in the Settings cell as in --set plan_date=..."""
    from planner.problems import InputError

    path = dated(tmp_path, text)
    if day is None:
        with pytest.raises(InputError, match="is not a date"):
            load(path)
        with pytest.raises(InputError, match="is not a date: write it as YYYY-MM-DD"):
            load(dated(tmp_path, "2026-01-01"), overrides=(f"plan_date={text}",))
    else:
        assert load(path)[0].dating.day == day
        assert load(dated(tmp_path, "2026-01-01"), overrides=(f"plan_date={text}",))[0].dating.day == day


def test_a_time_of_day_in_a_date_cell_is_warned_about(tmp_path: Path) -> None:
    """Rows apply on whole days: 2026-06-30 14:30 is read as 2026-06-30, with a warning naming the cell."""
    path = dated(tmp_path, "2026-06-30", until=dt.datetime(2026, 6, 30, 14, 30))
    data, warnings = load(path)
    assert data.rules[0].end == dt.date(2026, 6, 30)
    assert [str(w) for w in warnings if "time of day" in str(w)] == [
        "Policy!F2 (to): 2026-06-30 14:30 has a time of day, which is ignored: read as the day 2026-06-30 (rows apply "
        "on whole days)"]
    midnight, quiet = load(dated(tmp_path, "2026-06-30", until=dt.datetime(2026, 6, 30)))
    assert not any("time of day" in str(w) for w in quiet)


@pytest.mark.parametrize("cell", ["class:critical", "class: critical", "CLASS:critical", "Class :critical",
                                  " class : critical "])
def test_class_is_read_as_the_group_prefixes_are(tmp_path: Path, cell: str) -> None:
    """The word in any case, spaces around the colon: every spelling names the class critical (A and B)."""
    log = ProblemLog()
    data = validate(read_workbook(three_items(tmp_path, [["exclude", cell, "C1", None]]), log), log)
    assert data is not None and (data.rules[0].item, data.rules[0].item_class) == (None, "critical")


def test_an_item_whose_id_reads_like_a_class_is_that_item(tmp_path: Path) -> None:
    """Version 1 holds: an item cell that is exactly an Items id is that item, `class:x` included."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["class:x", 100, "t"]], "Suppliers": [["S1", "C1"], ["S2", "C2"]], "Countries": countries("C1", "C2"),
        "Offers": [["class:x", "S1", 10], ["class:x", "S2", 12]], "Policy": [["max_share", "class:x", "C1", 0.5]]})
    data, plan = solve_file(path)
    assert (data.rules[0].item, data.rules[0].item_class) == ("class:x", None)
    assert plan.total_cost == pytest.approx(1100)


def test_an_item_and_a_class_of_one_name_each_have_their_tariff(tmp_path: Path) -> None:
    """Item steel, of the class steel, and B of the class steel: the row for the item steel (10 %) and the row for
    class:steel (20 %) are two rows, not one appearing again; the item's row wins for steel, B takes the class's."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["steel", 100, "t", "steel"], ["B", 100, "t", "steel"]], "Suppliers": [["S1", "C1"]],
        "Countries": countries("C1"), "Offers": [["steel", "S1", 10], ["B", "S1", 10]],
        "Tariffs": [["C1", "steel", 0.1], ["C1", "class:steel", 0.2]]}, headers={"Items": ITEM_HEADER})
    data, _ = load(path)
    assert [(t.item, t.item_class) for t in data.tariffs] == [("steel", None), (None, "steel")]
    assert data.tariff("C1", "steel") == 0.1 and data.tariff("C1", "B") == 0.2


def test_the_offer_table_takes_each_duty_from_an_index_of_the_tariffs_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every offer's duty in the table is the most specific Tariffs row's (item over class over blank, else the
    country's), as the contract reads, worked out here row by row; and the table is built from an index, not by
    calling `tariff` offer by offer (which scanned the country's rows for each of 200k offers)."""
    import random

    from planner.data import Country, Item, Offer, PlanningData, Supplier, Tariff

    rng = random.Random(7)
    countries_ = {c: Country(c, tariff=rng.choice([0.0, 0.05])) for c in ("C1", "C2", "C3")}
    items = {f"I{k}": Item(f"I{k}", 10, item_class=rng.choice(["", "a", "b"])) for k in range(30)}
    suppliers = {f"S{k}": Supplier(f"S{k}", rng.choice(list(countries_))) for k in range(8)}
    offers = {(i, s): Offer(i, s, 10.0) for i in items for s in suppliers if rng.random() < 0.6}
    rows = [Tariff("C1", None, None, 0.2), Tariff("C1", None, "a", 0.3), Tariff("C2", None, "b", 0.4),
            *(Tariff(rng.choice(list(countries_)), i, None, round(rng.random(), 2)) for i in rng.sample(list(items), 12))]
    data = PlanningData(items, suppliers, countries_, offers, tariffs=tuple(rows))

    def by_contract(country: str, item: str) -> float:
        mine = [r for r in rows if r.country == country]
        for matches in (lambda r: r.item == item, lambda r: r.item is None and r.item_class is not None
                        and r.item_class == items[item].item_class, lambda r: r.item is None and r.item_class is None):
            found = [r for r in mine if matches(r)]
            if found:
                return found[0].tariff
        return countries_[country].tariff

    monkeypatch.setattr(PlanningData, "tariff", lambda *_: pytest.fail("the table scans rows per offer"))
    table = data.table
    expected = [by_contract(suppliers[s].country, i) for i, s in table.keys]
    assert table.tariff.tolist() == expected
    monkeypatch.undo()
    assert [data.tariff(suppliers[s].country, i) for i, s in table.keys] == expected


def test_an_offers_breaks_may_be_listed_in_any_order(tmp_path: Path) -> None:
    """Breaks 80 at 8 and 50 at 9, listed high first, are read ascending. All-units, demand 100 from S1 alone:
    100 >= 80, so every unit at 8 = 800, as with the rows in ascending order."""
    sheets = {"Items": [["A", 100, "t"]], "Suppliers": [["S1", "C1"]], "Countries": countries("C1"),
              "Offers": [["A", "S1", 10]], "Tiers": [["A", "S1", 80, 8], ["A", "S1", 50, 9]]}
    data, plan = solve_file(write_workbook(tmp_path / "in.xlsx", sheets))
    assert [(t.from_quantity, t.price) for t in data.tiers[("A", "S1")]] == [(50, 9), (80, 8)]
    assert plan.total_cost == pytest.approx(800)


def test_currency_codes_ignore_case(tmp_path: Path) -> None:
    """Settings currency `eur`: an Offers cell `EUR` (or `Eur`) is the base currency; `usd` is the USD of
    Currencies. S1 quotes 10 usd at 0.9 = 9 EUR landed, S2 10 Eur, S3 11 EUR: everything from S1, 900."""
    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "US"], ["S2", "DE"], ["S3", "FR"]],
        "Countries": countries("US", "DE", "FR"),
        "Offers": [["A", "S1", 10, None, None, None, None, "usd"], ["A", "S2", 10, None, None, None, None, "Eur"],
                   ["A", "S3", 11, None, None, None, None, "EUR"]],
        "Currencies": [["USD", 0.9]], "Settings": [["currency", "eur"]],
    }, headers={"Offers": [*HEADERS["Offers"], "discount", "currency"]})
    data, plan = solve_file(path)
    assert [o.currency for o in data.offers.values()] == ["USD", "", ""]
    assert plan.total_cost == pytest.approx(900) and qty(plan, "A", "S1") == pytest.approx(100)
    assert data.settings.currency == "eur"  # shown as Settings writes it


@pytest.mark.parametrize("rows, message", [
    ([["usd", 0.9], ["USD", 0.8]], "Currencies!A3 (currency): 'USD' appears again (first in row 2)"),
    ([["eur", 1.2]], "Currencies!B2 (rate): EUR is the base currency (Settings currency): its rate is 1, not 1.2"),
])
def test_currencies_rows_ignore_case(tmp_path: Path, rows: list[list], message: str) -> None:
    from planner.problems import InputError

    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "US"]], "Countries": countries("US"),
        "Offers": [["A", "S1", 10]], "Currencies": rows})
    with pytest.raises(InputError) as raised:
        load(path)
    assert [str(p) for p in raised.value.problems] == [message]


@pytest.mark.parametrize("discount, currency", [
    ([None, None, None], [None, None, None]),  # the template's layout: headers, blank cells
    ([None, None, None], ["EUR", "eur", None]),  # every currency the base, or blank
    (["all_units", "Incremental", "all-units"], ["usd", None, "USD"]),  # valid choices, a listed currency
])
def test_the_templates_offers_layout_is_checked_in_bulk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         discount: list, currency: list) -> None:
    """An Offers sheet with `discount` and `currency` headers is checked column by column (it was read cell by
    cell, twice as slow at 200k offers, whenever the headers were there), into the records the cell-by-cell
    reader makes."""
    import planner.validate as validation

    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"], ["B", 50, "t"]], "Suppliers": [["S1", "US"], ["S2", "DE"]],
        "Countries": countries("US", "DE"),
        "Offers": [[i, s, 10, None, None, None, discount[k], currency[k]]
                   for k, (i, s) in enumerate([("A", "S1"), ("A", "S2"), ("B", "S1")])],
        "Currencies": [["USD", 0.9]],
    }, headers={"Offers": [*HEADERS["Offers"], "discount", "currency"]})
    real, bulk = validation._in_bulk, {}

    def spy(spec, *rest):  # type: ignore[no-untyped-def]
        out = real(spec, *rest)
        bulk[spec.name] = out is not None
        return out

    monkeypatch.setattr(validation, "_in_bulk", spy)
    fast, _ = load(path)
    assert bulk["Offers"]
    monkeypatch.setattr(validation, "_in_bulk", lambda *_: None)
    slow, _ = load(path)
    assert fast.offers == slow.offers


def test_problems_found_after_the_records_are_built_do_not_rescan_the_sheet(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """200 breaks of offers that do not exist, each an error: the Offers rows as written and the Tiers rows by
    number are read once, not once per problem (which made many problems quadratic)."""
    from planner.raw import RawSheet

    path = write_workbook(tmp_path / "in.xlsx", {
        "Items": [["A", 100, "t"], ["B", 100, "t"]], "Suppliers": [["S1", "C1"]], "Countries": countries("C1"),
        "Offers": [["A", "S1", 10]], "Tiers": [["B", "S1", 10 + k, 9] for k in range(200)]})
    raw = read_workbook(path, ProblemLog())
    reads: dict[str, int] = {}
    rows = RawSheet.rows.fget

    def counted(sheet: RawSheet) -> list:
        reads[sheet.name] = reads.get(sheet.name, 0) + 1
        return rows(sheet)  # type: ignore[misc]

    monkeypatch.setattr(RawSheet, "rows", property(counted))
    log = ProblemLog()
    assert validate(raw, log) is None and len(log.errors) == 200
    assert reads.get("Offers", 0) <= 2 and reads.get("Tiers", 0) <= 3


def test_a_built_in_bloc_without_a_member_on_the_plan_date_is_warned_about(tmp_path: Path) -> None:
    """On 2017-01-01 CPTPP was not yet in force (AU joined 2018-12-30): the row naming it counts nothing, which a
    warning says, naming the bloc, the date and the row."""
    path = au_cn(tmp_path, [["max_share", None, "CPTPP", 0.5, "on"]])
    early = write_workbook(tmp_path / "early.xlsx", {
        "Items": [["A", 100, "t"]], "Suppliers": [["S1", "AU"], ["S2", "CN"]], "Countries": countries("AU", "CN"),
        "Offers": [["A", "S1", 10], ["A", "S2", 12]], "Policy": [["max_share", None, "CPTPP", 0.5]],
        "Scenarios": [["cut", None, "bloc:cptpp | CN", 0]], "Settings": [["plan_date", "2017-01-01"]]})
    _, warnings = load(early)
    assert [str(w) for w in warnings if "no member" in str(w)] == [
        f"{sheet}!C2 (group): the built-in bloc CPTPP has no member among the workbook's countries on 2017-01-01, "
        f"the plan date: {label} counts nothing from it (a country is a member when its id is the ISO alpha-2 "
        "code of a member on that day: planner blocs --bloc CPTPP --date 2017-01-01)"
        for sheet, label in (("Policy", "Policy!A2 max_share bloc:CPTPP 0.5 on every item"),
                             ("Scenarios", "Scenarios!A2 cut: bloc:CPTPP | country:CN keeps 0 of every item"))]
    _, later = load(path)  # on 2025-01-01 AU is a member
    assert not any("no member" in str(w) for w in later)
