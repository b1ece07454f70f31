"""Many plans in one process: one row of a batch table per run.

A batch table (CSV, or the first sheet of an .xlsx) has one row per run:

| column    | meaning                                                            |
|-----------|--------------------------------------------------------------------|
| name      | the run's name (default: the output file's name)                   |
| base      | the input workbook (required)                                       |
| updates   | update files, separated by `;`, applied in order                   |
| set       | overrides, separated by `;` (`Policy!7=0.3; time_limit=30`)        |
| output    | the plan to write (required)                                        |
| allow_new | `yes` to let updates add records                                    |

Relative paths are relative to the batch table's folder. Each base workbook
is read and validated once; a run whose data has the shape of an earlier
run's re-uses its built model (`pipeline.ModelCache`), so a batch of price
updates builds the model once. A run that fails (invalid update, infeasible
rules) is reported in the summary and the others go on. `change_vs_first`
compares each run with the first run of the same base that wrote a plan,
which `compared_with` names (a first run that failed is skipped, so the runs
after it are still compared with each other).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.data import PlanningData
from planner.io.paths import open_elsewhere, path_key, read_by, same_file
from planner.io.guard import ReadLimits
from planner.problems import InputError, Problem, ProblemLog
from planner.results import Plan, reported

COLUMNS = ("name", "base", "updates", "set", "output", "allow_new")
SUMMARY_COLUMNS = ["run", "name", "status", "total_cost", "change_vs_first", "compared_with", "output", "base",
                   "updates", "overrides", "model", "message"]


@dataclass(frozen=True)
class BatchRun:
    row: int  # the batch table's row, as a spreadsheet shows it
    name: str
    base: Path
    updates: tuple[Path, ...]
    overrides: tuple[str, ...]
    output: Path
    allow_new: bool


def parse_runs(sheet: str, rows: list[tuple[int, dict[str, str]]], folder: Path, log: ProblemLog) -> list[BatchRun]:
    """Runs from a batch table's rows (row number, column -> text); every problem is logged."""
    runs: list[BatchRun] = []
    outputs: dict[str, int] = {}  # by `path_key`: Plan.xlsx and plan.xlsx are one file on macOS and Windows
    for number, row in rows:
        base, output = row.get("base", "").strip(), row.get("output", "").strip()
        for column, value in (("base", base), ("output", output)):
            if not value:
                log.error(sheet, f"row {number}", column, "is blank; a path is required")
        if not base or not output:
            continue
        out = (folder / output).resolve()
        if out.suffix.lower() != ".xlsx":
            log.error(sheet, f"row {number}", "output", f"'{output}' is not an .xlsx file", output)
            continue
        if path_key(out) in outputs:
            log.error(sheet, f"row {number}", "output", f"'{output}' is also the output of row "
                      f"{outputs[path_key(out)]}", output)
            continue
        outputs[path_key(out)] = number
        if not out.parent.is_dir():
            log.error(sheet, f"row {number}", "output", f"the folder of '{output}' does not exist", output)
        base_path = (folder / base).resolve()
        if not base_path.is_file():
            log.error(sheet, f"row {number}", "base", f"'{base}' is not a file", base)
        updates = tuple((folder / u.strip()).resolve() for u in row.get("updates", "").split(";") if u.strip())
        overrides = tuple(o.strip() for o in row.get("set", "").split(";") if o.strip())
        allow = row.get("allow_new", "").strip().lower()
        if allow not in ("", "yes", "no", "true", "false", "1", "0"):
            log.error(sheet, f"row {number}", "allow_new", f"'{allow}' is not yes or no", allow)
        runs.append(BatchRun(number, row.get("name", "").strip() or out.stem, base_path, updates, overrides, out,
                             allow in ("yes", "true", "1")))
    if not runs and not log.errors:
        log.error(sheet, "", "", "holds no run")
    return runs


