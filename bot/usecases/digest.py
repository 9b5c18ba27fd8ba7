"""The weekly digest's figures (SPEC §12): grade mix now and a week ago, the week's grade
changes, pending approvals, overdue follow-ups per owner and the largest outstanding
receivables on red and black customers.

Last week's mix is today's with the week's applied changes undone: for each customer changed
in the last 7 days, its grade before the first of those changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from bot.services import Services
from bot.usecases import views as conv
from messages import views as v
from scoring.grades import Grade
from storage.models import APPLIED, Customer, GradeChange

WEEK = timedelta(days=7)
LARGEST_RECEIVABLES = 10

_C = Customer.__table__


def digest_view(services: Services, now: datetime) -> v.Digest:
    tz = services.config.tz
    today = now.astimezone(tz).date()
    with services.db.uow() as uow:
        counts = uow.customers.count_by_grade()
        mix = {grade: counts.get(grade, 0) for grade in Grade}
        applied = list(uow.session.scalars(
            select(GradeChange)
            .where(GradeChange.status.in_(APPLIED), GradeChange.decided_at > now - WEEK, GradeChange.decided_at <= now)
            .order_by(GradeChange.decided_at, GradeChange.id)
        ))
        pending = uow.changes.all_pending()
        customers = {c.id: c for c in uow.customers.get_many({ch.customer_id for ch in (*applied, *pending)})}
        previous = _mix_a_week_ago(mix, applied, customers)
        changes = tuple(
            conv.change_line(ch, customers[ch.customer_id], tz, applied=True)
            for ch in reversed(applied) if ch.customer_id in customers
        )
        waiting = tuple(conv.change_line(ch, customers[ch.customer_id], tz) for ch in pending if ch.customer_id in customers)
        return v.Digest(
            week_start=today - timedelta(days=6),
            week_end=today,
            grade_mix=mix,
            previous_mix=previous,
            changes=changes,
            pending=waiting,
            overdue_by_owner=_overdue_by_owner(uow.session, today),
            largest_receivables=_largest_receivables(uow.session),
        )


def _mix_a_week_ago(
    mix: dict[Grade, int], applied: list[GradeChange], customers: dict[int, Customer]
) -> dict[Grade, int]:
    first: dict[int, GradeChange] = {}
    for change in applied:  # oldest first
        first.setdefault(change.customer_id, change)
    previous = dict(mix)
    for customer_id, change in first.items():
        customer = customers.get(customer_id)
        if customer is not None and customer.effective_grade is not None:
            previous[customer.effective_grade] -= 1
        if change.from_grade is not None:
            previous[change.from_grade] += 1
    return previous


def _overdue_by_owner(session: Session, today: date) -> tuple[v.OwnerOverdue, ...]:
    """Customers overdue per owner (sales owner or risk officer; one who is both counts once)."""
    late = _C.c.next_due < today
    owners = union_all(
        select(_C.c.sales_owner.label("owner"), _C.c.id).where(late, _C.c.sales_owner.isnot(None)),
        select(_C.c.risk_officer.label("owner"), _C.c.id).where(late, _C.c.risk_officer.isnot(None)),
    ).subquery()
    count = func.count(owners.c.id.distinct())
    rows = session.execute(
        select(owners.c.owner, count).group_by(owners.c.owner).order_by(count.desc(), owners.c.owner)
    )
    return tuple(v.OwnerOverdue(owner=owner, count=n) for owner, n in rows)


def _largest_receivables(session: Session) -> tuple[v.Receivable, ...]:
    rows = session.execute(
        select(_C.c.id, _C.c.name, _C.c.effective_grade, _C.c.outstanding_amount)
        .where(_C.c.effective_grade.in_([Grade.RED, Grade.BLACK]), _C.c.outstanding_amount > 0)
        .order_by(_C.c.outstanding_amount.desc(), _C.c.id)
        .limit(LARGEST_RECEIVABLES)
    )
    return tuple(
        v.Receivable(customer=v.CustomerRef(id=r.id, name=r.name, grade=r.effective_grade), amount=r.outstanding_amount)
        for r in rows
    )
