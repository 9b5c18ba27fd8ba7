"""Write-offs (风险核销, SPEC §9): asked for with evidence over `/risk 核销`, decided once by a
risk officer or director in the approvals channel; approval closes the open collection tasks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.publish import publish
from bot.slack_client import make_web_client
from messages import ids
from scoring.grades import Grade
from storage.models import Task, TaskStatus, WriteOff, WriteOffStatus
from tests.bot.conftest import DIRECTOR, OFFICER
from tests.bot.ledger import add_customer, set_values
from tests.messages.slackcheck import validate_blocks
from tests.slackkit.signing import block_actions, slash_command

APPROVALS = "C0APPROVALS"
SALES = "U0SALES"
RECEIPT = "https://files.example.com/receipts/2026-11.pdf"


@pytest.fixture
def client(slack: Any) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


@pytest.fixture
def boyuan(services: Any, client: WebClient, send: Any, slack: Any) -> int:
    """A customer a director moved to red: it has an open collection task. Slack log cleared."""
    customer_id = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW, aliases=("博远",))
    set_values(services, customer_id, Grade.RED)
    publish(services, client)
    with services.db.uow() as uow:
        change_id = uow.changes.pending_for(customer_id).id
    send(block_actions(ids.APPROVE, str(change_id), user_id=DIRECTOR, channel_id=APPROVALS))
    slack.clear()
    return customer_id


def ask(send: Any, slack: Any, command: str, user: str = SALES) -> dict[str, Any]:
    assert send(slash_command(command, user_id=user, response_url=slack.response_url())).status == 200
    answer = slack.calls("response_url")[-1]
    validate_blocks(answer["blocks"], 50)
    return answer


def shown(call: dict[str, Any]) -> str:
    return call["text"] + "\n" + json.dumps(call["blocks"], ensure_ascii=False)


def writeoffs_of(services: Any, customer_id: int) -> list[WriteOff]:
    with services.db.uow() as uow:
        return uow.writeoffs.for_customer(customer_id)


def click(send: Any, action: str, writeoff_id: int, user: str) -> None:
    assert send(block_actions(action, str(writeoff_id), user_id=user, channel_id=APPROVALS)).status == 200


def test_an_owner_asks_with_a_link_and_the_request_reaches_the_approvals_channel(services, send, slack, boyuan):
    answer = ask(send, slack, f"核销 博远 客户已全额回款 见银行回单 <{RECEIPT}>")
    assert "风险核销申请" in shown(answer) and "actions" not in json.dumps(answer["blocks"])

    [request] = writeoffs_of(services, boyuan)
    assert (request.status, request.requested_by, request.evidence) == (WriteOffStatus.PENDING, SALES, RECEIPT)
    assert request.text == f"客户已全额回款 见银行回单 {RECEIPT}"
    [post] = slack.calls("chat.postMessage")
    validate_blocks(post["blocks"], 50)
    assert post["channel"] == APPROVALS
    [stored] = writeoffs_of(services, boyuan)
    assert stored.slack_channel == APPROVALS and stored.slack_ts is not None  # for the in-place update
    assert f"<{RECEIPT}|查看证据>" in shown(post) and "未关闭的催收任务：1" in shown(post)
    values = {e["action_id"]: e["value"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert values == {ids.WRITEOFF_APPROVE: str(request.id), ids.WRITEOFF_REJECT: str(request.id)}


def test_a_risk_officer_approves_the_tasks_close_and_the_record_stays(services, send, slack, boyuan):
    ask(send, slack, f"writeoff 博远 settled in full {RECEIPT}")
    [request] = writeoffs_of(services, boyuan)
    click(send, ids.WRITEOFF_APPROVE, request.id, OFFICER)

    [decided] = writeoffs_of(services, boyuan)
    assert (decided.status, decided.decided_by, decided.decided_at) == (WriteOffStatus.APPROVED, OFFICER, services.now())
    with services.db.uow() as uow:
        assert uow.tasks.open_for(boyuan) == []
        closed = list(uow.session.scalars(select(Task).where(Task.customer_id == boyuan)))
        assert [(t.status, t.closed_by, t.write_off_id) for t in closed] == [(TaskStatus.CLOSED, OFFICER, request.id)]
        assert uow.audit.query(customer_id=boyuan)[-1].action == "writeoff.approved"
    [update] = slack.calls("chat.update")
    validate_blocks(update["blocks"], 50)
    assert update["ts"] == request.slack_ts
    assert "已批准核销" in shown(update) and f"<@{OFFICER}>" in shown(update) and "已关闭 1 个催收任务" in shown(update)
    assert ids.WRITEOFF_APPROVE not in json.dumps(update["blocks"])


def test_a_rejected_write_off_keeps_the_tasks_open(services, send, slack, boyuan):
    ask(send, slack, f"核销 博远 已和解 {RECEIPT}")
    [request] = writeoffs_of(services, boyuan)
    click(send, ids.WRITEOFF_REJECT, request.id, DIRECTOR)
    assert writeoffs_of(services, boyuan)[0].status == WriteOffStatus.REJECTED
    with services.db.uow() as uow:
        assert len(uow.tasks.open_for(boyuan)) == 1
    assert "已驳回核销" in shown(slack.calls("chat.update")[0])


@pytest.mark.parametrize(("user", "expected"), [(SALES, "只有风控专员或风控总监可以审批核销"),
                                                ("U0ASKER", "只有风控专员或风控总监可以审批核销")])
def test_a_click_by_someone_not_allowed_is_refused_and_changes_nothing(services, send, slack, boyuan, user, expected):
    ask(send, slack, f"核销 博远 已回款 {RECEIPT}")
    [request] = writeoffs_of(services, boyuan)
    click(send, ids.WRITEOFF_APPROVE, request.id, user)
    [refusal] = [c for c in slack.calls("chat.postEphemeral") if c["user"] == user]
    assert expected in refusal["text"]
    assert writeoffs_of(services, boyuan)[0].status == WriteOffStatus.PENDING
    with services.db.uow() as uow:
        assert len(uow.tasks.open_for(boyuan)) == 1
        assert uow.audit.query(customer_id=boyuan)[-1].action == "writeoff.refused"


def test_the_requester_cannot_approve_their_own_write_off_and_a_late_click_is_told_who_did(services, send, slack, boyuan):
    ask(send, slack, f"核销 博远 已回款 {RECEIPT}", user=OFFICER)
    [request] = writeoffs_of(services, boyuan)
    click(send, ids.WRITEOFF_APPROVE, request.id, OFFICER)
    assert "不能审批自己提出的核销申请" in slack.calls("chat.postEphemeral")[-1]["text"]
    assert "风控总监处理" in slack.calls("chat.postEphemeral")[-1]["text"] and "另一位风控专员" in slack.calls("chat.postEphemeral")[-1]["text"]
    click(send, ids.WRITEOFF_APPROVE, request.id, DIRECTOR)
    click(send, ids.WRITEOFF_REJECT, request.id, DIRECTOR)
    assert f"<@{DIRECTOR}>" in slack.calls("chat.postEphemeral")[-1]["text"]
    assert writeoffs_of(services, boyuan)[0].status == WriteOffStatus.APPROVED
    assert len(slack.calls("chat.update")) == 1


@pytest.mark.parametrize(
    ("command", "user", "expected"),
    [
        ("核销 博远 客户已回款，凭证稍后补", SALES, "核销需要证据"),
        (f"核销 博远 已回款 {RECEIPT}", "U0ASKER", "只有该客户的负责人或风控专员可以申请核销"),
    ],
)
def test_a_write_off_without_evidence_or_from_a_stranger_is_refused(services, send, slack, boyuan, command, user, expected):
    answer = ask(send, slack, command, user=user)
    assert expected in shown(answer)
    assert writeoffs_of(services, boyuan) == []
    assert slack.calls("chat.postMessage") == []


def test_a_slack_file_link_is_evidence_and_one_request_at_a_time(services, send, slack, boyuan):
    permalink = "https://acme.slack.com/files/U0SALES/F0RECEIPT/receipt.pdf"
    ask(send, slack, f"核销 博远：回款凭证 <{permalink}|receipt.pdf>")
    assert writeoffs_of(services, boyuan)[0].evidence == permalink
    again = ask(send, slack, f"核销 博远 再次申请 {RECEIPT}")
    assert "已有一条待审批的核销申请" in shown(again)
    assert len(writeoffs_of(services, boyuan)) == 1
