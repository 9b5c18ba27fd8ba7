"""When a customer's next follow-up is due (跟踪台账, SPEC §7).

`next_due = (last follow-up date, else the date the grade took effect) + cadence` of the
tracking grade — a pending stricter grade already sets the pace — and a change to a stricter
grade (a new customer's first red or black one too) brings the next follow-up forward to the
next workday. Dates are local dates.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from scoring.cadence import Workdays, due_after_tightening, next_due, tightens
from scoring.grades import Grade


def local_date(instant: datetime | None, tz: tzinfo) -> date | None:
    return None if instant is None else instant.astimezone(tz).date()


def follow_up_due(
    tracking: Grade | None, *, grade_since: date | None, last_followup: date | None, today: date
) -> date | None:
    """Regular due date; for a grade not in force yet (a pending first grade) the clock starts today."""
    if tracking is None:
        return None
    return next_due(tracking, last_followup, grade_since or today)


def due_after_change(
    before: Grade | None,
    after: Grade | None,
    *,
    grade_since: date | None,
    last_followup: date | None,
    standing_due: date | None,
    today: date,
    workdays: Workdays,
) -> date | None:
    """Due date once the tracking grade moved from `before` to `after` (applied or pending).

    A stricter grade — a first red or black one included — is due the next workday, or on
    `standing_due` (the due date before the change) if that is earlier; any other change
    restarts the regular cadence.
    """
    if tightens(before, after):
        return due_after_tightening(today, workdays, standing_due)
    return follow_up_due(after, grade_since=grade_since, last_followup=last_followup, today=today)
