"""The risk events repository: a customer's events newest first, import keys, the grade on a day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from scoring.grades import Grade
from storage.models import ChangeStatus, RiskEvent
from storage.uow import Database
from tests.storage.factories import T0, change, saved_customer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def event(customer_id: int, on: date, **fields: object) -> RiskEvent:
    values: dict[str, object] = dict(customer_id=customer_id, kind="loss", occurred_on=on, amount=Decimal("100.00"),
                                     source="slack:U1", recorded_by="U1", recorded_at=T0)
    values.update(fields)
    return RiskEvent(**values)


def test_a_customers_events_come_latest_first_and_keys_say_what_was_imported(db: Database) -> None:
    one, other = saved_customer(db, 1), saved_customer(db, 2)
    with db.uow() as uow:
        for on in (date(2025, 1, 5), date(2025, 3, 1), date(2025, 2, 1)):
            uow.risk_events.add(event(one, on, source_key=f"k{on.month}"))
        uow.risk_events.add(event(other, date(2025, 3, 2)))
        uow.commit()
    with db.uow() as uow:
        assert [e.occurred_on.month for e in uow.risk_events.for_customer(one)] == [3, 2, 1]
        assert [e.occurred_on.month for e in uow.risk_events.for_customer(one, 2)] == [3, 2]
        assert uow.risk_events.known_keys(["k1", "k3", "k9"]) == {"k1", "k3"}
        facts = uow.risk_events.facts_of([one, other])
        assert len(facts) == 4 and (other, "loss", date(2025, 3, 2), Decimal("100.00"), None, None) in facts


def test_one_import_key_is_stored_once(db: Database) -> None:
    one = saved_customer(db)
    with db.uow() as uow:
        uow.risk_events.add(event(one, date(2025, 1, 5), source_key="same"))
        with pytest.raises(IntegrityError):
            uow.risk_events.add(event(one, date(2025, 1, 6), source_key="same"))


def test_the_grade_on_a_day_follows_the_changes_that_applied_in_the_team_time_zone(db: Database) -> None:
    one = saved_customer(db)
    late_evening = T0.replace(hour=17)  # 01:00 the next day in Shanghai
    with db.uow() as uow:
        for to_grade, status, at in (
            (Grade.BLUE, ChangeStatus.AUTO_APPLIED, T0),
            (Grade.RED, ChangeStatus.REJECTED, T0 + timedelta(days=1)),
            (Grade.YELLOW, ChangeStatus.APPROVED, late_evening + timedelta(days=2)),
        ):
            uow.session.add(change(one, to_grade=to_grade, status=status, decided_at=at, requested_at=at))
        uow.commit()
    with db.uow() as uow:
        on = {d: uow.risk_events.grade_on(one, date(2025, 3, d), SHANGHAI) for d in (2, 3, 4, 5, 6)}
    assert on == {2: None, 3: Grade.BLUE, 4: Grade.BLUE, 5: Grade.BLUE, 6: Grade.YELLOW}
