"""Importing risk events: 20,000 event rows for 10,000 customers, then the same file again.

    .venv/bin/python bench/bench_event_import.py [--customers 10000] [--events 20000] [--rounds 3]

Seeds a fresh SQLite file per round with customers and one applied first grade each, writes a
CSV of events (overdue, loss, recovery; by credit code), then times `read_events` +
`import_events` (check, match, grade on the day, audit, commit) and the re-import that finds
every row imported before. Target: ≥ 2,000 rows/s for the first import (an events sheet is
a month's or a year's outcomes, not the whole ledger).
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledger.bulk import insert_many  # noqa: E402
from scoring.credit_code import check_character  # noqa: E402
from ledger.event_import import import_events, read_events  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import Customer, GradeChange  # noqa: E402
from storage.uow import Database  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


def code(n: int) -> str:
    first17 = f"91440300MA{n:07d}"
    return first17 + check_character(first17)


def seed(db: Database, customers: int) -> None:
    rows = [(n, code(n), f"测试{n}号科技有限公司", "blue") for n in range(1, customers + 1)]
    changes = [(n, "blue", NOW - timedelta(days=400)) for n in range(1, customers + 1)]
    with db.uow() as uow:
        insert_many(uow.session, Customer.__table__, ("id", "credit_code", "name", "effective_grade"), rows,
                    {"values": {}, "provisional": False, "needs_rescore": False, "created_at": NOW, "updated_at": NOW})
        insert_many(uow.session, GradeChange.__table__, ("customer_id", "to_grade", "decided_at"), changes,
                    {"reason": "first grade", "kind": "computed", "status": "auto_applied", "requested_by": "system",
                     "requested_at": NOW - timedelta(days=400)})
        uow.commit()


def write_sheet(path: Path, customers: int, events: int) -> None:
    rnd = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["统一社会信用代码", "事件类型", "发生日期", "金额", "天数", "备注"])
        for i in range(events):
            kind = rnd.choice(("逾期", "坏账", "回款"))
            on = date(2026, 11, 1) - timedelta(days=rnd.randint(0, 365))
            writer.writerow([code(rnd.randint(1, customers)), kind, on.isoformat(),
                             f"{rnd.randint(1, 500)}万" if i % 2 else f"{rnd.randint(1000, 900000):,}.00",
                             f"{rnd.randint(1, 180)}天" if kind == "逾期" else "", f"第{i}笔"])


def one_round(customers: int, events: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(open_database(f"sqlite:///{Path(folder) / 'bench.db'}"))
        seed(db, customers)
        sheet = Path(folder) / "events.csv"
        write_sheet(sheet, customers, events)
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            checked = read_events(sheet, today=NOW.astimezone(TZ).date())
            assert checked is not None
            report = import_events(db, checked, now=NOW, tz=TZ, actor="bench")
            timings.append(time.perf_counter() - started)
            assert report.ok, report.errors[:3]
        assert report.added == 0 and report.already == events
        db.dispose()
    return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    firsts, agains = [], []
    for n in range(1, args.rounds + 1):
        first, again = one_round(args.customers, args.events)
        firsts.append(first)
        agains.append(again)
        print(f"round {n}: first import {first:.2f} s ({args.events / first:,.0f} rows/s), "
              f"again {again:.2f} s ({args.events / again:,.0f} rows/s)")
    first, again = statistics.median(firsts), statistics.median(agains)
    rate = args.events / first
    print(f"median over {args.rounds}: {args.events:,} events for {args.customers:,} customers imported at "
          f"{rate:,.0f} rows/s; the same file again {args.events / again:,.0f} rows/s")
    print(f"target ≥ 2,000 rows/s: {'met' if rate >= 2000 else 'MISSED'}")


if __name__ == "__main__":
    main()
