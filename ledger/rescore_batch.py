"""One batch of a rescoring: read its customers under lock, decide SPEC §8 for each changed
result, and write assessments, grade changes, audit entries and customer rows in bulk SQL.

A customer never graded (`rescore_rows.never_graded`) with nothing pending is given its first
grade the way the import gives it (`ledger.first_grades`), without the general staging. What
another writer does meanwhile (a decision, a proposal) is caught by conditional updates and
the one-pending-request-per-customer index; such a customer is settled one by one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ledger import plan_events
from ledger import rescore_rows as layout
from ledger import stored
from ledger.bulk import insert_many, insert_returning, update_many
from ledger.rescore_items import First, Item, as_stored, decide_for, notified_at, partial
from ledger.rescore_reads import load_pending, previous_assessments
from ledger.first_grades import CUSTOMER_COLUMNS as FIRST_GRADE_COLUMNS
from ledger.grade_report import SYSTEM, GradeMove
from ledger.graded import Graded, graded, unpacked
from ledger.tracking import due_after_change, local_date
from scoring.assessment import Assessment as Result
from scoring.assessment import assess
from scoring.cadence import tracking_grade
from scoring.changes import Outcome, change_reason
from scoring.grades import value_of
from storage.errors import PendingChangeExists
from storage.models import Assessment, AuditEntry, ChangeKind, ChangeStatus, Customer, GradeChange
from storage.uow import UnitOfWork

MAX_RETRIES = 5

_C = Customer.__table__
_G = GradeChange.__table__
_A = Assessment.__table__
_CUSTOMER_COLUMNS = ("computed_grade", "score", "coverage", "provisional", "profile_name", "effective_grade",
                     "grade_since", "next_due")
_CHANGE_COLUMNS = ("customer_id", "from_grade", "to_grade", "score", "reason")
_CHANGE_CONSTANTS = {"kind": ChangeKind.COMPUTED.value, "requested_by": SYSTEM}
_ASSESSMENT_COLUMNS = ("customer_id", "score", "grade", "coverage", "provisional", "breakdown", "floors",
                       "profile_name", "profile_version")
_SET_SUPERSEDED_BY = update(_G).where(_G.c.id == bindparam("_id"))
# A concurrent request for the same customer (the one-pending-per-customer index) wins.
_ONE_PENDING = "ON CONFLICT (customer_id) WHERE status = 'pending' DO NOTHING"


class Batch:
    def __init__(self, context: layout.RunContext, uow: UnitOfWork, after: int, last: int, everyone: bool,
                 ahead: dict[int, tuple[int, layout.AheadResult | None]]) -> None:
        self.c = context
        self.ahead = ahead  # results worked out ahead, by customer id: (hash of the row read, result)
        self.uow = uow
        self.session: Session = uow.session
        self.after, self.last = after, last  # the batch: ids after `after` up to `last`
        self.everyone = everyone
        self.audit: list[tuple[str, int, str]] = []  # (action, customer id, detail as JSON text)
        self.in_force: list[tuple[int, plan_events.InForce]] = []  # (customer id, change applied): announced

    # ------------------------------------------------------------ reading and deciding

    def run(self) -> None:
        c = self.c
        stmt = select(*layout.READ_COLUMNS).where(_C.c.id > self.after, _C.c.id <= self.last).order_by(_C.c.id)
        if not self.everyone:
            stmt = stmt.where(_C.c.needs_rescore)
        if not c.dry_run:
            stmt = stmt.with_for_update()
            self.uow.customers.wait_for_imports()
        profile_for, decode, same_result = c.profile_for, stored.decode_raw, c.convert.same_result
        read = self.session.execute(stmt)
        if not c.convert.ready:
            c.convert.prepare(self.session.get_bind().dialect, read.cursor.description)
        rows = read.all()
        c.report.assessed += len(rows)
        changed: list[tuple[layout.CustomerRow, Result, Graded | None, tuple[Any, ...]]] = []
        firsts: list[First] = []
        ahead, writing = self.ahead, not c.dry_run
        for raw in rows:
            if ahead:
                found = ahead.get(raw[layout.ID])
                if found is not None and found[0] == hash(tuple(raw)):  # worked out from this very row
                    if found[1] is not None:
                        prepared = unpacked(found[1][0])
                        if writing and found[1][1] is not None:
                            firsts.append(First(raw, prepared, found[1][1], None))
                        else:
                            changed.append(self._changed_ahead(raw, prepared))
                    continue
            result = assess(profile_for(raw[layout.PROFILE], raw[layout.INDUSTRY]), decode(raw[layout.VALUES]))
            if raw[layout.NEEDS_RESCORE] or not same_result(raw, result):
                if writing and layout.never_graded(raw):
                    done = graded(result)
                    firsts.append(First(raw, done, c.first.columns(done), result))
                else:
                    changed.append((c.convert.customer(raw), result, None, ()))
        pending = load_pending(self.session, [*(row.id for row, *_ in changed), *(f.raw[layout.ID] for f in firsts)])
        if pending and firsts:  # a request is pending already: decided the general way
            changed.extend(self._changed(f) for f in firsts if f.raw[layout.ID] in pending)
            firsts = [f for f in firsts if f.raw[layout.ID] not in pending]
        items: list[Item] = []
        for row, result, prepared, inputs in changed:
            mine = pending.get(row.id)
            items.append(Item(row, result, mine, decide_for(row.effective_grade, row.held_grade, mine, result.grade),
                               tracking_grade(row.effective_grade, mine.to_grade if mine else None),
                               prepared=prepared, inputs=inputs))
        if firsts:
            items.extend(self._write_first_grades(firsts))
        for item in items:
            self._count(item)
        if c.dry_run or not items:
            return
        self._write(items)

    def _changed_ahead(self, raw: Any, prepared: Graded) -> tuple[layout.CustomerRow, Result, Graded, tuple[Any, ...]]:
        return (self.c.convert.customer(raw), partial(prepared), prepared,
                (raw[layout.PROFILE], raw[layout.INDUSTRY], raw[layout.VALUES]))

    def _changed(self, first: First) -> tuple[layout.CustomerRow, Result, Graded | None, tuple[Any, ...]]:
        """A first grade to give the general way after all."""
        if first.result is None:
            return self._changed_ahead(first.raw, first.graded)
        return self.c.convert.customer(first.raw), first.result, None, ()

    def _write_first_grades(self, firsts: list[First]) -> list[Item]:
        """First grades as the import gives them. A customer for whom another writer raised a
        request meanwhile is returned as an item to settle the general way."""
        c = self.c
        skipped = c.first.write(self.session, [(f.raw[layout.ID], f.raw[layout.NAME], f.graded) for f in firsts],
                                on_conflict=_ONE_PENDING)
        update_many(self.session, _C, "id", FIRST_GRADE_COLUMNS,
                    [(*f.columns, f.raw[layout.ID]) for f in firsts if f.raw[layout.ID] not in skipped], {"updated_at": c.now})
        raced = []
        for first in firsts:
            if first.raw[layout.ID] in skipped:
                row, result, prepared, inputs = self._changed(first)
                raced.append(Item(row, result, None, decide_for(None, None, None, result.grade), None,
                                   raced=True, prepared=prepared, inputs=inputs))
        return raced

    def _count(self, item: Item) -> None:
        report, d = self.c.report, item.decision
        if d.outcome in (Outcome.APPLY, Outcome.REQUEST, Outcome.WITHDRAW):
            report.moves.append(GradeMove(item.row.name, d.from_grade, d.to_grade, d.outcome.value))
        if d.outcome is Outcome.APPLY:
            report.applied += 1
        elif d.outcome is Outcome.REQUEST:
            report.requested += 1
        elif d.outcome is Outcome.WITHDRAW:
            report.withdrawn += 1
        if d.supersedes_pending and item.pending is not None:
            report.superseded += 1

    # ------------------------------------------------------------ writing

    def _write(self, items: list[Item]) -> None:
        """Write a batch's decisions in the order they depend on each other; a step that finds
        another writer got there first marks the item `raced`, settled one by one at the end."""
        reasons = self._reasons([i for i in items if i.decision.outcome in (Outcome.APPLY, Outcome.REQUEST)])
        for item in items:  # the starting point; the steps below move it
            item.effective, item.grade_since = item.row.effective_grade, item.row.grade_since
            item.pending_to = item.pending.to_grade if item.pending else None
        self._close_pending(items)
        self._apply([i for i in items if i.decision.outcome is Outcome.APPLY and not i.raced], reasons)
        self._request([i for i in items if i.decision.outcome is Outcome.REQUEST and not i.raced], reasons)
        self._link_superseded(items)
        for item in items:
            if item.raced:
                self._settle(item, reasons.get(item.row.id) or "")
        now = self.c.now
        insert_many(self.session, _A, _ASSESSMENT_COLUMNS, [self._assessment_row(i) for i in items],
                    {"assessed_at": now}, json_text=("breakdown", "floors"))
        # updated_at is set here: the column's onupdate would read the wall clock.
        update_many(self.session, _C, "id", _CUSTOMER_COLUMNS, [self._customer_row(i) for i in items],
                    {"needs_rescore": False, "updated_at": now})
        insert_many(self.session, AuditEntry.__table__, ("action", "customer_id", "detail"), self.audit,
                    {"at": now, "actor": SYSTEM}, json_text=("detail",))
        if self.c.announce:
            plan_events.applied_in_batch(self.session, self.in_force, now)

    def _reasons(self, moving: list[Item]) -> dict[int, str]:
        """Why each moving customer's grade changes: its new result against its last stored one."""
        # Only rescoring sets profile_name, always with an assessment: without it there is none.
        previous = previous_assessments(self.session, self.c.profiles,
                                        [i.row.id for i in moving if i.row.profile_name is not None])
        reasons = {}
        for item in moving:
            before = previous.get(item.row.id)
            if before is None and item.prepared is not None:
                reasons[item.row.id] = item.prepared.reason
                continue
            after = item.result
            if item.prepared is not None:  # the breakdown is needed: assess in full here
                profile, industry, values = item.inputs
                after = assess(self.c.profile_for(profile, industry), stored.decode_raw(values))
            if before is not None:  # compare like with like: both as stored (rounded)
                after = as_stored(after)
            reasons[item.row.id] = change_reason(before, after)
        return reasons

    def _close_pending(self, items: list[Item]) -> None:
        """Close the pending requests that give way (superseded or withdrawn), only if still pending."""
        closing: dict[str, list[Item]] = {ChangeStatus.SUPERSEDED: [], ChangeStatus.WITHDRAWN: []}
        for item in items:
            d = item.decision
            if d.outcome is Outcome.WITHDRAW or (d.supersedes_pending and item.pending is not None):
                closing[ChangeStatus.WITHDRAWN if d.outcome is Outcome.WITHDRAW else ChangeStatus.SUPERSEDED].append(item)
        for status, group in closing.items():
            if not group:
                continue
            closed = set(self.session.scalars(
                update(_G)
                .where(_G.c.id.in_([i.pending.id for i in group if i.pending]), _G.c.status == ChangeStatus.PENDING)
                .values(status=status, decided_by=SYSTEM, decided_at=self.c.now)
                .returning(_G.c.id)
            ))
            for item in group:
                assert item.pending is not None
                if item.pending.id not in closed:
                    item.raced = True
                    continue
                item.pending_to = None
                if status == ChangeStatus.WITHDRAWN:
                    self._audit("grade_change.withdrawn", item, item.pending.id,
                                {"from": value_of(item.pending.from_grade), "to": value_of(item.pending.to_grade)})

    def _apply(self, applying: list[Item], reasons: dict[int, str]) -> None:
        """Changes that take effect at once (blue ↔ yellow): in force, audited and announced."""
        if not applying:
            return
        now = self.c.now
        created = dict(insert_returning(
            self.session, _G, (*_CHANGE_COLUMNS, "notified_at"),
            [(*self._change_values(i, reasons[i.row.id]), notified_at(ChangeStatus.AUTO_APPLIED, i.decision, now))
             for i in applying],
            {**_CHANGE_CONSTANTS, "status": ChangeStatus.AUTO_APPLIED.value, "requested_at": now, "decided_at": now},
            ("customer_id", "id"),
        ))
        for item in applying:
            item.change_id = change_id = created[item.row.id]
            item.effective, item.grade_since = item.decision.to_grade, now
            self._audit_change("grade_change.auto_applied", item, change_id, reasons)
            self._in_force(item, change_id)

    def _request(self, requesting: list[Item], reasons: dict[int, str]) -> None:
        """Requests for a director: a concurrent one for the same customer makes ours a no-op."""
        if not requesting:
            return
        inserted = dict(insert_returning(
            self.session, _G, _CHANGE_COLUMNS, [self._change_values(i, reasons[i.row.id]) for i in requesting],
            {**_CHANGE_CONSTANTS, "status": ChangeStatus.PENDING.value, "requested_at": self.c.now},
            ("customer_id", "id"), on_conflict=_ONE_PENDING,
        ))
        for item in requesting:
            change_id = inserted.get(item.row.id)
            if change_id is None:
                item.raced = True
                continue
            item.change_id = change_id
            item.pending_to = item.decision.to_grade
            self._audit_change("grade_change.requested", item, change_id, reasons)

    def _link_superseded(self, items: list[Item]) -> None:
        """Point each superseded request at the change that superseded it."""
        links = []
        for item in items:
            if item.decision.supersedes_pending and item.pending is not None and item.change_id is not None:
                links.append({"_id": item.pending.id, "superseded_by_id": item.change_id})
                self._audit("grade_change.superseded", item, item.pending.id,
                            {"from": value_of(item.pending.from_grade), "to": value_of(item.pending.to_grade),
                             "superseded_by": item.change_id})
        if links:
            self.session.execute(_SET_SUPERSEDED_BY, links)

    def _settle(self, item: Item, reason: str) -> None:
        """Decide again on freshly read state, through the repositories, until it sticks."""
        now = self.c.now
        self._uncount(item)
        for _ in range(MAX_RETRIES):
            customer = self.session.execute(
                select(_C.c.effective_grade, _C.c.grade_since, _C.c.held_grade).where(_C.c.id == item.row.id)
            ).one()
            pending = load_pending(self.session, [item.row.id]).get(item.row.id)
            item.pending, item.change_id = pending, None
            item.effective, item.grade_since = customer.effective_grade, customer.grade_since
            item.pending_to = pending.to_grade if pending else None
            item.decision = d = decide_for(customer.effective_grade, customer.held_grade, pending, item.result.grade)
            try:
                if d.supersedes_pending or d.outcome is Outcome.WITHDRAW:
                    assert pending is not None
                    status = ChangeStatus.WITHDRAWN if d.outcome is Outcome.WITHDRAW else ChangeStatus.SUPERSEDED
                    if not self.uow.changes.decide(pending.id, status, SYSTEM, now):
                        continue  # decided by someone else just now: look again
                    item.pending_to = None
                if d.outcome in (Outcome.APPLY, Outcome.REQUEST):
                    status = ChangeStatus.AUTO_APPLIED if d.outcome is Outcome.APPLY else ChangeStatus.PENDING
                    change = GradeChange(**self._change_row(item, status, reason))
                    self.uow.changes.add(change)
                    item.change_id = change.id
                    if d.outcome is Outcome.APPLY:
                        item.effective, item.grade_since = d.to_grade, now
                        self._in_force(item, change.id)
                    else:
                        item.pending_to = d.to_grade
                    if pending is not None and d.supersedes_pending:
                        self.session.execute(update(_G).where(_G.c.id == pending.id).values(superseded_by_id=change.id))
            except PendingChangeExists:
                continue
            self._count(item)
            action = {Outcome.APPLY: "grade_change.auto_applied", Outcome.REQUEST: "grade_change.requested",
                      Outcome.WITHDRAW: "grade_change.withdrawn"}.get(d.outcome)
            if action is not None:
                self._audit(action, item, item.change_id or (pending.id if pending else None),
                            {"from": value_of(d.from_grade), "to": value_of(d.to_grade), "reason": reason})
            if d.supersedes_pending and pending is not None:
                self._audit("grade_change.superseded", item, pending.id, {"superseded_by": item.change_id})
            return
        raise RuntimeError(f"customer {item.row.id}: grade change kept colliding with other writers; run `riskbot score` again")

    def _in_force(self, item: Item, change_id: int) -> None:
        d = item.decision
        assert d.to_grade is not None  # applied: a grade
        self.in_force.append((item.row.id, plan_events.InForce(
            change_id, ChangeStatus.AUTO_APPLIED, d.from_grade, d.to_grade, SYSTEM, self.c.now)))

    def _uncount(self, item: Item) -> None:
        report, d = self.c.report, item.decision
        if d.outcome in (Outcome.APPLY, Outcome.REQUEST, Outcome.WITHDRAW):
            report.moves.remove(GradeMove(item.row.name, d.from_grade, d.to_grade, d.outcome.value))
        report.applied -= d.outcome is Outcome.APPLY
        report.requested -= d.outcome is Outcome.REQUEST
        report.withdrawn -= d.outcome is Outcome.WITHDRAW
        report.superseded -= bool(d.supersedes_pending and item.pending is not None)

    # ------------------------------------------------------------ row builders

    def _change_row(self, item: Item, status: str, reason: str) -> dict[str, Any]:
        d, now = item.decision, self.c.now
        return {
            "customer_id": item.row.id, "from_grade": d.from_grade, "to_grade": d.to_grade,
            "score": item.result.score, "reason": reason, "kind": ChangeKind.COMPUTED.value,
            "status": str(status),
            "requested_by": SYSTEM, "requested_at": now,
            "decided_by": None, "decided_at": now if status == ChangeStatus.AUTO_APPLIED else None,
            "notified_at": notified_at(status, d, now),
        }

    def _change_values(self, item: Item, reason: str) -> tuple[Any, ...]:
        d = item.decision
        return (item.row.id, d.from_grade, d.to_grade, item.result.score, reason)

    def _audit_change(self, action: str, item: Item, change_id: int, reasons: dict[int, str]) -> None:
        """The audit entry of a change this run created: {change_id, from, to, score, reason}."""
        d = item.decision
        self.audit.append((action, item.row.id, stored.change_detail_json(
            change_id, d.from_grade, d.to_grade, item.result.score, reasons.get(item.row.id, ""))))

    def _audit(self, action: str, item: Item, change_id: int | None, detail: dict[str, Any]) -> None:
        self.audit.append((action, item.row.id, stored.json_text({"change_id": change_id, **detail})))

    def _assessment_row(self, item: Item) -> tuple[Any, ...]:
        r, prepared = item.result, item.prepared
        if prepared is not None:
            breakdown, floors = prepared.breakdown, prepared.floors
        else:
            breakdown, floors = stored.breakdown_json(r.breakdown), layout.floors_json_of(self.c, r)
        return (item.row.id, r.score, r.grade, r.coverage, r.provisional, breakdown, floors, r.profile,
                r.profile_version)

    def _customer_row(self, item: Item) -> tuple[Any, ...]:
        c, row, r = self.c, item.row, item.result
        before = item.tracking_before
        after = tracking_grade(item.effective, item.pending_to)
        next_due = row.next_due
        if after != before or (next_due is None and after is not None):
            next_due = due_after_change(
                before, after, grade_since=local_date(item.grade_since, c.tz),
                last_followup=local_date(row.last_followup_at, c.tz), standing_due=next_due, today=c.today,
                workdays=c.workdays,
            )
        return (r.grade, r.score, r.coverage, r.provisional, r.profile, item.effective, item.grade_since, next_due, row.id)
