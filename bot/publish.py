"""Slack delivery of what the ledger says must be told: an outbox pass (SPEC §8–§10).

`publish(services, client)` runs every minute from the scheduler and right after in-process
actions (a click, `/risk propose`). Each pass:

1. posts every pending grade change not yet in `channels.approvals`;
2. updates posted requests that were decided, superseded or withdrawn since (in place);
3. tells both owners (DM) and `channels.finance` of every change now in force;
4. posts pending write-offs and updates decided ones;
5. delivers unsent alerts, one message per customer and data update (owners' DMs and one
   post to `channels.alerts`).

Each row is claimed first with a conditional UPDATE (a lease), so two processes or threads
never deliver the same thing twice, and Slack is called outside any transaction. A request
or write-off Slack did not take is tried again on the next pass whatever the error (it must
reach the approvers). For the rest only a rate limit or the network is tried again; any other
Slack error (a deleted message, an owner who left) is logged and the item counted as done.
A lease left by a process that died expires after `LEASE`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import ColumnElement, or_, select, update

import messages as m
from bot.owners import LookupLater, Owners
from bot.services import Services
from bot.slack_client import SlackErrorKind, classify_slack_error
from bot.usecases import decisions, writeoffs
from bot.usecases.rescore import SYSTEM, owners_are_told
from messages import views as v
from storage.models import Alert, ChangeStatus, GradeChange, WriteOff, WriteOffStatus

log = logging.getLogger("riskbot.publish")

LEASE = timedelta(minutes=5)
BATCH = 100  # per kind and pass: a backlog drains over several passes, never one endless pass

_APPLIED = (ChangeStatus.APPROVED.value, ChangeStatus.AUTO_APPLIED.value)
_ALERT_KINDS = {
    "dishonest_debtor_count": v.AlertKind.DISHONEST_DEBTOR,
    "order_spike_pct": v.AlertKind.ORDER_SPIKE,
    "term_extension_days": v.AlertKind.TERM_EXTENSION,
    "overdue_payment_count": v.AlertKind.OVERDUE_PAYMENT,
    "tax_arrears_count": v.AlertKind.TAX_ARREARS,
    "admin_penalty_max_amount": v.AlertKind.ADMIN_PENALTY,
}


@dataclass
class PublishReport:
    requests_posted: int = 0
    requests_updated: int = 0
    changes_announced: int = 0
    writeoffs_posted: int = 0
    writeoffs_updated: int = 0
    alerts_sent: int = 0
    retry_later: int = 0  # left for the next pass (Slack failed or no channel configured)

    @property
    def delivered(self) -> int:
        return (self.requests_posted + self.requests_updated + self.changes_announced
                + self.writeoffs_posted + self.writeoffs_updated + self.alerts_sent)


class _Retry(Exception):
    """Slack failed in a way worth trying again on the next pass."""


def publish(services: Services, client: WebClient) -> PublishReport:
    """One delivery pass; safe to run from several threads and processes at once."""
    report = PublishReport()
    owners = Owners(client)
    _post_requests(services, client, report)
    _update_requests(services, client, report)
    _announce_changes(services, client, owners, report)
    _post_writeoffs(services, client, report)
    _update_writeoffs(services, client, report)
    _send_alerts(services, client, owners, report)
    return report


# ------------------------------------------------------------------ new requests


class _Requests(NamedTuple):
    """Requests that wait in the approvals channel: grade changes or write-offs."""

    model: type[GradeChange] | type[WriteOff]
    pending: str  # the status of a request still waiting
    what: str  # for the log


_CHANGES = _Requests(GradeChange, ChangeStatus.PENDING, "grade change")
_WRITEOFFS = _Requests(WriteOff, WriteOffStatus.PENDING, "write-off")


def _post_new(
    services: Services, client: WebClient, requests: _Requests, build: Callable[[int], m.Message], report: PublishReport
) -> int:
    """Post each waiting request (grade change or write-off) to the approvals channel once,
    oldest first: claimed first, so two processes never both post it; released when Slack did
    not take it, so the next pass tries again. Returns how many were posted."""
    model, pending, what = requests
    with services.db.uow() as uow:
        waiting = list(uow.session.scalars(
            select(model.id)
            .where(model.status == pending, model.slack_ts.is_(None))
            .order_by(model.requested_at, model.id).limit(BATCH)
        ))
    channel = services.config.approvals_channel
    if waiting and channel is None:
        log.warning("%d %s(s) wait for approval but channels.approvals is not configured", len(waiting), what)
        report.retry_later += len(waiting)
        return 0
    posted = 0
    for row_id in waiting:
        ready = (model.status == pending, model.slack_ts.is_(None))
        if not _claim(services, model, model.slack_claimed_at, row_id, ready):
            continue
        message = build(row_id)
        try:
            answer = client.chat_postMessage(channel=channel, **message.to_dict())
        except (SlackApiError, OSError) as exc:
            _log_failure("post " + what + " %s to %s", exc, row_id, channel)
            _release(services, model, model.slack_claimed_at, row_id)
            report.retry_later += 1
            continue
        _finish(services, model, row_id, slack_channel=answer["channel"], slack_ts=answer["ts"],
                slack_shown=str(pending), slack_claimed_at=None)
        posted += 1
    return posted


def _update_decided(
    services: Services, client: WebClient, requests: _Requests, build: Callable[[int], m.Message], report: PublishReport
) -> int:
    """Update each posted request (grade change or write-off) that is no longer pending, once:
    claimed first; released for the next pass when Slack's failure is transient (a message
    that is gone for good is not retried). Returns how many were updated."""
    model, pending, what = requests
    with services.db.uow() as uow:
        stale = list(uow.session.execute(
            select(model.id, model.status, model.slack_channel, model.slack_ts)
            .where(model.slack_shown == pending, model.status != pending)
            .order_by(model.id).limit(BATCH)
        ))
    updated = 0
    for row_id, status, channel, ts in stale:
        ready = (model.slack_shown == pending, model.status == status)
        if not _claim(services, model, model.slack_claimed_at, row_id, ready):
            continue
        message = build(row_id)
        try:
            client.chat_update(channel=channel, ts=ts, **message.to_dict())
        except (SlackApiError, OSError) as exc:
            _log_failure("update " + what + " %s message %s", exc, row_id, (channel, ts))
            if _transient(exc):
                _release(services, model, model.slack_claimed_at, row_id)
                report.retry_later += 1
                continue
        _finish(services, model, row_id, slack_shown=status, slack_claimed_at=None)
        updated += 1
    return updated


# ------------------------------------------------------------------ grade changes


def _post_requests(services: Services, client: WebClient, report: PublishReport) -> None:
    report.requests_posted += _post_new(
        services, client, _CHANGES,
        lambda change_id: _with_change(
            services, change_id, lambda view, change, _: m.approval_request(services.renderer, view)),
        report,
    )


def _update_requests(services: Services, client: WebClient, report: PublishReport) -> None:
    """A posted request no longer pending: its message shows the decision instead of buttons."""
    report.requests_updated += _update_decided(
        services, client, _CHANGES, lambda change_id: _with_change(services, change_id, _closed_request), report,
    )


def _closed_request(view: v.GradeChange, change: GradeChange, services: Services) -> m.Message:
    r = services.renderer
    if change.status == ChangeStatus.SUPERSEDED:
        return m.approval_superseded(r, view)
    if change.status == ChangeStatus.WITHDRAWN:
        return m.approval_withdrawn(r, view)
    return m.approval_decided(r, view, decisions.decision_of(services, change))


def _announce_changes(services: Services, client: WebClient, owners: Owners, report: PublishReport) -> None:
    """Both owners by DM and the finance channel: the new grade, terms and follow-up pace."""
    with services.db.uow() as uow:
        due = list(uow.session.execute(
            select(GradeChange.id, GradeChange.status, GradeChange.from_grade)
            .where(GradeChange.status.in_(_APPLIED), GradeChange.notified_at.is_(None))
            .order_by(GradeChange.id).limit(BATCH)
        ))
    for change_id, status, from_grade in due:
        ready = (GradeChange.notified_at.is_(None),)
        if not owners_are_told(status, from_grade):
            _finish(services, GradeChange, change_id, notified_at=services.now())
            continue
        if not _claim(services, GradeChange, GradeChange.slack_claimed_at, change_id, ready):
            continue
        with services.db.uow() as uow:
            change = uow.changes.get(change_id)
            customer = uow.customers.get(change.customer_id) if change else None
            assert change is not None and customer is not None
            applied = decisions.applied_view(services, uow, change, customer)
            people = (customer.sales_owner, customer.risk_officer)
        posts = []
        if services.config.finance_channel:
            posts.append((services.config.finance_channel, m.finance_notice(services.renderer, applied)))
        try:
            posts += [(user, m.grade_applied_dm(services.renderer, applied)) for user in _user_ids(owners, people)]
            _deliver(client, posts)
        except _Retry:
            _release(services, GradeChange, GradeChange.slack_claimed_at, change_id)
            report.retry_later += 1
            continue
        _finish(services, GradeChange, change_id, notified_at=services.now(), slack_claimed_at=None)
        report.changes_announced += 1


def _with_change(
    services: Services, change_id: int, build: Callable[[v.GradeChange, GradeChange, Services], m.Message]
) -> m.Message:
    with services.db.uow() as uow:
        change = uow.changes.get(change_id)
        customer = uow.customers.get(change.customer_id) if change else None
        assert change is not None and customer is not None
        return build(decisions.change_view(services, uow, change, customer), change, services)


# ------------------------------------------------------------------ write-offs


def _post_writeoffs(services: Services, client: WebClient, report: PublishReport) -> None:
    report.writeoffs_posted += _post_new(
        services, client, _WRITEOFFS,
        lambda writeoff_id: _with_writeoff(
            services, writeoff_id, lambda view, _: m.writeoff_request(services.renderer, view)),
        report,
    )


def _update_writeoffs(services: Services, client: WebClient, report: PublishReport) -> None:
    report.writeoffs_updated += _update_decided(
        services, client, _WRITEOFFS,
        lambda writeoff_id: _with_writeoff(services, writeoff_id, lambda view, w: m.writeoff_decided(
            services.renderer, view, writeoffs.decision_of(services, w))),
        report,
    )


def _with_writeoff(
    services: Services, writeoff_id: int, build: Callable[[v.Writeoff, WriteOff], m.Message]
) -> m.Message:
    with services.db.uow() as uow:
        writeoff = uow.writeoffs.get(writeoff_id)
        customer = uow.customers.get(writeoff.customer_id) if writeoff else None
        assert writeoff is not None and customer is not None
        return build(writeoffs.writeoff_view(services, uow, writeoff, customer), writeoff)


# ------------------------------------------------------------------ alerts


def _send_alerts(services: Services, client: WebClient, owners: Owners, report: PublishReport) -> None:
    """One message per customer and data update, whatever the number of lines it crossed."""
    with services.db.uow() as uow:
        updates = uow.session.execute(
            select(Alert.customer_id, Alert.detected_at).where(Alert.sent_at.is_(None))
            .group_by(Alert.customer_id, Alert.detected_at)
            .order_by(Alert.detected_at, Alert.customer_id).limit(BATCH)
        ).all()
    for customer_id, detected_at in updates:
        with services.db.uow() as uow:
            alerts = list(uow.session.scalars(
                select(Alert).where(Alert.customer_id == customer_id, Alert.detected_at == detected_at,
                                    Alert.sent_at.is_(None)).order_by(Alert.id)
            ))
        ids = [a.id for a in alerts]
        if not ids or not _claim_alerts(services, ids):
            continue
        with services.db.uow() as uow:
            customer = uow.customers.get(customer_id)
            assert customer is not None
            view = v.Alert(
                customer=v.CustomerRef(id=customer.id, name=customer.name, grade=customer.effective_grade),
                lines=tuple(_alert_line(a) for a in alerts if a.indicator in _ALERT_KINDS),
                sales_owner=customer.sales_owner,
                risk_officer=customer.risk_officer,
            )
            people = (customer.sales_owner, customer.risk_officer)
        sent_to: list[str] = []
        try:
            if view.lines:
                message = m.alert_message(services.renderer, view)
                channel = [services.config.alerts_channel] if services.config.alerts_channel else []
                sent_to = _deliver(client, [(to, message) for to in (*channel, *_user_ids(owners, people))])
        except _Retry:
            _release_alerts(services, ids)
            report.retry_later += 1
            continue
        now = services.now()
        with services.db.uow() as uow:
            uow.session.execute(update(Alert).where(Alert.id.in_(ids)).values(sent_at=now, claimed_at=None))
            uow.audit.append(now, SYSTEM, "alert.sent", customer_id, {
                "changes": [a.change for a in alerts], "to": sent_to,
            })
            uow.commit()
        report.alerts_sent += 1


def _alert_line(alert: Alert) -> v.AlertLine:
    """The line crossed and the new value, read from the change signature `key:old->new`."""
    _, _, new = alert.change.rpartition("->")
    try:
        value: Decimal | None = Decimal(new)
    except InvalidOperation:
        value = None
    if value is not None and not value.is_finite():
        value = None
    return v.AlertLine(kind=_ALERT_KINDS[alert.indicator], value=value)


def _claim_alerts(services: Services, ids: list[int]) -> bool:
    """Claim a whole group or nothing: a group split between senders would be two messages."""
    now = services.now()
    with services.db.uow() as uow:
        claimed = uow.session.execute(
            update(Alert)
            .where(Alert.id.in_(ids), Alert.sent_at.is_(None), _free(Alert.claimed_at, now))
            .values(claimed_at=now)
        ).rowcount
        if claimed != len(ids):
            return False  # leaving without commit undoes the partial claim
        uow.commit()
        return True


def _release_alerts(services: Services, ids: list[int]) -> None:
    with services.db.uow() as uow:
        uow.session.execute(update(Alert).where(Alert.id.in_(ids)).values(claimed_at=None))
        uow.commit()


# ------------------------------------------------------------------ owners, sending, leases


def _user_ids(owners: Owners, people: Iterable[str | None]) -> list[str]:
    try:
        return owners.user_ids(people)
    except LookupLater as exc:
        raise _Retry from exc


def _deliver(client: WebClient, posts: list[tuple[str, m.Message]]) -> list[str]:
    """Send each post; returns who got one. When Slack keeps failing for everyone, _Retry lets
    the next pass send it all again; once anyone got it, a recipient Slack kept failing for is
    logged and given up, because a retry would post twice to those already told."""
    sent_to: list[str] = []
    missed: list[str] = []
    for channel, message in posts:
        try:
            if _send(client, channel, message):
                sent_to.append(channel)
        except _Retry:
            missed.append(channel)
    if missed and not sent_to:
        raise _Retry
    if missed:
        log.warning("Slack kept failing; not told (a retry would post twice to the others): %s", missed)
    return sent_to


def _send(client: WebClient, channel: str, message: m.Message) -> bool:
    """Post; False when Slack refused for good (logged), _Retry when worth another pass."""
    try:
        client.chat_postMessage(channel=channel, **message.to_dict())
        return True
    except (SlackApiError, OSError) as exc:
        if _transient(exc):
            raise _Retry from exc
        _log_failure("post to %s", exc, channel)
        return False


def _transient(exc: Exception) -> bool:
    """A rate limit the client's retries did not outlast, or the network: try the next pass.
    Any other Slack error (a deleted message, a bot not in the channel) would only repeat."""
    if isinstance(exc, SlackApiError):
        return classify_slack_error(exc) is SlackErrorKind.RATELIMITED
    return True


def _log_failure(what: str, exc: Exception, *args: Any) -> None:
    if isinstance(exc, SlackApiError):
        log.warning("slack: cannot " + what + ": %s (%s)", *args, exc.response.get("error"), classify_slack_error(exc))
    else:
        log.warning("slack: cannot " + what + ": %s", *args, exc)


def _free(column: Any, now: datetime) -> ColumnElement[bool]:
    return or_(column.is_(None), column < now - LEASE)


def _claim(services: Services, model: Any, lease: Any, row_id: int, ready: tuple[ColumnElement[bool], ...]) -> bool:
    """Take the row's lease if it is still `ready` and nobody holds it; True for one caller."""
    now = services.now()
    with services.db.uow() as uow:
        claimed = uow.session.execute(
            update(model).where(model.id == row_id, *ready, _free(lease, now)).values({lease.key: now})
        ).rowcount
        uow.commit()
        return claimed == 1


def _release(services: Services, model: Any, lease: Any, row_id: int) -> None:
    with services.db.uow() as uow:
        uow.session.execute(update(model).where(model.id == row_id).values({lease.key: None}))
        uow.commit()


def _finish(services: Services, model: Any, row_id: int, **values: Any) -> None:
    with services.db.uow() as uow:
        uow.session.execute(update(model).where(model.id == row_id).values(**values))
        uow.commit()

