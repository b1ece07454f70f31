"""Volume-discount tiers: all-units and incremental prices at, below and above each break, in another currency and
under tariffs by item, and the price as quoted in the Plan sheet. Each optimum is worked out in its docstring;
every plan passes the independent checker (`helpers.solve_file`), whose cost is compared with the solver's."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from helpers import countries, qty, solve_file, write_workbook
from planner.cli import main
from planner.model import build

HEADERS = {
    "Items": ["item", "demand", "unit", "class"],
    "Offers": ["item", "supplier", "price", "capacity", "min_order", "freight", "discount", "currency"],
    "Tiers": ["item", "supplier", "from_quantity", "price"],
    "Currencies": ["currency", "rate"],
    "Tariffs": ["country", "item", "tariff"],
}

# S1 (C1) quotes A at 10 below 100 t, 9 from 100 t, 8 from 200 t.
BREAKS = [["A", "S1", 100, 9], ["A", "S1", 200, 8]]


def book(tmp_path: Path, demand: float, discount: str, offers: list[list] | None = None,
         tiers: list[list] | None = None, **sheets: list[list]) -> Path:
    return write_workbook(tmp_path / "tiers.xlsx", {
        "Items": [["A", demand, "t", None]],
        "Suppliers": [["S1", "C1"], ["S2", "C2"]],
        "Countries": countries("C1", "C2"),
        "Offers": offers if offers is not None else [["A", "S1", 10, None, None, None, discount, None]],
        "Tiers": tiers if tiers is not None else BREAKS,
        **sheets,
    }, headers=HEADERS)


@pytest.mark.parametrize("demand, cost", [(99, 990), (100, 900), (101, 909), (199, 1791), (200, 1600), (201, 1608)])
def test_all_units_at_below_and_above_each_break(tmp_path: Path, demand: float, cost: float) -> None:
    """One offer, so the plan buys all of A from S1 and its cost is the all-units price of the demand: every unit
    at the price of the highest break reached, the break's own price at the break.
        99 * 10 = 990;  100 * 9 = 900;  101 * 9 = 909;  199 * 9 = 1791;  200 * 8 = 1600;  201 * 8 = 1608.
    At 99 t no break is in reach (the demand is the most the offer can deliver): no band, an LP."""
    data, plan = solve_file(book(tmp_path, demand, "all_units"))
    assert plan.status == "optimal" and data.is_mip == (demand >= 100)
    assert qty(plan, "A", "S1") == pytest.approx(demand)
    assert plan.total_cost == pytest.approx(cost)


@pytest.mark.parametrize("demand, cost", [(99, 990), (100, 1000), (101, 1009), (199, 1891), (200, 1900),
                                          (201, 1908)])
def test_incremental_at_below_and_above_each_break(tmp_path: Path, demand: float, cost: float) -> None:
    """The same offer with incremental tiers: units 0-100 at 10, 100-200 at 9, from 200 at 8.
        99 * 10 = 990;  100 * 10 = 1000;  1000 + 1 * 9 = 1009;  1000 + 99 * 9 = 1891;  1000 + 900 = 1900;
        1900 + 1 * 8 = 1908."""
    _, plan = solve_file(book(tmp_path, demand, "incremental"))
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(cost)


@pytest.mark.parametrize("demand, cost, from_s1", [(99, 940.5, 0), (100, 900, 100), (101, 909, 101)])
def test_all_units_break_decides_the_supplier(tmp_path: Path, demand: float, cost: float, from_s1: float) -> None:
    """S2 sells A at 9.5 without tiers. At 99 t, S1 cannot reach its break (buying more than demand is not
    allowed) and every unit below it costs 10 > 9.5: all from S2, 99 * 9.5 = 940.5. At 100 t, all from S1 at 9:
    900 (< 950). At 101 t, all from S1 at 9: 909 (100 from S1 + 1 from S2 would be 900 + 9.5 = 909.5)."""
    offers = [["A", "S1", 10, None, None, None, "all_units", None], ["A", "S2", 9.5, None, None, None, None, None]]
    _, plan = solve_file(book(tmp_path, demand, "all_units", offers))
    assert plan.total_cost == pytest.approx(cost)
    assert qty(plan, "A", "S1") == pytest.approx(from_s1)


@pytest.mark.parametrize("demand, cost, from_s1", [(199, 1891, 199), (200, 1900, 200), (201, 1908, 201),
                                                   (100, 960, 0)])
def test_incremental_mix_with_a_flat_offer(tmp_path: Path, demand: float, cost: float, from_s1: float) -> None:
    """S2 sells A at 9.6. Buying x from S1 (x >= 100) and the rest from S2 costs 1000 + 9 (x - 100) + 9.6 (d - x)
    = 100 + 9.6 d - 0.6 x up to 200, and 300 + 8 x + 9.6 (d - x) beyond: both fall with x, so S1 takes all
    (1891, 1900, 1908) once its mean price is below 9.6. Below its first break S1 costs 10 > 9.6: at 100 t,
    x = 100 gives 1000 against 960 from S2 alone (x < 100 costs 960 + 0.4 x)."""
    offers = [["A", "S1", 10, None, None, None, "incremental", None], ["A", "S2", 9.6, None, None, None, None, None]]
    _, plan = solve_file(book(tmp_path, demand, "incremental", offers))
    assert plan.total_cost == pytest.approx(cost)
    assert qty(plan, "A", "S1") == pytest.approx(from_s1)


def test_a_price_that_rises_at_a_break_is_never_taken_below_it(tmp_path: Path) -> None:
    """S1 charges 10 below 100 t and 12 from 100 t on (a surcharge, all units); S2 sells at 11. Demand 150.
    The contract prices 100 t from S1 at 12: 1200 + 50 * 11 = 1750. Below the break S1 is cheapest, so the
    best plan buys as close to 100 t as the model lets an all-units band below a break go, 100 - 1e-5 * 100
    = 99.999 t: 99.999 * 10 + 50.001 * 11 = 999.99 + 550.011 = 1550.001. Closed bands would have priced
    100 t at 10 (1550), a plan the contract prices at 1750: the checker (and Total-cost) would refuse it."""
    offers = [["A", "S1", 10, None, None, None, "all_units", None], ["A", "S2", 11, None, None, None, None, None]]
    _, plan = solve_file(book(tmp_path, 150, "all_units", offers, tiers=[["A", "S1", 100, 12]]))
    assert plan.status == "optimal"
    assert qty(plan, "A", "S1") == pytest.approx(99.999, abs=1e-9)
    assert plan.total_cost == pytest.approx(1550.001, abs=1e-6)


def test_a_break_beyond_what_the_offer_can_deliver_makes_no_band(tmp_path: Path) -> None:
    """S1's capacity is 150: its break at 200 can never be reached, so the offer has bands 0 and 1 only (one
    binary); a capacity of 90 leaves no break in reach: no bands, no binary, an LP (the plan is 90 * 10 + 60 * 11
    from S2 = 1560)."""
    def model(capacity: float):
        offers = [["A", "S1", 10, capacity, None, None, "all_units", None],
                  ["A", "S2", 11, None, None, None, None, None]]
        data, plan = solve_file(book(tmp_path, 150, "all_units", offers))
        return data, plan, build(data)

    _, plan, m = model(150)
    assert plan.total_cost == pytest.approx(150 * 9)
    assert [m.column_label(j) for j in m.column_block("tier_on")[1]] == [("tier_on", ("A", "S1", 1))]
    assert [m.column_label(j)[1][2] for j in m.column_block("tier_buy")[1]] == [0, 1]
    data, plan, m = model(90)
    assert not data.is_mip and not m.is_mip and len(m.column_block("tier_buy")[1]) == 0
    assert plan.total_cost == pytest.approx(90 * 10 + 60 * 11)


def test_tier_prices_in_another_currency_under_tariffs_by_item(tmp_path: Path) -> None:
    """S1 (CN, country tariff 30 %) quotes in USD (rate 0.9 EUR per USD): 10 below 100 t, 8 from 100 t, freight
    1 per t, all-units. Tariffs: CN on every item 5 %, on class metal 10 %, on A 20 % (item over class over
    blank; the country's 30 % is never used). A (metal) 100 t: 0.9 * (8 * 1.2 + 1) = 9.54 per t, 954.
    B (metal) 100 t: 0.9 * (8 * 1.1 + 1) = 8.82 per t, 882. C (no class) 50 t, below the break:
    0.9 * (10 * 1.05 + 1) = 10.35 per t, 517.5. Total 2353.5 EUR. The Plan sheet shows each price as quoted
    (8, 8, 10 USD) beside the landed unit cost and cost in EUR."""
    path = write_workbook(tmp_path / "fx.xlsx", {
        "Items": [["A", 100, "t", "metal"], ["B", 100, "t", "metal"], ["C", 50, "t", None]],
        "Suppliers": [["S1", "CN"]],
        "Countries": countries("CN", tariffs={"CN": 0.3}),
        "Offers": [[i, "S1", 10, None, None, 1, None, "USD"] for i in "ABC"],
        "Tiers": [[i, "S1", 100, 8] for i in "ABC"],
        "Currencies": [["USD", 0.9]],
        "Tariffs": [["CN", None, 0.05], ["CN", "class:metal", 0.1], ["CN", "A", 0.2]],
    }, headers=HEADERS)
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(2353.5)
    lines = plan.lines.set_index("item")
    assert lines["unit_cost"].tolist() == pytest.approx([9.54, 8.82, 10.35])
    assert lines["cost"].tolist() == pytest.approx([954, 882, 517.5])
    assert lines["quoted_price"].tolist() == pytest.approx([8, 8, 10])
    assert lines["currency"].tolist() == ["USD"] * 3
    assert lines["price"].tolist() == pytest.approx([10, 10, 10])  # the Offers price, as in version 1
    assert lines["tariff"].tolist() == pytest.approx([0.2, 0.1, 0.05])

    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(path), "-o", str(out), "--no-rule-costs"]) == 0
    ws = openpyxl.load_workbook(out)["Plan"]
    head = [c.value for c in ws[1]]
    # the price as quoted and its currency beside the landed unit cost and cost in the base currency
    assert head == ["item", "supplier", "country", "quantity", "unit", "share_of_demand", "price", "tariff",
                    "freight", "quoted_price", "currency", "unit_cost", "cost", "country_name", "blocs"]
    rows = [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert [(r["item"], r["quoted_price"], r["currency"], r["unit_cost"]) for r in rows] == [
        ("A", 8, "USD", pytest.approx(9.54)), ("B", 8, "USD", pytest.approx(8.82)),
        ("C", 10, "USD", pytest.approx(10.35))]
    comments = {c.value: c.comment.text for c in ws[1]}
    assert "offer's currency" in comments["quoted_price"] and "base currency" in comments["unit_cost"]


def test_incremental_plan_shows_the_mean_quoted_price(tmp_path: Path) -> None:
    """Incremental, 250 t from S1: 100 * 10 + 100 * 9 + 50 * 8 = 2300, a mean quoted price of 2300 / 250 = 9.2;
    the offer is in the base currency (EUR) without tariff or freight, so the landed unit cost is 9.2 too."""
    _, plan = solve_file(book(tmp_path, 250, "incremental"))
    (line,) = plan.lines.to_dict(orient="records")
    assert plan.total_cost == pytest.approx(2300)
    assert line["quoted_price"] == pytest.approx(9.2) and line["unit_cost"] == pytest.approx(9.2)
    assert line["currency"] == "EUR"


def test_tiers_with_a_minimum_order_and_fixed_cost(tmp_path: Path) -> None:
    """S1's all-units tiers with a minimum order of 120 t and a fixed cost of 50; S2 at 9.5. Demand 150:
    S1 150 at 9 + 50 = 1400 against S2 alone 1425 (S1 below 120 t is not allowed): S1 takes all, 1400."""
    path = write_workbook(tmp_path / "mix.xlsx", {
        "Items": [["A", 150, "t", None]],
        "Suppliers": [["S1", "C1", None, 50], ["S2", "C2"]],
        "Countries": countries("C1", "C2"),
        "Offers": [["A", "S1", 10, None, 120, None, "all_units", None], ["A", "S2", 9.5, None, None, None, None, None]],
        "Tiers": BREAKS,
    }, headers=HEADERS)
    _, plan = solve_file(path)
    assert plan.total_cost == pytest.approx(1400)
    assert qty(plan, "A", "S1") == pytest.approx(150)


def test_a_first_break_within_the_gap_of_zero_leaves_no_band_below_it() -> None:
    """S1's first break is at 1e-6 t, within its gap (1e-5) of 0: no band 0, so S1 sells in band 1 (at 12) or not
    at all (`Tier-one` is then tier_on <= 1, and a tier_on at 0 closes the purchase). S2 sells at 11: demand 10
    costs 110 from S2; at 10.5 from S2 it would be 105 vs S1's 120: S2 still. With S2 at 13, S1 takes all: 120."""
    import planner
    from planner.check import check_plan
    from planner.data import Country, Item, Offer, PlanningData, Supplier, Tier

    def solve(s2_price: float) -> planner.Plan:
        data = PlanningData(
            items={"A": Item("A", 10)}, suppliers={"S1": Supplier("S1", "C1"), "S2": Supplier("S2", "C1")},
            countries={"C1": Country("C1")},
            offers={("A", "S1"): Offer("A", "S1", price=10), ("A", "S2"): Offer("A", "S2", price=s2_price)},
            tiers={("A", "S1"): (Tier("A", "S1", 1e-6, 12),)})
        model = build(data)
        assert [model.column_label(j)[1] for j in model.column_block("tier_buy")[1]] == [("A", "S1", 1)]
        plan = planner.solve(data)
        assert check_plan(data, plan.quantities, plan.total_cost) == []
        return plan

    cheap = solve(11)
    assert cheap.total_cost == pytest.approx(110) and set(cheap.quantities) == {("A", "S2")}
    dear = solve(13)
    assert dear.total_cost == pytest.approx(120) and set(dear.quantities) == {("A", "S1")}
