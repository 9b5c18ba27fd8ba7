"""The jobs of `riskbot serve` on APScheduler 3, in the team's time zone.

Triggers only tick; what a tick does comes from the database (see bot.jobs). So:
- `misfire_grace_time=None` and `coalesce=True`: a tick that is late (the process was busy or
  the machine slept) still runs, once — APScheduler's default grace of one second would drop it;
- at start (and on every takeover by another replica) each job ticks once at once, which
  catches up whatever fell due while no scheduler ran; a job with nothing due does nothing;
- the nudge tick fires every day at nudges.time and the run itself checks the workday calendar
  (holidays and 调休 are beyond what a cron expression can say); so does the monthly report's
  tick, at schedule.monthly_report, posting on the month's first workday.
Only the elected replica runs a `JobScheduler` (bot.leader).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from threading import Lock, Thread

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot import jobs
from bot.config import Schedule
from bot.services import Services

log = logging.getLogger("riskbot.scheduler")

NUDGES = "nudges"
RERAISE = "reraise"
RESCORE = "rescore"
SYNC = "sync"
SYNC_AHEAD = timedelta(hours=1)  # the credit-data sync runs this long before the weekly rescoring
DIGEST = "digest"
MONTHLY_REPORT = "monthly_report"
PUBLISH = "publish"
HOUSEKEEPING = "housekeeping"
PUBLISH_EVERY_MINUTES = 1
WEBHOOKS = "webhooks"
WEBHOOKS_EVERY_MINUTES = 1


def guarded(job_id: str, run: Callable[[], object]) -> Callable[[], None]:
    """`run`, logging instead of raising: one failing job never stops the scheduler."""

    def job() -> None:
        try:
            run()
        except Exception:
            log.exception("job %s failed; it runs again at its next time", job_id)

    job.__name__ = f"riskbot_{job_id}"
    return job


Job = tuple[str, str, Callable[[], object], BaseTrigger]  # id, name, run, trigger


def job_table(services: Services, client: WebClient, *, publish: bool = True) -> list[Job]:
    """Every job with its trigger, in the order a catch-up runs them (the credit-data sync, then
    rescoring, so the nudges that follow already pace a newly tightened grade)."""
    cfg = services.config
    tz = cfg.tz

    def weekly(schedule: Schedule) -> CronTrigger:
        return CronTrigger(day_of_week=schedule.weekday, hour=schedule.at.hour, minute=schedule.at.minute, timezone=tz)

    daily = CronTrigger(hour=cfg.nudge_time.hour, minute=cfg.nudge_time.minute, timezone=tz)
    table: list[Job] = [*sync_job(services, client, weekly)]
    table += [
        (RESCORE, "weekly rescoring", lambda: jobs.run_rescore(services, client), weekly(cfg.rescore)),
        (NUDGES, "nudge owners about due follow-ups", lambda: jobs.run_nudges(services, client), daily),
        (RERAISE, "re-raise approvals pending over 24h", lambda: jobs.run_reraise(services, client), daily),
        (DIGEST, "weekly digest", lambda: jobs.run_digest(services, client), weekly(cfg.digest)),
        (MONTHLY_REPORT, "monthly dashboard and KPIs on the month's first workday",
         lambda: jobs.run_monthly_report(services, client),
         CronTrigger(hour=cfg.monthly_report_at.hour, minute=cfg.monthly_report_at.minute, timezone=tz)),
        (HOUSEKEEPING, "forget old Slack event ids", lambda: jobs.run_housekeeping(services), daily),
    ]
    if publish:
        table.append((PUBLISH, "publish approval requests and alerts", lambda: jobs.run_publish(services, client),
                      IntervalTrigger(minutes=PUBLISH_EVERY_MINUTES, timezone=tz)))
    if publish:  # with no endpoint configured it only marks the events as seen
        table.append((WEBHOOKS, "push grade changes and write-offs to webhooks", lambda: jobs.run_webhooks(services, client),
                      IntervalTrigger(minutes=WEBHOOKS_EVERY_MINUTES, timezone=tz)))
    return table


def sync_job(services: Services, client: WebClient, weekly: Callable[[Schedule], CronTrigger]) -> list[Job]:
    """The credit-data sync, `SYNC_AHEAD` before the weekly rescoring, if a provider is configured."""
    if not services.config.providers.sources:
        return []
    rescore = services.config.rescore
    before = datetime(2026, 1, 5 + rescore.weekday, rescore.at.hour, rescore.at.minute) - SYNC_AHEAD  # 5 Jan 2026: a Monday
    at = Schedule(before.weekday(), before.time())
    return [(SYNC, "credit-data sync", lambda: jobs.run_sync(services, client), weekly(at))]


def build_scheduler(services: Services, client: WebClient, *, publish: bool = True) -> BackgroundScheduler:
    """A scheduler (not started) ticking every job of `job_table` in the team's time zone."""
    scheduler = BackgroundScheduler(
        timezone=services.config.tz,
        job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
    for job_id, name, run, trigger in job_table(services, client, publish=publish):
        scheduler.add_job(guarded(job_id, run), trigger, id=job_id, name=name)
    return scheduler


class JobScheduler:
    """Starts and stops the jobs as leadership comes and goes (idempotent both ways).

    Starting also ticks every job once at once, in a thread of its own: the catch-up of
    whatever fell due while no scheduler ran (a job with nothing due does nothing).
    """

    def __init__(self, services: Services, client: WebClient, *, publish: bool = True) -> None:
        self.services = services
        self.client = client
        self.publish = publish
        self._scheduler: BackgroundScheduler | None = None
        self._catching_up: Thread | None = None
        self._lock = Lock()

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        with self._lock:
            if self._scheduler is not None:
                return
            self._scheduler = build_scheduler(self.services, self.client, publish=self.publish)
            self._scheduler.start()
            self._catching_up = Thread(target=self.catch_up, name="riskbot-catch-up", daemon=True)
            self._catching_up.start()
        log.info("scheduler started in %s: nudges at %s on workdays", self.services.config.timezone,
                 self.services.config.nudge_time.strftime("%H:%M"))

    def catch_up(self) -> None:
        """Tick every job once now, one after another."""
        for job_id, _, run, _ in job_table(self.services, self.client, publish=self.publish):
            guarded(job_id, run)()

    def stop(self, *, wait: bool = False) -> None:
        """Stop ticking; `wait` also waits for running jobs (their claims keep them safe anyway)."""
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
            catching_up = self._catching_up
            if wait:
                self._catching_up = None
        if scheduler is not None:
            scheduler.shutdown(wait=wait)
            log.info("scheduler stopped")
        if wait and catching_up is not None:
            catching_up.join()
