"""A submission's JSON Schema errors as the people and systems sending it read them.

jsonschema writes values as Python reprs (`['张三'] is too short`, `True was expected`); the API answers
with these messages and the pages translate them by rule (app/web/form_errors.py). Here the values are
written as JSON, as the sender typed them (`["张三"] is too short`), and two errors a form's reader
cannot act on are said in the form's own words: a checkbox that must be ticked names its title
(`must be confirmed: 已将移送书抄送同级人民检察院`), and a list missing a required option names it
(`must include the option: 涉嫌犯罪案件移送书`).
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema.exceptions import ValidationError


def as_typed(value: Any) -> str:
    """A value as JSON, non-ASCII characters kept."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _schemas_along(root: dict[str, Any], err: ValidationError) -> list[dict[str, Any]]:
    """The schemas from the form's root down to the one that failed (the last), following the error's path."""
    found, node = [root], root
    for step in list(err.schema_path)[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            found.append(node)
    return found


def _title(root: dict[str, Any], err: ValidationError) -> str:
    """The failing field's title (its name when it has none)."""
    for schema in reversed(_schemas_along(root, err)):
        if schema.get("title"):
            return str(schema["title"])
    return str(err.absolute_path[-1]) if err.absolute_path else ""


def _option_label(root: dict[str, Any], err: ValidationError, value: Any) -> str:
    """The title the list's items give an option (`oneOf`/`anyOf` of `const` + `title`), else the value."""
    for schema in reversed(_schemas_along(root, err)):
        items = schema.get("items")
        if isinstance(items, dict):
            for option in items.get("oneOf", []) + items.get("anyOf", []):
                if isinstance(option, dict) and option.get("const") == value and option.get("title"):
                    return str(option["title"])
            break
    return value if isinstance(value, str) else as_typed(value)


def _must_be_ticked(err: ValidationError) -> bool:
    """A checkbox the form requires ticked: `const: true` or `enum: [true]`."""
    allowed = err.validator_value
    return err.instance is not True and ((err.validator == "const" and allowed is True)
                                         or (err.validator == "enum" and allowed == [True]))


def message(root: dict[str, Any], err: ValidationError) -> str:
    """One error's message: values as JSON, a checkbox and a required option named."""
    if _must_be_ticked(err):
        return f"must be confirmed: {_title(root, err)}"
    if err.validator == "contains" and isinstance(err.validator_value, dict) and "const" in err.validator_value:
        return f"must include the option: {_option_label(root, err, err.validator_value['const'])}"
    text = err.message
    if err.validator in ("const", "enum"):
        text = text.replace(repr(err.validator_value), as_typed(err.validator_value))
    if err.validator != "required" and text.startswith(repr(err.instance)):
        text = as_typed(err.instance) + text[len(repr(err.instance)):]
    return text
