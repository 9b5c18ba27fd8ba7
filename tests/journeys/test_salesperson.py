"""A salesperson's week (issue 15): look a customer up by short name, log a follow-up in a
channel, see it on the card as written, and get next Monday's nudge — once."""

from __future__ import annotations

from tests.journeys.conftest import APPROVALS
from tests.journeys.desk import (
    Desk, cadence_days, days, due_by, example, in_channel, iso, names_in, request_customer,
)

SHORT_NAME = "瑞丰塑胶"
# Full-width punctuation throughout, a second colon after the one that ends the customer.
NOTE = "客户承诺，11月30日前回款：先付50%；余款12月结清（对账单已确认）。"


def test_a_salesperson_looks_up_logs_a_follow_up_and_is_nudged_once_next_week(desk: Desk) -> None:
    customer = example(SHORT_NAME)
    name, sales = customer["客户全称"], customer["销售负责人"]
    desk.import_examples()
    first = desk.tick()  # publishes the first grades that wait for a director
    waiting = {request_customer(r) for r in in_channel(first, APPROVALS) if f"销售 <@{sales}>" in r.text}
    today = desk.today()

    card = desk.command(sales, SHORT_NAME)
    assert f"🟡 黄标 · {name}" in card.text and "82.6" in card.text
    terms = int(customer["约定账期"])
    assert f"账期 {terms} → {terms * 7 // 10} 天" in card.text and "还没有跟进记录" in card.text  # yellow: 30% shorter
    pace = cadence_days(card)

    [reply] = desk.say(sales, "C0SALES", f"跟进 {SHORT_NAME}：{NOTE}")
    assert reply.where == "C0SALES" and name in reply.text
    assert NOTE in reply.text
    next_due = today + days(pace)
    assert f"下次跟进：*{iso(next_due)}" in reply.text

    card = desk.command(sales, SHORT_NAME)
    assert f"{iso(today)} <@{sales}>：{NOTE}" in card.text
    assert f"下次跟进：*{iso(next_due)}" in card.text

    # Next Monday at nudge time: the scheduler ticks as it would that morning.
    monday = today + days(7 - today.weekday())
    desk.travel_to(monday, desk.config.nudge_time)
    ledger = desk.export("周一台账.xlsx")["客户"]
    due = due_by(ledger, sales, monday)
    assert name not in due and waiting and waiting <= due  # red or black waits, but is followed up

    sent = desk.tick()
    [nudge] = [s for s in sent if s.where == sales]
    everyone = set(ledger.column("客户全称"))
    assert names_in(nudge, sorted(everyone)) == {n: (1 if n in due else 0) for n in sorted(everyone)}
    assert all(b.label == "记录跟进" for b in nudge.buttons) and len(nudge.buttons) == len(due)

    again = desk.tick()
    assert again == [], f"a second run sent: {[s.text[:80] for s in again]}"
