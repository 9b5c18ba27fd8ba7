"""`ledger.sync` against the loopback fake 企查查: what is asked, what is written, what it costs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger.sync import Source, SyncReport, sync
from providers.adapters import Qichacha, Secret
from providers.mapping import load_mapping, shipped
from scoring.freshness import DEFAULT_REFRESH
from scoring.grades import Grade
from scoring.values import PARTS
from storage.models import Alert, IndicatorValue, ProviderAnswer, ProviderCalls
from storage.uow import Database
from tests.ledger.helpers import NOW, PROFILES, WORKDAYS, code, customer, run_import, write_csv
from tests.providers.fake import APPKEY, SECRETKEY, FakeProvider, serving

KNOWN = {k for p in PROFILES.profiles.values() for k in p.by_key} | set(PARTS)
MAPPING = load_mapping(shipped("qichacha"), KNOWN)  # type: ignore[arg-type]
SYNC_AT = NOW + timedelta(days=31)  # every public-credit value imported at NOW is due
INTERFACES = len({r.interface for r in MAPPING.rules.values()})


class Pace:
    """The rate limiter's clock and sleeper: only sleeping moves time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def qcc() -> Iterator[FakeProvider]:
    with serving(FakeProvider("qichacha")) as fake:
        yield fake


@pytest.fixture
def ledger(db: Database, tmp_path: Path) -> Database:
    """Three clean, blue customers imported at NOW."""
    report = run_import(db, write_csv(tmp_path / "ledger.csv", [customer(n) for n in (1, 2, 3)]))
    assert report.ok
    return db


def run(db: Database, fake: FakeProvider, at: datetime = SYNC_AT, *, key: str = APPKEY, budget: int = 1000,
        pace: Pace | None = None, **options: Any) -> SyncReport:
    pace = pace or Pace()
    source = Source("qcc", Qichacha("qcc", fake.url, Secret(key), Secret(SECRETKEY), timeout=2), MAPPING,
                    rate_per_second=10, daily_budget=budget)
    return sync(db, PROFILES, [source], dict(DEFAULT_REFRESH), at, workdays=WORKDAYS, clock=pace.clock,
                sleep=pace.sleep, **options)


def values_of(db: Database, n: int) -> dict[str, Any]:
    with db.uow() as uow:
        found = uow.customers.get_by_code(code(n))
        assert found is not None
        return dict(found.values)


def history(db: Database) -> list[tuple[str, str, Any]]:
    with db.uow() as uow:
        rows = uow.session.execute(select(IndicatorValue.key, IndicatorValue.source, IndicatorValue.value_num)
                                   .order_by(IndicatorValue.id))
        return [(k, s, None if v is None else float(v)) for k, s, v in rows]


def calls_counted(db: Database) -> int:
    with db.uow() as uow:
        return uow.session.scalar(select(func.coalesce(func.sum(ProviderCalls.calls), 0))) or 0


def test_a_new_dishonest_record_is_stored_as_provider_history_rescored_to_yellow_and_alerted(
    ledger: Database, qcc: FakeProvider
) -> None:
    qcc.records[("ShiXin/GetList", code(2))] = [{"PublishDate": "2025-02-01"}, {"PublishDate": "2019-01-01"}]
    report = run(ledger, qcc)
    assert report.ok and (report.queried, report.changed, report.calls) == (3, 1, 3 * INTERFACES)
    assert values_of(ledger, 2)["dishonest_debtor_count"] == 1  # the 2019 record is older than 3 years
    assert ("dishonest_debtor_count", "provider:qcc", 1.0) in history(ledger)
    assert {s for _, s, _ in history(ledger)} == {"provider:qcc"} and report.observed == 3 * len(MAPPING.rules)
    with ledger.uow() as uow:
        changed = uow.customers.get_by_code(code(2))
        assert changed is not None and changed.effective_grade is Grade.YELLOW  # blue → yellow at once
        assert uow.session.scalar(select(func.count()).select_from(Alert)) == 1
    assert report.rescore is not None and report.rescore.applied == 1 and report.alerts == 1


def test_data_younger_than_its_refresh_interval_is_not_asked_for_again(ledger: Database, qcc: FakeProvider) -> None:
    run(ledger, qcc)
    asked = len(qcc.requests)
    again = run(ledger, qcc, SYNC_AT + timedelta(days=1))
    assert (again.queried, again.calls, len(qcc.requests)) == (0, 0, asked)
    month_later = run(ledger, qcc, SYNC_AT + timedelta(days=31))
    assert month_later.queried == 3 and len(qcc.requests) == asked * 2


def test_all_asks_again_whatever_the_age(ledger: Database, qcc: FakeProvider) -> None:
    run(ledger, qcc)
    again = run(ledger, qcc, SYNC_AT + timedelta(hours=1), everything=True, customer_ids=[1])
    assert (again.queried, again.calls) == (1, INTERFACES)


def test_a_dry_run_says_what_it_would_ask_and_asks_nothing(ledger: Database, qcc: FakeProvider) -> None:
    report = run(ledger, qcc, dry_run=True)
    assert (report.queried, report.calls, report.changed) == (3, 3 * INTERFACES, 0)
    assert qcc.requests == [] and history(ledger) == [] and calls_counted(ledger) == 0


