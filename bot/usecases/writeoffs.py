"""Write-offs (风险核销, SPEC §9): asked for with evidence, decided once by a risk officer.

An approval closes the customer's open collection tasks; the request stays in the ledger
with who decided and when. Like grade changes, a decision is one conditional UPDATE, and
nobody decides a request they raised themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.services import Services
from bot.typed import as_typed
from bot.usecases import views as conv
from bot.usecases.decisions import MAX_REASON, DecisionError, Verdict
from ledger import plan_events
from ledger.grade_report import SYSTEM
from messages import views as v
from messages.kinds import RefusalReason
from storage.models import Customer, Task, WriteOff, WriteOffStatus
from storage.uow import UnitOfWork

# Slack writes a link as <url> or <url|label>; pasted text may hold the bare URL.
_SLACK_LINK = re.compile(r"<(https?://[^\s|>]+)(?:\|([^>]*))?>")
_BARE_URL = re.compile(r"https?://[^\s<>]+")


@dataclass(frozen=True)
class Requested:
    writeoff_id: int
    customer_id: int


def evidence_in(text: str) -> tuple[str, str | None]:
    """(plain text, the first link) of a write-off's text: Slack's link markup becomes the
    bare URL (a Slack file's permalink is such a link); the rest stays as typed."""
    plain = as_typed(_SLACK_LINK.sub(lambda m: m.group(1), text))
    found = _BARE_URL.search(plain)
    return plain, found.group(0).rstrip(".,;:!?)）。，；") if found else None


def request(services: Services, customer_id: int, user: str, text: str) -> Requested:
    """An owner of the customer (or any risk officer) asks for a write-off with evidence."""
    plain, evidence = evidence_in(text)
    if evidence is None:
        raise DecisionError(
            "核销需要证据：请附上文件链接或网址（可在 Slack 中复制文件链接）/ "
            "a write-off needs evidence: add a link to a file or page (copy a Slack file's link)"
        )
    now = services.now()
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise DecisionError("这位客户已不在台账中 / this customer is no longer in the ledger")
        if user not in (customer.sales_owner, customer.risk_officer) and not services.config.is_risk_officer(user):
            uow.audit.append(now, user, "writeoff.refused", customer.id, {"action": "request", "refusal": "not_owner"})
            uow.commit()
            raise DecisionError(
                "只有该客户的负责人或风控专员可以申请核销 / only the customer's owners or a risk officer can ask for a write-off"
            )
        if any(w.status == WriteOffStatus.PENDING for w in uow.writeoffs.for_customer(customer.id)):
            raise DecisionError(
                "该客户已有一条待审批的核销申请 / this customer already has a write-off waiting for approval"
            )
        writeoff = uow.writeoffs.add(WriteOff(
            customer_id=customer.id, requested_by=user, requested_at=now, text=plain[:MAX_REASON],
            evidence=evidence, status=WriteOffStatus.PENDING,
        ))
        uow.audit.append(now, user, "writeoff.requested", customer.id,
                         {"writeoff_id": writeoff.id, "evidence": evidence})
        uow.commit()
        return Requested(writeoff.id, customer.id)


def approve(services: Services, writeoff_id: int, user: str) -> Verdict:
    """A risk officer or director approves: the customer's open tasks close, linked to it."""
    return _decide(services, writeoff_id, user, approved=True)


def reject(services: Services, writeoff_id: int, user: str) -> Verdict:
    return _decide(services, writeoff_id, user, approved=False)


def _decide(services: Services, writeoff_id: int, user: str, *, approved: bool) -> Verdict:
    now = services.now()
    action = "approve" if approved else "reject"
    with services.db.uow() as uow:
        writeoff = uow.writeoffs.get(writeoff_id)
        if writeoff is None:
            return Verdict(writeoff_id, found=False)
        customer = uow.session.get(Customer, writeoff.customer_id, with_for_update=True)
        uow.session.refresh(writeoff)
        refusal = _refusal(services, writeoff, user)
        status = WriteOffStatus.APPROVED if approved else WriteOffStatus.REJECTED
        if refusal is None and not uow.writeoffs.decide(writeoff.id, status, user, now):
            uow.session.refresh(writeoff)
            refusal = _refusal(services, writeoff, user)
        if refusal is not None:
            uow.audit.append(now, user, "writeoff.refused", writeoff.customer_id,
                             {"writeoff_id": writeoff.id, "action": action, "refusal": refusal.value})
            uow.commit()
            decision = decision_of(services, writeoff) if refusal is RefusalReason.ALREADY_DECIDED else None
            return Verdict(writeoff.id, refusal=refusal, decision=decision)
        detail: dict[str, object] = {"writeoff_id": writeoff.id}
        if approved:
            closed = detail["tasks_closed"] = uow.tasks.close_open(writeoff.customer_id, user, now,
                                                                   write_off_id=writeoff.id)
            if customer is not None and services.config.announces:  # told in the same transaction
                plan_events.writeoff(uow.session, plan_events.party(customer), customer.effective_grade,
                                     writeoff.id, closed, user, now)
        uow.audit.append(now, user, f"writeoff.{status.value}", writeoff.customer_id, detail)
        uow.commit()
        return Verdict(writeoff.id, decided=True, decision=decision_of(services, writeoff))


def _refusal(services: Services, writeoff: WriteOff, user: str) -> RefusalReason | None:
    if not services.config.is_risk_officer(user):
        return RefusalReason.NOT_WRITEOFF_APPROVER
    if writeoff.status != WriteOffStatus.PENDING:
        return RefusalReason.ALREADY_DECIDED
    if writeoff.requested_by == user:
        return RefusalReason.OWN_WRITEOFF
    return None


def decision_of(services: Services, writeoff: WriteOff) -> v.Decision:
    at = writeoff.decided_at or writeoff.requested_at
    return v.Decision(
        approved=writeoff.status == WriteOffStatus.APPROVED,
        by=writeoff.decided_by or SYSTEM,
        at=at.astimezone(services.config.tz),
        reason=writeoff.note,
    )


def view(services: Services, writeoff_id: int) -> v.Writeoff:
    """A stored write-off request as the approvals channel shows it."""
    with services.db.uow() as uow:
        writeoff = uow.writeoffs.get(writeoff_id)
        customer = uow.customers.get(writeoff.customer_id) if writeoff else None
        if writeoff is None or customer is None:
            raise DecisionError("这条核销申请已不存在 / this write-off request no longer exists")
        return writeoff_view(services, uow, writeoff, customer)


def writeoff_view(services: Services, uow: UnitOfWork, writeoff: WriteOff, customer: Customer) -> v.Writeoff:
    """The request as the approvals channel shows it; `open_tasks` counts the tasks it would
    close while pending and the tasks it closed once approved."""
    if writeoff.status == WriteOffStatus.APPROVED:
        tasks = uow.session.scalar(select(func.count()).select_from(Task).where(Task.write_off_id == writeoff.id))
    else:
        tasks = len(uow.tasks.open_for(customer.id))
    return v.Writeoff(
        id=writeoff.id,
        customer=conv.ref(customer),
        requested_by=writeoff.requested_by,
        requested_at=writeoff.requested_at.astimezone(services.config.tz),
        evidence=writeoff.text,
        evidence_url=writeoff.evidence,
        open_tasks=tasks or 0,
        sales_owner=customer.sales_owner,
        risk_officer=customer.risk_officer,
    )
