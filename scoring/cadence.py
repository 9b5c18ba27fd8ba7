"""Follow-up cadence (跟踪频率, SPEC §7) and the workday calendar it is counted on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from scoring.grades import Grade

CADENCE_DAYS: dict[Grade, int] = {Grade.BLUE: 90, Grade.YELLOW: 30, Grade.RED: 7, Grade.BLACK: 1}
CADENCE_ZH: dict[Grade, str] = {Grade.BLUE: "季度", Grade.YELLOW: "月度", Grade.RED: "周度", Grade.BLACK: "每日"}


@dataclass(frozen=True)
class Workdays:
    """Which dates are workdays: weekdays (0 = Monday) minus holidays plus make-up workdays (调休).

    `statutory` optionally answers "is this a workday?" for a date from a maintained national
    calendar (e.g. chinese-calendar); configured holidays and make-up days still apply on top.
    """

    weekdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    statutory: Callable[[date], bool | None] | None = field(default=None, compare=False)

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.makeup_workdays:
            return True
        if self.statutory is not None:
            verdict = self.statutory(day)
            if verdict is not None:
                return verdict
        return day.weekday() in self.weekdays

    def on_or_after(self, day: date) -> date:
        """The first workday on or after `day` (what is due on a holiday goes out next workday)."""
        for _ in range(400):
            if self.is_workday(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no workday within 400 days: check the workdays and holidays configured")

    def after(self, day: date) -> date:
        return self.on_or_after(day + timedelta(days=1))


def tracking_grade(effective: Grade | None, pending_to: Grade | None) -> Grade | None:
    """Tracking does not wait for the paperwork: a pending stricter grade already sets the pace."""
    if effective is None:
        return pending_to
    if pending_to is None:
        return effective
    return effective.worse_of(pending_to)


def next_due(grade: Grade, last_followup: date | None, grade_since: date) -> date:
    """(last follow-up, else the day the grade took effect) + the grade's cadence."""
    start = max(last_followup, grade_since) if last_followup else grade_since
    return start + timedelta(days=CADENCE_DAYS[grade])


def tightens(before: Grade | None, after: Grade | None) -> bool:
    """Whether tracking moved to a stricter grade. A first grade does when it is red or black
    (a pending request that needs acting on now); a first blue or yellow grade only starts the
    regular cadence, or an import would make all its customers due tomorrow."""
    if after is None:
        return False
    if before is None:
        return after.restricted
    return after.severity > before.severity


def due_after_tightening(changed_on: date, workdays: Workdays, standing_due: date | None) -> date:
    """A change to a stricter grade makes the next follow-up due on the next workday; a due
    date already standing earlier (the last cadence's, perhaps overdue) is kept, not
    postponed. The stricter cadence is not counted back from the last follow-up: that would
    make the customer overdue, even escalated, before anyone could act on the change."""
    nxt = workdays.after(changed_on)
    return nxt if standing_due is None else min(standing_due, nxt)


def days_overdue(due: date, today: date) -> int:
    return max(0, (today - due).days)


def escalation_due(grade: Grade, due: date, today: date) -> bool:
    """Overdue by one full cadence or more: escalate (once per cycle) to the risk channel."""
    return (today - due).days >= CADENCE_DAYS[grade]

