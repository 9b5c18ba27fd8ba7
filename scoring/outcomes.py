"""How grades compare with what happened (the monthly 看板, KPIs and the quarterly review):
report periods, and the few statistics the reports print. Pure: no clock, no storage.

Scores run from 100 (safe) down to 0, so a grade ranks outcomes well when the customers that
went on to have a loss scored *lower*: `auc` is the chance that a customer with a loss scored
below one without (ties count half), 0.5 is a coin toss and 1.0 a perfect ranking; `ks` is the
largest gap between the two groups' cumulative score distributions.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from scoring.grades import Grade

SERIOUS_OVERDUE_DAYS = 90  # an overdue payment this late counts as a risk that was realised
LOOKBACK_DAYS = 30  # a grade "already there" is the grade this many days before the event
TASK_DUE_DAYS = 30  # a plan task still open this long after it was created is overdue
HIGH_RISK = (Grade.RED, Grade.BLACK)

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


class PeriodError(ValueError):
    """Text that names no month or quarter; the message says what to write instead."""


@dataclass(frozen=True, order=True)
class Period:
    """Whole days from `start` up to, not including, `end`; `name` as people write it."""

    start: date
    end: date
    name: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def month(year: int, number: int) -> Period:
    start = date(year, number, 1)
    end = date(year + number // 12, number % 12 + 1, 1)
    return Period(start, end, f"{year}-{number:02d}")


def month_of(day: date) -> Period:
    return month(day.year, day.month)


def previous_month(period: Period) -> Period:
    return month_of(period.start - timedelta(days=1))


def months_ending(period: Period, count: int) -> list[Period]:
    """`count` months, oldest first, the last being `period`."""
    out = [period]
    while len(out) < count:
        out.insert(0, previous_month(out[0]))
    return out


def parse_month(text: str) -> Period:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise PeriodError(f"{text!r} is not a month; write it like 2026-11")
    return month(int(match[1]), int(match[2]))


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(start, end, f"{year}Q{number}")


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def previous_quarter(period: Period) -> Period:
    return quarter_of(period.start - timedelta(days=1))


def parse_quarter(text: str) -> Period:
    match = _QUARTER.match(text)
    if not match:
        raise PeriodError(f"{text!r} is not a quarter; write it like 2026Q4")
    return quarter(int(match[1]), int(match[2]))


def share(part: Decimal | int | float, whole: Decimal | int | float) -> float | None:
    """part ÷ whole, None when there is no whole to divide by."""
    return None if not whole else float(part) / float(whole)


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def auc(loss_scores: Sequence[float], other_scores: Sequence[float]) -> float | None:
    """P(a loss customer scored below a customer without a loss), ties half; None without both."""
    if not loss_scores or not other_scores:
        return None
    others = sorted(other_scores)
    wins = 0.0
    for score in loss_scores:
        below_or_equal = bisect_right(others, score)
        equal = below_or_equal - bisect_left(others, score)
        wins += (len(others) - below_or_equal) + equal / 2
    return wins / (len(loss_scores) * len(others))


def ks(loss_scores: Sequence[float], other_scores: Sequence[float]) -> float | None:
    """The largest gap between the two cumulative score distributions (0 … 1)."""
    if not loss_scores or not other_scores:
        return None
    losses, others = sorted(loss_scores), sorted(other_scores)
    gap = 0.0
    for cut in sorted({*losses, *others}):
        gap = max(gap, abs(bisect_right(losses, cut) / len(losses) - bisect_right(others, cut) / len(others)))
    return gap


@dataclass(frozen=True)
class GradeHits:
    """Of the customers holding `grade` at the start of a period, how many had a loss in it: `rate`
    is the grade's 出险率 (loss rate)."""

    grade: Grade
    customers: int
    with_loss: int

    @property
    def rate(self) -> float | None:
        return share(self.with_loss, self.customers)


def caught(grade: Grade | None) -> bool | None:
    """Whether a grade had flagged the risk (red/black); None when there was no grade."""
    return None if grade is None else grade in HIGH_RISK
