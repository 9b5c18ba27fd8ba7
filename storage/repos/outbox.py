"""What Slack must still be told (bot.publish, SPEC §8–§10), and the senders' leases on it.

Three kinds of row wait for delivery:

- requests in the approvals channel, grade changes and write-offs alike: posted once while
  pending (no `slack_ts` yet), then updated once decided (`slack_shown` still says pending);
- applied grade changes whose owners and finance are not told yet (no `notified_at`);
- alerts not sent yet, one message per customer and data update.

A sender reads a batch, then takes each row's lease (storage.repos.leases) before calling
Slack; the lease is only taken while the row still needs what the sender saw, so a row decided
or delivered meanwhile is skipped. Each lease lasts `lease` unless released: when done
(together with recording what Slack now shows) or when Slack failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from scoring.grades import Grade
from storage.models import APPLIED, Alert, ChangeStatus, GradeChange, WriteOff, WriteOffStatus
from storage.repos import leases


class Requests(NamedTuple):
    """Requests that wait in the approvals channel, and the status of one still waiting."""

    table: Table
    pending: str


_G = GradeChange.__table__
_A = Alert.__table__
CHANGES = Requests(_G, ChangeStatus.PENDING)
WRITEOFFS = Requests(WriteOff.__table__, WriteOffStatus.PENDING)


class Shown(NamedTuple):
    """A posted request whose message still shows it pending: what it has become, and where."""

    id: int
    status: str
    channel: str
    ts: str


class Applied(NamedTuple):
    """A grade change in force whose owners are not told yet."""

    id: int
    status: str
    from_grade: Grade | None


class AlertGroup(NamedTuple):
    """The unsent alerts of one customer and data update: one message."""

    customer_id: int
    detected_at: datetime


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------------ requests

    def to_post(self, requests: Requests, limit: int) -> list[int]:
        """Pending requests not posted yet, oldest first."""
        t = requests.table
        return list(self.session.scalars(
            select(t.c.id)
            .where(t.c.status == requests.pending, t.c.slack_ts.is_(None))
            .order_by(t.c.requested_at, t.c.id).limit(limit)
        ))

    def claim_to_post(self, requests: Requests, row_id: int, now: datetime, lease: timedelta) -> bool:
        """The lease on a request still pending and not posted; True for one caller."""
        t = requests.table
        ready = (t.c.status == requests.pending, t.c.slack_ts.is_(None))
        return self._claim(t, row_id, now, lease, *ready)

    def posted(self, requests: Requests, row_id: int, channel: str, ts: str) -> None:
        """Slack took it: where the message is, that it shows the request pending; lease released."""
        leases.release(self.session, requests.table.c.slack_claimed_at, [row_id],
                       slack_channel=channel, slack_ts=ts, slack_shown=str(requests.pending))

    def to_update(self, requests: Requests, limit: int) -> list[Shown]:
        """Posted requests decided, superseded or withdrawn since, their message still pending."""
        t = requests.table
        rows = self.session.execute(
            select(t.c.id, t.c.status, t.c.slack_channel, t.c.slack_ts)
            .where(t.c.slack_shown == requests.pending, t.c.status != requests.pending)
            .order_by(t.c.id).limit(limit)
        )
        return [Shown(*row) for row in rows]

    def claim_to_update(self, requests: Requests, shown: Shown, now: datetime, lease: timedelta) -> bool:
        """The lease on a request whose message still shows it pending and whose status is still
        `shown.status` (the message about to be built says that); True for one caller."""
        t = requests.table
        ready = (t.c.slack_shown == requests.pending, t.c.status == shown.status)
        return self._claim(t, shown.id, now, lease, *ready)

    def updated(self, requests: Requests, shown: Shown) -> None:
        """The message now shows `shown.status` (or is gone for good); lease released."""
        leases.release(self.session, requests.table.c.slack_claimed_at, [shown.id], slack_shown=shown.status)

    def release(self, requests: Requests, row_id: int) -> None:
        """Slack failed: the next pass may try at once."""
        leases.release(self.session, requests.table.c.slack_claimed_at, [row_id])

    # ------------------------------------------------------------------ applied grade changes

    def to_announce(self, limit: int) -> list[Applied]:
        """Grade changes in force whose owners are not told yet, in id order."""
        rows = self.session.execute(
            select(_G.c.id, _G.c.status, _G.c.from_grade)
            .where(_G.c.status.in_(APPLIED), _G.c.notified_at.is_(None))
            .order_by(_G.c.id).limit(limit)
        )
        return [Applied(*row) for row in rows]

    def claim_to_announce(self, change_id: int, now: datetime, lease: timedelta) -> bool:
        """The lease on a change nobody was told of yet; True for one caller. (A grade change
        has one lease: posting, updating and announcing it never overlap.)"""
        return self._claim(_G, change_id, now, lease, _G.c.notified_at.is_(None))

    def announced(self, change_id: int, at: datetime) -> None:
        """The owners and finance were told; lease released."""
        leases.release(self.session, _G.c.slack_claimed_at, [change_id], notified_at=at)

    def nobody_to_tell(self, change_id: int, at: datetime) -> None:
        """A change owners are not told of counts as announced. No lease was taken, so none is
        released: another sender's lease on the change stays its own."""
        self.session.execute(update(_G).where(_G.c.id == change_id).values(notified_at=at))

    # ------------------------------------------------------------------ alerts

    def alert_groups(self, limit: int) -> list[AlertGroup]:
        """Customers and data updates with alerts not sent yet, oldest update first."""
        rows = self.session.execute(
            select(_A.c.customer_id, _A.c.detected_at).where(_A.c.sent_at.is_(None))
            .group_by(_A.c.customer_id, _A.c.detected_at)
            .order_by(_A.c.detected_at, _A.c.customer_id).limit(limit)
        )
        return [AlertGroup(*row) for row in rows]

    def unsent_alerts(self, group: AlertGroup) -> list[Alert]:
        """The group's alerts not sent yet, in the order they were recorded."""
        return list(self.session.scalars(
            select(Alert)
            .where(Alert.customer_id == group.customer_id, Alert.detected_at == group.detected_at,
                   Alert.sent_at.is_(None))
            .order_by(Alert.id)
        ))

    def claim_alerts(self, ids: Sequence[int], now: datetime, lease: timedelta) -> bool:
        """The leases on all these unsent alerts, or on none: a group split between senders
        would be two messages. True for one caller."""
        with self.session.begin_nested() as savepoint:
            taken = leases.take(self.session, _A.c.claimed_at, ids, now, now - lease, _A.c.sent_at.is_(None))
            if len(taken) != len(set(ids)):
                savepoint.rollback()  # undoes the part this call took
                return False
        return True

    def alerts_sent(self, ids: Sequence[int], at: datetime) -> None:
        """Delivered (or nobody to deliver to); leases released."""
        leases.release(self.session, _A.c.claimed_at, ids, sent_at=at)

    def release_alerts(self, ids: Sequence[int]) -> None:
        """Slack failed: the next pass may try at once."""
        leases.release(self.session, _A.c.claimed_at, ids)

    def _claim(self, table: Table, row_id: int, now: datetime, lease: timedelta, *ready: Any) -> bool:
        return bool(leases.take(self.session, table.c.slack_claimed_at, [row_id], now, now - lease, *ready))
