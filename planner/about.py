"""What a result was made with: the planner's and its dependencies' versions.

Read from the installed packages' metadata, so asking costs no import of
the packages themselves: `planner --version` answers in a few milliseconds
and the Run sheet of every plan lists the same names.
"""

from __future__ import annotations

import platform
from importlib import metadata

# (distribution name, how people call it), in the order people look for them; the Run sheet keys
# are "<distribution> version" (`planner version`, `highspy version`, ... as before this list grew)
DEPENDENCIES: tuple[tuple[str, str], ...] = (
    ("planner", "planner"),
    ("python", "Python"),
    ("highspy", "HiGHS (highspy)"),
    ("pyomo", "Pyomo"),
    ("pandas", "pandas"),
    ("numpy", "numpy"),
    ("openpyxl", "openpyxl"),
    ("python-calamine", "calamine (python-calamine)"),
    ("pycountry", "pycountry"),
)


def versions() -> dict[str, str]:
    """{distribution: version} for the planner, Python and each dependency; 'not installed' where one is missing."""
    found: dict[str, str] = {}
    for distribution, _ in DEPENDENCIES:
        if distribution == "python":
            found[distribution] = platform.python_version()
            continue
        try:
            found[distribution] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            found[distribution] = "not installed"
    return found


def version_text() -> str:
    """`planner --version`: one line per package, `name version`."""
    found = versions()
    return "\n".join(f"{label} {found[distribution]}" for distribution, label in DEPENDENCIES)
