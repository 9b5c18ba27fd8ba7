"""Grade-change approvals, write-offs and the messages around them."""

from __future__ import annotations

import pytest

from messages import (
    Renderer,
    approval_decided,
    approval_request,
    approval_superseded,
    approval_withdrawn,
    finance_notice,
    grade_applied_dm,
    ids,
    refusal,
    writeoff_decided,
    writeoff_request,
)
from messages.kinds import RefusalReason
from scoring.grades import Grade
from tests.messages import samples
from tests.messages.slackcheck import all_text


def _buttons(message: object) -> list[dict]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]  # type: ignore[attr-defined]


def _text(message: object) -> str:
    return "\n".join(all_text(message))  # type: ignore[arg-type]


def test_request_has_approve_and_reject_carrying_the_change_id(zh: Renderer) -> None:
    buttons = _buttons(approval_request(zh, samples.change(Grade.RED)))
    assert [(b["action_id"], b["value"]) for b in buttons] == [(ids.APPROVE, "42"), (ids.REJECT, "42")]


def test_approving_a_change_to_black_asks_for_confirmation(renderer: Renderer) -> None:
    approve = _buttons(approval_request(renderer, samples.change(Grade.BLACK)))[0]
    assert approve["confirm"]["style"] == "danger"
    assert approve["confirm"]["title"]["text"]


def test_approving_a_change_to_red_needs_no_confirmation(zh: Renderer) -> None:
    approve = _buttons(approval_request(zh, samples.change(Grade.RED)))[0]
    assert "confirm" not in approve


def test_request_names_directors_colours_score_reasons_plan_and_owners(zh: Renderer) -> None:
    text = _text(approval_request(zh, samples.change()))
    assert f"请 <@{samples.DIRECTOR}> boss&amp;&lt;!here&gt;@corp.example 审批" in text
    assert "🔴 红标 → ⚫ 黑标 · 评分 21.5" in text
    assert "失信被执行人记录：1 次，扣 15 分" in text and "→ 至少🟡 黄标" in text
    assert "终止全部合作，启动法律催收" in text and "生成法律催收任务" in text
    assert f"申请人 <@{samples.SALES}>" in text


def test_decision_replaces_the_buttons_with_who_approved_and_when(zh: Renderer) -> None:
    message = approval_decided(zh, samples.change(), samples.APPROVED)
    assert _buttons(message) == []
    assert f"✅ 已批准 · <@{samples.DIRECTOR}> · 2024-05-06 09:30" in _text(message)


def test_rejection_shows_the_reason_escaped(en: Renderer) -> None:
    text = _text(approval_decided(en, samples.change(), samples.REJECTED))
    assert "❌ Rejected" in text and "*Reason:* &lt;!channel&gt;" in text


@pytest.mark.parametrize(
    ("build", "words"), [(approval_superseded, "取代"), (approval_withdrawn, "撤回")]
)
def test_superseded_and_withdrawn_requests_lose_their_buttons(zh: Renderer, build, words: str) -> None:
    message = build(zh, samples.change())
    assert _buttons(message) == [] and words in _text(message)


def test_owner_dm_tells_the_new_grade_plan_and_next_follow_up(zh: Renderer) -> None:
    text = _text(grade_applied_dm(zh, samples.applied()))
    assert "→ 🔴 红标" in text and f"由 <@{samples.DIRECTOR}>" in text
    assert "每周（7 天）" in text and "2024-05-06" in text


def test_a_change_applied_at_once_says_no_approval_was_needed(zh: Renderer) -> None:
    assert "已自动生效" in _text(grade_applied_dm(zh, samples.applied(None)))


def test_finance_post_gives_the_new_terms(en: Renderer) -> None:
    text = _text(finance_notice(en, samples.applied()))
    assert "terms 42 → 0 days" in text and "¥8,765,432.10" in text


@pytest.mark.parametrize(
    ("reason", "zh_words", "en_words"),
    [
        (RefusalReason.NOT_DIRECTOR, "只有风控总监", "Only risk directors"),
        (RefusalReason.OWN_PROPOSAL, "自己提出", "your own proposal"),
        (RefusalReason.ALREADY_DECIDED, "已由 <@WDIRECT9>", "Already rejected by <@WDIRECT9>"),
        (RefusalReason.SUPERSEDED, "取代", "superseded"),
        (RefusalReason.WITHDRAWN, "撤回", "withdrawn"),
        (RefusalReason.NOT_WRITEOFF_APPROVER, "核销", "write-offs"),
    ],
)
def test_refusals_say_why_nothing_changed(
    zh: Renderer, en: Renderer, reason: RefusalReason, zh_words: str, en_words: str
) -> None:
    assert zh_words in refusal(zh, reason, decision=samples.REJECTED).text
    assert en_words in refusal(en, reason, decision=samples.REJECTED).text


def test_an_already_decided_refusal_needs_the_decision(zh: Renderer) -> None:
    with pytest.raises(ValueError, match="decision"):
        refusal(zh, RefusalReason.ALREADY_DECIDED)


def test_writeoff_request_links_the_evidence_and_carries_the_writeoff_id(zh: Renderer) -> None:
    message = writeoff_request(zh, samples.writeoff())
    assert [(b["action_id"], b["value"]) for b in _buttons(message)] == [
        (ids.WRITEOFF_APPROVE, "9"),
        (ids.WRITEOFF_REJECT, "9"),
    ]
    assert "<https://files.example.com/evidence?id=1&amp;x=2|查看证据>" in _text(message)


def test_writeoff_decision_replaces_buttons_and_says_tasks_closed(zh: Renderer) -> None:
    message = writeoff_decided(zh, samples.writeoff(), samples.APPROVED)
    assert _buttons(message) == []
    assert "已关闭 2 个催收任务" in _text(message)
