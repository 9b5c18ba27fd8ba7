"""`riskbot audit [--customer X] [--since DATE]`: every request, decision and refusal, in order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.publish import publish
from bot.slack_client import make_web_client
from messages import ids
from scoring.grades import Grade
from tests.bot.conftest import DIRECTOR
from tests.bot.ledger import add_customer, set_values
from tests.slackkit.signing import block_actions


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKBOT_CONFIG", raising=False)


@pytest.fixture
def history(services: Any, send: Any, slack: Any) -> dict[str, Any]:
    """Monday: a request for 博远 and a refused click; Tuesday: the director approves it."""
    boyuan = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW, aliases=("博远",))
    other = add_customer(services, "重庆恒通供应链管理有限公司", Grade.BLUE)
    set_values(services, boyuan, Grade.RED)
    publish(services, make_web_client("xoxb-test", slack.url))
    with services.db.uow() as uow:
        change_id = uow.changes.pending_for(boyuan).id
        code = uow.customers.get(boyuan).credit_code
    send(block_actions(ids.APPROVE, str(change_id), user_id="U0ASKER", channel_id="C0APPROVALS"))
    services.clock.advance(days=1)
    send(block_actions(ids.APPROVE, str(change_id), user_id=DIRECTOR, channel_id="C0APPROVALS"))
    return {"boyuan": boyuan, "other": other, "code": code, "change_id": change_id}


def audit(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["audit", *args], env={"DATABASE_URL": database_url})


def rows(result: Result) -> list[list[str]]:
    assert result.exit_code == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_the_audit_lists_requests_refusals_and_decisions_oldest_first(database_url, history):
    boyuan = [r for r in rows(audit(database_url)) if r[3].startswith("杭州博远")]
    assert [(r[1], r[2]) for r in boyuan][-3:] == [
        ("system", "grade_change.requested"),
        ("U0ASKER", "grade_change.refused"),
        (DIRECTOR, "grade_change.approved"),
    ]
    at, _, _, who, detail = boyuan[-1]
    assert at == "2026-11-24 10:00:00"  # in the team's time zone
    assert who == f"杭州博远贸易有限公司 ({history['code']})"
    assert json.loads(detail) == {"change_id": history["change_id"], "kind": "computed", "from": "yellow", "to": "red"}
    assert json.loads(boyuan[-2][4])["refusal"] == "not_director"


@pytest.mark.parametrize("query", ["code", "杭州博远贸易有限公司", "博远", "博远贸易"])
def test_customer_filter_takes_a_credit_code_or_a_name(database_url, history, query):
    found = rows(audit(database_url, "--customer", history["code"] if query == "code" else query))
    assert found and all(r[3].startswith("杭州博远贸易有限公司") for r in found)


def test_since_keeps_the_entries_from_that_local_date_on(database_url, history):
    found = rows(audit(database_url, "--since", "2026-11-24"))
    assert [(r[1], r[2]) for r in found] == [(DIRECTOR, "grade_change.approved")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--since", "24/11/2026"), "--since: '24/11/2026' is not a date like 2026-11-01"),
        (("--customer", "不存在的公司"), "--customer: no customer matches '不存在的公司'"),
        (("--customer", "有限公司"), "matches several customers"),
    ],
)
def test_bad_options_exit_2_with_one_line(database_url, history, args, expected):
    result = audit(database_url, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and expected in result.stderr
