"""How fresh an indicator's value is (资料时效): due for a refresh, or stale (资料过期).

A value is due once it is as old as its indicator's refresh interval, and stale past twice
that: a stale value still costs its points (the risk it shows may well still be there) but
counts as unknown for coverage, so a grade resting on old data is marked 资料不全. Ages are
passed in; nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta

from scoring.assessment import PROVISIONAL_BELOW

# Defaults of the template's FAQ: public-credit records monthly, overdue payments every 10 days,
# complaints and returns weekly. Indicators not named here are never due nor stale.
DEFAULT_REFRESH: dict[str, timedelta] = {
    "abnormal_operation_count": timedelta(days=30),
    "dishonest_debtor_count": timedelta(days=30),
    "tax_arrears_count": timedelta(days=30),
    "admin_penalty_max_amount": timedelta(days=30),
    "credit_overdue_count": timedelta(days=30),
    "pending_litigation_amount": timedelta(days=30),
    "litigation_ratio_pct": timedelta(days=30),
    "overdue_payment_count": timedelta(days=10),
    "platform_complaint_count": timedelta(days=7),
    "malicious_return_count": timedelta(days=7),
    "return_breach_count": timedelta(days=7),
}


def is_due(age: timedelta | None, interval: timedelta) -> bool:
    """Worth querying again: never observed, or at least one interval old."""
    return age is None or age >= interval


def is_stale(age: timedelta, interval: timedelta) -> bool:
    """Past twice the refresh interval: 资料过期."""
    return age > 2 * interval


def stale_keys(ages: Mapping[str, timedelta], refresh: Mapping[str, timedelta]) -> frozenset[str]:
    """The keys whose latest observation is past twice their refresh interval."""
    return frozenset(k for k, age in ages.items() if k in refresh and is_stale(age, refresh[k]))


def fresh_coverage(known: Mapping[str, float], stale: Collection[str], total_weight: float) -> float:
    """Coverage with stale values counted as unknown; `known` is the weight of each indicator
    that has a value (SPEC §4: coverage = known weight / total weight)."""
    weight = sum(w for key, w in known.items() if key not in stale)
    return weight / total_weight if total_weight else 0.0


def provisional(coverage: float) -> bool:
    return coverage < PROVISIONAL_BELOW
