"""`/risk 事件 …` parsed: the many ways people type an event, and bad input naming its field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.commands import CommandError, EventArgs, parse


@pytest.mark.parametrize(("text", "customer", "args"), [
    ("事件 华强 逾期 120000 45天", "华强", EventArgs("overdue", Decimal(120000), 45)),
    ("事件 华强 逾期 45天 12万", "华强", EventArgs("overdue", Decimal(120000), 45)),
    ("event 华强 overdue 1,200,000.00 45d 2026-03-01", "华强", EventArgs("overdue", Decimal(1200000), 45, "2026-03-01")),
    ("事件 “深圳 华强”：回款 ￥3,000 昨天 转账到账", "深圳 华强", EventArgs("recovery", Decimal(3000), None, "昨天", "转账到账")),
    ("风险事件 华强 坏账 8.5万 备注  保留  空格", "华强", EventArgs("loss", Decimal(85000), None, None, "备注  保留  空格")),
    ("事件 华强 立案 (2026)粤0304民初123号", "华强", EventArgs("legal_opened", note="(2026)粤0304民初123号")),
    ("事件 华强 终止合作", "华强", EventArgs("cooperation_ended")),
    ("ＥＶＥＮＴ 华强 ended 2026年11月1日", "华强", EventArgs("cooperation_ended", on="2026年11月1日")),
])
def test_event_forms(text: str, customer: str, args: EventArgs) -> None:
    command = parse(text)
    assert (command.name, command.query, command.event) == ("event", customer, args)


@pytest.mark.parametrize(("text", "field"), [
    ("事件", "缺少客户名"),
    ("事件 华强", "事件类型必填"),
    ("事件 华强 天灾 3000", "事件类型“天灾”无法识别"),
    ("事件 华强 逾期 -120000 45天", "金额不能为负数"),
    ("事件 华强 逾期 12x万 45天", "金额“12x万”不是金额"),
    ("事件 华强 逾期 12万 -3天", "天数“-3天”不是天数"),
    ("event 华强 loss 99999999999999", "amount too large"),
])
def test_bad_input_names_the_field_with_the_event_usage(text: str, field: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse(text)
    assert field in str(caught.value)
    assert caught.value.usage == "event"
