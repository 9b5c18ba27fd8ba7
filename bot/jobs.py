"""What the scheduler runs. Each job works out from the database what is due as of now, sends
it through Slack and records what went out, so it is safe to run late, twice, after downtime or
on two replicas at once: the database, not the job having fired, decides what happens.

- nudges: one DM per owner listing all that owner's due and overdue customers, plus the
  escalation of follow-ups overdue by a full cadence to channels.alerts (SPEC §7);
- reraise: grade changes pending over 24 hours, reminded to the directors once a day (§8);
- sync: credit data from the configured providers, an hour before the weekly rescoring;
- rescore: the weekly rescoring of every customer, then publishing what it produced;
- digest: the weekly digest to channels.alerts;
- monthly report: the month's dashboard with its charts to channels.alerts on the first workday
  of the next month, and each owner's KPIs to them (everyone's to roles.manager);
- publish: approval requests and alerts waiting to be posted (bot.publish);
- webhooks: grade changes and write-offs pushed to the configured webhooks (bot.webhooks).

A message Slack did not accept leaves its claim open; a later run retries it. One job failing
never stops the others: the scheduler logs it and runs the job again at its next time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Schedule
from bot.owners import LookupLater, Owners
from bot.services import Services
from bot.slack_client import classify_slack_error
from bot.usecases import reraise
from bot.usecases.digest import digest_view
from bot.usecases.nudges import NudgePlan, nudge_plan, quiet_reason
from bot.webhooks import deliver as deliver_webhooks
from ledger.rescore import RescoreReport, rescore
from ledger.sync import SyncReport
from messages import approval_reminder, escalation_message, nudge_dm, weekly_digest
from messages.report import kpi_dm, kpi_for_manager, monthly_dashboard
from messages.report_views import KpiReport
from reports.monthly import month_to_report, monthly_report
from scoring.outcomes import Period, month_of
from messages.surfaces import Message

log = logging.getLogger("riskbot.jobs")

SYSTEM = "system"
DIGEST_POSTED = "digest.posted"
RESCORED_WEEKLY = "rescore.weekly"
MONTHLY_POSTED = "monthly_report.posted"


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


def monthly_due(services: Services, now: datetime) -> Period | None:
    """The month whose report is due by `now`: the one before, from the first workday of this
    month at schedule.monthly_report (None before that). Whether it went out already is the
    claim's business, so a report missed during downtime goes out at the next tick."""
    local = now.astimezone(services.config.tz)
    first = services.workdays.on_or_after(month_of(local.date()).start)
    if (local.date(), local.time()) < (first, services.config.monthly_report_at):
        return None
    return month_to_report(local.date())


def run_monthly_report(services: Services, client: WebClient, *, month: Period | None = None,
                       force: bool = False) -> bool:
    """Post the monthly dashboard and its charts and DM the KPIs, once per month: claimed before
    posting, so a restart's catch-up or a second replica never posts it twice, and recorded in
    the audit log once out (claims are pruned after a week; the record stays). `month`: that
    month's rather than the one due now; `force`: post it even if it went out already."""
    channel = services.config.alerts_channel
    now = services.now()
    if channel is None:
        log.warning("channels.alerts is not configured: the monthly report is not posted")
        return False
    period = month or monthly_due(services, now)
    if period is None or (month is None and not _ledger_kept_during(services, period)):
        return False
    claim = f"monthly-report:{period.name}"
    if not force and (monthly_posted(services, period) or not _once(services, claim, now)):
        return False
    try:
        report = monthly_report(services.db, period, services.config.tz, now)
        posted = _post(client, channel, monthly_dashboard(services.renderer, report), f"monthly report {period.name}")
    except Exception:
        if not force:
            _forget(services, claim)  # nothing went out: the next tick tries again
        raise
    if not posted:
        if not force:
            _forget(services, claim)
        return False
    _record(services, MONTHLY_POSTED, now, {"month": period.name})
    from reports.charts import monthly_charts  # matplotlib takes over half a second to import: only drawing pays it

    _upload_charts(client, channel, monthly_charts(report, services.config.locale), period.name)
    _send_kpis(services, client, report.kpi)
    return True


def _ledger_kept_during(services: Services, period: Period) -> bool:
    """Whether the ledger had customers before `period` ended: a bot started on 23 November
    has no October to report."""
    with services.db.uow() as uow:
        first = uow.customers.first_created_at()
    return first is not None and first < datetime.combine(period.end, time(0), services.config.tz)


def monthly_posted(services: Services, period: Period) -> bool:
    """Whether `period`'s report went out (it can only have gone out after the month ended)."""
    since = datetime.combine(period.end, time(0), services.config.tz)
    with services.db.uow() as uow:
        return any(detail.get("month") == period.name for detail in uow.audit.details_of(MONTHLY_POSTED, since))


def _upload_charts(client: WebClient, channel: str, charts: dict[str, bytes], month: str) -> None:
    """The charts beside the summary. The summary is out already: a failed upload is logged, not
    retried (retrying would post the summary twice)."""
    try:
        client.files_upload_v2(channel=channel, file_uploads=[
            {"file": png, "filename": name, "title": name.removesuffix(".png")} for name, png in charts.items()])
    except SlackApiError as exc:
        log.warning("charts of the monthly report %s not uploaded (%s)", month, classify_slack_error(exc))
    except (SlackClientError, OSError) as exc:
        log.warning("charts of the monthly report %s not uploaded (%s)", month, exc)


def _send_kpis(services: Services, client: WebClient, kpi: KpiReport) -> None:
    """Each owner their own KPI line; each manager everyone's. Not retried: the claim covers
    the whole monthly report."""
    owners = Owners(client)
    everyone = sorted({line.owner for line in (*kpi.sales, *kpi.risk)})
    for owner in everyone:
        dm = kpi_dm(services.renderer, kpi, owner)
        try:
            user = owners.user_id(owner)
        except LookupLater:
            user = None
        if dm is not None and user is not None:
            _post(client, user, dm, f"KPIs of {owner}")
    for manager in sorted(services.config.managers):
        _post(client, manager, kpi_for_manager(services.renderer, kpi), f"KPIs for manager {manager}")


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
    report = rescore(services.db, services.profiles, services.workdays, now, tz=services.config.tz, everyone=True,
                     announce=services.config.announces)
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


def run_webhooks(services: Services, client: WebClient | None) -> None:
    """Deliver the webhook outbox (bot.webhooks); deliveries given up go to channels.alerts."""
    report = deliver_webhooks(services, client)
    if report.delivered or report.failed or report.given_up:
        log.info("webhooks: %d delivered, %d to retry, %d given up", report.delivered, report.failed, report.given_up)


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


def _record(services: Services, action: str, now: datetime, detail: dict[str, str] | None = None) -> None:
    with services.db.uow() as uow:
        uow.audit.append(now, SYSTEM, action, detail=detail)
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
