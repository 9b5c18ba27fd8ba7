"""A nudge run over 100,000 customers of which 10,000 are due: time to work out and claim.

    .venv/bin/python bench/bench_nudge.py [--customers 100000] [--due 10000] [--rounds 3] [--url URL]

Seeds a fresh SQLite file per round (or the given empty database) with customers spread over the next 90 days,
`--due` of them due or overdue today, each owned by one of 200 sales owners and 20 risk
officers, and one follow-up per due customer. Then times `nudge_plan` — reading the due
customers through the indexed next_due, claiming every (owner, customer, due date) with bulk
INSERT … ON CONFLICT DO NOTHING … RETURNING, and building each owner's DM view — which is the
whole run except the Slack calls. A second, repeated run shows the cost of finding everything
already claimed. Target: ≤ 2 s on SQLite for the first run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.services import build_services  # noqa: E402
from ledger.bulk import insert_many  # noqa: E402
from bot.usecases.nudges import nudge_plan  # noqa: E402
from scoring.grades import Grade  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import Customer, Followup, Nudge  # noqa: E402
from storage.uow import Database  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, a workday
TODAY = date(2026, 11, 23)
GRADES = (Grade.BLUE, Grade.BLUE, Grade.BLUE, Grade.YELLOW, Grade.YELLOW, Grade.RED, Grade.BLACK)


def seed(db: Database, customers: int, due: int, seed_value: int = 11) -> None:
    rnd = random.Random(seed_value)
    due_ids = set(rnd.sample(range(1, customers + 1), due))
    rows = []
    followups = []
    for n in range(1, customers + 1):
        if n in due_ids:
            next_due = TODAY - timedelta(days=rnd.choice((0, 0, 0, 1, 2, 3, 7, 14, 40)))
            followups.append((n, f"U0SALES{n % 200:03d}", f"客户{n}回款计划已确认", NOW - timedelta(days=30)))
        else:
            next_due = TODAY + timedelta(days=rnd.randint(1, 90))
        last = NOW - timedelta(days=30) if n in due_ids else None
        rows.append((n, f"91440300MA{n:08d}", f"测试{n}号科技有限公司", f"U0SALES{n % 200:03d}",
                     f"U0RISK{n % 20:02d}", GRADES[n % len(GRADES)], next_due, last))
    with db.uow() as uow:
        columns = ("id", "credit_code", "name", "sales_owner", "risk_officer", "effective_grade", "next_due",
                   "last_followup_at")
        constants = {"values": {}, "provisional": False, "needs_rescore": False, "created_at": NOW, "updated_at": NOW}
        insert_many(uow.session, Customer.__table__, columns, rows, constants)
        insert_many(uow.session, Followup.__table__, ("customer_id", "author", "text", "created_at"), followups)
        uow.commit()


def one_round(url: str | None, customers: int, due: int) -> tuple[float, float, str]:
    """Seed a fresh database, then time a first run and a repeated one."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(open_database(url or f"sqlite:///{Path(folder) / 'bench.db'}"))
        seed(db, customers, due)
        services = build_services(Config(chinese_calendar=False, alerts_channel="C0ALERTS"), db, lambda: NOW)
        started = time.perf_counter()
        plan = nudge_plan(services, NOW)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = nudge_plan(services, NOW)
        repeat = time.perf_counter() - started
        with db.uow() as uow:
            claims = uow.session.scalar(select(func.count()).select_from(Nudge))
            if url:  # a shared server database: leave it as found
                for table in ("nudges", "followups", "customers"):
                    uow.session.execute(text(f"DELETE FROM {table}"))
                uow.commit()
        db.dispose()
    assert not again.nudges, "a repeated run found something to send"
    items = sum(len(n.nudge.items) for n in plan.nudges)
    what = (f"{plan.customers:,} customers due, {claims:,} claims, {len(plan.nudges)} owner DMs ({items:,} lines), "
            f"{len(plan.escalations):,} escalations")
    return first, repeat, what


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="fresh databases to time (the median is reported)")
    parser.add_argument("--url", help="an empty migrated-or-new database (default: a fresh SQLite file per round)")
    args = parser.parse_args()
    firsts, repeats = [], []
    for n in range(1, args.rounds + 1):
        first, repeat, what = one_round(args.url, args.customers, args.due)
        firsts.append(first)
        repeats.append(repeat)
        print(f"round {n}: work out and claim {first:.2f} s, repeated run {repeat:.2f} s — {what}")
    first, repeat = statistics.median(firsts), statistics.median(repeats)
    print(f"median over {args.rounds}: work out and claim {first:.2f} s over {args.customers:,} customers "
          f"({args.due:,} due); a repeated run (all claimed already) {repeat:.2f} s")
    print(f"target ≤ 2 s: {'met' if first <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
