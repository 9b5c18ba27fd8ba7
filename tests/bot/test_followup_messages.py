"""Follow-ups logged by posting a message (Events API), edited and deleted with it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scoring.grades import Grade
from tests.bot.ledger import add_customer
from tests.slackkit.signing import event_callback, message_event


@pytest.fixture
def huaqiang(services: Any) -> int:
    return add_customer(services, "深圳市华强电子元器件制造有限公司", Grade.YELLOW, aliases=("华强电子",))


def _stored(services: Any, customer_id: int) -> list[str]:
    with services.db.uow() as uow:
        return [f.text for f in uow.followups.latest(customer_id, 10)]


@pytest.mark.parametrize(
    "text",
    [
        "跟进 华强电子：客户承诺月底回款",
        "跟进 华强电子:客户承诺月底回款",
        "#跟进 华强电子 客户承诺月底回款",
        "followup 华强电子 客户承诺月底回款",
        "FollowUp 华强电子：客户承诺月底回款",
    ],
)
def test_a_follow_up_message_is_stored_and_answered_in_its_thread(send, slack, services, huaqiang, text):
    assert send(event_callback(message_event(text, ts="1700000100.000100"))).status == 200
    assert _stored(services, huaqiang) == ["客户承诺月底回款"]
    reply = slack.calls("chat.postMessage")[-1]
    assert reply["thread_ts"] == "1700000100.000100"
    assert "客户承诺月底回款" in json.dumps(reply["blocks"], ensure_ascii=False)
    with services.db.uow() as uow:
        due = uow.customers.get(huaqiang).next_due
    assert due is not None and due.isoformat() in json.dumps(reply, ensure_ascii=False)


def test_a_follow_up_in_a_dm_to_the_bot_is_stored(send, services, huaqiang):
    send(event_callback(message_event("跟进 华强电子：电话确认", channel="D0DM", channel_type="im")))
    assert _stored(services, huaqiang) == ["电话确认"]


def test_an_ordinary_message_is_ignored(send, slack, services, huaqiang):
    send(event_callback(message_event("今天开会讨论华强电子")))
    assert _stored(services, huaqiang) == []
    assert slack.calls("chat.postMessage") == []


def test_retries_and_duplicate_deliveries_store_the_follow_up_once(send, slack, services, huaqiang):
    event = message_event("跟进 华强电子：只记一次", ts="1700000200.000200")
    send(event_callback(event, event_id="Ev1"))
    send(event_callback(event, event_id="Ev1", retry_num=1, retry_reason="http_timeout"))
    send(event_callback(event, event_id="Ev2"))  # the same message delivered under another id
    assert _stored(services, huaqiang) == ["只记一次"]
    assert len(slack.calls("chat.postMessage")) == 1


def test_an_unclear_customer_gets_pick_buttons_and_a_pick_stores_it(send, slack, services, huaqiang):
    other = add_customer(services, "深圳市华强物流有限公司", Grade.BLUE)
    send(event_callback(message_event("跟进 深圳市华强：双方对账完毕", ts="1700000300.000300")))
    assert _stored(services, huaqiang) == [] and _stored(services, other) == []
    question = slack.calls("chat.postMessage")[-1]
    values = {b["accessory"]["value"] for b in question["blocks"] if "accessory" in b}
    assert values == {str(huaqiang), str(other)}

    slack.set_answer("conversations.replies", {"ok": True, "messages": [
        {"type": "message", "user": "U0ASKER", "ts": "1700000300.000300", "text": "跟进 深圳市华强：双方对账完毕"}]})
    from tests.slackkit.signing import block_actions
    send(block_actions("followup.pick_customer", str(other),
                       message={"type": "message", "ts": "1700000301.000001", "thread_ts": "1700000300.000300",
                                "text": "", "blocks": []}))
    assert _stored(services, other) == ["双方对账完毕"]
    assert slack.calls("chat.update")[-1]["ts"] == "1700000301.000001"


def test_an_edited_message_updates_its_follow_up(send, services, huaqiang):
    send(event_callback(message_event("跟进 华强电子：初稿", ts="1700000400.000400"), event_id="Ev10"))
    edited = {
        "type": "message", "subtype": "message_changed", "channel": "C0RISK", "ts": "1700000401.000000",
        "message": {"type": "message", "user": "U0ASKER", "text": "跟进 华强电子：改过的内容", "ts": "1700000400.000400"},
        "previous_message": {"type": "message", "text": "跟进 华强电子：初稿", "ts": "1700000400.000400"},
    }
    send(event_callback(edited, event_id="Ev11"))
    assert _stored(services, huaqiang) == ["改过的内容"]


def test_a_deleted_message_removes_its_follow_up(send, services, huaqiang):
    send(event_callback(message_event("跟进 华强电子：会被删除", ts="1700000500.000500"), event_id="Ev20"))
    deleted = {"type": "message", "subtype": "message_deleted", "channel": "C0RISK",
               "ts": "1700000501.000000", "deleted_ts": "1700000500.000500"}
    send(event_callback(deleted, event_id="Ev21"))
    assert _stored(services, huaqiang) == []


def test_a_forged_event_stores_nothing(send, services, huaqiang):
    assert send(event_callback(message_event("跟进 华强电子：伪造"), forged=True)).status == 401
    assert _stored(services, huaqiang) == []


def test_messages_from_bots_are_ignored(send, services, huaqiang):
    event = {**message_event("跟进 华强电子：机器人说的"), "bot_id": "B0OTHER", "subtype": "bot_message"}
    send(event_callback(event))
    assert _stored(services, huaqiang) == []


def test_a_link_unfurl_is_not_an_edit(send, slack, services, huaqiang):
    send(event_callback(message_event("跟进 华强电子：见 https://example.com", ts="1700000700.000700"), event_id="Ev30"))
    posts = len(slack.calls("chat.postMessage"))
    text = "跟进 华强电子：见 https://example.com"
    unfurl = {
        "type": "message", "subtype": "message_changed", "channel": "C0RISK", "ts": "1700000701.000000",
        "message": {"type": "message", "user": "U0ASKER", "text": text, "ts": "1700000700.000700",
                    "attachments": [{"title": "Example"}]},
        "previous_message": {"type": "message", "text": text, "ts": "1700000700.000700"},
    }
    send(event_callback(unfurl, event_id="Ev31"))
    assert len(slack.calls("chat.postMessage")) == posts
    assert _stored(services, huaqiang) == ["见 https://example.com"]


def test_a_message_logged_for_one_customer_is_not_silently_moved_to_another(send, slack, services, huaqiang):
    other = add_customer(services, "深圳市华强物流有限公司", Grade.BLUE)
    send(event_callback(message_event("跟进 华强电子：已对账", ts="1700000800.000800"), event_id="Ev40"))
    from bot.usecases import followups
    with pytest.raises(followups.FollowupError, match="深圳市华强电子元器件制造有限公司"):
        followups.log_followup(services, other, "U0ASKER", "已对账", source_channel="C0RISK", source_ts="1700000800.000800")
    assert _stored(services, huaqiang) == ["已对账"] and _stored(services, other) == []
