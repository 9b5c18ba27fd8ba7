"""`/risk <name>` end to end: a signed slash command through `App.dispatch` to the answer.

    .venv/bin/python bench/bench_lookup.py [--sizes 10000 100000 1000000] [--queries 2000]

For each ledger size, fictional customers are imported into a fresh SQLite file (the real
import, which also scores them), then the real Bolt app answers `/risk` queries — full names,
short names (aliases), credit codes and name fragments that give a pick list — with its
response posted to a loopback fake Slack. Each request is timed from dispatch to the posted
answer (Bolt runs the listener before returning: process_before_response). The first query,
which builds the in-memory index, is reported apart. Target: p99 ≤ 50 ms at 100,000 customers,
and at 1,000,000 no more than 3× the 100,000 figure.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_app  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.services import build_services  # noqa: E402
from bot.slack_client import make_web_client  # noqa: E402
from ledger.importing import import_file  # noqa: E402
from scoring.credit_code import check_character  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.uow import Database  # noqa: E402
from tests.slackkit.fake_api import FakeSlackApi  # noqa: E402
from tests.slackkit.signing import SIGNING_SECRET, slash_command, to_bolt_request  # noqa: E402

CITIES = ("深圳市", "重庆", "上海", "北京", "杭州", "厦门", "苏州", "广州", "成都", "武汉")
WORDS = ("华强", "长安", "恒通", "鑫源", "博远", "金桥", "瑞丰", "天成", "宏达", "中科", "海纳", "新元", "嘉禾", "远航")
KINDS = ("电子", "科技", "贸易", "制造", "物流", "软件", "供应链", "实业")


def code(n: int) -> str:
    first17 = f"91440300MA{n:07d}"
    return first17 + check_character(first17)


def customers(count: int, rnd: random.Random) -> list[tuple[str, str, str]]:
    """(name, credit code, alias) — names unique by a serial, aliases mostly unique too."""
    out = []
    for n in range(1, count + 1):
        core = rnd.choice(WORDS) + rnd.choice(WORDS)
        name = f"{rnd.choice(CITIES)}{core}{rnd.choice(KINDS)}有限公司{n}号"
        out.append((name, code(n), f"{core}{n}"))
    return out


def write_csv(path: Path, rows: list[tuple[str, str, str]], rnd: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["客户全称", "统一社会信用代码", "所属行业", "客户简称", "约定账期", "待回款金额", "销售负责人", "风控专员",
                         "overdue_payment_count", "tax_arrears_count", "dishonest_debtor_count", "cumulative_amount"])
        for name, credit_code, alias in rows:
            writer.writerow([name, credit_code, "五金产品批发", alias, 60, 50_000, f"U0SALES{rnd.randint(0, 99):02d}",
                             "risk@example.com", rnd.choice((0, 0, 0, 1, 2, 4)), rnd.choice((0, 0, 1)), 0,
                             rnd.choice((50_000, 500_000, 5_000_000))])


def run(size: int, queries: int, folder: Path) -> dict[str, float]:
    rnd = random.Random(size)
    rows = customers(size, rnd)
    csv_path = folder / f"ledger{size}.csv"
    write_csv(csv_path, rows, rnd)
    db = Database(open_database(f"sqlite:///{folder / f'ledger{size}.db'}"))
    started = time.perf_counter()
    report = import_file(db, build_services(Config(), db).profiles, csv_path, now=datetime.now(UTC),
                         workdays=build_services(Config(), db).workdays)
    assert report.ok, report.errors[:3]
    imported = time.perf_counter() - started
    services = build_services(Config(), db)
    with FakeSlackApi() as slack:
        app = build_app(services, client=make_web_client("xoxb-bench", slack.url),
                        signing_secret=SIGNING_SECRET, process_before_response=True)
        response_url = slack.response_url()

        def ask(text: str) -> float:
            request = to_bolt_request(*slash_command(text, response_url=response_url))
            begin = time.perf_counter()
            response = app.dispatch(request)
            elapsed = time.perf_counter() - begin
            assert response.status == 200
            return elapsed

        first = ask(rows[0][0])
        picks = []
        for _ in range(queries):
            name, credit_code, alias = rows[rnd.randrange(size)]
            picks.append(rnd.choices([name, alias, credit_code, name[3:7]], weights=[5, 2, 2, 1])[0])
        times = sorted(ask(text) for text in picks)
        answers = len(slack.calls("response_url"))
    db.dispose()
    assert answers == queries + 1
    return {
        "import_s": imported,
        "first_ms": first * 1000,
        "p50_ms": statistics.median(times) * 1000,
        "p99_ms": times[int(len(times) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'customers':>10} {'import s':>9} {'first query ms':>15} {'p50 ms':>8} {'p99 ms':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            r = run(size, args.queries, Path(tmp))
            print(f"{size:>10,} {r['import_s']:>9.1f} {r['first_ms']:>15.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
