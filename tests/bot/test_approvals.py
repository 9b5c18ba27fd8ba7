"""Grade-change requests in the approvals channel and their single decision (SPEC §8), driven
by signed clicks and modal submissions against the fake Slack Web API."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.publish import publish
from bot.slack_client import make_web_client
from messages import ids
from scoring.grades import Grade
from storage.models import ChangeStatus, GradeChange, TaskStatus
from tests.bot.conftest import DIRECTOR, OFFICER
from tests.bot.ledger import add_customer, set_values
from tests.messages.slackcheck import validate_blocks
from tests.slackkit.signing import block_actions, slash_command, view_submission

APPROVALS, FINANCE = "C0APPROVALS", "C0FINANCE"
SALES = "U0SALES"
NAME = "杭州博远贸易有限公司"


@pytest.fixture
def client(slack: Any) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


@pytest.fixture
def boyuan(services: Any, client: WebClient, slack: Any) -> int:
    """A yellow customer whose new data scores red: the request is posted, the log cleared."""
    customer_id = add_customer(services, NAME, Grade.YELLOW, aliases=("博远",))
    set_values(services, customer_id, Grade.RED)
    publish(services, client)
    return customer_id


def pending(services: Any, customer_id: int) -> GradeChange | None:
    with services.db.uow() as uow:
        return uow.changes.pending_for(customer_id)


def latest_change(services: Any, customer_id: int) -> GradeChange:
    with services.db.uow() as uow:
        return uow.changes.history(customer_id, 1)[0]


def posts(slack: Any, channel: str) -> list[dict[str, Any]]:
    found = [c for c in slack.calls("chat.postMessage") if c["channel"] == channel]
    for call in found:
        validate_blocks(call["blocks"], 50)
    return found


def text(call: dict[str, Any]) -> str:
    return call["text"] + "\n" + json.dumps(call.get("blocks", []), ensure_ascii=False)


def click(send: Any, action: str, request_id: int, user: str, ts: str = "1700000000.000001") -> None:
    message = {"type": "message", "ts": ts, "text": "", "blocks": []}
    response = send(block_actions(action, str(request_id), user_id=user, channel_id=APPROVALS, message=message))
    assert response.status == 200


def refusals(slack: Any, user: str) -> list[str]:
    found = [c for c in slack.calls("chat.postEphemeral") if c["user"] == user]
    for call in found:
        validate_blocks(call["blocks"], 50)
    return [text(c) for c in found]


def reject_reason(reason: str) -> dict[str, Any]:
    return {ids.REJECT_REASON_BLOCK: {ids.REJECT_REASON: {"type": "plain_text_input", "value": reason}}}


def buttons(call: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in call["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_a_pending_change_is_posted_once_with_all_a_director_needs(services, client, slack, boyuan):
    publish(services, client)  # a second pass posts nothing new
    [post] = posts(slack, APPROVALS)
    change = pending(services, boyuan)
    assert change is not None and (change.slack_channel, change.slack_ts) == (APPROVALS, "1700000000.000001")
    shown = text(post)
    assert NAME in shown and "黄标" in shown and "红标" in shown and "🟡" in shown and "🔴" in shown
    assert "历史逾期付款次数" in shown and "至少" in shown  # the indicator and the floor that moved
    assert "停止赊销" in shown and "60 → 0" in shown and "催收" in shown  # what the plan will do
    assert "system" in shown  # who asked: the scheduled rescoring
    assert f"<@{SALES}>" in shown and f"<@{OFFICER}>" in shown and f"<@{DIRECTOR}>" in shown
    assert {k: b["value"] for k, b in buttons(post).items()} == {ids.APPROVE: str(change.id), ids.REJECT: str(change.id)}
    assert "confirm" not in buttons(post)[ids.APPROVE]


def test_approval_applies_the_grade_updates_the_message_and_tells_owners_and_finance(services, send, slack, boyuan):
    change = pending(services, boyuan)
    click(send, ids.APPROVE, change.id, DIRECTOR)

    decided = latest_change(services, boyuan)
    assert (decided.status, decided.decided_by, decided.decided_at) == (ChangeStatus.APPROVED, DIRECTOR, services.now())
    with services.db.uow() as uow:
        customer = uow.customers.get(boyuan)
        tasks = uow.tasks.open_for(boyuan)
        actions = [e.action for e in uow.audit.query(customer_id=boyuan)]
    assert customer.effective_grade is Grade.RED and customer.held_grade is None
    assert customer.grade_since == services.now()
    assert customer.next_due == date(2026, 11, 24)  # stricter: due the next workday (Tuesday)
    assert [(t.kind, t.status, t.grade_change_id) for t in tasks] == [("collection", TaskStatus.OPEN, change.id)]
    assert actions[-1] == "grade_change.approved"

    [update] = slack.calls("chat.update")
    validate_blocks(update["blocks"], 50)
    assert (update["channel"], update["ts"]) == (APPROVALS, change.slack_ts)
    assert "已批准" in text(update) and f"<@{DIRECTOR}>" in text(update) and "2026-11-23 10:00" in text(update)
    assert ids.APPROVE not in json.dumps(update["blocks"])

    dms = posts(slack, SALES) + posts(slack, OFFICER)
    assert len(dms) == 2
    for dm in dms:
        assert NAME in text(dm) and "红标" in text(dm) and f"<@{DIRECTOR}>" in text(dm)
        assert "每周" in text(dm) and "2026-11-24" in text(dm)  # the new follow-up pace
    [notice] = posts(slack, FINANCE)
    assert "信用条件变更" in text(notice) and "60 → 0" in text(notice) and "¥120,000" in text(notice)


def test_reject_asks_for_a_reason_and_a_rejection_without_one_is_refused(services, send, slack, boyuan):
    change = pending(services, boyuan)
    click(send, ids.REJECT, change.id, DIRECTOR)
    [opened] = slack.calls("views.open")
    View(**opened["view"]).to_dict()
    assert opened["view"]["private_metadata"] == str(change.id)

    for blank in ("  ", "\x07\x1b "):  # spaces, or only control characters: no words either way
        empty = send(view_submission(ids.REJECT_MODAL, reject_reason(blank), private_metadata=str(change.id), user_id=DIRECTOR))
        assert json.loads(empty.body)["response_action"] == "errors"
        assert ids.REJECT_REASON_BLOCK in json.loads(empty.body)["errors"]
        assert pending(services, boyuan) is not None

    send(view_submission(ids.REJECT_MODAL, reject_reason("客户已提供回款计划"), private_metadata=str(change.id), user_id=DIRECTOR))
    decided = latest_change(services, boyuan)
    assert (decided.status, decided.decided_by, decided.note) == (ChangeStatus.REJECTED, DIRECTOR, "客户已提供回款计划")
    with services.db.uow() as uow:
        assert uow.customers.get(boyuan).effective_grade is Grade.YELLOW
        assert uow.tasks.open_for(boyuan) == []
    [update] = slack.calls("chat.update")
    assert "已驳回" in text(update) and "客户已提供回款计划" in text(update)
    assert posts(slack, SALES) == posts(slack, FINANCE) == []


@pytest.mark.parametrize("user", [OFFICER, "U0ASKER"])
def test_anyone_but_a_director_is_refused_privately_and_nothing_changes(services, send, slack, boyuan, user):
    change = pending(services, boyuan)
    click(send, ids.APPROVE, change.id, user)
    click(send, ids.REJECT, change.id, user)

    assert len(refusals(slack, user)) == 2
    assert all("只有风控总监可以审批" in r for r in refusals(slack, user))
    assert slack.calls("views.open") == [] and slack.calls("chat.update") == []
    assert pending(services, boyuan).id == change.id
    with services.db.uow() as uow:
        refused = [e for e in uow.audit.query(customer_id=boyuan) if e.action == "grade_change.refused"]
        assert uow.customers.get(boyuan).effective_grade is Grade.YELLOW
    assert [(e.actor, e.detail["action"], e.detail["refusal"]) for e in refused] == [
        (user, "approve", "not_director"), (user, "reject", "not_director")]


def test_a_second_click_decides_nothing_and_is_told_who_decided(services, send, slack, boyuan):
    change = pending(services, boyuan)
    click(send, ids.APPROVE, change.id, DIRECTOR)
    click(send, ids.APPROVE, change.id, DIRECTOR)
    click(send, ids.REJECT, change.id, DIRECTOR)

    [late, late_reject] = refusals(slack, DIRECTOR)
    assert f"<@{DIRECTOR}>" in late and "批准" in late and "2026-11-23 10:00" in late
    assert late == late_reject
    assert slack.calls("views.open") == []
    assert len(slack.calls("chat.update")) == 1
    assert len(posts(slack, SALES)) == len(posts(slack, OFFICER)) == len(posts(slack, FINANCE)) == 1
    with services.db.uow() as uow:
        actions = [e.action for e in uow.audit.query(customer_id=boyuan)]
    assert actions.count("grade_change.approved") == 1


def test_a_change_into_black_asks_for_confirmation_before_approval(services, client, slack, send):
    customer_id = add_customer(services, "杭州海纳科技有限公司", Grade.RED)
    set_values(services, customer_id, Grade.BLACK)
    publish(services, client)
    [post] = posts(slack, APPROVALS)
    confirm = buttons(post)[ids.APPROVE]["confirm"]
    assert confirm["style"] == "danger"
    assert "黑标" in confirm["title"]["text"] and "法律催收" in confirm["text"]["text"]
    assert "confirm" not in buttons(post)[ids.REJECT]

    click(send, ids.APPROVE, pending(services, customer_id).id, DIRECTOR)  # Slack asked; the director confirmed
    with services.db.uow() as uow:
        assert uow.customers.get(customer_id).effective_grade is Grade.BLACK
        assert [t.kind for t in uow.tasks.open_for(customer_id)] == ["legal_collection"]


def test_a_newer_request_supersedes_the_posted_one_whose_message_says_so(services, client, send, slack, boyuan):
    old = pending(services, boyuan)
    set_values(services, boyuan, Grade.BLACK)
    publish(services, client)

    [update] = slack.calls("chat.update")
    assert update["ts"] == old.slack_ts and "取代" in text(update) and ids.APPROVE not in json.dumps(update["blocks"])
    new = pending(services, boyuan)
    assert new.to_grade is Grade.BLACK and new.slack_ts is not None and new.slack_ts != old.slack_ts

    click(send, ids.APPROVE, old.id, DIRECTOR)
    [told] = refusals(slack, DIRECTOR)
    assert "取代" in told
    assert pending(services, boyuan).id == new.id
    with services.db.uow() as uow:
        assert uow.customers.get(boyuan).effective_grade is Grade.YELLOW


def test_a_request_withdrawn_by_new_data_says_so_and_cannot_be_approved(services, client, send, slack, boyuan):
    old = pending(services, boyuan)
    set_values(services, boyuan, Grade.YELLOW)
    publish(services, client)

    [update] = slack.calls("chat.update")
    assert update["ts"] == old.slack_ts and "撤回" in text(update)
    click(send, ids.APPROVE, old.id, DIRECTOR)
    assert "撤回" in refusals(slack, DIRECTOR)[0]
    assert latest_change(services, boyuan).status == ChangeStatus.WITHDRAWN
    assert posts(slack, SALES) == []


def test_a_request_slack_did_not_take_is_posted_on_the_next_pass(services, client, slack):
    customer_id = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW)
    set_values(services, customer_id, Grade.RED)
    slack.fail_next("chat.postMessage", error="not_in_channel")

    first = publish(services, client)
    assert (first.requests_posted, first.retry_later) == (0, 1)
    assert pending(services, customer_id).slack_ts is None

    second = publish(services, client)
    assert second.requests_posted == 1
    assert len(slack.calls("chat.postMessage")) == 2 and pending(services, customer_id).slack_ts is not None


# ------------------------------------------------------------------ /risk propose and release


def risk(send: Any, slack: Any, command: str, user: str) -> str:
    response = send(slash_command(command, user_id=user, response_url=slack.response_url()))
    assert response.status == 200
    answer = slack.calls("response_url")[-1]
    assert answer["response_type"] == "ephemeral"
    validate_blocks(answer["blocks"], 50)
    return text(answer)


def test_a_proposed_red_waits_for_a_director_then_holds_until_released(services, send, slack):
    customer_id = add_customer(services, NAME, Grade.YELLOW, aliases=("博远",))
    card = risk(send, slack, "调级 博远 红 连续三个月拖欠货款", OFFICER)
    assert "待审批" in card and "红标" in card  # the card shows the pending change at once

    [post] = posts(slack, APPROVALS)  # published right away, not at the scheduler's next pass
    assert "连续三个月拖欠货款" in text(post) and f"<@{OFFICER}>" in text(post)
    change = pending(services, customer_id)
    assert (change.kind, change.requested_by) == ("manual", OFFICER)

    click(send, ids.APPROVE, change.id, DIRECTOR)
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        assert (customer.effective_grade, customer.held_grade, customer.computed_grade) == (Grade.RED, Grade.RED, Grade.YELLOW)
    card = risk(send, slack, "博远", OFFICER)
    assert "人工等级保持中" in card and "🟡 黄标" in card and "🔴 红标" in card

    set_values(services, customer_id, Grade.BLUE)  # new data does not move a held grade
    assert pending(services, customer_id) is None

    card = risk(send, slack, "解除 博远", OFFICER)
    assert "人工等级保持中" not in card
    back = pending(services, customer_id)  # out of red goes through a director again
    assert (back.from_grade, back.to_grade, back.kind) == (Grade.RED, Grade.BLUE, "computed")
    assert back.slack_ts is not None
    with services.db.uow() as uow:
        assert uow.customers.get(customer_id).held_grade is None
        actions = [e.action for e in uow.audit.query(customer_id=customer_id)]
    assert actions.index("grade_change.released") < actions.index("grade_change.requested", actions.index("grade_change.approved"))


def test_a_proposal_among_blue_and_yellow_applies_at_once_and_holds(services, send, slack):
    customer_id = add_customer(services, NAME, Grade.YELLOW, aliases=("博远",))
    card = risk(send, slack, "propose 博远 blue 已补齐资料并预付全款", OFFICER)
    assert "人工等级保持中" in card
    assert posts(slack, APPROVALS) == []
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        assert (customer.effective_grade, customer.held_grade) == (Grade.BLUE, Grade.BLUE)
    [dm] = posts(slack, SALES)  # the owners are told it applied at once
    assert "已自动生效" in text(dm) and "蓝标" in text(dm)

    set_values(services, customer_id, Grade.YELLOW, {"cumulative_amount": 400_000})
    risk(send, slack, "release 博远", OFFICER)
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        assert (customer.effective_grade, customer.held_grade) == (Grade.YELLOW, None)


def test_a_proposal_that_sets_aside_a_pending_red_request_waits_for_a_director(services, send, slack, boyuan):
    old = pending(services, boyuan)
    risk(send, slack, "调级 博远 蓝 已全额回款", OFFICER)
    new = pending(services, boyuan)
    assert (new.to_grade, new.kind) == (Grade.BLUE, "manual")
    assert latest_change(services, boyuan).id == new.id
    with services.db.uow() as uow:
        superseded = uow.changes.get(old.id)
        assert (superseded.status, superseded.superseded_by_id) == (ChangeStatus.SUPERSEDED, new.id)
        assert uow.customers.get(boyuan).effective_grade is Grade.YELLOW
    assert "取代" in text(slack.calls("chat.update")[0])


def test_a_director_cannot_approve_their_own_proposal(services, send, slack):
    customer_id = add_customer(services, NAME, Grade.YELLOW, aliases=("博远",))
    risk(send, slack, "调级 博远 黑 涉嫌合同诈骗", DIRECTOR)
    [post] = posts(slack, APPROVALS)
    assert "请风控总监审批" in text(post)  # nobody else to name: the proposer cannot decide
    change = pending(services, customer_id)
    click(send, ids.APPROVE, change.id, DIRECTOR)
    assert "不能审批自己提出的申请" in refusals(slack, DIRECTOR)[0]
    assert pending(services, customer_id).id == change.id


@pytest.mark.parametrize(
    ("command", "user", "expected"),
    [
        ("调级 博远 红 怀疑虚假贸易", "U0ASKER", "只有风控专员或风控总监可以调级"),
        ("解除 博远", "U0ASKER", "只有风控专员或风控总监可以解除"),
        ("调级 博远 黄 重复提交", OFFICER, "客户当前已是黄标"),
        ("解除 博远", OFFICER, "没有人工保持的等级"),
    ],
)
def test_a_proposal_or_release_that_cannot_be_done_says_why_and_changes_nothing(services, send, slack, command, user, expected):
    customer_id = add_customer(services, NAME, Grade.YELLOW, aliases=("博远",))
    before = latest_change(services, customer_id).id
    assert expected in risk(send, slack, command, user)
    assert latest_change(services, customer_id).id == before
    assert posts(slack, APPROVALS) == []
    with services.db.uow() as uow:
        assert uow.customers.get(customer_id).effective_grade is Grade.YELLOW


def test_a_click_on_a_request_that_no_longer_exists_says_so(services, send, slack):
    click(send, ids.APPROVE, 999, DIRECTOR)
    assert "这条申请已不存在" in refusals(slack, DIRECTOR)[0]


def test_when_slack_keeps_failing_for_one_owner_the_others_are_not_told_twice(services, client, send, slack, boyuan):
    # Four 429s in a row outlast the client's three retries for the sales owner's DM.
    slack.fail_next("chat.postMessage", status=429, times=4, channel=SALES)
    click(send, ids.APPROVE, pending(services, boyuan).id, DIRECTOR)
    publish(services, client)
    publish(services, client)
    assert len(posts(slack, FINANCE)) == 1
    assert len(posts(slack, OFFICER)) == 1
    assert len([c for c in slack.calls("chat.postMessage") if c["channel"] == SALES]) == 4  # all refused


def test_a_floor_in_the_request_reads_once_as_condition_and_grade(services, slack, boyuan):
    [request] = posts(slack, APPROVALS)
    floor_lines = [line for line in text(request).replace("\\n", "\n").splitlines() if "历史逾期付款次数" in line and "至少" in line]
    assert floor_lines, "the red floor is shown"
    assert all(line.count("至少") == 1 for line in floor_lines)
