"""Buttons, the log-a-follow-up modal, the message shortcut, options loading and App Home."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.app import build_app
from bot.slack_client import make_web_client
from messages import FollowupModalMetadata, ids
from scoring.grades import Grade
from tests.bot.conftest import DIRECTOR
from tests.bot.ledger import add_customer
from tests.slackkit.signing import (
    SIGNING_SECRET,
    block_actions,
    block_suggestion,
    event_callback,
    message_shortcut,
    slash_command,
    to_bolt_request,
    view_submission,
)


@pytest.fixture
def huaqiang(services: Any) -> int:
    return add_customer(services, "深圳市华强电子元器件制造有限公司", Grade.YELLOW, aliases=("华强电子",),
                        sales_owner="U0ASKER", outstanding=987_654)


def _texts(services: Any, customer_id: int) -> list[str]:
    with services.db.uow() as uow:
        return [f.text for f in uow.followups.latest(customer_id, 10)]


def test_share_posts_the_card_to_the_channel_without_money(send, slack, huaqiang):
    send(block_actions(ids.SHARE_CARD, str(huaqiang)))
    post = slack.calls("chat.postMessage")[-1]
    assert post["channel"] == "C0RISK"
    shown = json.dumps(post, ensure_ascii=False)
    assert "深圳市华强电子元器件制造有限公司" in shown
    assert "987,654" not in shown and "987654" not in shown


def test_pick_button_replaces_the_pick_list_with_the_card(send, slack, huaqiang):
    send(block_actions(ids.PICK_CUSTOMER, str(huaqiang), response_url=slack.response_url()))
    answer = slack.calls("response_url")[-1]
    assert answer["replace_original"] is True
    assert "深圳市华强电子元器件制造有限公司" in json.dumps(answer, ensure_ascii=False)


def test_log_button_opens_the_modal_for_that_customer(send, slack, huaqiang):
    send(block_actions(ids.LOG_FOLLOWUP, str(huaqiang)))
    view = slack.calls("views.open")[-1]["view"]
    View(**view).to_dict()
    assert FollowupModalMetadata.load(view["private_metadata"]).customer_id == huaqiang


def test_submitting_the_modal_stores_the_follow_up_and_confirms_by_dm(send, slack, services, huaqiang):
    meta = FollowupModalMetadata(customer_id=huaqiang).dump()
    values = {ids.FOLLOWUP_TEXT_BLOCK: {ids.FOLLOWUP_TEXT: {"type": "plain_text_input", "value": "上门拜访，确认订单"}}}
    response = send(view_submission(ids.LOG_MODAL, values, private_metadata=meta))
    assert response.status == 200
    assert _texts(services, huaqiang) == ["上门拜访，确认订单"]
    assert slack.calls("chat.postMessage")[-1]["channel"] == "U0ASKER"


def test_submitting_the_modal_without_customer_or_text_shows_field_errors(send, services, huaqiang):
    response = send(view_submission(ids.LOG_MODAL, {}, private_metadata=""))
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {ids.CUSTOMER_BLOCK, ids.FOLLOWUP_TEXT_BLOCK}
    assert _texts(services, huaqiang) == []


def test_the_message_shortcut_opens_a_prefilled_modal_and_logs_the_message(send, slack, services, huaqiang):
    send(message_shortcut(ids.SHORTCUT_CALLBACK, "客户说下周一付款 &lt;b&gt;", message_ts="1700000600.000600"))
    view = slack.calls("views.open")[-1]["view"]
    View(**view).to_dict()
    assert "客户说下周一付款 <b>" in json.dumps(view, ensure_ascii=False)
    meta = view["private_metadata"]
    values = {
        ids.CUSTOMER_BLOCK: {ids.CUSTOMER_SELECT: {"type": "external_select",
                                                   "selected_option": {"value": str(huaqiang)}}},
        ids.FOLLOWUP_TEXT_BLOCK: {ids.FOLLOWUP_TEXT: {"type": "plain_text_input", "value": "客户说下周一付款 <b>"}},
    }
    send(view_submission(ids.LOG_MODAL, values, private_metadata=meta))
    send(view_submission(ids.LOG_MODAL, values, private_metadata=meta))  # a double submit
    assert _texts(services, huaqiang) == ["客户说下周一付款 <b>"]
    reply = slack.calls("chat.postMessage")[-1]
    assert reply["thread_ts"] == "1700000600.000600"


def test_the_customer_picker_loads_matching_options(send, huaqiang):
    response = send(block_suggestion(ids.CUSTOMER_SELECT, "华强"))
    options = json.loads(response.body)["options"]
    assert [o["value"] for o in options] == [str(huaqiang)]


def test_app_home_shows_my_customers_and_for_directors_the_pending_approvals(send, slack, services, huaqiang):
    add_customer(services, "杭州博远贸易有限公司", Grade.BLUE, values={"overdue_payment_count": 4})
    send(event_callback({"type": "app_home_opened", "user": "U0ASKER", "tab": "home"}, event_id="EvH1"))
    mine = slack.calls("views.publish")[-1]
    View(**mine["view"]).to_dict()
    assert mine["user_id"] == "U0ASKER"
    assert "深圳市华强电子元器件制造有限公司" in json.dumps(mine["view"], ensure_ascii=False)
    assert "杭州博远" not in json.dumps(mine["view"], ensure_ascii=False)

    send(event_callback({"type": "app_home_opened", "user": DIRECTOR, "tab": "home"}, event_id="EvH2"))
    director = json.dumps(slack.calls("views.publish")[-1]["view"], ensure_ascii=False)
    assert "杭州博远贸易有限公司" in director  # its first grade, red, waits for approval


def test_the_command_is_acknowledged_before_its_answer_is_delivered(services, slack, huaqiang):
    """In production mode Bolt answers Slack once the listener acks: the answer, still held up
    in the (fake) Slack, must not hold up the acknowledgement."""
    app = build_app(services, client=make_web_client("xoxb-test", slack.url), signing_secret=SIGNING_SECRET)
    held = slack.hold("response_url")
    response = app.dispatch(to_bolt_request(*slash_command("华强电子", response_url=slack.response_url())))
    assert response.status == 200
    assert slack.calls("response_url") == []  # acknowledged while the answer is still on its way
    held.set()
    answer = slack.wait_for_calls("response_url")[-1]
    assert "深圳市华强电子元器件制造有限公司" in json.dumps(answer, ensure_ascii=False)


def test_a_directors_own_proposal_is_not_listed_as_pending_for_them(send, slack, services, huaqiang):
    from bot.usecases import decisions

    decisions.propose(services, huaqiang, DIRECTOR, Grade.RED, "连续两月逾期")
    send(event_callback({"type": "app_home_opened", "user": DIRECTOR, "tab": "home"}, event_id="EvH3"))
    home = json.dumps(slack.calls("views.publish")[-1]["view"], ensure_ascii=False)
    assert "深圳市华强电子元器件制造有限公司" not in home
