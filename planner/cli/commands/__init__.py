"""The commands of `planner`, one module each, and the table that names them.

Every command module has the same four parts: `HELP` (its line in
`planner --help`), `DESCRIPTION` (the top of its own `--help`),
`add_arguments(parser)` and `run(args, envelope) -> exit code`. Modules
import only what is light at the top; pandas, the pipeline and the writers
load inside `run`, so that `import planner.cli` stays quick.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from planner.cli.commands import batch, blocs, diff, frontier, scenarios, solve, template, validate
from planner.cli.envelope import Envelope


class Command(Protocol):
    """What `planner.cli` needs of a command module."""

    HELP: str
    DESCRIPTION: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, envelope: Envelope) -> int: ...


# name -> module, in the order `planner --help` lists them
COMMANDS: dict[str, Command] = {
    "solve": solve,
    "frontier": frontier,
    "batch": batch,
    "diff": diff,
    "validate": validate,
    "template": template,
    "scenarios": scenarios,
    "blocs": blocs,
}
