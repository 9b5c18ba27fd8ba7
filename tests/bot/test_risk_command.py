"""`/risk` through signed slash-command requests, answered privately via the response URL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

import messages as m
from messages import ids
from scoring.grades import Grade
from storage.models import Followup, GradeChange, WriteOff
from tests.bot.conftest import DIRECTOR, OFFICER
from tests.bot.ledger import add_customer
from tests.slackkit.signing import slash_command, view_submission


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


# What people type is stored and shown as they typed it (issue 15): Slack sends & < > escaped.
def _stored_followups(services: Any, customer_id: int) -> list[str]:
    with services.db.uow() as uow:
        return [f.text for f in uow.followups.latest(customer_id, 5)]


@pytest.mark.parametrize(
    ("command", "stored"),
    [
        ("跟进 华强电子 今天电话沟通，对方承诺月底付款", "今天电话沟通，对方承诺月底付款"),
        ("跟进 华强电子：对方说：“月底前付清”\n  下一步：寄函　催款", "对方说：“月底前付清”\n  下一步：寄函　催款"),
        ("log “华强电子” A&amp;B  对账，&lt;!channel&gt;", "A&B  对账，<!channel>"),
        ("跟进\u3000华强电子\u3000第一行\x07\n第二行\x00", "第一行\n第二行"),
    ],
)
def test_log_stores_the_text_as_typed_and_shows_it_escaped(send, slack, ledger, services, command, stored):
    answer = run(send, slack, command)
    assert _stored_followups(services, ledger["华强"]) == [stored]
    assert "<!channel>" not in json.dumps(answer, ensure_ascii=False)
    quoted = "\n".join(f"> {m.escape(line)}" for line in stored.splitlines())  # as the reply shows a note
    assert quoted in "\n".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")


def _latest_change(services: Any, customer_id: int) -> GradeChange:
    with services.db.uow() as uow:
        return uow.session.query(GradeChange).filter_by(customer_id=customer_id).order_by(GradeChange.id.desc()).first()


def test_a_proposal_reason_and_a_rejection_reason_are_kept_as_typed(send, slack, ledger, services):
    reason = "连续三个月拖欠，对方称：“资金紧张”\n已发函  催款 A&B <!channel>"
    run(send, slack, f"调级 重庆恒通供应链管理有限公司 红 {m.escape(reason)}", OFFICER)
    change = _latest_change(services, ledger["恒通"])
    assert (change.to_grade, change.reason) == (Grade.RED, reason)
    [post] = [c for c in slack.calls("chat.postMessage") if c["channel"] == "C0APPROVALS"]
    assert "<!channel>" not in json.dumps(post, ensure_ascii=False)
    assert all(m.escape(line) in _text(post) for line in reason.splitlines())

    typed = "  客户已提供回款计划：“分三期”\n首期\u300012月1日\x00 <!here>\r\n"
    values = {ids.REJECT_REASON_BLOCK: {ids.REJECT_REASON: {"type": "plain_text_input", "value": typed}}}
    send(view_submission(ids.REJECT_MODAL, values, private_metadata=str(change.id), user_id=DIRECTOR))
    assert _latest_change(services, ledger["恒通"]).note == "客户已提供回款计划：“分三期”\n首期\u300012月1日 <!here>"
    [update] = slack.calls("chat.update")
    assert "<!here>" not in json.dumps(update, ensure_ascii=False)
    assert m.escape("首期\u300012月1日 <!here>") in _text(update)


def test_a_write_off_text_and_its_evidence_are_kept_as_typed(send, slack, ledger, services):
    receipt = "https://files.example.com/receipts/2026-11.pdf"
    command = f"核销 杭州博远贸易有限公司：客户已全额回款，见银行回单：“11月”\n附 <{receipt}|回单.pdf> &amp; 对账单"
    answer = run(send, slack, command, OFFICER)
    with services.db.uow() as uow:
        [request] = uow.session.query(WriteOff).filter_by(customer_id=ledger["博远"]).all()
    assert request.text == f"客户已全额回款，见银行回单：“11月”\n附 {receipt} & 对账单"
    assert request.evidence == receipt
    assert all(m.escape(line) in _text(answer) for line in request.text.splitlines())
