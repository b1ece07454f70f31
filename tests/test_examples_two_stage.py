"""The bundled two-stage example (inputs/controls.xlsx): built from its CSVs, its Scenarios sheet what `planner
scenarios` generates, and every figure README.md states, by hand (the arithmetic in the docstrings) and by the
independent formulation of tests/two_stage_reference.py.

The example: five items, China (CN) the cheapest source of each, partners dearer and capped; at most 65 % of an
item from one country (Policy row 2); min_coverage 0.5 switched off (row 3). Four scenarios, each China's
deliveries of some items stopping (availability 0), probability 0.1 each; the baseline 0.6. Settings
risk_weight w = 0.2, cvar_alpha 0.9: since every scenario has probability 0.1 = 1 - alpha, CVaR is the cost of
the costliest scenario, and the objective 0.8 E + 0.2 CVaR weighs a scenario 0.08, the costliest 0.28.

Landed unit costs (price + freight, no duty), EUR:
    dysprosium_oxide  CN 241, AU 291 (cap 600), EE 300 (cap 400); no spot, short 2,000 per kg
    gallium           CN 465, JP 603 (400), CA 612 (300), SK 635 (300); spot 950 up to 800 kg, short 3,000
    germanium         CN 1,943, CA 2,252 (500), BE 2,300 (400); spot 3,000, no limit
    graphite          CN 890, MZ 945 (150), MG 965 (100), BR 985 (100), CA 1,170 (200); spot 1,300
    antimony          CN 19,450, TJ 20,200 (60), BO 22,180 (30), AU 26,160 (30); spot 45,000 up to 60 t, short 80,000
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import json
import re
from pathlib import Path

import openpyxl
import pytest

import planner
import two_stage_reference as ref
from planner.data import PlanningData

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "inputs" / "controls"
WORKBOOK = ROOT / "inputs" / "controls.xlsx"
README = ROOT / "README.md"

GA_GE, GRAPHITE, ANTIMONY, RARE_EARTHS = ("control cn-gallium-germanium-2023", "control cn-graphite-2023",
                                          "control cn-antimony-2024", "control cn-rare-earths-7-2025")
BASELINE = "baseline"
LANDED = {
    ("dysprosium_oxide", "CN-RareEarth"): 241, ("dysprosium_oxide", "AU-RareEarth"): 291,
    ("dysprosium_oxide", "EE-RareEarth"): 300,
    ("gallium", "CN-Metals"): 465, ("gallium", "JP-Metals"): 603, ("gallium", "CA-Metals"): 612,
    ("gallium", "SK-Gallium"): 635,
    ("germanium", "CN-Metals"): 1943, ("germanium", "CA-Metals"): 2252, ("germanium", "BE-Germanium"): 2300,
    ("graphite", "CN-Graphite"): 890, ("graphite", "MZ-Graphite"): 945, ("graphite", "MG-Graphite"): 965,
    ("graphite", "BR-Graphite"): 985, ("graphite", "CA-Graphite"): 1170,
    ("antimony", "CN-Metals"): 19450, ("antimony", "TJ-Antimony"): 20200, ("antimony", "BO-Antimony"): 22180,
    ("antimony", "AU-Metals"): 26160,
}

# the two-stage plan (README, "The contracts" and "The figures")
CONTRACTS = {
    ("dysprosium_oxide", "CN-RareEarth"): 1000, ("dysprosium_oxide", "AU-RareEarth"): 600,
    ("dysprosium_oxide", "EE-RareEarth"): 400,
    ("gallium", "CN-Metals"): 800, ("gallium", "JP-Metals"): 400, ("gallium", "CA-Metals"): 300,
    ("germanium", "CN-Metals"): 650, ("germanium", "CA-Metals"): 350,
    ("graphite", "CN-Graphite"): 390, ("graphite", "MZ-Graphite"): 150, ("graphite", "MG-Graphite"): 60,
    ("antimony", "CN-Metals"): 60, ("antimony", "TJ-Antimony"): 60,
}
SCENARIO_COSTS = {GA_GE: 7_384_350, GRAPHITE: 6_469_200, ANTIMONY: 7_842_300, RARE_EARTHS: 8_068_300,
                  BASELINE: 6_309_300}
OBJECTIVE, EXPECTED, CVAR = 7_023_256, 6_761_995, 8_068_300
EVPI, VSS = 193_423, 487_982
WAIT_AND_SEE, EEV = 6_829_833, 7_511_238
FORESIGHT = {GA_GE: 6_866_450, GRAPHITE: 6_341_375, ANTIMONY: 6_549_075, RARE_EARTHS: 8_029_075,
             BASELINE: 6_252_375}
CHEAPEST, DETERMINISTIC = 6_252_375, 6_371_900
# the risk frontier: the contracts above up to w = 18,637.5 / 44,362.5; past it, gallium's cover is dropped
SWITCH = 18_637.5 / (18_637.5 + 25_725)
DROPPED_EXPECTED, DROPPED_CVAR = 6_780_632.5, 8_042_575


def read(path: Path = WORKBOOK, overrides: tuple[str, ...] = ()) -> PlanningData:
    data, warnings = planner.load(path, overrides=overrides)
    off = "Policy!3=on" not in overrides  # the coverage row is off unless switched on
    assert [w.message for w in warnings] == \
        ["Policy row 3 (min_coverage 0.5 on every item) is switched off: not applied"] * off
    return data


def undated(data: PlanningData) -> PlanningData:
    """The data with the Scenarios rows' dates dropped, for the reference, which refuses dated rows: each row is
    in force on the plan date (asserted), so dropping its dates changes nothing."""
    day = data.settings.plan_date
    assert all((h.start is None or h.start <= day) and (h.end is None or day <= h.end) for h in data.scenario_hits)
    return dataclasses.replace(data, scenario_hits=tuple(dataclasses.replace(h, start=None, end=None)
                                                         for h in data.scenario_hits))


def contracts_of(plan: planner.Plan) -> dict[tuple[str, str], float]:
    return {(r.item, r.supplier): float(r.contract) for r in plan.contracts.itertuples() if r.contract > 1e-9}


def outside_china(quantities: dict[tuple[str, str], float], data: PlanningData) -> dict[str, float]:
    """Each item's share of demand bought (or contracted) outside China."""
    return {item: sum(q for (i, s), q in quantities.items() if i == item and data.suppliers[s].country != "CN")
            / record.demand for item, record in data.items.items()}


