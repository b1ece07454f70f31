"""Several periods, read: the Periods, Demand, Capacity, Prices, Routes and Expansions sheets and the stock, route
and period columns come out as the records of planner/data.py, from a workbook and from frames alike; update
tables and `--set` reach them; the template writes them. (Bad values: tests/catalogue.py.)"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import planner
from helpers import HEADERS, PERIOD_HEADERS, countries, write_workbook
from planner.data import Expansion, Group, Item, Period, PeriodValue, Route
from planner.problems import InputError

SHEETS = {
    "Items": [["A", 100, "t", None, 20, 1.5, 500, 5], ["B", 10, "kg"]],
    "Suppliers": [["S1", "C1", 500, None], ["S2", "C2", None, 50]],
    "Countries": countries("C1", "C2"),
    "Offers": [["A", "S1", 10, None, None, 1, None, None, "sea"], ["A", "S2", 12], ["B", "S2", 4]],
    "Periods": [["P1"], ["P2"], ["P3"]],
    "Demand": [["A", "P2", 50], ["B", "P3", 0]],
    "Capacity": [["S1", "A", "P1", 30], ["S1", None, "P2", 100]],
    "Prices": [["S2", "A", "P3", 13]],
    "Routes": [["sea", 1, 2, 80], ["rail", None, None, None]],
    "Expansions": [["E1", "S1", None, 40, 100, 1, "P2"], ["E2", "S2", "B", 5]],
    "Policy": [["max_share", None, "route:sea", 0.6, None, None, None, None, "P2"],
               ["max_share", "A", "C1", 0.8]],
    "Scenarios": [["cut", None, "route:sea", 0, None, None, "P2", "P3"], ["all", None, "C2", 0.5]],
}


def workbook(path: Path, **changes: list) -> Path:
    return write_workbook(path, {**SHEETS, **changes}, headers=PERIOD_HEADERS)


def check_records(data: planner.PlanningData) -> None:
    """The records SHEETS stands for, every field (rows as a sheet numbers them, from 2)."""
    assert data.multi_period and data.period_names == ("P1", "P2", "P3")
    assert data.periods == (Period("P1", 2), Period("P2", 3), Period("P3", 4))
    assert data.demands == {("A", "P2"): PeriodValue("P2", 50.0, "A", "", 2),
                            ("B", "P3"): PeriodValue("P3", 0.0, "B", "", 3)}
    assert data.capacities == {("S1", "A", "P1"): PeriodValue("P1", 30.0, "A", "S1", 2),
                               ("S1", None, "P2"): PeriodValue("P2", 100.0, None, "S1", 3)}
    assert data.prices == {("A", "S2", "P3"): PeriodValue("P3", 13.0, "A", "S2", 2)}
    assert data.routes == {"sea": Route("sea", 1, 2.0, 80.0, 2), "rail": Route("rail", 0, 0.0, math.inf, 3)}
    assert type(data.routes["sea"].lead_time) is int and type(data.routes["rail"].lead_time) is int
    assert data.expansions == {"E1": Expansion("E1", "S1", 40.0, None, 100.0, 1, "P2", 2),
                               "E2": Expansion("E2", "S2", 5.0, "B", 0.0, 0, None, 3)}
    a = data.items["A"]
    assert (a.initial_stock, a.holding_cost, a.max_stock, a.min_stock) == (20.0, 1.5, 500.0, 5.0)
    b = data.items["B"]
    assert (b.initial_stock, b.holding_cost, b.max_stock, b.min_stock) == (0.0, 0.0, math.inf, 0.0)
    assert [o.route for o in data.offers.values()] == ["sea", "", ""]
    assert [r.period for r in data.rules] == ["P2", None]
    assert str(data.rules[0].group) == "route:sea"
    assert [(h.from_period, h.to_period) for h in data.scenario_hits] == [("P2", "P3"), (None, None)]
    assert data.scenario_hits[0].group == Group("route", "sea")
    # the derived views the model reads: A's demand is 50 in P2 (its Demand row), 100 elsewhere (Items)
    assert [data.demand_in("A", p) for p in data.period_names] == [100.0, 50.0, 100.0]
    s1a, s2a = data.offers[("A", "S1")], data.offers[("A", "S2")]
    assert [data.offer_capacity_in(s1a, p) for p in data.period_names] == [30.0, math.inf, math.inf]
    assert [data.supplier_capacity_in("S1", p) for p in data.period_names] == [500.0, 100.0, 500.0]
    assert [data.price_in(s2a, p) for p in data.period_names] == [12.0, 12.0, 13.0]
    assert data.lead_time(s1a) == 1 and data.lead_time(s2a) == 0
    # landed cost of S1's offer: price 10 + its freight 1 + the route's freight 2 = 13
    assert data.landed_cost(s1a) == 13.0
    assert data.in_group(s1a, Group("route", "sea")) and not data.in_group(s2a, Group("route", "sea"))


def test_the_records_come_out_of_a_workbook(tmp_path: Path) -> None:
    data, warnings = planner.read(workbook(tmp_path / "in.xlsx"))
    check_records(data)
    # lint: route rail carries no offer, and E2 expands S2's offer of B, unlimited in every period (no Offers
    # capacity, no Capacity row); stock columns with Periods say nothing
    assert [str(w) for w in warnings] == [
        "Routes!A3 (route): no offer travels on route 'rail' (no Offers route cell names it): it changes nothing",
        "Expansions!B3 (supplier): expansion 'E2' adds to the capacity of the offer of 'S2' for 'B', which is "
        "unlimited in every period: it can add nothing"]


def test_the_records_come_out_of_frames_as_out_of_the_workbook(tmp_path: Path) -> None:
    def frame(name: str) -> pd.DataFrame:
        header = PERIOD_HEADERS.get(name) or HEADERS[name]
        rows = [list(r) + [None] * (len(header) - len(r)) for r in SHEETS[name]]
        return pd.DataFrame(rows, columns=header)

    data, _ = planner.from_frames(
        frame("Items"), frame("Suppliers"), frame("Countries"), frame("Offers"), frame("Policy"), frame("Scenarios"),
        periods=frame("Periods"), demand=frame("Demand"), capacity=frame("Capacity"), prices=frame("Prices"),
        routes=frame("Routes"), expansions=frame("Expansions"))
    check_records(data)
    read, _ = planner.read(workbook(tmp_path / "in.xlsx"))
    for name in ("items", "offers", "periods", "demands", "capacities", "prices", "routes", "expansions", "rules",
                 "scenario_hits"):
        assert getattr(data, name) == getattr(read, name), name


def test_frames_report_bad_period_cells_by_sheet_cell_and_column() -> None:
    with pytest.raises(InputError) as raised:
        planner.from_frames(pd.DataFrame({"item": ["A"], "demand": [10]}),
                            pd.DataFrame({"supplier": ["S1"], "country": ["C1"]}),
                            pd.DataFrame({"country": ["C1"]}),
                            pd.DataFrame({"item": ["A"], "supplier": ["S1"], "price": [3], "route": ["air"]}),
                            periods=pd.DataFrame({"period": ["P1", "P1"]}),
                            demand=pd.DataFrame({"item": ["A"], "period": ["P2"], "demand": [4]}),
                            routes=pd.DataFrame({"route": ["sea"], "lead_time": [0.5]}))
    assert [str(p) for p in raised.value.problems] == [
        "Offers!D2 (route): 'air' is not listed in Routes",
        "Periods!A3 (period): 'P1' appears again (first in row 2)",
        "Demand!B2 (period): 'P2' is not listed in Periods",
        "Routes!B2 (lead_time): 0.5 is not a whole number of periods"]


def test_a_workbook_without_the_new_sheets_reads_as_before(tmp_path: Path) -> None:
    sheets = {name: SHEETS[name] for name in ("Suppliers", "Countries")}
    path = write_workbook(tmp_path / "v1.xlsx", {**sheets, "Items": [["A", 100, "t"]],
                                                  "Offers": [["A", "S1", 10], ["A", "S2", 12]]})
    data, warnings = planner.read(path)
    assert warnings == [] and not data.multi_period and data.period_names == ()
    assert (data.demands, data.capacities, data.prices, data.routes, data.expansions) == ({}, {}, {}, {}, {})
    assert data.items["A"] == Item("A", 100.0, "t", "", 2)
    assert all(o.route == "" for o in data.offers.values())
    assert dataclasses.replace(data.offers[("A", "S1")], route="") == data.offers[("A", "S1")]


def test_routes_work_without_periods_and_stock_columns_are_warned_about(tmp_path: Path) -> None:
    """Without Periods a route adds its freight (10 + 1 + 2 = 13 for S1's offer of A) and keeps its lead time on
    record; the stock columns play no part, one warning per column given."""
    sheets = {k: v for k, v in SHEETS.items() if k not in ("Periods", "Demand", "Capacity", "Prices", "Expansions",
                                                           "Policy", "Scenarios")}
    items = [["A", 100, "t", None, 20, None, None, 5], ["B", 10, "kg", None, 3]]
    data, warnings = planner.read(write_workbook(tmp_path / "in.xlsx", {**sheets, "Items": items},
                                                 headers=PERIOD_HEADERS))
    assert not data.multi_period and data.routes["sea"] == Route("sea", 1, 2.0, 80.0, 2)
    assert data.landed_cost(data.offers[("A", "S1")]) == 13.0
    assert float(data.table.cost[0]) == 13.0 and int(data.table.lead[0]) == 1
    assert [str(w) for w in warnings] == [
        "Items!E2 (initial_stock): plays no part: the workbook has no Periods sheet, so stock is not planned "
        "(2 items have one)",
        "Items!H2 (min_stock): plays no part: the workbook has no Periods sheet, so stock is not planned",
        "Routes!A3 (route): no offer travels on route 'rail' (no Offers route cell names it): it changes nothing"]


def test_a_lead_time_beyond_the_horizon_is_a_warning_when_the_item_has_stock(tmp_path: Path) -> None:
    """Three periods and a lead time of 3: an order in P1 would arrive after P3. A holds 20 in stock, so the
    offer is only useless (a warning); the same with no stock is an error (catalogue: lead-time-beyond-horizon)."""
    data, warnings = planner.read(workbook(tmp_path / "in.xlsx", Routes=[["sea", 3, 2, 80]]))
    assert ("Offers!I2 (route): the offer of 'S1' for 'A' travels on route 'sea', whose lead time of 3 periods "
            "(Routes!B2) is not shorter than the 3 periods planned: nothing ordered on it can arrive; it plays no "
            "part") in [str(w) for w in warnings]


def test_demand_before_the_first_arrival_is_checked_against_stock_and_reserve(tmp_path: Path) -> None:
    """Both offers of A on `sea`, lead time 2: nothing arrives in P1 and P2, whose demand is 100 + 50 = 150 (the
    Demand row of P2). initial_stock 155 - min_stock 5 = 150 covers it exactly; 154 does not."""
    offers = [["A", "S1", 10, None, None, 1, None, None, "sea"], ["A", "S2", 12, None, None, None, None, None, "sea"],
              ["B", "S2", 4]]
    routes = [["sea", 2, 2, 80], ["rail", 0]]
    items = [["A", 100, "t", None, 155, 1.5, 500, 5], ["B", 10, "kg"]]
    data, _ = planner.read(workbook(tmp_path / "ok.xlsx", Offers=offers, Routes=routes, Items=items))
    assert data.items["A"].initial_stock == 155.0
    items[0][4] = 154
    with pytest.raises(InputError) as raised:
        planner.read(workbook(tmp_path / "short.xlsx", Offers=offers, Routes=routes, Items=items))
    assert [str(p) for p in raised.value.problems] == [
        "Items!A2 (item): 'A' needs 150 by the end of period 'P2' and keep its min_stock of 5, but no offer can "
        "deliver before period 'P3' (the shortest lead time of its offers is 2 periods), and its initial_stock is "
        "154: the demand cannot be met"]


def test_lint_names_an_expansion_that_can_add_nothing(tmp_path: Path) -> None:
    """S2 has no capacity and no Capacity row: its total is unlimited in every period, so E3 adds nothing. E1
    expands S1's total of 500, which is finite; E4 S1's offer of A, which is unlimited in P2 and P3 but 30 in P1
    (its Capacity row), so it may add something. E5, decided in P2 at the soonest, would deliver 2 periods later,
    in a fourth period; E6, from P1, 3 periods later: neither within P1..P3. (E1: P2 + 1 = P3, within.)"""
    expansions = [["E1", "S1", None, 40, 100, 1, "P2"], ["E3", "S2", None, 5], ["E4", "S1", "A", 5],
                  ["E5", "S1", None, 40, 100, 2, "P2"], ["E6", "S1", None, 40, 100, 3]]
    data, warnings = planner.read(workbook(tmp_path / "in.xlsx", Expansions=expansions))
    assert [str(w) for w in warnings if "expansion" in str(w)] == [
        "Expansions!B3 (supplier): expansion 'E3' adds to the total capacity of 'S2', which is unlimited in every "
        "period: it can add nothing",
        "Expansions!F5 (lead_time): expansion 'E5' decided in period 'P2' at the soonest delivers 2 periods later, "
        "after the last period 'P3': it can add nothing",
        "Expansions!F6 (lead_time): expansion 'E6' decided in period 'P1' at the soonest delivers 3 periods later, "
        "after the last period 'P3': it can add nothing"]


# ---- update tables and --set ---------------------------------------------------------------------------------

def changed(tmp_path: Path, tables: dict[str, str] | None = None, overrides: list[str] | None = None,
            allow_new: bool = False) -> planner.PlanningData:
    """The data of SHEETS with update tables (file name -> CSV text) and overrides applied."""
    base = workbook(tmp_path / "base.xlsx")
    files = []
    for name, text in (tables or {}).items():
        (tmp_path / name).write_text(text)
        files.append(tmp_path / name)
    data, _ = planner.load(base, files, list(overrides or []), allow_new)
    return data


def test_update_tables_replace_and_add_rows_by_period(tmp_path: Path) -> None:
    data = changed(tmp_path, {
        "demand.csv": "item,period,demand\nA,P2,70\nA,P3,80\n",  # replaces A in P2, adds A in P3
        "capacity.csv": "supplier,item,period,capacity\nS1,,P2,90\nS1,A,P3,unlimited\nS2,B,P1,4\n",
        "prices.csv": "supplier,item,period,price\nS2,A,P3,14\nS1,A,P1,9.5\n",
    })
    assert data.demands[("A", "P2")].value == 70.0 and data.demands[("A", "P3")] == PeriodValue("P3", 80.0, "A")
    assert [data.demand_in("A", p) for p in data.period_names] == [100.0, 70.0, 80.0]
    assert data.capacities[("S1", None, "P2")].value == 90.0
    assert data.capacities[("S1", "A", "P3")].value == math.inf
    assert data.capacities[("S2", "B", "P1")] == PeriodValue("P1", 4.0, "B", "S2")
    assert data.capacities[("S1", "A", "P1")].value == 30.0  # untouched
    s1a, s2a = data.offers[("A", "S1")], data.offers[("A", "S2")]
    assert [data.price_in(s2a, p) for p in data.period_names] == [12.0, 12.0, 14.0]
    assert [data.price_in(s1a, p) for p in data.period_names] == [9.5, 10.0, 10.0]
    assert ("update capacity.csv", next(d for w, d in data.source.changes if w == "update capacity.csv")) \
        and "Capacity: 1 row(s) changed, 2 added" in dict(data.source.changes)["update capacity.csv"]


def test_update_tables_set_routes_expansions_stock_route_and_policy_period(tmp_path: Path) -> None:
    data = changed(tmp_path, {
        "routes.csv": "route,lead_time,freight\nsea,2,3\nair,0,9\n",
        "items.csv": "item,initial_stock,max_stock,min_stock\nA,30,unlimited,10\n",
        "offers.csv": "item,supplier,route\nA,S2,rail\nA,S1,direct\n",
        "expansions.csv": "expansion,capacity,earliest\nE1,60,P3\n",
        "policy.csv": "policy_row,period\n3,P1\n",
    }, allow_new=True)
    assert data.routes["sea"] == Route("sea", 2, 3.0, 80.0, 2) and data.routes["air"] == Route("air", 0, 9.0)
    a = data.items["A"]
    assert (a.initial_stock, a.max_stock, a.min_stock, a.holding_cost) == (30.0, math.inf, 10.0, 1.5)
    assert data.offers[("A", "S2")].route == "rail" and data.offers[("A", "S1")].route == ""
    assert data.expansions["E1"] == Expansion("E1", "S1", 60.0, None, 100.0, 1, "P3", 2)
    assert [r.period for r in data.rules] == ["P2", "P1"]


@pytest.mark.parametrize("override, field, value", [
    ("Routes!B2=4", "lead_time", 4), ("Routes!2.lead_time=4", "lead_time", 4),
    ("Routes!D2=unlimited", "capacity", math.inf),
])
def test_set_changes_a_route(tmp_path: Path, override: str, field: str, value: object) -> None:
    """Row 2 of Routes is `sea` (lead time 1, capacity 80): B is its lead_time column, D its capacity; a lead time
    of 4 is then beyond the 3 periods, and A holds 20 in stock, so it is a warning, not an error."""
    data = changed(tmp_path, overrides=[override])
    assert getattr(data.routes["sea"], field) == value
    assert type(data.routes["sea"].lead_time) is int
    assert any(w.startswith(f"override {override.partition('=')[0]}") for w, _ in data.source.changes)


def test_set_reaches_demand_capacity_prices_expansions_and_items(tmp_path: Path) -> None:
    data = changed(tmp_path, overrides=["Demand!C2=65", "Capacity!3.capacity=120", "Prices!D2=15",
                                        "Expansions!2.fixed_cost=80", "Items!2.holding_cost=2", "Offers!I2=direct"])
    assert data.demands[("A", "P2")].value == 65.0
    assert data.capacities[("S1", None, "P2")].value == 120.0
    assert data.prices[("A", "S2", "P3")].value == 15.0
    assert data.expansions["E1"].fixed_cost == 80.0
    assert data.items["A"].holding_cost == 2.0 and data.offers[("A", "S1")].route == ""
    assert dict(data.source.changes)["override Demand!C2"] == "demand 65 (was 50)"


def test_set_gives_a_rule_its_period(tmp_path: Path) -> None:
    """Policy row 2 holds in P2 (its period cell, column I), row 3 in every period."""
    data = changed(tmp_path, overrides=["Policy!2.period=P3", "Policy!I3=P1"])
    assert [r.period for r in data.rules] == ["P3", "P1"]
    data = changed(tmp_path, overrides=["Policy!2.period=every"])
    assert [r.period for r in data.rules] == [None, None]
    assert dict(data.source.changes)["override Policy!2.period"] == (
        "period every period (was P2) in Policy!A2 max_share route:sea 0.6 on every item in period P2")


@pytest.mark.parametrize("tables, overrides, messages", [
    ({}, ["Policy!2.period=P9"], ["--set Policy!2.period=P9: 'P9' is not a period of the base workbook (its "
                                  "periods are P1, P2, P3)"]),
    ({}, ["Routes!B2=1.5"], ["--set Routes!B2=1.5 (lead_time): 1.5 is not a whole number of periods"]),
    ({}, ["Routes!9.lead_time=2"], ["--set Routes!9.lead_time=2: Routes row 9 of the base workbook holds no Routes "
                                     "record"]),
    ({}, ["Routes!2.route=x"], ["--set Routes!2.route=x: Routes route cannot be set so; --set Routes!... sets "
                                 "lead_time, freight, capacity"]),
    # the checks of the whole data are made again on the data as changed: A without stock, sea as long as the horizon
    ({}, ["Items!E2=0", "Routes!B2=3"], [
        "Offers!I2 (route): the offer of 'S1' for 'A' travels on route 'sea', whose lead time of 3 periods "
        "(Routes!B2) is not shorter than the 3 periods planned: nothing ordered on it can arrive, and 'A' has no "
        "initial_stock"]),
    ({"d.csv": "item,period,demand\nA,P9,5\nZ,P1,5\n"}, [],
     ["d.csv!B2 (period): 'P9' is not a period of the base workbook (its periods are P1, P2, P3)",
      "d.csv!A3 (item): 'Z' is not listed in Items"]),
    ({"p.csv": "supplier,item,period,price\nS1,B,P1,5\n"}, [],
     ["p.csv!B2 (item): 'S1' has no offer for 'B' in Offers"]),
    ({"i.csv": "item,max_stock\nA,4\n"}, [],
     ["i.csv!B2 (max_stock): initial_stock 20 is above max_stock (4) as this table leaves 'A'",
      "i.csv!B2 (max_stock): min_stock 5 is above max_stock (4) as this table leaves 'A'"]),
    ({"e.csv": "expansion,item\nE1,B\n"}, [],
     ["e.csv!B2 (item): 'S1' has no offer for 'B' in Offers: expansion 'E1' cannot grow it"]),
    ({"e.csv": "expansion,capacity,lead_time\nE1,0,1.5\n"}, [],
     ["e.csv!B2 (capacity): an expansion must add capacity above 0",
      "e.csv!C2 (lead_time): 1.5 is not a whole number of periods"]),
])
def test_bad_changes_are_reported_with_their_cells(tmp_path: Path, tables: dict[str, str], overrides: list[str],
                                                   messages: list[str]) -> None:
    with pytest.raises(InputError) as raised:
        changed(tmp_path, tables, overrides, allow_new=False)
    assert [str(p) for p in raised.value.problems] == messages


# ---- the template ----------------------------------------------------------------------------------------------

def test_the_template_writes_the_new_sheets_and_reads_back_filled(tmp_path: Path) -> None:
    from planner.io.write_input import write_input_workbook
    from planner.schema import SHEET_BY_NAME

    template = tmp_path / "template.xlsx"
    write_input_workbook(template)
    wb = openpyxl.load_workbook(template)
    for name in ("Periods", "Demand", "Capacity", "Prices", "Routes", "Expansions"):
        ws = wb[name]
        assert [c.value for c in ws[1]] == [c.name for c in SHEET_BY_NAME[name].columns]
        assert all(c.comment is not None for c in ws[1])
    assert wb["Routes"]["B1"].comment.text.startswith("whole periods from order to arrival, >= 0 (with Periods). "
                                                      "optional; blank = 0. unit: periods")
    # the stock columns after class (the two-stage columns follow them: tests/test_two_stage_data.py)
    assert [c.value for c in wb["Items"][1]][4:8] == ["initial_stock", "holding_cost", "max_stock", "min_stock"]
    assert [c.value for c in wb["Offers"][1]][-1] == "route"
    lists = {name: {str(dv.sqref): dv.formula1 for dv in wb[name].data_validations.dataValidation}
             for name in ("Demand", "Offers", "Policy", "Scenarios", "Expansions", "Capacity")}
    assert lists["Demand"]["B2:B2000"] == "Periods!$A$2:$A$2000"
    assert lists["Offers"]["I2:I2000"] == "Routes!$A$2:$A$2000"
    assert lists["Offers"]["B2:B2000"] == "Suppliers!$A$2:$A$2000"
    assert lists["Policy"]["I2:I2000"] == "Periods!$A$2:$A$2000"
    assert lists["Scenarios"]["G2:G2000"] == lists["Scenarios"]["H2:H2000"] == "Periods!$A$2:$A$2000"
    assert lists["Expansions"]["B2:B2000"] == "Suppliers!$A$2:$A$2000"
    assert lists["Expansions"]["G2:G2000"] == "Periods!$A$2:$A$2000"
    readme = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert "Several periods" in readme and "Routes (freight, capacity and lead times" in readme
    for name in ("Periods", "Demand", "Capacity", "Prices", "Routes", "Expansions"):
        assert f"{name} " in readme

    # filled in (in the schema's column order) and read back: the same records as SHEETS written by hand
    filled = tmp_path / "filled.xlsx"
    write_input_workbook(filled, {name: rows for name, rows in SHEETS.items()}, as_tables=False)
    data, _ = planner.read(filled)
    check_records(data)


def test_the_offers_route_column_reads_alike_in_bulk_and_cell_by_cell(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Offers routes partly blank, as text with spaces: checked as columns on a workbook of plain values, cell by
    cell on one with a hidden sheet (which only the cell-by-cell reader reports); the same offers either way."""
    from planner import validate
    from planner.io.read import read_workbook
    from planner.problems import ProblemLog

    in_bulk = validate._in_bulk
    accepted: list[str] = []

    def spy(spec, sheet, records, base):  # type: ignore[no-untyped-def]
        found = in_bulk(spec, sheet, records, base)
        if found is not None:
            accepted.append(spec.name)
        return found

    monkeypatch.setattr(validate, "_in_bulk", spy)

    offers = [["A", "S1", 10, None, None, 1, None, None, " sea "], ["A", "S2", 12, None, None, None, None, None, None],
              ["B", "S2", 4, None, None, None, None, None, "rail"]]
    plain = workbook(tmp_path / "plain.xlsx", Offers=offers)
    hidden = tmp_path / "hidden.xlsx"
    wb = openpyxl.load_workbook(plain)
    wb["Settings" if "Settings" in wb.sheetnames else "Scenarios"].sheet_state = "hidden"
    wb.save(hidden)
    assert read_workbook(plain, ProblemLog()).sheets["Offers"].values is not None  # read as columns
    assert read_workbook(hidden, ProblemLog()).sheets["Offers"].values is None  # read cell by cell
    bulk, _ = planner.read(plain)
    assert accepted == ["Offers"]  # the route column kept the Offers sheet on the bulk path
    cells, _ = planner.read(hidden)
    assert bulk.offers == cells.offers
    assert [o.route for o in bulk.offers.values()] == ["sea", "", "rail"]
