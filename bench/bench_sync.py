"""Credit-data sync of 100,000 customers against the fake 企查查 at its rate limit.

    .venv/bin/python bench/bench_sync.py [--customers 100000] [--rate 2000]

The fake provider (tests/providers/fake.py) serves from a process of its own; the ledger is a
fresh SQLite file of customers imported 31 days before the sync, so every one is due. The
mapping asks one interface per customer (失信被执行人), 1% of whom have a new record (their
grade moves, an alert is recorded). riskbot's own overhead per customer is the sync's wall
time less the HTTP round trips and the rate limiter's waiting, divided by the customers; the
rescoring of the changed customers that follows is timed apart. Target: ≤ 1 ms per customer.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ledger.sync as sync_module  # noqa: E402
from ledger.importing import import_file  # noqa: E402
from ledger.sync import Source, sync  # noqa: E402
from providers.adapters import Qichacha, Secret  # noqa: E402
from providers.http import urllib_get  # noqa: E402
from providers.mapping import load_mapping  # noqa: E402
from scoring.cadence import Workdays  # noqa: E402
from scoring.freshness import DEFAULT_REFRESH  # noqa: E402
from scoring.profiles import load_profiles  # noqa: E402
from scoring.values import PARTS  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.uow import Database  # noqa: E402
from tests.ledger.helpers import CLEAN, code, write_csv  # noqa: E402
from tests.providers.fake import APPKEY, SECRETKEY, FakeProvider, serving  # noqa: E402

IMPORTED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
SYNCED = IMPORTED + timedelta(days=31)
MAPPING = """indicators:
  dishonest_debtor_count:
    interface: ShiXin/GetList
    records: Data
    date: PublishDate
    within_years: 3
    take: count
"""


def serve(customers: int, url_out: "multiprocessing.Queue[str]", stop: "multiprocessing.Event") -> None:  # type: ignore[type-arg]
    fake = FakeProvider("qichacha", keep_requests=False)
    for n in range(1, customers + 1, 100):
        fake.records[("ShiXin/GetList", code(n))] = [{"PublishDate": "2026-10-01"}]
    with serving(fake):
        url_out.put(fake.url)
        stop.wait()


def build(folder: str, customers: int) -> None:
    """A fresh ledger of clean customers, imported `SYNCED` − 31 days."""
    base = Path(folder)
    engine = make_engine(f"sqlite:///{base / 'bench.db'}")
    upgrade(engine)
    rows = [{"name": f"基准{n}号科技有限公司", "credit_code": code(n), "industry": "五金产品批发", **CLEAN}
            for n in range(1, customers + 1)]
    report = import_file(Database(engine), load_profiles(), write_csv(base / "ledger.csv", rows), now=IMPORTED,
                         workdays=Workdays())
    assert report.ok, report.errors[:3]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=500,
                        help="the source's rate limit, calls per second (the fake answers some 600 a second here)")
    args = parser.parse_args()
    profiles = load_profiles()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        context = multiprocessing.get_context("spawn")
        started = time.perf_counter()
        builder = context.Process(target=build, args=(str(base), args.customers))  # its memory is not the sync's
        builder.start()
        builder.join()
        assert builder.exitcode == 0, "building the ledger failed"
        print(f"ledger: {args.customers:,} customers imported in {time.perf_counter() - started:.1f} s")
        (base / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
        known = {k for p in profiles.profiles.values() for k in p.by_key} | set(PARTS)
        mapping = load_mapping(base / "mapping.yaml", known)

        urls, stop = context.Queue(), context.Event()
        server = context.Process(target=serve, args=(args.customers, urls, stop), daemon=True)
        server.start()
        url = urls.get(timeout=60)
        db = Database(make_engine(f"sqlite:///{base / 'bench.db'}"))

        waited = {"http": 0.0, "sleep": 0.0, "rescore": 0.0}

        def timed_get(target: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
            t = time.perf_counter()
            try:
                return urllib_get(target, headers, timeout)
            finally:
                waited["http"] += time.perf_counter() - t

        def timed_sleep(seconds: float) -> None:
            t = time.perf_counter()
            time.sleep(seconds)
            waited["sleep"] += time.perf_counter() - t

        real_rescore = sync_module.rescore

        def timed_rescore(*a: object, **k: object) -> object:
            t = time.perf_counter()
            try:
                return real_rescore(*a, **k)  # type: ignore[arg-type]
            finally:
                waited["rescore"] += time.perf_counter() - t

        sync_module.rescore = timed_rescore  # type: ignore[assignment]
        provider = Qichacha("qcc", url, Secret(APPKEY), Secret(SECRETKEY), transport=timed_get)
        source = Source("qcc", provider, mapping, args.rate, daily_budget=10 * args.customers)
        cpu, started = time.process_time(), time.perf_counter()
        result = sync(db, profiles, [source], dict(DEFAULT_REFRESH), SYNCED, workdays=Workdays(), sleep=timed_sleep)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        stop.set()
        server.join(10)
        assert result.ok, (result.failed[:3], result.stopped)
        own = wall - waited["http"] - waited["sleep"] - waited["rescore"]
        per = own / args.customers * 1000
        print(f"sync: {result.queried:,} queried, {result.changed:,} changed, {result.calls:,} calls in {wall:.1f} s "
              f"({result.calls / wall:,.0f} calls/s; configured limit {args.rate:,.0f}/s)")
        print(f"  HTTP round trips {waited['http']:.1f} s, rate-limit waiting {waited['sleep']:.1f} s, "
              f"rescoring the changed {waited['rescore']:.1f} s, CPU {cpu:.1f} s")
        print(f"  riskbot's own overhead: {per:.3f} ms per customer (target ≤ 1 ms): {'met' if per <= 1 else 'NOT met'}")
        print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (the sync process)")


if __name__ == "__main__":
    main()
