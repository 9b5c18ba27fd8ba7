"""The daily nudge run (SPEC §7): who must follow up on which customers today, claimed so
that each (owner, customer, due date) goes out once whatever restarts, retries or replicas.

The database is the only memory: a run works out everything due as of `now` (so a run after
downtime catches up, and what fell due on a holiday is still due on the next workday) and
claims it before anything is sent. A claim never marked sent — the sender died, or Slack
failed — is taken over by a later run once it is older than `CLAIM_LEASE`. This module never
talks to Slack: `bot.jobs` sends one DM per owner and marks the claims sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import Services
from messages import views as v
from scoring.cadence import CADENCE_DAYS, days_overdue, escalation_due, tracking_grade
from scoring.grades import Grade
from storage.models import ChangeStatus, Customer, Followup, GradeChange, NudgeKind
from storage.repos.nudge_batches import ClaimKey, NudgeBatchRepository

CLAIM_LEASE = timedelta(minutes=10)
"""An unsent claim younger than this is presumed in flight (another run is sending it)."""

_C = Customer.__table__
_F = Followup.__table__
_G = GradeChange.__table__
_PAGE = 500


class Quiet(StrEnum):
    """Why a scheduled run sends nothing at all."""

    NOT_WORKDAY = "not_workday"  # what is due goes out on the next workday
    TOO_EARLY = "too_early"  # before nudges.time: the run at nudges.time sends it


@dataclass(frozen=True)
class OwnerNudge:
    """One owner's DM and the claims it settles once Slack accepts it."""

    owner: str
    nudge: v.Nudge
    claim_ids: tuple[int, ...]


@dataclass(frozen=True)
class EscalationPost:
    """One long-overdue customer for the alerts channel, and its claim."""

    escalation: v.Escalation
    claim_id: int | None


@dataclass(frozen=True)
class NudgePlan:
    """What one run sends: per-owner DMs and escalations (claimed unless a dry run)."""

    today: date
    quiet: Quiet | None = None
    next_workday: date | None = None
    nudges: tuple[OwnerNudge, ...] = ()
    escalations: tuple[EscalationPost, ...] = ()
    retried: int = 0  # claims taken over from an earlier run that never got them out

    @property
    def customers(self) -> int:
        return len({i.customer.id for n in self.nudges for i in n.nudge.items})


@dataclass(frozen=True)
class _Due:
    id: int
    name: str
    grade: Grade | None
    tracking: Grade | None
    next_due: date
    sales_owner: str | None
    risk_officer: str | None
    pending_to: Grade | None  # a requested grade waiting for a director (the first one, say)

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o for o in (self.sales_owner, self.risk_officer) if o))


def quiet_reason(services: Services, now: datetime, *, wait_for_time: bool = True) -> Quiet | None:
    """A scheduled run does nothing on a non-workday, nor before nudges.time on a workday."""
    local = now.astimezone(services.config.tz)
    if not services.workdays.is_workday(local.date()):
        return Quiet.NOT_WORKDAY
    if wait_for_time and local.time() < services.config.nudge_time:
        return Quiet.TOO_EARLY
    return None


def nudge_plan(services: Services, now: datetime, *, claim: bool = True, wait_for_time: bool = True) -> NudgePlan:
    """Work out every owner's due and overdue customers as of `now` and claim them.

    With `claim=False` (a dry run) nothing is written: the plan is what a run would send.
    `wait_for_time=False` runs before nudges.time too (an operator's `riskbot nudge`).
    """
    tz = services.config.tz
    today = now.astimezone(tz).date()
    quiet = quiet_reason(services, now, wait_for_time=wait_for_time)
    if quiet is not None:
        nxt = services.workdays.on_or_after(today + timedelta(days=1)) if quiet is Quiet.NOT_WORKDAY else today
        return NudgePlan(today=today, quiet=quiet, next_workday=nxt)
    alerts = services.config.alerts_channel
    with services.db.uow() as uow:
        session = uow.session
        due = _due_customers(session, today)
        wanted: dict[ClaimKey, _Due] = {}
        for row in due:
            for owner in row.owners:
                wanted[ClaimKey(NudgeKind.NUDGE.value, owner, row.id, row.next_due)] = row
            if alerts and row.tracking is not None and escalation_due(row.tracking, row.next_due, today):
                wanted[ClaimKey(NudgeKind.ESCALATION.value, alerts, row.id, row.next_due)] = row
        batches = NudgeBatchRepository(session)
        stale_before = now - CLAIM_LEASE
        won: dict[ClaimKey, int | None]
        if claim:
            won = {c.key: c.id for c in batches.claim_many(wanted, now)}  # new claims
            retry = {c.id: c.key for c in batches.stale_for_current_dues(stale_before)
                     if c.key in wanted and c.key not in won}
            taken = batches.reclaim_many(retry, now, stale_before)
            won.update({retry[i]: i for i in taken})
        else:
            taken = set()  # a dry run: what has no claim yet, or only an abandoned one
            blocked = batches.sent_or_claimed_since({row.id for row in due}, stale_before)
            won = {key: None for key in wanted if key not in blocked}
        lasts = _last_followups(session, {key.customer_id for key in won}, tz)
        if claim:
            uow.commit()
    return _plan(today, wanted, won, lasts, retried=len(taken))


