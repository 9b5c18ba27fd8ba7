"""How fast `scoring.assessment.assess` rescores a ledger: assessments per second and peak memory.

Run:  .venv/bin/python bench/bench_assess.py [--customers 100000] [--seed 4754] [--repeat 3]

Customers are generated with a fixed seed: each has a risk level (how likely a bad fact is)
and a coverage (how likely a value is known), so the set holds every grade, provisional and
complete assessments, and unknown values. Values are checked once with `clean_values` before
timing, as the ledger stores them checked; the timed loop is `assess` alone (breakdown
included), once dropping each result (a rescore writing batch by batch) and once keeping all
of them (a whole-ledger report). Pinned to one CPU where the OS allows.
Target: ≥ 100,000 assessments/s per profile on one core.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.assessment import Assessment, assess  # noqa: E402
from scoring.profiles import Indicator, Profile, load_profiles  # noqa: E402
from scoring.values import clean_values  # noqa: E402

PROFILES = ("general", "ecommerce")
TARGET_PER_SECOND = 100_000


def _fact(indicator: Indicator, rng: random.Random, risk: float) -> Any:
    """A raw value: usually clean, bad with probability `risk`."""
    bad = rng.random() < risk
    if indicator.unit == "rating":
        return rng.choice("CD" if bad else "AB")
    if indicator.unit == "count":
        return rng.randint(1, 5) if bad else 0
    if indicator.unit == "money":
        if indicator.key == "cumulative_amount":
            return rng.choice([50_000, 500_000]) if bad else rng.randint(1_000_000, 50_000_000)
        return rng.randint(100_001, 2_000_000) if bad else rng.randint(0, 100_000)
    if indicator.unit == "days":
        return rng.randint(61, 180) if bad else rng.randint(0, 60)
    return round(rng.uniform(300.5, 900) if bad else rng.uniform(-19, 19), 2)  # pct


def customers(profile: Profile, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        risk = rng.choice((0.0, 0.05, 0.15, 0.3, 0.5, 0.8))
        coverage = rng.choice((0.2, 0.5, 0.8, 1.0, 1.0))
        raw = {i.key: _fact(i, rng, risk) for i in profile.indicators if rng.random() < coverage}
        if rng.random() < 0.2:  # some give the parts instead of the derived values
            raw.pop("order_spike_pct", None)
            raw["last_order_amount"] = rng.randint(1_000, 500_000)
            raw["avg_order_amount_12m"] = rng.randint(1_000, 200_000)
        out.append(clean_values(profile, raw))
    return out


def timed(profile: Profile, batch: list[dict[str, Any]], repeat: int, keep: bool) -> tuple[float, list[Assessment]]:
    """Best wall time of `repeat` passes; `keep` holds every result, as a whole-ledger report would."""
    best = float("inf")
    results: list[Assessment] = []
    for _ in range(repeat):
        results = []
        start = time.perf_counter()
        if keep:
            results = [assess(profile, values) for values in batch]
        else:  # each result used and dropped, as a rescore writing batch by batch does
            for values in batch:
                assess(profile, values)
        best = min(best, time.perf_counter() - start)
    return best, results


def traced_peak(profile: Profile, batch: list[dict[str, Any]]) -> int:
    """Bytes allocated at the peak of one pass that keeps all its assessments."""
    tracemalloc.start()
    results = [assess(profile, values) for values in batch]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del results
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=4754)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    known = load_profiles()
    print(f"python {sys.version.split()[0]}, {args.customers:,} customers per profile, seed {args.seed}, best of {args.repeat}")
    worst = float("inf")
    for name in PROFILES:
        profile = known.get(name)
        batch = customers(profile, args.customers, args.seed)
        streamed, _ = timed(profile, batch, args.repeat, keep=False)
        seconds, results = timed(profile, batch, args.repeat, keep=True)
        stream_rate, rate = len(batch) / streamed, len(batch) / seconds
        worst = min(worst, rate, stream_rate)
        grades = Counter(r.grade.value if r.grade else "unscored" for r in results)
        provisional = sum(r.provisional for r in results) / len(results)
        floors = sum(bool(r.floors) for r in results) / len(results)
        peak = traced_peak(profile, batch)
        print(
            f"{name:<10} {stream_rate:>9,.0f}/s streamed, {rate:>9,.0f}/s keeping all results; grades {dict(sorted(grades.items()))}; provisional {provisional:.0%}; floors hit {floors:.0%}; "
            f"traced peak of the kept results {peak / 2**20:.1f} MiB"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mib = rss / 2**20 if sys.platform == "darwin" else rss / 2**10
    print(f"process peak RSS {rss_mib:.1f} MiB")
    verdict = "meets" if worst >= TARGET_PER_SECOND else "MISSES"
    print(f"slowest profile {worst:,.0f}/s: {verdict} the target of {TARGET_PER_SECOND:,}/s on one core")


if __name__ == "__main__":
    main()
