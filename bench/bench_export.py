"""Export time and memory: `riskbot export` of a 100,000-customer ledger to XLSX.

    .venv/bin/python bench/bench_export.py [--rows 100000] [--profile]

Builds the ledger with an import of fictional customers (bench_import's generator, every
customer graded) plus one follow-up each, then exports it in a fresh child process so the
peak RSS printed is the export's own. `--profile` prints the export's ten costliest
functions instead (cProfile).
Target: ≤ 120 s at 100,000 customers (about 5.5 million cells), peak RSS < 300 MB whatever the
ledger's size.
"""

from __future__ import annotations

import argparse
import json
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


def child(url: str, out: str, profile: bool) -> None:
    from ledger.exporting import export_ledger
    from scoring.profiles import load_profiles
    from storage.db import open_database
    from storage.uow import Database

    db = Database(open_database(url))
    profiles = load_profiles()
    start, cpu = time.perf_counter(), time.process_time()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        counts = profiler.runcall(export_ledger, db, profiles, out, now=datetime.now(UTC))
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    else:
        counts = export_ledger(db, profiles, out, now=datetime.now(UTC))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"counts": counts, "seconds": seconds, "cpu": cpu, "size_mb": Path(out).stat().st_size / 1e6,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="print where the export's time goes (cProfile)")
    parser.add_argument("--child", nargs=3, metavar=("URL", "OUT", "PROFILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] == "1")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        db_path, created = imported_ledger(folder, args.rows)
        url = f"sqlite:///{db_path}"
        with sqlite3.connect(db_path) as connection:  # one follow-up per customer, as after a first round
            connection.execute(
                "INSERT INTO followups (customer_id, author, text, created_at) "
                "SELECT id, sales_owner, '电话沟通，客户承诺月底前回款 ' || id, '2026-11-20 02:00:00.000000' FROM customers")
            connection.execute("UPDATE customers SET last_followup_at = '2026-11-20 02:00:00.000000'")
        print(f"ledger: {created:,} customers imported and scored, one follow-up each, "
              f"in {time.perf_counter() - started:.1f}s")
        out = folder / "ledger.xlsx"
        run = subprocess.run([sys.executable, __file__, "--child", url, str(out), "1" if args.profile else "0"],
                             check=True, capture_output=True, text=True, cwd=ROOT)
        if args.profile:
            print(run.stderr)
        r = json.loads(run.stdout.strip().splitlines()[-1])
        rows = sum(r["counts"].values())
        print(f"export {args.rows:,} customers ({rows:,} table rows, {r['size_mb']:.1f} MB): {r['seconds']:.1f}s = "
              f"{args.rows / r['seconds']:,.0f} customers/s; CPU {r['cpu']:.1f}s; peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
