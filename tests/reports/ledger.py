"""A small ledger whose every report figure is worked out by hand in the tests.

Team time zone Asia/Shanghai. Five customers (甲 … 戊) plus two without events (己, 庚):

| customer | sales / risk | grade history (decided at 02:00 UTC)       | outstanding | next due   |
|----------|--------------|---------------------------------------------|-------------|------------|
| 甲 C1    | S1 / R1      | 08-01 blue, 10-10 red                       | 60,000      | 11-28      |
| 乙 C2    | S1 / R1      | 08-01 blue, 11-25 yellow                    | 100,000     | 12-05      |
| 丙 C3    | S2 / R1      | 09-01 black                                 | 20,000      | (none)     |
| 丁 C4    | S2 / —       | never graded                                | 7,000       | 11-30      |
| 戊 C5    | — / R1       | 03-01 blue                                  | (none)      | 12-10      |

Events (2026): 甲 recovery 40,000 on 11-15 (red), loss 10,000 on 11-20 (red); 乙 overdue of 95
days on 11-15 (blue); 丙 overdue of 40 days on 11-02, loss 5,000 on 11-10 (black); 丁 loss 1,000
on 11-03 (ungraded); 戊 loss 2,000 on 10-15 (blue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from scoring.grades import Grade
from storage.models import (
    Alert, Assessment, ChangeKind, ChangeStatus, Customer, EventKind, Followup, GradeChange, IndicatorValue, RiskEvent,
    Task, TaskKind, TaskStatus,
)
from storage.uow import Database

S1, S2, R1 = "U0SALES1", "U0SALES2", "U0RISK1"


def at(month: int, day: int, hour: int = 2, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Ids:
    c1: int
    c2: int
    c3: int
    c4: int
    c5: int
    c6: int
    c7: int


def _customer(n: int, name: str, **fields: Any) -> Customer:
    """A customer of the ledger since 2025 (its history below starts in 2026)."""
    return Customer(credit_code=f"91350100M{n:09d}", name=name, created_at=at(6, 1, year=2025), **fields)


def _change(customer_id: int, to: Grade, when: datetime, status: str = ChangeStatus.AUTO_APPLIED) -> GradeChange:
    return GradeChange(customer_id=customer_id, to_grade=to, reason="test", kind=ChangeKind.COMPUTED, status=status,
                       requested_by="system", requested_at=when, decided_by="system", decided_at=when)


def _assessment(customer_id: int, when: datetime, score: float, grade: Grade, profile: str = "general",
                lines: list[list[Any]] | None = None) -> Assessment:
    return Assessment(customer_id=customer_id, score=score, grade=grade, coverage=1.0, provisional=False,
                      breakdown={"lines": lines or []}, floors={"hits": []}, profile_name=profile,
                      profile_version="v1", assessed_at=when)


def _event(customer_id: int, kind: EventKind, on: date, grade: Grade | None, amount: int | None = None,
           days: int | None = None) -> RiskEvent:
    return RiskEvent(customer_id=customer_id, kind=kind, occurred_on=on, amount=amount, days=days, grade=grade,
                     source="test", recorded_by="U0RISK1", recorded_at=at(12, 1, 0))


def _values(customer_id: int, values: dict[str, int]) -> list[IndicatorValue]:
    return [IndicatorValue(customer_id=customer_id, key=k, value_num=Decimal(v), source="test", observed_at=at(9, 1))
            for k, v in values.items()]


def build(db: Database) -> Ids:
    with db.uow() as uow:
        s = uow.session
        rows = [
            _customer(1, "甲公司", sales_owner=S1, risk_officer=R1, effective_grade=Grade.RED, grade_since=at(10, 10),
                      outstanding_amount=60_000, next_due=date(2026, 11, 28)),
            _customer(2, "乙公司", sales_owner=S1, risk_officer=R1, effective_grade=Grade.YELLOW,
                      grade_since=at(11, 25), outstanding_amount=100_000, next_due=date(2026, 12, 5)),
            _customer(3, "丙公司", sales_owner=S2, risk_officer=R1, effective_grade=Grade.BLACK, grade_since=at(9, 1),
                      outstanding_amount=20_000),
            _customer(4, "丁公司", sales_owner=S2, outstanding_amount=7_000, next_due=date(2026, 11, 30)),
            _customer(5, "戊公司", risk_officer=R1, effective_grade=Grade.BLUE, grade_since=at(3, 1),
                      next_due=date(2026, 12, 10)),
            _customer(6, "己公司"),
            _customer(7, "庚公司"),
        ]
        s.add_all(rows)
        s.flush()
        ids = Ids(*(c.id for c in rows))
        s.add_all([
            _change(ids.c1, Grade.BLUE, at(8, 1)), _change(ids.c1, Grade.RED, at(10, 10), ChangeStatus.APPROVED),
            _change(ids.c2, Grade.BLUE, at(8, 1)), _change(ids.c2, Grade.YELLOW, at(11, 25)),
            _change(ids.c3, Grade.BLACK, at(9, 1), ChangeStatus.APPROVED),
            _change(ids.c5, Grade.BLUE, at(3, 1)),
            # neither applied nor in force: a request still pending and one rejected
            _change(ids.c5, Grade.RED, at(11, 2), ChangeStatus.PENDING),
            _change(ids.c2, Grade.BLACK, at(10, 2), ChangeStatus.REJECTED),
        ])
        s.add_all([
            _event(ids.c1, EventKind.RECOVERY, date(2026, 11, 15), Grade.RED, 40_000),
            _event(ids.c1, EventKind.LOSS, date(2026, 11, 20), Grade.RED, 10_000),
            _event(ids.c2, EventKind.OVERDUE, date(2026, 11, 15), Grade.BLUE, 30_000, days=95),
            _event(ids.c3, EventKind.OVERDUE, date(2026, 11, 2), Grade.BLACK, 8_000, days=40),
            _event(ids.c3, EventKind.LOSS, date(2026, 11, 10), Grade.BLACK, 5_000),
            _event(ids.c4, EventKind.LOSS, date(2026, 11, 3), None, 1_000),
            _event(ids.c5, EventKind.LOSS, date(2026, 10, 15), Grade.BLUE, 2_000),
        ])
        s.add_all([
            Task(customer_id=ids.c1, kind=TaskKind.COLLECTION, created_at=at(10, 10)),  # open over 30 days
            Task(customer_id=ids.c3, kind=TaskKind.LEGAL_COLLECTION, created_at=at(9, 1), status=TaskStatus.CLOSED,
                 closed_at=at(11, 12), closed_by=R1),
            Task(customer_id=ids.c1, kind=TaskKind.COLLECTION, created_at=at(11, 20)),
            Task(customer_id=ids.c3, kind=TaskKind.COLLECTION, created_at=at(9, 2), status=TaskStatus.CLOSED,
                 closed_at=at(10, 5), closed_by=R1),
        ])
        s.add_all([
            Alert(customer_id=ids.c1, indicator="tax_arrears_count", change="a", detected_at=at(11, 3)),
            Alert(customer_id=ids.c2, indicator="tax_arrears_count", change="b", detected_at=at(11, 10, 0)),
            Alert(customer_id=ids.c3, indicator="tax_arrears_count", change="c", detected_at=at(11, 20, 0)),
            Alert(customer_id=ids.c1, indicator="tax_arrears_count", change="d", detected_at=at(10, 5)),
            Followup(customer_id=ids.c1, author=S1, text="催款", created_at=at(11, 2)),
            Followup(customer_id=ids.c1, author=S1, text="催款", created_at=at(11, 3, 8)),
            Followup(customer_id=ids.c1, author=S1, text="催款", created_at=at(11, 4)),
            Followup(customer_id=ids.c2, author=S1, text="对账", created_at=at(11, 11, 12)),
        ])
        general = "general"
        s.add_all([
            _assessment(ids.c1, at(8, 1), 90, Grade.BLUE, lines=[
                ["overdue_payment_count", 0, 0.0, 0.0], ["dishonest_debtor_count", 0, 0.0, 0.0],
                ["tax_arrears_count", 1, 1.0, 5.0], ["credit_overdue_count"]]),
            _assessment(ids.c1, at(10, 10), 40, Grade.RED),
            _assessment(ids.c2, at(8, 1), 88, Grade.BLUE),
            _assessment(ids.c2, at(11, 25), 70, Grade.YELLOW),
            _assessment(ids.c3, at(9, 1), 20, Grade.BLACK),
            _assessment(ids.c5, at(3, 1), 95, Grade.BLUE, lines=[
                ["overdue_payment_count", 1, 0.3333, 5.0], ["dishonest_debtor_count", 0, 0.0, 0.0],
                ["tax_arrears_count", 0, 0.0, 0.0]]),
            _assessment(ids.c6, at(8, 1), 75, Grade.YELLOW, general),
            _assessment(ids.c7, at(8, 1), 86, Grade.BLUE, "ecommerce"),
        ])
        clean = {"overdue_payment_count": 0, "dishonest_debtor_count": 0, "tax_arrears_count": 0,
                 "credit_overdue_count": 0, "abnormal_operation_count": 0}
        s.add_all([
            *_values(ids.c1, {**clean, "overdue_payment_count": 1, "court_case_count": 1}),
            *_values(ids.c2, {**clean, "court_case_count": 1}),
            *_values(ids.c3, {**clean, "dishonest_debtor_count": 1, "overdue_payment_count": 4}),
            *_values(ids.c5, {**clean, "court_case_count": 0}),
        ])
        uow.commit()
    return ids


CANDIDATE = """\
name: candidate
label: 候选模板
extends: general
indicators:
  court_case_count:
    label: 涉诉案件数
    weight: 30
    rule: {kind: any}
    floor: {grade: red, at_least: 1}
"""
