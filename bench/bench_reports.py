"""The monthly report and the quarterly review over 100,000 customers and 1,000,000 risk events.

    .venv/bin/python bench/bench_reports.py [--customers 100000] [--events 1000000] [--keep FILE]

Seeds a SQLite file with fictional customers (200 sales owners, 20 risk officers), two years of
grade history (one to three applied changes each), an assessment per change, the events spread
over 24 months (mostly overdues and recoveries, 5% losses), plan tasks, alerts and follow-ups.
Then times, each in a fresh child process so its peak RSS is its own:

- the monthly report of 2026-11 (grade mix of 12 months, receivables, losses, plans,
  accuracy, every owner's KPIs) and its three charts;
- the quarterly review of 2026Q4 (every customer with an event, profile ranking, quiet
  indicators);
- its what-if (`--profile-file`): the quarter's customers rescored from their values at its
  start (latest assessment's lines overlaid by newer history) by general and by a candidate
  that weighs overdue payments 40;
- the review and the what-if written as the XLSX workbook (`--out`), the write timed apart.

Target: each ≤ 5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledger.bulk import insert_many  # noqa: E402
from scoring.grades import Grade  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import (  # noqa: E402
    Alert, Assessment, Customer, Followup, GradeChange, IndicatorValue, RiskEvent, Task,
)
from storage.uow import Database  # noqa: E402

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 December, 10:00 in Shanghai
TZ = ZoneInfo("Asia/Shanghai")
START = date(2024, 12, 1)
DAYS = (date(2026, 12, 1) - START).days
GRADES = list(Grade)
KINDS = ["overdue"] * 9 + ["recovery"] * 8 + ["loss"] + ["legal_opened", "cooperation_ended"]
KEYS = ("overdue_payment_count", "dishonest_debtor_count", "tax_arrears_count", "credit_overdue_count")
CANDIDATE = "name: candidate\nextends: general\nweights:\n  overdue_payment_count: 40\n"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


def seed(db: Database, customers: int, events: int, rnd: random.Random) -> None:
    with db.uow() as uow:
        s = uow.session
        rows, changes, assessments = [], [], []
        for n in range(1, customers + 1):
            history = sorted(rnd.sample(range(DAYS), rnd.randint(1, 3)))
            grade = None
            for d in history:
                new = rnd.choice(GRADES)
                when = _at(START + timedelta(days=d))
                changes.append((n, grade, new, when, when))
                score = {Grade.BLUE: 90, Grade.YELLOW: 70, Grade.RED: 45, Grade.BLACK: 20}[new] + rnd.randint(-5, 5)
                lines = [[k, v, min(1.0, v / 3), 5.0 * min(3, v)] for k, v in ((k, rnd.randint(0, 2)) for k in KEYS)]
                assessments.append((n, score, new, json.dumps({"lines": lines}), when))
                grade = new
            rows.append((n, f"91440300MA{n:08d}", f"测试{n}号科技有限公司", f"U0SALES{n % 200:03d}",
                         f"U0RISK{n % 20:02d}", grade, _at(START + timedelta(days=history[-1])),
                         rnd.randint(0, 500) * 1000, START + timedelta(days=DAYS + rnd.randint(-20, 40))))
        insert_many(s, Customer.__table__, ("id", "credit_code", "name", "sales_owner", "risk_officer",
                                            "effective_grade", "grade_since", "outstanding_amount", "next_due"),
                    rows, {"values": {}, "provisional": False, "needs_rescore": False, "created_at": NOW,
                           "updated_at": NOW})
        insert_many(s, GradeChange.__table__, ("customer_id", "from_grade", "to_grade", "requested_at", "decided_at"),
                    changes, {"reason": "bench", "kind": "computed", "status": "auto_applied",
                              "requested_by": "system", "decided_by": "system"})
        insert_many(s, Assessment.__table__, ("customer_id", "score", "grade", "breakdown", "assessed_at"), assessments,
                    {"coverage": 1.0, "provisional": False, "floors": json.dumps({"hits": []}),
                     "profile_name": "general", "profile_version": "bench"}, json_text=("breakdown", "floors"))
        batch = []
        for _ in range(events):
            kind = rnd.choice(KINDS)
            batch.append((rnd.randint(1, customers), kind, START + timedelta(days=rnd.randrange(DAYS)),
                          rnd.randint(1, 100) * 1000, rnd.choice((10, 30, 60, 95, 120)) if kind == "overdue" else None,
                          rnd.choice(GRADES)))
            if len(batch) == 100_000:
                insert_many(s, RiskEvent.__table__, ("customer_id", "kind", "occurred_on", "amount", "days", "grade"),
                            batch, {"source": "bench", "recorded_by": "bench", "recorded_at": NOW})
                batch = []
        insert_many(s, RiskEvent.__table__, ("customer_id", "kind", "occurred_on", "amount", "days", "grade"),
                    batch, {"source": "bench", "recorded_by": "bench", "recorded_at": NOW})
        history = [(c, rnd.choice(KEYS), rnd.randint(0, 3), _at(START + timedelta(days=rnd.randrange(DAYS))))
                   for c in rnd.sample(range(1, customers + 1), customers // 4)]  # a sync's changed values
        insert_many(s, IndicatorValue.__table__, ("customer_id", "key", "value_num", "observed_at"), history,
                    {"source": "bench"})
        tasks = [(rnd.randint(1, customers), _at(START + timedelta(days=rnd.randrange(DAYS)))) for _ in range(20_000)]
        insert_many(s, Task.__table__, ("customer_id", "created_at", "closed_at", "status"),
                    [(c, at, at + timedelta(days=20) if i % 2 else None, "closed" if i % 2 else "open")
                     for i, (c, at) in enumerate(tasks)], {"kind": "collection"})
        alerts = [(rnd.randint(1, customers), f"k:{i}", _at(START + timedelta(days=rnd.randrange(DAYS))))
                  for i in range(20_000)]
        insert_many(s, Alert.__table__, ("customer_id", "change", "detected_at"), alerts, {"indicator": "tax_arrears_count"})
        insert_many(s, Followup.__table__, ("customer_id", "author", "text", "created_at"),
                    [(c, "U0SALES001", "跟进", at + timedelta(hours=rnd.randint(1, 96))) for c, _, at in alerts])
        uow.commit()


def child(what: str, url: str) -> None:
    from reports.charts import monthly_charts
    from reports.monthly import monthly_report
    from reports.review import quarter_review
    from reports.whatif import what_if
    from reports.workbook import write_review
    from scoring.outcomes import month, quarter
    from scoring.profiles import load_candidate, load_profiles

    db = Database(open_database(url))
    profiles = load_profiles()
    started, cpu = time.perf_counter(), time.process_time()
    judged: float | None = None  # the part the target is about, when not the whole run
    if what == "month":
        report = monthly_report(db, month(2026, 11), TZ, NOW)
        figures = time.perf_counter() - started
        monthly_charts(report)
        detail = (f"figures {figures:.2f} s + charts {time.perf_counter() - started - figures:.2f} s; "
                  f"{report.accuracy.realised:,} realised risks, {len(report.kpi.sales)} sales + "
                  f"{len(report.kpi.risk)} risk owners")
    elif what == "review":
        review = quarter_review(db, profiles, quarter(2026, 4), TZ)
        detail = f"{len(review.rows):,} customers with events, {review.missed:,} missed"
    else:  # the what-if, then (xlsx) the review and it written as the workbook
        with tempfile.TemporaryDirectory() as folder:
            file = Path(folder) / "candidate.yaml"
            file.write_text(CANDIDATE, encoding="utf-8")
            review = quarter_review(db, profiles, quarter(2026, 4), TZ) if what == "xlsx" else None
            reviewed = time.perf_counter()
            result = what_if(db, profiles, load_candidate(file), file, quarter(2026, 4), TZ, "general")
            rescored = time.perf_counter()
            detail = (f"{result.customers:,} rescored in {rescored - reviewed:.2f} s, {result.losses:,} with a loss, "
                      f"caught {result.caught_now:,} → {result.caught_candidate:,}, "
                      f"{result.worse:,} stricter / {result.better:,} looser")
            if review is not None:
                out = Path(folder) / "review.xlsx"
                write_review(review, out, result)
                judged = time.perf_counter() - rescored
                detail = (f"review {reviewed - started:.2f} s + what-if {rescored - reviewed:.2f} s + "
                          f"XLSX write {time.perf_counter() - rescored:.2f} s ({len(review.rows):,} rows, "
                          f"{out.stat().st_size / 1e6:.1f} MB)")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    target = wall if judged is None else judged
    print(f"{what}: {wall:.2f} s (CPU {cpu:.2f} s), peak RSS {rss:.0f} MiB — {detail}; "
          f"target ≤ 5 s{'' if judged is None else ' (the write)'}: {'met' if target <= 5 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", help="build (or reuse) the ledger in this SQLite file")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.keep) if args.keep else Path(folder) / "bench.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            started = time.perf_counter()
            db = Database(open_database(url))
            seed(db, args.customers, args.events, random.Random(16))
            db.dispose()
            print(f"seeded {args.customers:,} customers and {args.events:,} events in {time.perf_counter() - started:.0f} s")
        for what in ("month", "review", "whatif", "xlsx"):
            subprocess.run([sys.executable, __file__, "--child", what, url], check=True)


if __name__ == "__main__":
    main()
