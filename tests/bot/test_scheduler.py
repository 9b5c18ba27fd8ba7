"""The scheduler of `riskbot serve`: its ticks in the team's time zone, the catch-up at start,
failing jobs, and two schedulers on one database sending each nudge once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot import jobs
from bot.config import Schedule
from bot.scheduler import DIGEST, NUDGES, PUBLISH, RERAISE, RESCORE, JobScheduler, build_scheduler, guarded
from bot.services import Services, build_services
from bot.slack_client import make_web_client
from scoring.grades import Grade
from storage.db import open_database
from storage.uow import Database
from tests.bot.conftest import Clock
from tests.bot.ledger import add_customer
from tests.slackkit.fake_api import FakeSlackApi


@pytest.fixture
def client(slack: FakeSlackApi) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


def nudge_dms(slack: FakeSlackApi) -> list[tuple[str, int]]:
    """(owner, customer) for every customer line of every nudge DM sent."""
    return [
        (call["channel"], int(block["accessory"]["value"]))
        for call in slack.calls("chat.postMessage")
        if "需要跟进" in call["text"]
        for block in call["blocks"]
        if "accessory" in block
    ]


def due_today(services: Services, count: int, owners: tuple[str, ...] = ("U0SALES",)) -> list[int]:
    ids = [add_customer(services, f"到期客户{n}号有限公司", Grade.YELLOW, sales_owner=owners[n % len(owners)],
                        risk_officer="U0RISK") for n in range(count)]
    with services.db.uow() as uow:
        for customer in uow.customers.get_many(ids):
            customer.next_due = services.today()
        uow.commit()
    return ids


def next_fire(job: Any, after: datetime) -> datetime:
    return job.trigger.get_next_fire_time(None, after)


def test_jobs_tick_in_the_team_time_zone_and_a_late_tick_still_runs_once(services: Services, client: WebClient) -> None:
    tz = services.config.tz
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=tz)
    scheduler = build_scheduler(services, client)
    scheduler.start(paused=True)  # jobs get their defaults; nothing runs
    try:
        job = {j.id: j for j in scheduler.get_jobs()}
        assert next_fire(job[NUDGES], monday_10) == datetime(2026, 11, 24, 9, 30, tzinfo=tz)
        assert next_fire(job[RERAISE], monday_10) == datetime(2026, 11, 24, 9, 30, tzinfo=tz)
        assert next_fire(job[RESCORE], monday_10) == datetime(2026, 11, 30, 8, 0, tzinfo=tz)  # the weekly update
        assert next_fire(job[DIGEST], monday_10) == datetime(2026, 11, 30, 9, 0, tzinfo=tz)
        assert job[PUBLISH].trigger.interval == timedelta(minutes=1)
        assert str(scheduler.timezone) == "Asia/Shanghai"
        for each in job.values():
            assert each.misfire_grace_time is None and each.coalesce is True and each.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


def test_configured_times_move_the_ticks(services: Services, client: WebClient) -> None:
    config = replace(services.config, nudge_time=time(8, 45), digest=Schedule(4, time(17, 0)))
    scheduler = build_scheduler(build_services(config, services.db, services.clock), client)
    tz = config.tz
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=tz)
    scheduler.start(paused=True)
    try:
        job = {j.id: j for j in scheduler.get_jobs()}
        assert next_fire(job[NUDGES], monday_10) == datetime(2026, 11, 24, 8, 45, tzinfo=tz)
        assert next_fire(job[DIGEST], monday_10) == datetime(2026, 11, 27, 17, 0, tzinfo=tz)
    finally:
        scheduler.shutdown(wait=False)


def test_starting_catches_up_at_once_on_whatever_fell_due_while_no_scheduler_ran(
    services: Services, slack: FakeSlackApi, client: WebClient
) -> None:
    customers = due_today(services, 3)
    scheduler = JobScheduler(services, client)
    scheduler.start()
    scheduler.stop(wait=True)

    assert sorted(nudge_dms(slack)) == sorted([("U0SALES", c) for c in customers] + [("U0RISK", c) for c in customers])
    assert any("风控周报" in c["text"] for c in slack.calls("chat.postMessage") if c["channel"] == "C0ALERTS")
    with services.db.uow() as uow:  # this Monday's weekly rescoring had not run either
        assert {e.action for e in uow.audit.query()} >= {jobs.RESCORED_WEEKLY, jobs.DIGEST_POSTED}
    assert not scheduler.running


def test_a_failing_job_is_logged_and_the_other_jobs_still_run(
    services: Services, slack: FakeSlackApi, client: WebClient, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customers = due_today(services, 1)

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("profiles folder vanished")

    monkeypatch.setattr(jobs, "run_rescore", broken)
    with caplog.at_level(logging.ERROR, logger="riskbot.scheduler"):
        JobScheduler(services, client, publish=False).catch_up()
        guarded("rescore", broken)()  # the form APScheduler calls: never raises

    assert "job rescore failed" in caplog.text and "profiles folder vanished" in caplog.text
    assert sorted(nudge_dms(slack)) == [("U0RISK", customers[0]), ("U0SALES", customers[0])]


def test_two_schedulers_on_one_database_send_each_nudge_once(
    services: Services, database_url: str, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    """Both running at once (e.g. while a takeover overlaps): the claims decide, not the ticks."""
    customers = due_today(services, 24, owners=("U0SALES", "U0WANG", "U0LI"))
    other = Database(open_database(database_url))
    try:
        replicas = [JobScheduler(services, client, publish=False),
                    JobScheduler(build_services(services.config, other, clock), client, publish=False)]
        for replica in replicas:
            replica.start()
        for replica in replicas:
            replica.stop(wait=True)
    finally:
        other.dispose()

    sent = Counter(nudge_dms(slack))
    assert set(sent.values()) == {1}
    assert sorted(c for owner, c in sent if owner == "U0RISK") == sorted(customers)
    assert sorted(c for owner, c in sent if owner != "U0RISK") == sorted(customers)
