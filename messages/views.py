"""The display-ready values builders turn into messages ("views").

The bot layer fills these from the database and the domain; builders only format. Rules
that hold for every view:

- Text fields hold *plain* text exactly as a person typed it (unescaped); builders escape.
- An owner, author, requester or approver is a Slack user id (`U…`/`W…`, shown as a mention)
  or an e-mail address (shown as text).
- Dates and datetimes are shown as given: pass datetimes already in the team's time zone.
- Nothing here reads a clock: "overdue by N days" is computed by the caller.
- Money is CNY as Decimal (int and float accepted).

The enumerations these views carry (units, list kinds, subcommands, refusals, alert kinds)
live in messages.kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from messages.event_views import EventEntry
from messages.kinds import AlertKind, Unit
from scoring.grades import Grade
from scoring.plans import Task  # the work a plan starts (SPEC §6)

Money = Decimal | int | float


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRef:
    """A customer named in a line or on a button; `grade` None means not graded yet."""

    id: int
    name: str
    grade: Grade | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A possible match for a lookup or an unclear follow-up; the code tells namesakes apart."""

    id: int
    name: str
    grade: Grade | None = None
    credit_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorRow:
    """One indicator of an assessment: its value and what it cost.

    `unit` CNY marks a money row: the shared card hides its value and reason.
    `reason` is the rule that applied ("> 3 次"), without repeating the value.
    """

    label: str
    value: Money | str | None
    unit: Unit = Unit.COUNT
    points_lost: float = 0.0
    reason: str = ""

    @property
    def is_money(self) -> bool:
        return self.unit is Unit.CNY


