"""Every list's rows, made through the services: open, claimed, completed and overdue items, supervised items,
instances and notices of 嘉定 market supervision, so a list's statements can be compared at two sizes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from tests.helpers import REGISTER, sh
from workflows.clock import set_clock
from workflows.models import Agency, User
from workflows.work.instances import instance_work_items, start_instance
from workflows.work.notices import send
from workflows.work.participation import supervise
from workflows.work.work_items import claim, complete

# When the lists are read: every task_verify made on Mon Mar 2 (due 24 hours later) is overdue then.
READ_AT = sh(3, 5, 9)


class ListData:
    """Grows each list of 嘉定 market supervision to a given number of rows."""

    def __init__(self, ids: dict[str, int]) -> None:
        self.ids, self.size, self.made = ids, 0, 0

    @property
    def session(self):  # noqa: ANN201
        """The application context's session (grow runs inside one)."""
        return db.session

    def user(self, name: str) -> User:
        return self.session.get(User, self.ids[name])

    def agency(self, code: str) -> Agency:
        return self.session.scalars(select(Agency).where(Agency.code == code)).one()

    def _start(self, at: datetime):  # noqa: ANN202
        self.made += 1
        set_clock(lambda: at)
        instance = start_instance(self.session, self.user("jd_msa_liaison"), "case_transfer",
                                  business_key=f"LIST-{self.made:03d}")
        (item,) = instance_work_items(self.session, instance, active_only=True)
        return instance, item

    def grow(self, size: int) -> None:
        """Add rows until every list holds `size`: queue, mine, completed (and as many overdue), notices."""
        liaison, procuratorate = self.user("jd_msa_liaison"), self.agency("jd_procuratorate")
        for _ in range(size - self.size):
            self._start(sh(3, 2, 9))  # stays in the agency's queue
            _, item = self._start(sh(3, 2, 9))
            claim(self.session, liaison, item)  # mine
            instance, item = self._start(sh(3, 2, 9))
            claim(self.session, liaison, item)
            set_clock(lambda: sh(3, 2, 10))
            complete(self.session, liaison, item, REGISTER)  # completed by me; task_verify follows, due Tue 10:00
            (verify,) = instance_work_items(self.session, instance, active_only=True)
            # The procuratorate watches it as if it had missed its deadline and been escalated there.
            supervise(self.session, verify, [procuratorate.id], sh(3, 3, 11))
            send(self.session, kind="case_filed", agency=liaison.agency, title=f"立案 {instance.business_key}",
                 instance=instance)
        self.session.commit()
        self.size = size
        set_clock(lambda: READ_AT)
