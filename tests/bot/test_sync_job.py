"""The scheduled credit-data sync: an hour before the weekly rescoring; what it finds is graded
and alerted through Slack like any data update."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot import jobs
from bot.config import Schedule
from bot.provider_config import ProvidersConfig, Source
from bot.scheduler import RESCORE, SYNC, build_scheduler
from bot.services import Services, build_services
from bot.slack_client import make_web_client
from scoring.grades import Grade
from tests.bot.ledger import add_customer
from tests.providers.fake import APPKEY, SECRETKEY, FakeProvider, serving
from tests.slackkit.fake_api import FakeSlackApi


@pytest.fixture
def qcc() -> Iterator[FakeProvider]:
    with serving(FakeProvider("qichacha")) as fake:
        yield fake


@pytest.fixture
def synced(services: Services, qcc: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setenv("QCC_APPKEY", APPKEY)
    monkeypatch.setenv("QCC_SECRETKEY", SECRETKEY)
    source = Source("qcc", "qichacha", qcc.url, {"key": "QCC_APPKEY", "secret": "QCC_SECRETKEY"}, rate_per_second=100)
    return build_services(replace(services.config, providers=ProvidersConfig(sources=(source,))), services.db,
                          services.clock)


def fires(services: Services, client: WebClient, after: datetime) -> dict[str, datetime]:
    scheduler = build_scheduler(services, client)
    scheduler.start(paused=True)
    try:
        return {j.id: j.trigger.get_next_fire_time(None, after) for j in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def test_the_sync_runs_an_hour_before_the_weekly_rescoring(synced: Services, slack: FakeSlackApi) -> None:
    client = make_web_client("xoxb-test", slack.url)
    tz = synced.config.tz
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=tz)
    at = fires(synced, client, monday_10)
    assert at[SYNC] == datetime(2026, 11, 30, 7, 0, tzinfo=tz) and at[RESCORE] == datetime(2026, 11, 30, 8, 0, tzinfo=tz)
    early = build_services(replace(synced.config, rescore=Schedule(0, time(0, 30))), synced.db, synced.clock)
    assert fires(early, client, monday_10)[SYNC] == datetime(2026, 11, 29, 23, 30, tzinfo=tz)  # Sunday


def test_without_a_provider_there_is_no_sync_job(services: Services, slack: FakeSlackApi) -> None:
    assert SYNC not in fires(services, make_web_client("xoxb-test", slack.url), services.local_now())


def test_a_new_dishonest_record_found_by_the_sync_moves_the_grade_and_alerts_the_channel(
    synced: Services, qcc: FakeProvider, slack: FakeSlackApi
) -> None:
    client = make_web_client("xoxb-test", slack.url)
    customer_id = add_customer(synced, "深圳市同步测试科技有限公司", Grade.BLUE)
    with synced.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        assert customer is not None
        customer.created_at = synced.now() - timedelta(days=40)  # its imported values are a month old
        code = customer.credit_code
        uow.commit()
    qcc.records[("ShiXin/GetList", code)] = [{"PublishDate": "2026-10-01"}]
    report = jobs.run_sync(synced, client)
    assert report is not None and report.changed == 1 and report.ok
    with synced.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        assert customer is not None and customer.effective_grade is Grade.YELLOW
    alerts: list[Any] = [c for c in slack.calls("chat.postMessage") if c["channel"] == "C0ALERTS"]
    assert any("新增失信被执行人记录" in c["text"] + str(c["blocks"]) for c in alerts)
    again = jobs.run_sync(synced, client)
    assert again is not None and again.queried == 0  # nothing is due a second time


def test_the_card_shows_where_each_value_came_from_and_marks_what_is_out_of_date(
    synced: Services, qcc: FakeProvider, slack: FakeSlackApi, clock: Any
) -> None:
    from bot.usecases.lookup import card

    customer_id = add_customer(synced, "深圳市时效测试科技有限公司", Grade.BLUE)
    with synced.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        assert customer is not None
        customer.created_at = synced.now() - timedelta(days=5)
        uow.commit()
    jobs.run_sync(synced, None)  # of what was imported five days ago nothing is due …
    assert [r.path for r in qcc.requests] == ["/LawSuit/GetPendingList"]  # … only what was never observed
    fresh = card(synced, customer_id)
    assert fresh is not None and not fresh.provisional
    rows = {row.label: row for row in fresh.freshness}
    assert rows["失信被执行人记录(近3年)"].source == "import" and not rows["失信被执行人记录(近3年)"].stale

    clock.advance(days=40)  # the public-credit data is due: the sync asks for it
    jobs.run_sync(synced, None)
    clock.advance(days=25)  # 25 days after the sync, 65 after the import
    later = card(synced, customer_id)
    assert later is not None
    rows = {row.label: row for row in later.freshness}
    dishonest = rows["失信被执行人记录(近3年)"]
    assert (dishonest.source, dishonest.origin, dishonest.stale) == ("provider", "qcc", False)
    # Imported 65 days ago (every 10 days is its interval) but not stale: an import records a
    # value only when it changes, so its age says nothing; only a provider's values go stale.
    assert not rows["历史逾期付款次数(逾期>30天)"].stale
    assert not later.provisional

    clock.advance(days=40)  # 65 days after the sync: the provider's values are out of date too
    stale = card(synced, customer_id)
    assert stale is not None and {row.label: row for row in stale.freshness}["失信被执行人记录(近3年)"].stale
    assert stale.provisional  # stale values count as unknown: coverage falls below 70%
