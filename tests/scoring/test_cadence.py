"""Follow-up cadence and the workday calendar it runs on (SPEC §7)."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.cadence import (
    CADENCE_DAYS,
    CADENCE_ZH,
    Workdays,
    days_overdue,
    due_after_tightening,
    escalation_due,
    next_due,
    tightens,
    tracking_grade,
)
from scoring.grades import Grade

# National Day 2026: Thu 1 Oct – Wed 7 Oct off; Sat 10 Oct is a make-up workday (调休).
GOLDEN_WEEK = frozenset(date(2026, 10, d) for d in range(1, 8))
CALENDAR = Workdays(holidays=GOLDEN_WEEK, makeup_workdays=frozenset({date(2026, 10, 10)}))


def test_each_grade_has_its_cadence_in_days() -> None:
    assert CADENCE_DAYS == {Grade.BLUE: 90, Grade.YELLOW: 30, Grade.RED: 7, Grade.BLACK: 1}
    assert [CADENCE_ZH[g] for g in Grade] == ["季度", "月度", "周度", "每日"]


@pytest.mark.parametrize(
    ("effective", "pending", "tracking"),
    [
        (Grade.BLUE, None, Grade.BLUE),
        (Grade.YELLOW, Grade.RED, Grade.RED),  # tracking does not wait for the paperwork
        (Grade.RED, Grade.BLACK, Grade.BLACK),
        (Grade.RED, Grade.YELLOW, Grade.RED),  # a milder pending grade does not relax tracking
        (Grade.BLACK, Grade.BLUE, Grade.BLACK),
        (None, Grade.RED, Grade.RED),  # a new customer awaiting a first red grade
        (None, None, None),
    ],
)
def test_tracking_follows_a_pending_stricter_grade(effective: Grade | None, pending: Grade | None, tracking: Grade | None) -> None:
    assert tracking_grade(effective, pending) == tracking


def test_next_follow_up_is_the_last_follow_up_plus_the_cadence() -> None:
    assert next_due(Grade.YELLOW, date(2026, 3, 2), date(2026, 1, 5)) == date(2026, 4, 1)
    assert next_due(Grade.BLUE, date(2026, 3, 2), date(2026, 1, 5)) == date(2026, 5, 31)
    assert next_due(Grade.RED, date(2026, 3, 2), date(2026, 1, 5)) == date(2026, 3, 9)
    assert next_due(Grade.BLACK, date(2026, 3, 2), date(2026, 1, 5)) == date(2026, 3, 3)


def test_without_a_follow_up_the_count_starts_when_the_grade_took_effect() -> None:
    assert next_due(Grade.YELLOW, None, date(2026, 1, 5)) == date(2026, 2, 4)


def test_a_grade_that_took_effect_after_the_last_follow_up_restarts_the_count() -> None:
    # approval "resets the follow-up cadence" (SPEC §8)
    assert next_due(Grade.RED, date(2026, 1, 5), date(2026, 3, 2)) == date(2026, 3, 9)


def test_weekends_are_not_workdays_but_weekdays_are() -> None:
    workdays = Workdays()
    assert workdays.is_workday(date(2026, 9, 30))  # Wednesday
    assert not workdays.is_workday(date(2026, 10, 3))  # Saturday
    assert not workdays.is_workday(date(2026, 10, 4))  # Sunday


def test_something_due_on_a_holiday_goes_out_on_the_next_workday() -> None:
    assert CALENDAR.on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CALENDAR.on_or_after(date(2026, 9, 30)) == date(2026, 9, 30)


def test_something_due_on_a_weekend_goes_out_on_monday() -> None:
    assert Workdays().on_or_after(date(2026, 9, 26)) == date(2026, 9, 28)


def test_a_make_up_saturday_is_a_workday() -> None:
    assert CALENDAR.is_workday(date(2026, 10, 10))
    assert CALENDAR.after(date(2026, 10, 9)) == date(2026, 10, 10)
    assert Workdays().after(date(2026, 10, 9)) == date(2026, 10, 12)


def test_configured_holidays_and_make_up_days_override_the_statutory_calendar() -> None:
    everything_off = Workdays(
        holidays=frozenset({date(2026, 3, 3)}),
        makeup_workdays=frozenset({date(2026, 3, 7)}),
        statutory=lambda day: False if day == date(2026, 3, 4) else None,
    )
    assert not everything_off.is_workday(date(2026, 3, 3))  # configured holiday
    assert not everything_off.is_workday(date(2026, 3, 4))  # statutory holiday on a Wednesday
    assert everything_off.is_workday(date(2026, 3, 5))  # statutory silent: a Thursday works
    assert everything_off.is_workday(date(2026, 3, 7))  # configured make-up Saturday


def test_a_calendar_with_no_workdays_says_what_to_check() -> None:
    with pytest.raises(ValueError, match="check the workdays and holidays"):
        Workdays(weekdays=frozenset()).on_or_after(date(2026, 1, 1))


def test_a_change_to_a_stricter_grade_makes_the_next_follow_up_due_the_next_workday() -> None:
    assert due_after_tightening(date(2026, 9, 30), CALENDAR, date(2026, 12, 1)) == date(2026, 10, 8)
    assert due_after_tightening(date(2026, 10, 9), CALENDAR, None) == date(2026, 10, 10)


def test_tightening_never_pushes_an_earlier_due_date_later() -> None:
    assert due_after_tightening(date(2026, 9, 30), CALENDAR, date(2026, 9, 29)) == date(2026, 9, 29)


@pytest.mark.parametrize(
    ("before", "after", "stricter"),
    [
        (None, Grade.RED, True),  # a new customer's first red or black grade needs acting on now
        (None, Grade.BLACK, True),
        (None, Grade.YELLOW, False),  # a first blue or yellow grade starts the regular cadence
        (None, Grade.BLUE, False),
        (Grade.BLUE, Grade.YELLOW, True),
        (Grade.YELLOW, Grade.RED, True),
        (Grade.RED, Grade.RED, False),
        (Grade.BLACK, Grade.RED, False),
        (Grade.RED, None, False),
    ],
)
def test_which_changes_tighten_tracking(before: Grade | None, after: Grade | None, stricter: bool) -> None:
    assert tightens(before, after) is stricter


def test_overdue_days_count_from_the_due_date_and_escalate_after_a_full_cadence() -> None:
    due = date(2026, 3, 2)
    assert days_overdue(due, date(2026, 3, 1)) == 0
    assert days_overdue(due, date(2026, 3, 9)) == 7
    assert not escalation_due(Grade.RED, due, date(2026, 3, 8))
    assert escalation_due(Grade.RED, due, date(2026, 3, 9))
    assert not escalation_due(Grade.YELLOW, due, date(2026, 3, 9))
