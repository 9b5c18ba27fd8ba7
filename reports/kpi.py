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

from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal

from messages.report_views import KpiLine, KpiReport
from scoring.outcomes import Period, median, share
from storage.repos.reports import OwnerFigures, ReportQueries
from storage.uow import Database

TEAM = "team"  # the owner of the line that sums everyone
Lines = tuple[KpiLine, ...]


def local_start(day: date, tz: tzinfo) -> datetime:
    """The first instant of `day` in the team's time zone."""
    return datetime.combine(day, time(0), tzinfo=tz)


def utc_start(day: date, tz: tzinfo) -> datetime:
    """The same instant in UTC: compared by the hundred thousand, UTC datetimes are far cheaper
    than ones in a ZoneInfo zone."""
    return local_start(day, tz).astimezone(UTC)


def kpi_tables(q: ReportQueries, period: Period, tz: tzinfo, today: date) -> tuple[Lines, Lines, KpiLine]:
    """(sales lines, risk lines, the whole team's line); the lines sorted by owner."""
    start_at, end_at = utc_start(period.start, tz), utc_start(period.end, tz)
    pairs = q.owner_figures(period.start, period.end, start_at, today)
    alerts = q.alert_answers(start_at, end_at)
    roles = []
    for part in (0, 1):
        answers: dict[str, list[float]] = {}
        unanswered: dict[str, int] = {}
        for *owners, detected, first in alerts:
            owner = owners[part]
            if owner is None:
                continue
            if first is None:
                unanswered[owner] = unanswered.get(owner, 0) + 1
            else:
                answers.setdefault(owner, []).append(_hours(detected, first))
        folded = _fold(pairs, part)
        roles.append(tuple(_line(folded[o], answers.get(o, []), unanswered.get(o, 0)) for o in sorted(folded)))
    team = _fold(pairs, None).get(TEAM) or OwnerFigures(TEAM, 0, Decimal(0), Decimal(0), 0, 0, Decimal(0))
    hours = [_hours(detected, first) for *_, detected, first in alerts if first is not None]
    return roles[0], roles[1], _line(team, hours, sum(1 for *_, first in alerts if first is None))


def _hours(detected: datetime, first: datetime) -> float:
    return (first - detected).total_seconds() / 3600


def _fold(pairs: list[OwnerFigures], part: int | None) -> dict[str, OwnerFigures]:
    """The (sales|risk) pairs' sums per owner of one role (`part` 0 or 1), or of everyone (None)."""
    out: dict[str, OwnerFigures] = {}
    for pair in pairs:
        owner = TEAM if part is None else pair.owner.split("|")[part]
        if not owner:
            continue
        seen = out.get(owner)
        out[owner] = pair._replace(owner=owner) if seen is None else OwnerFigures(
            owner, *(a + b for a, b in zip(seen[1:], pair[1:], strict=True)))
    return out


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
        sales, risk, team = kpi_tables(ReportQueries(uow.session), period, tz, today)
    return KpiReport(period=period.name, start=period.start, last_day=period.last_day, today=today,
                     sales=sales, risk=risk, team=team)
