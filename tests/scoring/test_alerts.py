"""Risk alerts (SPEC §10): newly crossed lines, once per change."""

from __future__ import annotations

import pytest

from scoring.alerts import crossings

LEVELS = [
    ("order_spike_pct", 300, 300.01),
    ("term_extension_days", 60, 61),
    ("admin_penalty_max_amount", 100_000, 100_000.01),
]
COUNTS = ["dishonest_debtor_count", "overdue_payment_count", "tax_arrears_count"]


@pytest.mark.parametrize(("key", "on_line", "over"), LEVELS)
def test_a_level_alerts_when_it_newly_goes_over_its_line(key: str, on_line: float, over: float) -> None:
    assert crossings({key: 0}, {key: on_line}) == []
    [crossing] = crossings({key: on_line}, {key: over})
    assert (crossing.key, crossing.old, crossing.new) == (key, on_line, over)


@pytest.mark.parametrize(("key", "on_line", "over"), LEVELS)
def test_a_level_already_over_its_line_does_not_alert_again(key: str, on_line: float, over: float) -> None:
    assert crossings({key: over}, {key: over}) == []
    assert crossings({key: over}, {key: over * 2}) == []


@pytest.mark.parametrize(("key", "on_line", "over"), LEVELS)
def test_a_level_first_known_over_its_line_alerts(key: str, on_line: float, over: float) -> None:
    assert [c.key for c in crossings({}, {key: over})] == [key]


@pytest.mark.parametrize("key", COUNTS)
def test_a_count_alerts_on_every_increase(key: str) -> None:
    assert [c.key for c in crossings({key: 0}, {key: 1})] == [key]
    assert [c.key for c in crossings({key: 1}, {key: 2})] == [key]
    assert [c.key for c in crossings({}, {key: 1})] == [key]


@pytest.mark.parametrize("key", COUNTS)
def test_a_count_does_not_alert_when_unchanged_or_lower(key: str) -> None:
    assert crossings({key: 2}, {key: 2}) == []
    assert crossings({key: 2}, {key: 1}) == []
    assert crossings({}, {key: 0}) == []


def test_each_change_has_its_own_signature_so_it_is_sent_once() -> None:
    first = crossings({"overdue_payment_count": 1}, {"overdue_payment_count": 2})
    again = crossings({"overdue_payment_count": 1}, {"overdue_payment_count": 2})
    later = crossings({"overdue_payment_count": 2}, {"overdue_payment_count": 3})
    assert first[0].signature == again[0].signature == "overdue_payment_count:1->2"
    assert later[0].signature != first[0].signature


def test_the_alert_says_in_chinese_what_happened() -> None:
    whats = {c.key: c.what for c in crossings({}, {"dishonest_debtor_count": 1, "order_spike_pct": 400})}
    assert whats == {"dishonest_debtor_count": "新增失信被执行人记录", "order_spike_pct": "单次下单金额突增超过300%"}


def test_unknown_new_values_and_indicators_without_alerts_cross_nothing() -> None:
    assert crossings({"overdue_payment_count": 3}, {}) == []
    assert crossings({}, {"credit_overdue_count": 5, "revenue_change_pct": 500}) == []


def test_several_lines_crossed_at_once_alert_together() -> None:
    found = crossings(
        {"tax_arrears_count": 0, "term_extension_days": 30},
        {"tax_arrears_count": 1, "term_extension_days": 90, "dishonest_debtor_count": 1},
    )
    assert sorted(c.key for c in found) == ["dishonest_debtor_count", "tax_arrears_count", "term_extension_days"]
