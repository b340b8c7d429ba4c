"""All models, importable from one place so Alembic and the services see the same metadata."""

from workflows.db import Base
from workflows.models.agency import Agency, AgencyType
from workflows.models.attachment import Attachment
from workflows.models.audit import AuditEvent
from workflows.models.extension import DeadlineExtension
from workflows.models.holiday import CalendarDay, CalendarYear
from workflows.models.measure import CaseMeasure
from workflows.models.notice import Notice, NoticeDelivery
from workflows.models.process import InstanceParticipant, ProcessDefinition, ProcessInstance
from workflows.models.user import ApiToken, LoginSession, User
from workflows.models.work_item import WorkItem, WorkItemSupervision

__all__ = [
    "Agency",
    "AgencyType",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "CaseMeasure",
    "DeadlineExtension",
    "InstanceParticipant",
    "LoginSession",
    "Notice",
    "NoticeDelivery",
    "ProcessDefinition",
    "ProcessInstance",
    "User",
    "WorkItem",
    "WorkItemSupervision",
]
