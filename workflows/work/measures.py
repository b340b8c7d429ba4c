"""What a step passed that the statistics count: outcome end events and declared measures (docs/diagrams.md §9).

The engine is asked before and after the step; what is new is recorded: the outcome on the instance
row, each measure as a `case_measure` row. Elements completed and flows taken are completed in the
saved state whether the step then stopped or not, so they are counted now or never (as notices are).
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import insert
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.engine.runtime import completed_task_ids, reached_flows
from workflows.engine.settings import ProcessInfo
from workflows.models import CaseMeasure, ProcessInstance, User


@dataclass(frozen=True)
class Passed:
    """Engine task ids of counted elements completed, and of tasks reached through measured flows."""

    nodes: dict[str, str]  # task id -> element id
    flows: dict[str, tuple[str, str]]  # task id -> (source, target)

    def since(self, before: Passed) -> Passed:
        """What this holds that `before` did not."""
        return Passed({k: v for k, v in self.nodes.items() if k not in before.nodes},
                      {k: v for k, v in self.flows.items() if k not in before.flows})


def passed(workflow: BpmnWorkflow, info: ProcessInfo) -> Passed:
    """The counted elements the engine shows completed, and the measured flows it shows taken."""
    return Passed(completed_task_ids(workflow, set(info.counted_nodes)), reached_flows(workflow, info.measured_flows))


def set_outcome(instance: ProcessInstance, info: ProcessInfo, new: Passed) -> None:
    """The case's outcome: the last outcome end event completed (a later one replaces an earlier branch's)."""
    for element in new.nodes.values():
        if element in info.outcomes:
            instance.outcome = info.outcomes[element].code


def record_measures(session: Session, instance: ProcessInstance, info: ProcessInfo, new: Passed,
                    actor: User | None) -> None:
    """One `case_measure` row per measure passed, for the acting user's agency (a timer's: the initiator's)."""
    by_node = {m.id: m for m in info.measures.values() if m.source is None}
    counted = [by_node[element] for element in new.nodes.values() if element in by_node]
    counted += [info.measured_flows[flow] for flow in new.flows.values()]
    if not counted:
        return
    agency_id = actor.agency_id if actor is not None else instance.initiating_agency_id
    at = now()
    session.execute(insert(CaseMeasure), [
        {"instance_id": instance.id, "process_key": info.key, "code": m.code, "element": m.id,
         "agency_id": agency_id, "occurred_at": at} for m in counted])
