"""The package's layers, checked from its imports: the rules are data, written once, here.

A *unit* is a subpackage (``_wire``, ``_http``, ...) or a top-level module (``_errors``,
``types``, ...); a module or a package's ``__init__`` named in ``LAYERS`` is a unit of its
own. ``LAYERS`` says which other units each one may import; an import inside a function or
under ``if TYPE_CHECKING:`` counts like any other. Imports within a unit are free, but no
module may take part in an import loop, anywhere in the package.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gemini_stream"

# Lowest layer first. A unit may import the units listed for it, and nothing else of ours.
_STREAMING = {"sse", "_config", "_wire", "_errors", "_input", "_limits", "_http", "_stream"}
LAYERS: dict[str, set[str]] = {
    "_version": set(),
    "sse": set(),  # standalone by design: the standard library only
    "_config": set(),
    "_wire": set(),  # the wire types; the root of the error tree lives beside the reply
    "_errors": {"_wire"},
    "_input": {"_wire"},
    "_limits": {"_config", "_errors"},
    "_observe": {"_version", "_wire", "_errors"},  # hooks, logs, traces: no aiohttp
    "_http": {"sse", "_version", "_config", "_wire", "_errors", "_input", "_limits", "_observe"},
    "_stream": {"sse", "_config", "_wire", "_errors", "_input", "_limits", "_http"},
    "_cost": {"_wire"},
    "_chat": {"_wire", "_errors", "_input", "_stream"},  # never aiohttp: no _http
    "_fanout": _STREAMING,
    "_media": {"_config", "_wire", "_errors", "_http"},
    "_models": {"_config", "_wire", "_http"},
    "_embed": {"_config", "_wire", "_errors", "_input", "_http"},
    "_caches": {"_config", "_wire", "_errors", "_input", "_http"},
    "_batches": {"_config", "_wire", "_errors", "_input", "_http", "_media", "_fanout", "_embed"},
    "_interactions": {"sse", "_config", "_wire", "_errors", "_input", "_limits", "_http", "_chat"},
    "_live": {"_config", "_wire", "_errors", "_input", "_http", "_chat"},
    "_client": _STREAMING
    | {
        "_version",
        "_observe",
        "_chat",
        "_fanout",
        "_media",
        "_models",
        "_embed",
        "_caches",
        "_batches",
        "_interactions",
        "_live",
    },
    "types": {"_wire"},
    "interactions": {"_interactions"},  # the Interactions API's public wire types
    "emulator": set(),  # an independent server: it shares no code with the client
    # open_client: the one bridge between them (with the rate limit's types)
    "emulator._connect": {"emulator", "_client", "_config", "_limits"},
    "emulator.__init__": {"emulator", "emulator._connect"},  # the emulator's public names
    "cli": {
        "_version",
        "_config",
        "_limits",
        "_client",
        "_errors",
        "_chat",
        "_fanout",
        "_batches",
        "types",
        "emulator.__init__",
    },
    "__init__": _STREAMING
    | {
        "_version",
        "_cost",
        "_chat",
        "_fanout",
        "_media",
        "_embed",
        "_batches",
        "_client",
        "types",
        "_interactions",
        "_live",
        "_observe",
    },
    "__main__": {"cli"},
}


def unit_of(module: str) -> str:
    """``gemini_stream._wire.content`` -> ``_wire``; the longest name ``LAYERS`` knows wins."""
    parts = module.split(".")[1:]
    if (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists():
        parts.append("__init__")  # a package's own module
    for size in range(len(parts), 0, -1):
        name = ".".join(parts[:size])
        if name in LAYERS:
            return name
    return parts[0]


def module_name(path: Path, root: Path) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """Every module of the package that ``path`` imports, with the line, wherever it stands."""
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # ``from . import sse`` names a module
                candidate = f"{target}.{alias.name}"
                if (root.parent / candidate.replace(".", "/")).with_suffix(".py").exists():
                    yield node.lineno, candidate
                elif target.split(".")[0] == root.name:
                    yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == root.name:
                    yield node.lineno, alias.name


def graph(root: Path) -> dict[str, set[tuple[int, str]]]:
    return {
        module_name(path, root): set(imports(path, root)) for path in sorted(root.rglob("*.py"))
    }


def forbidden(root: Path) -> list[str]:
    """Imports from one unit into another that ``LAYERS`` does not allow."""
    found = []
    for module, targets in graph(root).items():
        unit = unit_of(module)
        for line, target in sorted(targets):
            other = unit_of(target)
            if other != unit and other not in LAYERS.get(unit, set()):
                found.append(f"{module}:{line} imports {target} ({unit} may not use {other})")
    return found


def loops(root: Path) -> list[list[str]]:
    """Groups of modules that import each other, directly or around a loop (Tarjan)."""
    edges = {m: {t for _, t in ts if t != m} for m, ts in graph(root).items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_import_follows_the_layers() -> None:
    assert forbidden(PACKAGE) == []


def test_no_module_is_part_of_an_import_loop() -> None:
    assert loops(PACKAGE) == []


def test_every_unit_has_a_rule() -> None:
    units = {unit_of(module) for module in graph(PACKAGE)}
    assert units <= set(LAYERS), units - set(LAYERS)


# The emulator's units are told apart by module, which its docstring explains in words.
SUBPACKAGES = sorted(u for u in LAYERS if (PACKAGE / u).is_dir() and u != "emulator")


@pytest.mark.parametrize("unit", SUBPACKAGES)
def test_each_subpackage_says_what_it_may_import(unit: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / unit / "__init__.py").read_text())) or ""
    said = doc.rpartition("May import: ")[2].split(".\n")[0].rstrip(".")
    names = set() if said == "nothing of the package" else set(said.split(", "))
    allowed = {name.removesuffix(".__init__") for name in LAYERS[unit]}
    assert {name.split(" ")[0] for name in names} == allowed


def test_the_rules_themselves_are_layers() -> None:
    # Walking the rules from any unit never comes back to it: the allowed imports form a
    # stack of layers, not a web.
    def reach(unit: str, seen: frozenset[str]) -> None:
        for other in LAYERS[unit]:
            assert other not in seen, f"{' -> '.join(seen)} -> {other} loops"
            reach(other, seen | {other})

    for unit in LAYERS:
        reach(unit, frozenset({unit}))


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("_wire/base.py", "from .._client import Client\n"),  # a lower layer names a higher
        ("_chat/chat.py", "from .._http.call import Call\n"),  # the chat touches aiohttp
        ("emulator/_model.py", "from .._stream.accumulate import accumulate\n"),
        ("sse.py", "if typing.TYPE_CHECKING:\n    from ._errors import GeminiError\n"),  # type-only
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, module: str, line: str) -> None:
    copy = tmp_path / "gemini_stream"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    path.write_text(path.read_text() + "\n" + line)
    new = set(forbidden(copy)) - set(forbidden(PACKAGE))
    assert len(new) == 1, new
    assert new.pop().startswith("gemini_stream." + module.removesuffix(".py").replace("/", "."))


def test_an_import_loop_is_caught(tmp_path: Path) -> None:
    copy = tmp_path / "gemini_stream"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    base = copy / "_wire" / "base.py"  # content imports base; now base imports content too
    base.write_text(base.read_text() + "\nfrom .content import Part\n")
    new = [group for group in loops(copy) if group not in loops(PACKAGE)]
    assert len(new) == 1
    assert {"gemini_stream._wire.base", "gemini_stream._wire.content"} <= set(new[0])
