"""Re-raising grade changes pending over 24 hours to the directors, once a day (SPEC §8).

A request is taken for today's reminder by a conditional UPDATE of its `last_raised_at`, so
of two runs only one reminds; if the reminder cannot be posted the mark is put back and the
next run tries again. Never talks to Slack: `bot.jobs` posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from bot.services import Services
from bot.usecases.decisions import change_view
from messages import views as v
from storage.models import ChangeStatus, GradeChange

REMIND_AFTER = timedelta(hours=24)

_G = GradeChange.__table__


@dataclass(frozen=True)
class Reminder:
    change: v.GradeChange
    hours_pending: int
    raised_at: datetime  # this run's mark on the request
    previous_raise: datetime | None  # the mark to put back if the reminder is not posted
    channel: str | None  # where the request itself was posted (for a link to it)
    ts: str | None


def due_reminders(services: Services, now: datetime, *, claim: bool = True) -> list[Reminder]:
    """Requests pending over 24 hours and not yet reminded of today (local date), claimed."""
    tz = services.config.tz
    start_of_today = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
    reminders = []
    with services.db.uow() as uow:
        for change in uow.changes.pending_to_reraise(start_of_today):
            if now - change.requested_at < REMIND_AFTER:
                continue
            customer = uow.customers.get(change.customer_id)
            if customer is None:
                continue
            previous = change.last_raised_at
            if claim and not _mark_raised(uow.session, change.id, now, start_of_today):
                continue  # another run took it just now
            reminders.append(Reminder(
                change=change_view(services, uow, change, customer),
                hours_pending=int((now - change.requested_at) / timedelta(hours=1)),
                raised_at=now,
                previous_raise=previous,
                channel=change.slack_channel,
                ts=change.slack_ts,
            ))
        if claim:
            uow.commit()
    return reminders


def release(services: Services, reminder: Reminder) -> None:
    """The reminder was not posted: put the previous mark back so the next run reminds."""
    with services.db.uow() as uow:
        uow.session.execute(
            update(_G)
            .where(_G.c.id == reminder.change.id, _G.c.last_raised_at == reminder.raised_at)
            .values(last_raised_at=reminder.previous_raise)
        )
        uow.commit()


def _mark_raised(session: Session, change_id: int, now: datetime, raised_before: datetime) -> bool:
    result = session.execute(
        update(_G)
        .where(
            _G.c.id == change_id,
            _G.c.status == ChangeStatus.PENDING,
            func.coalesce(_G.c.last_raised_at, _G.c.requested_at) < raised_before,
        )
        .values(last_raised_at=now)
    )
    return result.rowcount == 1
