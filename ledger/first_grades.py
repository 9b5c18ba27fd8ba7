"""A customer's first grade: given to a new customer in the transaction that creates it (the
import), and by `rescore` to a customer never graded, assessed nor followed up before.

SPEC §8: a first grade follows the usual rule from "none" — blue or yellow apply at once (an
auto-applied change mark), red or black become a pending request. Nothing can be pending for
a customer that does not exist yet, so the import's decision needs no lock and no re-read: it
writes the customer row with its grade, score and next due date already filled in, then the
change marks, assessments and audit entries. `rescore` checks under its lock that nothing is
pending and updates the row with the same columns, without its general path's staging (which
took a fifth more instructions in the writing process of a first scoring).

The assessment part (`ledger.graded.assess_new`) and the row's columns are pure and
plain data, so another process can work them out while the one holding the ledger writes.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from ledger import plan_events, stored
from ledger.bulk import insert_many, insert_returning
from ledger.grade_report import SYSTEM, GradeMove, RescoreReport
from ledger.graded import Graded
from ledger.tracking import due_after_change
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

    def __init__(self, now: datetime, tz: tzinfo, workdays: Workdays, report: RescoreReport, *,
                 announce: bool = True) -> None:
        self.now = now
        self.announce = announce  # write the webhook events of first grades (ledger.plan_events)
        self.today: date = now.astimezone(tz).date()
        self.workdays = workdays
        self.report = report
        self._by_grade: dict[Grade | None, tuple[Any, ...]] = {}  # see `columns`
        self._outcomes: dict[Grade | None, Outcome] = {}  # a first grade's decision, by grade

    def columns(self, graded: Graded) -> tuple[Any, ...]:
        """The new customer row's values for `CUSTOMER_COLUMNS`."""
        # Grades by value: the row crosses from the checking process, and an enum pickles slowly.
        return (value_of(graded.grade), graded.score, graded.coverage, graded.provisional, graded.profile,
                *self._grade_columns(graded.grade))

    def _grade_columns(self, grade: Grade | None) -> tuple[Any, ...]:
        """effective_grade, grade_since, next_due, needs_rescore: the same for every customer
        whose first grade is `grade` (100,000 customers, four grades)."""
        found = self._by_grade.get(grade)
        if found is None:
            outcome = decide(None, grade, None).outcome
            effective = grade if outcome is Outcome.APPLY else None
            tracking = tracking_grade(effective, grade if outcome is Outcome.REQUEST else None)
            due = due_after_change(None, tracking, grade_since=self.today, last_followup=None, standing_due=None,
                                   today=self.today, workdays=self.workdays)
            found = self._by_grade[grade] = (value_of(effective), self.now if effective is not None else None, due, False)
        return found

    def write(self, session: Session, created: list[tuple[int, str, Graded]], *, on_conflict: str = "") -> set[int]:
        """Change marks, pending requests, assessments and audit entries for the customers
        `created` (id, name, first assessment), whose rows `columns` fills in.

        For customers that already exist (`rescore`), `on_conflict` lets a request another
        writer raised meanwhile win: the ids of the customers whose request it skipped are
        returned, and nothing at all is written or counted for them here."""
        report, now = self.report, self.now
        skipped: set[int] = set()
        by_outcome: dict[Outcome, list[tuple[int, str, Graded]]] = {Outcome.APPLY: [], Outcome.REQUEST: []}
        outcomes = self._outcomes
        for item in created:
            grade = item[2].grade
            outcome = outcomes.get(grade)
            if outcome is None:
                outcome = outcomes[grade] = decide(None, grade, None).outcome
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
                constants, ("customer_id", "id"), on_conflict="" if applied else on_conflict,
            ))
            if len(ids) < len(group):
                skipped.update(customer_id for customer_id, _, _ in group if customer_id not in ids)
                group = [item for item in group if item[0] in ids]
            for customer_id, name, graded in group:
                audit.append((_ACTIONS[outcome], customer_id, stored.change_detail_json(
                    ids[customer_id], None, graded.grade, graded.score, graded.reason)))
                report.moves.append(GradeMove(name, None, graded.grade, outcome.value))
            if not applied:
                report.requested += len(group)
                continue
            report.applied += len(group)
            if self.announce:
                plan_events.applied_in_batch(session, [
                    (customer_id, plan_events.InForce(ids[customer_id], ChangeStatus.AUTO_APPLIED, None, graded.grade,
                                                      SYSTEM, now))
                    for customer_id, _, graded in group], now)
        insert_many(session, Assessment.__table__, _ASSESSMENT_COLUMNS, [
            (customer_id, g.score, g.grade, g.coverage, g.provisional, g.breakdown, g.floors, g.profile, g.profile_version)
            for customer_id, _, g in created if customer_id not in skipped
        ], {"assessed_at": now}, json_text=("breakdown", "floors"))
        insert_many(session, AuditEntry.__table__, ("action", "customer_id", "detail"), audit,
                    {"at": now, "actor": SYSTEM}, json_text=("detail",))
        return skipped
