"""Deployed definitions are immutable, so their large content is read once per process and cached.

This module is the bridge from the stored rows to the engine's objects: the only place outside
workflows/engine/ that handles the stored settings JSON (`meta`), which it hands to
workflows.engine.settings once per definition version.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.deployment.conditions import inapplicable_errors
from workflows.deployment.form_messages import message_of, not_a_field
from workflows.engine.serialization import specs_from_dict
from workflows.engine.settings import ProcessInfo, process_info
from workflows.messages import Message
from workflows.models import ProcessDefinition

_MAX_ENTRIES = 256


@dataclass
class CompiledDefinition:
    """What the runtime needs of a definition: the engine spec, the diagram's typed settings, the forms."""

    spec: dict[str, Any]
    info: ProcessInfo
    forms: dict[str, Any]
    # The engine mutates specs when a message starts a pool (DESIGN.md), so diagrams with
    # message events get fresh spec objects per instance; the others share one set.
    shareable: bool = False
    _shared: tuple[Any, dict[str, Any]] | None = field(default=None, repr=False)
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict, repr=False)

    def specs(self) -> tuple[Any, dict[str, Any]]:
        """Spec objects for one instance: shared when safe, else built afresh."""
        if not self.shareable:
            return specs_from_dict(self.spec)
        if self._shared is None:
            self._shared = specs_from_dict(self.spec)
        return self._shared

    def validator(self, form_name: str) -> Draft202012Validator | None:
        """The validator of one form, built on first use (building one resolves the schema anew)."""
        schema = self.forms.get(form_name)
        if schema is None:
            return None
        if form_name not in self._validators:
            self._validators[form_name] = Draft202012Validator(schema, format_checker=FormatChecker())
        return self._validators[form_name]

    def field_title(self, name: str) -> str | None:
        """The title the definition's forms give a top-level data field (the first form declaring it), if any."""
        for form in self.forms.values():
            found = form.get("properties", {}).get(name) if isinstance(form, dict) else None
            if isinstance(found, dict) and isinstance(found.get("title"), str) and found["title"]:
                return found["title"]
        return None

    def form_errors(self, form_name: str, data: dict[str, Any]) -> dict[str, list[Message]]:
        """What is wrong with data submitted to a form, by dotted field path (`parties.0.name`)."""
        validator = self.validator(form_name)
        errors: dict[str, list[Message]] = {}
        inapplicable = inapplicable_errors(validator.schema if validator else None, data)
        for err in validator.iter_errors(data) if validator is not None else ():
            path = ".".join(str(p) for p in err.absolute_path)
            if inapplicable and err.validator == "not" and not path:
                continue  # a branch forbidding a field: said at the field below, in the form's terms
            if err.validator == "required":  # name the missing field, not its parent object
                missing = err.message.split("'")[1] if "'" in err.message else ""
                path = ".".join(filter(None, [path, missing]))
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                for extra in _unexpected(err.schema, err.instance):  # name each field the form lacks
                    field = ".".join(filter(None, [path, extra])) or "_schema"
                    found = not_a_field(extra) if extra else message_of(validator.schema, err)
                    errors.setdefault(field, []).append(found)
                continue
            errors.setdefault(path or "_schema", []).append(message_of(validator.schema, err))
        for name, messages in inapplicable.items():
            errors[name] = messages
        return errors


def _unexpected(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """The keys of data that neither `properties` nor `patternProperties` of the schema allow."""
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [key for key in data if key not in schema.get("properties", {})
            and not any(p.search(key) for p in patterns)] or [""]


LATEST = "xietong.latest_definitions"  # session.info key: (the transaction, the latest versions it read)


def forget_latest(session: Session) -> None:
    """Drop what this transaction read of the latest versions (workflows.deployment.catalog): one was deployed."""
    session.info.pop(LATEST, None)


# Keyed by id and checksum: ids are reused when a test database is emptied, checksums tell versions apart.
_cache: OrderedDict[tuple[int, str], CompiledDefinition] = OrderedDict()
_lock = threading.Lock()


def compiled(session: Session, definition: ProcessDefinition) -> CompiledDefinition:
    """The cached content of a definition version (loaded on first use)."""
    key = (definition.id, definition.checksum)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    row = session.execute(select(ProcessDefinition.spec, ProcessDefinition.meta, ProcessDefinition.forms)
                          .where(ProcessDefinition.id == definition.id)).one()
    entry = CompiledDefinition(spec=row.spec, info=process_info(row.meta), forms=row.forms,
                               shareable="MessageEventDefinition" not in json.dumps(row.spec))
    with _lock:
        _cache[key] = entry
        while len(_cache) > _MAX_ENTRIES:
            _cache.popitem(last=False)
    return entry
