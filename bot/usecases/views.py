"""Ledger rows → the display-ready views of `messages.views` (the one place that translates)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from messages import views as v
from messages.kinds import Unit
from scoring.assessment import FloorHit
from scoring.cadence import CADENCE_DAYS, days_overdue, tracking_grade
from scoring.grades import Grade
from scoring.plans import plan_for
from scoring.profiles import Profile
from storage.models import Customer, Followup, GradeChange

UNITS = {"count": Unit.COUNT, "money": Unit.CNY, "pct": Unit.PERCENT, "days": Unit.DAYS, "rating": Unit.TEXT}


def ref(customer: Customer) -> v.CustomerRef:
    return v.CustomerRef(id=customer.id, name=customer.name, grade=customer.effective_grade)


def plan_view(grade: Grade, credit_terms_days: int | None) -> v.Plan:
    plan = plan_for(grade, credit_terms_days)
    return v.Plan(
        grade=grade,
        terms_before_days=plan.terms_before,
        terms_after_days=plan.terms_after,
        prepayment_pct=plan.prepayment_pct or None,
        task=plan.task,
    )


def indicator_rows(profile: Profile, breakdown: list[dict[str, Any]]) -> tuple[v.IndicatorRow, ...]:
    rows = []
    for line in breakdown:
        indicator = profile.by_key.get(line["key"])
        value = line.get("value")
        if isinstance(value, float) and value == float("inf"):
            value = "∞"
        rows.append(
            v.IndicatorRow(
                label=line.get("label") or line["key"],
                value=value,
                unit=UNITS.get(indicator.unit, Unit.TEXT) if indicator else Unit.TEXT,
                points_lost=float(line.get("points_lost") or 0.0),
                reason=indicator.rule.text if indicator else "",
            )
        )
    return tuple(rows)


def floor_views(profile: Profile | None, hits: Iterable[FloorHit]) -> tuple[v.Floor, ...]:
    """Floors as cards and approval requests word them: the condition ("逾期付款 > 3"), with the
    grade it forces shown beside it by the template; the stored reason if the profile moved on."""
    views = []
    for hit in hits:
        indicator = profile.by_key.get(hit.key) if profile else None
        condition = indicator.floor.condition if indicator and indicator.floor else hit.reason
        views.append(v.Floor(grade=hit.grade, reason=condition))
    return tuple(views)


def followup_entry(followup: Followup, tz: Any) -> v.FollowupEntry:
    return v.FollowupEntry(author=followup.author, on=followup.created_at.astimezone(tz).date(), text=followup.text)


def pending_view(change: GradeChange, tz: Any) -> v.PendingChange:
    return v.PendingChange(
        from_grade=change.from_grade,
        to_grade=change.to_grade,
        requested_by=change.requested_by,
        requested_at=change.requested_at.astimezone(tz),
    )


def cadence_of(customer: Customer, pending_to: Grade | None) -> int | None:
    grade = tracking_grade(customer.effective_grade, pending_to)
    return CADENCE_DAYS[grade] if grade else None


def customer_line(customer: Customer, today: date, pending_to: Grade | None = None) -> v.CustomerLine:
    return v.CustomerLine(
        id=customer.id,
        name=customer.name,
        grade=customer.effective_grade,
        score=float(customer.score) if customer.score is not None else None,
        next_due=customer.next_due,
        days_overdue=days_overdue(customer.next_due, today) if customer.next_due else 0,
        provisional=customer.provisional,
        pending_to=pending_to,
    )


def change_line(change: GradeChange, customer: Customer, tz: Any, applied: bool = False) -> v.ChangeLine:
    at: datetime = (change.decided_at if applied and change.decided_at else change.requested_at)
    by = (change.decided_by if applied and change.decided_by else change.requested_by)
    return v.ChangeLine(
        change_id=change.id,
        customer=ref(customer),
        from_grade=change.from_grade,
        to_grade=change.to_grade,
        by=by,
        at=at.astimezone(tz),
    )
