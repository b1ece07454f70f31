"""The two-stage mode, read (contract v2, section 3): Settings mode, risk_weight and cvar_alpha, Scenarios
probability, Items spot_price, spot_capacity and shortage_cost come out as the records of planner/data.py, from a
workbook and from frames alike; --set, --two-stage and --engine reach them; the template writes them; lint and
validate's summary speak of them. (Bad values: tests/catalogue.py.)"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import planner
from helpers import TWO_STAGE_HEADERS, countries, write_workbook
from planner.cli import main
from planner.data import BASELINE, Item, Settings
from planner.problems import InputError

SHEETS = {
    "Items": [["A", 100, "t", 30, 40, None], ["B", 10, "kg", None, None, 50], ["C", 5, "kg"]],
    "Suppliers": [["S1", "C1", 500, None], ["S2", "C2", None, 50]],
    "Countries": countries("C1", "C2"),
    "Offers": [["A", "S1", 10], ["A", "S2", 12], ["B", "S2", 4], ["C", "S1", 2], ["C", "S2", 3]],
    # C1 stop states its probability on its first row only; C2 half on its second (the first is blank)
    "Scenarios": [["C1 stop", None, "C1", 0, 0.1], ["C1 stop", "B", "C2", 0.5, None],
                  ["C2 half", None, "C2", 0.5, None], ["C2 half", "A", "C2", 0.5, 0.25]],
    "Settings": [["mode", "Two Stage"], ["risk_weight", 0.5], ["cvar_alpha", 0.95]],
}


def workbook(path: Path, **changes: list) -> Path:
    return write_workbook(path, {**SHEETS, **changes}, headers=TWO_STAGE_HEADERS)


def check_records(data: planner.PlanningData) -> None:
    """The records SHEETS stands for. The baseline's probability is 1 - 0.1 - 0.25 = 0.65."""
    assert data.two_stage and data.settings.mode == "two_stage"
    assert (data.settings.risk_weight, data.settings.cvar_alpha, data.settings.engine) == (0.5, 0.95, "ef")
    a, b, c = data.items["A"], data.items["B"], data.items["C"]
    assert (a.spot_price, a.spot_capacity, a.shortage_cost) == (30.0, 40.0, None)
    assert (b.spot_price, b.spot_capacity, b.shortage_cost) == (None, math.inf, 50.0)
    assert (c.spot_price, c.spot_capacity, c.shortage_cost) == (None, math.inf, None)
    # a blank probability takes its scenario's, from whichever of its rows states it
    assert [(h.scenario, h.probability) for h in data.scenario_hits] == [
        ("C1 stop", 0.1), ("C1 stop", 0.1), ("C2 half", 0.25), ("C2 half", 0.25)]
    assert list(data.probabilities) == ["C1 stop", "C2 half", BASELINE]
    assert data.probabilities["C1 stop"] == 0.1 and data.probabilities["C2 half"] == 0.25
    assert data.probabilities[BASELINE] == pytest.approx(0.65, abs=1e-15)


def test_the_records_come_out_of_a_workbook(tmp_path: Path) -> None:
    data, warnings = planner.read(workbook(tmp_path / "in.xlsx"))
    check_records(data)
    assert warnings == []  # C has neither spot nor shortage, but S2 alone (unlimited) can cover it when C1 stops


def test_the_records_come_out_of_frames_as_out_of_the_workbook(tmp_path: Path) -> None:
    def frame(name: str, header: list[str]) -> pd.DataFrame:
        rows = [list(r) + [None] * (len(header) - len(r)) for r in SHEETS[name]]
        return pd.DataFrame(rows, columns=header)

    data, _ = planner.from_frames(
        frame("Items", TWO_STAGE_HEADERS["Items"]), frame("Suppliers", ["supplier", "country", "capacity", "fixed_cost"]),
        frame("Countries", ["country", "name", "blocs", "tariff"]), frame("Offers", ["item", "supplier", "price"]),
        scenarios=frame("Scenarios", TWO_STAGE_HEADERS["Scenarios"]), settings=frame("Settings", ["setting", "value"]))
    check_records(data)
    read, _ = planner.read(workbook(tmp_path / "in.xlsx"))
    for name in ("items", "scenario_hits", "settings"):
        assert getattr(data, name) == getattr(read, name), name


