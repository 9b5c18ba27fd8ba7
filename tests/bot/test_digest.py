"""The weekly digest and the daily re-raise of pending approvals, with a controlled clock."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.cli import app
from bot.jobs import run_digest, run_reraise
from bot.services import Services, build_services
from bot.slack_client import make_web_client
from bot.usecases.digest import digest_view
from ledger.rescore import rescore
from messages.views import OwnerOverdue
from scoring.grades import Grade
from storage.models import Customer
from tests.bot.conftest import Clock
from tests.bot.ledger import CLEAN, FACTS, add_customer
from tests.slackkit.fake_api import FakeSlackApi


@pytest.fixture
def client(slack: FakeSlackApi) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


def regrade(services: Services, customer_id: int, grade: Grade) -> None:
    """New facts that score `grade`, rescored now (applied at once or requested, SPEC §8)."""
    with services.db.uow() as uow:
        customer = uow.session.get(Customer, customer_id)
        assert customer is not None
        customer.values = {**CLEAN, **FACTS[grade]}
        customer.needs_rescore = True
        uow.commit()
    rescore(services.db, services.profiles, services.workdays, services.now(), tz=services.config.tz)


def set_due(services: Services, customer_id: int, due: date) -> None:
    with services.db.uow() as uow:
        customer = uow.session.get(Customer, customer_id)
        assert customer is not None
        customer.next_due = due
        uow.commit()


def posts(slack: FakeSlackApi, channel: str) -> list[dict[str, Any]]:
    return [c for c in slack.calls("chat.postMessage") if c["channel"] == channel]


def text_of(call: dict[str, Any]) -> str:
    return json.dumps(call["blocks"], ensure_ascii=False)


@pytest.fixture
def week(services: Services, clock: Clock) -> dict[str, int]:
    """A ledger graded ten days ago; this week one customer moved blue → yellow and one asked
    to go yellow → red. Two customers are overdue."""
    now = clock.now
    clock.now = now - timedelta(days=10)
    ids = {
        "A": add_customer(services, "安徽蓝标逾期有限公司", Grade.BLUE),
        "B": add_customer(services, "北京变黄有限公司", Grade.BLUE),
        "C": add_customer(services, "重庆待批有限公司", Grade.YELLOW),
        "D": add_customer(services, "大连红标有限公司", Grade.RED, sales_owner="U0LI", outstanding=500_000),
        "E": add_customer(services, "鄂州黑标有限公司", Grade.BLACK, outstanding=80_000),
        "F": add_customer(services, "福州红标无欠款有限公司", Grade.RED, outstanding=0),
    }
    clock.now = now - timedelta(days=3)
    regrade(services, ids["B"], Grade.YELLOW)
    clock.now = now - timedelta(hours=30)
    regrade(services, ids["C"], Grade.RED)
    clock.now = now
    today = now.astimezone(services.config.tz).date()
    for key, customer in ids.items():
        set_due(services, customer, today - timedelta(days=4) if key in "AD" else today + timedelta(days=5))
    return ids


def test_the_digest_shows_the_grade_mix_against_last_week_and_the_weeks_changes(
    services: Services, clock: Clock, week: dict[str, int]
) -> None:
    digest = digest_view(services, clock.now)

    assert (digest.week_start, digest.week_end) == (date(2026, 11, 17), date(2026, 11, 23))
    assert digest.grade_mix == {Grade.BLUE: 1, Grade.YELLOW: 2, Grade.RED: 2, Grade.BLACK: 1}
    assert digest.previous_mix == {Grade.BLUE: 2, Grade.YELLOW: 1, Grade.RED: 2, Grade.BLACK: 1}
    assert [(c.customer.id, c.from_grade, c.to_grade) for c in digest.changes] == [
        (week["B"], Grade.BLUE, Grade.YELLOW)]
    assert [(c.customer.id, c.from_grade, c.to_grade) for c in digest.pending] == [
        (week["C"], Grade.YELLOW, Grade.RED)]
    assert digest.overdue_by_owner == (
        OwnerOverdue(owner="U0RISK", count=2), OwnerOverdue(owner="U0LI", count=1),
        OwnerOverdue(owner="U0SALES", count=1))
    assert [(r.customer.id, Decimal(r.amount)) for r in digest.largest_receivables] == [
        (week["D"], Decimal(500_000)), (week["E"], Decimal(80_000))]


def test_the_digest_goes_to_the_alerts_channel_once_a_week(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, week: dict[str, int]
) -> None:
    assert run_digest(services, client)  # Monday 10:00, after the 09:00 slot
    assert not run_digest(services, client)  # a restart's catch-up the same week
    [digest] = posts(slack, "C0ALERTS")
    text = text_of(digest)
    assert "风控周报 2026-11-17 – 2026-11-23" in digest["text"]
    assert "🔵 蓝标 1（−1）" in text and "🟡 黄标 2（+1）" in text and "🔴 红标 2（持平）" in text
    assert "北京变黄有限公司" in text and "重庆待批有限公司" in text and "¥500,000" in text

    clock.advance(days=6, hours=22, minutes=59)  # next Monday 08:59
    assert not run_digest(services, client)
    clock.advance(minutes=1)
    assert run_digest(services, client)
    assert len(posts(slack, "C0ALERTS")) == 2


def test_a_digest_missed_during_downtime_is_posted_when_the_bot_is_back(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, week: dict[str, int]
) -> None:
    clock.advance(days=1, hours=5)  # down from Sunday to Tuesday 15:00: Monday's slot passed unseen
    assert run_digest(services, client)
    assert not run_digest(services, client)
    assert len(posts(slack, "C0ALERTS")) == 1


def test_a_request_pending_over_24_hours_is_re_raised_to_the_directors_once_a_day(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, week: dict[str, int]
) -> None:
    with services.db.uow() as uow:
        pending = uow.changes.pending_for(week["C"])
        assert pending is not None
        pending.slack_channel, pending.slack_ts = "C0APPROVALS", "1700000000.000042"
        uow.commit()

    assert run_reraise(services, client) == 1
    [reminder] = posts(slack, "C0APPROVALS")
    assert "<@U0DIRECTOR>" in text_of(reminder) and "30 小时" in text_of(reminder)
    assert "重庆待批有限公司" in text_of(reminder) and "/archives/C0APPROVALS/p1700000000000042" in text_of(reminder)

    clock.advance(hours=3)
    assert run_reraise(services, client) == 0
    clock.advance(days=1)
    assert run_reraise(services, client) == 1
    assert "57 小时" in text_of(posts(slack, "C0APPROVALS")[1])


def test_a_request_pending_under_24_hours_or_at_the_weekend_is_not_re_raised(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, week: dict[str, int]
) -> None:
    clock.advance(hours=-20)
    fresh = add_customer(services, "广西新申请有限公司", Grade.YELLOW)
    regrade(services, fresh, Grade.RED)
    clock.advance(hours=20)
    assert run_reraise(services, client) == 1  # the 30-hour-old one only
    assert "广西新申请有限公司" not in text_of(posts(slack, "C0APPROVALS")[0])

    clock.advance(days=5)  # Saturday
    assert run_reraise(services, client) == 0
    clock.advance(days=2)  # Monday: both, once each
    assert run_reraise(services, client) == 2


def test_a_reminder_slack_refused_is_posted_by_the_next_run(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, week: dict[str, int]
) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    assert run_reraise(services, client) == 0
    clock.advance(minutes=5)
    assert run_reraise(services, client) == 1
    clock.advance(minutes=5)
    assert run_reraise(services, client) == 0


def test_without_an_approvals_channel_nothing_is_re_raised(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, week: dict[str, int]
) -> None:
    unset = build_services(replace(services.config, approvals_channel=None), services.db, clock)
    assert run_reraise(unset, client) == 0 and slack.calls("chat.postMessage") == []


# --- riskbot digest ---------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    config = tmp_path / "riskbot.yaml"
    config.write_text("channels:\n  alerts: C0ALERTS\n", encoding="utf-8")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return {"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(config), "SLACK_API_URL": slack.url}


def test_digest_dry_run_prints_the_digest_and_posts_nothing(
    cli_env: dict[str, str], slack: FakeSlackApi, week: dict[str, int]
) -> None:
    result = CliRunner().invoke(app, ["digest", "--dry-run"], env=cli_env)
    assert result.exit_code == 0, result.stderr
    assert "风控周报" in result.stdout and "大连红标有限公司" in result.stdout and "¥500,000" in result.stdout
    assert slack.calls("chat.postMessage") == []


def test_digest_posts_to_the_alerts_channel_and_needs_a_token(
    cli_env: dict[str, str], slack: FakeSlackApi, week: dict[str, int]
) -> None:
    missing = CliRunner().invoke(app, ["digest"], env=cli_env)
    assert missing.exit_code == 2 and missing.stdout == ""
    assert missing.stderr.startswith("riskbot: SLACK_BOT_TOKEN is not set")

    done = CliRunner().invoke(app, ["digest"], env={**cli_env, "SLACK_BOT_TOKEN": "xoxb-test"})
    assert done.exit_code == 0, done.stderr
    assert [c["channel"] for c in slack.calls("chat.postMessage")] == ["C0ALERTS"]


def test_a_catch_up_and_a_tick_at_the_same_moment_post_the_digest_once(services, client, slack):
    import threading

    add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW)
    barrier = threading.Barrier(3)
    results: list[bool] = []

    def post() -> None:
        barrier.wait()
        results.append(run_digest(services, client))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, True]
    assert len(posts(slack, "C0ALERTS")) == 1


def test_a_digest_slack_refused_is_posted_by_the_next_run(services, client, slack):
    slack.fail_next("chat.postMessage", error="not_in_channel")
    assert run_digest(services, client) is False
    assert run_digest(services, client) is True
    assert len([c for c in slack.calls("chat.postMessage") if c["channel"] == "C0ALERTS"]) == 2


def test_housekeeping_forgets_event_ids_after_a_week_but_not_before(services, clock):
    from bot.jobs import run_housekeeping

    with services.db.uow() as uow:
        uow.events.first_time("EvOld", services.now())
        uow.commit()
    clock.advance(days=6)
    with services.db.uow() as uow:
        uow.events.first_time("EvNew", services.now())
        uow.commit()
    clock.advance(days=2)
    assert run_housekeeping(services) == 1
    with services.db.uow() as uow:
        assert uow.events.first_time("EvOld", services.now()) is True  # forgotten: seen as new
        assert uow.events.first_time("EvNew", services.now()) is False
