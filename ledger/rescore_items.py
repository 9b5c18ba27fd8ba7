"""What a rescoring batch knows of each customer it decides about, and the small rules it applies
to one: the SPEC §8 decision given a held grade or a manual request, when a change counts as
told, a result worked out ahead (breakdown and floors only as JSON)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from ledger import rescore_rows as layout
from ledger import stored
from ledger.grade_report import owners_are_told
from ledger.graded import Graded
from ledger.rescore_reads import Pending
from scoring.assessment import Assessment as Result
from scoring.changes import Decision, decide
from scoring.grades import Grade
from storage.models import ChangeKind


class First(NamedTuple):
    """A customer never graded (`rescore_rows.never_graded`) whose first grade is due."""

    raw: Any  # the row as read
    graded: Graded
    columns: tuple[Any, ...]  # FirstGrades.columns
    result: Result | None  # assessed here (None: worked out ahead, `graded` only)


@dataclass(slots=True)
class Item:
    """One customer in a batch: what was read, the new result, and what happens."""

    row: layout.CustomerRow
    result: Result
    pending: Pending | None
    decision: Decision
    tracking_before: Grade | None = None  # the grade follow-ups were paced by before this run
    effective: Grade | None = None  # after the decision
    grade_since: datetime | None = None
    pending_to: Grade | None = None
    change_id: int | None = None  # the change this run created
    raced: bool = False  # another writer got in between: settle one by one
    prepared: Graded | None = None  # worked out ahead: `result` then has no breakdown or floors
    inputs: tuple[Any, ...] = ()  # (profile, industry, values as read), to assess in full when needed


def as_stored(result: Result) -> Result:
    """The result with its breakdown rounded as stored, to compare it with a stored one."""
    return replace(result, breakdown=tuple(stored.rounded(line) for line in result.breakdown))


def decide_for(effective: Grade | None, held: Grade | None, pending: Pending | None, computed: Grade | None) -> Decision:
    """SPEC §8 via scoring.changes.decide. A held grade, or a grade a person proposed by hand and
    still pending, is not moved by computed grades: the director decides that proposal."""
    manual = pending is not None and pending.kind == ChangeKind.MANUAL
    return decide(effective, computed, pending.to_grade if pending else None, held is not None or manual)


def notified_at(status: str, decision: Decision, now: datetime) -> datetime | None:
    """A change nobody is told about is written as done (the publisher would only mark it so,
    one at a time: after a first scoring of 100,000 customers, 90,000 transactions)."""
    return None if owners_are_told(status, decision.from_grade) else now


def partial(prepared: Graded) -> Result:
    """The result worked out ahead, without breakdown or floors (their JSON is in `prepared`)."""
    return Result(prepared.profile, prepared.profile_version, prepared.score, None, prepared.grade,
                  prepared.coverage, prepared.provisional, (), ())
