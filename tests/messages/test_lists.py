"""Lists that can hold hundreds of customers: /risk lists, nudges, App Home, the digest."""

from __future__ import annotations

import re

import pytest

from messages import (
    Renderer,
    alert_message,
    customer_list,
    escalation_message,
    help_message,
    home_view,
    ids,
    nudge_dm,
    pick_list,
    stats_message,
    weekly_digest,
)
from messages.kinds import ListKind
from messages.views import Stats
from scoring.grades import Grade
from tests.messages import samples
from tests.messages.slackcheck import all_text


def _text(surface: object) -> str:
    return "\n".join(all_text(surface))  # type: ignore[arg-type]


def _shown_lines(blocks: list[dict]) -> int:
    return sum(b["text"]["text"].count("\n") + 1 for b in blocks[1:] if b["type"] == "section")


def test_a_list_of_300_customers_fits_and_counts_the_rest(zh: Renderer) -> None:
    message = customer_list(zh, ListKind.MINE, samples.lines(3000))
    assert len(message.blocks) <= 50
    left = int(re.search(r"还有 (\d+) 位客户", _text(message)).group(1))  # type: ignore[union-attr]
    assert _shown_lines(message.blocks) + left == 3000


def test_a_list_of_300_short_lines_shows_them_all(zh: Renderer) -> None:
    message = customer_list(zh, ListKind.DUE, samples.lines(300))
    assert "还有" not in _text(message)
    assert "*到期及逾期的跟进*（300 位）" in _text(message)


def test_list_lines_show_grade_score_next_due_and_days_overdue(en: Renderer) -> None:
    text = _text(customer_list(en, ListKind.GRADE, samples.lines(3), grade=Grade.RED))
    assert "*🔴 Red customers* (3)" in text
    assert "🔴 Red *" in text and "52.0" in text and "2024-05-06 ⚠️ 2 days overdue" in text


def test_a_list_by_grade_needs_its_grade(zh: Renderer) -> None:
    with pytest.raises(ValueError, match="grade"):
        customer_list(zh, ListKind.GRADE, ())


def test_an_empty_pending_list_says_nothing_awaits(zh: Renderer) -> None:
    assert "没有待审批的等级变更" in _text(customer_list(zh, ListKind.PENDING, ()))


def test_stats_count_each_grade_and_the_follow_up_backlog(zh: Renderer) -> None:
    text = _text(stats_message(zh, Stats(grade_counts={Grade.RED: 8}, ungraded=3, due=6, overdue=2, pending=1)))
    assert "🔵 蓝标 0 · 🟡 黄标 0 · 🔴 红标 8 · ⚫ 黑标 0 · ⚪ 未评级 3" in text
    assert "到期 6 · 逾期 2" in text and "待审批的等级变更*：1" in text


def test_nudge_with_300_customers_stays_under_50_blocks_and_counts_the_rest(zh: Renderer) -> None:
    nudge = samples.nudge(300)
    overdue = sum(1 for item in nudge.items if item.days_overdue > 0)
    message = nudge_dm(zh, nudge)
    assert len(message.blocks) == 50
    buttons = [b["accessory"] for b in message.blocks if "accessory" in b]
    assert all(b["action_id"] == ids.LOG_FOLLOWUP for b in buttons)
    assert f"还有 {300 - len(buttons)} 位客户未列出" in _text(message)
    assert f"今天有 300 位客户需要跟进，其中 {overdue} 位已逾期" in _text(message)


def test_nudge_puts_the_most_overdue_customers_first(zh: Renderer) -> None:
    message = nudge_dm(zh, samples.nudge(300))
    values = [int(b["accessory"]["value"]) for b in message.blocks if "accessory" in b]
    overdue = [i % 40 for i in values]
    assert overdue == sorted(overdue, reverse=True) and overdue[0] == 39


def test_a_small_nudge_lists_everyone_with_a_button_each(en: Renderer) -> None:
    message = nudge_dm(en, samples.nudge(3))
    assert sorted(b["accessory"]["value"] for b in message.blocks if "accessory" in b) == ["1", "2", "3"]
    assert "more customers not shown" not in _text(message)


def test_escalation_names_cadence_overdue_days_and_owners(zh: Renderer) -> None:
    text = _text(escalation_message(zh, samples.escalation()))
    assert "每周（7 天）" in text and "已逾期 9 天" in text and f"<@{samples.SALES}>" in text


def test_one_alert_groups_every_line_crossed(zh: Renderer) -> None:
    text = _text(alert_message(zh, samples.alert()))
    for words in ("失信被执行人", "突增 350%", "延长账期 350 天", "逾期付款", "欠税公告", "行政处罚 ¥345,678"):
        assert words in text


def test_home_with_300_customers_stays_under_100_blocks(zh: Renderer) -> None:
    view = home_view(zh, samples.home(300))
    assert len(view["blocks"]) <= 100
    assert "*待我审批的等级变更*（60）" in _text(view)


def test_home_hides_approvals_from_non_directors(zh: Renderer) -> None:
    assert "待我审批" not in _text(home_view(zh, samples.home(5, director=False)))


def test_home_groups_my_customers_worst_grade_first(en: Renderer) -> None:
    text = _text(home_view(en, samples.home(10)))
    assert text.index("*⚫ Black* (") < text.index("*🔴 Red* (") < text.index("*🔵 Blue* (")


def test_digest_shows_mix_change_and_stays_under_50_blocks(zh: Renderer) -> None:
    message = weekly_digest(zh, samples.digest())
    text = _text(message)
    assert len(message.blocks) <= 50
    assert "🔵 蓝标 120（+2） · 🟡 黄标 30（−2） · 🔴 红标 8（持平） · ⚫ 黑标 2（+2）" in text
    assert "¥8,765,432.10" in text and "条未列出" in text


def test_pick_list_offers_a_button_per_candidate_up_to_twenty(zh: Renderer) -> None:
    message = pick_list(zh, "华强", [samples.candidate(i) for i in range(30)])
    values = [b["accessory"]["value"] for b in message.blocks if "accessory" in b]
    assert values == [str(i) for i in range(20)]
    assert all(b["accessory"]["action_id"] == ids.PICK_CUSTOMER for b in message.blocks if "accessory" in b)
    assert "还有 10 位未列出" in _text(message)


@pytest.mark.parametrize(
    "word", ["帮助", "我的", "列表", "跟进", "调级", "解除", "核销", "统计",
             "help", "mine", "list", "log", "propose", "release", "writeoff", "stats"]
)
def test_help_names_every_subcommand_in_both_languages(zh: Renderer, en: Renderer, word: str) -> None:
    assert word in _text(help_message(zh)) and word in _text(help_message(en))
