"""Building a small ledger for bot tests: customers with valid credit codes, scored for real."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from bot.services import Services
from ledger.rescore import rescore
from scoring.cadence import next_due
from scoring.credit_code import ALPHABET, check_character
from scoring.grades import Grade
from storage.models import Customer, CustomerAlias
from tests.ledger.helpers import CLEAN

_serial = itertools.count(1)

# Facts that give each grade with the general profile (SPEC §4 worked examples).
FACTS: dict[Grade, dict[str, Any]] = {
    Grade.BLUE: {},
    Grade.YELLOW: {"overdue_payment_count": 2, "tax_arrears_count": 1, "cumulative_amount": 500_000},
    Grade.RED: {"overdue_payment_count": 4},
    Grade.BLACK: {"overdue_payment_count": 5, "dishonest_debtor_count": 2, "credit_overdue_count": 1,
                  "tax_arrears_count": 1, "abnormal_operation_count": 3, "revenue_change_pct": -60,
                  "executive_change_count": 4, "admin_penalty_max_amount": 500_000},
}


def credit_code(n: int) -> str:
    """A valid code for serial n (GB 32100-2015 check character)."""
    body = "91440300" + "".join(ALPHABET[(n // 31**i) % 31] for i in range(9))
    return body + check_character(body)


def add_customer(
    services: Services,
    name: str,
    grade: Grade = Grade.BLUE,
    *,
    aliases: tuple[str, ...] = (),
    sales_owner: str | None = "U0SALES",
    risk_officer: str | None = "U0RISK",
    credit_terms_days: int | None = 60,
    outstanding: int | None = 120_000,
    values: dict[str, Any] | None = None,
) -> int:
    """A scored customer whose effective grade is `grade` (red/black as if already approved),
    due one cadence from now (an approval itself makes a stricter grade due the next workday)."""
    facts = {**CLEAN, **FACTS[grade], **(values or {})}
    with services.db.uow() as uow:
        customer = Customer(
            credit_code=credit_code(next(_serial)),
            name=name,
            industry="批发业",
            credit_terms_days=credit_terms_days,
            outstanding_amount=outstanding,
            sales_owner=sales_owner,
            risk_officer=risk_officer,
            values=facts,
            needs_rescore=True,
            aliases=[CustomerAlias(alias=a) for a in aliases],
        )
        uow.customers.add(customer)
        uow.commit()
        customer_id = customer.id
    rescore(services.db, services.profiles, services.workdays, services.now(), tz=services.config.tz)
    if grade.restricted:
        with services.db.uow() as uow:
            customer = uow.customers.get(customer_id)
            pending = uow.changes.pending_for(customer_id)
            assert pending is not None and customer is not None
            uow.changes.decide(pending.id, "approved", "U0DIRECTOR", services.now())
            pending.notified_at = services.now()  # as if the owners had been told back then
            customer.effective_grade = grade
            customer.grade_since = services.now()
            customer.next_due = next_due(grade, None, services.today())
            uow.commit()
    return customer_id


def set_values(services: Services, customer_id: int, grade: Grade, values: dict[str, Any] | None = None) -> None:
    """New indicator data that scores `grade` (as an update brings it), then rescoring."""
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        assert customer is not None
        customer.values = {**CLEAN, **FACTS[grade], **(values or {})}
        customer.needs_rescore = True
        uow.commit()
    rescore(services.db, services.profiles, services.workdays, services.now(), tz=services.config.tz)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
