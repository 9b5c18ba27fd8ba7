"""Slack delivery of what the ledger says must be told: an outbox pass (SPEC §8–§10).

`publish(services, client)` runs every minute from the scheduler and right after in-process
actions (a click, `/risk propose`). Each pass:

1. posts every pending grade change not yet in `channels.approvals`;
2. updates posted requests that were decided, superseded or withdrawn since (in place);
3. tells both owners (DM) and `channels.finance` of every change now in force;
4. posts pending write-offs and updates decided ones;
5. delivers unsent alerts, one message per customer and data update (owners' DMs and one
   post to `channels.alerts`).

Each row is claimed first with a lease (storage.repos.outbox), so two processes or threads
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
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import messages as m
from bot.owners import LookupLater, Owners
from bot.services import Services
from bot.slack_client import SlackErrorKind, classify_slack_error
from bot.usecases import decisions, writeoffs
from ledger.grade_report import SYSTEM, owners_are_told
from messages import views as v
from messages.kinds import AlertKind
from storage.models import Alert, ChangeStatus, GradeChange, WriteOff
from storage.repos import outbox
from storage.repos.outbox import OutboxRepository

log = logging.getLogger("riskbot.publish")
_T = TypeVar("_T")

LEASE = timedelta(minutes=5)
BATCH = 100  # per kind and pass: a backlog drains over several passes, never one endless pass

_ALERT_KINDS = {
    "dishonest_debtor_count": AlertKind.DISHONEST_DEBTOR,
    "order_spike_pct": AlertKind.ORDER_SPIKE,
    "term_extension_days": AlertKind.TERM_EXTENSION,
    "overdue_payment_count": AlertKind.OVERDUE_PAYMENT,
    "tax_arrears_count": AlertKind.TAX_ARREARS,
    "admin_penalty_max_amount": AlertKind.ADMIN_PENALTY,
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

    rows: outbox.Requests
    what: str  # for the log


_CHANGES = _Requests(outbox.CHANGES, "grade change")
_WRITEOFFS = _Requests(outbox.WRITEOFFS, "write-off")


def _post_new(
    services: Services, client: WebClient, requests: _Requests, build: Callable[[int], m.Message], report: PublishReport
) -> int:
    """Post each waiting request (grade change or write-off) to the approvals channel once,
    oldest first: claimed first, so two processes never both post it; released when Slack did
    not take it, so the next pass tries again. Returns how many were posted."""
    rows, what = requests
    waiting = _in_transaction(services, lambda box: box.to_post(rows, BATCH))
    channel = services.config.approvals_channel
    if waiting and channel is None:
        log.warning("%d %s(s) wait for approval but channels.approvals is not configured", len(waiting), what)
        report.retry_later += len(waiting)
        return 0
    posted = 0
    for row_id in waiting:
        if not _in_transaction(services, lambda box: box.claim_to_post(rows, row_id, services.now(), LEASE)):
            continue
        message = build(row_id)
        try:
            answer = client.chat_postMessage(channel=channel, **message.to_dict())
        except (SlackApiError, OSError) as exc:
            _log_failure("post " + what + " %s to %s", exc, row_id, channel)
            _in_transaction(services, lambda box: box.release(rows, row_id))
            report.retry_later += 1
            continue
        _in_transaction(services, lambda box: box.posted(rows, row_id, answer["channel"], answer["ts"]))
        posted += 1
    return posted


def _update_decided(
    services: Services, client: WebClient, requests: _Requests, build: Callable[[int], m.Message], report: PublishReport
) -> int:
    """Update each posted request (grade change or write-off) that is no longer pending, once:
    claimed first; released for the next pass when Slack's failure is transient (a message
    that is gone for good is not retried). Returns how many were updated."""
    rows, what = requests
    stale = _in_transaction(services, lambda box: box.to_update(rows, BATCH))
    updated = 0
    for shown in stale:
        if not _in_transaction(services, lambda box: box.claim_to_update(rows, shown, services.now(), LEASE)):
            continue
        message = build(shown.id)
        try:
            client.chat_update(channel=shown.channel, ts=shown.ts, **message.to_dict())
        except (SlackApiError, OSError) as exc:
            _log_failure("update " + what + " %s message %s", exc, shown.id, (shown.channel, shown.ts))
            if _transient(exc):
                _in_transaction(services, lambda box: box.release(rows, shown.id))
                report.retry_later += 1
                continue
        _in_transaction(services, lambda box: box.updated(rows, shown))
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
    due = _in_transaction(services, lambda box: box.to_announce(BATCH))
    for change_id, status, from_grade in due:
        if not owners_are_told(status, from_grade):
            _in_transaction(services, lambda box: box.nobody_to_tell(change_id, services.now()))
            continue
        if not _in_transaction(services, lambda box: box.claim_to_announce(change_id, services.now(), LEASE)):
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
            _in_transaction(services, lambda box: box.release(outbox.CHANGES, change_id))
            report.retry_later += 1
            continue
        _in_transaction(services, lambda box: box.announced(change_id, services.now()))
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
    groups = _in_transaction(services, lambda box: box.alert_groups(BATCH))
    for group in groups:
        alerts = _in_transaction(services, lambda box: box.unsent_alerts(group))
        ids = [a.id for a in alerts]
        if not ids or not _in_transaction(services, lambda box: box.claim_alerts(ids, services.now(), LEASE)):
            continue
        with services.db.uow() as uow:
            customer = uow.customers.get(group.customer_id)
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
            _in_transaction(services, lambda box: box.release_alerts(ids))
            report.retry_later += 1
            continue
        now = services.now()
        with services.db.uow() as uow:
            uow.outbox.alerts_sent(ids, now)
            uow.audit.append(now, SYSTEM, "alert.sent", group.customer_id, {
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


# ------------------------------------------------------------------ owners, sending, transactions


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


def _in_transaction(services: Services, step: Callable[[OutboxRepository], _T]) -> _T:
    """One outbox step in a transaction of its own, committed at once: a lease taken is seen by
    every other sender before Slack is called, and no transaction (nor SQLite's write lock) is
    held across that call."""
    with services.db.uow() as uow:
        result = step(uow.outbox)
        uow.commit()
        return result
