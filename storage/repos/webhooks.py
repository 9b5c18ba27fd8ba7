"""The webhook outbox's delivery state (bot.webhooks): events fanned out to endpoints, queues
in order per customer and endpoint, leases, retries, dead letters.

Fanning out is one INSERT … SELECT per endpoint, ON CONFLICT (event, endpoint) DO NOTHING, so
two passes racing (a leader changing hands) create each delivery once. A sender then takes the
heads of the queues — a delivery with no older open one of the same customer to the same
endpoint — claims each with a lease (storage.repos.leases), makes the HTTP call outside any
transaction and records the outcome, which releases the lease.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from storage.models import Customer, WebhookDelivery, WebhookEvent
from storage.repos import leases
from storage.repos._sql import ID_PAGE

FAN_OUT_PAGE = ID_PAGE  # events fanned out per call, at most

_E = WebhookEvent.__table__
_D = WebhookDelivery.__table__
_C = Customer.__table__


class Due(NamedTuple):
    """A delivery at the head of its queue, due now."""

    id: int
    endpoint: str
    customer_id: int
    event_id: str  # the UUID
    body: str
    attempts: int  # made before this one


class DeadLetter(NamedTuple):
    """A delivery given up, for the alerts channel."""

    id: int
    endpoint: str
    customer_id: int
    customer_name: str
    event_id: str
    kind: str
    attempts: int
    last_error: str | None


class Backlog(NamedTuple):
    """One endpoint's deliveries: still to go (`pending`), given up (`dead`), the oldest pending."""

    endpoint: str
    pending: int
    dead: int
    oldest_pending: datetime | None


def _open(d: Any) -> ColumnElement[bool]:
    """Neither delivered nor given up (of WebhookDelivery or an alias of it)."""
    return and_(d.delivered_at.is_(None), d.dead_at.is_(None))


_LETTERS = (select(_D.c.id, _D.c.endpoint, _D.c.customer_id, _C.c.name, _E.c.event_id, _E.c.kind, _D.c.attempts,
                   _D.c.last_error)
            .join(_E, _E.c.id == _D.c.event_id).join(_C, _C.c.id == _D.c.customer_id)
            .where(_D.c.dead_at.is_not(None)))


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def fan_out(self, endpoints: Sequence[tuple[str, Collection[str]]], now: datetime) -> int:
        """One delivery per endpoint (of the kinds it wants) for the oldest events not fanned out
        yet (at most FAN_OUT_PAGE); those events count as fanned out even where no endpoint wanted
        them. Returns how many events were fanned out.

        Every statement names the events the first one read: on PostgreSQL each statement sees
        what was committed when it started, so an event committed meanwhile must wait for the
        next pass rather than be marked fanned out without its deliveries."""
        ids = list(self.session.scalars(
            select(_E.c.id).where(_E.c.fanned_out_at.is_(None)).order_by(_E.c.id).limit(FAN_OUT_PAGE)))
        if not ids:
            return 0
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        for url, kinds in endpoints:
            chosen = (select(_E.c.id, _E.c.customer_id, literal(url), literal(0), literal(now, _D.c.next_attempt_at.type))
                      .where(_E.c.id.in_(ids), _E.c.kind.in_(list(kinds))))
            self.session.execute(
                insert(_D).from_select(["event_id", "customer_id", "endpoint", "attempts", "next_attempt_at"], chosen)
                .on_conflict_do_nothing(index_elements=["event_id", "endpoint"])
            )
        self.session.execute(update(_E).where(_E.c.id.in_(ids)).values(fanned_out_at=now))
        return len(ids)

    def due(self, endpoints: Collection[str], now: datetime, lease: timedelta, limit: int) -> list[Due]:
        """The heads of the queues to these endpoints that are due and not claimed, oldest event first.
        A head not due yet holds back the customer's later events to that endpoint."""
        older = aliased(WebhookDelivery)
        D = WebhookDelivery
        rows = self.session.execute(
            select(D.id, D.endpoint, D.customer_id, WebhookEvent.event_id, WebhookEvent.body, D.attempts)
            .join(WebhookEvent, WebhookEvent.id == D.event_id)
            .where(D.endpoint.in_(list(endpoints)), _open(D), D.next_attempt_at <= now,
                   (D.claimed_at.is_(None)) | (D.claimed_at < now - lease),
                   ~exists().where(older.endpoint == D.endpoint, older.customer_id == D.customer_id,
                                   older.event_id < D.event_id, _open(older)))
            .order_by(D.event_id, D.id).limit(limit)
        )
        return [Due(*row) for row in rows]

    def claim(self, delivery_id: int, now: datetime, lease: timedelta) -> bool:
        """The lease on a delivery still open; True for one caller."""
        return bool(leases.take(self.session, _D.c.claimed_at, [delivery_id], now, now - lease,
                                _D.c.delivered_at.is_(None), _D.c.dead_at.is_(None)))

    def delivered(self, delivery_id: int, at: datetime) -> None:
        """The endpoint answered 2xx; lease released."""
        leases.release(self.session, _D.c.claimed_at, [delivery_id], delivered_at=at, attempts=_D.c.attempts + 1)

    def failed(self, delivery_id: int, error: str, *, retry_at: datetime | None, at: datetime) -> None:
        """The attempt failed: tried again at `retry_at`, or given up (None); lease released."""
        when = {"next_attempt_at": retry_at} if retry_at is not None else {"dead_at": at}
        leases.release(self.session, _D.c.claimed_at, [delivery_id], attempts=_D.c.attempts + 1,
                       last_error=error[:1000], **when)

    # ------------------------------------------------------------------ dead letters

    def unreported(self, limit: int) -> list[DeadLetter]:
        """Deliveries given up and not yet reported in the alerts channel, oldest first."""
        rows = self.session.execute(_LETTERS.where(_D.c.reported_at.is_(None)).order_by(_D.c.id).limit(limit))
        return [DeadLetter(*row) for row in rows]

    def claim_report(self, delivery_id: int, now: datetime, lease: timedelta) -> bool:
        """The lease on a dead letter not reported yet; True for one caller."""
        return bool(leases.take(self.session, _D.c.claimed_at, [delivery_id], now, now - lease,
                                _D.c.dead_at.is_not(None), _D.c.reported_at.is_(None)))

    def reported(self, delivery_id: int, at: datetime) -> None:
        leases.release(self.session, _D.c.claimed_at, [delivery_id], reported_at=at)

    def release(self, delivery_id: int) -> None:
        """Nothing was done (Slack failed): the next pass may try at once."""
        leases.release(self.session, _D.c.claimed_at, [delivery_id])

    # ------------------------------------------------------------------ status

    def backlog(self) -> list[Backlog]:
        """Per endpoint (any ever used): deliveries pending and dead, and the oldest pending event's time."""
        is_open = _open(_D.c)
        rows = self.session.execute(
            select(_D.c.endpoint, func.count(_D.c.id).filter(is_open), func.count(_D.c.dead_at),
                   func.min(_E.c.created_at).filter(is_open))
            .join(_E, _E.c.id == _D.c.event_id).group_by(_D.c.endpoint).order_by(_D.c.endpoint)
        )
        return [Backlog(*row) for row in rows]

    def dead(self, limit: int) -> list[DeadLetter]:
        """The latest deliveries given up, newest first."""
        rows = self.session.execute(_LETTERS.order_by(_D.c.id.desc()).limit(limit))
        return [DeadLetter(*row) for row in rows]
