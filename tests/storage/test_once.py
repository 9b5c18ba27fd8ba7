"""Nudges, alerts and Slack events happen once, whichever session or retry gets there first."""

from __future__ import annotations

from datetime import date, timedelta

from storage.models import NudgeKind
from storage.uow import Database
from tests.storage.factories import T0, saved_customer

DUE = date(2025, 3, 3)


def test_a_nudge_is_claimed_by_one_session_only(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as first:
        assert first.nudges.claim(NudgeKind.NUDGE, "U_SALES", customer_id, DUE, T0)
        first.commit()
    with db.uow() as second:
        assert not second.nudges.claim(NudgeKind.NUDGE, "U_SALES", customer_id, DUE, T0)
        second.commit()


def test_claims_differ_by_kind_owner_and_due_date(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        assert uow.nudges.claim(NudgeKind.NUDGE, "U_SALES", customer_id, DUE, T0)
        assert uow.nudges.claim(NudgeKind.NUDGE, "U_RISK", customer_id, DUE, T0)
        assert uow.nudges.claim(NudgeKind.ESCALATION, "U_SALES", customer_id, DUE, T0)
        assert uow.nudges.claim(
            NudgeKind.NUDGE, "U_SALES", customer_id, DUE + timedelta(days=7), T0
        )
        uow.commit()


def test_an_abandoned_claim_is_retried_once_and_then_marked_sent(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.nudges.claim(NudgeKind.NUDGE, "U_SALES", customer_id, DUE, T0)
        uow.commit()
    later = T0 + timedelta(minutes=30)
    stale = later - timedelta(minutes=10)
    with db.uow() as uow:
        [unsent] = uow.nudges.unsent(claimed_before=stale)
        key = (unsent.kind, unsent.owner, unsent.customer_id, unsent.due_date)
        assert uow.nudges.reclaim(*key, now=later, claimed_before=stale)
        assert not uow.nudges.reclaim(*key, now=later, claimed_before=stale)
        uow.nudges.mark_sent(*key, at=later)
        uow.commit()
    with db.uow() as uow:
        assert uow.nudges.unsent(claimed_before=later + timedelta(days=1)) == []


def test_a_fresh_claim_is_not_offered_for_retry(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.nudges.claim(NudgeKind.NUDGE, "U_SALES", customer_id, DUE, T0)
        uow.commit()
    with db.uow() as uow:
        assert uow.nudges.unsent(claimed_before=T0 - timedelta(minutes=10)) == []


def test_an_alert_is_recorded_once_per_crossing(db: Database) -> None:
    customer_id = saved_customer(db)
    crossing = (customer_id, "dishonest_debtor_count", "dishonest_debtor_count:0->1")
    with db.uow() as uow:
        assert uow.alerts.record(*crossing, detected_at=T0)
        uow.commit()
    with db.uow() as uow:
        assert not uow.alerts.record(*crossing, detected_at=T0 + timedelta(hours=1))
        assert uow.alerts.record(
            customer_id, "dishonest_debtor_count", "dishonest_debtor_count:1->2", detected_at=T0
        )
        assert [a.change for a in uow.alerts.unsent()] == [
            "dishonest_debtor_count:0->1",
            "dishonest_debtor_count:1->2",
        ]
        uow.alerts.mark_sent(*crossing, at=T0)
        assert [a.change for a in uow.alerts.unsent()] == ["dishonest_debtor_count:1->2"]


def test_a_redelivered_slack_event_is_recognised(db: Database) -> None:
    with db.uow() as uow:
        assert uow.events.first_time("Ev0123ABCD", T0)
        uow.commit()
    with db.uow() as uow:
        assert not uow.events.first_time("Ev0123ABCD", T0 + timedelta(seconds=5))
        assert uow.events.first_time("Ev0456EFGH", T0)


def test_old_event_ids_can_be_forgotten(db: Database) -> None:
    with db.uow() as uow:
        uow.events.first_time("old", T0 - timedelta(days=2))
        uow.events.first_time("new", T0)
        assert uow.events.prune(received_before=T0 - timedelta(days=1)) == 1
        assert uow.events.first_time("old", T0)
        assert not uow.events.first_time("new", T0)
