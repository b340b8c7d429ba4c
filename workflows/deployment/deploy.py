"""Validating and deploying process diagrams with their forms."""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows import strict_json
from workflows.audit import record
from workflows.deadlines.periods import PeriodError, parse_period
from workflows.deployment.definitions import forget_latest
from workflows.deployment.form_use import check_start_forms, unused_form_warnings
from workflows.engine.diagram import (
    DeclaredProcess,
    DeclaredTask,
    containers,
    element_ids,
    executable_processes,
    read_process,
)
from workflows.engine.prefill import PREFILL_FUNCTIONS, PrefillSyntaxError, parse_prefill
from workflows.engine.runtime import parse_spec
from workflows.engine.serialization import spec_to_dict
from workflows.engine.settings import MAX_EXTENSIONS_TEXT, PRIORITY_TEXT, process_info
from workflows.engine.xml import UnsafeXmlError, parse_xml, utf8_document
from workflows.errors import InvalidDataError
from workflows.messages import coded_problem, message, problem
from workflows.models import AgencyType, ProcessDefinition, User
from workflows.scripting import check_expression, check_script

MAX_FORM_BYTES = 256 * 1024
MAX_FORMS = 100
PROCESS_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
COUNTED_CODE = re.compile(r"[a-z][a-z0-9_]{0,49}")  # an outcome or measure code: stored, grouped and exported
# The engine names its own start and end specs so; diagram elements with these ids vanish silently.
RESERVED_IDS = frozenset({"Start", "End"})


class DiagramInvalidError(InvalidDataError):
    """The diagram or its forms cannot be deployed; details lists {element, message}."""


@dataclass
class ValidDiagram:
    """A diagram that passed every check, ready to store."""

    xml: str
    declared: DeclaredProcess
    forms: dict[str, Any]
    spec: dict[str, Any]
    checksum: str
    warnings: list[dict[str, Any]]  # {element, message}: deployable, but probably not what was meant


