"""Grade-change decisions (异动审批, SPEC §8): approve, reject, propose by hand, release a hold.

Plain functions over `Services`. Each returns a small result saying what happened and what
the person who acted must be told; everything the others are told (the approvals message
updated in place, the owners' DMs, the finance post) follows from what is stored here and is
delivered by `bot.publish`. The rules — who may decide, no deciding one's own proposal, only
a pending request can be decided — live here and nowhere else.

Every writer locks the customer row first (as rescoring does), then decides the request with
a conditional UPDATE: of simultaneous clicks exactly one gets through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from bot.services import Services
from bot.typed import as_typed
from bot.usecases import views as conv
from ledger import plan_events, stored
from ledger.grade_report import SYSTEM
from ledger.rescore import rescore
from ledger.tracking import due_after_change, local_date
from messages import views as v
from messages.kinds import RefusalReason
from scoring.assessment import Assessment as Result
from scoring.cadence import CADENCE_DAYS, tracking_grade
from scoring.changes import moved_lines, needs_approval
from scoring.grades import LABELS_ZH, Grade, value_of
from scoring.plans import plan_for
from scoring.profiles import DEFAULT_PROFILE
from storage.errors import PendingChangeExists
from storage.models import Assessment, ChangeKind, ChangeStatus, Customer, GradeChange, Task, TaskStatus
from storage.uow import UnitOfWork

MAX_REASON = 2000

_CLOSED = {
    ChangeStatus.SUPERSEDED: RefusalReason.SUPERSEDED,
    ChangeStatus.WITHDRAWN: RefusalReason.WITHDRAWN,
}


class DecisionError(ValueError):
    """A request that changes nothing; the message (Chinese / English) says why and what to do."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of a click on Approve or Reject (of a grade change or a write-off).

    `decided`: this click made the decision. Otherwise `refusal` says why nothing changed and,
    for ALREADY_DECIDED, `decision` says who decided and when: that is what the clicker is told.
    `found` False: no such request (nothing to tell but that).
    """

    request_id: int
    decided: bool = False
    refusal: RefusalReason | None = None
    decision: v.Decision | None = None
    found: bool = True


class ProposalOutcome(StrEnum):
    REQUESTED = "requested"  # waits for a director in the approvals channel
    APPLIED = "applied"  # among blue/yellow: in force at once, and held


@dataclass(frozen=True)
class Proposal:
    outcome: ProposalOutcome
    customer_id: int
    change_id: int


@dataclass(frozen=True)
class Release:
    """A held grade let go: `held` was the grade held; after rescoring the customer's
    effective grade is `grade`, and `pending_to` what a new request (if any) asks for."""

    customer_id: int
    held: Grade
    grade: Grade | None
    pending_to: Grade | None


# ------------------------------------------------------------------ approve / reject


def approve(services: Services, change_id: int, user: str) -> Verdict:
    """A director approves: the grade applies, the plan starts, the cadence resets."""
    now = services.now()
    with services.db.uow() as uow:
        change, customer = _locked(uow, change_id)
        if change is None or customer is None:
            return Verdict(change_id, found=False)
        refusal = _refusal(services, change, user)
        if refusal is None and not uow.changes.decide(change.id, ChangeStatus.APPROVED, user, now):
            uow.session.refresh(change)  # someone else decided it just now
            refusal = _refusal(services, change, user)
        if refusal is not None:
            return _refused(services, uow, change, user, "approve", refusal)
        _apply(services, uow, customer, change, now)
        uow.audit.append(now, user, "grade_change.approved", customer.id, _detail(change))
        uow.commit()
        return Verdict(change_id, decided=True, decision=decision_of(services, change))


def reject_form(services: Services, change_id: int, user: str) -> Verdict | v.ChangeLine:
    """Before the reject modal opens: a refusal for whoever may not reject, else the request
    as the modal shows it."""
    with services.db.uow() as uow:
        change = uow.changes.get(change_id)
        customer = uow.customers.get(change.customer_id) if change else None
        if change is None or customer is None:
            return Verdict(change_id, found=False)
        refusal = _refusal(services, change, user)
        if refusal is not None:
            return _refused(services, uow, change, user, "reject", refusal)
        return conv.change_line(change, customer, services.config.tz)


def reject(services: Services, change_id: int, user: str, reason: str) -> Verdict:
    """A director rejects with a reason: nothing applies; follow-ups go back to the pace of
    the effective grade (none for a customer still ungraded) if the rejected grade set it."""
    reason = as_typed(reason)[:MAX_REASON]
    if not reason:
        raise DecisionError("驳回需要写明理由 / a rejection needs a reason")
    now = services.now()
    with services.db.uow() as uow:
        change, customer = _locked(uow, change_id)
        if change is None or customer is None:
            return Verdict(change_id, found=False)
        refusal = _refusal(services, change, user)
        if refusal is None and not uow.changes.decide(change.id, ChangeStatus.REJECTED, user, now, reason):
            uow.session.refresh(change)
            refusal = _refusal(services, change, user)
        if refusal is not None:
            return _refused(services, uow, change, user, "reject", refusal)
        effective = customer.effective_grade
        _retrack(services, customer, tracking_grade(effective, change.to_grade), effective)
        uow.audit.append(now, user, "grade_change.rejected", customer.id, {**_detail(change), "reason": reason})
        uow.commit()
        return Verdict(change_id, decided=True, decision=decision_of(services, change))


def _locked(uow: UnitOfWork, change_id: int) -> tuple[GradeChange | None, Customer | None]:
    """The request and its customer, the customer row locked (rescoring locks in that order)."""
    change = uow.changes.get(change_id)
    if change is None:
        return None, None
    customer = uow.session.get(Customer, change.customer_id, with_for_update=True)
    uow.session.refresh(change)  # as it stands now that we hold the lock
    return change, customer


def _refusal(services: Services, change: GradeChange, user: str) -> RefusalReason | None:
    if not services.config.is_director(user):
        return RefusalReason.NOT_DIRECTOR
    if change.status != ChangeStatus.PENDING:
        return _CLOSED.get(ChangeStatus(change.status), RefusalReason.ALREADY_DECIDED)
    if change.requested_by == user:
        return RefusalReason.OWN_PROPOSAL
    return None


def _refused(
    services: Services, uow: UnitOfWork, change: GradeChange, user: str, action: str, refusal: RefusalReason
) -> Verdict:
    """Record the refused click (SPEC: every refusal is audited) and say what the clicker is told."""
    uow.audit.append(
        services.now(), user, "grade_change.refused", change.customer_id,
        {"change_id": change.id, "action": action, "refusal": refusal.value},
    )
    uow.commit()
    decision = decision_of(services, change) if refusal is RefusalReason.ALREADY_DECIDED else None
    return Verdict(change.id, refusal=refusal, decision=decision)


def decision_of(services: Services, change: GradeChange) -> v.Decision:
    """Who approved or rejected `change`, when (in the team's time zone) and why not."""
    at = change.decided_at or change.requested_at
    return v.Decision(
        approved=change.status == ChangeStatus.APPROVED,
        by=change.decided_by or SYSTEM,
        at=at.astimezone(services.config.tz),
        reason=change.note if change.status == ChangeStatus.REJECTED else None,
    )


def _apply(services: Services, uow: UnitOfWork, customer: Customer, change: GradeChange, now: datetime) -> None:
    """The grade takes effect: a hand-made grade holds, the cadence resets (a stricter grade,
    a first red or black one too, is due the next workday after the approval, whatever was
    due while it waited), red or black opens the plan's collection task, and the systems that
    ship goods are told in the same transaction (ledger.plan_events)."""
    before = customer.effective_grade
    customer.effective_grade = change.to_grade
    customer.grade_since = now
    if change.kind == ChangeKind.MANUAL:
        customer.held_grade = change.to_grade
    today = services.today()
    customer.next_due = due_after_change(
        before, change.to_grade, grade_since=today,
        last_followup=local_date(customer.last_followup_at, services.config.tz), standing_due=None,
        today=today, workdays=services.workdays,
    )
    task = plan_for(change.to_grade, customer.credit_terms_days).task
    if task is not None and not uow.tasks.open_for(customer.id, [task.value]):
        uow.tasks.add(Task(customer_id=customer.id, kind=task.value, status=TaskStatus.OPEN,
                           created_at=now, grade_change_id=change.id))
    in_force = plan_events.InForce(change.id, change.status, before, change.to_grade,
                                   change.decided_by or change.requested_by, now)
    if services.config.announces:
        plan_events.grade_changes(uow.session, [(plan_events.party(customer), in_force)], now)


def _detail(change: GradeChange) -> dict[str, Any]:
    return {"change_id": change.id, "kind": change.kind, "from": value_of(change.from_grade), "to": value_of(change.to_grade)}


# ------------------------------------------------------------------ propose / release


def propose(services: Services, customer_id: int, user: str, grade: Grade, reason: str) -> Proposal:
    """A grade proposed by hand (调级). Same rules as computed changes: among blue/yellow it
    applies at once, touching red or black it waits for a director; either way it then holds
    until released. It supersedes an older pending request — and because that request touched
    red or black, setting it aside also waits for a director."""
    reason = as_typed(reason)[:MAX_REASON]
    if not reason:
        raise DecisionError("调级需要写明理由 / a proposal needs a reason")
    now = services.now()
    with services.db.uow() as uow:
        if not services.config.is_risk_officer(user):
            uow.audit.append(now, user, "grade_change.refused", customer_id,
                             {"action": "propose", "refusal": "not_risk_officer", "to": grade.value})
            uow.commit()
            raise DecisionError("只有风控专员或风控总监可以调级 / only risk officers and directors can propose a grade")
        customer = uow.session.get(Customer, customer_id, with_for_update=True)
        if customer is None:
            raise DecisionError("这位客户已不在台账中 / this customer is no longer in the ledger")
        effective = customer.effective_grade
        pending = uow.changes.pending_for(customer.id)
        if grade == effective:
            raise DecisionError(
                f"客户当前已是{LABELS_ZH[grade]}，无需调级 / the customer is already {grade.value}"
                + ("；待审批的申请请由风控总监驳回 / a director can reject the pending request" if pending else "")
            )
        if pending is not None and pending.to_grade == grade:
            raise DecisionError(
                f"调整为{LABELS_ZH[grade]}的申请已在审批中 / a change to {grade.value} is already waiting for approval"
            )
        waits = needs_approval(effective, grade) or pending is not None
        tracking_before = tracking_grade(effective, pending.to_grade if pending else None)
        if pending is not None and not uow.changes.decide(pending.id, ChangeStatus.SUPERSEDED, user, now):
            raise DecisionError("待审批的申请刚刚被处理，请重试 / the pending request was just decided: try again")
        change = GradeChange(
            customer_id=customer.id, from_grade=effective, to_grade=grade, score=customer.score,
            reason=reason, kind=ChangeKind.MANUAL,
            status=ChangeStatus.PENDING if waits else ChangeStatus.AUTO_APPLIED,
            requested_by=user, requested_at=now, decided_at=None if waits else now,
        )
        try:
            uow.changes.add(change)
        except PendingChangeExists:
            raise DecisionError("该客户刚刚有了新的待审批申请，请重试 / a request was just raised for this customer: try again") from None
        if pending is not None:
            pending.superseded_by_id = change.id
            uow.audit.append(now, user, "grade_change.superseded", customer.id,
                             {**_detail(pending), "superseded_by": change.id})
        if waits:
            _retrack(services, customer, tracking_before, tracking_grade(effective, grade))
        else:
            _apply(services, uow, customer, change, now)
        action = "grade_change.requested" if waits else "grade_change.auto_applied"
        uow.audit.append(now, user, action, customer.id, {**_detail(change), "reason": reason})
        uow.commit()
        outcome = ProposalOutcome.REQUESTED if waits else ProposalOutcome.APPLIED
        return Proposal(outcome, customer.id, change.id)


def _retrack(services: Services, customer: Customer, before: Grade | None, after: Grade | None) -> None:
    """Follow-ups take the pace of the new tracking grade when a request moves it (as rescoring
    does): a pending stricter grade sets it at once, a rejected one gives it back."""
    if before == after:
        return
    tz = services.config.tz
    customer.next_due = due_after_change(
        before, after, grade_since=local_date(customer.grade_since, tz),
        last_followup=local_date(customer.last_followup_at, tz), standing_due=customer.next_due,
        today=services.today(), workdays=services.workdays,
    )


def release(services: Services, customer_id: int, user: str) -> Release:
    """Let a held grade go (解除): the customer is rescored now and the computed grade takes
    over by the usual rules (into or out of red/black through a director)."""
    now = services.now()
    with services.db.uow() as uow:
        if not services.config.is_risk_officer(user):
            uow.audit.append(now, user, "grade_change.refused", customer_id,
                             {"action": "release", "refusal": "not_risk_officer"})
            uow.commit()
            raise DecisionError("只有风控专员或风控总监可以解除人工等级 / only risk officers and directors can release a held grade")
        customer = uow.session.get(Customer, customer_id, with_for_update=True)
        if customer is None:
            raise DecisionError("这位客户已不在台账中 / this customer is no longer in the ledger")
        held = customer.held_grade
        if held is None:
            raise DecisionError("该客户没有人工保持的等级 / this customer has no held grade to release")
        customer.held_grade = None
        customer.needs_rescore = True
        uow.audit.append(now, user, "grade_change.released", customer.id, {"held": held.value})
        uow.commit()
    rescore(services.db, services.profiles, services.workdays, now, tz=services.config.tz,
            announce=services.config.announces)
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        pending = uow.changes.pending_for(customer_id)
        return Release(customer_id, held, customer.effective_grade if customer else None,
                       pending.to_grade if pending else None)


# ------------------------------------------------------------------ what Slack shows


def change_view(services: Services, uow: UnitOfWork, change: GradeChange, customer: Customer) -> v.GradeChange:
    """A recorded change as the approvals channel shows it: a computed change names the
    indicators that moved and the floors in force; a hand-made one its reason."""
    tz = services.config.tz
    moved: tuple[v.IndicatorRow, ...] = ()
    floors: tuple[v.Floor, ...] = ()
    if change.kind == ChangeKind.COMPUTED:
        moved, floors = _what_moved(services, uow, change, customer)
    return v.GradeChange(
        id=change.id,
        customer=v.CustomerRef(id=customer.id, name=customer.name, grade=change.from_grade),
        from_grade=change.from_grade,
        to_grade=change.to_grade,
        score=float(change.score) if change.score is not None else None,
        plan=conv.plan_view(change.to_grade, customer.credit_terms_days),
        requested_by=change.requested_by,
        requested_at=change.requested_at.astimezone(tz),
        moved=moved,
        floors=floors,
        reason=change.reason if change.kind == ChangeKind.MANUAL else None,
        sales_owner=customer.sales_owner,
        risk_officer=customer.risk_officer,
        directors=tuple(sorted(services.config.risk_directors - {change.requested_by})),
    )


def applied_view(services: Services, uow: UnitOfWork, change: GradeChange, customer: Customer) -> v.AppliedChange:
    """A change now in force, for the owners' DM and the finance post."""
    pending = uow.changes.pending_for(customer.id)
    tracking = tracking_grade(customer.effective_grade, pending.to_grade if pending else None)
    return v.AppliedChange(
        change=change_view(services, uow, change, customer),
        decision=decision_of(services, change) if change.status == ChangeStatus.APPROVED else None,
        cadence_days=CADENCE_DAYS[tracking] if tracking else None,
        next_due=customer.next_due,
        outstanding_amount=customer.outstanding_amount,
    )


def _what_moved(
    services: Services, uow: UnitOfWork, change: GradeChange, customer: Customer
) -> tuple[tuple[v.IndicatorRow, ...], tuple[v.Floor, ...]]:
    """Compare the assessment that raised the change with the one before it."""
    rows = list(uow.session.scalars(
        select(Assessment)
        .where(Assessment.customer_id == customer.id, Assessment.assessed_at <= change.requested_at)
        .order_by(Assessment.assessed_at.desc(), Assessment.id.desc())
        .limit(2)
    ))
    if not rows:
        return (), ()
    after = _result(services, rows[0])
    before = _result(services, rows[1]) if len(rows) > 1 else None
    profile = services.profiles.profiles.get(rows[0].profile_name) or services.profiles.get(DEFAULT_PROFILE)
    moved = conv.indicator_rows(profile, [line._asdict() for line in moved_lines(before, after)])
    return moved, conv.floor_views(profile, after.floors)


def _result(services: Services, row: Assessment) -> Result:
    """A stored assessment as scoring's, to compare two of them."""
    lines = stored.breakdown_lines(row.breakdown, services.profiles.profiles.get(row.profile_name))
    score = None if row.score is None else float(row.score)
    return Result(row.profile_name, row.profile_version, score, None, row.grade, row.coverage,
                  row.provisional, stored.floor_hits(row.floors), lines)
