"""`planner blocs`: the built-in blocs on a date, for a person and as one JSON object; refusals are one line."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys

import pytest

from planner import reference
from planner.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=120)


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith(" ")]


def block(text: str, bloc: str) -> list[str]:
    """The member rows under `bloc`'s heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{bloc} ("))
    rows = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        rows.append(line)
    return rows


def test_every_bloc_with_its_members_on_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocs", "--date", "2026-01-01"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert headings(out) == ["EU (27 members on 2026-01-01)", "CPTPP (12 members on 2026-01-01)",
                             "MSP (14 members on 2026-01-01)", "G7 (7 members on 2026-01-01)",
                             "OECD (38 members on 2026-01-01)", "NATO (32 members on 2026-01-01)"]
    eu = block(out, "EU")
    assert len(eu) == 27
    assert re.match(r"  AT  Austria +joined 1995-01-01  Treaty of Accession of 1994 in force 1995-01-01; ", eu[0])
    assert [row.split()[0] for row in eu] == sorted(reference.members("EU", datetime.date(2026, 1, 1)))
    assert len({row.index("joined") for row in eu}) == 1  # names padded: the dates line up
    assert not any(row.split()[0] == "GB" for row in eu)


def test_one_bloc_by_any_case_of_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocs", "--bloc", "cptpp", "--date", "2024-12-15"]) == 0
    out = capsys.readouterr().out
    assert headings(out) == ["CPTPP (12 members on 2024-12-15)"]
    gb = next(row for row in block(out, "CPTPP") if row.startswith("  GB"))
    assert "United Kingdom" in gb and "joined 2024-12-15" in gb
    assert main(["blocs", "--bloc", "CPTPP", "--date", "2024-12-14"]) == 0
    assert headings(capsys.readouterr().out) == ["CPTPP (11 members on 2024-12-14)"]


def test_a_member_that_left_later_shows_when(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocs", "--bloc", "EU", "--date", "2020-01-31"]) == 0
    rows = block(capsys.readouterr().out, "EU")
    assert len(rows) == 28
    gb = next(row for row in rows if row.startswith("  GB"))
    assert "joined 1973-01-01  left 2020-02-01  " in gb
    sources = {s.country: s.source for s in reference.memberships("EU")}
    assert len({row.index(sources[row.split()[0]]) for row in rows}) == 1  # the sources line up around the column


def test_a_bloc_with_no_members_yet(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocs", "--bloc", "MSP", "--date", "2022-06-13"]) == 0
    assert capsys.readouterr().out.splitlines() == ["MSP (0 members on 2022-06-13)", "  (none)"]


def test_the_default_date_is_today(capsys: pytest.CaptureFixture[str]) -> None:
    before = datetime.date.today()
    assert main(["blocs", "--bloc", "G7"]) == 0
    after = datetime.date.today()
    assert headings(capsys.readouterr().out)[0] in {f"G7 (7 members on {d.isoformat()})" for d in (before, after)}


def test_json_is_one_object_through_the_envelope(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocs", "--date", "2019-06-01", "--json"]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out)
    assert out.count("\n") == 1
    assert payload["schema_version"] == 2 and payload["status"] == "done" and payload["date"] == "2019-06-01"
    assert payload["problems"] == [] and payload["total_cost"] is None and "total seconds" in payload["timings"]
    assert [b["bloc"] for b in payload["blocs"]] == list(reference.blocs())
    eu = payload["blocs"][0]
    assert eu["count"] == len(eu["members"]) == 28
    assert eu["members"][0] == {
        "country": "AT", "name": "Austria", "joined": "1995-01-01", "left": None,
        "source": next(s.source for s in reference.memberships("EU") if s.country == "AT")}
    assert next(m for m in eu["members"] if m["country"] == "GB")["left"] == "2020-02-01"


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01", "tomorrow", "02/12/2026", "20261202", ""])
def test_a_bad_date_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], date: str) -> None:
    assert main(["blocs", "--date", date]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"invalid: --date {date!r} is not a")
    assert main(["blocs", "--date", date, "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "invalid" and payload["message"].startswith(f"--date {date!r}")


def test_an_unknown_bloc_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocs", "--bloc", "EFTA"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "invalid: --bloc 'EFTA' is not a built-in bloc; the built-in blocs are EU, CPTPP, MSP, G7, OECD, NATO\n"


def test_as_a_process_json_stdout_is_exactly_one_object() -> None:
    result = run("blocs", "--date", "2026-01-01", "--bloc", "nato", "--json")
    assert result.returncode == 0, result.stderr
    payload, end = json.JSONDecoder().raw_decode(result.stdout.strip())
    assert end == len(result.stdout.strip())
    assert [(b["bloc"], b["count"]) for b in payload["blocs"]] == [("NATO", 32)]
    assert {"country": "FI", "name": "Finland", "joined": "2023-04-04"}.items() <= payload["blocs"][0]["members"][
        [m["country"] for m in payload["blocs"][0]["members"]].index("FI")].items()


def test_as_a_process_a_bad_date_has_no_traceback() -> None:
    result = run("blocs", "--date", "2026-1-1")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "invalid: --date '2026-1-1' is not a date: write it as YYYY-MM-DD (2026-03-31)\n"


def test_help_lists_the_command() -> None:
    listing = run("--help")
    assert listing.returncode == 0 and re.search(r"^ +blocs +list the built-in blocs", listing.stdout, re.MULTILINE)
    own = run("blocs", "--help")
    assert own.returncode == 0 and "usage: planner blocs" in own.stdout and "--date" in own.stdout
