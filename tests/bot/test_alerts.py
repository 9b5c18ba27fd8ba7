"""Risk alerts (风险异动预警, SPEC §10): a data update that crosses lines reaches both owners and
the alerts channel once per change, one message per customer for all lines crossed at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.publish import publish
from bot.slack_client import make_web_client
from ledger.importing import import_file
from storage.models import Alert
from tests.ledger.helpers import customer, write_csv
from tests.messages.slackcheck import validate_blocks

ALERTS = "C0ALERTS"
SALES, RISK, RISK_EMAIL = "U0SALES01", "U0RISK01", "risk01@example.com"  # the import rows' owners


@pytest.fixture
def client(slack: Any) -> WebClient:
    slack.add_user(RISK, email=RISK_EMAIL)
    return make_web_client("xoxb-test", slack.url)


@pytest.fixture
def ledger(services: Any, client: WebClient, slack: Any, tmp_path: Path) -> None:
    """Two clean customers imported and published; the Slack log cleared."""
    load(services, tmp_path, [customer(1), customer(2)])
    publish(services, client)
    slack.clear()


def load(services: Any, tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    """An import of `rows`, one hour after the previous one (each is one data update)."""
    services.clock.advance(hours=1)
    path = write_csv(tmp_path / f"update-{services.now():%H%M}.csv", rows)
    report = import_file(services.db, services.profiles, path, now=services.now(),
                         workdays=services.workdays, tz=services.config.tz)
    assert report.ok, report.errors


def alert_posts(slack: Any, channel: str) -> list[str]:
    """The alert messages posted to `channel`, as text (grade-change DMs are left out)."""
    found = []
    for call in slack.calls("chat.postMessage"):
        if call["channel"] == channel and "风险预警" in call["text"]:
            validate_blocks(call["blocks"], 50)
            found.append(call["text"] + "\n" + json.dumps(call["blocks"], ensure_ascii=False))
    return found


def test_lines_crossed_at_once_make_one_message_to_the_channel_and_each_owner(services, client, slack, ledger, tmp_path):
    load(services, tmp_path, [customer(1, dishonest_debtor_count=1, term_extension_days=90), customer(2)])
    report = publish(services, client)

    assert report.alerts_sent == 1
    for channel in (ALERTS, SALES, RISK):  # the e-mail owner was found through users.lookupByEmail
        [message] = alert_posts(slack, channel)
        assert "测试1号电子科技有限公司" in message and "测试2号" not in message
        assert "新增失信被执行人记录" in message and "申请延长账期 90 天" in message
    assert [c["email"] for c in slack.calls("users.lookupByEmail")] == [RISK_EMAIL]
    with services.db.uow() as uow:
        assert all(a.sent_at == services.now() for a in uow.session.query(Alert))
        [entry] = [e for e in uow.audit.query() if e.action == "alert.sent"]
    assert sorted(entry.detail["changes"]) == ["dishonest_debtor_count:0->1", "term_extension_days:0->90"]
    assert sorted(entry.detail["to"]) == sorted([ALERTS, SALES, RISK])


def test_an_alert_goes_out_once_per_change(services, client, slack, ledger, tmp_path):
    worse = [customer(1, overdue_payment_count=1), customer(2)]
    load(services, tmp_path, worse)
    publish(services, client)
    publish(services, client)
    load(services, tmp_path, worse)  # the same data again crosses nothing new
    publish(services, client)
    assert len(alert_posts(slack, ALERTS)) == 1

    load(services, tmp_path, [customer(1, overdue_payment_count=2), customer(2)])  # a new overdue payment
    publish(services, client)
    [first, second] = alert_posts(slack, ALERTS)
    assert "现共 1 次" in first and "现共 2 次" in second


def test_customers_crossing_lines_in_one_update_get_a_message_each(services, client, slack, ledger, tmp_path):
    load(services, tmp_path, [customer(1, tax_arrears_count=1), customer(2, admin_penalty_max_amount=250_000)])
    assert publish(services, client).alerts_sent == 2
    first, second = alert_posts(slack, ALERTS)
    assert "测试1号" in first and "新增欠税公告" in first and "测试2号" not in first
    assert "测试2号" in second and "¥250,000" in second and "测试1号" not in second


def test_an_owner_slack_does_not_know_is_skipped_and_the_others_still_hear(services, client, slack, ledger, tmp_path):
    load(services, tmp_path, [customer(1, risk_officer="left.company@example.com", dishonest_debtor_count=2), customer(2)])
    publish(services, client)
    assert len(alert_posts(slack, ALERTS)) == len(alert_posts(slack, SALES)) == 1
    assert alert_posts(slack, RISK) == []
    with services.db.uow() as uow:
        assert uow.alerts.unsent() == []