def check_files(sheet: str, runs: list[BatchRun], table: Path, summary: Path | None, log: ProblemLog) -> None:
    """Log every way the batch would write over a file it reads or one open in Excel, all before the first run.

    A run writes its plan after earlier runs have read their files and before
    later ones read theirs, so a plan that is any row's base or update file
    (or the batch table) would silently change what a later run reads, or
    destroy an input; the summary is written last, over whatever it names.
    Each clash is logged on the row and column that names the file written.
    """
    reads: list[tuple[str, Path]] = [("the batch table itself", table)]
    for run in runs:
        reads.append((f"the base of row {run.row}", run.base))
        reads += [(f"an update file of row {run.row}", u) for u in run.updates]
    for run in runs:
        why = read_by(run.output, reads)
        if why is not None:
            log.error(sheet, f"row {run.row}", "output", f"'{run.output.name}' is {why}: the batch would write "
                      "over a file it reads", str(run.output))
        locked = open_elsewhere(run.output)
        if locked is not None:
            log.error(sheet, f"row {run.row}", "output", locked, str(run.output))
    if summary is None:
        return  # the summary's own path was refused already
    for run in runs:
        if same_file(summary, run.output):
            log.error(sheet, f"row {run.row}", "output", f"'{run.output.name}' is also the summary (-o): "
                      "choose another summary path", str(run.output))
    why = read_by(summary, reads[1:])  # the table itself is refused with the other output checks
    if why is not None:
        log.error("-o", "", "", f"the summary '{summary}' is {why}: the batch would write over a file "
                  "it reads", str(summary))


Progress = Callable[[int, int, BatchRun, "Plan | None", str], None]


def run_batch(runs: list[BatchRun], rule_costs: bool = True, timings: bool = False,
              progress: Progress | None = None, limits: ReadLimits | None = None
              ) -> tuple[pd.DataFrame, dict[str, object]]:
    """Solve and write every run; returns the summary table and totals (runs, plans written, seconds...).

    `limits` bound every base and update file read, as for `planner solve`.
    """
    from planner.io.write_plan import write_plan
    from planner.pipeline import ModelCache, apply_changes, read, solve

    cache = ModelCache()
    bases: dict[Path, tuple[PlanningData, list[Problem]] | InputError] = {}
    records = []
    # each base's first run that wrote a plan ("name (row N)") and its total cost; runs of other bases plan
    # other purchases, so a change is only taken against a run of the same base
    first_of_base: dict[Path, tuple[str, float]] = {}
    started = time.perf_counter()
    for position, run in enumerate(runs, start=1):
        plan: Plan | None = None
        record: dict[str, object] = {
            "run": run.row, "name": run.name, "output": str(run.output), "base": str(run.base),
            "updates": "; ".join(str(u) for u in run.updates), "overrides": "; ".join(run.overrides)}
        try:
            if run.base not in bases:
                try:
                    bases[run.base] = read(run.base, limits, warn_suspicious=False)  # checked per run, as changed
                except InputError as exc:
                    bases[run.base] = exc
            base = bases[run.base]
            if isinstance(base, InputError):
                raise base
            data, changes = apply_changes(base[0], run.updates, run.overrides, run.allow_new, limits)
            plan = solve(data, rule_costs=rule_costs, cache=cache)
            plan.warnings = list(dict.fromkeys(str(w) for w in base[1] + changes))
            record.update(status=plan.status, message=plan.message, model=plan.run.get("model"))
            if plan.has_plan:
                write_plan(plan, run.output, data.settings.currency, data, timings)
                record["total_cost"] = reported(plan.total_cost)
            elif plan.status == "infeasible":
                record["message"] = f"the rules cannot all hold: {plan.named_conflicts()}"
        except InputError as exc:
            record.update(status="invalid", message="; ".join(str(p) for p in exc.problems[:3])
                          + (f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""))
        except OSError as exc:
            record.update(status="error", message=f"could not write '{run.output}': {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - one broken run must not lose the others' plans
            record.update(status="error", message=f"internal error: {type(exc).__name__}: {exc}")
        cost = plan.total_cost if plan is not None and "total_cost" in record else None  # None: no plan written
        if cost is not None:
            name, first = first_of_base.setdefault(run.base, (f"{run.name} (row {run.row})", cost))
            # the change is of the unrounded totals, then reported at the scale of the larger of them
            record.update(change_vs_first=reported(cost - first, max(abs(cost), abs(first))), compared_with=name)
        records.append(record)
        if progress is not None:
            progress(position, len(runs), run, plan, str(record["status"]))
    table = pd.DataFrame(records, columns=SUMMARY_COLUMNS)
    totals: dict[str, object] = {
        "runs": len(runs), "plans written": int(table["status"].isin(["optimal", "feasible"]).sum()),
        "models built": cache.built, "models re-used": cache.reused,
        "seconds": time.perf_counter() - started}
    return table, totals
