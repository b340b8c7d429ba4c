"""Task forms from JSON Schema: which widget each field gets, and the posted form read back as data.

Field names are the dotted paths the form validator reports errors at (`parties.0.name`), so
every error lands on its field. New rows of repeating lists are numbered by the browser.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from workflows import strict_json
from workflows.deadlines.calendar import SHANGHAI
from workflows.directory.choices import HINT as AGENCIES
from workflows.work.attachments import ATTACHMENT_KEYS, is_attachment

MISSING: Any = object()
TEXTAREA_FROM = 300  # strings allowed to be longer than this get a text area
_INT = re.compile(r"^[+-]?\d+$")
_LOCAL_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")

SaveFile = Callable[[FileStorage], dict[str, Any]]


def schema_type(schema: dict[str, Any]) -> str:
    """The JSON type a field holds (the first non-null one of a union)."""
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    if declared:
        return declared
    if "properties" in schema:
        return "object"
    return "string"


def choices(schema: dict[str, Any]) -> list[tuple[Any, str]] | None:
    """The allowed values with their titles, from enum or oneOf/anyOf of consts."""
    if "enum" in schema:
        return [(value, str(value)) for value in schema["enum"]]
    for keyword in ("oneOf", "anyOf"):
        options = schema.get(keyword)
        if options and all(isinstance(o, dict) and "const" in o for o in options):
            return [(o["const"], o.get("title", str(o["const"]))) for o in options]
    return None


def widget(schema: dict[str, Any]) -> str:
    """The input a field is rendered with."""
    if is_attachment(schema):
        return "file"
    kind = schema_type(schema)
    if kind == "array":
        items = schema.get("items") or {}
        if is_attachment(items):
            return "files"
        if choices(items):
            return "checkboxes"
        return "table" if schema_type(items) == "object" else "list"
    if kind == "object":
        return "group"
    options = choices(schema)
    if options:
        return "select" if AGENCIES in schema or len(options) > 4 else "radio"  # agencies: a list by name
    if kind in ("boolean", "number", "integer"):
        return kind
    if schema.get("format") in ("date", "date-time"):
        return "date" if schema["format"] == "date" else "datetime"
    return "textarea" if schema.get("maxLength", 0) > TEXTAREA_FROM else "text"


def input_value(schema: dict[str, Any], value: Any) -> str:
    """A stored value as an input's text (date-times in Shanghai wall-clock minutes)."""
    if value is None or value is MISSING:
        return ""
    if schema.get("format") == "date-time" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            return value
    return str(value)


def parse_form(schema: dict[str, Any], form: MultiDict, files: MultiDict, save: SaveFile) -> dict[str, Any]:
    """Read a posted form back into data shaped by the schema; blanks are left out."""
    tree: dict[str, Any] = {}
    for key in form:
        if key != "csrf_token":
            _put(tree, key, form.getlist(key))
    for key in files:
        _put(tree, key, [f for f in files.getlist(key) if f and f.filename])
    data = _read(schema, tree, save)
    return data if isinstance(data, dict) else {}


def _put(tree: dict[str, Any], key: str, values: list[Any]) -> None:
    """Store values at a dotted path; a path that is also a branch keeps the branch."""
    *branches, leaf = key.split(".")
    node = tree
    for part in branches:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return
        node = child
    existing = node.get(leaf)
    if isinstance(existing, list):
        existing.extend(values)
    elif existing is None:
        node[leaf] = list(values)


def _read(schema: dict[str, Any], node: Any, save: SaveFile) -> Any:
    """The value of one field from its part of the posted tree, or MISSING."""
    kind = widget(schema)
    if kind == "group":
        return _read_object(schema, node, save)
    if kind in ("table", "list"):
        return _read_rows(schema.get("items") or {}, node, save)
    if not isinstance(node, list):
        return MISSING
    if kind == "file":
        found = _read_files(node, save)
        return found[-1] if found else MISSING
    if kind == "files":
        return _read_files(node, save) or MISSING
    if kind == "checkboxes":
        item_schema = schema.get("items") or {}
        values = [_scalar(item_schema, v) for v in node if isinstance(v, str) and v.strip()]
        return values or MISSING
    if kind == "boolean":
        return "true" in node
    texts = [v for v in node if isinstance(v, str)]
    return _scalar(schema, texts[-1]) if texts and texts[-1].strip() else MISSING


def _read_object(schema: dict[str, Any], node: Any, save: SaveFile) -> Any:
    """The posted fields of an object, in schema order."""
    if not isinstance(node, dict):
        return MISSING
    result = {}
    for name, sub in (schema.get("properties") or {}).items():
        if name in node:
            value = _read(sub, node[name], save)
            if value is not MISSING:
                result[name] = value
    return result or MISSING


def _read_rows(item_schema: dict[str, Any], node: Any, save: SaveFile) -> Any:
    """The rows of a repeating list in their posted order; empty rows are dropped."""
    if not isinstance(node, dict):
        return MISSING
    rows = []
    for index in sorted((k for k in node if _INT.match(k)), key=int):
        value = _read(item_schema, node[index], save)
        if value is not MISSING:
            rows.append(value)
    return rows or MISSING


def _read_files(values: list[Any], save: SaveFile) -> list[dict[str, Any]]:
    """New uploads are stored; attachments uploaded before come back as their JSON description."""
    found = []
    for value in values:
        if isinstance(value, FileStorage):
            found.append(save(value))
        elif isinstance(value, str) and value.strip().startswith("{"):
            try:
                described = strict_json.loads(value)
            except ValueError:
                continue
            if isinstance(described, dict) and re.fullmatch(r"[0-9a-f]{64}", str(described.get("sha256", ""))):
                found.append({key: described.get(key) for key in ATTACHMENT_KEYS})
    return found


def _scalar(schema: dict[str, Any], text: str) -> Any:
    """A typed value from an input's text; text that does not parse is kept for the validator to name."""
    text = text.strip()
    options = choices(schema)
    if options:
        return next((value for value, _title in options if str(value) == text), text)
    kind = schema_type(schema)
    if kind == "integer":
        return int(text) if _INT.match(text) else text
    if kind == "number":
        if _INT.match(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) else text
    if schema.get("format") == "date-time" and _LOCAL_MINUTE.match(text):
        return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).isoformat()
    return text
