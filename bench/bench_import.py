"""Import throughput and memory: 100,000 customers from CSV and from XLSX into fresh SQLite files.

    .venv/bin/python bench/bench_import.py [--rows 100000]

Each import runs in a process of its own so its peak RSS (ru_maxrss) is the import's alone; a
large file is checked in a second, forked process while the first writes (both peaks are
printed). Every row is a new customer, graded in the import's transaction: the figure is the
whole `riskbot import` (check, write, first grades). With `--one-process` the same import also
runs with the checking in the writing process, for comparison; `--without collector` leaves the
garbage collector as Python sets it, `--without bulk` writes through SQLAlchemy Core instead of
ledger.bulk and `--without xlsx-patterns` reads XLSX with the XML parser only (bench/plain.py).
Targets: ≥ 10,000 rows/s, peak RSS < 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plain import TRICKS, use_plain  # noqa: E402
from scoring.credit_code import check_character  # noqa: E402

INDUSTRIES = ("电子元器件制造", "互联网零售", "软件开发", "商业保理", "五金产品批发", "道路货物运输", "塑料制品业")
HEADERS = (
    "客户全称", "统一社会信用代码", "所属行业", "客户简称", "合作起始时间", "约定账期", "待回款金额", "销售负责人", "风控专员",
    "cumulative_amount", "abnormal_operation_count", "revenue_change_pct", "executive_change_count",
    "tax_arrears_count", "dishonest_debtor_count", "overdue_payment_count", "credit_overdue_count",
    "term_extension_days", "return_breach_count", "admin_penalty_max_amount",
    "last_order_amount", "avg_order_amount_12m", "pending_litigation_amount", "net_assets",
    "capacity_utilization_change_pct", "platform_complaint_count", "payment_willingness", "debt_ratio_pct",
)


def code(n: int) -> str:
    first17 = f"91440300MA{n:07d}"
    return first17 + check_character(first17)


def rows(count: int, seed: int = 7) -> list[list[object]]:
    """Fictional customers with a realistic spread of risk (mostly clean, a tail of bad ones)."""
    rnd = random.Random(seed)
    out: list[list[object]] = []
    for n in range(1, count + 1):
        bad = rnd.random() < 0.15
        pick = (lambda hi: rnd.randint(0, hi)) if bad else (lambda hi: 0 if rnd.random() < 0.9 else 1)
        out.append([
            f"测试{n}号科技有限公司", code(n), INDUSTRIES[n % len(INDUSTRIES)], f"测试{n}", f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}",
            (30, 45, 60, 90)[n % 4], 10_000 * (n % 50), f"U0SALES{n % 40:02d}", f"risk{n % 7}@example.com",
            rnd.choice((50_000, 500_000, 5_000_000)), pick(3), rnd.randint(-40, 60), pick(4),
            pick(2), pick(1), pick(5), pick(2),
            pick(90), pick(4), rnd.choice((0, 0, 0, 50_000, 200_000)),
            rnd.randint(10_000, 900_000), rnd.randint(50_000, 300_000), rnd.choice((0, 0, 100_000)), rnd.randint(-100_000, 20_000_000),
            rnd.randint(-30, 10), pick(3), rnd.choice("ABCD"), rnd.randint(20, 90),
        ])
    return out


def write_files(folder: Path, count: int) -> tuple[Path, Path]:
    import xlsxwriter

    data = rows(count)
    csv_path = folder / "customers.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(data)
    xlsx_path = folder / "customers.xlsx"
    workbook = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = workbook.add_worksheet("客户")
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(data, start=1):
        sheet.write_row(r, 0, row)
    workbook.close()
    return csv_path, xlsx_path


def imported_ledger(folder: Path, count: int) -> tuple[Path, int]:
    """A SQLite ledger in `folder` of `count` fictional customers, imported and graded as
    `riskbot import` does: (its file, customers created)."""
    from ledger.importing import import_file
    from scoring.cadence import Workdays
    from scoring.profiles import load_profiles
    from storage.db import open_database
    from storage.uow import Database

    csv_path, _ = write_files(folder, count)
    db_path = folder / "ledger.db"
    db = Database(open_database(f"sqlite:///{db_path}"))
    try:
        report = import_file(db, load_profiles(), csv_path, now=datetime.now(UTC), workdays=Workdays())
    finally:
        db.dispose()
    assert report.ok, report.errors[:5]
    return db_path, report.created


def child(file: str, url: str, one_process: bool, plain: list[str]) -> None:
    """Run one import (what `riskbot import FILE` does) and print its figures as JSON."""
    from ledger.importing import import_file
    from scoring.cadence import Workdays
    from scoring.profiles import load_profiles
    from storage.db import open_database
    from storage.uow import Database

    use_plain(plain)
    db = Database(open_database(url))
    profiles = load_profiles()
    options = {"checker_process_from": 1 << 62} if one_process else {}
    start = time.perf_counter()
    report = import_file(db, profiles, file, now=datetime.now(UTC), workdays=Workdays(), **options)
    seconds = time.perf_counter() - start
    assert report.ok, report.errors[:5]
    assert report.rescore is not None and report.rescore.assessed == report.created
    own, checker = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "rows": report.rows, "created": report.created, "seconds": seconds,
        "cpu": own.ru_utime + own.ru_stime, "checker_cpu": checker.ru_utime + checker.ru_stime,
        "peak_rss_mb": own.ru_maxrss / 1024, "checker_rss_mb": checker.ru_maxrss / 1024,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--one-process", action="store_true", help="also time the import with checking in the writing process")
    parser.add_argument("--without", choices=TRICKS, action="append", default=[],
                        help="replace a trick by its plain path (bench/plain.py); may be repeated")
    parser.add_argument("--child", nargs=4, metavar=("FILE", "URL", "ONE", "PLAIN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] == "1", [t for t in args.child[3].split(",") if t])
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        files = write_files(folder, args.rows)
        print(f"generated {args.rows:,} rows as CSV ({files[0].stat().st_size / 1e6:.1f} MB) and XLSX "
              f"({files[1].stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s")
        runs = [(path, False) for path in files] + ([(path, True) for path in files] if args.one_process else [])
        for path, one_process in runs:
            url = f"sqlite:///{folder / f'{path.suffix[1:]}{int(one_process)}.db'}"
            plain = ",".join(args.without)
            out = subprocess.run([sys.executable, __file__, "--child", str(path), url, "1" if one_process else "0", plain],
                                 check=True, capture_output=True, text=True, cwd=ROOT)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            how = "with checking process" if r["checker_cpu"] else "one process          "
            print(f"{path.suffix[1:].upper():4} {how} {r['rows']:,} rows, all new and graded: {r['seconds']:.1f}s = "
                  f"{r['rows'] / r['seconds']:,.0f} rows/s; CPU {r['cpu']:.1f}s + {r['checker_cpu']:.1f}s; "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB + {r['checker_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
