"""The daily nudge run (SPEC §7) against a real database and the fake Slack API, with a
controlled clock: cadences, the workday calendar, catch-up, sending once whatever happens."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.cli import app
from bot.jobs import run_nudges
from bot.services import Services, build_services
from bot.slack_client import make_web_client
from bot.usecases.followups import log_followup
from bot.usecases.nudges import CLAIM_LEASE, Quiet, nudge_plan
from scoring.cadence import CADENCE_DAYS
from scoring.grades import Grade
from storage.models import Customer
from tests.bot.conftest import Clock
from tests.bot.ledger import add_customer, utc
from tests.slackkit.fake_api import FakeSlackApi


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`day` at hour:minute in Shanghai, as the aware UTC instant the clock holds."""
    return utc(day.year, day.month, day.day, hour, minute) - timedelta(hours=8)


@pytest.fixture
def client(slack: FakeSlackApi) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


@pytest.fixture
def every_day(services: Services) -> Services:
    """Seven workdays and no statutory calendar: only the cadence decides."""
    config = replace(services.config, workdays=frozenset(range(7)), chinese_calendar=False)
    return build_services(config, services.db, services.clock)


def set_due(services: Services, customer_id: int, due: date) -> None:
    with services.db.uow() as uow:
        customer = uow.session.get(Customer, customer_id)
        assert customer is not None
        customer.next_due = due
        uow.commit()


def dms(slack: FakeSlackApi) -> dict[str, list[int]]:
    """Owner → the customers (ids from their log-follow-up buttons) of each DM, in order sent."""
    out: dict[str, list[int]] = {}
    for call in slack.calls("chat.postMessage"):
        if call["channel"].startswith("U"):
            assert call["channel"] not in out, f"{call['channel']} got two DMs"
            out[call["channel"]] = [int(b["accessory"]["value"]) for b in call["blocks"] if "accessory" in b]
    return out


def escalations(slack: FakeSlackApi) -> list[dict[str, Any]]:
    return [c for c in slack.calls("chat.postMessage") if c["channel"] == "C0ALERTS"]


def text_of(call: dict[str, Any]) -> str:
    return json.dumps(call["blocks"], ensure_ascii=False)


@pytest.mark.parametrize("grade", list(Grade))
def test_each_grade_falls_due_exactly_one_cadence_after_it_took_effect(
    every_day: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, grade: Grade
) -> None:
    customer = add_customer(every_day, "深圳市华强电子有限公司", grade)
    cadence = CADENCE_DAYS[grade]
    assert cadence == {Grade.BLUE: 90, Grade.YELLOW: 30, Grade.RED: 7, Grade.BLACK: 1}[grade]

    clock.advance(days=cadence - 1)
    run_nudges(every_day, client)
    assert dms(slack) == {}

    clock.advance(days=1)
    run_nudges(every_day, client)
    assert dms(slack) == {"U0SALES": [customer], "U0RISK": [customer]}
    assert "今天到期" in text_of(slack.calls("chat.postMessage")[0])