@dataclass(frozen=True, slots=True, kw_only=True)
class Floor:
    """A rule that keeps the grade no better than `grade`, and why ("失信被执行人记录 1 条")."""

    grade: Grade
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The response plan of `grade` as computed for one customer (SPEC §6).

    Terms are None when the customer has no agreed terms on file.
    """

    grade: Grade
    terms_before_days: int | None = None
    terms_after_days: int | None = None
    prepayment_pct: int | None = None
    task: Task | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowupEntry:
    author: str
    on: date
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingChange:
    """A grade change waiting for a director, as shown on the card."""

    from_grade: Grade | None
    to_grade: Grade
    requested_by: str
    requested_at: datetime


@dataclass(frozen=True)
class Freshness:
    """Where one indicator's value came from and when (资料时效); `stale`: past twice its
    refresh interval (资料过期), so it counts as unknown for coverage."""

    label: str
    source: str  # "provider", "import", "slack" or anything else a history row names
    origin: str  # the provider's name, the file's name, the Slack user
    observed_on: date
    stale: bool = False


@dataclass(frozen=True, kw_only=True)
class CustomerCard:
    """Everything `/risk <name>` shows.

    `grade` is the effective grade. `computed_grade` is shown next to it when a manual grade
    holds (`manual_hold`). `breakdown` lists every indicator; the card shows those that cost
    points. `recent_followups` newest first (three are shown). `days_overdue` > 0 marks the
    next follow-up as overdue. `recent_events` newest first (风险事件).
    """

    id: int
    name: str
    credit_code: str
    industry: str | None
    profile: str
    grade: Grade | None
    score: float | None
    provisional: bool = False
    missing: tuple[str, ...] = ()
    breakdown: tuple[IndicatorRow, ...] = ()
    floors: tuple[Floor, ...] = ()
    plan: Plan | None = None
    sales_owner: str | None = None
    risk_officer: str | None = None
    cadence_days: int | None = None
    next_due: date | None = None
    days_overdue: int = 0
    recent_followups: tuple[FollowupEntry, ...] = ()
    pending: PendingChange | None = None
    computed_grade: Grade | None = None
    manual_hold: bool = False
    outstanding_amount: Money | None = None
    aliases: tuple[str, ...] = ()
    recent_events: tuple[EventEntry, ...] = ()
    freshness: tuple[Freshness, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerLine:
    """One customer in a list: `/risk mine`, `list …`, App Home, nudges.

    `pending_to` is the grade of a change awaiting approval, if any.
    """

    id: int
    name: str
    grade: Grade | None
    score: float | None = None
    next_due: date | None = None
    days_overdue: int = 0
    provisional: bool = False
    pending_to: Grade | None = None


@dataclass(frozen=True, kw_only=True)
class Stats:
    """`/risk stats`: customers per effective grade and the follow-up backlog."""

    grade_counts: Mapping[Grade, int]
    ungraded: int = 0
    provisional: int = 0
    due: int = 0
    overdue: int = 0
    pending: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowupStored:
    """The thread reply after a follow-up message was stored."""

    customer: CustomerRef
    author: str
    text: str
    next_due: date | None
    cadence_days: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeLine:
    """A grade change in a list: pending ones (by = requester) or applied ones (by = who decided)."""

    change_id: int
    customer: CustomerRef
    from_grade: Grade | None
    to_grade: Grade
    by: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Home:
    """The App Home of `user`. `pending_approvals` None hides that section (not a director)."""

    user: str
    customers: tuple[CustomerLine, ...]
    due: tuple[CustomerLine, ...]
    grade_mix: Mapping[Grade, int]
    pending_approvals: tuple[ChangeLine, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class GradeChange:
    """A recorded grade change (SPEC §8) as the approvals channel sees it.

    `moved` are the indicators whose values changed, `floors` the floors now in force,
    `reason` the words of a hand proposal. `plan` is the plan of `to_grade`.
    """

    id: int
    customer: CustomerRef
    from_grade: Grade | None
    to_grade: Grade
    score: float | None
    plan: Plan
    requested_by: str
    requested_at: datetime
    moved: tuple[IndicatorRow, ...] = ()
    floors: tuple[Floor, ...] = ()
    reason: str | None = None
    sales_owner: str | None = None
    risk_officer: str | None = None
    directors: tuple[str, ...] = ()

    @property
    def needs_confirm(self) -> bool:
        """Into black ends all cooperation: Approve asks once more."""
        return self.to_grade is Grade.BLACK


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """Who approved or rejected a request, when, and the reason of a rejection."""

    approved: bool
    by: str
    at: datetime
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class AppliedChange:
    """A grade change now in force, for the owners' DM and the finance channel.

    `decision` None means it applied at once (no red or black involved).
    """

    change: GradeChange
    decision: Decision | None
    cadence_days: int | None
    next_due: date | None
    outstanding_amount: Money | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Writeoff:
    """A write-off request (SPEC §9); `evidence_url` a Slack file permalink or a link."""

    id: int
    customer: CustomerRef
    requested_by: str
    requested_at: datetime
    evidence: str
    evidence_url: str | None = None
    open_tasks: int = 0
    sales_owner: str | None = None
    risk_officer: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertLine:
    kind: AlertKind
    value: Money | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """All lines one customer crossed in one data update."""

    customer: CustomerRef
    lines: tuple[AlertLine, ...]
    sales_owner: str | None = None
    risk_officer: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NudgeItem:
    """A due (`days_overdue` 0) or overdue customer in an owner's nudge."""

    customer: CustomerRef
    next_due: date
    days_overdue: int = 0
    last_followup: FollowupEntry | None = None
    pending_to: Grade | None = None  # a grade change waiting for a director


@dataclass(frozen=True, slots=True, kw_only=True)
class Nudge:
    owner: str
    items: tuple[NudgeItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalation:
    """A customer overdue by a full cadence or more, for the alerts channel."""

    customer: CustomerRef
    cadence_days: int
    next_due: date
    days_overdue: int
    last_followup: FollowupEntry | None = None
    sales_owner: str | None = None
    risk_officer: str | None = None
    pending_to: Grade | None = None  # a grade change waiting for a director


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnerOverdue:
    owner: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Receivable:
    customer: CustomerRef
    amount: Money


@dataclass(frozen=True, kw_only=True)
class Digest:
    """The weekly digest; `previous_mix` is last week's grade mix, for the change."""

    week_start: date
    week_end: date
    grade_mix: Mapping[Grade, int]
    previous_mix: Mapping[Grade, int] = field(default_factory=dict)
    changes: tuple[ChangeLine, ...] = ()
    pending: tuple[ChangeLine, ...] = ()
    overdue_by_owner: tuple[OwnerOverdue, ...] = ()
    largest_receivables: tuple[Receivable, ...] = ()
