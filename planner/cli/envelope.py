"""The one JSON object of a `--json` run: every command fills an `Envelope`, and only the envelope prints JSON.

What every object carries (docs/workbook.md, "JSON output"): `schema_version`,
`status`, `total_cost`, `output`, the lists `problems`, `warnings`,
`conflicts` and `violations` (empty when there are none), and `timings`,
whose `total seconds` is the whole run up to the printing; `solve` objects
also always carry `mip_gap` and `price_of_resilience` (null when there is
none). A command sets its own fields; the envelope adds the promised ones it
left out when it prints.

Keys come out in the order the command first set them, then the promised
ones it did not set (the four lists, then solve's two, then `timings`):
readers have seen that order since version 2, so it is kept.
"""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING, Any

from planner.cli.terminal import say

if TYPE_CHECKING:  # for the hints only: pandas is loaded by the commands that make tables, not here
    import pandas as pd

JSON_SCHEMA_VERSION = 2  # 1: contract fields only; 2: adds schema_version, timings, rule costs, diff, batch
LIST_KEYS = ("problems", "warnings", "conflicts", "violations")  # always present in --json, [] when none
SOLVE_KEYS = ("mip_gap", "price_of_resilience")  # always present in `solve --json`, null when there is none


class Envelope:
    """The object one run of `command` reports: filled as the command goes, printed once at its end.

    `started` is when the run began (`time.perf_counter()`), for `total
    seconds`; `printed` is whether the run prints the object (`--json`) or
    speaks to a person instead.
    """

    def __init__(self, command: str, started: float, printed: bool) -> None:
        self.command = command
        self.started = started
        self.printed = printed
        self._fields: dict[str, Any] = {}

    def begin(self, status: str, total_cost: float | None = None, output: str | None = None,
              **fields: Any) -> Envelope:
        """The contract's fields first, in the order every object but solve's starts with, then the command's."""
        return self.set(status=status, total_cost=total_cost, output=output, **fields)

    def set(self, **fields: Any) -> Envelope:
        """Add or replace fields: a new one comes after those set before it, a replaced one keeps its place."""
        self._fields.update(fields)
        return self

    def add_timing(self, phase: str, seconds: float) -> None:
        """One more phase in `timings`, when the command has reported its phases (solve's `write seconds`)."""
        timings = self._fields.get("timings")
        if isinstance(timings, dict):
            timings[phase] = seconds

    def payload(self) -> dict[str, Any]:
        """The object as it is printed now: the promised keys filled in, `total seconds` up to this moment."""
        out = {"schema_version": JSON_SCHEMA_VERSION, **self._fields}
        for key in LIST_KEYS:
            if not isinstance(out.get(key), list):
                out[key] = [] if out.get(key) is None else list(out[key])
        if self.command == "solve":
            for key in SOLVE_KEYS:
                out.setdefault(key, None)
        timings = dict(out.get("timings") or {})
        timings["total seconds"] = time.perf_counter() - self.started
        out["timings"] = timings
        return out

    def emit(self) -> None:
        """Print the object: one line of strict JSON (no NaN) on stdout, the only JSON the command prints."""
        print(json.dumps(self.payload(), default=_json_default, allow_nan=False))

    def finish(self, code: int, quiet: bool = False) -> int:
        """End the run with exit `code`: the object with `--json`; otherwise `status: message` on stderr,
        unless `quiet` (the command has said it in its own words)."""
        if self.printed:
            self.emit()
        elif not quiet:
            say(f"{self._fields['status']}: {self._fields.get('message', '')}")
        return code


def _json_default(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars, which the tables' cells are
        return value.item()
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows for the envelope: NaN (no value) becomes null."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def finite(value: float | None) -> float | None:
    """A figure for the envelope: infinite or NaN (no such figure) becomes null, which strict JSON can hold."""
    return value if value is not None and math.isfinite(value) else None