@pytest.fixture(scope="module")
def data() -> PlanningData:
    return read()


@pytest.fixture(scope="module")
def plan(data: PlanningData) -> planner.Plan:
    found = planner.solve(data, rule_costs=False)
    assert found.status == "optimal", found.message
    return found


@pytest.fixture(scope="module")
def reference(data: PlanningData) -> ref.Result:
    return ref.solve(undated(data))


# ------------------------------------------------------------------------------------------------ the workbook

def test_committed_workbook_matches_its_csv_sources(tmp_path: Path) -> None:
    """inputs/controls.xlsx is what build_example.py makes of inputs/controls/*.csv, byte for byte; it reads with
    the one warning of the switched-off coverage row, in the two-stage mode, with the settings the README gives,
    and every landed cost is the table of the module docstring."""
    spec = importlib.util.spec_from_file_location("build_example", ROOT / "inputs" / "build_example.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert "controls" in module.EXAMPLES
    rebuilt = tmp_path / "controls.xlsx"
    module.build(rebuilt, FOLDER)
    assert rebuilt.read_bytes() == WORKBOOK.read_bytes()
    data = read()
    settings = data.settings
    assert (settings.mode, settings.risk_weight, settings.cvar_alpha, settings.plan_date) == \
        ("two_stage", 0.2, 0.9, dt.date(2026, 12, 1))
    landed = {key: o.price * (1 + data.countries[data.suppliers[o.supplier].country].tariff) + o.freight
              for key, o in data.offers.items()}
    assert landed == LANDED
    assert data.probabilities == pytest.approx({GA_GE: 0.1, GRAPHITE: 0.1, ANTIMONY: 0.1, RARE_EARTHS: 0.1,
                                                BASELINE: 0.6})


def test_the_scenarios_sheet_is_what_planner_scenarios_generates() -> None:
    """sources.csv says the Scenarios sheet was generated (`planner scenarios --kinds controls --buyer DE`, the
    default rate 0.1, on the plan date) and kept: generating again from the workbook without it gives the same
    rows, and the same four controls left out, each for the reason sources.csv gives."""
    from planner import scenarios

    data = read()
    made = scenarios.generate(dataclasses.replace(data, scenario_hits=()), kinds=("controls",), buyer="DE")
    assert [(r.scenario, r.item, r.group, r.availability, r.start, r.end, r.probability) for r in made.rows] == \
        [(h.scenario, h.item or "", str(h.group), h.availability, h.start, h.end, h.probability)
         for h in data.scenario_hits]
    assert [why.split(":")[0] for why in made.left_out] == [
        "control red-sea-2023", "control ru-metals-2024", "control cn-us-ban-2026", "control cn-rare-earths-oct-2026"]
    notes = (FOLDER / "sources.csv").read_text(encoding="utf-8")
    assert "--kinds controls --buyer DE" in notes and "--rate-control 0.1" in notes


# ------------------------------------------------------------------------------------------- the two-stage plan

def test_the_two_stage_plan_by_hand_and_by_the_reference(data: PlanningData, plan: planner.Plan,
                                                         reference: ref.Result) -> None:
    """Objective 7,023,256 = 0.8 x 6,761,995 + 0.2 x 8,068,300.

    Why these contracts: a unit contracted from a partner instead of China pays the premium c_A - c_CN in every
    scenario but its item's halt and saves P - c_A there (P the spot price, or the shortage cost once the spot
    market is used up): it pays when c_A - c_CN < q (P - c_CN), q the halt's weight, 0.08 (0.28 for the worst).
    Dysprosium: 50 and 59 < 0.28 x 1,759 = 492.52 (< 0.08 x 1,759 too): both partners at capacity, 1,000 kg.
    Gallium: beyond 800 kg missing the margin is a shortage, 0.08 x 2,535 = 202.80 > JP 138, CA 147: JP 400 and
    CA 300 bring the halt's gap down to 800, which the spot market covers; there 0.08 x 485 = 38.80 < 138: no
    more. Antimony: TJ 750 < 0.08 x 25,550 = 2,044 (60 t, its capacity, the spot market covers the other 60);
    BO 2,730 > 2,044. Germanium 309 > 0.08 x 1,057 = 84.56, graphite (MG) 75 > 0.08 x 410 = 32.80: no cover
    beyond the 35 % the 65 % cap forces, from the cheapest partners (CA 350; MZ 150, MG 60).

    The scenarios' costs: with nothing disrupted (the baseline) 535,600 (dysprosium: 241,000 + 174,600 +
    120,000) + 796,800 (gallium: 372,000 + 241,200 + 183,600) + 2,051,150 (germanium: 1,262,950 + 788,200) +
    546,750 (graphite: 347,100 + 141,750 + 57,900) + 2,379,000 (antimony: 1,167,000 + 1,212,000) = 6,309,300.
    A halt removes China's delivered cost and adds the recourse:
      Ga-Ge: - 372,000 + 800 x 950 - 1,262,950 + 650 x 3,000 = + 1,075,050 -> 7,384,350
      graphite: - 347,100 + 390 x 1,300 = + 159,900 -> 6,469,200
      antimony: - 1,167,000 + 60 x 45,000 = + 1,533,000 -> 7,842,300
      rare earths: - 241,000 + 1,000 x 2,000 (short) = + 1,759,000 -> 8,068,300, the worst: CVaR
    E = 0.6 x 6,309,300 + 0.1 x (7,384,350 + 6,469,200 + 7,842,300 + 8,068,300) = 3,785,580 + 2,976,415
      = 6,761,995.
    """
    hand_baseline = sum(q * LANDED[key] for key, q in CONTRACTS.items())
    assert hand_baseline == SCENARIO_COSTS[BASELINE]
    assert 0.6 * SCENARIO_COSTS[BASELINE] + 0.1 * sum(
        c for s, c in SCENARIO_COSTS.items() if s != BASELINE) == pytest.approx(EXPECTED, abs=1e-6)
    assert 0.8 * EXPECTED + 0.2 * CVAR == pytest.approx(OBJECTIVE, abs=1e-6)

    assert reference.status == "optimal"
    assert reference.solver_objective == pytest.approx(OBJECTIVE, rel=1e-9)
    assert (reference.objective, reference.expected_cost, reference.cvar) == \
        pytest.approx((OBJECTIVE, EXPECTED, CVAR), abs=1e-6)
    assert {k: v for k, v in reference.contracts.items() if v > 1e-9} == pytest.approx(CONTRACTS, abs=1e-6)
    assert reference.scenario_costs == pytest.approx(SCENARIO_COSTS, abs=1e-6)

    risk = plan.risk
    assert plan.total_cost == pytest.approx(OBJECTIVE, abs=0.01)
    assert (risk["objective"], risk["expected_cost"], risk["cvar"]) == pytest.approx((OBJECTIVE, EXPECTED, CVAR),
                                                                                   abs=0.01)
    assert risk["worst_scenario"] == RARE_EARTHS and risk["worst_cost"] == pytest.approx(CVAR, abs=0.01)
    assert contracts_of(plan) == pytest.approx(CONTRACTS, abs=1e-6)
    assert {r.scenario: r.cost for r in plan.scenario_costs.itertuples()} == pytest.approx(SCENARIO_COSTS, abs=0.01)
    recourse = {(r.scenario, r.item, kind): v for r in plan.recourse.itertuples()
                for kind, v in (("spot", r.spot), ("short", r.short)) if v}
    assert recourse == pytest.approx({(GA_GE, "gallium", "spot"): 800, (GA_GE, "germanium", "spot"): 650,
                                      (GRAPHITE, "graphite", "spot"): 390, (ANTIMONY, "antimony", "spot"): 60,
                                      (RARE_EARTHS, "dysprosium_oxide", "short"): 1000}, abs=1e-6)
    assert ref.violations(undated(data), contracts_of(plan)) == []
    assert ref.evaluate(undated(data), contracts_of(plan))[0] == pytest.approx(OBJECTIVE, abs=0.01)


def test_evpi_and_vss_by_hand_and_by_the_reference(data: PlanningData, plan: planner.Plan,
                                                   reference: ref.Result) -> None:
    """EVPI = 7,023,256 - 6,829,833 = 193,423; VSS = 7,511,238 - 7,023,256 = 487,982.

    Perfect foresight, each scenario planned alone (the 65 % cap holds on contracts all the same):
      baseline: China to its cap, the rest from the cheapest partners: 6,252,375 (the cheapest plan, below)
      Ga-Ge halt: gallium JP 400, CA 300, SK 300 and 500 spot (1,090,300 instead of 771,075), germanium CA 500,
        BE 400 and 100 spot (2,346,000 instead of 2,051,150): 6,866,450
      graphite halt: every partner (550 t, CA's 1,170 below spot) and 50 t spot: 635,750 instead of 546,750:
        6,341,375
      antimony halt: TJ 60, BO 30, AU 30: 2,662,200 instead of 2,365,500: 6,549,075
      rare-earth halt: AU 600, EE 400, 1,000 kg short: 2,294,600 instead of 517,900: 8,029,075
    E* = 0.6 x 6,252,375 + 0.1 x (6,866,450 + 6,341,375 + 6,549,075 + 8,029,075) = 6,530,022.5; the same measure
    0.8 x 6,530,022.5 + 0.2 x 8,029,075 = 6,829,833.

    The mean scenario: China delivers 0.9 of every item (each is hit by one halt of probability 0.1). A unit
    delivered costs the contract's price, so China is contracted to its cap, 0.65 d (delivering 0.585 d), and
    partners, cheapest first, the other 0.415 d: dysprosium AU 600, EE 230; gallium JP 400, CA 222.5; germanium
    CA 415; graphite MZ 150, MG 99; antimony TJ 49.8. Fixed in every scenario: the baseline delivers 1.065 d of
    each (paid, 6.5 % wasted): 6,692,620; Ga-Ge halt 7,723,795 (gallium 800 spot, 77.5 short; germanium 585
    spot); graphite 6,801,820; antimony 8,691,520 (60 spot, 10.2 short); rare earths 8,719,320 (1,170 kg short).
    E = 0.6 x 6,692,620 + 0.1 x 31,936,455 = 7,209,217.5; 0.8 E + 0.2 x 8,719,320 = 7,511,238.
    """
    assert 0.6 * FORESIGHT[BASELINE] + 0.1 * sum(c for s, c in FORESIGHT.items() if s != BASELINE) == 6_530_022.5
    assert 0.8 * 6_530_022.5 + 0.2 * FORESIGHT[RARE_EARTHS] == pytest.approx(WAIT_AND_SEE, abs=1e-6)
    assert reference.perfect_foresight == pytest.approx(FORESIGHT, abs=1e-6)
    assert reference.evpi == pytest.approx(EVPI, abs=1e-6)
    assert reference.mean_value_objective == pytest.approx(EEV, abs=1e-6)
    assert reference.vss == pytest.approx(VSS, abs=1e-6)

    mean_contracts = {
        ("dysprosium_oxide", "CN-RareEarth"): 1300, ("dysprosium_oxide", "AU-RareEarth"): 600,
        ("dysprosium_oxide", "EE-RareEarth"): 230,
        ("gallium", "CN-Metals"): 975, ("gallium", "JP-Metals"): 400, ("gallium", "CA-Metals"): 222.5,
        ("germanium", "CN-Metals"): 650, ("germanium", "CA-Metals"): 415,
        ("graphite", "CN-Graphite"): 390, ("graphite", "MZ-Graphite"): 150, ("graphite", "MG-Graphite"): 99,
        ("antimony", "CN-Metals"): 78, ("antimony", "TJ-Antimony"): 49.8}
    fixed = undated(data)
    offers = ref.usable_offers(fixed)
    probs = ref.probabilities(fixed)
    mean = {o.key: sum(p * ref.availability(fixed, s, offers)[o.key] for s, p in probs.items()) for o in offers}
    status, _, planned, _ = ref.extensive_form(fixed, {"mean": (1.0, mean)})
    assert status == "optimal" and {k: v for k, v in planned.items() if v > 1e-9} == \
        pytest.approx(mean_contracts, abs=1e-6)
    objective, costs = ref.evaluate(fixed, mean_contracts)
    assert objective == pytest.approx(EEV, abs=1e-6)
    assert costs == pytest.approx({BASELINE: 6_692_620, GA_GE: 7_723_795, GRAPHITE: 6_801_820,
                                   ANTIMONY: 8_691_520, RARE_EARTHS: 8_719_320}, abs=1e-6)

    assert plan.risk["evpi"] == pytest.approx(EVPI, abs=0.01) and plan.risk["vss"] == pytest.approx(VSS, abs=0.01)
    assert plan.risk["wait_and_see"] == pytest.approx(WAIT_AND_SEE, abs=0.01)
    assert plan.risk["eev"] == pytest.approx(EEV, abs=0.01)


def test_the_two_stage_plan_diversifies_between_the_cheapest_and_the_deterministic_plan(
        data: PlanningData, plan: planner.Plan) -> None:
    """The cheapest plan (`--set mode=deterministic`, the coverage row off) buys China to its 65 % cap on every
    item: dysprosium CN 1,300 x 241 + AU 600 x 291 + EE 100 x 300 = 517,900; gallium CN 975, JP 400, CA 125:
    771,075; germanium CN 650, CA 350: 2,051,150; graphite as the two-stage plan, 546,750; antimony CN 78,
    TJ 42: 2,365,500; 6,252,375. With the coverage row on (`--set Policy!3=on`) every item gets 50 % outside
    China: dysprosium and antimony as the two-stage plan (535,600; 2,379,000), gallium CN 750, JP 400, CA 300,
    SK 50: 805,300; germanium CN 500, CA 500: 2,097,500; graphite CN 300, MZ 150, MG 100, BR 50: 554,500;
    6,371,900. The two-stage plan lies between, item by item."""
    cheapest = planner.solve(read(overrides=("mode=deterministic",)), rule_costs=False)
    covered = planner.solve(read(overrides=("mode=deterministic", "Policy!3=on")), rule_costs=False)
    assert cheapest.status == covered.status == "optimal"
    assert cheapest.total_cost == pytest.approx(CHEAPEST, abs=0.01)
    assert covered.total_cost == pytest.approx(DETERMINISTIC, abs=0.01)
    low, high = outside_china(cheapest.quantities, data), outside_china(covered.quantities, data)
    two = outside_china(contracts_of(plan), data)
    assert low == pytest.approx(dict.fromkeys(data.items, 0.35))
    assert high == pytest.approx(dict.fromkeys(data.items, 0.5))
    assert two == pytest.approx({"dysprosium_oxide": 0.5, "gallium": 700 / 1500, "germanium": 0.35,
                                 "graphite": 0.35, "antimony": 0.5})
    assert all(low[i] - 1e-9 <= two[i] <= high[i] + 1e-9 for i in data.items)
    assert sum(two.values()) > sum(low.values()) + 0.1 and sum(two.values()) < sum(high.values()) - 0.1
    # the deterministic plan's scenarios: at least half of every item survives each halt
    assert covered.scenarios["share_of_demand"].min() == pytest.approx(0.5)


def test_the_risk_frontier_drops_gallium_cover_past_w_0_42(data: PlanningData) -> None:
    """Gallium's 175 kg of cover above the 35 % floor (CA 300 instead of 125) costs 175 x (612 - 465) = 25,725
    in every scenario but the gallium halt, the worst included; dropped, the gallium halt goes 175 kg more
    short: + 175 x (3,000 - 612) = 417,900 there. So the expected cost rises by 0.1 x 417,900 - 0.9 x 25,725 =
    18,637.5 and the CVaR falls by 25,725 (the rare-earth halt stays the worst): the objective changes by
    (1 - w) 18,637.5 - w 25,725 < 0 for w > 18,637.5 / 44,362.5 = 0.4201."""
    table = planner.pipeline.risk_frontier(data, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert list(table["status"]) == ["optimal"] * 6
    assert list(table["expected_cost"]) == pytest.approx([EXPECTED] * 5 + [DROPPED_EXPECTED], abs=0.01)
    assert list(table["cvar"]) == pytest.approx([CVAR] * 5 + [DROPPED_CVAR], abs=0.01)
    assert DROPPED_EXPECTED - EXPECTED == 18_637.5 and CVAR - DROPPED_CVAR == 25_725
    for w, expected in ((SWITCH - 0.001, EXPECTED), (SWITCH + 0.001, DROPPED_EXPECTED)):
        at = dataclasses.replace(data, settings=dataclasses.replace(data.settings, risk_weight=w))
        assert ref.solve(undated(at)).expected_cost == pytest.approx(expected, abs=1e-6), w
    assert round(SWITCH, 4) == 0.4201


# ------------------------------------------------------------------------------------------- the README's runs

def test_the_readme_commands_give_the_readme_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The four commands of the README's subsection, run as written (outputs under tmp_path), give the figures it
    states; the plan's Run sheet lists them; and the subsection states each of them, as written here."""
    from planner.cli import main

    two, det, risk = tmp_path / "controls.xlsx", tmp_path / "controls-deterministic.xlsx", tmp_path / "risk.xlsx"
    assert main(["solve", str(WORKBOOK), "-o", str(two), "--json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["status"] == "optimal"
    assert {k: reply[k] for k in ("objective", "expected_cost", "cvar", "evpi", "vss", "wait_and_see", "eev")} == \
        pytest.approx({"objective": OBJECTIVE, "expected_cost": EXPECTED, "cvar": CVAR, "evpi": EVPI, "vss": VSS,
                       "wait_and_see": WAIT_AND_SEE, "eev": EEV}, abs=0.01)
    assert reply["worst_scenario"] == RARE_EARTHS
    assert main(["frontier", str(WORKBOOK), "--risk", "-o", str(risk), "--json"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert [s["risk_weight"] for s in steps] == pytest.approx([k / 10 for k in range(11)])
    assert [s["expected_cost"] for s in steps[:5]] == pytest.approx([EXPECTED] * 5, abs=0.01)
    assert (steps[5]["expected_cost"], steps[5]["cvar"]) == pytest.approx((DROPPED_EXPECTED, DROPPED_CVAR), abs=0.01)
    assert main(["solve", str(WORKBOOK), "--set", "mode=deterministic", "--set", "Policy!3=on", "-o", str(det),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_cost"] == pytest.approx(DETERMINISTIC, abs=0.01)
    assert main(["diff", str(det), str(two), "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["costs"]["old"] == pytest.approx({"mode": "deterministic", "total_cost": DETERMINISTIC,
                                                  "baseline_cost": DETERMINISTIC, "objective": DETERMINISTIC})
    assert diff["costs"]["new"] == pytest.approx({
        "mode": "two_stage", "total_cost": SCENARIO_COSTS[BASELINE], "baseline_cost": SCENARIO_COSTS[BASELINE],
        "objective": OBJECTIVE, "expected_cost": EXPECTED, "cvar": CVAR, "cvar_alpha": 0.9, "risk_weight": 0.2,
        "worst_scenario": RARE_EARTHS, "worst_cost": CVAR}, abs=0.01)
    assert sorted(diff["suppliers_leaving"]) == ["BR-Graphite", "SK-Gallium"] and diff["suppliers_entering"] == []
    moved = {(r["item"], r["supplier"]): r["quantity_change"] for r in diff["lines"] if r["change"] != "unchanged"}
    assert moved == pytest.approx({("gallium", "CN-Metals"): 50, ("gallium", "SK-Gallium"): -50,
                                   ("germanium", "CN-Metals"): 150, ("germanium", "CA-Metals"): -150,
                                   ("graphite", "CN-Graphite"): 90, ("graphite", "BR-Graphite"): -50,
                                   ("graphite", "MG-Graphite"): -40})

    run = {r[0].value: r[1].value for r in openpyxl.load_workbook(two)["Run"].iter_rows(min_row=2)}
    assert {k: run[k] for k in ("two-stage objective", "expected cost", "CVaR at 0.9", "worst scenario's cost",
                                "EVPI", "VSS")} == pytest.approx(
        {"two-stage objective": OBJECTIVE, "expected cost": EXPECTED, "CVaR at 0.9": CVAR,
         "worst scenario's cost": CVAR, "EVPI": EVPI, "VSS": VSS}, abs=0.01)
    assert run["worst scenario"] == RARE_EARTHS

    text = README.read_text(encoding="utf-8")
    section = text[text.index("### The bundled two-stage example"):text.index("### On a cluster")]
    flat = re.sub(r"\s+", " ", section)
    for figure in ("7,023,256", "6,761,995", "8,068,300", "6,309,300", "193,423", "6,829,833", "6,252,375",
                   "8,029,075", "487,982", "7,511,238", "6,371,900", "6,780,632.50", "8,042,575", "25,725",
                   "18,637.50", "0.4201", "China 1,000 kg, Australia 600 and Estonia 400",
                   "China 800 kg, Japan 400, Canada 300", "China 60 t, Tajikistan 60 t", "46.7 %",
                   "control cn-rare-earths-7-2025", "BR-Graphite and SK-Gallium leaving", "41.5 %", "6.5 %",
                   "492.52", "202.80", "38.80", "2,044", "84.56", "32.80"):
        assert figure in flat, figure
    for command in ("planner solve inputs/controls.xlsx -o outputs/controls.xlsx",
                    "planner frontier inputs/controls.xlsx --risk",
                    "planner solve inputs/controls.xlsx --set mode=deterministic --set Policy!3=on",
                    "planner diff outputs/controls-deterministic.xlsx outputs/controls.xlsx"):
        assert command in section, command
