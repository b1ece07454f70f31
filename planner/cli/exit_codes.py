"""The exit codes of the `planner` command: the contract scripts check, in one place.

0 a plan was written (optimal or feasible); 1 anything else went wrong;
2 the input (or the command line) is invalid; 3 the rules cannot all hold;
4 with `--elastic`, a plan that breaks some rules as little as possible was
written; 141 (128 + SIGPIPE) the reader of stdout went away. Ctrl-C and
SIGTERM end with 130 and 143, as a shell reports them.
"""

from __future__ import annotations

EXIT_OK, EXIT_ERROR, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_RELAXED = 0, 1, 2, 3, 4
EXIT_PIPE = 128 + 13  # SIGPIPE: stdout's reader went away
EXIT_INTERRUPTED = 128 + 2  # SIGINT (Ctrl-C)
EXIT_TERMINATED = 128 + 15  # SIGTERM
