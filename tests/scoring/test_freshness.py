"""资料时效: due at one refresh interval, stale past two, stale values unknown for coverage."""

from __future__ import annotations

from datetime import timedelta

from scoring.freshness import DEFAULT_REFRESH, fresh_coverage, is_due, is_stale, provisional, stale_keys

MONTH = timedelta(days=30)


def test_a_value_is_due_at_its_interval_and_stale_only_past_twice_that() -> None:
    assert is_due(None, MONTH) and is_due(MONTH, MONTH) and not is_due(MONTH - timedelta(seconds=1), MONTH)
    assert not is_stale(2 * MONTH, MONTH) and is_stale(2 * MONTH + timedelta(seconds=1), MONTH)


def test_the_faq_defaults_dishonest_monthly_overdue_every_ten_days_complaints_weekly() -> None:
    assert DEFAULT_REFRESH["dishonest_debtor_count"] == MONTH
    assert DEFAULT_REFRESH["overdue_payment_count"] == timedelta(days=10)
    assert DEFAULT_REFRESH["platform_complaint_count"] == timedelta(days=7)


def test_only_indicators_with_an_interval_go_stale() -> None:
    ages = {"dishonest_debtor_count": timedelta(days=61), "cumulative_amount": timedelta(days=999),
            "overdue_payment_count": timedelta(days=15)}
    assert stale_keys(ages, DEFAULT_REFRESH) == {"dishonest_debtor_count"}


def test_stale_values_count_as_unknown_for_coverage() -> None:
    known = {"dishonest_debtor_count": 15.0, "overdue_payment_count": 15.0, "cumulative_amount": 5.0}
    assert fresh_coverage(known, set(), 35.0) == 1.0
    coverage = fresh_coverage(known, {"dishonest_debtor_count"}, 35.0)
    assert round(coverage, 4) == round(20 / 35, 4) and provisional(coverage)
