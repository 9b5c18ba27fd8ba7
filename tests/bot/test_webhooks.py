"""THE PLAN PUSH: grade changes in force and approved write-offs reach the systems that ship
goods through signed webhooks, delivered from the outbox at least once, in order per customer,
whatever the receiver does meanwhile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from threading import Barrier
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot import webhooks
from bot.services import Services, build_services
from bot.slack_client import make_web_client
from bot.usecases import decisions, writeoffs
from bot.webhook_config import Endpoint, Webhooks
from ledger import plan_events
from scoring.grades import Grade
from storage.models import GradeChange, WebhookDelivery, WebhookEvent
from tests.bot.conftest import DIRECTOR, OFFICER, Clock
from tests.bot.ledger import add_customer, set_values
from tests.bot.webhook_receiver import SECRET, Receiver
from tests.messages.slackcheck import validate_blocks
from tests.slackkit.fake_api import FakeSlackApi


@pytest.fixture
def receiver(clock: Clock) -> Iterator[Receiver]:
    with Receiver(clock) as r:
        yield r


def hooked(services: Services, *urls: str, max_attempts: int = 10) -> Services:
    config = replace(services.config, webhooks=Webhooks(tuple(Endpoint(u, SECRET) for u in urls), max_attempts))
    return build_services(config, services.db, services.clock)


@pytest.fixture
def pushing(services: Services, receiver: Receiver) -> Services:
    return hooked(services, receiver.url)


@pytest.fixture
def client(slack: FakeSlackApi) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


def drain(services: Services, client: WebClient | None, clock: Clock, passes: int = 30) -> None:
    """Scheduler ticks an hour apart (past the longest back-off) until nothing is left to send."""
    for _ in range(passes):
        webhooks.deliver(services, client)
        with services.db.uow() as uow:
            open_ = uow.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
                WebhookDelivery.delivered_at.is_(None), WebhookDelivery.dead_at.is_(None)))
        if not open_:
            return
        clock.advance(hours=1)
    raise AssertionError("deliveries still open after every pass")


def approve_pending(services: Services, customer_id: int) -> None:
    with services.db.uow() as uow:
        change = uow.changes.pending_for(customer_id)
        assert change is not None
    assert decisions.approve(services, change.id, DIRECTOR).decided


def recorded_events(services: Services) -> list[dict[str, Any]]:
    with services.db.uow() as uow:
        return [json.loads(b) for b in uow.session.scalars(select(WebhookEvent.body).order_by(WebhookEvent.id))]


def test_an_approved_red_grade_reaches_the_shipping_system_with_its_plan(
    pushing: Services, receiver: Receiver, clock: Clock,
) -> None:
    customer = add_customer(pushing, "杭州博远贸易有限公司", Grade.YELLOW, credit_terms_days=60)
    [first] = recorded_events(pushing)  # its first grade, yellow
    set_values(pushing, customer, Grade.RED)
    assert receiver.events == [] and recorded_events(pushing) == [first]  # a request alone is not in force
    approve_pending(pushing, customer)

    webhooks.deliver(pushing, None)

    [yellow, event] = receiver.events
    assert yellow == first
    with pushing.db.uow() as uow:
        code = uow.customers.get(customer).credit_code
        change_id = uow.session.scalar(select(GradeChange.id).where(GradeChange.customer_id == customer,
                                                                    GradeChange.status == "approved",
                                                                    GradeChange.to_grade == Grade.RED))
    assert event == {
        "id": event["id"], "type": "grade_change",
        "customer": {"id": customer, "name": "杭州博远贸易有限公司", "credit_code": code},
        "from_grade": "yellow", "to_grade": "red",
        "plan": {"action": "stop_credit", "credit_terms_days": 0, "agreed_terms_days": 60, "prepayment_pct": 0,
                 "tasks": ["collection"]},
        "decided_by": DIRECTOR, "decided_at": clock.now.isoformat(), "change_id": change_id,
    }


def test_a_grade_applied_by_rescoring_is_pushed_with_the_compressed_terms(pushing: Services, receiver: Receiver) -> None:
    customer = add_customer(pushing, "宁波海拓物流有限公司", Grade.BLUE, credit_terms_days=60)
    set_values(pushing, customer, Grade.YELLOW)  # blue → yellow applies at once, in the batch

    webhooks.deliver(pushing, None)

    [applied] = receiver.events
    assert (applied["type"], applied["from_grade"], applied["to_grade"], applied["decided_by"]) == (
        "grade_change", "blue", "yellow", "system")
    assert applied["plan"] == {"action": "compress_terms", "credit_terms_days": 42, "agreed_terms_days": 60,
                               "prepayment_pct": 30, "tasks": []}


def test_an_approved_write_off_is_pushed_with_the_tasks_it_closed(pushing: Services, receiver: Receiver) -> None:
    customer = add_customer(pushing, "杭州博远贸易有限公司", Grade.YELLOW)
    set_values(pushing, customer, Grade.RED)
    approve_pending(pushing, customer)  # opens the collection task
    requested = writeoffs.request(pushing, customer, "U0SALES", "回款已到账 https://files.example.com/r.pdf")
    assert writeoffs.approve(pushing, requested.writeoff_id, OFFICER).decided

    webhooks.deliver(pushing, None)

    _, red, written_off = receiver.events  # its first grade (yellow), red approved, written off
    assert red["to_grade"] == "red"
    assert {k: written_off[k] for k in ("type", "writeoff_id", "tasks_closed", "to_grade", "decided_by")} == {
        "type": "writeoff", "writeoff_id": requested.writeoff_id, "tasks_closed": 1, "to_grade": "red",
        "decided_by": OFFICER}
    assert written_off["plan"]["tasks"] == []


def test_a_new_customers_first_yellow_is_pushed_with_its_terms_a_first_blue_is_not(
    pushing: Services, receiver: Receiver
) -> None:
    add_customer(pushing, "新蓝标客户有限公司", Grade.BLUE)  # the agreed terms stand: nothing to tell
    add_customer(pushing, "新黄标客户有限公司", Grade.YELLOW, credit_terms_days=60)
    webhooks.deliver(pushing, None)
    [yellow] = receiver.events
    assert (yellow["customer"]["name"], yellow["from_grade"], yellow["to_grade"]) == ("新黄标客户有限公司", None, "yellow")
    assert (yellow["plan"]["agreed_terms_days"], yellow["plan"]["credit_terms_days"]) == (60, 42)
    assert yellow["plan"]["prepayment_pct"] >= 30


def test_a_receiver_down_for_a_while_gets_every_event_once_and_in_order_per_customer(
    pushing: Services, receiver: Receiver, clock: Clock,
) -> None:
    customers = [add_customer(pushing, f"客户{n}号有限公司", Grade.BLUE) for n in range(3)]
    receiver.stop()
    for grade in (Grade.YELLOW, Grade.BLUE, Grade.YELLOW):  # three changes each, while it is down
        for customer in customers:
            set_values(pushing, customer, grade)
        for _ in range(3):
            webhooks.deliver(pushing, None)  # connection refused: retried later
            clock.advance(minutes=5)
    customer = customers[0]
    set_values(pushing, customer, Grade.RED)
    approve_pending(pushing, customer)
    written = recorded_events(pushing)
    assert len(written) == 10 and receiver.arrived == []

    receiver.start()  # back on the same port
    receiver.lose_answers = 2  # processed, but the answers never reach us: sent again
    drain(pushing, None, clock)

    assert sorted(e["id"] for e in receiver.events) == sorted(e["id"] for e in written)  # each exactly once
    assert len(receiver.arrived) == 12  # two of them twice: the receiver dedupes by event id
    for customer in customers:  # a repeat comes straight after itself, never after a later event
        sent = [e["id"] for e in written if e["customer"]["id"] == customer]
        arrived = [e["id"] for e in receiver.arrived if e["customer"]["id"] == customer]
        assert [e for n, e in enumerate(arrived) if n == 0 or arrived[n - 1] != e] == sent
        assert [e["id"] for e in receiver.events if e["customer"]["id"] == customer] == sent
    assert receiver.bad_signatures == 0


def test_backoff_doubles_from_a_minute_up_to_an_hour() -> None:
    assert [webhooks.backoff(n) for n in (1, 2, 3, 6, 7, 12)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 32, 60, 60)]


def test_a_failure_waits_for_its_backoff_and_holds_back_the_customers_later_events(
    pushing: Services, receiver: Receiver, clock: Clock,
) -> None:
    customer = add_customer(pushing, "华强电子有限公司", Grade.BLUE)
    other = add_customer(pushing, "深南贸易有限公司", Grade.BLUE)
    receiver.fail_customers = {customer}
    set_values(pushing, customer, Grade.YELLOW)
    set_values(pushing, customer, Grade.BLUE)
    set_values(pushing, other, Grade.YELLOW)

    webhooks.deliver(pushing, None)  # the customer's first event fails; the endpoint is left alone this pass
    webhooks.deliver(pushing, None)  # not due yet (a minute): only the other customer's event goes
    assert [e["customer"]["id"] for e in receiver.events] == [other]

    receiver.fail_customers = set()
    clock.advance(seconds=59)
    webhooks.deliver(pushing, None)
    assert len(receiver.events) == 1
    clock.advance(seconds=1)
    webhooks.deliver(pushing, None)
    assert [(e["customer"]["id"], e["to_grade"]) for e in receiver.events] == [
        (other, "yellow"), (customer, "yellow"), (customer, "blue")]


def test_after_the_last_try_the_delivery_is_given_up_reported_once_and_later_events_go_on(
    services: Services, receiver: Receiver, clock: Clock, client: WebClient, slack: FakeSlackApi,
) -> None:
    pushing = hooked(services, receiver.url, max_attempts=3)
    customer = add_customer(pushing, "<!channel> 恶意名称有限公司", Grade.BLUE)
    receiver.fail_customers = {customer}
    set_values(pushing, customer, Grade.YELLOW)
    for _ in range(3):
        webhooks.deliver(pushing, client)
        clock.advance(minutes=10)
    [post] = [c for c in slack.calls("chat.postMessage") if c["channel"] == "C0ALERTS"]
    validate_blocks(post["blocks"], 50)
    shown = post["text"] + json.dumps(post["blocks"], ensure_ascii=False)
    assert receiver.url in shown and "已尝试 3 次" in shown and "HTTP 500" in shown
    assert "&lt;!channel&gt; 恶意名称有限公司" in shown and "<!channel>" not in shown

    receiver.fail_customers = set()
    set_values(pushing, customer, Grade.BLUE)
    webhooks.deliver(pushing, client)
    assert [e["to_grade"] for e in receiver.events] == ["blue"]  # the given-up one is not retried
    assert len([c for c in slack.calls("chat.postMessage") if c["channel"] == "C0ALERTS"]) == 1


def test_the_event_is_written_with_the_change_or_not_at_all(
    pushing: Services, monkeypatch: pytest.MonkeyPatch,
) -> None:
    customer = add_customer(pushing, "华强电子有限公司", Grade.BLUE)

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(plan_events, "insert_many", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        set_values(pushing, customer, Grade.YELLOW)
    with pushing.db.uow() as uow:
        assert uow.customers.get(customer).effective_grade is Grade.BLUE
        assert uow.session.scalar(select(func.count()).select_from(GradeChange)
                                  .where(GradeChange.customer_id == customer, GradeChange.from_grade.is_not(None))) == 0


def test_an_endpoint_added_later_gets_the_events_recorded_from_then_on(
    services: Services, receiver: Receiver,
) -> None:
    customer = add_customer(services, "华强电子有限公司", Grade.BLUE)
    set_values(services, customer, Grade.YELLOW)
    webhooks.deliver(services, None)  # no endpoint yet: the event is seen and kept, sent nowhere
    pushing = hooked(services, receiver.url)
    set_values(pushing, customer, Grade.BLUE)
    webhooks.deliver(pushing, None)
    assert [e["to_grade"] for e in receiver.events] == ["blue"]


def test_the_scheduler_pushes_every_minute(services: Services, client: WebClient) -> None:
    from bot.scheduler import WEBHOOKS, build_scheduler

    scheduler = build_scheduler(services, client)
    scheduler.start(paused=True)
    try:
        assert {j.id: j for j in scheduler.get_jobs()}[WEBHOOKS].trigger.interval == timedelta(minutes=1)
    finally:
        scheduler.shutdown(wait=False)



def test_a_redirect_is_not_a_delivery(pushing: Services, receiver: Receiver, clock: Clock) -> None:
    customer = add_customer(pushing, "华强电子有限公司", Grade.BLUE)
    set_values(pushing, customer, Grade.YELLOW)
    receiver.answer = 302  # urllib would follow it with a GET and no body
    report = webhooks.deliver(pushing, None)
    assert (report.delivered, report.failed) == (0, 1)
    with pushing.db.uow() as uow:
        [delivery] = uow.session.scalars(select(WebhookDelivery))
        assert (delivery.attempts, delivery.last_error) == (1, "HTTP 302 Found")
        assert delivery.next_attempt_at == clock.now + timedelta(minutes=1)


def test_two_senders_at_once_never_send_an_event_twice(pushing: Services, receiver: Receiver) -> None:
    customers = [add_customer(pushing, f"客户{n}号有限公司", Grade.BLUE) for n in range(4)]
    for customer in customers:
        set_values(pushing, customer, Grade.YELLOW)
        set_values(pushing, customer, Grade.BLUE)
    start = Barrier(2)

    def sender() -> int:
        start.wait()
        return webhooks.deliver(pushing, None).delivered

    with ThreadPoolExecutor(2) as pool:  # a leader and the replica taking over, side by side
        delivered = sum(pool.map(lambda _: sender(), range(2)))
    assert delivered == len(receiver.arrived) == len(receiver.events) == 8


def test_a_grade_proposed_by_hand_among_blue_and_yellow_is_pushed_as_it_applies(
    pushing: Services, receiver: Receiver,
) -> None:
    customer = add_customer(pushing, "华强电子有限公司", Grade.BLUE)
    decisions.propose(pushing, customer, OFFICER, Grade.YELLOW, "客户主动申请延期")
    webhooks.deliver(pushing, None)
    [event] = receiver.events
    assert (event["from_grade"], event["to_grade"], event["decided_by"]) == ("blue", "yellow", OFFICER)


def test_without_an_endpoint_nothing_is_written_to_the_outbox(services: Services) -> None:
    assert not services.config.announces
    customer = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW)
    before = recorded_events(services)  # (the helper rescores through the ledger directly)
    set_values(services, customer, Grade.RED)
    approve_pending(services, customer)  # the director's approval, through the bot
    writeoffs.approve(services, writeoffs.request(services, customer, "U0SALES", "回款已到账 https://e.example/r.pdf")
                      .writeoff_id, OFFICER)
    assert recorded_events(services) == before
