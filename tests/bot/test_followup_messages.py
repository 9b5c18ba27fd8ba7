"""Follow-ups logged by posting a message (Events API), edited and deleted with it; by message,
edit, modal or shortcut, the note is kept as typed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from messages import FollowupModalMetadata, ids
from messages.escape import escape
from scoring.grades import Grade
from tests.bot.ledger import add_customer
from tests.slackkit.signing import event_callback, message_event, message_shortcut, view_submission


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


# What people type is stored and shown as they typed it (issue 15). Slack sends & < > escaped.
AS_TYPED = "今天电话沟通，对方承诺：“月底付款”\n下一步：  周五　再打电话\t（对账单两份）"


def _reply_lines(reply: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in reply["blocks"] if b.get("type") == "section")


def _quoted(text: str) -> str:
    """How the bot shows a stored note: each line escaped, as a block quote."""
    return "\n".join(f"> {escape(line)}" for line in text.splitlines())


@pytest.mark.parametrize(
    ("message", "stored"),
    [
        ("跟进 华强电子：今天电话沟通，对方承诺月底付款", "今天电话沟通，对方承诺月底付款"),
        (f"跟进 华强电子：{AS_TYPED}", AS_TYPED),
        (f"#跟进 “华强电子” {AS_TYPED}", AS_TYPED),
        ("followup 华强电子\u3000对方　承诺，  月底：付款", "对方　承诺，  月底：付款"),
    ],
)
def test_a_follow_up_message_is_stored_and_shown_as_typed(send, slack, services, huaqiang, message, stored):
    send(event_callback(message_event(message, ts="1700000900.000900")))
    assert _stored(services, huaqiang) == [stored]
    assert _quoted(stored) in _reply_lines(slack.calls("chat.postMessage")[-1])


def test_an_edit_of_the_message_stores_the_new_text_as_typed(send, services, huaqiang):
    send(event_callback(message_event("跟进 华强电子：初稿", ts="1700001000.001000"), event_id="Ev50"))
    new = f"跟进 华强电子：{AS_TYPED}\n补充：“已发函” &amp; 已回电"
    edited = {
        "type": "message", "subtype": "message_changed", "channel": "C0RISK", "ts": "1700001001.000000",
        "message": {"type": "message", "user": "U0ASKER", "text": new, "ts": "1700001000.001000"},
        "previous_message": {"type": "message", "text": "跟进 华强电子：初稿", "ts": "1700001000.001000"},
    }
    send(event_callback(edited, event_id="Ev51"))
    assert _stored(services, huaqiang) == [f"{AS_TYPED}\n补充：“已发函” & 已回电"]


def test_an_edit_that_leaves_only_control_characters_keeps_the_follow_up(send, slack, services, huaqiang):
    send(event_callback(message_event("跟进 华强电子：原话", ts="1700001100.001100"), event_id="Ev60"))
    edited = {
        "type": "message", "subtype": "message_changed", "channel": "C0RISK", "ts": "1700001101.000000",
        "message": {"type": "message", "user": "U0ASKER", "text": "跟进 华强电子：\x07\x00", "ts": "1700001100.001100"},
        "previous_message": {"type": "message", "text": "跟进 华强电子：原话", "ts": "1700001100.001100"},
    }
    posts = len(slack.calls("chat.postMessage"))
    send(event_callback(edited, event_id="Ev61"))
    assert _stored(services, huaqiang) == ["原话"]
    assert len(slack.calls("chat.postMessage")) == posts


def test_a_note_with_pings_links_and_ampersands_is_stored_plain_and_shown_escaped(send, slack, services, huaqiang):
    escaped = "A &amp; B：&lt;!channel&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|点我&gt; &amp;lt;原样&amp;gt;"
    send(event_callback(message_event(f"跟进 华强电子：{escaped}\n第二\x07行\x00", ts="1700001200.001200")))
    typed = "A & B：<!channel> <@U0BOSS> <https://evil.example|点我> &lt;原样&gt;"
    assert _stored(services, huaqiang) == [f"{typed}\n第二行"]
    shown = json.dumps(slack.calls("chat.postMessage")[-1], ensure_ascii=False)
    assert "<!channel>" not in shown and "<@U0BOSS>" not in shown and "<https://evil" not in shown
    assert _quoted(typed) in _reply_lines(slack.calls("chat.postMessage")[-1])


def test_the_follow_up_modal_stores_its_text_as_typed(send, slack, services, huaqiang):
    typed = "  上门拜访，确认订单：“月底前”\n\t附：对账单  两份\x07 <!channel> & 完\r\n"
    values = {ids.FOLLOWUP_TEXT_BLOCK: {ids.FOLLOWUP_TEXT: {"type": "plain_text_input", "value": typed}}}
    send(view_submission(ids.LOG_MODAL, values, private_metadata=FollowupModalMetadata(customer_id=huaqiang).dump()))
    stored = "上门拜访，确认订单：“月底前”\n\t附：对账单  两份 <!channel> & 完"
    assert _stored(services, huaqiang) == [stored]
    reply = slack.calls("chat.postMessage")[-1]
    assert "<!channel>" not in json.dumps(reply, ensure_ascii=False)
    assert _quoted(stored) in _reply_lines(reply)


def test_the_message_shortcut_prefills_the_note_as_typed_and_logs_it(send, slack, services, huaqiang):
    # The writer typed the entities literally: Slack escapes their & once, we undo that once.
    message = "跟进 华强电子：对方说：“&amp;lt;下周&amp;gt;付款”，　再确认\n下一步：寄函"
    send(message_shortcut(ids.SHORTCUT_CALLBACK, message, message_ts="1700001300.001300"))
    view = slack.calls("views.open")[-1]["view"]
    [box] = [b["element"] for b in view["blocks"] if b.get("block_id") == ids.FOLLOWUP_TEXT_BLOCK]
    typed = "对方说：“&lt;下周&gt;付款”，　再确认\n下一步：寄函"
    assert box["initial_value"] == typed
    values = {ids.FOLLOWUP_TEXT_BLOCK: {ids.FOLLOWUP_TEXT: {"type": "plain_text_input", "value": typed}}}
    send(view_submission(ids.LOG_MODAL, values, private_metadata=view["private_metadata"]))
    assert _stored(services, huaqiang) == [typed]
