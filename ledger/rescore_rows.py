"""The customer rows a rescoring reads, as the driver gives them, and the context of one run.

A batch reads every column raw (`type_coerce`: no result processing) and compares it as
stored; only a customer whose result changed is converted (`CustomerRow`). Shared by the
writing batches (`ledger.rescore_batch`) and the process assessing ahead (`ledger.rescore`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import type_coerce
from sqlalchemy.types import NullType

from ledger import stored
from ledger.bulk import result_processor
from ledger.first_grades import FirstGrades
from ledger.grade_report import RescoreReport
from scoring.assessment import Assessment as Result
from scoring.assessment import FloorHit
from scoring.cadence import Workdays
from scoring.grades import Grade
from scoring.profiles import ProfileChooser, ProfileSet
from storage.models import Customer

_C = Customer.__table__
READ = ("id", "name", "profile", "industry", "values", "needs_rescore", "computed_grade", "score", "coverage",
         "provisional", "profile_name", "effective_grade", "grade_since", "held_grade", "last_followup_at", "next_due")
READ_COLUMNS = tuple(type_coerce(_C.c[name], NullType()).label(name) for name in READ)
# From the assessing-ahead process: the packed `Graded`, and for a customer never graded the
# FirstGrades columns of its row.
AheadResult = tuple[tuple[Any, ...], tuple[Any, ...] | None]

def never_graded(raw: tuple[Any, ...]) -> bool:
    """No grade, no held grade, no assessment by rescoring, no follow-up and no due date: the
    first grade is given as the import gives it (`FirstGrades`), if nothing is pending."""
    return (raw[EFFECTIVE] is None and raw[HELD] is None and raw[PROFILE_NAME] is None
            and raw[FOLLOWUP] is None and raw[NEXT_DUE] is None)


def floors_json_of(c: RunContext, result: Result) -> str:
    floors = c.floors_text.get(result.floors)
    if floors is None:
        floors = c.floors_text[result.floors] = stored.floors_json(result.floors)
    return floors

@dataclass(frozen=True)
class RunContext:
    profiles: ProfileSet
    workdays: Workdays
    now: datetime
    tz: tzinfo
    today: date
    dry_run: bool
    report: RescoreReport
    convert: Converters
    profile_for: ProfileChooser
    first: FirstGrades
    floors_text: dict[tuple[FloorHit, ...], str] = field(default_factory=dict)  # stored.floors_json, remembered
    announce: bool = True  # write the webhook events of the grade changes applied (ledger.plan_events)


class CustomerRow(NamedTuple):
    """The part of a customer row that deciding and writing need, converted as SQLAlchemy would."""

    id: int
    name: str
    profile_name: str | None
    effective_grade: Grade | None
    grade_since: datetime | None
    held_grade: Grade | None
    last_followup_at: datetime | None
    next_due: date | None


class Converters:
    """Result processors of the columns read raw, each remembering what it converted."""

    def __init__(self) -> None:
        self.ready = False
        self._decimal: dict[float, Decimal] = {}

    def prepare(self, dialect: Any, description: Any) -> None:
        """Once, from the first batch read: the processors for the types the driver reports."""
        coltype = {d[0]: d[1] for d in description}

        def one(name: str) -> Any:
            return result_processor(_C, name, dialect, coltype[name]) or (lambda value: value)

        self.grade, self.score, self.instant, self.day = (
            one("computed_grade"), one("score"), one("grade_since"), one("next_due"))
        self.ready = True

    def customer(self, raw: tuple[Any, ...]) -> CustomerRow:
        grade, instant = self.grade, self.instant
        return CustomerRow(raw[ID], raw[NAME], raw[PROFILE_NAME], grade(raw[EFFECTIVE]), instant(raw[SINCE]),
                         grade(raw[HELD]), instant(raw[FOLLOWUP]), self.day(raw[NEXT_DUE]))

    def same_result(self, raw: tuple[Any, ...], result: Result) -> bool:
        """The row already holds this result: same grade, score, coverage, profile (as stored)."""
        coverage = raw[COVERAGE]
        if (coverage is None or raw[PROFILE_NAME] != result.profile or raw[PROVISIONAL] != result.provisional
                or abs(coverage - result.coverage) >= 1e-9 or self.grade(raw[COMPUTED]) != result.grade):
            return False
        score = result.score
        if score is None:
            return raw[SCORE] is None
        decimal = self._decimal.get(score)
        if decimal is None:
            decimal = self._decimal[score] = Decimal(str(score))
        return self.score(raw[SCORE]) == decimal


(ID, NAME, PROFILE, INDUSTRY, VALUES, NEEDS_RESCORE, COMPUTED, SCORE, COVERAGE, PROVISIONAL, PROFILE_NAME,
 EFFECTIVE, SINCE, HELD, FOLLOWUP, NEXT_DUE) = range(len(READ))