def test_a_bad_key_stops_the_run_after_one_call_and_writes_nothing(ledger: Database, qcc: FakeProvider) -> None:
    report = run(ledger, qcc, key="not-the-key")
    assert len(qcc.requests) == 1 and report.stopped and "Status 101" in str(report.stopped[0])
    assert "not-the-key" not in str(report.stopped[0]) and [f.customer for f in report.failed] == ["测试1号电子科技有限公司"]
    assert history(ledger) == [] and calls_counted(ledger) == 1  # the one call made; the reservation given back


def test_no_balance_midway_keeps_the_customers_done_and_half_of_none(ledger: Database, qcc: FakeProvider) -> None:
    qcc.records[("ShiXin/GetList", code(2))] = [{"PublishDate": "2025-02-01"}]
    qcc.balance = INTERFACES + 2  # the first customer, then two answers of the second
    report = run(ledger, qcc)
    assert "Status 112" in str(report.stopped[0]) and report.changed == 0
    assert {n for n in (1, 2, 3) if values_of(ledger, n)["dishonest_debtor_count"]} == set()
    assert len(history(ledger)) == len(MAPPING.rules)  # customer 1 only
    with ledger.uow() as uow:  # the second customer's answers were paid: kept for the next run
        assert uow.session.scalar(select(func.count()).select_from(ProviderAnswer)) == INTERFACES + 2
    qcc.balance = None
    later = run(ledger, qcc, SYNC_AT + timedelta(hours=2))
    assert later.ok and later.reused == 2 and later.calls == 2 * INTERFACES - 2
    assert values_of(ledger, 2)["dishonest_debtor_count"] == 1


def test_a_server_error_is_retried_with_backoff(ledger: Database, qcc: FakeProvider) -> None:
    qcc.failures += [(502, b"bad gateway"), (503, b"")]
    pace = Pace()
    report = run(ledger, qcc, pace=pace, customer_ids=[1])
    assert report.ok and report.calls == INTERFACES + 2
    assert [s for s in pace.slept if s >= 1] == [1.0, 2.0]


@pytest.mark.parametrize(("failures", "words"), [
    ([(503, b"")] * 3, "HTTP 503"),
    ([(200, b"<html>oops</html>")], "not JSON"),
    ([(200, json.dumps({"Status": "200", "Result": {"Data": "none"}}).encode())], "not a list of records"),
])
def test_a_customer_whose_query_fails_changes_nothing_and_the_others_go_on(
    ledger: Database, qcc: FakeProvider, failures: list[tuple[int, bytes]], words: str
) -> None:
    qcc.failures += failures
    report = run(ledger, qcc)
    assert [f.customer for f in report.failed] == ["测试1号电子科技有限公司"] and words in report.failed[0].reason
    assert not report.stopped and report.queried == 3
    assert len(history(ledger)) == 2 * len(MAPPING.rules)  # customers 2 and 3


def test_the_daily_budget_holds_across_runs(ledger: Database, qcc: FakeProvider) -> None:
    first = run(ledger, qcc, budget=INTERFACES + 1)
    assert first.calls == INTERFACES + 1 and "budget" in str(first.stopped[0])
    assert len(qcc.requests) == INTERFACES + 1 and calls_counted(ledger) == INTERFACES + 1
    second = run(ledger, qcc, SYNC_AT + timedelta(hours=1), budget=INTERFACES + 1)
    assert second.calls == 0 and len(qcc.requests) == INTERFACES + 1
    tomorrow = run(ledger, qcc, SYNC_AT + timedelta(days=1), budget=100)
    assert tomorrow.ok and tomorrow.queried == 2


def test_calls_keep_to_the_rate_limit(ledger: Database, qcc: FakeProvider) -> None:
    pace = Pace()
    run(ledger, qcc, pace=pace)
    # 18 calls at 10 a second: ten at once, the other eight when the first second is over.
    assert 3 * INTERFACES == 18 and pace.slept == [pytest.approx(1.0)]


def test_what_another_writer_changes_while_the_calls_are_made_is_kept(ledger: Database) -> None:
    class Meanwhile:
        """A provider during whose first call a risk officer records an overdue payment."""

        name = "qcc"

        def __init__(self) -> None:
            self.calls = 0

        def fetch(self, interface: str, keyword: str) -> Any:
            self.calls += 1
            if self.calls == 1:
                with ledger.uow() as uow:
                    found = uow.customers.get_by_code(code(1))
                    assert found is not None
                    found.values = {**found.values, "overdue_payment_count": 2}
                    uow.commit()
            return {"Data": [{"PublishDate": "2025-02-01"}]} if interface == "ShiXin/GetList" else None

    source = Source("qcc", Meanwhile(), MAPPING, rate_per_second=1000, daily_budget=100)
    pace = Pace()
    report = sync(ledger, PROFILES, [source], dict(DEFAULT_REFRESH), SYNC_AT, workdays=WORKDAYS,
                  customer_ids=[1], clock=pace.clock, sleep=pace.sleep)
    assert report.ok and report.changed == 1
    assert values_of(ledger, 1)["overdue_payment_count"] == 2 and values_of(ledger, 1)["dishonest_debtor_count"] == 1
