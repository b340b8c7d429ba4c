"""Every code the source raises or stores is in the catalog: an unknown code fails when raised, so find it first.

A refusal written the old way (`ConflictError("the item is closed")`) would raise UnknownMessageError
at the moment a user meets it; this reads the source of app/ and workflows/ for the codes given to
the domain's errors, `message()` and `problem()` as literals.
"""

from __future__ import annotations

import ast
from pathlib import Path

from workflows import errors
from workflows.messages import CATALOG, CodedError

ROOT = Path(__file__).resolve().parent.parent
# Calls whose first literal argument is a message code: the coded errors, and the message builders.
BUILDERS = {"message": 0, "problem": 1}


def _sources() -> list[Path]:
    return [*(ROOT / "workflows").rglob("*.py"), *(ROOT / "app").rglob("*.py")]


def _coded_error_names() -> set[str]:
    """The names of the exception classes that carry a message: CodedError and what derives from it, to the end."""
    bases = {node.name: {getattr(b, "id", None) or getattr(b, "attr", None) for b in node.bases}
             for path in _sources() for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ClassDef)}
    found = {"CodedError"}
    while grown := {name for name, parents in bases.items() if parents & found} - found:
        found |= grown
    return found


def _literal_codes() -> list[tuple[str, int, str]]:
    """(file, line, code) of every literal code handed to a coded error or a message builder."""
    names = _coded_error_names()
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            position = 0 if name in names else BUILDERS.get(name or "")
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.append((str(path.relative_to(ROOT)), node.lineno, argument.value))
    return found


def test_the_scan_sees_the_raise_sites() -> None:
    codes = {code for _, _, code in _literal_codes()}
    assert {"work_item_status", "lane_unresolved", "task_without_lane", "notice_task_arrived",
            "form_confirm"} <= codes
    assert {"ConflictError", "LaneResolutionError", "DiagramInvalidError"} <= _coded_error_names()
    assert issubclass(errors.DomainError, CodedError)


def test_every_literal_code_is_in_the_catalog() -> None:
    unknown = [f"{file}:{line}: {code!r}" for file, line, code in _literal_codes() if code not in CATALOG]
    assert unknown == []
