"""The command line's shared grammar: the parser class, -q/-v, the limits on input files, the change options.

Each command module adds its own arguments; what several commands accept
is defined once here, so that its help reads the same everywhere.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

from planner.cli.exit_codes import EXIT_INVALID

if TYPE_CHECKING:
    from planner.io.guard import ReadLimits


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with 2, the code of invalid input."""

    def error(self, message: str) -> NoReturn:  # argparse's own exit 2 matches "invalid input"
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def noise_options() -> CommandParser:
    """-q and -v, which every command takes (a parent parser for each command's own)."""
    common = CommandParser(add_help=False)
    noise = common.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr (no warnings, no progress)")
    noise.add_argument("-v", "--verbose", action="store_true",
                       help="also show the run's details on stderr: model size, solver outcome, timings")
    return common


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """The limits the guard checks every input file against before parsing (its messages name these options)."""
    from planner.io.guard import ReadLimits

    d = ReadLimits()
    group = parser.add_argument_group("limits on input files (checked before parsing)")
    group.add_argument("--max-file-mb", type=float, default=d.max_file_mb, metavar="MB",
                       help=f"largest input file accepted (default {d.max_file_mb:g})")
    group.add_argument("--max-unzipped-mb", type=float, default=d.max_unzipped_mb, metavar="MB",
                       help=f"most a workbook may unpack to (default {d.max_unzipped_mb:g})")
    group.add_argument("--max-ratio", type=float, default=d.max_ratio, metavar="R",
                       help=f"most a workbook may unpack to, as a multiple of its size (default {d.max_ratio:g})")
    group.add_argument("--max-entries", type=int, default=d.max_entries, metavar="N",
                       help=f"most files inside a workbook (default {d.max_entries:,})")


def read_limits(args: argparse.Namespace) -> ReadLimits:
    """The limits as the options set them."""
    from planner.io.guard import ReadLimits

    return ReadLimits(args.max_file_mb, args.max_unzipped_mb, args.max_ratio, args.max_entries)


def add_change_options(parser: argparse.ArgumentParser) -> None:
    """The limits, and the changes made to an input workbook before it is used: --update, --allow-new, --set."""
    add_limit_options(parser)
    parser.add_argument("--update", metavar="FILE", action="append", default=[],
                        help="apply an update table (.csv, or every sheet of an .xlsx) before solving; repeatable, "
                             "applied in order. Key columns item+supplier (offers: price, capacity, min_order, "
                             "freight), supplier (capacity, fixed_cost), country (tariff) or item (demand); "
                             "a blank cell keeps the base value, 'unlimited' removes a capacity")
    parser.add_argument("--allow-new", action="store_true",
                        help="let update rows add offers, suppliers, countries or items the base lacks")
    parser.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], dest="overrides",
                        help="override a setting (time_limit=30) or a Policy row's value (Policy!7=0.3, "
                             "also Policy!7.value=0.3 or Policy!D7=0.3), or switch a Policy row off or on "
                             "(Policy!7=off, Policy!7=on); repeatable")
    # one more override, in the order given among the --set ones (a later --set mode=... wins, as a later --set does)
    parser.add_argument("--two-stage", action="append_const", const="mode=two_stage", dest="overrides",
                        help="plan in two stages: contracts now, and in each scenario what is missing bought on the "
                             "spot market or gone short (the same as --set mode=two_stage)")


ENGINES = ("ef", "mpisppy")


def add_engine_option(parser: argparse.ArgumentParser) -> None:
    """How the two-stage mode is solved (`Settings.engine`)."""
    parser.add_argument("--engine", choices=ENGINES, default="ef",
                        help="two-stage mode: ef (default) solves the extensive form with HiGHS; mpisppy decomposes "
                             "by scenario (run it as mpiexec -n K planner solve ... --engine mpisppy)")
