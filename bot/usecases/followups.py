"""The follow-up ledger (跟踪台账, SPEC §7): log, edit and delete follow-ups.

A follow-up from Slack is keyed by its source (channel, ts), so Slack's retries and duplicate
deliveries store it once, and edits and deletions of the source message follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services import Services
from bot.typed import as_typed
from ledger.tracking import follow_up_due, local_date
from scoring.cadence import CADENCE_DAYS, tracking_grade
from storage.errors import ConflictError
from storage.models import Customer, Followup
from storage.uow import UnitOfWork

MAX_TEXT = 4000  # a follow-up longer than this is cut (the ledger is not a document store)


class FollowupError(ValueError):
    """A follow-up that cannot be stored; the message says why."""


@dataclass(frozen=True)
class Logged:
    customer: Customer
    followup: Followup
    created: bool  # False: this source message was already stored (a retry or duplicate)
    cadence_days: int | None


def _reschedule(uow: UnitOfWork, services: Services, customer: Customer) -> int | None:
    """A follow-up restarts the cadence of the tracking grade; returns that cadence in days."""
    tz = services.config.tz
    latest = uow.followups.latest(customer.id, 1)
    customer.last_followup_at = latest[0].created_at if latest else None
    pending = uow.changes.pending_for(customer.id)
    grade = tracking_grade(customer.effective_grade, pending.to_grade if pending else None)
    customer.next_due = follow_up_due(
        grade,
        grade_since=local_date(customer.grade_since, tz),
        last_followup=local_date(customer.last_followup_at, tz),
        today=services.today(),
    )
    return CADENCE_DAYS[grade] if grade else None


def _same_customer(uow: UnitOfWork, existing: Followup, customer: Customer) -> None:
    """One message is one follow-up: logging it again for another customer is refused, not lost."""
    if existing.customer_id != customer.id:
        other = uow.customers.get(existing.customer_id)
        name = other.name if other else str(existing.customer_id)
        raise FollowupError(
            f"这条消息已记录为「{name}」的跟进；如记错了客户，请删除原消息后重发 / "
            f"this message is already logged for {name}: delete and re-post it to move it"
        )


def log_followup(
    services: Services,
    customer_id: int,
    author: str,
    text: str,
    *,
    source_channel: str | None = None,
    source_ts: str | None = None,
    at: datetime | None = None,
) -> Logged:
    text = as_typed(text)[:MAX_TEXT]  # the salesperson's words, stored as written
    if not text:
        raise FollowupError("跟进内容为空 / the follow-up text is empty")
    at = at or services.now()
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise FollowupError("客户不存在 / no such customer")
        if source_channel and source_ts:
            existing = uow.followups.by_source(source_channel, source_ts)
            if existing is not None:
                _same_customer(uow, existing, customer)
                return Logged(customer, existing, False, _reschedule(uow, services, customer))
        followup = Followup(
            customer_id=customer.id,
            author=author,
            text=text,
            created_at=at,
            source_channel=source_channel,
            source_ts=source_ts,
        )
        try:
            uow.followups.add(followup)
        except ConflictError:  # a concurrent delivery of the same message won
            uow.rollback()
            existing = uow.followups.by_source(source_channel or "", source_ts or "")
            customer = uow.customers.get(customer_id)
            assert existing is not None and customer is not None
            _same_customer(uow, existing, customer)
            return Logged(customer, existing, False, _reschedule(uow, services, customer))
        cadence = _reschedule(uow, services, customer)
        uow.audit.append(at, author, "followup.logged", customer.id, {"followup_id": followup.id})
        uow.commit()
        return Logged(customer, followup, True, cadence)


def edit_followup(services: Services, channel: str, ts: str, text: str) -> Followup | None:
    """The source message was edited: the follow-up takes the new text, as typed.

    None when the message is not a follow-up, or when the edit left no words: then the
    follow-up keeps what it said."""
    text = as_typed(text)[:MAX_TEXT]
    if not text:
        return None
    with services.db.uow() as uow:
        followup = uow.followups.by_source(channel, ts)
        if followup is None:
            return None
        followup.text = text
        followup.updated_at = services.now()
        uow.commit()
        return followup


def delete_followup(services: Services, channel: str, ts: str) -> int | None:
    """The source message was deleted: so is its follow-up, and the next due date moves back.

    Returns the customer's id, or None when the message was not a follow-up."""
    with services.db.uow() as uow:
        followup = uow.followups.by_source(channel, ts)
        if followup is None:
            return None
        customer = uow.customers.get(followup.customer_id)
        uow.followups.delete_by_source(channel, ts)
        if customer is not None:
            _reschedule(uow, services, customer)
            uow.audit.append(services.now(), "system", "followup.deleted", customer.id, {"source_ts": ts})
        uow.commit()
        return followup.customer_id