def test_a_workbook_without_the_new_columns_reads_as_before(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "v1.xlsx", {
        **{k: SHEETS[k] for k in ("Suppliers", "Countries")}, "Items": [["A", 100, "t"]],
        "Offers": [["A", "S1", 10], ["A", "S2", 12]], "Scenarios": [["C1 stop", None, "C1", 0]]})
    data, warnings = planner.read(path)
    assert warnings == [] and not data.two_stage and data.settings == Settings()
    assert data.items["A"] == Item("A", 100.0, "t", "", 2)
    assert data.scenario_hits[0].probability is None
    # probabilities where none is stated: 0 for each scenario, all of it the baseline's
    assert data.probabilities == {"C1 stop": 0.0, BASELINE: 1.0}


def test_in_the_deterministic_mode_the_new_columns_are_read_without_a_word(tmp_path: Path) -> None:
    data, warnings = planner.read(workbook(tmp_path / "in.xlsx", Settings=[]))
    assert not data.two_stage and warnings == []
    assert data.items["A"].spot_price == 30.0 and data.probabilities["C2 half"] == 0.25


def test_probabilities_adding_up_to_one_within_rounding_are_accepted(tmp_path: Path) -> None:
    """0.1 + 0.2 + 0.7 is 1.0000000000000002 in floating point: that is 1, and the baseline gets 0."""
    scenarios = [["X", None, "C1", 0, 0.1], ["Y", None, "C2", 0, 0.2], ["Z", "A", "C2", 0.5, 0.7]]
    data, _ = planner.read(workbook(tmp_path / "in.xlsx", Scenarios=scenarios))
    assert data.probabilities[BASELINE] == 0.0


def test_a_probability_stated_on_a_row_out_of_force_still_counts(tmp_path: Path) -> None:
    """C1 stop's second row holds only in 2030 and states 0.1; the first row, in force, takes it."""
    import datetime as dt

    headers = {**TWO_STAGE_HEADERS, "Scenarios": ["scenario", "item", "group", "availability", "probability",
                                                  "from", "to"]}
    scenarios = [["C1 stop", None, "C1", 0, None], ["C1 stop", "B", "C2", 0.5, 0.1, dt.date(2030, 1, 1)]]
    data, _ = planner.read(write_workbook(tmp_path / "in.xlsx", {**SHEETS, "Scenarios": scenarios,
                                                                  "Settings": [["mode", "two_stage"],
                                                                               ["plan_date", "2027-01-01"]]},
                                          headers=headers))
    assert [(h.row, h.probability) for h in data.scenario_hits] == [(2, 0.1)]
    assert data.probabilities == {"C1 stop": 0.1, BASELINE: 0.9}


# ---- lint -------------------------------------------------------------------------------------------------------

def test_lint_warns_of_an_item_no_contracts_can_cover(tmp_path: Path) -> None:
    """S2 can deliver 60 in all. C has neither spot nor shortage: when C1 stops, S1 (C1) delivers nothing, so C's
    offers deliver at most 60 of 100 (the warning); C2 half keeps S1 whole, unlimited: nothing to say. B has a
    shortage cost, A a spot market: nothing to say about them either."""
    items = [["A", 100, "t", 30], ["B", 10, "kg", None, None, 50], ["C", 100, "kg"]]
    suppliers = [["S1", "C1", None, None], ["S2", "C2", 60, 50]]
    data, warnings = planner.read(workbook(tmp_path / "in.xlsx", Items=items, Suppliers=suppliers))
    assert [str(w) for w in warnings] == [
        "Items!A4 (item): in scenario 'C1 stop' the offers of 'C' deliver at most 60 of its demand of 100, whatever "
        "is contracted, and it has neither a spot_price nor a shortage_cost: no two-stage plan can meet it"]


def test_lint_warns_of_the_two_stage_mode_without_scenarios(tmp_path: Path) -> None:
    _, warnings = planner.read(workbook(tmp_path / "in.xlsx", Scenarios=[]))
    assert [str(w) for w in warnings] == [
        "Settings: mode is two_stage, but no scenario is in force: the plan is made for the baseline alone (nothing "
        "disrupted), as the deterministic mode would make it; list the disruptions in Scenarios, each with its "
        "probability"]


