"""A case number (business key) names one case of a process: a second case under it is refused.

The rule: among the cases of one process (any version) that are not cancelled, a business key is
unique; a case without one is not counted, and a cancelled case frees its number (it is re-filed
under the same number). A unique index cannot say this — the process key lives on the definition,
and the rule depends on the status — so the check runs in the starting transaction under a lock on
the (process, number) pair: PostgreSQL's transaction-level advisory lock, held until COMMIT, and on
SQLite the database lock every writing transaction takes (BEGIN IMMEDIATE). Two requests starting
the same number at once: the second waits, then sees the first case and is refused.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from workflows.errors import ConflictError
from workflows.models import ProcessDefinition, ProcessInstance
from workflows.models.process import InstanceStatus

# pg_advisory_xact_lock(int, int): the first key says "case numbers" ("XTBK"); it does not meet the chain's
# single-bigint lock (the two key spaces are apart).
_LOCK = text("SELECT pg_advisory_xact_lock(:space, hashtext(:pair))")
_SPACE = 0x5854424B


def check_unused(session: Session, key: str, business_key: str | None) -> None:
    """Refuse a business key a case of the process already carries (cancelled cases excepted)."""
    if not business_key:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK, {"space": _SPACE, "pair": f"{key} {business_key}"})
    taken = session.scalar(
        select(func.min(ProcessInstance.id))
        .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessInstance.business_key == business_key, ProcessDefinition.key == key,
               ProcessInstance.status != InstanceStatus.CANCELLED))
    if taken is not None:
        raise ConflictError("case_number_taken", number=business_key, case=taken)
