"""A new customer's first grade, given in the same transaction that creates the customer.

SPEC §8: a first grade follows the usual rule from "none" — blue or yellow apply at once (an
auto-applied change mark), red or black become a pending request. Nothing can be pending for
a customer that does not exist yet, so the decision needs no lock and no re-read: the import
writes the customer row with its grade, score and next due date already filled in, then the
change marks, assessments and audit entries. A first scoring through `rescore` (re-read,
update) cost twice as much per customer, and 100,000 new customers are a normal first import.

The assessment part (`bot.usecases.graded.assess_new`) is pure and its result plain data, so
a checking process can compute it while the importing process writes.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from bot.usecases import stored
from bot.usecases.bulk import insert_many, insert_returning
from bot.usecases.graded import Graded
from bot.usecases.rescore import SYSTEM, GradeMove, RescoreReport
from bot.usecases.tracking import due_after_change
from scoring.cadence import Workdays, tracking_grade
from scoring.changes import Outcome, decide
from scoring.grades import Grade, value_of
from storage.models import Assessment, AuditEntry, ChangeKind, ChangeStatus, GradeChange

# The graded columns of a new customers row, in this order (see `FirstGrades.columns`).
CUSTOMER_COLUMNS = ("computed_grade", "score", "coverage", "provisional", "profile_name", "effective_grade",
                    "grade_since", "next_due", "needs_rescore")
_CHANGE_COLUMNS = ("customer_id", "to_grade", "score", "reason")
_ASSESSMENT_COLUMNS = ("customer_id", "score", "grade", "coverage", "provisional", "breakdown", "floors",
                       "profile_name", "profile_version")
_ACTIONS = {Outcome.APPLY: "grade_change.auto_applied", Outcome.REQUEST: "grade_change.requested"}


class FirstGrades:
    """Gives customers created in one unit of work their first grades, counting in `report`."""

    def __init__(self, now: datetime, tz: tzinfo, workdays: Workdays, report: RescoreReport) -> None:
        self.now = now
        self.today: date = now.astimezone(tz).date()
        self.workdays = workdays
        self.report = report
        self._due: dict[Grade | None, date | None] = {}

    def columns(self, graded: Graded) -> tuple[Any, ...]:
        """The new customer row's values for `CUSTOMER_COLUMNS`."""
        outcome = decide(None, graded.grade, None).outcome
        effective = graded.grade if outcome is Outcome.APPLY else None
        tracking = tracking_grade(effective, graded.grade if outcome is Outcome.REQUEST else None)
        # Grades by value: the row crosses from the checking process, and an enum pickles slowly.
        return (value_of(graded.grade), graded.score, graded.coverage, graded.provisional, graded.profile,
                value_of(effective), self.now if effective is not None else None, self._next_due(tracking), False)

    def _next_due(self, tracking: Grade | None) -> date | None:
        if tracking not in self._due:  # the same for every new customer of a tracking grade
            self._due[tracking] = due_after_change(None, tracking, grade_since=self.today, last_followup=None,
                                                   today=self.today, workdays=self.workdays)
        return self._due[tracking]

    def write(self, session: Session, created: list[tuple[int, str, Graded]]) -> None:
        """Change marks, pending requests, assessments and audit entries for the customers
        `created` (id, name, first assessment), whose rows `columns` already filled in."""
        report, now = self.report, self.now
        report.assessed += len(created)
        by_outcome: dict[Outcome, list[tuple[int, str, Graded]]] = {Outcome.APPLY: [], Outcome.REQUEST: []}
        for item in created:
            outcome = decide(None, item[2].grade, None).outcome
            if outcome in by_outcome:
                by_outcome[outcome].append(item)
        audit: list[tuple[str, int, str]] = []
        for outcome, group in by_outcome.items():
            if not group:
                continue
            applied = outcome is Outcome.APPLY
            constants = {"kind": ChangeKind.COMPUTED.value, "requested_by": SYSTEM, "requested_at": now,
                         "status": (ChangeStatus.AUTO_APPLIED if applied else ChangeStatus.PENDING).value}
            if applied:  # a first grade applied at once is announced to nobody: nothing left to do
                constants["decided_at"] = constants["notified_at"] = now
            ids = dict(insert_returning(
                session, GradeChange.__table__, _CHANGE_COLUMNS,
                [(customer_id, graded.grade, graded.score, graded.reason) for customer_id, _, graded in group],
                constants, ("customer_id", "id"),
            ))
            for customer_id, name, graded in group:
                audit.append((_ACTIONS[outcome], customer_id, stored.change_detail_json(
                    ids[customer_id], None, graded.grade, graded.score, graded.reason)))
                report.moves.append(GradeMove(name, None, graded.grade, outcome.value))
            if applied:
                report.applied += len(group)
            else:
                report.requested += len(group)
        insert_many(session, Assessment.__table__, _ASSESSMENT_COLUMNS, [
            (customer_id, g.score, g.grade, g.coverage, g.provisional, g.breakdown, g.floors, g.profile, g.profile_version)
            for customer_id, _, g in created
        ], {"assessed_at": now}, json_text=("breakdown", "floors"))
        insert_many(session, AuditEntry.__table__, ("action", "customer_id", "detail"), audit,
                    {"at": now, "actor": SYSTEM}, json_text=("detail",))
