"""One configured serializer for specs and instance states."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

# Bump when the layout of ProcessInstance.state changes; stored per instance.
# 2: the task tree may be compacted (workflows.engine.compaction) and the state lists the completed
# elements dropped from it. A state of format 1 is a full tree without that list: it loads as it is
# and is compacted at its next save.
STATE_FORMAT = 2


class StateOnlyConverter(BpmnWorkflowConverter):
    """Instance state without the spec, which the definition stores once; restored onto given spec objects."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """The parent's dictionary minus the spec, never converted (it dominates the cost)."""
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None,
                  subprocess_specs: dict[str, Any] | None = None) -> BpmnWorkflow:
        """Rebuild the workflow on the spec objects the caller provides."""
        dct = dict(dct)
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        from uuid import UUID

        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


class TaskDataConverter(TaskConverter):
    """A task whose data goes through the registered converters like every other value.

    SpiffWorkflow 3.2.0 stores a task's data (or its changes against the parent's) as it is, so a
    date a script leaves failed at the database (issue 14) although the converters exist; reading
    already restores through them.
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        """The engine's dictionary, with dates, date-times and decimals converted at any depth."""
        dct = super().to_dict(task)
        dct["data"] = self.registry.convert(dct["data"])
        if dct["delta"]:
            dct["delta"]["updates"] = self.registry.convert(dct["delta"]["updates"])
        return dct


def _build_serializer() -> BpmnWorkflowSerializer:
    """Configure the Spiff serializer with converters for dates and decimals found in task data."""
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateOnlyConverter
    config[Task] = TaskDataConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]), "date")
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]), "Decimal")
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _build_serializer()


def spec_to_dict(spec: Any, subprocess_specs: dict[str, Any]) -> dict[str, Any]:
    """Serialize a process spec and its subprocess specs for storage with the definition."""
    return {
        "spec": SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: SERIALIZER.to_dict(s) for name, s in subprocess_specs.items()},
    }


def specs_from_dict(spec_dict: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Build spec objects from their stored form (the serializer consumes its input, so on a copy)."""
    spec_dict = copy.deepcopy(spec_dict)
    spec = SERIALIZER.from_dict(spec_dict["spec"])
    subs = {name: SERIALIZER.from_dict(s) for name, s in spec_dict["subprocess_specs"].items()}
    return spec, subs


def state_to_dict(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Serialize an instance's state without its spec."""
    return SERIALIZER.to_dict(workflow)


def workflow_from_state(spec: Any, subprocess_specs: dict[str, Any], state: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from spec objects and the instance's state."""
    return SERIALIZER.from_dict(state, spec=spec, subprocess_specs=subprocess_specs)
