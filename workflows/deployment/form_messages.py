"""A submission's JSON Schema errors as messages (workflows.messages.catalog_forms): a code per kind of check.

Values are written as JSON, as the sender typed them (`["张三"]`, not Python's `['张三']`), and a field is
named by its title in the form. Two errors a form's reader could not act on are said in the form's own
words: a checkbox that must be ticked names what must be confirmed (`form_confirm`), and a list
missing a required option names the option (`form_option_missing`).
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema.exceptions import ValidationError

from workflows.messages import Message, message


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


_TYPES = {"integer": "form_not_integer", "number": "form_not_number", "string": "form_not_string",
          "boolean": "form_not_boolean"}
_FORMATS = {"date": "form_not_date", "date-time": "form_not_date", "time": "form_not_time",
            "email": "form_not_email", "idn-email": "form_not_email"}
_BOUNDS = {"minimum": "form_minimum", "maximum": "form_maximum", "exclusiveMinimum": "form_exclusive_minimum",
           "exclusiveMaximum": "form_exclusive_maximum", "multipleOf": "form_multiple_of",
           "minItems": "form_min_items", "maxItems": "form_max_items", "minLength": "form_min_length",
           "maxLength": "form_max_length"}


def _typed(err: ValidationError) -> Message:
    """A value of the wrong type: a code for each simple type, one for a wrong shape."""
    expected = err.validator_value if isinstance(err.validator_value, str) else "/".join(map(str, err.validator_value))
    code = _TYPES.get(expected, "form_wrong_shape")
    return message(code, value=as_typed(err.instance), expected=expected)


def _other(root: dict[str, Any], err: ValidationError, title: str) -> Message:
    """The checks without a sentence of their own in the form's words."""
    value = as_typed(err.instance)
    if err.validator == "const":
        return message("form_const", expected=as_typed(err.validator_value), title=title)
    if err.validator in ("enum", "oneOf", "anyOf"):
        return message("form_not_an_option", value=value, title=title)
    if err.validator == "format":
        return message(_FORMATS.get(err.validator_value, "form_not_format"), value=value, format=err.validator_value,
                       title=title)
    if err.validator == "pattern":
        return message("form_pattern", value=value, pattern=err.validator_value, title=title)
    if err.validator == "uniqueItems":
        return message("form_not_unique", value=value, title=title)
    if err.validator == "contains":
        return message("form_entry_missing", value=value, title=title)
    if err.validator == "not":
        refused = err.validator_value.get("required") if isinstance(err.validator_value, dict) else None
        if refused and set(err.validator_value) == {"required"}:
            return message("form_must_be_empty", fields=[str(name) for name in refused], title=title)
        return message("form_not_allowed", value=value, title=title)
    return message("form_invalid", detail=err.message, title=title)


def message_of(root: dict[str, Any], err: ValidationError) -> Message:
    """One error as a message: values as JSON, the field by its title, a checkbox and a required option named."""
    title = _title(root, err)
    if _must_be_ticked(err):
        return message("form_confirm", title=title)
    if err.validator == "contains" and isinstance(err.validator_value, dict) and "const" in err.validator_value:
        return message("form_option_missing", option=_option_label(root, err, err.validator_value["const"]),
                       title=title)
    if err.validator == "required":
        name = err.message.split("'")[1] if "'" in err.message else ""
        field = err.schema.get("properties", {}).get(name, {}) if isinstance(err.schema, dict) else {}
        return message("form_required", name=name, title=str(field.get("title") or name) if isinstance(field, dict)
                       else name)
    if err.validator == "type":
        return _typed(err)
    if err.validator in _BOUNDS:
        return message(_BOUNDS[err.validator], value=as_typed(err.instance), limit=err.validator_value, title=title)
    if err.validator == "dependentRequired":
        needed = err.message.split("'")[1] if "'" in err.message else ""
        given = err.message.split("'")[3] if err.message.count("'") >= 4 else ""
        return message("form_dependency", needed=needed, given=given, title=title)
    return _other(root, err, title)


def not_a_field(name: str) -> Message:
    """A key the form does not have."""
    return message("form_not_a_field", name=name)
