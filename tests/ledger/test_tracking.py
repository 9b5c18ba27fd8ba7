"""When the next follow-up is due (SPEC §7): cadence of the tracking grade, tightening to the next workday."""

from __future__ import annotations

from datetime import date

from ledger.tracking import due_after_change, follow_up_due
from scoring.cadence import Workdays
from scoring.grades import Grade

FRIDAY = date(2025, 9, 26)
WORKDAYS = Workdays(holidays=frozenset({date(2025, 9, 29)}))  # Monday off


def test_the_cadence_counts_from_the_last_follow_up_else_from_when_the_grade_took_effect() -> None:
    assert follow_up_due(Grade.YELLOW, grade_since=date(2025, 9, 1), last_followup=None, today=FRIDAY) == date(2025, 10, 1)
    assert follow_up_due(Grade.YELLOW, grade_since=date(2025, 9, 1), last_followup=date(2025, 9, 20), today=FRIDAY) == date(2025, 10, 20)
    assert follow_up_due(None, grade_since=None, last_followup=None, today=FRIDAY) is None


def test_a_first_red_or_black_grade_waiting_for_approval_is_due_the_next_workday() -> None:
    for grade in (Grade.RED, Grade.BLACK):
        due = due_after_change(None, grade, grade_since=None, last_followup=None, standing_due=None, today=FRIDAY,
                               workdays=WORKDAYS)
        assert due == date(2025, 9, 30)  # not Saturday for black: weekend and the Monday holiday skipped


def test_a_first_blue_or_yellow_grade_starts_the_regular_cadence() -> None:
    due = due_after_change(None, Grade.YELLOW, grade_since=FRIDAY, last_followup=None, standing_due=None, today=FRIDAY,
                           workdays=WORKDAYS)
    assert due == date(2025, 10, 26)


def test_a_stricter_grade_brings_the_follow_up_to_the_next_workday_skipping_holidays() -> None:
    due = due_after_change(Grade.BLUE, Grade.RED, grade_since=date(2025, 9, 1), last_followup=date(2025, 9, 25),
                           standing_due=date(2025, 12, 24), today=FRIDAY, workdays=WORKDAYS)
    assert due == date(2025, 9, 30)  # weekend and the Monday holiday skipped


def test_a_stricter_grade_is_not_counted_back_from_the_last_follow_up() -> None:
    """Yellow followed up three weeks ago: red's seven days from then would be overdue already."""
    due = due_after_change(Grade.YELLOW, Grade.RED, grade_since=date(2025, 8, 1), last_followup=date(2025, 9, 5),
                           standing_due=date(2025, 10, 5), today=FRIDAY, workdays=WORKDAYS)
    assert due == date(2025, 9, 30)


def test_a_stricter_grade_keeps_an_earlier_due_date_standing() -> None:
    due = due_after_change(Grade.YELLOW, Grade.RED, grade_since=date(2025, 8, 1), last_followup=None,
                           standing_due=date(2025, 8, 31), today=FRIDAY, workdays=WORKDAYS)
    assert due == date(2025, 8, 31)  # overdue under yellow already: still overdue


def test_a_looser_grade_keeps_the_regular_cadence() -> None:
    due = due_after_change(Grade.RED, Grade.YELLOW, grade_since=FRIDAY, last_followup=None,
                           standing_due=date(2025, 9, 30), today=FRIDAY, workdays=WORKDAYS)
    assert due == date(2025, 10, 26)


def test_without_a_grade_nothing_is_due() -> None:
    assert due_after_change(Grade.RED, None, grade_since=None, last_followup=None, standing_due=date(2025, 9, 30),
                            today=FRIDAY, workdays=WORKDAYS) is None
