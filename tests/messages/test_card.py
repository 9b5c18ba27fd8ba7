"""The customer card of /risk <name>, private and shared."""

from __future__ import annotations

from messages import Renderer, customer_card, ids, shared_card
from messages.kinds import Unit
from messages.views import IndicatorRow
from scoring.grades import Grade
from tests.messages import samples
from tests.messages.slackcheck import all_text


def _text(message: object) -> str:
    return "\n".join(all_text(message))  # type: ignore[arg-type]


def _buttons(message: object) -> list[dict]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]  # type: ignore[attr-defined]


def test_card_shows_grade_colour_score_and_provisional_mark_with_what_is_missing(zh: Renderer) -> None:
    text = _text(customer_card(zh, samples.card()))
    assert "🔴 红标" in text and "55.2" in text
    assert "资料不全" in text and "欠税公告记录(近2年)" in text


def test_card_lists_points_lost_with_value_and_reason_worst_first(zh: Renderer) -> None:
    text = _text(customer_card(zh, samples.card()))
    assert "历史逾期付款次数：4 次，扣 25 分（&gt; 3 " in text
    assert "近半年营收波动幅度：-35.5%，扣 10 分" in text
    assert "账期申请延长幅度：70 天，扣 7 分" in text
    assert "客户付费意愿评级：C，扣 6.7 分" in text
    assert "经营异常记录次数" not in text  # cost nothing
    assert text.index("历史逾期付款次数") < text.index("近半年营收波动幅度") < text.index("账期申请延长幅度")


def test_card_shows_floors_plan_owners_cadence_and_overdue_due_date(zh: Renderer) -> None:
    text = _text(customer_card(zh, samples.card()))
    assert "→ 至少🔴 红标" in text
    assert "账期 60 → 0 天" in text and "生成催收任务" in text
    assert f"销售 <@{samples.SALES}>" in text and "风控 risk&amp;&lt;!here&gt;@corp.example" in text
    assert "每周（7 天）" in text and "2024-05-03 ⚠️ 逾期 3 天" in text


def test_card_shows_the_pending_change_and_the_computed_grade_under_a_manual_hold(zh: Renderer) -> None:
    text = _text(customer_card(zh, samples.card()))
    assert f"🔴 红标 → ⚫ 黑标，由 <@{samples.DIRECTOR}> 于 2024-05-06 09:30 提出" in text
    assert "计算等级为 🟡 黄标" in text


def test_card_shows_only_the_three_latest_follow_ups(zh: Renderer) -> None:
    text = _text(customer_card(zh, samples.card()))
    assert "第0次" in text and "第2次" in text and "第3次" not in text


def test_card_buttons_share_log_and_record_event_carry_the_customer_id(zh: Renderer) -> None:
    buttons = _buttons(customer_card(zh, samples.card()))
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (ids.SHARE_CARD, "7"), (ids.LOG_FOLLOWUP, "7"), (ids.RECORD_EVENT, "7")]


def test_card_lists_the_three_latest_events_with_amounts_and_days(zh: Renderer) -> None:
    text = _text(customer_card(zh, samples.card()))
    assert "*风险事件*" in text and "逾期 ¥345,678.90 · 45 天" in text and "坏账损失" in text and "回款" in text
    assert "立案" not in text  # the fourth event is not shown


def test_shared_card_lists_events_without_amounts_or_notes(zh: Renderer) -> None:
    text = _text(shared_card(zh, samples.card(), shared_by=samples.SALES))
    assert "逾期" in text and "45 天" in text and "345,678" not in text


def test_private_card_shows_the_outstanding_amount_and_money_values(zh: Renderer) -> None:
    text = _text(customer_card(zh, samples.card()))
    assert "¥8,765,432.10" in text and "¥345,678" in text


def test_shared_card_carries_no_money_figure(renderer: Renderer) -> None:
    text = _text(shared_card(renderer, samples.card(), shared_by=samples.SALES))
    for figure in ("8,765,432", "8765432", "345,678", "345678", "¥"):
        assert figure not in text
    assert "行政处罚记录" in text  # the row is there, its amount is not


def test_shared_card_hides_follow_up_notes_but_keeps_the_last_date(zh: Renderer) -> None:
    text = _text(shared_card(zh, samples.card(), shared_by=samples.SALES))
    assert "第0次" not in text and "2024-05-06" in text
    assert f"由 <@{samples.SALES}> 分享" in text


def test_shared_card_offers_logging_a_follow_up_but_not_sharing_again(zh: Renderer) -> None:
    buttons = _buttons(shared_card(zh, samples.card(), shared_by=samples.SALES))
    assert [b["action_id"] for b in buttons] == [ids.LOG_FOLLOWUP]


def test_a_card_with_no_deduction_says_so(en: Renderer) -> None:
    card = samples.card(breakdown=(IndicatorRow(label="x", value=0, unit=Unit.COUNT),))
    assert "*Points lost:* none." in _text(customer_card(en, card))


def test_a_huge_breakdown_is_cut_into_few_sections_not_an_invalid_message(zh: Renderer) -> None:
    rows = tuple(IndicatorRow(label=samples.LONG_NAME, value=i, points_lost=1, reason=samples.LONG_NAME) for i in range(200))
    message = customer_card(zh, samples.card(breakdown=rows))
    assert len(message.blocks) <= 50


def test_english_card_uses_english_grade_names(en: Renderer) -> None:
    text = _text(customer_card(en, samples.card(grade=Grade.YELLOW)))
    assert "🟡 Yellow" in text and "黄标" not in text
