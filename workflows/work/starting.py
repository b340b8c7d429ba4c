"""Starting a case from a page or the API: the starter who may take its first task gets it claimed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflows.models import ProcessInstance, User, WorkItem
from workflows.work.instances import start_instance
from workflows.work.work_items import claim, next_items


def start_and_claim(session: Session, actor: User, key: str, data: dict[str, Any] | None = None,
                    business_key: str | None = None,
                    title: str | None = None, *, claim_first: bool = True) -> tuple[ProcessInstance, WorkItem | None]:
    """Start the case, then claim for the starter the first item they may take (one step fewer).

    The claim is an ordinary one (the same rule, lock and audit event as a claim from the queue);
    a starter who may take none of the case's first items gets the case without a claim.
    """
    instance = start_instance(session, actor, key, data, business_key=business_key, title=title)
    takeable = next_items(session, actor, instance) if claim_first else []
    if not takeable:
        return instance, None
    return instance, claim(session, actor, takeable[0])
