"""One configured serializer for specs and instance states."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

# Bump when the layout of ProcessInstance.state changes; stored per instance.
STATE_FORMAT = 1
_SPEC_KEYS = ("spec", "subprocess_specs")


def _build_serializer() -> BpmnWorkflowSerializer:
    """Configure the Spiff serializer with converters for dates and decimals found in task data."""
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
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
    """Build fresh spec objects; the engine mutates specs, so instances never share them."""
    spec = SERIALIZER.from_dict(spec_dict["spec"])
    subs = {name: SERIALIZER.from_dict(s) for name, s in spec_dict["subprocess_specs"].items()}
    return spec, subs


def state_to_dict(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Serialize an instance's state without its spec, which the definition already stores."""
    state = SERIALIZER.to_dict(workflow)
    for key in _SPEC_KEYS:
        state.pop(key, None)
    return state


def workflow_from_state(spec_dict: dict[str, Any], state: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from the definition's spec and the instance's state."""
    full = dict(state)
    full.update(spec_dict)
    return SERIALIZER.from_dict(full)
