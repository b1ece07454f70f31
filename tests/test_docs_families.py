"""The documents about families say what the code has: formulation.md's sections follow the registry, and
docs/adding-a-family.md names only files and symbols that exist."""

from __future__ import annotations

import builtins
import dataclasses
import re
from pathlib import Path

from planner.model import family as family_module
from planner.model import registry

ROOT = Path(__file__).resolve().parents[1]
FORMULATION = ROOT / "models" / "formulation.md"
ADDING = ROOT / "docs" / "adding-a-family.md"

SECTION = re.compile(r"^### (\S+) — (\S+)\s*$", re.MULTILINE)
# Where docs/adding-a-family.md's worked example starts: from there on it names files that do not exist on purpose.
EXAMPLE = re.compile(r"^## Example\b", re.MULTILINE)
PATH = re.compile(r"(?<![\w/.])((?:planner|tests|docs|models|inputs)/[\w./<>-]*[\w>])")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def family_sections(text: str) -> list[tuple[str, str, str]]:
    """(name, module path, body) of every `### <name> — <path>` section."""
    found = list(SECTION.finditer(text))
    out = []
    for k, match in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        following = re.search(r"^## ", text[match.end():end], re.MULTILINE)
        body_end = match.end() + following.start() if following else end
        out.append((match.group(1), match.group(2), text[match.end():body_end]))
    return out


def section_problems(text: str) -> list[str]:
    """Every way the family sections differ from the registry: order, module paths, dimensions."""
    sections = family_sections(text)
    problems = []
    names = [name for name, _, _ in sections]
    expected = [f.name for f in registry.FAMILIES]
    missing = [n for n in expected if n not in names]
    unknown = [n for n in names if n not in expected]
    if missing:
        problems.append(f"no section for {missing}")
    if unknown:
        problems.append(f"sections for {unknown}, which are no families of the registry")
    if not missing and not unknown and names != expected:
        problems.append(f"sections {names} are not the registry's families in order {expected}")
    by_name = {f.name: f for f in registry.FAMILIES}
    for name, path, body in sections:
        family = by_name.get(name)
        if family is None:
            continue
        if path != family.module:
            problems.append(f"section {name} names {path}, not its module {family.module}")
        for dim in family.dims:
            if f"`{dim}`" not in body:
                problems.append(f"section {name} does not state its dimension `{dim}`")
    return problems


def spans(text: str) -> list[str]:
    """The backquoted spans of markdown text, code blocks left out (``x`` and `x` both)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    out = [m.group(1).strip() for m in re.finditer(r"``(.+?)``", text)]
    text = re.sub(r"``(.+?)``", "", text)
    return out + [m.group(1) for m in re.finditer(r"`([^`\n]+)`", text)]


def defined(path: Path, dotted: str) -> bool:
    """Whether each part of `dotted` (`PlanningData.is_mip`) is defined in the file: a class, a function, an
    assignment or an annotated name."""
    source = path.read_text()
    return all(re.search(rf"^\s*(?:(?:async\s+)?def |class )?{re.escape(part)}\b\s*[:=(]", source, re.MULTILINE)
               for part in dotted.split("."))


def defined_anywhere(name: str) -> bool:
    return hasattr(builtins, name) or any(defined(p, name) for folder in ("planner", "tests")
                                          for p in (ROOT / folder).rglob("*.py"))


def table_names(text: str, header: str) -> list[str]:
    """The backquoted first cells of the markdown table whose first header cell is `header`."""
    match = re.search(rf"^\| {re.escape(header)} \|.*\n\|[-| ]+\|\n((?:\|.*\n)+)", text, re.MULTILINE)
    assert match, f"no table with a `{header}` column"
    return [m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", match.group(1), re.MULTILINE)]


def declared_on_a_base(name: str) -> bool:
    bases = [getattr(family_module, n) for n in dir(family_module)]
    bases = [b for b in bases if isinstance(b, type) and issubclass(b, family_module.Family)]
    return any(hasattr(b, name) or any(name in getattr(k, "__annotations__", {}) for k in b.__mro__)
               for b in bases)


def reference_problems(text: str) -> list[str]:
    """Every file, symbol or declaration docs/adding-a-family.md names (outside its worked example) that the code
    does not have."""
    example = EXAMPLE.search(text)
    checked = text[:example.start()] if example else text
    problems = []
    for span in spans(checked):
        for path in PATH.findall(span):
            # `planner/model/families/<module>.py`: a placeholder; the folder before it must exist
            where = ROOT / path[:path.index("<")] if "<" in path else ROOT / path
            if not where.exists():
                problems.append(f"`{span}` names {path}, which does not exist")
        symbol = re.fullmatch(r"((?:planner|tests)/[\w/]+\.py)(?::: ?|: )([\w.]+)", span)
        if symbol and (ROOT / symbol.group(1)).exists() and not defined(ROOT / symbol.group(1), symbol.group(2)):
            problems.append(f"`{span}`: {symbol.group(2)} is not defined in {symbol.group(1)}")
        if IDENTIFIER.fullmatch(span) and span[0].isupper() and not defined_anywhere(span):
            problems.append(f"`{span}` is defined nowhere in planner/ or tests/")
    for name in table_names(checked, "declaration"):
        if not declared_on_a_base(name):
            problems.append(f"declaration `{name}` is on no base class of planner/model/family.py")
    fields = {f.name for f in dataclasses.fields(family_module.RuleKind)}
    for name in table_names(checked, "field"):
        if name not in fields:
            problems.append(f"`{name}` is no field of RuleKind")
    return problems


def test_formulation_has_a_section_per_family_in_registry_order() -> None:
    problems = section_problems(FORMULATION.read_text())
    assert not problems, "models/formulation.md:\n" + "\n".join(problems)


def test_every_section_names_an_existing_module() -> None:
    for _, path, _ in family_sections(FORMULATION.read_text()):
        assert (ROOT / path).is_file(), path


def test_adding_a_family_names_only_what_exists() -> None:
    problems = reference_problems(ADDING.read_text())
    assert not problems, "docs/adding-a-family.md:\n" + "\n".join(problems)


def test_the_checks_catch_what_they_are_for() -> None:
    """Each check fails on a document with the mistake it is for (so the tests above are not vacuous)."""
    text = FORMULATION.read_text()
    first, second = registry.family("Offer-capacity"), registry.family("Item-demand")  # next to each other
    a, b = f"### {first.name} — {first.module}", f"### {second.name} — {second.module}"
    swapped = text.replace(a, "@@A@@").replace(b, a).replace("@@A@@", b)
    assert any("not the registry's families in order" in p for p in section_problems(swapped))
    moved = text.replace(b, f"### {second.name} — planner/model/families/demand.py")
    assert any("not its module" in p for p in section_problems(moved))

    doc = ADDING.read_text()
    example = EXAMPLE.search(doc)
    assert example, "docs/adding-a-family.md has no `## Example` section"
    head = doc[:example.start()]
    for mistake, expected in [("`planner/model/families/nowhere.py`", "does not exist"),
                              ("`planner/schema.py: NO_SUCH_THING`", "is not defined in"),
                              ("`tests/test_optima.py::test_no_such_test`", "is not defined in"),
                              ("`NoSuchFamily`", "defined nowhere"),
                              ("| `no_such_declaration` | all | x | |\n", "on no base class")]:
        if mistake.startswith("|"):
            broken = head.replace("| `summary` |", mistake.rstrip("\n") + "\n| `summary` |", 1)
        else:
            broken = head + f"\nSee {mistake}.\n"
        assert any(expected in p for p in reference_problems(broken)), mistake
