"""The models keep money exact, instants in UTC, grades as Grade and JSON documents intact."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from scoring.grades import Grade
from storage.models import GRADES, Customer, CustomerAlias
from storage.uow import Database
from tests.storage.factories import T0, customer, saved_customer

SHANGHAI = timezone(timedelta(hours=8))


def test_storage_grade_keys_match_the_domain_grades() -> None:
    assert GRADES == tuple(g.value for g in Grade)


def test_customer_round_trips_money_dates_grades_and_json(db: Database) -> None:
    with db.uow() as uow:
        row = uow.customers.add(
            customer(
                industry="电子元器件制造",
                since=date(2019, 5, 1),
                outstanding_amount=Decimal("12345678901234.56"),
                avg_payment_days=Decimal("47.5"),
                credit_terms_days=60,
                values={"dishonest_debtor_count": 1, "rating": "AA-", "ratio": Decimal("12.5")},
                parts={"net_assets": Decimal("1000000")},
                effective_grade=Grade.YELLOW,
                grade_since=datetime(2025, 3, 3, 9, 30, tzinfo=SHANGHAI),
                score=Decimal("72.5"),
                coverage=0.875,
                provisional=True,
            )
        )
        uow.commit()
        customer_id = row.id

    with db.uow() as uow:
        uow.session.expire_all()
        stored = uow.customers.get(customer_id)
        assert stored is not None
        assert stored.outstanding_amount == Decimal("12345678901234.56")
        assert isinstance(stored.outstanding_amount, Decimal)
        assert stored.avg_payment_days == Decimal("47.5")
        assert stored.score == Decimal("72.5")
        assert stored.since == date(2019, 5, 1)
        assert stored.effective_grade is Grade.YELLOW
        assert stored.grade_since == datetime(2025, 3, 3, 1, 30, tzinfo=UTC)
        assert stored.grade_since.tzinfo == UTC
        assert stored.values == {"dishonest_debtor_count": 1, "rating": "AA-", "ratio": 12.5}
        assert stored.parts == {"net_assets": 1000000}
        assert stored.provisional is True
        assert stored.needs_rescore is False
        assert stored.created_at.tzinfo == UTC


def test_naive_datetime_is_refused_with_a_message_naming_the_problem(db: Database) -> None:
    with db.uow() as uow:
        uow.session.add(customer(grade_since=datetime(2025, 3, 3, 9, 30)))
        with pytest.raises(StatementError, match="naive datetime 2025-03-03T09:30:00"):
            uow.session.flush()


def test_in_place_change_of_the_values_document_is_saved(db: Database) -> None:
    customer_id = saved_customer(db, values={"overdue_count": 0})
    with db.uow() as uow:
        stored = uow.customers.get(customer_id)
        assert stored is not None
        stored.values["overdue_count"] = 2
        uow.commit()
    with db.uow() as uow:
        stored = uow.customers.get(customer_id)
        assert stored is not None
        assert stored.values == {"overdue_count": 2}


def test_unknown_grade_is_refused_before_reaching_the_database(db: Database) -> None:
    with db.uow() as uow:
        uow.session.add(customer(effective_grade="purple"))
        with pytest.raises(StatementError, match="'purple' is not a valid Grade"):
            uow.session.flush()


def test_unknown_grade_written_by_raw_sql_is_refused_by_the_database(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow, pytest.raises(IntegrityError, match="ck_customers_effective_grade|CHECK"):
        uow.session.execute(
            text("UPDATE customers SET effective_grade = 'purple' WHERE id = :id"),
            {"id": customer_id},
        )


def test_deleting_a_customer_removes_its_aliases(db: Database) -> None:
    with db.uow() as uow:
        row = customer(aliases=[CustomerAlias(alias="厦门测试"), CustomerAlias(alias="XMCS")])
        uow.customers.add(row)
        uow.commit()
        customer_id = row.id
    with db.uow() as uow:
        uow.session.execute(delete(Customer).where(Customer.id == customer_id))
        uow.commit()
    with db.uow() as uow:
        assert list(uow.session.scalars(select(CustomerAlias))) == []


def test_timestamps_given_in_another_zone_compare_correctly_in_queries(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.audit.append(T0, "U1", "customer.viewed", customer_id)
        uow.commit()
    one_minute_before_in_shanghai = (T0 - timedelta(minutes=1)).astimezone(SHANGHAI)
    one_minute_after_in_shanghai = (T0 + timedelta(minutes=1)).astimezone(SHANGHAI)
    with db.uow() as uow:
        assert len(uow.audit.query(since=one_minute_before_in_shanghai)) == 1
        assert uow.audit.query(since=one_minute_after_in_shanghai) == []
