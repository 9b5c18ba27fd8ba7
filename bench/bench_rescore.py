"""Rescoring throughput: `riskbot score` over 100,000 customers in a SQLite file.

    .venv/bin/python bench/bench_rescore.py [--rows 100000] [--without-ahead] [--without bulk|raw-reads]

Builds the ledger with an import of fictional customers (bench_import's generator), then
times, each in a fresh child process (peak RSS is the rescoring's own):

- first scoring: every customer gets its first assessment and first grade (an auto-applied
  change or a pending request, each audited) — what follows the first big import;
- `score --all` on an unchanged ledger: every customer assessed, nothing to write — the
  weekly run;
- the same through the real command line (`riskbot score --all`, process start included);
- grade moves: every blue customer gets two overdue payments and a tax arrears notice, and only
  those are rescored — most move to yellow at once, each change announced to the webhooks in
  its batch (ledger.plan_events: one event row each, written with the change).

`--without-ahead` assesses in the writing process only: what the process assessing ahead gives;
`--without bulk` writes through SQLAlchemy Core instead of ledger.bulk, `--without raw-reads`
reads every column through SQLAlchemy's result processing (bench/plain.py);
`--without-events` writes no webhook events: what announcing the grade moves costs.

Target: ≥ 20,000 customers/s. From 20,000 customers on, a second process assesses ahead
(`ledger.ahead`); its peak RSS and CPU are printed after the rescoring process's own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import imported_ledger  # noqa: E402
from plain import use_plain  # noqa: E402

# Back to never-graded customers. The audit log refuses deletes (migration 0008): this scratch
# ledger drops that trigger first (a first scoring only ever inserts into audit_log).
RESET = """
DROP TRIGGER audit_log_no_delete;
DELETE FROM audit_log; DELETE FROM grade_changes; DELETE FROM assessments;
UPDATE customers SET needs_rescore = 1, effective_grade = NULL, grade_since = NULL, computed_grade = NULL,
    score = NULL, coverage = NULL, provisional = 0, profile_name = NULL, next_due = NULL;
"""

MOVE = """
UPDATE customers SET needs_rescore = 1,
    "values" = json_set("values", '$.overdue_payment_count', 2, '$.tax_arrears_count', 1)
WHERE effective_grade = 'blue';
"""


def child(url: str, everyone: bool, alone: bool, plain: list[str], events: bool = True) -> None:
    from ledger import plan_events
    from ledger.rescore import rescore
    from scoring.cadence import Workdays
    from scoring.profiles import load_profiles
    from storage.db import open_database
    from storage.uow import Database

    use_plain(plain)
    options = {"ahead_from": 1 << 62} if alone else {}
    if not events:
        plan_events.applied_in_batch = lambda *_: 0  # type: ignore[assignment]
    db = Database(open_database(url))
    profiles = load_profiles()
    start, cpu = time.perf_counter(), time.process_time()
    report = rescore(db, profiles, Workdays(), datetime.now(UTC), everyone=everyone, **options)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    ahead = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process assessing ahead
    print(json.dumps({"assessed": report.assessed, "applied": report.applied, "requested": report.requested,
                      "seconds": seconds, "cpu": cpu, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "ahead_rss_mb": ahead.ru_maxrss / 1024, "ahead_cpu": ahead.ru_utime + ahead.ru_stime}))


def _run_child(url: str, everyone: bool, alone: bool, plain: list[str], events: bool = True) -> dict[str, float]:
    flags = ["1" if everyone else "0", "1" if alone else "0", ",".join(plain), "1" if events else "0"]
    out = subprocess.run([sys.executable, __file__, "--child", url, *flags],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--without-ahead", action="store_true", help="assess in the writing process only")
    parser.add_argument("--without", choices=("bulk", "raw-reads"), action="append", default=[],
                        help="replace a trick by its plain path (bench/plain.py); may be repeated")
    parser.add_argument("--without-events", action="store_true", help="write no webhook events for grade moves")
    parser.add_argument("--child", nargs=5, metavar=("URL", "ALL", "ALONE", "PLAIN", "EVENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if "raw-reads" in args.without and not args.without_ahead:
        parser.error("--without raw-reads needs --without-ahead (the process assessing ahead hashes raw rows)")
    if args.child:
        child(args.child[0], args.child[1] == "1", args.child[2] == "1", [t for t in args.child[3].split(",") if t],
              args.child[4] == "1")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        db_path, created = imported_ledger(folder, args.rows)
        url = f"sqlite:///{db_path}"
        print(f"ledger: {created:,} customers imported and scored in {time.perf_counter() - started:.1f}s")

        with sqlite3.connect(db_path) as connection:
            connection.executescript(RESET)
        first = _run_child(url, everyone=False, alone=args.without_ahead, plain=args.without)
        print(f"first scoring    {first['assessed']:,} customers in {first['seconds']:.1f}s = "
              f"{first['assessed'] / first['seconds']:,.0f} customers/s "
              f"(applied {first['applied']:,}, requested {first['requested']:,}); CPU {first['cpu']:.1f}s writing + "
              f"{first['ahead_cpu']:.1f}s assessing ahead; peak RSS {first['peak_rss_mb']:.0f} MB + "
              f"{first['ahead_rss_mb']:.0f} MB")

        steady = _run_child(url, everyone=True, alone=args.without_ahead, plain=args.without)
        print(f"score --all      {steady['assessed']:,} customers in {steady['seconds']:.1f}s = "
              f"{steady['assessed'] / steady['seconds']:,.0f} customers/s (unchanged ledger); CPU {steady['cpu']:.1f}s; "
              f"peak RSS {steady['peak_rss_mb']:.0f} MB + {steady['ahead_rss_mb']:.0f} MB assessing ahead")

        started = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("riskbot")), "score", "--all"], check=True,
                       capture_output=True, env={**os.environ, "DATABASE_URL": url, "RISKBOT_CONFIG": ""})
        seconds = time.perf_counter() - started
        print(f"riskbot score --all (CLI, process start included) {args.rows:,} customers in {seconds:.1f}s = "
              f"{args.rows / seconds:,.0f} customers/s")

        with sqlite3.connect(db_path) as connection:
            connection.executescript(MOVE)
            before = connection.execute("SELECT count(*) FROM webhook_events").fetchone()[0]  # the first grades'
        moves = _run_child(url, everyone=False, alone=args.without_ahead, plain=args.without,
                           events=not args.without_events)
        with sqlite3.connect(db_path) as connection:
            written = connection.execute("SELECT count(*) FROM webhook_events").fetchone()[0] - before
        print(f"grade moves      {moves['assessed']:,} customers in {moves['seconds']:.1f}s = "
              f"{moves['assessed'] / moves['seconds']:,.0f} customers/s (applied {moves['applied']:,}, "
              f"requested {moves['requested']:,}; {written:,} webhook events); CPU {moves['cpu']:.1f}s")



if __name__ == "__main__":
    main()
