"""What the statistics count beside work items and instances: the measures a diagram declares, as they happen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workflows.clock import now
from workflows.db import Base, UTCDateTime


class CaseMeasure(Base):
    """One counted event of a case: a `measure` element completed, or a measured flow taken (docs/diagrams.md §9).

    Written in the step that passed it, so the statistics count rows and never read engine state.
    """

    __tablename__ = "case_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)  # the case
    process_key: Mapped[str] = mapped_column(String(100))  # the process, as on work items
    code: Mapped[str] = mapped_column(String(50))  # the declared code, e.g. `police_filed`
    element: Mapped[str] = mapped_column(String(100))  # the element or sequence flow that declares it
    # The agency that moved the case past it: the acting user's, or the case's initiating agency when a
    # timer did.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


# The statistics read a period's measures in time order with what they group by, from the index alone.
Index("ix_case_measure_period", CaseMeasure.occurred_at, CaseMeasure.process_key, CaseMeasure.code,
      CaseMeasure.agency_id)
