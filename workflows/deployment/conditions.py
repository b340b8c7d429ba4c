"""Conditional fields: when a form's field applies, read from its JSON Schema (docs/diagrams.md §6).

A top-level field that the form requires or declares only inside a branch applies only when that
branch does: `if: {properties: {acceptance: {const: "forward"}}}, then: {required: ["forward_reason"]}`
(at the root or in `allOf`) shows 转送理由 only when forwarding; an `else` branch applies when the
condition does not hold; `dependentSchemas: {agent_appointed: {required: ["agent_name"]}}` shows the
agent's name once `agent_appointed` holds a value. The page shows and hides such fields as the choices
change (app/static/js/forms.js); a submission holding a field that does not apply is refused at it,
so the server reads the form as the page showed it. A field the form requires unconditionally, or
that some branch's condition reads, always applies.
"""

from __future__ import annotations

from typing import Any

from workflows.messages import Message, message

Condition = dict[str, Any]  # {"field": name, "values": [...], "negate": bool} or {"field": name, "present": True}


def _trigger(test: Any) -> tuple[str, list[Any]] | None:
    """The one field an `if` tests and the values that make it hold (`const` or `enum`), else None."""
    if not isinstance(test, dict) or not isinstance(test.get("properties"), dict) or len(test["properties"]) != 1:
        return None
    (name, rule), = test["properties"].items()
    if not isinstance(rule, dict):
        return None
    if "const" in rule:
        return name, [rule["const"]]
    if isinstance(rule.get("enum"), list):
        return name, list(rule["enum"])
    return None


def _named(branch: Any) -> set[str]:
    """The fields a branch requires or declares (not what it forbids under `not`)."""
    if not isinstance(branch, dict):
        return set()
    required = branch.get("required") if isinstance(branch.get("required"), list) else []
    declared = branch.get("properties") if isinstance(branch.get("properties"), dict) else {}
    return {str(name) for name in required} | {str(name) for name in declared}


def field_conditions(schema: dict[str, Any] | None) -> dict[str, list[Condition]]:
    """For each conditional top-level field, the conditions under which it applies (any one suffices)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return {}
    found: dict[str, list[Condition]] = {}
    triggers: set[str] = set()
    blocks = [schema] + [b for b in schema.get("allOf") or [] if isinstance(b, dict)]
    for block in blocks:
        trigger = _trigger(block.get("if"))
        if trigger is not None:
            field, values = trigger
            triggers.add(field)
            for name in _named(block.get("then")):
                found.setdefault(name, []).append({"field": field, "values": values, "negate": False})
            for name in _named(block.get("else")):
                found.setdefault(name, []).append({"field": field, "values": values, "negate": True})
        dependent = block.get("dependentSchemas")
        for field, branch in (dependent.items() if isinstance(dependent, dict) else ()):
            triggers.add(field)
            for name in _named(branch):
                found.setdefault(name, []).append({"field": field, "present": True})
    always = set(schema.get("required") or []) | triggers
    return {name: conditions for name, conditions in found.items()
            if name in schema["properties"] and name not in always}


def _holds(condition: Condition, data: dict[str, Any]) -> bool:
    value = data.get(condition["field"])
    if condition.get("present"):
        return value not in (None, "", [], {})
    return (value in condition["values"]) != bool(condition.get("negate"))


def applies(conditions: list[Condition] | None, data: dict[str, Any]) -> bool:
    """Whether a field with these conditions applies to the data (a field without any always does)."""
    return not conditions or any(_holds(condition, data) for condition in conditions)


def inapplicable_errors(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, list[Message]]:
    """The submitted fields that do not apply to the data's choices, each with the refusal at its name."""
    if not isinstance(data, dict):
        return {}
    return {name: [message("form_not_applicable")] for name, conditions in field_conditions(schema).items()
            if name in data and not applies(conditions, data)}
