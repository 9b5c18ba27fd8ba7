"""Nudges, alerts and Slack events happen once, whichever session or retry gets there first."""

from __future__ import annotations

from datetime import date, timedelta

from storage.models import NudgeKind
from storage.repos.nudge_batches import ClaimKey
from storage.uow import Database
from tests.storage.factories import T0, saved_customer

DUE = date(2025, 3, 3)


def test_a_nudge_is_claimed_by_one_session_only(db: Database) -> None:
    customer_id = saved_customer(db)
    key = ClaimKey(NudgeKind.NUDGE, "U_SALES", customer_id, DUE)
    with db.uow() as first:
        assert [c.key for c in first.nudges.claim_many([key], T0)] == [key]
        first.commit()
    with db.uow() as second:
        assert second.nudges.claim_many([key], T0) == []
        second.commit()


def test_claims_differ_by_kind_owner_and_due_date(db: Database) -> None:
    customer_id = saved_customer(db)
    keys = [
        ClaimKey(NudgeKind.NUDGE, "U_SALES", customer_id, DUE),
        ClaimKey(NudgeKind.NUDGE, "U_RISK", customer_id, DUE),
        ClaimKey(NudgeKind.ESCALATION, "U_SALES", customer_id, DUE),
        ClaimKey(NudgeKind.NUDGE, "U_SALES", customer_id, DUE + timedelta(days=7)),
    ]
    with db.uow() as uow:
        assert len(uow.nudges.claim_many(keys, T0)) == 4
        uow.commit()


def test_an_alert_is_recorded_once_per_crossing_in_one_update(db: Database) -> None:
    customer_id = saved_customer(db)
    crossing = (customer_id, "dishonest_debtor_count", "dishonest_debtor_count:0->1")
    with db.uow() as uow:
        assert uow.alerts.record(*crossing, detected_at=T0)
        uow.commit()
    with db.uow() as uow:
        assert not uow.alerts.record(*crossing, detected_at=T0)  # the same update, recorded again
        assert uow.alerts.record(
            customer_id, "dishonest_debtor_count", "dishonest_debtor_count:1->2", detected_at=T0
        )
        # A later update crossing the same line (after a correction to 0) is a new change.
        assert uow.alerts.record(*crossing, detected_at=T0 + timedelta(days=30))
        assert [a.change for a in uow.alerts.unsent()] == [
            "dishonest_debtor_count:0->1",
            "dishonest_debtor_count:1->2",
            "dishonest_debtor_count:0->1",
        ]


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
