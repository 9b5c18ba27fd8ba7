"""The risk director's decisions (issue 15): approve one imported red grade — once, whoever
else clicks — with the owners and finance told of the new terms, and reject another with a
reason."""

from __future__ import annotations

from decimal import Decimal

from tests.journeys.conftest import APPROVALS, DIRECTOR, FINANCE
from tests.journeys.desk import Desk, Seen, example, in_channel, request_customer

APPROVED, REJECTED = "润泽纺织", "橙果百货"  # both scored red in the example ledger
REASON = "客户已补充担保，先观察一个月：月底复核"


def _request(requests: list[Seen], name: str) -> Seen:
    [found] = [r for r in requests if request_customer(r) == name]
    return found


def test_a_director_approves_once_and_rejects_another_with_a_reason(desk: Desk) -> None:
    approved, rejected = example(APPROVED), example(REJECTED)
    name, sales, officer = approved["客户全称"], approved["销售负责人"], desk.dm_user(approved["风控专员"])
    terms, outstanding = int(approved["约定账期"]), Decimal(approved["待回款金额"])
    desk.import_examples()
    requests = in_channel(desk.tick(), APPROVALS)
    request = _request(requests, name)
    assert "⚪ 未评级 → 🔴 红标" in request.text and f"<@{DIRECTOR}>" in request.text
    assert f"账期 {terms} → 0 天" in request.text  # what approval will do to the terms

    # The salesperson clicks first: told privately, nothing changes.
    [refusal] = desk.click(sales, request, "批准")
    assert (refusal.method, refusal.to, refusal.where) == ("chat.postEphemeral", sales, APPROVALS)
    assert "只有风控总监可以审批" in refusal.text
    assert "等级变更待审批" in desk.command(sales, APPROVED).text

    shown = desk.click(DIRECTOR, request, "批准")
    [update] = [s for s in shown if s.method == "chat.update"]
    assert (update.where, update.ts) == (APPROVALS, request.ts)
    assert f"✅ 已批准 · <@{DIRECTOR}> · {desk.services.local_now():%Y-%m-%d %H:%M}" in update.text
    assert update.buttons == ()
    told = {s.where: s for s in shown if s.method == "chat.postMessage"}
    assert set(told) == {sales, officer, FINANCE}
    for owner in (sales, officer):
        assert name in told[owner].text and "⚪ 未评级 → 🔴 红标" in told[owner].text
        assert f"由 <@{DIRECTOR}>" in told[owner].text and "每周（7 天）" in told[owner].text
    finance = told[FINANCE].text
    assert "信用条件变更" in finance and name in finance
    assert f"账期 {terms} → 0 天" in finance and f"¥{outstanding:,.0f}" in finance

    # A second click, the old buttons still on the director's screen: only a private word.
    [late] = desk.click(DIRECTOR, request, "批准")
    assert (late.method, late.to) == ("chat.postEphemeral", DIRECTOR)
    assert f"已由 <@{DIRECTOR}>" in late.text and "批准" in late.text
    card = desk.command(sales, APPROVED).text
    assert f"🔴 红标 · {name}" in card and "等级变更待审批" not in card and f"账期 {terms} → 0 天" in card

    other = _request(requests, rejected["客户全称"])
    [modal] = desk.click(DIRECTOR, other, "驳回")
    assert modal.method == "views.open" and "驳回理由" in modal.text
    body, shown = desk.submit(DIRECTOR, modal, REASON)
    assert body == ""  # the modal closes
    [update] = [s for s in shown if s.method == "chat.update"]
    assert (update.where, update.ts) == (APPROVALS, other.ts) and update.buttons == ()
    assert f"❌ 已驳回 · <@{DIRECTOR}>" in update.text and f"驳回理由：*{REASON}" in update.text
    assert in_channel(shown, FINANCE) == []  # no new terms to tell
    assert "等级变更待审批" not in desk.command(rejected["销售负责人"], REJECTED).text
