"""Every rule kind at, just below and just above its line, on the shipped indicators (SPEC §3).

Comparisons are strict exactly as written: "> 300" means 300 costs nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from scoring.grades import Grade
from scoring.rules import RuleError, compile_rule
from tests.scoring.facts import assess_clean, line

# (profile, indicator, value, points lost)
BOUNDARIES: list[tuple[str, str, Any, float]] = [
    # tiers: < 100,000 → 1; < 1,000,000 → 0.5 (weight 5)
    ("general", "cumulative_amount", 0, 5),
    ("general", "cumulative_amount", 99_999, 5),
    ("general", "cumulative_amount", 100_000, 2.5),
    ("general", "cumulative_amount", 999_999, 2.5),
    ("general", "cumulative_amount", 1_000_000, 0),
    ("general", "cumulative_amount", 1_000_001, 0),
    # per_occurrence 0.5 each, capped at 1 (weight 10)
    ("general", "abnormal_operation_count", 0, 0),
    ("general", "abnormal_operation_count", 1, 5),
    ("general", "abnormal_operation_count", 2, 10),
    ("general", "abnormal_operation_count", 3, 10),
    # per_occurrence 1/3 each = 5 points, capped at 1 (weight 15)
    ("general", "overdue_payment_count", 1, 5),
    ("general", "overdue_payment_count", 2, 10),
    ("general", "overdue_payment_count", 3, 15),
    ("general", "overdue_payment_count", 4, 15),
    ("general", "overdue_payment_count", 40, 15),
    # outside: > +200 or < −30 (weight 10)
    ("general", "revenue_change_pct", -30.01, 10),
    ("general", "revenue_change_pct", -30, 0),
    ("general", "revenue_change_pct", -29.99, 0),
    ("general", "revenue_change_pct", 0, 0),
    ("general", "revenue_change_pct", 199.99, 0),
    ("general", "revenue_change_pct", 200, 0),
    ("general", "revenue_change_pct", 200.01, 10),
    # above
    ("general", "order_spike_pct", 299.99, 0),
    ("general", "order_spike_pct", 300, 0),
    ("general", "order_spike_pct", 300.01, 7),
    ("general", "executive_change_count", 2, 0),
    ("general", "executive_change_count", 3, 8),
    ("general", "term_extension_days", 60, 0),
    ("general", "term_extension_days", 61, 7),
    ("general", "return_breach_count", 2, 0),
    ("general", "return_breach_count", 3, 5),
    ("general", "admin_penalty_max_amount", 100_000, 0),
    ("general", "admin_penalty_max_amount", 100_000.01, 8),
    ("general", "litigation_ratio_pct", 20, 0),
    ("general", "litigation_ratio_pct", 20.01, 5),
    ("finance", "debt_ratio_pct", 70, 0),
    ("finance", "debt_ratio_pct", 70.01, 30),
    # below: < −20 (manufacturing capacity utilisation, weight 5)
    ("manufacturing", "capacity_utilization_change_pct", -19.99, 0),
    ("manufacturing", "capacity_utilization_change_pct", -20, 0),
    ("manufacturing", "capacity_utilization_change_pct", -20.01, 5),
    # any: ≥ 1 → 1
    ("general", "tax_arrears_count", 0, 0),
    ("general", "tax_arrears_count", 1, 7),
    ("general", "tax_arrears_count", 6, 7),
    ("general", "dishonest_debtor_count", 1, 15),
    ("general", "credit_overdue_count", 1, 10),
    ("ecommerce", "coupon_abuse_count", 1, 10),
    # per_occurrence 0.25 each (ecommerce complaints, weight 10)
    ("ecommerce", "platform_complaint_count", 3, 7.5),
    ("ecommerce", "platform_complaint_count", 4, 10),
    ("ecommerce", "platform_complaint_count", 5, 10),
    # rating A/B/C/D → 0, 1/3, 2/3, 1 (services payment willingness, weight 10)
    ("services", "payment_willingness", "A", 0),
    ("services", "payment_willingness", "B", 10 / 3),
    ("services", "payment_willingness", "C", 20 / 3),
    ("services", "payment_willingness", "D", 10),
    ("services", "payment_willingness", " d ", 10),
]


@pytest.mark.parametrize(("profile", "key", "value", "points"), BOUNDARIES)
def test_each_rule_costs_exactly_what_its_line_says(profile: str, key: str, value: Any, points: float) -> None:
    result = assess_clean(profile, **{key: value})
    assert line(result, key).points_lost == pytest.approx(points)
    weight = line(result, key).weight
    assert line(result, key).share == pytest.approx(points / weight)


@pytest.mark.parametrize(("overdue", "grade"), [(3, Grade.BLUE), (4, Grade.RED)])
def test_overdue_floor_starts_above_three(overdue: int, grade: Grade) -> None:
    # 3 or 4 overdue both cost 15: 100 × 97 / 112 = 86.6; only 4 hits the "> 3" floor.
    result = assess_clean(overdue_payment_count=overdue)
    assert result.score == 86.6
    assert result.grade is grade


@pytest.mark.parametrize(("count", "grade"), [(0, Grade.BLUE), (1, Grade.YELLOW), (3, Grade.YELLOW)])
def test_dishonest_floor_starts_at_one_record(count: int, grade: Grade) -> None:
    assert assess_clean(dishonest_debtor_count=count).grade is grade


def test_a_floor_never_lifts_a_grade_that_is_already_worse() -> None:
    # dishonest 1 (15) + overdue 3 (15) + credit overdue (10) + tax (7) + exec (8) + abnormal 2 (10)
    # D = 65 of 112 → 100 × 47 / 112 = 41.96… → 42.0 → red; the yellow floor leaves it red
    result = assess_clean(
        dishonest_debtor_count=1, overdue_payment_count=3, credit_overdue_count=1,
        tax_arrears_count=1, executive_change_count=3, abnormal_operation_count=2,
    )
    assert (result.score, result.grade) == (42.0, Grade.RED)
    assert [f.grade for f in result.floors] == [Grade.YELLOW]


def test_floor_reasons_follow_a_relabelled_indicator() -> None:
    result = assess_clean("services", overdue_payment_count=4)
    assert result.grade is Grade.RED
    assert result.floors[0].reason == "服务费拖欠次数 > 3 → 至少红标"


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ({"kind": "nope"}, "unknown rule kind"),
        ({"kind": "above"}, "needs 'line'"),
        ({"kind": "above", "line": "ten"}, "must be a number"),
        ({"kind": "above", "line": 1, "share": 1.5}, "between 0 and 1"),
        ({"kind": "above", "line": 1, "share": -0.1}, "between 0 and 1"),
        ({"kind": "per_occurrence", "share": 0}, "more than 0"),
        ({"kind": "per_occurrence", "share": "1/0"}, "fraction"),
        ({"kind": "outside", "low": 5, "high": 5}, "must be below"),
        ({"kind": "tiers", "tiers": []}, "non-empty list"),
        ({"kind": "tiers", "tiers": [{"below": 1, "above": 2, "share": 1}]}, "exactly one"),
        ({"kind": "tiers", "tiers": [{"below": 1, "share": 1}, {"above": 5, "share": 1}]}, "all be 'below' lines"),
        ({"kind": "rating", "map": {}}, "needs a 'map'"),
        ({"kind": "rating", "map": {"A": 2}}, "between 0 and 1"),
        ("above 3", "must be a mapping"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_with_the_reason(spec: Any, complaint: str) -> None:
    with pytest.raises(RuleError, match=complaint):
        compile_rule(spec)


def test_tier_order_in_the_file_does_not_matter() -> None:
    rule = compile_rule({"kind": "tiers", "tiers": [{"below": 1_000_000, "share": 0.5}, {"below": 100_000, "share": 1}]})
    assert [rule.share(v) for v in (99_999, 100_000, 1_000_000)] == [1, 0.5, 0]
    above = compile_rule({"kind": "tiers", "tiers": [{"above": 10, "share": 0.5}, {"above": 20, "share": 1}]})
    assert [above.share(v) for v in (10, 11, 20, 21)] == [0, 0.5, 0.5, 1]