def test_one_dm_per_owner_lists_all_their_due_and_overdue_customers(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    today = clock.now.date()
    due = add_customer(services, "广州due今天有限公司", Grade.YELLOW)
    late = add_customer(services, "广州逾期三天有限公司", Grade.RED, risk_officer="U0OTHER")
    later = add_customer(services, "广州下月到期有限公司", Grade.BLUE)
    log_followup(services, late, "U0SALES", "客户承诺月底回款", at=clock.now - timedelta(days=5))
    set_due(services, due, today)
    set_due(services, late, today - timedelta(days=3))

    report = run_nudges(services, client)

    assert dms(slack) == {"U0OTHER": [late], "U0RISK": [due], "U0SALES": [late, due]}
    assert report.dms == 3 and later not in dms(slack)["U0SALES"]
    sales = next(c for c in slack.calls("chat.postMessage") if c["channel"] == "U0SALES")
    text = text_of(sales)
    assert "逾期 3 天" in text and "今天到期" in text and "🔴" in text and "🟡" in text
    assert "客户承诺月底回款" in text  # the last follow-up
    assert all(b["accessory"]["action_id"] == "followup.open_modal" for b in sales["blocks"] if "accessory" in b)


def test_a_repeated_run_sends_nothing(services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient) -> None:
    customer = add_customer(services, "东莞重复运行有限公司", Grade.YELLOW)
    set_due(services, customer, clock.now.date())
    run_nudges(services, client)
    first = len(slack.calls("chat.postMessage"))

    clock.advance(hours=2)
    again = run_nudges(services, client)  # e.g. a restart's catch-up tick the same day
    clock.advance(days=1)
    next_day = run_nudges(services, client)

    assert first == 2
    assert again.dms == next_day.dms == 0 and len(slack.calls("chat.postMessage")) == first


def test_a_run_before_nudge_time_waits_for_it(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    customer = add_customer(services, "佛山早起有限公司", Grade.YELLOW)
    set_due(services, customer, clock.now.date())
    clock.now = at(clock.now.date(), 9, 29)
    assert run_nudges(services, client).plan.quiet is Quiet.TOO_EARLY
    assert dms(slack) == {}
    clock.now = at(clock.now.date(), 9, 30)
    run_nudges(services, client)
    assert dms(slack) == {"U0SALES": [customer], "U0RISK": [customer]}


def test_nothing_goes_out_at_the_weekend_and_monday_sends_what_fell_due(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    saturday = date(2026, 11, 28)
    customer = add_customer(services, "惠州周末到期有限公司", Grade.RED)
    set_due(services, customer, saturday)
    for day in (saturday, date(2026, 11, 29)):
        clock.now = at(day)
        assert run_nudges(services, client).plan.quiet is Quiet.NOT_WORKDAY
    assert slack.calls("chat.postMessage") == []

    clock.now = at(date(2026, 11, 30))
    run_nudges(services, client)
    assert dms(slack)["U0SALES"] == [customer]
    assert "逾期 2 天" in text_of(slack.calls("chat.postMessage")[0])


def test_national_day_sends_nothing_and_the_make_up_saturday_is_a_workday(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    clock.now = at(date(2026, 9, 30))
    customer = add_customer(services, "珠海国庆有限公司", Grade.BLACK)
    set_due(services, customer, date(2026, 10, 1))
    for day in range(1, 8):  # 2026-10-01 … 10-07: 国庆节, statutory holidays
        clock.now = at(date(2026, 10, day))
        assert run_nudges(services, client).plan.quiet is Quiet.NOT_WORKDAY
    assert slack.calls("chat.postMessage") == []

    clock.now = at(date(2026, 10, 8))  # first workday after the holiday
    run_nudges(services, client)
    assert dms(slack)["U0SALES"] == [customer]

    slack.clear()
    log_followup(services, customer, "U0SALES", "节后已电话确认", at=clock.now)  # due again 10-09
    clock.now = at(date(2026, 10, 10))  # Saturday, 调休: a make-up workday
    report = run_nudges(services, client)
    assert report.plan.quiet is None and dms(slack)["U0SALES"] == [customer]
    clock.now = at(date(2026, 10, 11))  # an ordinary Sunday again
    assert run_nudges(services, client).plan.quiet is Quiet.NOT_WORKDAY


def test_a_configured_holiday_sends_nothing_and_the_next_workday_catches_up(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    company_day = date(2026, 11, 25)  # a Wednesday the company takes off
    holiday = build_services(replace(services.config, holidays=frozenset({company_day})), services.db, clock)
    customer = add_customer(holiday, "中山司庆有限公司", Grade.RED)
    set_due(holiday, customer, company_day)
    clock.now = at(company_day)
    plan = run_nudges(holiday, client).plan
    assert plan.quiet is Quiet.NOT_WORKDAY and plan.next_workday == date(2026, 11, 26)
    clock.now = at(date(2026, 11, 26))
    run_nudges(holiday, client)
    assert dms(slack)["U0SALES"] == [customer]


def test_without_the_chinese_calendar_national_day_is_an_ordinary_thursday(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    plain = build_services(replace(services.config, chinese_calendar=False), services.db, clock)
    customer = add_customer(plain, "Overseas Trading Ltd", Grade.RED)
    set_due(plain, customer, date(2026, 10, 1))
    clock.now = at(date(2026, 10, 1))
    run_nudges(plain, client)
    assert dms(slack)["U0SALES"] == [customer]
    clock.now = at(date(2026, 10, 10))  # no 调休 either: a Saturday is a Saturday
    assert run_nudges(plain, client).plan.quiet is Quiet.NOT_WORKDAY


def test_a_run_after_a_three_day_outage_sends_everything_that_fell_due_once(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    monday = date(2026, 11, 23)
    due_on = {day: add_customer(services, f"江门停机{day}日有限公司", Grade.RED) for day in (24, 25, 26)}
    for day, customer in due_on.items():
        set_due(services, customer, date(2026, 11, day))
    clock.now = at(monday)
    run_nudges(services, client)
    assert slack.calls("chat.postMessage") == []
    # Down from Monday noon until Thursday noon: the runs of Tuesday, Wednesday and Thursday never fired.
    clock.now = at(date(2026, 11, 26), 12)
    report = run_nudges(services, client)  # the start-up tick

    assert dms(slack) == {"U0SALES": list(due_on.values()), "U0RISK": list(due_on.values())}
    text = text_of(slack.calls("chat.postMessage")[0])
    assert "逾期 2 天" in text and "逾期 1 天" in text and "今天到期" in text
    assert report.dms == 2
    clock.advance(minutes=1)
    assert run_nudges(services, client).dms == 0 and len(slack.calls("chat.postMessage")) == 2


def test_a_crash_between_claim_and_send_is_retried_once_and_only_once(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    customer = add_customer(services, "汕头崩溃有限公司", Grade.YELLOW)
    set_due(services, customer, clock.now.date())
    claimed = nudge_plan(services, clock.now)  # claimed … and the process dies before sending
    assert [n.owner for n in claimed.nudges] == ["U0RISK", "U0SALES"]

    clock.advance(minutes=1)  # the restart: the claims may still be in another sender's hands
    assert run_nudges(services, client).dms == 0
    clock.advance(minutes=CLAIM_LEASE.total_seconds() / 60)
    retry = run_nudges(services, client)
    assert retry.plan.retried == 2 and dms(slack) == {"U0SALES": [customer], "U0RISK": [customer]}

    clock.advance(minutes=CLAIM_LEASE.total_seconds() / 60 + 1)
    assert run_nudges(services, client).dms == 0
    clock.advance(days=1)
    assert run_nudges(services, client).dms == 0
    assert len(slack.calls("chat.postMessage")) == 2


def test_a_dm_slack_refused_is_sent_by_the_next_run(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    customer = add_customer(services, "潮州失败有限公司", Grade.YELLOW, risk_officer=None)
    set_due(services, customer, clock.now.date())
    slack.fail_next("chat.postMessage", error="fatal_error")
    assert run_nudges(services, client).not_sent == ["U0SALES"]

    clock.advance(days=1)
    run_nudges(services, client)
    clock.advance(days=1)
    run_nudges(services, client)
    posts = slack.calls("chat.postMessage")
    assert len(posts) == 2 and posts[1]["channel"] == "U0SALES" and "逾期 1 天" in text_of(posts[1])


def test_a_rate_limited_dm_waits_out_retry_after_and_is_sent_once(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    customer = add_customer(services, "揭阳限流有限公司", Grade.YELLOW, risk_officer=None)
    set_due(services, customer, clock.now.date())
    slack.fail_next("chat.postMessage", status=429, retry_after=0)

    report = run_nudges(services, client)
    clock.advance(days=1)
    run_nudges(services, client)

    assert report.dms == 1 and report.not_sent == []
    refused, accepted = slack.calls("chat.postMessage")  # the 429 and its retry, then nothing more
    assert refused == accepted and accepted["channel"] == "U0SALES"
    assert accepted["blocks"][1]["accessory"]["value"] == str(customer)


def test_owners_given_by_email_are_found_and_an_unknown_one_is_skipped(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    slack.add_user("U0WANG", email="wang@example.com")
    known = add_customer(services, "湛江邮箱有限公司", Grade.YELLOW, sales_owner="wang@example.com", risk_officer=None)
    unknown = add_customer(services, "茂名查无此人有限公司", Grade.YELLOW, sales_owner="nobody@example.com",
                           risk_officer="U0RISK")
    for customer in (known, unknown):
        set_due(services, customer, clock.now.date())

    with caplog.at_level(logging.WARNING, logger="riskbot.jobs"):
        report = run_nudges(services, client)

    assert dms(slack) == {"U0WANG": [known], "U0RISK": [unknown]}
    assert report.not_sent == ["nobody@example.com"]
    assert "nobody@example.com" in caplog.text


@pytest.mark.parametrize("grade", [Grade.RED, Grade.BLACK, Grade.YELLOW])
def test_overdue_by_one_full_cadence_is_escalated_to_the_alerts_channel_once_per_cycle(
    every_day: Services, clock: Clock, slack: FakeSlackApi, client: WebClient, grade: Grade
) -> None:
    customer = add_customer(every_day, "韶关升级有限公司", grade)
    cadence = CADENCE_DAYS[grade]
    due = clock.now.date() + timedelta(days=cadence)

    clock.now = at(due + timedelta(days=cadence - 1))
    run_nudges(every_day, client)
    assert escalations(slack) == []
    clock.now = at(due + timedelta(days=cadence))
    run_nudges(every_day, client)
    clock.advance(days=1)
    run_nudges(every_day, client)

    assert len(escalations(slack)) == 1
    posted = escalations(slack)[0]
    assert "韶关升级有限公司" in posted["text"] and f"{cadence}" in posted["text"]
    assert "<@U0SALES>" in text_of(posted) and "<@U0RISK>" in text_of(posted)

    log_followup(every_day, customer, "U0SALES", "已上门", at=clock.now)  # a new cycle starts
    clock.advance(days=2 * cadence)
    run_nudges(every_day, client)
    assert len(escalations(slack)) == 2


def test_a_dry_run_claims_nothing_and_shows_what_a_run_would_send(
    services: Services, clock: Clock, slack: FakeSlackApi, client: WebClient
) -> None:
    customer = add_customer(services, "清远预览有限公司", Grade.YELLOW)
    set_due(services, customer, clock.now.date())
    preview = nudge_plan(services, clock.now, claim=False)
    assert [(n.owner, [i.customer.id for i in n.nudge.items]) for n in preview.nudges] == [
        ("U0RISK", [customer]), ("U0SALES", [customer])]
    run_nudges(services, client)
    assert dms(slack) == {"U0SALES": [customer], "U0RISK": [customer]}
    assert nudge_plan(services, clock.now, claim=False).nudges == ()



# --- riskbot nudge ----------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every day a workday, so the command behaves the same whatever day the suite runs."""
    config = tmp_path / "riskbot.yaml"
    config.write_text(
        "channels:\n  alerts: C0ALERTS\nnudges:\n  workdays: [mon, tue, wed, thu, fri, sat, sun]\n"
        "  chinese_calendar: false\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    return {"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(config), "SLACK_API_URL": slack.url}


@pytest.fixture
def overdue_yesterday(services: Services) -> int:
    """A customer due yesterday by the real clock the command runs on."""
    customer = add_customer(services, "肇庆命令行有限公司", Grade.RED, risk_officer=None)
    set_due(services, customer, datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1))
    return customer


def test_nudge_dry_run_prints_who_would_be_nudged_about_what_and_sends_nothing(
    cli_env: dict[str, str], slack: FakeSlackApi, overdue_yesterday: int
) -> None:
    first = CliRunner().invoke(app, ["nudge", "--dry-run"], env=cli_env)
    again = CliRunner().invoke(app, ["nudge", "--dry-run"], env=cli_env)

    assert first.exit_code == 0, first.stderr
    assert "U0SALES:" in first.stdout and "肇庆命令行有限公司 [红标 red] 逾期 1 天" in first.stdout
    assert again.stdout == first.stdout  # nothing was claimed
    assert slack.calls("chat.postMessage") == []


def test_nudge_sends_one_run_now_and_a_second_sends_nothing(
    cli_env: dict[str, str], slack: FakeSlackApi, overdue_yesterday: int
) -> None:
    env = {**cli_env, "SLACK_BOT_TOKEN": "xoxb-test"}
    sent = CliRunner().invoke(app, ["nudge"], env=env)
    again = CliRunner().invoke(app, ["nudge"], env=env)

    assert sent.exit_code == 0, sent.stderr
    assert "sent: 1 DM(s), 0 escalation(s)" in sent.stdout
    assert again.exit_code == 0 and "nothing to nudge about" in again.stdout
    assert dms(slack) == {"U0SALES": [overdue_yesterday]}


def test_nudge_without_a_token_exits_2_with_one_line(cli_env: dict[str, str], overdue_yesterday: int) -> None:
    result = CliRunner().invoke(app, ["nudge"], env=cli_env)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "riskbot: SLACK_BOT_TOKEN is not set: a real run posts to Slack (use --dry-run to preview without it)\n")
