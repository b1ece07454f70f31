"""`python -m planner.cli`: the console command, as `planner` and `python -m planner` start it (SIGTERM first)."""

from planner.entry import console

console()
