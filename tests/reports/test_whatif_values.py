"""The what-if rescores from the values the ledger really held at the start of the quarter, on a
ledger built through the real import (a new customer writes no value history; a later import
writes only the keys that changed), so the profile in use gives back the grades it gave then."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from reports.kpi import utc_start
from reports.review import standings
from reports.whatif import grade_of, what_if
from scoring.grades import Grade
from scoring.outcomes import quarter
from scoring.profiles import load_candidate
from storage.models import Customer, EventKind, RiskEvent
from storage.repos.reports import ReportQueries
from storage.uow import Database
from tests.ledger.helpers import PROFILES, customer, run_import, write_csv

TZ = ZoneInfo("Asia/Shanghai")
Q4 = quarter(2026, 4)
AUGUST, SEPTEMBER, NOVEMBER = (datetime(2026, m, 3, 2, tzinfo=UTC) for m in (8, 9, 11))
# The candidate weighs overdue payments far more and adds services' 付费意愿 rating (a key
# general does not score, so no assessment holds it).
CANDIDATE = """\
name: candidate
extends: general
weights:
  overdue_payment_count: 60
indicators:
  payment_willingness:
    label: 客户付费意愿评级
    weight: 10
    unit: rating
    rule: {kind: rating, map: {A: 0, B: 1/3, C: 2/3, D: 1}}
"""


def _import(db: Database, tmp_path: Path, when: datetime, *rows: dict[str, object]) -> None:
    report = run_import(db, write_csv(tmp_path / f"import-{when:%m%d}.csv", rows), now=when)
    assert report.ok, report


@pytest.fixture
def ledger(db: Database, tmp_path: Path) -> dict[int, int]:
    """n → customer id. August: 1 clean, 2 with dishonest-debtor and overdue records (red or
    worse), 3 and 4 clean, 4 rated D for willingness; September: 3's overdues rise to 3 (only
    that key is written to the history); November, after the quarter began: 1's overdues jump."""
    _import(db, tmp_path, AUGUST, customer(1), customer(2, overdue_payment_count=4, dishonest_debtor_count=1),
            customer(3), customer(4, payment_willingness="D"))
    _import(db, tmp_path, SEPTEMBER, customer(1), customer(2, overdue_payment_count=4, dishonest_debtor_count=1),
            customer(3, overdue_payment_count=3), customer(4, payment_willingness="D"))
    _import(db, tmp_path, NOVEMBER, customer(1, overdue_payment_count=6, tax_arrears_count=2))
    with db.uow() as uow:
        ids = {n: uow.session.scalar(select(Customer.id).where(Customer.credit_code == customer(n)["credit_code"]))
               for n in (1, 2, 3, 4)}
        uow.session.add_all(RiskEvent(customer_id=i, kind=EventKind.LOSS, occurred_on=date(2026, 11, 20), amount=1_000,
                                      source="test", recorded_by="U0RISK1", recorded_at=NOVEMBER) for i in ids.values())
        uow.commit()
    return ids


def test_the_profile_in_use_gives_back_the_grades_the_ledger_held(db: Database, ledger: dict[int, int]) -> None:
    start_at = utc_start(Q4.start, TZ)
    general = PROFILES.get("general")
    with db.uow() as uow:
        q = ReportQueries(uow.session)
        population, _ = standings(q, start_at, set())
        values = q.values_at(ledger.values(), start_at)
    held = {a.customer_id: a.grade for a in population}
    assert held[ledger[2]] in (Grade.RED, Grade.BLACK)  # the fixture's red customer with a loss
    assert {i: grade_of(general, values[i]) for i in ledger.values()} == {i: held[i] for i in ledger.values()}
    assert values[ledger[3]]["overdue_payment_count"] == 3  # September's change, not August's 0
    assert values[ledger[1]]["overdue_payment_count"] == 0  # November's change came after the start


def test_a_key_only_the_candidate_reads_comes_from_the_customers_values(db: Database, ledger: dict[int, int]) -> None:
    with db.uow() as uow:
        values = ReportQueries(uow.session).values_at([ledger[4]], utc_start(Q4.start, TZ))
    assert values[ledger[4]]["payment_willingness"] == "D"


def test_the_what_if_counts_the_red_customer_as_caught_by_the_profile_in_use(
    db: Database, ledger: dict[int, int], tmp_path: Path
) -> None:
    file = tmp_path / "candidate.yaml"
    file.write_text(CANDIDATE, encoding="utf-8")
    result = what_if(db, PROFILES, load_candidate(file), file, Q4, TZ, "general")
    assert (result.customers, result.losses) == (4, 4)
    assert result.caught_now == 1  # 2 was red at the start; the history alone read it as blank
    assert (result.caught_candidate, result.worse, result.better) == (1, 1, 0)  # 3's overdues weigh more
