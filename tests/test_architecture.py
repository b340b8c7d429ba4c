"""The house's shape: no import circle, the domain's rooms layered one way, no Flask in the domain, small modules.

Read from the source (the module-level imports of every module), so a circle or a wrong arrow
fails here before it fails at some import order in production. docs/architecture.md explains
the rooms and what each may touch.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "workflows")
MAX_LINES = 400

# workflows/ from the bottom up: a room may import its own modules and the rooms below it, never above.
ROOMS = ["foundations", "models", "audit", "deadlines", "scripting", "engine", "deployment", "accounts", "directory",
         "statistics", "work"]
FOUNDATIONS = {"clock", "db", "errors", "messages", "paging", "strict_json"}  # single modules every room may use


def _modules() -> dict[str, Path]:
    """Dotted name -> file of every module in app/ and workflows/."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an imported name belongs to (a class imported from a module: that module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _top_level_imports(path: Path, module: str) -> Iterator[str]:
    """The dotted names a module imports when it is loaded (not inside functions or `if TYPE_CHECKING`)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports at load time."""
    graph = {}
    for module, path in MODULES.items():
        targets = {_resolve(name) for name in _top_level_imports(path, module)}
        graph[module] = {t for t in targets if t and t != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            if group:
                found.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _room(module: str) -> str | None:
    """The room of a workflows module (None outside workflows/)."""
    parts = module.split(".")
    if parts[0] != "workflows" or len(parts) == 1:
        return None
    if parts[1] in FOUNDATIONS:
        return "foundations"
    return parts[1]


def test_no_module_imports_another_that_imports_it_back() -> None:
    assert _cycles(_graph()) == []


def test_every_room_of_the_domain_is_known() -> None:
    rooms = {_room(m) for m in MODULES} - {None}
    assert rooms <= set(ROOMS), f"place these rooms in ROOMS: {rooms - set(ROOMS)}"


@pytest.mark.parametrize("room", ROOMS)
def test_a_room_imports_only_the_rooms_below_it(room: str) -> None:
    allowed = set(ROOMS[: ROOMS.index(room) + 1])
    wrong = sorted(f"{module} -> {target}" for module, targets in _graph().items() if _room(module) == room
                   for target in targets if _room(target) is not None and _room(target) not in allowed)
    assert wrong == []


def test_the_domain_never_imports_flask_or_the_web_layer() -> None:
    """Anywhere in workflows/, functions included: services take the session and the user as arguments."""
    wrong = []
    for module, path in MODULES.items():
        if not module.startswith("workflows"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            wrong += [f"{module}: {n}" for n in names if n.split(".")[0] in ("flask", "flask_login", "app")]
    assert wrong == []


def test_no_module_is_over_400_lines() -> None:
    too_long = {str(path.relative_to(ROOT)): n for folder in (*PACKAGES, "bench", "tests")
                for path in (ROOT / folder).rglob("*.py") if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert too_long == {}
