"""Sales and risk KPIs per owner (seed §8.2): for each salesperson and each risk officer, the
回款率 of their high-risk customers, follow-ups on time and overdue, how fast a newly crossed
alert line got its first follow-up (风险上报及时性) and the losses on their customers.

- 回款率: recovered in the period ÷ receivable at its start, over the customers red or black at
  the start. The ledger keeps today's outstanding amount only, so the receivable at the start is
  today's outstanding plus everything recovered since the start (new sales are not known).
- Follow-ups on time / overdue: the owner's customers whose next follow-up is not yet / already
  past due today, as the digest counts them.
- Timeliness: the median hours from each alert detected in the period to the first follow-up
  logged on that customer after it; alerts with none yet are counted apart.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from messages.report_views import KpiLine, KpiReport
from scoring.outcomes import Period, median, share
from storage.repos.reports import OwnerFigures, ReportQueries
from storage.uow import Database

ROLES = ("sales_owner", "risk_officer")


def local_start(day: date, tz: tzinfo) -> datetime:
    """The first instant of `day` in the team's time zone."""
    return datetime.combine(day, time(0), tzinfo=tz)


def kpi_lines(queries: ReportQueries, role: str, period: Period, tz: tzinfo, today: date) -> tuple[KpiLine, ...]:
    start_at, end_at = local_start(period.start, tz), local_start(period.end, tz)
    answers: dict[str, list[float]] = {}
    unanswered: dict[str, int] = {}
    for owner, detected, first in queries.alert_answers(role, start_at, end_at):
        if first is None:
            unanswered[owner] = unanswered.get(owner, 0) + 1
        else:
            answers.setdefault(owner, []).append((first - detected).total_seconds() / 3600)
    return tuple(
        _line(f, answers.get(f.owner, []), unanswered.get(f.owner, 0))
        for f in queries.owner_figures(role, period.start, period.end, start_at, today)
    )


def _line(f: OwnerFigures, hours: list[float], unanswered: int) -> KpiLine:
    return KpiLine(
        owner=f.owner,
        high_risk_customers=f.high_risk_customers,
        recovered=f.recovered,
        receivable_at_start=f.receivable_at_start,
        recovery_rate=share(f.recovered, f.receivable_at_start),
        on_time=f.on_time,
        overdue=f.overdue,
        alerts=len(hours) + unanswered,
        unanswered=unanswered,
        median_hours=median(hours),
        losses=f.losses,
    )


def kpi_report(db: Database, period: Period, tz: tzinfo, today: date) -> KpiReport:
    with db.uow() as uow:
        queries = ReportQueries(uow.session)
        sales, risk = (kpi_lines(queries, role, period, tz, today) for role in ROLES)
    return KpiReport(period=period.name, start=period.start, last_day=period.last_day, today=today,
                     sales=sales, risk=risk)
