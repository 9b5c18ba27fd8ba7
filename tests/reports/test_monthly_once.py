"""The monthly post goes out once for good: not again when the week-old claims are pruned, and
not lost when working it out fails after the claim."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot import jobs
from bot.config import Config
from bot.services import Services, build_services
from scoring.outcomes import month
from storage.uow import Database
from tests.reports.conftest import Clock
from tests.reports.ledger import Ids, at
from tests.slackkit.fake_api import FakeSlackApi

ALERTS = "C0ALERTS"


@pytest.fixture
def services(db: Database, clock: Clock, ids: Ids) -> Services:
    return build_services(Config(alerts_channel=ALERTS), db, clock)


def dashboards(slack: FakeSlackApi) -> list[dict[str, Any]]:
    return [c for c in slack.calls("chat.postMessage") if c["channel"] == ALERTS]


def test_a_week_later_housekeeping_does_not_make_the_month_due_again(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    assert jobs.run_monthly_report(services, client)
    for days in (8, 15, 22):  # the daily tick keeps coming all month; the claims are pruned weekly
        clock.now = at(12, 1) + timedelta(days=days)
        jobs.run_housekeeping(services)
        assert not jobs.run_monthly_report(services, client)
    assert len(dashboards(slack)) == 1


def test_an_explicit_month_is_claimed_too_and_force_sends_it_again(
    services: Services, slack: FakeSlackApi, client: WebClient
) -> None:
    assert jobs.run_monthly_report(services, client, month=month(2026, 11))  # `riskbot report month --post`
    assert not jobs.run_monthly_report(services, client)  # the scheduled tick: out already
    assert jobs.run_monthly_report(services, client, month=month(2026, 11), force=True)
    assert len(dashboards(slack)) == 2


def test_a_failure_after_the_claim_leaves_the_month_to_the_next_tick(
    services: Services, slack: FakeSlackApi, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("database went away")

    with monkeypatch.context() as patched:
        patched.setattr(jobs, "monthly_report", broken)
        with pytest.raises(RuntimeError):
            jobs.run_monthly_report(services, client)
    assert dashboards(slack) == []
    assert jobs.run_monthly_report(services, client)
    assert len(dashboards(slack)) == 1
