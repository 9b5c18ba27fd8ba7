"""What the reports show (the monthly 看板, KPIs, the quarterly review), as plain values the
message builders, the charts, the terminal tables and the workbooks all render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from scoring.grades import Grade
from scoring.outcomes import GradeHits


@dataclass(frozen=True)
class GradeAmount:
    grade: Grade | None  # None: not graded (yet) when it happened
    count: int
    amount: Decimal


@dataclass(frozen=True)
class MonthMix:
    month: str  # "2026-11"
    mix: dict[Grade, int]  # at the end of the month


@dataclass(frozen=True)
class MonthAmount:
    month: str
    amount: Decimal


@dataclass(frozen=True)
class PlanEffect:
    """预案执行效果: plan tasks, and what red/black customers paid since their grade took effect."""

    done: int  # closed in the month
    open: int  # still open at its end
    overdue: int  # of the open ones, open longer than scoring.outcomes.TASK_DUE_DAYS
    collected: Decimal
    outstanding: Decimal
    collected_share: float | None


@dataclass(frozen=True)
class Missed:
    customer_id: int
    name: str
    grade: Grade  # blue or yellow, 30 days before the event


@dataclass(frozen=True)
class Accuracy:
    """风险识别准确率: of the customers whose risk came true this month, how many were red/black
    30 days before (caught) and how many blue/yellow (missed)."""

    realised: int
    caught: int
    missed: int
    ungraded: int
    rate: float | None  # caught ÷ (caught + missed)
    missed_customers: tuple[Missed, ...]


@dataclass(frozen=True)
class KpiLine:
    owner: str
    high_risk_customers: int
    recovered: Decimal
    receivable_at_start: Decimal
    recovery_rate: float | None  # 回款率
    on_time: int
    overdue: int
    alerts: int
    unanswered: int  # alerts without a follow-up yet
    median_hours: float | None  # 风险上报及时性: alert → first follow-up
    losses: Decimal


@dataclass(frozen=True)
class KpiReport:
    period: str  # "2026Q4" or "2026-11"
    start: date
    last_day: date
    today: date  # follow-ups on time / overdue are counted as of this day
    sales: tuple[KpiLine, ...]
    risk: tuple[KpiLine, ...]
    team: KpiLine  # every customer, owned or not: what the channel sees

    def lines_of(self, owner: str) -> tuple[tuple[str, KpiLine], ...]:
        """(role, line) of one owner: "sales", "risk" or both."""
        return tuple((role, line) for role, lines in (("sales", self.sales), ("risk", self.risk))
                     for line in lines if line.owner == owner)


@dataclass(frozen=True)
class MonthlyReport:
    month: str
    start: date
    last_day: date
    mix_now: dict[Grade, int]
    mix_before: dict[Grade, int]  # at the start of the month
    history: tuple[MonthMix, ...]  # the last 12 months, oldest first
    receivables: tuple[GradeAmount, ...]  # 待回款 today, by grade
    losses: tuple[GradeAmount, ...]  # 风险损失金额 booked in the month, by the grade at the time
    losses_by_month: tuple[MonthAmount, ...]
    plans: PlanEffect
    accuracy: Accuracy
    kpi: KpiReport

    @property
    def total_losses(self) -> Decimal:
        return sum((g.amount for g in self.losses), Decimal(0))


@dataclass(frozen=True)
class Standing:
    """A customer's applied grade and latest assessed score at one moment (None: none by then)."""

    grade: Grade | None
    score: float | None


@dataclass(frozen=True)
class ReviewRow:
    customer_id: int
    name: str
    first_on: date
    events: int
    loss: Decimal
    at_start: Standing
    before_30: Standing
    before_90: Standing
    credit_code: str = ""
    profile: str | None = None  # of its latest assessment before its first event


@dataclass(frozen=True)
class ProfileQuality:
    profile: str
    customers: int
    losses: int
    hits: tuple[GradeHits, ...]
    auc: float | None
    ks: float | None


@dataclass(frozen=True)
class QuietIndicator:
    """An indicator that cost the missed customers few points: a risk it did not see."""

    key: str
    label: str
    silent: int  # missed customers on which it cost no points
    known: int  # missed customers on which its value was known
    average_points: float
    weight: float  # its largest weight in the profiles in use


@dataclass(frozen=True)
class QuarterReview:
    quarter: str
    start: date
    last_day: date
    rows: tuple[ReviewRow, ...]
    profiles: tuple[ProfileQuality, ...]
    missed: int  # blue/yellow at the start of the quarter, with a loss in it
    quiet: tuple[QuietIndicator, ...]


@dataclass(frozen=True)
class WhatIf:
    """The same customers graded by the profile in use and by a candidate."""

    profile: str  # the profile the candidate replaces
    candidate: str  # its file
    customers: int  # rescored (those of that profile with a risk event in the quarter)
    losses: int
    caught_now: int  # of those with a loss, red/black by the profile in use
    caught_candidate: int
    worse: int  # grades the candidate makes stricter
    better: int
