"""The package's layout: no public name shadows a module, and only the I/O modules touch openpyxl."""

from __future__ import annotations

import importlib
import pkgutil
import types
from pathlib import Path

import planner

ROOT = Path(__file__).resolve().parents[1]


def _packages() -> list[types.ModuleType]:
    found = [planner]
    for info in pkgutil.walk_packages(planner.__path__, "planner."):
        if info.ispkg:
            found.append(importlib.import_module(info.name))
    return found


def test_no_public_name_shadows_a_module() -> None:
    """`planner.solve` is a function; a module `planner/solve.py` would make `planner.solve` mean two things."""
    for package in _packages():
        submodules = {info.name for info in pkgutil.iter_modules(package.__path__)}
        names = set(getattr(package, "__all__", ())) | set(getattr(package, "_EXPORTS", {}))
        names |= {n for n, v in vars(package).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
        clash = sorted(names & submodules)
        assert not clash, f"{package.__name__} exports {clash}, which are also its modules"


def test_only_the_io_modules_touch_openpyxl() -> None:
    for path in (ROOT / "planner").rglob("*.py"):
        if "io" in path.relative_to(ROOT / "planner").parts[:1]:
            continue
        source = path.read_text()
        assert "import openpyxl" not in source and "from openpyxl" not in source, path
