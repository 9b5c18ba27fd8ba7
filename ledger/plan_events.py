"""What the systems that ship goods are told (THE PLAN PUSH): a grade change in force, with the
plan it brings (credit terms, prepayment, tasks), and an approved write-off.

Each event is written in the same transaction as the change it announces (a transactional
outbox): nothing is announced for a change rolled back, nothing applied goes unannounced.
Its JSON body is frozen here, with a UUID receivers dedupe by; bot.webhooks fans it out to
the endpoints configured and delivers it.

Announced: every change the owners are told of (`owners_are_told`: every later change, any
first grade a director approved) and a new customer's first grade applied at once unless it is
blue — a first yellow shortens the agreed terms and asks for prepayment, which the systems
that ship goods must apply; a first blue leaves the agreed terms as they are (an import of
thousands announces only the few that change something).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.bulk import insert_many
from ledger.grade_report import owners_are_told
from ledger.stored import json_text
from scoring.grades import Grade, value_of
from scoring.plans import Plan, plan_for
from storage.models import Customer, WebhookEvent
from storage.repos._sql import id_pages

GRADE_CHANGE = "grade_change"
WRITEOFF = "writeoff"

_C = Customer.__table__
_E = WebhookEvent.__table__
_COLUMNS = ("event_id", "kind", "customer_id", "body")


class Party(NamedTuple):
    """The customer as the receiving system knows it."""

    id: int
    name: str
    credit_code: str
    credit_terms_days: int | None


class InForce(NamedTuple):
    """A grade change that just took effect."""

    change_id: int
    status: str  # auto_applied | approved
    from_grade: Grade | None
    to_grade: Grade
    decided_by: str
    decided_at: datetime


def party(customer: Customer) -> Party:
    return Party(customer.id, customer.name, customer.credit_code, customer.credit_terms_days)


def announced(change: InForce) -> bool:
    """Whether the systems that ship goods are told of this change (see the module's docstring)."""
    return owners_are_told(change.status, change.from_grade) or change.to_grade is not Grade.BLUE


def grade_changes(session: Session, changes: Iterable[tuple[Party, InForce]], now: datetime) -> int:
    """Write the events of these changes (one bulk insert); returns how many were announced."""
    rows = [_grade_change_row(who, change) for who, change in changes if announced(change)]
    return _write(session, rows, now)


def applied_in_batch(session: Session, changes: Sequence[tuple[int, InForce]], now: datetime) -> int:
    """`grade_changes` for rescoring, which holds customer ids only: the names, codes and
    terms of the customers announced are read in one query."""
    told = [(cid, change) for cid, change in changes if announced(change)]
    if not told:
        return 0
    parties: dict[int, Party] = {}
    for page in id_pages(cid for cid, _ in told):
        rows = session.execute(select(_C.c.id, _C.c.name, _C.c.credit_code, _C.c.credit_terms_days)
                               .where(_C.c.id.in_(page)))
        parties.update((r.id, Party(*r)) for r in rows)
    return _write(session, [_grade_change_row(parties[cid], change) for cid, change in told], now)


def writeoff(session: Session, who: Party, grade: Grade | None, writeoff_id: int, tasks_closed: int,
             decided_by: str, decided_at: datetime) -> None:
    """The event of an approved write-off: the customer's risk is resolved, its tasks closed."""
    event_id = str(uuid.uuid4())
    plan = None if grade is None else plan_for(grade, who.credit_terms_days)
    body = _body(event_id, WRITEOFF, who, grade, plan, decided_by, decided_at, tasks=[],
                 writeoff_id=writeoff_id, tasks_closed=tasks_closed)
    _write(session, [(event_id, WRITEOFF, who.id, body)], decided_at)


def _grade_change_row(who: Party, change: InForce) -> tuple[str, str, int, str]:
    event_id = str(uuid.uuid4())
    plan = plan_for(change.to_grade, who.credit_terms_days)
    body = _body(event_id, GRADE_CHANGE, who, change.from_grade, plan, change.decided_by, change.decided_at,
                 tasks=[plan.task.value] if plan.task else [], change_id=change.change_id)
    return event_id, GRADE_CHANGE, who.id, body


def _body(event_id: str, kind: str, who: Party, from_grade: Grade | None, plan: Plan | None,
          decided_by: str, decided_at: datetime, *, tasks: list[str], **extra: Any) -> str:
    return json_text({
        "id": event_id,
        "type": kind,
        "customer": {"id": who.id, "name": who.name, "credit_code": who.credit_code},
        "from_grade": value_of(from_grade),
        "to_grade": None if plan is None else plan.grade.value,
        "plan": None if plan is None else {
            "action": plan.action,
            "credit_terms_days": plan.terms_after,
            "agreed_terms_days": plan.terms_before,
            "prepayment_pct": plan.prepayment_pct,
            "tasks": tasks,
        },
        "decided_by": decided_by,
        "decided_at": decided_at.isoformat(),
        **extra,
    })


def _write(session: Session, rows: list[tuple[str, str, int, str]], now: datetime) -> int:
    insert_many(session, _E, _COLUMNS, rows, {"created_at": now})
    return len(rows)

