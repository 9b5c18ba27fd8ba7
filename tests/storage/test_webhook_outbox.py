"""The webhook outbox's queues: fanned out once per endpoint, one head per customer and
endpoint, one sender per delivery."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier

from ledger import plan_events
from scoring.grades import Grade
from storage.uow import Database
from tests.storage.factories import T0, saved_customer

LEASE = timedelta(minutes=2)
ERP, WMS = "https://erp.example.com/hook", "https://wms.example.com/hook"
BOTH = [(ERP, ["grade_change", "writeoff"]), (WMS, ["writeoff"])]


def announce(db: Database, customer_id: int, to: Grade = Grade.YELLOW) -> None:
    with db.uow() as uow:
        who = plan_events.party(uow.customers.get(customer_id))
        change = plan_events.InForce(1, "approved", Grade.BLUE, to, "U0DIRECTOR", T0)
        plan_events.grade_changes(uow.session, [(who, change)], T0)
        uow.commit()


def fan_out(db: Database) -> int:
    with db.uow() as uow:
        count = uow.webhooks.fan_out(BOTH, T0)
        uow.commit()
        return count


def heads(db: Database, at: datetime = T0) -> list[tuple[str, int]]:
    with db.uow() as uow:
        return [(d.endpoint, d.customer_id) for d in uow.webhooks.due([ERP, WMS], at, LEASE, 100)]


def test_each_event_is_fanned_out_once_to_the_endpoints_that_want_it(db: Database) -> None:
    a = saved_customer(db, 1)
    announce(db, a)
    assert fan_out(db) == 1
    assert fan_out(db) == 0
    with db.uow() as uow:  # a second sender racing over the same events adds nothing either
        uow.session.execute(plan_events._E.update().values(fanned_out_at=None))
        assert uow.webhooks.fan_out(BOTH, T0) == 1
        uow.commit()
    assert heads(db) == [(ERP, a)]  # WMS wants write-offs only


def test_only_the_oldest_open_delivery_of_a_customer_is_due_until_delivered_or_given_up(db: Database) -> None:
    a, b = saved_customer(db, 1), saved_customer(db, 2)
    announce(db, a)
    announce(db, a, Grade.BLUE)
    announce(db, b)
    fan_out(db)
    with db.uow() as uow:
        first, other = uow.webhooks.due([ERP], T0, LEASE, 100)
        uow.webhooks.failed(first.id, "HTTP 503", retry_at=T0 + timedelta(minutes=1), at=T0)
        uow.commit()
    assert heads(db) == [(ERP, b)]  # a's second event waits behind its first
    assert heads(db, T0 + timedelta(minutes=1)) == [(ERP, a), (ERP, b)]
    with db.uow() as uow:
        uow.webhooks.failed(first.id, "HTTP 503", retry_at=None, at=T0)  # given up
        uow.commit()
    with db.uow() as uow:
        [second, _] = uow.webhooks.due([ERP], T0, LEASE, 100)
        assert second.customer_id == a and second.id != first.id
        [letter] = uow.webhooks.unreported(10)
        assert (letter.id, letter.attempts, letter.last_error) == (first.id, 2, "HTTP 503")


def test_of_two_senders_claiming_a_delivery_at_once_exactly_one_gets_it(db: Database) -> None:
    customer = saved_customer(db, 1)
    announce(db, customer)
    fan_out(db)
    [head] = heads_full(db)
    start = Barrier(2)

    def claim() -> bool:
        start.wait()
        with db.uow() as uow:
            taken = uow.webhooks.claim(head, T0, LEASE)
            uow.commit()
            return taken

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(lambda _: claim(), range(2))) == [False, True]
    assert heads(db) == []  # claimed: nobody else sends it
    assert heads(db, T0 + LEASE + timedelta(seconds=1)) == [(ERP, customer)]  # the lease of a sender that died runs out


def heads_full(db: Database) -> list[int]:
    with db.uow() as uow:
        return [d.id for d in uow.webhooks.due([ERP], T0, LEASE, 100)]