# ---- --set, --two-stage, --engine ---------------------------------------------------------------------------------

def test_set_reaches_the_settings_and_the_items(tmp_path: Path) -> None:
    base = workbook(tmp_path / "in.xlsx", Settings=[])
    data, _ = planner.load(base, [], ["mode=two-stage", "risk_weight=0.25", "cvar_alpha=0.5",
                                      "Items!2.spot_capacity=unlimited", "Items!F3=70", "Items!4.spot_price=9"])
    assert (data.settings.mode, data.settings.risk_weight, data.settings.cvar_alpha) == ("two_stage", 0.25, 0.5)
    assert data.items["A"].spot_capacity == math.inf and data.items["B"].shortage_cost == 70.0
    assert data.items["C"].spot_price == 9.0
    changes = dict(data.source.changes)
    assert changes["override mode"] == "two_stage (was deterministic)"
    assert changes["override Items!F3"] == "shortage_cost 70 (was 50)"


def test_set_mode_two_stage_is_checked_like_the_sheet(tmp_path: Path) -> None:
    """A workbook whose second scenario has no probability is fine in the deterministic mode; set to two stages it
    is refused, and the message names the override."""
    base = workbook(tmp_path / "in.xlsx", Settings=[], Scenarios=[["C1 stop", None, "C1", 0, 0.1],
                                                                  ["C2 cut", None, "C2", 0]])
    planner.load(base)
    with pytest.raises(InputError) as raised:
        planner.load(base, [], ["mode=two_stage"])
    assert [str(p) for p in raised.value.problems] == [
        "Scenarios!E3 (probability): scenario 'C2 cut' has no probability on any of its rows, but the mode is "
        "two_stage (--set mode=two_stage): every scenario needs one (0 for a scenario that should weigh nothing)"]


