"""The forms of a diagram: the start form's rules, and uploaded forms nothing references (a warning).

A form file uploaded beside a diagram is used when a user task or a start event names it (`form`,
camunda `formKey`, spiffworkflow `formJsonSchemaFilename`). SpiffArena also names a UI schema per
form (`formUiSchemaFilename`); Xietong draws its forms from the JSON Schema alone, but a UI schema
named so is not forgotten either. Any other uploaded file would be stored and never applied — most
often a reference the diagram spells differently — so the deployment says so.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from workflows.engine.diagram import DeclaredProcess, extension_properties
from workflows.messages import problem

UI_SCHEMA_PROPERTIES = ("formUiSchemaFilename",)  # spiffworkflow


def referenced_forms(root: etree._Element, info: DeclaredProcess) -> set[str]:
    """The file names the diagram's tasks and start events name as forms (and SpiffArena's UI schemas)."""
    used = {task.form for task in info.tasks.values() if task.form} | set(info.start_forms.values())
    for node in root.iter():
        if isinstance(node.tag, str):
            props = extension_properties(node)
            used |= {props[name] for name in UI_SCHEMA_PROPERTIES if props.get(name)}
    return used


def unused_form_warnings(root: etree._Element, info: DeclaredProcess, forms: dict[str, Any]) -> list[dict[str, Any]]:
    """A warning for each uploaded form that no task or start event references."""
    used = referenced_forms(root, info)
    return [problem(name, "form_unreferenced", form=name)
            for name in sorted(forms) if name not in used]


def check_start_forms(info: DeclaredProcess, forms: dict[str, Any]) -> list[dict[str, Any]]:
    """A start form must be uploaded, and describe an object; start events may not disagree on it."""
    errors = []
    for event, form in info.start_forms.items():
        if form not in forms:
            errors.append(problem(event, "start_form_not_uploaded", form=form))
        elif forms[form].get("type", "object") != "object":
            errors.append(problem(event, "start_form_not_object", form=form))
    if len(set(info.start_forms.values())) > 1:
        errors += [problem(event, "start_forms_differ")
                   for event in info.start_forms]
    return errors
