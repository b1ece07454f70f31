"""`planner scenarios`: write a copy of an input workbook whose Scenarios sheet is a generated scenario set."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from planner.cli.envelope import Envelope
from planner.cli.exit_codes import EXIT_ERROR, EXIT_INVALID, EXIT_OK
from planner.cli.options import add_limit_options, read_limits
from planner.cli.terminal import say

HELP = "generate a Scenarios sheet: every country, every pair, every bloc, the built-in export controls"
DESCRIPTION = ("Write OUT.xlsx, a copy of IN.xlsx whose Scenarios sheet holds generated scenarios, each with a "
               "probability for the two-stage mode: every country with a usable offer stopping alone, every "
               "pair of them (N-2), every bloc, and each built-in export control in force on the plan date that "
               "hits an item of the workbook. The probabilities are the stated rates; they must add up to at "
               "most 1 (the rest is the baseline). IN.xlsx is never changed.")

KIND_NAMES = ("single", "pairs", "blocs", "controls")
_CODE = re.compile(r"[A-Z]{2}")
MAX_SCENARIOS = 20_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from planner import scenarios

    parser.add_argument("input", metavar="IN.xlsx")
    parser.add_argument("-o", "--output", metavar="OUT.xlsx",
                        help="the workbook to write (default: outputs/IN-scenarios.xlsx); never IN.xlsx itself")
    parser.add_argument("--kinds", default=",".join(KIND_NAMES), metavar="LIST",
                        help=f"which scenarios, comma-separated, of {', '.join(KIND_NAMES)} (default: all)")
    parser.add_argument("--rate-country", type=float, default=scenarios.DEFAULT_RATE_COUNTRY, metavar="P",
                        help="probability that one given country stops in the planning period "
                             f"(default {scenarios.DEFAULT_RATE_COUNTRY:g})")
    parser.add_argument("--rate-pair", type=float, default=None, metavar="P",
                        help="probability of each pair of countries stopping together (default: the country "
                             "rate squared, two independent stops)")
    parser.add_argument("--rate-bloc", type=float, default=scenarios.DEFAULT_RATE_BLOC, metavar="P",
                        help=f"probability of each bloc stopping (default {scenarios.DEFAULT_RATE_BLOC:g})")
    parser.add_argument("--rate-control", type=float, default=scenarios.DEFAULT_RATE_CONTROL, metavar="P",
                        help="probability that an export control in force stops deliveries "
                             f"(default {scenarios.DEFAULT_RATE_CONTROL:g})")
    parser.add_argument("--buyer", metavar="CC",
                        help="the buyer's country (alpha-2 code): controls limited to some destinations (a ban "
                             "on exports to the US) apply only when it is one of them")
    parser.add_argument("--append", action="store_true",
                        help="keep the Scenarios sheet's rows and add the generated ones below them")
    parser.add_argument("--max-scenarios", type=int, default=MAX_SCENARIOS, metavar="N",
                        help=f"refuse to write more than N scenarios (default {MAX_SCENARIOS:,}; pairs grow as "
                             "the square of the countries)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    add_limit_options(parser)


def run(args: argparse.Namespace, envelope: Envelope) -> int:
    from planner import scenarios
    from planner.cli.outputs import output_path, write_file
    from planner.cli.refusals import invalid_input, refused
    from planner.data import BASELINE
    from planner.problems import InputError, ProblemLog

    log = ProblemLog()
    kinds = [k.strip().casefold() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KIND_NAMES]
    if unknown or not kinds:
        log.error("", "", "", f"--kinds {args.kinds!r}: {'unknown ' + ', '.join(unknown) if unknown else 'empty'}; "
                              f"the kinds are {', '.join(KIND_NAMES)}")
    rates = scenarios.Rates(args.rate_country, args.rate_pair, args.rate_bloc, args.rate_control)
    for problem in rates.problems():
        log.error("", "", "", problem)
    if args.buyer is not None and not _CODE.fullmatch(args.buyer):
        log.error("", "", "", f"--buyer {args.buyer!r} is not an alpha-2 country code (two capitals: US)")
    if args.max_scenarios < 1:
        log.error("", "", "", f"--max-scenarios {args.max_scenarios} is not a whole number >= 1")
    target, why = output_path(args, args.output, suffix="scenarios")
    if why:
        log.error("", "", "", why)
    if log.errors:
        return refused(args, envelope, log, "; ".join(str(p) for p in log.errors))
    assert target is not None

    from planner.pipeline import read

    try:
        data, warnings = read(args.input, read_limits(args), warn_suspicious=False)
    except InputError as exc:
        return invalid_input(args, envelope, exc)
    made = scenarios.generate(data, [k for k in KIND_NAMES if k in kinds], rates, buyer=args.buyer)
    existing = {name: p for name, p in data.probabilities.items() if name != BASELINE} if args.append else {}
    clash = [name for name, _, _ in made.scenarios if name in existing]
    if clash:
        log.error("Scenarios", "", "scenario", f"--append: the sheet already has scenario(s) named "
                                               f"{', '.join(repr(c) for c in clash[:5])}"
                                               f"{' and more' if len(clash) > 5 else ''}; the generated rows "
                                               "would join them: rename those, or write the sheet anew")
    if len(made.scenarios) > args.max_scenarios:
        log.error("", "", "", f"{len(made.scenarios):,} scenarios ({_counts(made)}) is more than "
                              f"--max-scenarios {args.max_scenarios:,}: leave out a kind (--kinds) or raise the limit")
    total = made.total + sum(existing.values())
    if total > 1.0 + 1e-12:
        kept = f" and {sum(existing.values()):g} of the sheet's own scenarios" if existing else ""
        log.error("", "", "", f"the probabilities add up to {total:.6g} > 1 ({_shares(made)}{kept}): the "
                              "scenarios are disjoint outcomes and the baseline is what is left; lower the rates "
                              "or leave out a kind")
    if log.errors:
        return refused(args, envelope, log, "; ".join(str(p) for p in log.errors))

    from planner.io.write_scenarios import write_scenarios

    rows = [row.cells() for row in made.rows]
    notes = [row.note for row in made.rows]
    wrote = write_file(envelope, lambda: write_scenarios(Path(args.input), target, scenarios.SCENARIOS_COLUMNS, rows,
                                                         args.append, log, read_limits(args), notes), target)
    if not wrote:
        return envelope.finish(EXIT_ERROR)
    if log.errors:
        return refused(args, envelope, log, "; ".join(str(p) for p in log.errors))
    message = (f"{len(made.scenarios)} scenarios ({_counts(made)}) on {made.day.isoformat()}, probability "
               f"{made.total:.6g} in all, baseline {max(0.0, 1.0 - total):.6g}; written to {target}")
    if args.json:
        return envelope.begin("done", output=str(target), message=message, date=made.day.isoformat(),
                              scenarios=len(made.scenarios), counts=made.counts, total_probability=made.total,
                              baseline=max(0.0, 1.0 - total), left_out=list(made.left_out),
                              matched=[{"scenario": n, "item": i, "how": how} for n, i, how in made.matched],
                              notes=list(made.notes), warnings=[w.as_dict() for w in warnings]).finish(EXIT_OK)
    for scenario, item, how in made.matched:
        say(f"  {scenario} hits {item}: {how}", info=True)
    for note in made.left_out:
        say(f"  left out: {note}", info=True)
    for note in made.notes:
        say(f"  note: {note}", info=True)
    print(message)
    return EXIT_OK


def _counts(made) -> str:  # noqa: ANN001 - a planner.scenarios.Generated
    return ", ".join(f"{n} {kind}" for kind, n in made.counts.items())


def _shares(made) -> str:  # noqa: ANN001
    by_kind: dict[str, float] = {}
    for _, kind, p in made.scenarios:
        by_kind[kind] = by_kind.get(kind, 0.0) + p
    return ", ".join(f"{kind} {p:.6g}" for kind, p in by_kind.items())
