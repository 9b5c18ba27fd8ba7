"""Simultaneous clicks through the Bolt app: threads start together at a barrier, and the
database, not timing, lets exactly one decision through (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest

from bot.config import Config
from bot.publish import publish
from bot.slack_client import make_web_client
from messages import ids
from scoring.grades import Grade
from storage.models import ChangeStatus
from tests.bot.ledger import add_customer, set_values
from tests.slackkit.signing import block_actions

DIRECTORS = tuple(f"U0DIRECTOR{i}" for i in range(6))


@pytest.fixture
def config() -> Config:
    return Config(
        approvals_channel="C0APPROVALS",
        alerts_channel="C0ALERTS",
        finance_channel="C0FINANCE",
        risk_directors=frozenset(DIRECTORS),
        risk_officers=frozenset({"U0RISK"}),
    )


def test_directors_clicking_approve_at_once_give_one_decision_and_the_others_are_told_who(services, send, slack):
    customer_id = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW)
    set_values(services, customer_id, Grade.RED)
    publish(services, make_web_client("xoxb-test", slack.url))
    with services.db.uow() as uow:
        change_id = uow.changes.pending_for(customer_id).id
    barrier = Barrier(len(DIRECTORS), timeout=30)

    def click(director: str) -> int:
        request = block_actions(ids.APPROVE, str(change_id), user_id=director, channel_id="C0APPROVALS")
        barrier.wait()
        return send(request).status

    with ThreadPoolExecutor(len(DIRECTORS)) as pool:
        assert list(pool.map(click, DIRECTORS)) == [200] * len(DIRECTORS)

    with services.db.uow() as uow:
        change = uow.changes.get(change_id)
        approvals = [e for e in uow.audit.query(customer_id=customer_id) if e.action == "grade_change.approved"]
        tasks = uow.tasks.open_for(customer_id)
    assert change.status == ChangeStatus.APPROVED and change.decided_by in DIRECTORS
    assert [e.actor for e in approvals] == [change.decided_by]
    assert len(tasks) == 1

    told: dict[str, Any] = {call["user"]: call["text"] for call in slack.calls("chat.postEphemeral")}
    assert set(told) == set(DIRECTORS) - {change.decided_by}
    assert all(f"<@{change.decided_by}>" in line and "批准" in line for line in told.values())
    assert len(slack.calls("chat.update")) == 1
    posted = [call["channel"] for call in slack.calls("chat.postMessage")]
    assert sorted(posted) == sorted(["C0APPROVALS", "C0FINANCE", "U0SALES", "U0RISK"])
