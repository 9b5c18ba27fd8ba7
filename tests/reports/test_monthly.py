"""The monthly dashboard and the KPIs on the hand-worked ledger of tests/reports/ledger.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from messages.report_views import KpiLine, MonthAmount, MonthlyReport
from reports.kpi import kpi_report
from reports.monthly import monthly_report
from scoring.grades import Grade
from scoring.outcomes import month, quarter
from storage.uow import Database
from tests.reports.ledger import R1, S1, S2, Ids, at, build

TZ = ZoneInfo("Asia/Shanghai")
NOW = at(12, 1)  # Tuesday 1 December, 10:00 in Shanghai


@pytest.fixture
def ids(db: Database) -> Ids:
    return build(db)


@pytest.fixture
def november(db: Database, ids: Ids) -> MonthlyReport:
    return monthly_report(db, month(2026, 11), TZ, NOW)


def test_grade_mix_at_the_end_of_the_month_against_its_start_from_applied_changes_only(november: MonthlyReport) -> None:
    assert november.mix_now == {Grade.BLUE: 1, Grade.YELLOW: 1, Grade.RED: 1, Grade.BLACK: 1}
    assert november.mix_before == {Grade.BLUE: 2, Grade.YELLOW: 0, Grade.RED: 1, Grade.BLACK: 1}
    history = {m.month: m.mix for m in november.history}
    assert list(history)[0] == "2025-12" and list(history)[-1] == "2026-11" and len(history) == 12
    assert history["2026-02"] == {Grade.BLUE: 0, Grade.YELLOW: 0, Grade.RED: 0, Grade.BLACK: 0}
    assert history["2026-03"] == {Grade.BLUE: 1, Grade.YELLOW: 0, Grade.RED: 0, Grade.BLACK: 0}
    # 丙 turned black on 1 September at 10:00 local time: after the end of August.
    assert history["2026-08"] == {Grade.BLUE: 3, Grade.YELLOW: 0, Grade.RED: 0, Grade.BLACK: 0}
    assert history["2026-09"] == {Grade.BLUE: 3, Grade.YELLOW: 0, Grade.RED: 0, Grade.BLACK: 1}
    assert history["2026-10"] == {Grade.BLUE: 2, Grade.YELLOW: 0, Grade.RED: 1, Grade.BLACK: 1}


def test_receivables_by_todays_grade_and_the_months_losses_by_the_grade_at_the_time(november: MonthlyReport) -> None:
    assert [(g.grade, g.count, g.amount) for g in november.receivables] == [
        (Grade.BLUE, 1, Decimal(0)), (Grade.YELLOW, 1, Decimal(100_000)), (Grade.RED, 1, Decimal(60_000)),
        (Grade.BLACK, 1, Decimal(20_000)), (None, 3, Decimal(7_000))]
    assert [(g.grade, g.count, g.amount) for g in november.losses] == [
        (Grade.RED, 1, Decimal(10_000)), (Grade.BLACK, 1, Decimal(5_000)), (None, 1, Decimal(1_000))]
    assert november.total_losses == Decimal(16_000)
    assert november.losses_by_month[-2:] == (MonthAmount("2026-10", Decimal(2_000)),
                                             MonthAmount("2026-11", Decimal(16_000)))
    assert all(m.amount == 0 for m in november.losses_by_month[:-2])


def test_plan_tasks_and_the_share_red_and_black_customers_paid_since_their_grade(november: MonthlyReport) -> None:
    plans = november.plans
    assert (plans.done, plans.open, plans.overdue) == (1, 2, 1)
    assert (plans.collected, plans.outstanding) == (Decimal(40_000), Decimal(80_000))
    assert plans.collected_share == pytest.approx(1 / 3)


def test_accuracy_counts_who_was_already_red_or_black_thirty_days_before(november: MonthlyReport, ids: Ids) -> None:
    a = november.accuracy
    assert (a.realised, a.caught, a.missed, a.ungraded) == (4, 2, 1, 1)
    assert a.rate == pytest.approx(2 / 3)
    assert [(c.customer_id, c.name, c.grade) for c in a.missed_customers] == [(ids.c2, "乙公司", Grade.BLUE)]


def test_kpis_per_salesperson_and_risk_officer(november: MonthlyReport) -> None:
    k = november.kpi
    assert (k.period, k.start, k.last_day, k.today) == ("2026-11", date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1))
    assert k.sales == (
        KpiLine(S1, 1, Decimal(40_000), Decimal(100_000), 0.4, 1, 1, 2, 0, 21.0, Decimal(10_000)),
        KpiLine(S2, 1, Decimal(0), Decimal(20_000), 0.0, 1, 1, 1, 1, None, Decimal(6_000)),
    )
    [risk] = k.risk
    assert risk == KpiLine(R1, 2, Decimal(40_000), Decimal(120_000), pytest.approx(1 / 3), 3, 1, 3, 1, 21.0,
                           Decimal(15_000))
    assert k.lines_of(S1) == (("sales", k.sales[0]),)
    # everyone, owned or not (己 and 庚 have no owner and no next due: on time)
    assert k.team == KpiLine("team", 2, Decimal(40_000), Decimal(120_000), pytest.approx(1 / 3), 5, 2, 3, 1, 21.0,
                             Decimal(16_000))


def test_quarter_kpis_add_up_the_quarter(db: Database, ids: Ids) -> None:
    """Q4: at its start 丙 alone was black (甲 turned red on 10-10); 戊's October loss counts."""
    k = kpi_report(db, quarter(2026, 4), TZ, date(2026, 12, 1))
    assert [(line.owner, line.high_risk_customers, line.receivable_at_start, line.losses) for line in k.risk] == [
        (R1, 1, Decimal(20_000), Decimal(17_000))]
    assert [(line.owner, line.alerts, line.unanswered) for line in k.sales] == [(S1, 3, 0), (S2, 1, 1)]


def test_the_losses_section_counts_customers_not_events(db: Database, ids: Ids) -> None:
    """Two losses of 甲 at red: ¥15,000 from one customer ("1 位"), not two."""
    from storage.models import EventKind, RiskEvent

    with db.uow() as uow:
        uow.session.add(RiskEvent(customer_id=ids.c1, kind=EventKind.LOSS, occurred_on=date(2026, 11, 25),
                                  amount=5_000, grade=Grade.RED, source="test", recorded_by=R1, recorded_at=NOW))
        uow.commit()
    report = monthly_report(db, month(2026, 11), TZ, NOW)
    assert [(g.grade, g.count, g.amount) for g in report.losses][0] == (Grade.RED, 1, Decimal(15_000))
