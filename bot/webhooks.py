"""THE PLAN PUSH: deliver the outbox's events (ledger.plan_events) to every configured webhook.

`deliver(services, client)` runs every minute on the leader (bot.scheduler). One pass:

1. fans out events not yet fanned out: one delivery per endpoint configured now (an endpoint
   added later receives the events recorded after it was added);
2. sends the heads of the queues — per customer and endpoint the oldest open delivery — each
   claimed with a lease first, so two processes never send it at once, and POSTed (signed,
   bot.webhook_send) outside any transaction; then the next head, until nothing is due;
3. posts each delivery given up to channels.alerts, once.

Delivered at least once: a 2xx marks it delivered; a crash between the POST and that mark
sends it again (the receiver dedupes by the event id). A failure is retried after
`backoff(attempts)`, a deterministic doubling; after `webhooks.max_attempts` it is given up
("dead") so the customer's later events go on. An endpoint that fails is left alone for the
rest of the pass (it is down: one timeout per pass, not one per customer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import webhook_send
from bot.services import Services
from messages import webhook_dead_letter
from messages.views import CustomerRef
from messages.webhooks import DeadLetter
from storage.repos.webhooks import FAN_OUT_PAGE, Due, WebhookRepository

log = logging.getLogger("riskbot.webhooks")
_T = TypeVar("_T")

LEASE = timedelta(minutes=2)  # well above the POST's timeout
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
FAN_OUT_PAGES = 20  # pages of events fanned out per pass: a backlog drains over several passes
PER_PASS = 1000  # deliveries attempted per pass, at most
ROUND = 200  # queue heads read at a time


def backoff(attempts: int) -> timedelta:
    """The wait after `attempts` failed tries: 1, 2, 4, … minutes, at most an hour (10 tries
    span about four hours)."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass
class DeliveryReport:
    fanned_out: int = 0
    delivered: int = 0
    failed: int = 0  # to be retried
    given_up: int = 0
    reported: int = 0
    down: set[str] = field(default_factory=set)  # endpoints that failed this pass


def deliver(services: Services, client: WebClient | None, *, timeout: float = webhook_send.TIMEOUT_SECONDS) -> DeliveryReport:
    """One pass; safe to run from several processes at once (each delivery is leased)."""
    hooks = services.config.webhooks
    report = DeliveryReport()
    wanted = [(e.url, sorted(e.events)) for e in hooks.endpoints]
    for _ in range(FAN_OUT_PAGES):
        fanned = _step(services, lambda repo: repo.fan_out(wanted, services.now()))
        report.fanned_out += fanned
        if fanned < FAN_OUT_PAGE:
            break
    tried = 0
    while tried < PER_PASS:
        live = [e.url for e in hooks.endpoints if e.url not in report.down]
        heads = _step(services, lambda repo: repo.due(live, services.now(), LEASE, ROUND)) if live else []
        before = tried
        for head in heads[:PER_PASS - tried]:
            if head.endpoint in report.down or not _step(services, lambda repo: repo.claim(head.id, services.now(), LEASE)):
                continue
            tried += 1
            _attempt(services, head, report, timeout)
        if tried == before:  # nothing due, or every head was another sender's
            break
    if client is not None:
        report.reported = _report_dead(services, client)
    return report


def _attempt(services: Services, head: Due, report: DeliveryReport, timeout: float) -> None:
    """POST one claimed delivery and record the outcome (which releases the lease)."""
    hooks = services.config.webhooks
    endpoint = hooks.endpoint(head.endpoint)
    assert endpoint is not None  # `due` only reads configured endpoints
    answer = webhook_send.post(endpoint.url, endpoint.secret, head.body, head.event_id, services.now(), timeout)
    now = services.now()
    if answer.ok:
        _step(services, lambda repo: repo.delivered(head.id, now))
        report.delivered += 1
        return
    report.down.add(head.endpoint)
    error = answer.error or "failed"
    attempts = head.attempts + 1
    retry_at = None if attempts >= hooks.max_attempts else now + backoff(attempts)
    _step(services, lambda repo: repo.failed(head.id, error, retry_at=retry_at, at=now))
    if retry_at is None:
        report.given_up += 1
        log.warning("webhook to %s gave up on event %s of customer %s after %d tries: %s",
                    webhook_send.shown(head.endpoint), head.event_id, head.customer_id, attempts, error)
    else:
        report.failed += 1
        log.info("webhook to %s failed (%s); event %s retried at %s",
                 webhook_send.shown(head.endpoint), error, head.event_id, retry_at.isoformat())


def _report_dead(services: Services, client: WebClient) -> int:
    """One alerts-channel post per delivery given up, claimed first so it is posted once."""
    dead = _step(services, lambda repo: repo.unreported(100))
    channel = services.config.alerts_channel
    if dead and channel is None:
        log.warning("%d webhook deliveries were given up but channels.alerts is not configured", len(dead))
        return 0
    posted = 0
    for letter in dead:
        if not _step(services, lambda repo: repo.claim_report(letter.id, services.now(), LEASE)):
            continue
        message = webhook_dead_letter(services.renderer, DeadLetter(
            endpoint=webhook_send.shown(letter.endpoint), customer=CustomerRef(id=letter.customer_id, name=letter.customer_name),
            kind=letter.kind, event_id=letter.event_id, attempts=letter.attempts, error=letter.last_error or "",
        ))
        try:
            client.chat_postMessage(channel=channel, **message.to_dict())
        except (SlackApiError, OSError) as exc:
            log.warning("dead webhook delivery %s not reported in %s (%s): retried by a later pass", letter.id, channel, exc)
            _step(services, lambda repo: repo.release(letter.id))
            continue
        _step(services, lambda repo: repo.reported(letter.id, services.now()))
        posted += 1
    return posted


def _step(services: Services, step: Callable[[WebhookRepository], _T]) -> _T:
    """One step in a transaction of its own, committed at once: a lease taken is seen by every
    other sender before the POST, and no transaction is held across it."""
    with services.db.uow() as uow:
        result = step(uow.webhooks)
        uow.commit()
        return result
