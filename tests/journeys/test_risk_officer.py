"""A risk officer's day (issue 15): propose red for a customer, see the request wait for the
director and the card show it, and follow the customer up at the red pace before any decision
— as for the example customers whose first grade is red or black."""

from __future__ import annotations

from tests.journeys.conftest import APPROVALS, DIRECTOR
from tests.journeys.desk import (
    Desk, cadence_days, days, due_by, example, in_channel, iso, names_in, next_workday, request_customer,
)

SHORT_NAME = "海岳汽配"  # blue in the example ledger
REASON = "客户拖欠三个月货款，已发律师函：待对方回复"


def test_a_risk_officer_proposes_red_and_the_customer_is_followed_weekly_before_any_decision(desk: Desk) -> None:
    customer = example(SHORT_NAME)
    name, sales, officer = customer["客户全称"], customer["销售负责人"], customer["风控专员"]
    desk.import_examples()
    first = desk.tick()
    imported_waiting = {request_customer(r) for r in in_channel(first, APPROVALS) if f"风控 <@{officer}>" in r.text}
    today = desk.today()
    before = desk.command(officer, SHORT_NAME)
    assert f"🔵 蓝标 · {name}" in before.text and "等级变更待审批" not in before.text

    card = desk.command(officer, f"调级 {SHORT_NAME} 红 {REASON}")
    tomorrow = next_workday(today)
    assert f"🔵 蓝标 · {name}" in card.text  # the grade in force stays until a director decides
    assert f"等级变更待审批：*🔵 蓝标 → 🔴 红标，由 <@{officer}>" in card.text
    assert cadence_days(card) == 7 and f"下次跟进：*{iso(tomorrow)}" in card.text

    [request] = in_channel(desk.last, APPROVALS)
    assert request_customer(request) == name
    assert "🔵 蓝标 → 🔴 红标" in request.text and REASON in request.text
    assert f"<@{DIRECTOR}>" in request.text and f"销售 <@{sales}> · 风控 <@{officer}>" in request.text
    assert [b.label for b in request.buttons] == ["批准", "驳回"]
    assert desk.command(sales, SHORT_NAME).text.count("等级变更待审批") == 1  # the salesperson sees it too

    # The next workday, with no decision yet: the morning nudge asks for a follow-up — of the
    # proposed customer and of every example customer whose first grade still waits.
    desk.travel_to(tomorrow, desk.config.nudge_time)
    ledger = desk.export("明天台账.xlsx")["客户"]
    due = due_by(ledger, officer, tomorrow)
    assert name in due and imported_waiting and imported_waiting <= due
    sent = desk.tick()
    [nudge] = [s for s in sent if s.where == officer]
    everyone = sorted(set(ledger.column("客户全称")))
    assert names_in(nudge, everyone) == {n: (1 if n in due else 0) for n in everyone}
    [sales_nudge] = [s for s in sent if s.where == sales]
    assert sales_nudge.count(name) == 1

    stored = desk.command(officer, f"跟进 {SHORT_NAME}：已上门核实，客户同意分期：首期下周付")
    assert "已上门核实，客户同意分期：首期下周付" in stored.text
    assert f"下次跟进：*{iso(tomorrow + days(7))}" in stored.text and "每周（7 天）" in stored.text
    card = desk.command(officer, SHORT_NAME)
    assert "等级变更待审批" in card.text and f"🔵 蓝标 · {name}" in card.text
