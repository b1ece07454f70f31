"""pandas DataFrames -> validated `PlanningData`, exactly as if they were sheets of a workbook.

Each frame is one sheet: its columns are the sheet's headers (matched as in
a workbook: case, spaces and `_` do not matter), its rows the sheet's rows
from row 2. The same validation runs, so a problem is reported as
`Offers!C3 (price): -1 is negative`, naming the frame, the row as a sheet
would number it (position + 2) and the column.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd

from planner.gcpause import paused_gc
from planner.data import PlanningData
from planner.problems import InputError, Problem, ProblemLog
from planner.raw import RawSheet, RawWorkbook, column_letter, match_header
from planner.schema import SHEET_BY_NAME, normalize
from planner.validate import validate


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


def _plain_column(column: pd.Series) -> list[object]:
    """A frame's column as plain Python values: NaN, NA and NaT become None, numpy scalars Python ones."""
    values = column.astype(object).where(column.notna(), None).tolist()
    if any(isinstance(v, np.generic) for v in values):
        values = [_plain(v) for v in values]
    return values


def raw_from_frames(frames: dict[str, pd.DataFrame], log: ProblemLog) -> RawWorkbook:
    sheets: dict[str, RawSheet] = {}
    for name, frame in frames.items():
        spec = SHEET_BY_NAME.get(name) or next((s for s in SHEET_BY_NAME.values() if normalize(s.name) == normalize(name)),
                                               None)
        if spec is None:
            log.warning(name, "", "", "not part of the input format; ignored")
            continue
        columns = match_header(spec.name, 1, enumerate(frame.columns, start=1), spec, log)
        position_of = {column_letter(n): n - 1 for n in range(1, len(frame.columns) + 1)}
        positions = {key: position_of[letter] for key, letter in columns.items()}
        missing = [c.name for c in spec.columns if c.required and c.name not in columns]
        for column in missing:
            log.error(spec.name, "1:1", column, "required column is missing")
        if missing:
            continue
        sheet = RawSheet(spec.name, spec.name, 1, columns)
        sheet.fill_columns({key: _plain_column(frame.iloc[:, pos]) for key, pos in positions.items()}, 2)
        sheets[spec.name] = sheet
    for spec in SHEET_BY_NAME.values():
        if spec.required and spec.name not in sheets and not any(p.sheet == spec.name for p in log.errors):
            log.error(spec.name, "", "", "required sheet is missing")
    digest = hashlib.sha256(pd.util.hash_pandas_object(
        pd.concat([f.astype(str) for f in frames.values()], ignore_index=True), index=False).values.tobytes()
    ).hexdigest() if frames else ""
    return RawWorkbook(path="(DataFrames)", sha256=digest, sheets=sheets)


def from_frames(items: pd.DataFrame, suppliers: pd.DataFrame, countries: pd.DataFrame, offers: pd.DataFrame,
                policy: pd.DataFrame | None = None, scenarios: pd.DataFrame | None = None,
                settings: pd.DataFrame | None = None, *, tiers: pd.DataFrame | None = None,
                currencies: pd.DataFrame | None = None, tariffs: pd.DataFrame | None = None,
                periods: pd.DataFrame | None = None, demand: pd.DataFrame | None = None,
                capacity: pd.DataFrame | None = None, prices: pd.DataFrame | None = None,
                routes: pd.DataFrame | None = None, expansions: pd.DataFrame | None = None
                ) -> tuple[PlanningData, list[Problem]]:
    """Validated data from DataFrames, one per sheet: (data, warnings), or `InputError` with every problem.

    The optional sheets are keywords named after them in lower case (`periods=` is the Periods sheet,
    `demand=` the Demand sheet)."""
    frames = {"Items": items, "Suppliers": suppliers, "Countries": countries, "Offers": offers}
    for name, frame in (("Policy", policy), ("Scenarios", scenarios), ("Settings", settings), ("Tiers", tiers),
                        ("Currencies", currencies), ("Tariffs", tariffs), ("Periods", periods), ("Demand", demand),
                        ("Capacity", capacity), ("Prices", prices), ("Routes", routes), ("Expansions", expansions)):
        if frame is not None:
            frames[name] = frame
    log = ProblemLog()
    with paused_gc():
        raw = raw_from_frames(frames, log)
        data = validate(raw, log)
    log.raise_if_errors()
    assert data is not None
    return data, log.warnings


__all__ = ["from_frames", "InputError"]