@pytest.mark.parametrize("override, message", [
    ("mode=random", "--set mode=random: 'random' is not one of deterministic, two_stage"),
    ("risk_weight=2", "--set risk_weight=2: 2 is not a share in [0, 1] (write 30 % as 0.3)"),
    ("cvar_alpha=1", "--set cvar_alpha=1: 1 is not in [0, 1): cvar_alpha is a level below 1 (0.9: CVaR is the "
                     "expected cost of the worst 10 % of probability)"),
    ("Items!2.spot_price=-3", "--set Items!2.spot_price=-3 (spot_price): -3 is negative"),
])
def test_bad_overrides_are_refused(tmp_path: Path, override: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        planner.load(workbook(tmp_path / "in.xlsx"), [], [override])
    assert [str(p) for p in raised.value.problems] == [message]


def test_two_stage_flag_and_engine_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """validate --two-stage says two-stage in its summary (baseline 1 - 0.1 - 0.25 = 0.65); solve --engine mpisppy
    hands the engine to the solve, and is refused in the deterministic mode."""
    base = workbook(tmp_path / "in.xlsx", Settings=[])
    assert main(["validate", str(base)]) == 0
    assert "two-stage" not in capsys.readouterr().out
    assert main(["validate", str(base), "--two-stage", "--set", "risk_weight=0.5"]) == 0
    assert ("3 items, 2 suppliers, 2 countries, 5 offers, 0 rules, 2 scenarios; two-stage: 2 scenarios and the "
            "baseline (probability 0.65), risk_weight 0.5 at cvar_alpha 0.9; MIP") in capsys.readouterr().out
    # a later --set wins over --two-stage, as a later --set does
    data, _ = planner.load(base, [], ["mode=two_stage", "mode=deterministic"])
    assert not data.two_stage

    assert main(["solve", str(base), "-o", str(tmp_path / "plan.xlsx"), "--engine", "mpisppy"]) == 2
    assert capsys.readouterr().err.strip() == ("invalid: --engine mpisppy solves the two-stage mode, but the mode "
                                               "is deterministic: add --two-stage (or set mode to two_stage in "
                                               "Settings)")
    seen: list[planner.PlanningData] = []

    def solve(data, **_):  # type: ignore[no-untyped-def]
        seen.append(data)
        raise SystemExit(0)  # the solve itself is the lead's: only what it is handed is checked here

    monkeypatch.setattr("planner.pipeline.solve", solve)
    with pytest.raises(SystemExit):
        main(["solve", str(base), "-o", str(tmp_path / "plan.xlsx"), "--two-stage", "--engine", "mpisppy"])
    assert seen[0].two_stage and seen[0].settings.engine == "mpisppy"


# ---- the template -------------------------------------------------------------------------------------------------

def test_the_template_writes_the_new_columns_and_reads_back_filled(tmp_path: Path) -> None:
    from planner.io.write_input import write_input_workbook
    from planner.schema import SHEET_BY_NAME

    template = tmp_path / "template.xlsx"
    assert main(["template", str(template)]) == 0
    wb = openpyxl.load_workbook(template)
    # after the stock columns (I..K); `material` (planner scenarios) follows them
    assert [c.value for c in wb["Items"][1]][8:11] == ["spot_price", "spot_capacity", "shortage_cost"]
    assert [c.value for c in wb["Scenarios"][1]][-1] == "probability"
    assert wb["Items"]["I1"].comment.text == ("two_stage: landed price per unit bought on the spot market in a "
                                              "scenario, >= 0. optional; blank = no spot market. unit: currency "
                                              "per unit")
    assert wb["Scenarios"]["I1"].comment.text.startswith("two_stage: the scenario's probability in [0, 1]")
    settings = wb["Settings"]
    assert [[c.value for c in row] for row in settings.iter_rows()] == [["setting", "value"],
                                                                         ["mode", "deterministic"]]
    lists = {str(dv.sqref): dv for dv in settings.data_validations.dataValidation}
    assert lists["B2"].formula1 == '"deterministic,two_stage"' and lists["B2"].errorStyle == "warning"
    assert "mode" in lists["A2:A2000"].formula1 and "cvar_alpha" in lists["A2:A2000"].formula1
    readme = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert "Two stages" in readme and "risk_weight" in readme

    # filled in (the schema's column order) and read back as SHEETS written by hand
    def ordered(name: str, header: list[str]) -> list[list]:
        columns = [c.name for c in SHEET_BY_NAME[name].columns]
        return [[dict(zip(header, row)).get(c) for c in columns] for row in SHEETS[name]]

    filled = tmp_path / "filled.xlsx"
    write_input_workbook(filled, {**{k: SHEETS[k] for k in ("Suppliers", "Countries", "Offers", "Settings")},
                                  "Items": ordered("Items", TWO_STAGE_HEADERS["Items"]),
                                  "Scenarios": ordered("Scenarios", TWO_STAGE_HEADERS["Scenarios"])},
                         as_tables=False)
    data, _ = planner.read(filled)
    check_records(data)
    wb = openpyxl.load_workbook(filled)
    assert "B2" in {str(dv.sqref) for dv in wb["Settings"].data_validations.dataValidation}  # mode's row


def test_data_built_in_code_is_checked_too() -> None:
    """`two_stage_problems` on data without a source (built in code) places its messages on the sheet alone."""
    from planner.data import Group, ScenarioHit
    from planner.problems import ProblemLog
    from planner.validate import two_stage_problems

    data, _ = planner.from_frames(pd.DataFrame({"item": ["A"], "demand": [10]}),
                                  pd.DataFrame({"supplier": ["S1"], "country": ["C1"]}),
                                  pd.DataFrame({"country": ["C1"]}),
                                  pd.DataFrame({"item": ["A"], "supplier": ["S1"], "price": [3]}))
    data = dataclasses.replace(data, source=None, settings=Settings(mode="two_stage"),
                               scenario_hits=(ScenarioHit("cut", Group("country", "C1")),))
    log = ProblemLog()
    two_stage_problems(data, log)
    assert [str(p) for p in log.errors] == [
        "Scenarios: has no probability column, but the mode is two_stage (Settings mode): every scenario needs a "
        "probability on at least one of its rows (scenarios 'cut')"]
