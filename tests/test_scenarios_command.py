"""`planner scenarios`: generated scenario sets (counts, probabilities, controls by material), written to a copy of
the input that reads back; the input is never changed; bad options are refused with exit 2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

import planner
from planner.cli import main
from planner.reference.controls import controls
from planner.scenarios import Rates, generate, matches
from helpers import countries, sha, write_workbook

CODES = ("CN", "DE", "AU", "CD")  # four countries, each with a supplier and an offer


def workbook(path: Path, scenarios: list[list] | None = None, tables: tuple[str, ...] = (),
             plan_date: str = "2024-06-01") -> Path:
    """gallium from CN and DE, copper from AU and CN, cobalt from CD; DE is in the workbook's bloc EU."""
    return write_workbook(path, {
        "Items": [["gallium", 100, "kg"], ["copper", 50, "t"], ["cobalt", 10, "t"]],
        "Suppliers": [["S1", "CN", None, 0], ["S2", "DE", None, 0], ["S3", "AU", None, 0], ["S4", "CN", None, 0],
                      ["S5", "CD", None, 0]],
        "Countries": countries(*CODES, blocs={"DE": "EU"}),
        "Offers": [["gallium", "S1", 10], ["gallium", "S2", 12], ["copper", "S3", 5], ["copper", "S4", 4],
                   ["cobalt", "S5", 30]],
        "Scenarios": scenarios or [],
        "Settings": [["plan_date", plan_date]],
    }, tables=tables)


