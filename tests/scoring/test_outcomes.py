"""Report periods and the statistics of the quarterly review, worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.outcomes import (
    PeriodError, auc, ks, median, month, months_ending, parse_month, parse_quarter, previous_quarter, quarter, share,
)


def test_months_and_quarters_are_half_open_day_ranges() -> None:
    assert parse_month("2026-11") == month(2026, 11)
    assert (month(2026, 12).start, month(2026, 12).end, month(2026, 12).last_day) == (
        date(2026, 12, 1), date(2027, 1, 1), date(2026, 12, 31))
    assert date(2026, 11, 30) in month(2026, 11) and date(2026, 12, 1) not in month(2026, 11)
    assert [m.name for m in months_ending(month(2026, 2), 3)] == ["2025-12", "2026-01", "2026-02"]
    assert parse_quarter("2026q4") == parse_quarter("2026-Q4") == quarter(2026, 4)
    assert (quarter(2026, 3).start, quarter(2026, 3).end) == (date(2026, 7, 1), date(2026, 10, 1))
    assert previous_quarter(quarter(2026, 1)).name == "2025Q4"


@pytest.mark.parametrize("text", ["2026-13", "2026/11", "Nov", ""])
def test_a_month_that_is_none_says_how_to_write_it(text: str) -> None:
    with pytest.raises(PeriodError, match="write it like 2026-11"):
        parse_month(text)


def test_a_quarter_that_is_none_says_how_to_write_it() -> None:
    with pytest.raises(PeriodError, match="write it like 2026Q4"):
        parse_quarter("2026Q5")


def test_median_and_share() -> None:
    assert median([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([6.0, 36.0]) == 21.0
    assert share(1, 0) is None and share(1, 4) == 0.25


def test_auc_counts_pairs_where_the_loss_scored_lower_and_ties_half() -> None:
    assert auc([10.0, 20.0], [30.0, 40.0]) == 1.0  # every loss below every other
    assert auc([50.0], [50.0]) == 0.5
    assert auc([20.0, 60.0], [40.0]) == 0.5
    assert auc([], [1.0]) is None


def test_ks_is_the_largest_gap_between_the_cumulative_distributions() -> None:
    assert ks([10.0, 20.0], [30.0, 40.0]) == 1.0
    assert ks([10.0, 50.0], [30.0, 40.0]) == 0.5
    assert ks([50.0], []) is None
