"""`/risk` through signed slash-command requests, answered privately via the response URL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from scoring.grades import Grade
from storage.models import Followup
from tests.bot.ledger import add_customer
from tests.slackkit.signing import slash_command


def _answer(slack: Any) -> dict[str, Any]:
    calls = slack.calls("response_url")
    assert calls, "the command answered nothing"
    answer = calls[-1]
    assert answer["response_type"] == "ephemeral"
    for block in Block.parse_all(answer["blocks"]):
        block.to_dict()
    return answer


def _text(answer: dict[str, Any]) -> str:
    return answer["text"] + "\n" + json.dumps(answer["blocks"], ensure_ascii=False)


@pytest.fixture
def ledger(services: Any) -> dict[str, int]:
    return {
        "华强": add_customer(services, "深圳市华强电子元器件制造有限公司", Grade.BLUE, aliases=("华强电子",)),
        "恒通": add_customer(services, "重庆恒通供应链管理有限公司", Grade.YELLOW, sales_owner="U0ASKER"),
        "博远": add_customer(services, "杭州博远贸易有限公司", Grade.RED, sales_owner="U0ASKER"),
        "海纳": add_customer(services, "杭州海纳科技有限公司", Grade.BLACK),
    }


def run(send: Any, slack: Any, text: str, user: str = "U0ASKER") -> dict[str, Any]:
    response = send(slash_command(text, user_id=user, response_url=slack.response_url()))
    assert response.status == 200
    return _answer(slack)


def test_full_name_shows_the_card_with_grade_score_and_plan(send, slack, ledger):
    answer = _text(run(send, slack, "深圳市华强电子元器件制造有限公司"))
    assert "深圳市华强电子元器件制造有限公司" in answer
    assert "100.0" in answer
    assert "蓝标" in answer


def test_credit_code_alias_and_pinyin_find_the_same_customer(send, slack, ledger, services):
    with services.db.uow() as uow:
        code = uow.customers.get(ledger["华强"]).credit_code
    for query in (code, "华强电子", "shenzhenshihuaqiang"):
        assert "深圳市华强电子元器件制造有限公司" in _text(run(send, slack, query))


def test_yellow_card_shows_compressed_terms_and_prepayment(send, slack, ledger):
    answer = _text(run(send, slack, "重庆恒通供应链管理有限公司"))
    assert "黄标" in answer
    assert "42" in answer  # 60 days → 42
    assert "30%" in answer


def test_several_matches_give_a_pick_list(send, slack, ledger):
    answer = run(send, slack, "杭州")
    picks = [b for b in answer["blocks"] if b.get("accessory", {}).get("action_id") == "customer.pick"]
    assert {p["accessory"]["value"] for p in picks} == {str(ledger["博远"]), str(ledger["海纳"])}


def test_no_match_offers_the_closest_suggestions(send, slack, ledger):
    answer = _text(run(send, slack, "深圳华强电子元器件有限公司"))
    assert "深圳市华强电子元器件制造有限公司" in answer


def test_a_name_that_matches_nothing_says_so(send, slack, ledger):
    answer = run(send, slack, "完全无关的名字XYZ")
    assert "customer.pick" not in json.dumps(answer["blocks"])


@pytest.mark.parametrize("text", ["", "help", "帮助"])
def test_help_lists_every_subcommand(send, slack, text):
    answer = _text(run(send, slack, text))
    for word in ("我的", "列表", "跟进", "调级", "核销", "统计"):
        assert word in answer


def test_mine_lists_my_customers_most_urgent_first(send, slack, ledger):
    answer = _text(run(send, slack, "我的"))
    assert "重庆恒通供应链管理有限公司" in answer and "杭州博远贸易有限公司" in answer
    assert "深圳市华强" not in answer
    assert answer.index("杭州博远") < answer.index("重庆恒通")  # red is due within 7 days


@pytest.mark.parametrize("text", ["list red", "列表 红", "list 红标"])
def test_list_by_grade(send, slack, ledger, text):
    answer = _text(run(send, slack, text))
    assert "杭州博远贸易有限公司" in answer
    assert "深圳市华强" not in answer and "杭州海纳" not in answer


def test_stats_counts_each_grade(send, slack, ledger):
    answer = run(send, slack, "统计")
    assert answer["blocks"]


def test_log_stores_a_follow_up_and_answers_with_the_next_due_date(send, slack, ledger, services):
    answer = _text(run(send, slack, "跟进 华强电子：客户承诺月底回款"))
    assert "客户承诺月底回款" in answer
    with services.db.uow() as uow:
        stored = uow.followups.latest(ledger["华强"], 5)
    assert [f.text for f in stored] == ["客户承诺月底回款"]
    assert stored[0].author == "U0ASKER"


def test_log_without_text_explains_what_is_missing(send, slack, ledger, services):
    answer = _text(run(send, slack, "log 华强电子"))
    assert "缺少内容" in answer
    with services.db.uow() as uow:
        assert uow.followups.latest(ledger["华强"], 5) == []


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "华强\x00\x07电子",
        "'; DROP TABLE customers; --",
        "<!channel> <@U123> <https://evil|click>",
        "list 绿",
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(send, slack, ledger, services, text):
    answer = run(send, slack, text)
    assert "<!channel>" not in json.dumps(answer)
    with services.db.uow() as uow:
        assert uow.customers.get(ledger["华强"]) is not None
        assert uow.session.query(Followup).count() == 0


@pytest.mark.parametrize("kind", ["forged", "stale"])
def test_unsigned_or_stale_requests_are_refused_and_store_nothing(send, slack, ledger, services, kind):
    request = slash_command("跟进 华强电子：伪造", response_url=slack.response_url(), **{kind: True})
    assert send(request).status == 401
    assert slack.calls("response_url") == []
    with services.db.uow() as uow:
        assert uow.followups.latest(ledger["华强"], 5) == []


@pytest.mark.parametrize("text", ["list due", "列表 到期"])
def test_list_due_shows_follow_ups_due_today_or_earlier(send, slack, ledger, services, clock, text):
    clock.advance(days=8)  # the red customer (7-day cadence) is now overdue, the others are not
    answer = _text(run(send, slack, text))
    assert "杭州博远贸易有限公司" in answer
    assert "深圳市华强" not in answer


def test_slash_command_text_arrives_escaped_and_is_stored_as_typed(send, slack, ledger, services):
    run(send, slack, "跟进 华强电子：A&amp;B 对账 &lt;完成&gt;")
    with services.db.uow() as uow:
        assert [f.text for f in uow.followups.latest(ledger["华强"], 5)] == ["A&B 对账 <完成>"]


def test_an_import_finishing_after_other_writes_is_found_at_once(send, slack, services, tmp_path):
    """The import's rows carry its start time; the lookup must still see them (and renames)."""
    from tests.ledger.helpers import customer, run_import, write_csv

    run_import(services.db, write_csv(tmp_path / "first.csv", [customer(1)]))
    assert "测试1号电子科技有限公司" in _text(run(send, slack, "测试1号电子科技有限公司"))
    add_customer(services, "深圳市华强电子元器件制造有限公司", Grade.BLUE)  # other writes, stamped later
    run(send, slack, "深圳市华强电子元器件制造有限公司")
    renamed = {**customer(1), "name": "测试壹号电子科技有限公司"}
    run_import(services.db, write_csv(tmp_path / "second.csv", [renamed, customer(2)]))
    assert "测试壹号电子科技有限公司" in _text(run(send, slack, "测试壹号电子科技有限公司"))
    assert "测试2号电子科技有限公司" in _text(run(send, slack, "测试2号电子科技有限公司"))