def scenario_rows(path: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)["Scenarios"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_counts_n_singles_and_n_choose_2_pairs(tmp_path: Path) -> None:
    """4 countries with offers: 4 singles, 4*3/2 = 6 pairs, each pair one row of a two-country union."""
    data, _ = planner.read(workbook(tmp_path / "in.xlsx"))
    made = generate(data, ["single", "pairs"])
    assert made.counts == {"single": 4, "pairs": 6}
    assert [name for name, _, _ in made.scenarios][:5] == ["country CN", "country DE", "country AU", "country CD",
                                                          "pair CN+DE"]
    assert [r.group for r in made.rows if r.scenario == "pair DE+CD"] == ["country:DE | country:CD"]
    assert all(r.availability == 0 for r in made.rows)


def test_a_country_without_a_usable_offer_is_not_a_scenario(tmp_path: Path) -> None:
    """Excluding CD leaves 3 countries: 3 singles and 3 pairs."""
    path = workbook(tmp_path / "in.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Policy")
    ws.append(["rule", "item", "group", "value"])
    ws.append(["exclude", None, "country:CD", None])
    wb.save(path)
    data, _ = planner.read(path)
    assert generate(data, ["single", "pairs"]).counts == {"single": 3, "pairs": 3}


def test_probabilities_are_the_stated_rates(tmp_path: Path) -> None:
    """Rate 0.05 per country: singles 0.05, pairs 0.05^2 = 0.0025 by default, 0.001 when stated; total
    4 * 0.05 + 6 * 0.001 = 0.206."""
    data, _ = planner.read(workbook(tmp_path / "in.xlsx"))
    default = generate(data, ["single", "pairs"], Rates(country=0.05))
    assert [p for _, kind, p in default.scenarios if kind == "pairs"] == pytest.approx([0.0025] * 6)
    stated = generate(data, ["single", "pairs"], Rates(country=0.05, pair=0.001))
    assert {p for _, kind, p in stated.scenarios if kind == "single"} == {0.05}
    assert stated.total == pytest.approx(0.206)


def test_a_control_hits_only_items_of_its_material(tmp_path: Path) -> None:
    """On 2024-06-01 CN's gallium licensing (from 2023-08-01) is in force: one row, gallium from CN, dated from
    its start; copper, also bought from CN, is not hit. CD's cobalt suspension (from 2025-02-22) is not yet."""
    data, _ = planner.read(workbook(tmp_path / "in.xlsx"))
    made = generate(data, ["controls"])
    assert [n for n, _, _ in made.scenarios] == ["control cn-gallium-germanium-2023"]
    [row] = made.rows
    assert (row.item, row.group, row.availability, row.start, row.end) == \
        ("gallium", "country:CN", 0.0, dt.date(2023, 8, 1), None)


def test_a_control_in_force_on_the_plan_date_only(tmp_path: Path) -> None:
    """On 2025-03-01 the cobalt suspension (2025-02-22 .. 2025-06-20) hits cobalt from CD, dated both ends."""
    data, _ = planner.read(workbook(tmp_path / "in.xlsx", plan_date="2025-03-01"))
    rows = [r for r in generate(data, ["controls"]).rows if r.scenario == "control cd-cobalt-2025"]
    assert [(r.item, r.group, r.start, r.end) for r in rows] == \
        [("cobalt", "country:CD", dt.date(2025, 2, 22), dt.date(2025, 6, 20))]


def test_a_control_for_some_buyers_applies_only_to_them(tmp_path: Path) -> None:
    """The 2024-12-03 ban on exports to the US hits gallium from CN on 2025-01-10 for a US buyer only."""
    data, _ = planner.read(workbook(tmp_path / "in.xlsx", plan_date="2025-01-10"))
    name = "control cn-us-ban-2024"
    assert name not in [n for n, _, _ in generate(data, ["controls"]).scenarios]
    assert any(name in why for why in generate(data, ["controls"]).left_out)
    assert name in [n for n, _, _ in generate(data, ["controls"], buyer="US").scenarios]


def test_materials_match_whole_words_of_names_and_classes() -> None:
    assert matches("gallium", "High-purity Gallium", "")
    assert matches("rare-earth technology", "rare_earth technology", "")
    assert matches("cobalt", "X1", "cobalt")
    # `Ga` alone is gallium by its symbol now (test_symbols_name_their_material_alone_or_before_a_form)
    assert not matches("gallium", "galliumx", "") and not matches("nickel", "nickelate", "")


def test_every_control_has_a_source_and_sound_dates() -> None:
    for control in controls():
        assert control.source and (control.end is None or control.start <= control.end)


def test_written_workbook_reads_back_and_input_is_unchanged(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The copy has 4 + 6 singles and pairs, the EU bloc and the built-in blocs with a member among CN, DE,
    AU, CD, one control; its Scenarios rows read back as those scenarios, with the probabilities in the sheet."""
    source = workbook(tmp_path / "in.xlsx", scenarios=[["old", None, "country:DE", 0.5]], tables=("Scenarios",))
    before = sha(source)
    out = tmp_path / "out.xlsx"
    assert main(["scenarios", str(source), "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sha(source) == before
    data, _ = planner.read(out)
    made = generate(planner.read(source)[0])
    assert data.scenarios == tuple(name for name, _, _ in made.scenarios)
    assert report["scenarios"] == len(made.scenarios) and report["counts"]["pairs"] == 6
    rows = scenario_rows(out)
    assert {r["scenario"]: r["probability"] for r in rows} == {n: p for n, _, p in made.scenarios}
    assert [data.probabilities.get(n) for n in ("old",)] == [None]  # replaced: the old scenario is gone


def test_append_keeps_the_sheets_rows(tmp_path: Path) -> None:
    """--append: the old scenario first, then the 4 singles, in the Excel Table extended to hold them."""
    source = workbook(tmp_path / "in.xlsx", scenarios=[["old", None, "country:DE", 0.5]], tables=("Scenarios",))
    out = tmp_path / "out.xlsx"
    assert main(["scenarios", str(source), "-o", str(out), "--append", "--kinds", "single"]) == 0
    data, _ = planner.read(out)
    assert data.scenarios == ("old", "country CN", "country DE", "country AU", "country CD")
    ws = openpyxl.load_workbook(out)["Scenarios"]
    # the 4 columns of the table, then from, to and probability added: A..G; the header and 5 rows
    assert list(ws.tables.values())[0].ref == "A1:G6"


@pytest.mark.parametrize(("options", "said"), [
    (["--rate-country", "1.5"], "--rate-country 1.5 is not a probability in [0, 1]"),
    (["--kinds", "single,triples"], "unknown triples"),
    (["--buyer", "usa"], "--buyer 'usa' is not an alpha-2 country code"),
    # 4 singles at 0.2 and 6 pairs at 0.04: 0.8 + 0.24 = 1.04 > 1
    (["--kinds", "single,pairs", "--rate-country", "0.2"], "the probabilities add up to 1.04 > 1"),
    (["--kinds", "pairs", "--max-scenarios", "5"], "6 scenarios (6 pairs) is more than --max-scenarios 5"),
])
def test_bad_options_are_refused_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             options: list[str], said: str) -> None:
    source = workbook(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    assert main(["scenarios", str(source), "-o", str(out), *options]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not out.exists()


def test_the_output_is_never_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = workbook(tmp_path / "in.xlsx")
    before = sha(source)
    assert main(["scenarios", str(source), "-o", str(source)]) == 2
    assert "is the input file" in capsys.readouterr().err and sha(source) == before


def test_append_refuses_a_name_the_sheet_has(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = workbook(tmp_path / "in.xlsx", scenarios=[["country CN", None, "country:CN", 0.5]])
    assert main(["scenarios", str(source), "-o", str(tmp_path / "o.xlsx"), "--append", "--kinds", "single"]) == 2
    assert "already has scenario(s) named 'country CN'" in capsys.readouterr().err


# ---- how a control's materials find the items: the rules, the Items material cell, the hits that must not happen --

@pytest.mark.parametrize(("material", "item", "item_class", "cell", "rule", "term", "where", "of"), [
    ("gallium", "High-purity Gallium", "", "", "name", "gallium", "id", ""),
    ("anode materials", "anode_material", "", "", "name", "anode materials", "id", ""),  # a plural s ignored
    ("cobalt", "X1", "cobalt", "", "name", "cobalt", "class", ""),
    ("aluminium", "aluminum_can", "", "", "synonym", "aluminum", "id", ""),
    ("dysprosium", "ndfeb_magnet", "", "", "product", "NdFeB", "id", ""),
    ("graphite", "anode_material", "", "", "product", "anode material", "id", ""),
    ("gallium", "Ga", "", "", "symbol", "Ga", "id", ""),  # alone
    ("gallium", "ga", "", "", "symbol", "Ga", "id", ""),  # in small letters
    ("dysprosium", "dy_oxide", "", "", "symbol", "Dy", "id", ""),  # first, before a form of a material
    ("gallium", "Ga 6N", "", "", "symbol", "Ga", "id", ""),  # before a purity
    ("yttrium", "Y_oxide", "", "", "symbol", "Y", "id", ""),
    ("dysprosium", "Dy2O3", "", "", "formula", "Dy2O3", "id", ""),
    ("gallium", "GaN wafer", "", "", "formula", "GaN", "id", ""),
    ("samarium", "SmCo5 magnet", "", "", "formula", "SmCo5", "id", ""),
    ("rare earths", "neodymium", "", "", "member", "neodymium", "id", ""),
    ("rare earths", "dy_oxide", "", "", "symbol", "Dy", "id", "dysprosium"),  # a member's own rule
    ("rare earths", "ndfeb_magnet", "", "", "product", "NdFeB", "id", "neodymium"),
    ("germanium", "part 7", "", "Ge", "symbol", "Ge", "material", ""),  # the Items material cell
])
def test_each_rule_names_its_material(material: str, item: str, item_class: str, cell: str, rule: str, term: str,
                                      where: str, of: str) -> None:
    found = matches(material, item, item_class, cell)
    assert found is not None
    assert (found.rule, found.term, found.where, found.of) == (rule, term, where, of)


def test_a_rows_note_says_which_rule_matched() -> None:
    assert matches("gallium", "ga_metal").describe() == "gallium, by the symbol 'Ga' in the item's id"
    assert matches("rare earths", "dy_oxide").describe() == \
        "rare earths, by the symbol 'Dy' of its member dysprosium in the item's id"
    assert matches("gallium", "ga_valve", "", "gallium").describe() == \
        "gallium, by its name in the Items material cell"
    assert matches("cobalt", "X1", "cobalt").describe() == "cobalt, by its name in the item's class"


@pytest.mark.parametrize(("material", "item", "item_class"), [
    ("gallium", "ga_valve", ""),  # `ga` before a word that is no form of a material: a gauge, not gallium
    ("gallium", "12_ga_wire", ""),  # a symbol counts as the first word only
    ("gallium", "V1", "ga valves"),  # the class is read as the id is
    ("cobalt", "co_ltd_parts", ""),
    ("cobalt", "CO", ""),  # in capitals a symbol is an abbreviation (Colorado, company) ...
    ("europium", "X", "EU"),  # ... and a class EU is the European Union, not europium
    ("dysprosium", "DY_OXIDE", ""),  # the price of that rule: such an item says so in its material cell
    ("yttrium", "Y", ""),  # a one-letter symbol never alone: an item Y is a placeholder as often as yttrium
    ("yttrium", "NY", ""),  # no small letter and no digit: not a formula (N and Y)
    ("cobalt", "CO2", ""),  # capitals say C and O
    ("germanium", "GeForce", ""),  # `Fo` is no symbol: not a formula
    ("dysprosium", "Dyson fan", ""),
    ("dysprosium", "rare_earth_oxide", ""),  # a group's word does not name one of its members
    ("gallium", "galliumx", ""),
    ("nickel", "nickelate", ""),
])
def test_false_hits_do_not_happen(material: str, item: str, item_class: str) -> None:
    assert matches(material, item, item_class) is None


def test_the_items_material_cell_overrides_the_names() -> None:
    """The cell, when given, is matched instead of the id and class: it makes `ga_valve` gallium, `none` takes
    gallium from an item named gallium, a Dy-free magnet (`neodymium`) escapes the dysprosium control, and
    several entries name several materials."""
    assert matches("gallium", "ga_valve", "", "gallium") is not None
    assert matches("gallium", "gallium", "", "none") is None
    assert matches("dysprosium", "ndfeb_magnet", "", "neodymium") is None
    assert matches("rare earths", "ndfeb_magnet", "", "neodymium").rule == "member"
    assert matches("dysprosium", "magnet_a", "", "NdFeB").describe() == \
        "dysprosium, by the product 'NdFeB' in the Items material cell"
    assert matches("cobalt", "mix", "", "Dy; cobalt").where == "material"
    assert matches("dysprosium", "mix", "", "Dy; cobalt").rule == "symbol"


def test_every_synonym_row_is_sound() -> None:
    """Each symbol is an element's and names one material only; each member and synonym has a source; the
    table's materials and the controls' are what an Items material cell may name."""
    from planner.reference.controls import parse_synonyms, synonyms
    from planner.scenarios import ELEMENTS, known_materials

    assert len(ELEMENTS) == 118
    rows = synonyms()
    symbols = [t.term for t in rows if t.rule == "symbol"]
    assert set(symbols) <= ELEMENTS and len(symbols) == len(set(symbols))
    assert all(t.source for t in rows)
    assert len([t for t in rows if t.material == "rare earths" and t.rule == "member"]) == 17  # Sc, Y, La..Lu
    assert {"gallium", "rare earths", "neodymium", "anode materials"} <= set(known_materials())
    with pytest.raises(ValueError, match=r"t\.csv:3: rule 'alias' is not one of"):
        parse_synonyms("material,term,rule,source,note\ngallium,Ga,symbol,IUPAC,\ngallium,G,alias,x,\n", "t.csv")
    with pytest.raises(ValueError, match="symbol 'GA' is not written as a chemical symbol"):
        parse_synonyms("material,term,rule,source,note\ngallium,GA,symbol,IUPAC,\n", "t.csv")


def symbol_workbook(path: Path, materials: dict[str, str] | None = None, plan_date: str = "2025-06-01") -> Path:
    """Items named by symbol and product, all bought from CN: Ga, ga_valve, ndfeb_magnet, magnet_x; the Items
    `material` cells of `materials`."""
    materials = materials or {}
    names = ["Ga", "ga_valve", "ndfeb_magnet", "magnet_x"]
    return write_workbook(path, {
        "Items": [[n, 10, "kg", materials.get(n)] for n in names],
        "Suppliers": [["S1", "CN", None, 0]],
        "Countries": countries("CN"),
        "Offers": [[n, "S1", 5] for n in names],
        "Settings": [["plan_date", plan_date]],
    }, headers={"Items": ["item", "demand", "unit", "material"]})


def test_controls_find_items_named_by_symbol_and_product(tmp_path: Path) -> None:
    """On 2025-06-01 CN's gallium licensing hits `Ga` (symbol) and not `ga_valve`; the seven-rare-earths
    licensing hits `ndfeb_magnet` (product NdFeB of terbium, the first of its materials that names it) and not
    `magnet_x`, whose material cell says neodymium; each row's note says how. The graphite control, which
    names no item, says how to make it name one; a material cell that names nothing is reported with its row."""
    path = symbol_workbook(tmp_path / "in.xlsx", {"magnet_x": "neodymium", "ga_valve": "galium"})
    data, _ = planner.read(path)
    made = generate(data, ["controls"])
    rows = {(r.scenario, r.item): r.note for r in made.rows}
    assert rows == {("control cn-gallium-germanium-2023", "Ga"): "gallium, by the symbol 'Ga' in the item's id",
                    ("control cn-rare-earths-7-2025", "ndfeb_magnet"):
                        "terbium, by the product 'NdFeB' in the item's id"}
    assert made.matched == (("control cn-gallium-germanium-2023", "Ga", rows[("control cn-gallium-germanium-2023",
                                                                             "Ga")]),
                            ("control cn-rare-earths-7-2025", "ndfeb_magnet",
                             "terbium, by the product 'NdFeB' in the item's id"))
    [graphite] = [why for why in made.left_out if why.startswith("control cn-graphite-2023")]
    assert "no item names graphite" in graphite and "write 'graphite' in its Items material cell" in graphite
    assert "the 2 with a material cell are matched by that cell alone" in graphite
    [note] = made.notes
    assert note.startswith("Items row 3 (material) of item 'ga_valve': 'galium' names no material")
    assert "did you mean 'gallium'?" in note
    # gallium in ga_valve's cell: now it is hit, by the cell
    data, _ = planner.read(symbol_workbook(tmp_path / "in2.xlsx", {"ga_valve": "gallium"}))
    again = generate(data, ["controls"])
    assert [r.item for r in again.rows if r.scenario == "control cn-gallium-germanium-2023"] == ["Ga", "ga_valve"]
    assert again.notes == ()


def test_the_written_rows_say_how_they_matched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Written anew, a control row's note is an Excel note on its item cell (the sheet gets no column the reader
    does not know); appended to a sheet with a `note` column of its own, it goes there. --json lists it."""
    source = symbol_workbook(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    assert main(["scenarios", str(source), "-o", str(out), "--kinds", "controls", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"scenario": "control cn-gallium-germanium-2023", "item": "Ga",
            "how": "gallium, by the symbol 'Ga' in the item's id"} in report["matched"]
    ws = openpyxl.load_workbook(out)["Scenarios"]
    header = [c.value for c in ws[1]]
    assert "note" not in header
    notes = {row[1].value: row[1].comment.text for row in ws.iter_rows(min_row=2) if row[1].comment}
    assert notes == {"Ga": "gallium, by the symbol 'Ga' in the item's id",
                     "ndfeb_magnet": "terbium, by the product 'NdFeB' in the item's id"}
    _, warnings = planner.read(out)
    assert not [w for w in warnings if "ignored" in str(w)]

    wb = openpyxl.load_workbook(source)
    ws = wb.create_sheet("Scenarios")
    ws.append(["scenario", "item", "group", "availability", "note"])
    ws.append(["old", None, "country:CN", 0.5, "mine"])
    wb.save(source)
    appended = tmp_path / "appended.xlsx"
    assert main(["scenarios", str(source), "-o", str(appended), "--kinds", "controls", "--append",
                 "--rate-control", "0.1"]) == 0
    ws = openpyxl.load_workbook(appended)["Scenarios"]
    rows = [dict(zip([c.value for c in ws[1]], [c.value for c in row])) for row in ws.iter_rows(min_row=2)]
    assert [(r["scenario"], r["item"], r["note"]) for r in rows] == [
        ("old", None, "mine"),
        ("control cn-gallium-germanium-2023", "Ga", "gallium, by the symbol 'Ga' in the item's id"),
        ("control cn-rare-earths-7-2025", "ndfeb_magnet", "terbium, by the product 'NdFeB' in the item's id")]
    assert not any(c.comment for row in ws.iter_rows(min_row=2) for c in row)


def two_stage_workbook(path: Path, item: str) -> Path:
    """One item, demand 100, spot price 30; S1 in CN sells at 10, S2 in DE at 11; plan date 2024-06-01, on which
    CN's gallium licensing (from 2023-08-01) is in force."""
    return write_workbook(path, {
        "Items": [[item, 100, "kg", 30]],
        "Suppliers": [["S1", "CN", None, 0], ["S2", "DE", None, 0]],
        "Countries": countries("CN", "DE"),
        "Offers": [[item, "S1", 10], [item, "S2", 11]],
        "Settings": [["plan_date", "2024-06-01"]],
    }, headers={"Items": ["item", "demand", "unit", "spot_price"]})


def contracts(plan: Path) -> dict[str, float]:
    ws = openpyxl.load_workbook(plan)["Contracts"]
    rows = list(ws.iter_rows(values_only=True))
    at = {name: k for k, name in enumerate(rows[0])}
    return {row[at["supplier"]]: row[at["contract"]] for row in rows[1:] if row[at["supplier"]]}


@pytest.mark.parametrize(("item", "scenarios", "objective", "held"), [
    # Ga, gallium by its symbol: one scenario, CN's gallium stopped, probability 0.1 (the baseline 0.9). With x
    # from CN and y from DE, x + y = 100 (more is paid and wasted, less is bought at 30 > 11): CN's units are
    # paid only in the baseline, and in the scenario bought again at 30, so they cost 0.9*10 + 0.1*30 = 12 each,
    # DE's 11: y = 100, objective 1,100 (CN alone: 0.9*1,000 + 0.1*3,000 = 1,200)
    ("Ga", 1, 1100.0, {"S2": 100.0}),
    # ga_valve is no gallium: no scenario, the baseline alone, all from CN at 10: 1,000
    ("ga_valve", 0, 1000.0, {"S1": 100.0}),
])
def test_round_trip_through_scenarios_then_a_two_stage_solve(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             item: str, scenarios: int, objective: float,
                                                             held: dict[str, float]) -> None:
    source = two_stage_workbook(tmp_path / "in.xlsx", item)
    made = tmp_path / "scenarios.xlsx"
    assert main(["scenarios", str(source), "-o", str(made), "--kinds", "controls", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scenarios"] == scenarios
    if not scenarios:
        assert any("no item names gallium" in why and "Items material cell" in why for why in report["left_out"])
    plan = tmp_path / "plan.xlsx"
    assert main(["solve", str(made), "--two-stage", "-o", str(plan), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "optimal" and result["violations"] == []
    assert result["objective"] == pytest.approx(objective) and result["expected_cost"] == pytest.approx(objective)
    assert {s: q for s, q in contracts(plan).items() if q} == pytest.approx(held)
