"""The card's 数据来源 lines: where each value came from, when, and whether it is out of date."""

from __future__ import annotations

from datetime import date

from messages import Renderer, customer_card, shared_card
from messages.views import Freshness
from tests.messages import samples
from tests.messages.slackcheck import all_text, assert_safe, validate_message

ROWS = (
    Freshness("失信被执行人记录(近3年)", "provider", "qcc", date(2026, 11, 30)),
    Freshness("行政处罚记录(近3年单次最高金额)", "provider", "qcc", date(2026, 9, 1), stale=True),
    Freshness("历史逾期付款次数(逾期>30天)", "import", "台账 " + samples.HOSTILE + ".xlsx", date(2026, 11, 2)),
    Freshness("账期申请延长幅度", "slack", "U0RISK01", date(2026, 11, 20)),
)


def test_each_value_says_its_source_and_date_and_stale_ones_are_marked(zh: Renderer) -> None:
    message = customer_card(zh, samples.card(freshness=ROWS))
    validate_message(message)
    text = "\n".join(all_text(message))
    assert "*数据来源*" in text
    assert "• 失信被执行人记录(近3年)：征信接口 qcc · 2026-11-30\n" in text
    assert "• 行政处罚记录(近3年单次最高金额)：征信接口 qcc · 2026-09-01 · ⚠️ *资料过期*" in text
    assert "• 账期申请延长幅度：<@U0RISK01> · 2026-11-20" in text
    assert_safe(text)  # a hostile file name pings no one


def test_the_english_card_and_the_shared_card_say_it_too(en: Renderer, zh: Renderer) -> None:
    text = "\n".join(all_text(customer_card(en, samples.card(freshness=ROWS))))
    assert "credit provider qcc · 2026-09-01 · ⚠️ *out of date*" in text
    shared = shared_card(zh, samples.card(freshness=ROWS), shared_by="U0SALES01")
    validate_message(shared)
    assert "资料过期" in "\n".join(all_text(shared))


def test_a_card_without_sources_has_no_such_block(zh: Renderer) -> None:
    assert "数据来源" not in "\n".join(all_text(customer_card(zh, samples.card())))
