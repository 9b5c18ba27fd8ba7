"""The monthly dashboard (月度看板, seed §8.1) for one month, as of `now`:

- the grade mix at the end of the month against its start, and at the end of each of the
  last 12 months (from the grade history);
- 待回款: today's receivables by today's grade (the ledger keeps no history of amounts);
- 风险损失金额: losses booked in the month, by the grade each customer held on the day;
- 预案执行效果: plan tasks closed in the month, open at its end and open too long, and for
  today's red and black customers the share of what they owed when the grade took effect
  that has been collected since;
- 风险识别准确率: of the customers with a loss or a serious overdue in the month, how many were
  already red/black 30 days before the first such event (caught) and how many blue/yellow
  (missed) — the grade the ledger applied then, as the quarterly review judges it too;
- the month's KPIs per owner (reports.kpi).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from messages.report_views import (
    Accuracy, GradeAmount, KpiReport, Missed, MonthAmount, MonthlyReport, MonthMix, PlanEffect,
)
from reports.kpi import kpi_tables, local_start, utc_start
from scoring.grades import Grade
from scoring.outcomes import (
    HIGH_RISK, LOOKBACK_DAYS, SERIOUS_OVERDUE_DAYS, TASK_DUE_DAYS, Period, month_of, months_ending, previous_month,
    share,
)
from storage.models import Customer, EventKind
from storage.repos.reports import ReportQueries
from storage.uow import Database

HISTORY_MONTHS = 12
MISSED_SHOWN = 10


def monthly_report(db: Database, period: Period, tz: tzinfo, now: datetime) -> MonthlyReport:
    today = now.astimezone(tz).date()
    months = months_ending(period, HISTORY_MONTHS)
    with db.uow() as uow:
        q = ReportQueries(uow.session)
        history, before = grade_history(q, months, tz, now, also=local_start(period.start, tz))
        receivables = q.receivables_by_grade()
        counts = uow.customers.count_by_grade()
        losses = q.events_by_grade(EventKind.LOSS, period.start, period.end)
        by_day = q.amounts_by_day(EventKind.LOSS, months[0].start, period.end)
        plans = _plans(q, period, tz)
        accuracy = _accuracy(uow.session, q, period, tz)
        kpi = KpiReport(period.name, period.start, period.last_day, today, *kpi_tables(q, period, tz, today))
    return MonthlyReport(
        month=period.name,
        start=period.start,
        last_day=period.last_day,
        mix_now=history[-1].mix,
        mix_before=before,
        history=history,
        receivables=tuple(GradeAmount(g, counts.get(g, 0), receivables[g]) for g in (*Grade, None) if g in receivables),
        losses=tuple(GradeAmount(g, *losses[g]) for g in (*Grade, None) if g in losses),
        losses_by_month=_by_month(by_day, months),
        plans=plans,
        accuracy=accuracy,
        kpi=kpi,
    )


def grade_history(q: ReportQueries, months: list[Period], tz: tzinfo, now: datetime,
                  also: datetime | None = None) -> tuple[tuple[MonthMix, ...], dict[Grade, int]]:
    """The grade mix at the end of each month (at `now` for a month not over yet), and at the
    moment `also` (the start of the reported month) in the same pass."""
    moments = [min(local_start(m.end, tz), now) for m in months]
    *mixes, extra = q.grade_mixes_at([*moments, also or moments[-1]])
    return tuple(MonthMix(m.name, _full(mix)) for m, mix in zip(months, mixes, strict=True)), _full(extra)


def losses_by_month(q: ReportQueries, months: list[Period]) -> tuple[MonthAmount, ...]:
    return _by_month(q.amounts_by_day(EventKind.LOSS, months[0].start, months[-1].end), months)


def _by_month(by_day: list[tuple[date, Decimal]], months: list[Period]) -> tuple[MonthAmount, ...]:
    return tuple(MonthAmount(m.name, sum((amount for day, amount in by_day if day in m), Decimal(0))) for m in months)


def _full(mix: dict[Grade, int]) -> dict[Grade, int]:
    return {grade: mix.get(grade, 0) for grade in Grade}


def _plans(q: ReportQueries, period: Period, tz: tzinfo) -> PlanEffect:
    end_at = local_start(period.end, tz)
    done, still_open, overdue = q.task_counts(local_start(period.start, tz), end_at, end_at - timedelta(days=TASK_DUE_DAYS))
    collected, outstanding = q.high_risk_collection()
    return PlanEffect(done, still_open, overdue, collected, outstanding, share(collected, collected + outstanding))


def _accuracy(session: Session, q: ReportQueries, period: Period, tz: tzinfo) -> Accuracy:
    realised = q.realised(period.start, period.end, SERIOUS_OVERDUE_DAYS)
    cutoffs = {cid: utc_start(day - timedelta(days=LOOKBACK_DAYS), tz) for cid, day in realised.items()}
    grades = q.grades_before(cutoffs)
    caught = sum(1 for g in grades.values() if g in HIGH_RISK)
    missed_ids = sorted(cid for cid, g in grades.items() if g not in HIGH_RISK)
    shown = missed_ids[:MISSED_SHOWN]
    names = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(shown))).all())
    return Accuracy(
        realised=len(realised),
        caught=caught,
        missed=len(missed_ids),
        ungraded=len(realised) - len(grades),
        rate=share(caught, caught + len(missed_ids)),
        missed_customers=tuple(Missed(cid, names[cid], grades[cid]) for cid in shown),
    )


def month_to_report(today: date) -> Period:
    """The month a report posted on `today` is about: the one that just ended."""
    return previous_month(month_of(today))
