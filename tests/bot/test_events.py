"""Risk events from Slack: `/risk 事件 …` through signed requests, the card's button and modal."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.usecases import events
from messages import ids
from scoring.grades import Grade
from storage.models import RiskEvent
from tests.bot.conftest import OFFICER
from tests.bot.ledger import add_customer, set_values
from tests.messages.slackcheck import validate_view
from tests.slackkit.signing import block_actions, slash_command, view_submission

NAME = "深圳市华强电子元器件制造有限公司"


@pytest.fixture
def huaqiang(services: Any) -> int:
    return add_customer(services, NAME, Grade.YELLOW, aliases=("华强电子",), sales_owner="U0ASKER")


def stored(services: Any, customer_id: int) -> list[RiskEvent]:
    with services.db.uow() as uow:
        return uow.risk_events.for_customer(customer_id)


def run(send: Any, slack: Any, text: str, user: str = "U0ASKER") -> str:
    response = send(slash_command(text, user_id=user, response_url=slack.response_url()))
    assert response.status == 200
    answer = slack.calls("response_url")[-1]
    assert answer["response_type"] == "ephemeral"
    return answer["text"] + "\n" + json.dumps(answer["blocks"], ensure_ascii=False)


def test_an_overdue_typed_in_chinese_is_stored_with_todays_date_and_grade_and_audited(send, slack, services, huaqiang):
    answer = run(send, slack, "事件 华强电子 逾期 12万 45天 客户说月底付，  先别催")
    [event] = stored(services, huaqiang)
    assert (event.kind, event.amount, event.days) == ("overdue", Decimal("120000.00"), 45)
    assert event.occurred_on == date(2026, 11, 23)  # today in Shanghai
    assert event.grade is Grade.YELLOW
    assert event.note == "客户说月底付，  先别催"  # kept as typed
    assert (event.source, event.recorded_by, event.source_key) == ("slack:U0ASKER", "U0ASKER", None)
    assert "逾期" in answer and "¥120,000" in answer and "45 天" in answer
    with services.db.uow() as uow:
        [entry] = [a for a in uow.audit.query(huaqiang) if a.action == "risk_event.recorded"]
    assert entry.actor == "U0ASKER" and entry.detail["event_id"] == event.id and entry.detail["amount"] == "120000.00"


def test_the_english_alias_takes_a_date_and_a_formatted_amount(send, slack, services, huaqiang):
    run(send, slack, "event 华强电子 recovery ￥1,200,000.00 2026-11-20", user=OFFICER)
    [event] = stored(services, huaqiang)
    assert (event.kind, event.amount, event.days, event.occurred_on) == (
        "recovery", Decimal("1200000.00"), None, date(2026, 11, 20))


@pytest.mark.parametrize(("text", "field"), [
    ("事件 华强电子 逾期 45天", "金额必填"),
    ("事件 华强电子 逾期 12万", "天数必填"),
    ("事件 华强电子 回款 5000 30天", "天数只用于逾期"),
    ("事件 华强电子 坏账 -3000", "金额不能为负数"),
    ("事件 华强电子 爆雷 3000", "事件类型“爆雷”无法识别"),
    ("事件 华强电子 回款 5000 2026-12-01", "发生日期 2026-12-01 在今天"),
    ("事件 华强电子 回款 5000 2026-02-30", "日期“2026-02-30”无法识别"),
])
def test_bad_input_names_the_field_and_stores_nothing(send, slack, services, huaqiang, text, field):
    answer = run(send, slack, text)
    assert field in answer
    assert "用法" in answer or "/risk 事件" in answer
    assert stored(services, huaqiang) == []


@pytest.mark.parametrize("text", ["事件 华强电子 回款 5000", "事件 华强电子 坏账 5000"])
def test_a_salesperson_may_report_an_overdue_but_not_book_a_recovery_or_a_loss(send, slack, services, huaqiang, text):
    answer = run(send, slack, text)  # the customer's own salesperson: it would move their 回款率
    assert "只能由风控专员、风控总监或财务记录" in answer
    assert stored(services, huaqiang) == []
    run(send, slack, "事件 华强电子 逾期 12万 45天")  # 风险上报: anyone
    assert [e.kind for e in stored(services, huaqiang)] == ["overdue"]


def test_an_unknown_customer_is_refused_and_nothing_is_stored(send, slack, services, huaqiang):
    answer = run(send, slack, "事件 不存在的公司 逾期 12万 45天")
    assert "没有找到" in answer
    assert stored(services, huaqiang) == []


def test_the_grade_stored_is_the_one_held_on_the_day_it_happened(send, slack, services, clock, huaqiang):
    clock.advance(days=10)
    set_values(services, huaqiang, Grade.BLUE)  # yellow → blue applies at once, ten days later
    run(send, slack, "事件 华强电子 回款 5000 2026-11-25", user=OFFICER)
    run(send, slack, "事件 华强电子 回款 6000", user=OFFICER)
    run(send, slack, "事件 华强电子 回款 7000 2026-11-01", user=OFFICER)  # before its first grade
    grades = {e.amount: e.grade for e in stored(services, huaqiang)}
    assert grades == {Decimal("5000.00"): Grade.YELLOW, Decimal("6000.00"): Grade.BLUE, Decimal("7000.00"): None}


def test_the_card_shows_the_latest_events(send, slack, services, huaqiang):
    events.record(services, huaqiang, "U0ASKER", "overdue", amount=Decimal(80_000), days=31, occurred_on=date(2026, 10, 1))
    events.record(services, huaqiang, "U0ASKER", "legal_opened", occurred_on=date(2026, 11, 2))
    card = run(send, slack, "华强电子")
    assert "风险事件" in card
    assert card.index("2026-11-02 立案") < card.index("2026-10-01 逾期 ¥80,000 · 31 天")


def test_the_card_button_opens_the_modal_for_that_customer(send, slack, huaqiang):
    send(block_actions(ids.RECORD_EVENT, str(huaqiang)))
    view = slack.calls("views.open")[-1]["view"]
    validate_view(view)
    assert view["private_metadata"] == str(huaqiang)
    assert NAME in json.dumps(view, ensure_ascii=False)
    [picker] = [b["element"] for b in view["blocks"] if b.get("block_id") == ids.EVENT_DATE_BLOCK]
    assert picker["initial_date"] == "2026-11-23"


def _modal(kind: str | None, amount: str = "", days: str = "", on: str = "2026-11-20", note: str = "") -> dict[str, Any]:
    return {
        ids.EVENT_KIND_BLOCK: {ids.EVENT_KIND: {"type": "static_select",
                                                "selected_option": {"value": kind} if kind else None}},
        ids.EVENT_AMOUNT_BLOCK: {ids.EVENT_AMOUNT: {"type": "plain_text_input", "value": amount or None}},
        ids.EVENT_DAYS_BLOCK: {ids.EVENT_DAYS: {"type": "plain_text_input", "value": days or None}},
        ids.EVENT_DATE_BLOCK: {ids.EVENT_DATE: {"type": "datepicker", "selected_date": on}},
        ids.EVENT_NOTE_BLOCK: {ids.EVENT_NOTE: {"type": "plain_text_input", "value": note or None}},
    }


def test_submitting_the_modal_stores_the_event_and_confirms_by_dm(send, slack, services, huaqiang):
    response = send(view_submission(ids.EVENT_MODAL, _modal("overdue", "1,200,000.00", "45", note="两笔"),
                                    private_metadata=str(huaqiang)))
    assert response.status == 200 and not response.body
    [event] = stored(services, huaqiang)
    assert (event.kind, event.amount, event.days, event.occurred_on, event.note) == (
        "overdue", Decimal("1200000.00"), 45, date(2026, 11, 20), "两笔")
    post = slack.calls("chat.postMessage")[-1]
    assert post["channel"] == "U0ASKER" and "¥1,200,000" in json.dumps(post, ensure_ascii=False)


def test_the_modal_shows_each_problem_on_its_field(send, services, huaqiang):
    body = json.loads(send(view_submission(ids.EVENT_MODAL, _modal("overdue", "12x", "", on="2026-12-24"),
                                           private_metadata=str(huaqiang))).body)
    assert body["response_action"] == "errors"
    assert "金额" in body["errors"][ids.EVENT_AMOUNT_BLOCK]
    body = json.loads(send(view_submission(ids.EVENT_MODAL, _modal("overdue", on="2026-12-24"),
                                           private_metadata=str(huaqiang))).body)
    assert set(body["errors"]) == {ids.EVENT_AMOUNT_BLOCK, ids.EVENT_DAYS_BLOCK, ids.EVENT_DATE_BLOCK}
    body = json.loads(send(view_submission(ids.EVENT_MODAL, _modal(None), private_metadata=str(huaqiang))).body)
    assert "事件类型必填" in body["errors"][ids.EVENT_KIND_BLOCK]
    assert stored(services, huaqiang) == []
