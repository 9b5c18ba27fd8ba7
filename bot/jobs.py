"""What the scheduler runs. Each job works out from the database what is due as of now, sends
it through Slack and records what went out, so it is safe to run late, twice, after downtime or
on two replicas at once: the database, not the job having fired, decides what happens.

- nudges: one DM per owner listing all that owner's due and overdue customers, plus the
  escalation of follow-ups overdue by a full cadence to channels.alerts (SPEC §7);
- reraise: grade changes pending over 24 hours, reminded to the directors once a day (§8);
- sync: credit data from the configured providers, an hour before the weekly rescoring;
- rescore: the weekly rescoring of every customer, then publishing what it produced;
- digest: the weekly digest to channels.alerts;
- publish: approval requests and alerts waiting to be posted (bot.publish).

A message Slack did not accept leaves its claim open; a later run retries it. One job failing
never stops the others: the scheduler logs it and runs the job again at its next time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Schedule
from bot.owners import LookupLater, Owners
from bot.services import Services
from bot.slack_client import classify_slack_error
from bot.usecases import reraise
from bot.usecases.digest import digest_view
from bot.usecases.nudges import NudgePlan, nudge_plan, quiet_reason
from ledger.rescore import RescoreReport, rescore
from ledger.sync import SyncReport
from messages import approval_reminder, escalation_message, nudge_dm, weekly_digest
from messages.surfaces import Message

log = logging.getLogger("riskbot.jobs")

SYSTEM = "system"
DIGEST_POSTED = "digest.posted"
RESCORED_WEEKLY = "rescore.weekly"


@dataclass
class NudgeReport:
    plan: NudgePlan
    dms: int = 0
    escalations: int = 0
    not_sent: list[str] = field(default_factory=list)  # owners / customers a later run retries


def run_nudges(services: Services, client: WebClient, *, wait_for_time: bool = True) -> NudgeReport:
    """Claim everything due as of now, send one DM per owner and the escalations, and mark
    each claim sent only after Slack accepted its message."""
    plan = nudge_plan(services, services.now(), wait_for_time=wait_for_time)
    report = NudgeReport(plan)
    if plan.quiet is None and not services.config.alerts_channel:
        log.warning("channels.alerts is not configured: long-overdue follow-ups are not escalated")
    owners = Owners(client)
    for batch in plan.nudges:
        try:
            user = owners.user_id(batch.owner)
        except LookupLater:
            user = None  # Slack is busy or away: the claims stay unsent for a later run
        if user is not None and _post(client, user, nudge_dm(services.renderer, batch.nudge), f"nudge to {batch.owner}"):
            _mark_sent(services, batch.claim_ids)
            report.dms += 1
        else:
            report.not_sent.append(batch.owner)
    for post in plan.escalations:
        channel = services.config.alerts_channel
        assert channel is not None and post.claim_id is not None
        name = post.escalation.customer.name
        if _post(client, channel, escalation_message(services.renderer, post.escalation), f"escalation of {name}"):
            _mark_sent(services, (post.claim_id,))
            report.escalations += 1
        else:
            report.not_sent.append(name)
    if plan.nudges or plan.escalations:
        log.info("nudge run %s: %d DM(s), %d escalation(s), %d not sent (retried later), %d retried from earlier",
                 plan.today, report.dms, report.escalations, len(report.not_sent), plan.retried)
    return report


def run_reraise(services: Services, client: WebClient, *, wait_for_time: bool = True) -> int:
    """Remind the directors of requests pending over 24 hours; returns how many were posted."""
    channel = services.config.approvals_channel
    now = services.now()
    if channel is None:
        log.warning("channels.approvals is not configured: pending grade changes are not re-raised")
        return 0
    if quiet_reason(services, now, wait_for_time=wait_for_time) is not None:
        return 0
    posted = 0
    for reminder in reraise.due_reminders(services, now):
        link = _permalink(client, reminder.channel, reminder.ts)
        message = approval_reminder(services.renderer, reminder.change, hours_pending=reminder.hours_pending,
                                    permalink=link)
        if _post(client, channel, message, f"reminder of grade change {reminder.change.id}"):
            posted += 1
        else:
            reraise.release(services, reminder)
    return posted


def run_digest(services: Services, client: WebClient, *, force: bool = False) -> bool:
    """Post the weekly digest unless this week's was posted already (`force`: post anyway)."""
    channel = services.config.alerts_channel
    now = services.now()
    if channel is None:
        log.warning("channels.alerts is not configured: the weekly digest is not posted")
        return False
    if not force and weekly_done(services, DIGEST_POSTED, services.config.digest, now):
        return False
    # Claimed before posting, so a catch-up and a tick (or two replicas in a takeover) post once.
    claim = "digest:" + weekly_slot(services.config.digest, now.astimezone(services.config.tz)).isoformat()
    if not force and not _once(services, claim, now):
        return False
    message = weekly_digest(services.renderer, digest_view(services, now))
    if not _post(client, channel, message, "weekly digest"):
        _forget(services, claim)
        return False
    _record(services, DIGEST_POSTED, now)
    return True