def _plan(
    today: date,
    wanted: dict[ClaimKey, _Due],
    won: dict[ClaimKey, int | None],
    lasts: dict[int, v.FollowupEntry],
    *,
    retried: int,
) -> NudgePlan:
    items: dict[str, list[tuple[v.NudgeItem, int | None]]] = defaultdict(list)
    escalations = []
    for key, claim_id in sorted(won.items(), key=lambda kv: kv[0]):
        row = wanted[key]
        ref = v.CustomerRef(id=row.id, name=row.name, grade=row.grade)
        overdue = days_overdue(row.next_due, today)
        last = lasts.get(row.id)
        if key.kind == NudgeKind.ESCALATION:
            assert row.tracking is not None
            escalations.append(EscalationPost(
                v.Escalation(customer=ref, cadence_days=CADENCE_DAYS[row.tracking], next_due=row.next_due,
                             days_overdue=overdue, last_followup=last, sales_owner=row.sales_owner,
                             risk_officer=row.risk_officer, pending_to=row.pending_to),
                claim_id,
            ))
        else:
            item = v.NudgeItem(customer=ref, next_due=row.next_due, days_overdue=overdue, last_followup=last,
                               pending_to=row.pending_to)
            items[key.owner].append((item, claim_id))
    nudges = tuple(
        OwnerNudge(
            owner=owner,
            nudge=v.Nudge(owner=owner, items=tuple(item for item, _ in pairs)),
            claim_ids=tuple(claim_id for _, claim_id in pairs if claim_id is not None),
        )
        for owner, pairs in sorted(items.items())
    )
    return NudgePlan(today=today, nudges=nudges, escalations=tuple(escalations), retried=retried)


def _due_customers(session: Session, today: date) -> list[_Due]:
    """Customers due on or before `today` (the indexed next_due), with the grade that paces them."""
    rows = session.execute(
        select(_C.c.id, _C.c.name, _C.c.effective_grade, _C.c.next_due, _C.c.sales_owner, _C.c.risk_officer)
        .where(_C.c.next_due <= today)
        .order_by(_C.c.next_due, _C.c.id)
    ).all()
    pending: dict[int, Grade] = dict(
        session.execute(select(_G.c.customer_id, _G.c.to_grade).where(_G.c.status == ChangeStatus.PENDING)).all()
    )
    return [
        _Due(r.id, r.name, r.effective_grade, tracking_grade(r.effective_grade, pending.get(r.id)), r.next_due,
             r.sales_owner, r.risk_officer, pending.get(r.id))
        for r in rows
    ]


def _last_followups(session: Session, customer_ids: Iterable[int], tz: tzinfo) -> dict[int, v.FollowupEntry]:
    """Each customer's latest follow-up, found through the denormalised customers.last_followup_at."""
    out: dict[int, tuple[int, v.FollowupEntry]] = {}
    for page in _pages(sorted(set(customer_ids))):
        rows = session.execute(
            select(_F.c.id, _F.c.customer_id, _F.c.author, _F.c.created_at, _F.c.text)
            .join(_C, (_C.c.id == _F.c.customer_id) & (_C.c.last_followup_at == _F.c.created_at))
            .where(_F.c.customer_id.in_(page))
        )
        for r in rows:
            if r.customer_id not in out or r.id > out[r.customer_id][0]:
                entry = v.FollowupEntry(author=r.author, on=r.created_at.astimezone(tz).date(), text=r.text)
                out[r.customer_id] = (r.id, entry)
    return {customer_id: entry for customer_id, (_, entry) in out.items()}


def _pages(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _PAGE):
        yield items[start:start + _PAGE]