def _named(problems: list[dict[str, Any]], root: etree._Element) -> list[dict[str, Any]]:
    """The problems with each element's name from the diagram, so pages can name a task by its name."""
    names = {node.get("id"): node.get("name") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    return [{**found, "name": names.get(found["element"]) or None} for found in problems]


def _load_forms(raw_forms: dict[str, bytes]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Parse each form file as JSON and check it is a valid JSON Schema."""
    forms, errors = {}, []
    if len(raw_forms) > MAX_FORMS:
        return {}, [problem(None, "too_many_forms", count=len(raw_forms), limit=MAX_FORMS)]
    for name, raw in raw_forms.items():
        if len(raw) > MAX_FORM_BYTES:
            errors.append(problem(name, "form_too_large", limit=MAX_FORM_BYTES))
            continue
        try:
            schema = strict_json.loads(raw)  # NaN in a form would be stored, then refused by PostgreSQL
            Draft202012Validator.check_schema(schema)
        except strict_json.JsonInputError as err:
            errors.append(problem(name, "form_not_json", reason=err.message))
            continue
        except (ValueError, SchemaError) as err:
            errors.append(problem(name, "form_schema_invalid", detail=str(getattr(err, "message", err))))
            continue
        if not isinstance(schema, dict):
            errors.append(problem(name, "form_not_object"))
            continue
        forms[name] = schema
    return forms, errors


def _check_lanes(info: DeclaredProcess, agency_types: set[str]) -> list[dict[str, Any]]:
    """Every lane used by a user task must stand for a known agency type."""
    errors = []
    used = {task.lane for task in info.tasks.values() if task.lane}
    used |= {lane for lane in _referenced_lanes(info) if lane in info.lanes}
    for lane_id in sorted(used):
        lane = info.lanes[lane_id]
        agency_type = lane.agency_type or (lane.name if lane.name in agency_types else None)
        if agency_type is None:
            errors.append(problem(lane_id, "lane_without_type", lane=lane.name))
        elif agency_type not in agency_types:
            errors.append(problem(lane_id, "lane_type_unknown", lane=lane.name, code=agency_type))
        else:
            lane.agency_type = agency_type  # stored in meta, so a lane named after its type resolves too
        if lane.agency_from and not IDENTIFIER.match(lane.agency_from):
            errors.append(problem(lane_id, "not_a_field_name", property="agencyFrom", value=lane.agency_from))
    return errors


def _referenced_lanes(info: DeclaredProcess) -> set[str]:
    """Lanes named by copyTo, escalateTo and notify (whose agencies receive copies and notices)."""
    refs = set()
    for task in info.tasks.values():
        refs |= set(task.copy_to) | {entry.split(":")[0] for entry in task.escalate_to}
    for notice in info.notices.values():
        refs |= {entry.split(":")[0] for entry in notice.notify}
    return refs


def _check_recipients(element: str, prop: str, entries: list[str], info: DeclaredProcess) -> list[dict[str, Any]]:
    """Entries of escalateTo / notify: a known lane id, optionally ':role'."""
    errors = []
    for entry in entries:
        lane, _, role = entry.partition(":")
        if lane not in info.lanes:
            errors.append(problem(element, "unknown_lane", property=prop, lane=lane))
        elif ":" in entry and not IDENTIFIER.match(role):
            errors.append(problem(element, "recipient_role_invalid", property=prop, entry=entry))
    return errors


def _check_period(element: str, prop: str, value: str | None, *, clock_only: bool = False) -> list[dict[str, Any]]:
    """A period property must parse (and have a fixed clock length where it is a time before a due time)."""
    if not value:
        return []
    try:
        period = parse_period(value)
        period.check_bounds()
    except PeriodError as err:
        return [problem(element, "property_period_invalid", property=prop, reason=err.msg)]
    if clock_only and period.length() is None:
        return [problem(element, "period_not_clock", property=prop, value=value)]
    return []


def _check_deadline_rules(info: DeclaredProcess) -> list[dict[str, Any]]:
    """Escalation, reminders, extensions, notices and `due_at` timers (docs/diagrams.md §5, §8)."""
    errors = []
    for task in info.tasks.values():
        errors += _check_recipients(task.id, "escalateTo", task.escalate_to, info)
        errors += _check_period(task.id, "remindBefore", task.remind_before, clock_only=True)
        errors += _check_period(task.id, "extension", task.extension)
        if (task.escalate_to or task.extension or task.remind_before) and not (task.deadline or task.deadline_date):
            errors.append(problem(task.id, "deadline_rules_need_deadline"))
        if not IDENTIFIER.match(task.extension_role):
            errors.append(problem(task.id, "extension_role_invalid", value=task.extension_role))
        if not MAX_EXTENSIONS_TEXT.fullmatch(task.max_extensions):
            errors.append(problem(task.id, "max_extensions_invalid", value=task.max_extensions))
        if task.late_extension is not None and task.late_extension.lower() not in ("true", "false"):
            errors.append(problem(task.id, "late_extension_invalid", value=task.late_extension))
        if task.late_extension is not None and not task.extension:
            errors.append(problem(task.id, "late_extension_needs_period"))
    for notice in info.notices.values():
        errors += _check_recipients(notice.id, "notify", notice.notify, info)
    for timer, task_id in info.deadline_timers.items():
        task = info.tasks.get(task_id)
        if task is None or not (task.deadline or task.deadline_date):
            errors.append(problem(timer, "due_timer_misplaced"))
    return errors


def _check_tasks(info: DeclaredProcess, forms: dict[str, Any]) -> list[dict[str, Any]]:
    """User tasks need a lane, resolvable forms, valid deadlines and known copy lanes."""
    errors = []
    for task in info.tasks.values():
        if task.lane is None:
            errors.append(problem(task.id, "task_without_lane", task=task.name))
        if task.form and task.form not in forms:
            errors.append(problem(task.id, "form_not_uploaded", form=task.form))
        if task.deadline:
            try:
                parse_period(task.deadline).check_bounds()
            except PeriodError as err:
                errors.append(coded_problem(task.id, err))
        if task.deadline_from and not IDENTIFIER.match(task.deadline_from):
            errors.append(problem(task.id, "not_a_field_name", property="deadlineFrom", value=task.deadline_from))
        errors += _check_deadline_date(task)
        if task.title_agency and not IDENTIFIER.match(task.title_agency):
            errors.append(problem(task.id, "not_a_field_name", property="titleAgency", value=task.title_agency))
        errors += _check_prefill(task)
        if not PRIORITY_TEXT.fullmatch(task.priority):
            errors.append(problem(task.id, "priority_invalid", value=task.priority))
        errors += [problem(task.id, "unknown_lane", property="copyTo", lane=lane) for lane in task.copy_to
                   if lane not in info.lanes]
    return errors


def _check_deadline_date(task: DeclaredTask) -> list[dict[str, Any]]:
    """deadlineDate names a data field, and stands instead of a period (docs/diagrams.md §5)."""
    if not task.deadline_date:
        return []
    if not IDENTIFIER.match(task.deadline_date):
        return [problem(task.id, "not_a_field_name", property="deadlineDate", value=task.deadline_date)]
    if task.deadline or task.deadline_from:
        return [problem(task.id, "deadline_date_combined")]
    return []


def _check_prefill(task: DeclaredTask) -> list[dict[str, Any]]:
    """prefill lines call a function the product offers, with the arguments it takes (docs/diagrams.md §4.1)."""
    if not task.prefill:
        return []
    try:
        lines = parse_prefill(task.prefill)
    except PrefillSyntaxError as err:
        return [coded_problem(task.id, err)]
    errors = []
    for line in lines:
        if line.function not in PREFILL_FUNCTIONS:
            errors.append(problem(task.id, "prefill_unknown_function", function=line.function,
                                  offered=sorted(PREFILL_FUNCTIONS)))
        elif len(line.arguments) != PREFILL_FUNCTIONS[line.function]:
            errors.append(problem(task.id, "prefill_arity", function=line.function,
                                  count=PREFILL_FUNCTIONS[line.function]))
    return errors


def _check_counted(info: DeclaredProcess) -> list[dict[str, Any]]:
    """Outcomes on end events only, and codes the statistics can store (docs/diagrams.md §9)."""
    errors = [problem(element, "outcome_misplaced") for element in info.misplaced_outcomes]
    for prop, declared in (("outcome", info.outcomes), ("measure", info.measures)):
        errors += [problem(element, "counted_code_invalid", property=prop, code=counted.code)
                   for element, counted in declared.items() if not COUNTED_CODE.fullmatch(counted.code)]
    errors += [problem(task.id, "counted_code_invalid", property="kpi", code=task.kpi)
               for task in info.tasks.values() if task.kpi and not COUNTED_CODE.fullmatch(task.kpi)]
    errors += [problem(task.id, "kpi_needs_deadline")
               for task in info.tasks.values() if task.kpi and not (task.deadline or task.deadline_date)]
    return errors


def _check_expressions(info: DeclaredProcess) -> list[dict[str, Any]]:
    """Every condition, script and timer must compile in the restricted environment."""
    errors = []
    for expr in info.expressions:
        problems = check_script(expr.text) if expr.kind == "script" else check_expression(expr.text)
        errors += [problem(expr.element, f"{expr.kind}_not_allowed", detail=p) for p in problems]
        if not problems:
            errors += [coded_problem(expr.element, err) for err in _deadline_call_errors(expr.text, expr.kind)]
    return errors


def _deadline_call_errors(text: str, kind: str) -> list[PeriodError]:
    """The periods written in `deadline("...", start)` calls of a timer expression that no deadline may have."""
    found = []
    tree = ast.parse(text.strip(), mode="exec" if kind == "script" else "eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "deadline" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            try:
                parse_period(node.args[0].value).check_bounds()
            except PeriodError as err:
                found.append(err)
    return found


def _engine_spec(root: etree._Element, key: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Let the engine parse the process; report its complaint with the element it names."""
    try:
        spec, subs = parse_spec(root, key)
        return spec_to_dict(spec, subs), []
    except Exception as err:  # the parser raises many types; each must become a 422, not a 500
        element = getattr(err, "id", None) or getattr(err, "name", None)
        return None, [problem(element, "engine_parse_failed", detail=str(err))]


def _label(node: etree._Element) -> str:
    """An element's name with its id, for messages."""
    name, node_id = node.get("name") or "", node.get("id") or ""
    return f"'{name}' ({node_id})" if name and name != node_id else f"'{node_id}'"


def _no_executable_process(root: etree._Element) -> list[dict[str, Any]]:
    """Name what to fix when nothing is executable: each process (at its pool, which the modeler draws), else
    each pool without a process, else each collaboration."""
    found = containers(root)
    errors = []
    for process in found.processes:
        flag = process.get("isExecutable")
        has = message("executable_flag", value=flag) if flag is not None else message("no_executable_flag")
        pool = found.pool_of(process)
        errors.append(problem(pool.get("id"), "pool_process_not_executable", pool=_label(pool),
                              process=_label(process), flag=has) if pool is not None
                      else problem(process.get("id"), "process_not_executable", process=_label(process), flag=has))
    errors = errors or [problem(pool.get("id"), "pool_without_process", pool=_label(pool)) for pool in found.pools]
    errors = errors or [problem(c.get("id"), "collaboration_empty", name=_label(c)) for c in found.collaborations]
    return errors or [problem(None, "no_process")]


def checksum(xml: bytes, raw_forms: dict[str, bytes]) -> str:
    """A digest of the diagram and forms, to recognise an identical re-upload."""
    digest = hashlib.sha256(xml)
    for name in sorted(raw_forms):
        digest.update(b"\0" + name.encode() + b"\0" + raw_forms[name])
    return digest.hexdigest()


def validate_diagram(xml: bytes, raw_forms: dict[str, bytes], agency_types: set[str]) -> ValidDiagram:
    """Run every deploy-time check; raise DiagramInvalidError with all errors found."""
    try:
        root = parse_xml(xml)
        text = utf8_document(xml).decode("utf-8")  # stored and served as UTF-8, whatever the upload's encoding
    except UnsafeXmlError as err:
        raise DiagramInvalidError("diagram_unreadable", [coded_problem(None, err)]) from err
    errors = [problem(i, "id_reserved", id=i)
              for i in element_ids(root) if i in RESERVED_IDS]
    processes = executable_processes(root)
    if not processes:
        errors += _no_executable_process(root)
        raise DiagramInvalidError("diagram_not_executable", _named(errors, root))
    info = read_process(processes[0])
    if not PROCESS_KEY.match(info.key):
        errors.append(problem(info.key, "process_id_invalid"))
    forms, form_errors = _load_forms(raw_forms)
    errors += form_errors + _check_lanes(info, agency_types) + _check_tasks(info, forms) \
        + check_start_forms(info, forms)
    errors += _check_deadline_rules(info) + _check_counted(info) + _check_expressions(info)
    spec = None
    if not errors:  # the engine's own parse is the costliest check and assumes the rest passed
        spec, engine_errors = _engine_spec(root, info.key)
        errors += engine_errors
    if errors:
        raise DiagramInvalidError("diagram_invalid", _named(errors, root))
    return ValidDiagram(text, info, forms, spec, checksum(xml, raw_forms),
                        _named(unused_form_warnings(root, info, forms), root))


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    """The newest deployed version of a process."""
    stmt = select(ProcessDefinition).where(ProcessDefinition.key == key)
    return session.scalars(stmt.order_by(ProcessDefinition.version.desc()).limit(1)).first()


@dataclass
class Deployment:
    """A deployment's result: the version (new, or the identical latest one) and the validator's warnings."""

    definition: ProcessDefinition
    created: bool
    warnings: list[dict[str, Any]]


def deploy(session: Session, xml: bytes, raw_forms: dict[str, bytes],
           actor: User | None) -> tuple[ProcessDefinition, bool]:
    """Store a new version unless it is identical to the latest; return it and whether it is new."""
    done = deploy_checked(session, xml, raw_forms, actor)
    return done.definition, done.created


def deploy_checked(session: Session, xml: bytes, raw_forms: dict[str, bytes], actor: User | None) -> Deployment:
    """deploy(), with the warnings of a diagram that deploys but is probably not what was meant."""
    valid = validate_diagram(xml, raw_forms, set(session.scalars(select(AgencyType.code))))
    latest = latest_definition(session, valid.declared.key)
    if latest is not None and latest.checksum == valid.checksum:
        return Deployment(latest, False, valid.warnings)
    version = (session.scalar(select(func.max(ProcessDefinition.version))
                              .where(ProcessDefinition.key == valid.declared.key)) or 0) + 1
    meta = valid.declared.to_meta()
    definition = ProcessDefinition(
        key=valid.declared.key, version=version, name=valid.declared.name, diagram_xml=valid.xml,
        forms=valid.forms, checksum=valid.checksum, spec=valid.spec, meta=meta,
        start_agency_types=sorted(process_info(meta).start_agency_types), deployed_by=actor,
    )
    session.add(definition)
    session.flush()
    forget_latest(session)
    record(session, "process.deployed", actor=actor,
           payload={"key": definition.key, "version": version, "definition_id": definition.id})
    return Deployment(definition, True, valid.warnings)


def deploy_folder(session: Session, folder: Path) -> list[tuple[str, int, bool]]:
    """Deploy every process folder (one .bpmn plus its .json forms) under a directory: (key, version, created)."""
    results = []
    for bpmn_file in sorted(folder.glob("*/*.bpmn")):
        forms = {f.name: f.read_bytes() for f in sorted(bpmn_file.parent.glob("*.json"))}
        definition, created = deploy(session, bpmn_file.read_bytes(), forms, actor=None)
        results.append((definition.key, definition.version, created))
    return results