def run_housekeeping(services: Services) -> int:
    """Forget handled Slack event ids (and done claims) after a week: Slack retries within minutes."""
    with services.db.uow() as uow:
        removed = uow.events.prune(services.now() - timedelta(days=7))
        uow.commit()
    return removed


def run_rescore(services: Services, client: WebClient | None, *, force: bool = False) -> RescoreReport | None:
    """The weekly rescoring of every customer (once per week unless `force`), then publish."""
    now = services.now()
    if not force and weekly_done(services, RESCORED_WEEKLY, services.config.rescore, now):
        return None
    report = rescore(services.db, services.profiles, services.workdays, now, tz=services.config.tz, everyone=True)
    _record(services, RESCORED_WEEKLY, now)
    log.info("weekly rescoring: %d assessed, %d applied, %d pending", report.assessed, report.applied, report.requested)
    if client is not None:
        run_publish(services, client)
    return report


def run_sync(services: Services, client: WebClient | None) -> SyncReport | None:
    """The scheduled credit-data sync (before the weekly rescoring): only what is due is asked
    for, so a catch-up at start-up costs nothing new; what changed is published like a rescore."""
    from bot.usecases.sync import SyncSetupError, run_sync as sync_now  # the sync's own module, kept apart

    if not services.config.providers.sources:
        return None
    try:
        report = sync_now(services)
    except SyncSetupError as exc:
        log.warning("credit-data sync not run: %s", exc)
        return None
    log.info("credit-data sync: %d queried, %d changed, %d failed, %d call(s) spent%s", report.queried,
             report.changed, len(report.failed), report.calls, "; stopped: " + "; ".join(map(str, report.stopped)) if report.stopped else "")
    if client is not None and report.changed:
        run_publish(services, client)
    return report


def run_publish(services: Services, client: WebClient) -> None:
    """Post what is waiting: approval requests, decisions and alerts (bot.publish)."""
    from bot.publish import publish  # written alongside; imported when first needed

    publish(services, client)


def weekly_slot(schedule: Schedule, local_now: datetime) -> datetime:
    """The latest time the weekly `schedule` came round, at or before `local_now` (aware)."""
    back = (local_now.weekday() - schedule.weekday) % 7
    slot = datetime.combine(local_now.date() - timedelta(days=back), schedule.at, tzinfo=local_now.tzinfo)
    return slot - timedelta(days=7) if slot > local_now else slot


def weekly_done(services: Services, action: str, schedule: Schedule, now: datetime) -> bool:
    """Whether the weekly `action` was done since its latest scheduled time (so a missed one,
    e.g. during downtime, is done at start-up and a repeated one is not done twice)."""
    slot = weekly_slot(schedule, now.astimezone(services.config.tz))
    with services.db.uow() as uow:
        return uow.audit.done_since(action, slot)


def _once(services: Services, key: str, now: datetime) -> bool:
    with services.db.uow() as uow:
        first = uow.events.first_time(key, now)
        uow.commit()
    return first


def _forget(services: Services, key: str) -> None:
    with services.db.uow() as uow:
        uow.events.forget(key)
        uow.commit()


def _record(services: Services, action: str, now: datetime) -> None:
    with services.db.uow() as uow:
        uow.audit.append(now, SYSTEM, action)
        uow.commit()


def _mark_sent(services: Services, claim_ids: tuple[int, ...]) -> None:
    with services.db.uow() as uow:
        uow.nudges.mark_sent_many(claim_ids, services.now())
        uow.commit()


def _post(client: WebClient, channel: str, message: Message, what: str) -> bool:
    """Post; True only when Slack said ok. Failures are logged, never raised."""
    try:
        client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        return True
    except SlackApiError as exc:
        log.warning("%s not sent (%s): retried by a later run", what, classify_slack_error(exc))
    except (SlackClientError, OSError) as exc:
        log.warning("%s not sent (%s): retried by a later run", what, exc)
    return False


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except (SlackClientError, OSError, KeyError):
        return None
