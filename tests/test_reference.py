"""The built-in reference data (planner.reference): the blocs table as shipped, facts a person can check, the wheel.

The spot facts are dates anyone can look up (the UK's last day in the EU,
Finland's and Sweden's NATO accessions, the UK's CPTPP entry into force)
and member counts on a given day; each fails with the bloc and the day.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import zipfile
from itertools import combinations
from pathlib import Path

import pycountry
import pytest

from planner import reference
from planner.reference import Membership

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "planner" / "reference" / "blocs.csv"
D = datetime.date


def test_every_row_parses_and_the_header_is_the_contract() -> None:
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert lines[0] == "bloc,country,joined,left,source"
    spells = reference.memberships()
    assert len(spells) == len(lines) - 1 and all(isinstance(s, Membership) for s in spells)
    for spell in spells:
        assert spell.source.strip() and spell.bloc.strip()
        assert spell.left is None or spell.left > spell.joined


def test_the_blocs_the_contract_names_are_there_in_file_order() -> None:
    assert reference.blocs() == ("EU", "CPTPP", "MSP", "G7", "OECD", "NATO")
    assert {s.bloc for s in reference.memberships()} == set(reference.blocs())


def test_every_country_is_an_iso_alpha_2_code() -> None:
    unknown = sorted({s.country for s in reference.memberships() if pycountry.countries.get(alpha_2=s.country) is None})
    assert unknown == []


def test_no_two_spells_of_one_country_in_one_bloc_overlap() -> None:
    far = D.max
    overlapping = [(a, b) for a, b in combinations(reference.memberships(), 2)
                   if (a.bloc, a.country) == (b.bloc, b.country)
                   and a.joined < (b.left or far) and b.joined < (a.left or far)]
    assert overlapping == []


@pytest.mark.parametrize(("bloc", "country", "member_day", "not_member_day"), [
    ("EU", "GB", D(2020, 1, 31), D(2020, 2, 1)),  # the UK's last day in the EU, and the first day out
    ("CPTPP", "GB", D(2024, 12, 15), D(2024, 12, 14)),
    ("NATO", "FI", D(2023, 4, 4), D(2023, 4, 3)),
    ("NATO", "SE", D(2024, 3, 7), D(2024, 3, 6)),
    ("EU", "HR", D(2013, 7, 1), D(2013, 6, 30)),
    ("CPTPP", "VN", D(2019, 1, 14), D(2019, 1, 13)),
    ("OECD", "CR", D(2021, 5, 25), D(2021, 5, 24)),
])
def test_spot_facts(bloc: str, country: str, member_day: datetime.date, not_member_day: datetime.date) -> None:
    assert country in reference.members(bloc, member_day), (bloc, country, member_day)
    assert country not in reference.members(bloc, not_member_day), (bloc, country, not_member_day)


@pytest.mark.parametrize(("bloc", "day", "count"), [
    ("EU", D(2026, 1, 1), 27),
    ("EU", D(2019, 6, 1), 28),
    ("EU", D(1958, 1, 1), 6),
    ("OECD", D(2026, 1, 1), 38),
    ("NATO", D(2026, 1, 1), 32),
    ("NATO", D(1949, 8, 24), 12),
    ("CPTPP", D(2026, 1, 1), 12),
    ("CPTPP", D(2018, 12, 30), 6),
    ("G7", D(2026, 1, 1), 7),
    ("MSP", D(2022, 6, 14), 10),  # the European Commission is a partner too, but not a country
    ("MSP", D(2026, 1, 1), 14),
])
def test_member_counts(bloc: str, day: datetime.date, count: int) -> None:
    assert len(reference.members(bloc, day)) == count, (bloc, day, sorted(reference.members(bloc, day)))


def test_the_uk_left_the_eu_and_nothing_else() -> None:
    ended = [(s.bloc, s.country, s.left) for s in reference.memberships() if s.left is not None]
    assert ended == [("EU", "GB", D(2020, 2, 1))]
    uk = next(s for s in reference.memberships("EU") if s.country == "GB")
    assert uk.on(D(2020, 1, 31)) and not uk.on(D(2020, 2, 1)) and uk.on(D(1973, 1, 1)) and not uk.on(D(1972, 12, 31))


def test_g7_members_are_the_seven() -> None:
    assert reference.members("G7", D(2026, 1, 1)) == {"CA", "FR", "DE", "IT", "JP", "GB", "US"}
    assert "CA" not in reference.members("G7", D(1976, 1, 1))


def test_lookup_is_exact_then_case_insensitive() -> None:
    assert reference.lookup("CPTPP") == "CPTPP"
    assert reference.lookup("cptpp") == "CPTPP"
    assert reference.lookup("Nato") == "NATO"
    assert reference.lookup("eu") == "EU"
    assert reference.lookup("EFTA") is None
    assert reference.lookup("") is None
    assert reference.lookup(" EU") is None  # a name is matched as it is given; trimming is the caller's


def test_unknown_blocs_are_key_errors() -> None:
    with pytest.raises(KeyError, match="EFTA"):
        reference.members("EFTA", D(2026, 1, 1))
    with pytest.raises(KeyError, match="did you mean 'EU'"):  # members takes the exact name lookup() gives
        reference.members("eu", D(2026, 1, 1))
    with pytest.raises(KeyError):
        reference.memberships("nato")
    assert {s.bloc for s in reference.memberships("NATO")} == {"NATO"}


def test_country_names_come_from_pycountry() -> None:
    assert reference.country_name("DE") == "Germany"
    assert reference.country_name("GB") == "United Kingdom"
    assert reference.country_name("KR") == pycountry.countries.get(alpha_2="KR").name
    for not_a_code in ("XX", "de", "DEU", "", " DE", "EU"):
        assert reference.country_name(not_a_code) is None, not_a_code


@pytest.mark.parametrize(("row", "says"), [
    ("EU,de,1958-01-01,,src", "not an alpha-2 code"),
    ("EU,DE,1958-1-1,,src", "not a date written YYYY-MM-DD"),
    ("EU,DE,19580101,,src", "not a date written YYYY-MM-DD"),
    ("EU,DE,1958-02-30,,src", "no such day"),
    ("EU,DE,1958-01-01,1958-01-01,src", "not after joined"),
    ("EU,DE,1958-01-01,,", "no source"),
    (",DE,1958-01-01,,src", "no bloc"),
    ("EU,DE,1958-01-01,src", "4 fields, not 5"),
])
def test_a_bad_row_is_refused_naming_its_line(row: str, says: str) -> None:
    text = "# a comment\nbloc,country,joined,left,source\nEU,FR,1958-01-01,,src\n\n" + row + "\n"
    with pytest.raises(ValueError, match=f"^t.csv:5: .*{says}"):
        reference.parse(text, "t.csv")


def test_a_table_with_another_header_or_two_cases_of_one_bloc_is_refused() -> None:
    with pytest.raises(ValueError, match="t.csv:1: the header is"):
        reference.parse("bloc,country,joined,source\n", "t.csv")
    with pytest.raises(ValueError, match="t.csv:3: bloc 'eu' differs from 'EU' only in case"):
        reference.parse("bloc,country,joined,left,source\nEU,FR,1958-01-01,,s\neu,DE,1958-01-01,,s\n", "t.csv")


def test_the_table_is_read_with_the_standard_library_only() -> None:
    """`planner.cli` imports the blocs command: reading the table must not load pandas, numpy or pycountry."""
    code = ("import sys, datetime, planner.cli, planner.reference as r\n"
            "r.members('EU', datetime.date(2026, 1, 1))\n"
            "print(sorted(m for m in ('pandas', 'numpy', 'pycountry') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_the_wheel_ships_the_table(tmp_path: Path) -> None:
    """A non-editable install reads the CSV from the wheel: pyproject's package-data must list it."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "planner", source / "planner", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
                             "-w", str(tmp_path / "wheel")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = (tmp_path / "wheel").glob("planner-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("planner/reference/blocs.csv") == TABLE.read_bytes()
        assert "planner/reference/__init__.py" in archive.namelist()
