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
