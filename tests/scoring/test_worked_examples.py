"""SPEC §4's worked examples, and one example per industry profile worked out by hand."""

from __future__ import annotations

import pytest

from scoring.assessment import round_half_up
from scoring.grades import Grade, grade_for_score
from tests.scoring.facts import assess_clean, assess_raw, line


def test_a_clean_customer_scores_100_and_is_blue() -> None:
    result = assess_clean()
    assert (result.score, result.grade, result.provisional) == (100.0, Grade.BLUE, False)
    assert result.coverage == 1.0
    assert result.floors == ()


def test_two_overdue_one_tax_arrears_and_half_a_million_traded_is_yellow_at_82_6() -> None:
    # W = 112; D = 15 × 2/3 (overdue) + 7 (tax) + 5 × 0.5 (cumulative < 1,000,000) = 19.5
    # score = 100 × (112 − 19.5) / 112 = 82.589… → 82.6 → yellow
    result = assess_clean(overdue_payment_count=2, tax_arrears_count=1, cumulative_amount=500_000)
    assert (result.score, result.grade) == (82.6, Grade.YELLOW)
    assert line(result, "overdue_payment_count").points_lost == pytest.approx(10)
    assert line(result, "tax_arrears_count").points_lost == 7
    assert line(result, "cumulative_amount").points_lost == 2.5


def test_four_overdue_payments_score_86_6_but_the_floor_makes_the_grade_red() -> None:
    # D = 15 (overdue capped at the weight); 100 × 97 / 112 = 86.607… → 86.6, blue by score
    result = assess_clean(overdue_payment_count=4)
    assert result.score == 86.6
    assert result.score_grade is Grade.BLUE
    assert result.grade is Grade.RED
    assert [(f.key, f.grade) for f in result.floors] == [("overdue_payment_count", Grade.RED)]
    assert "至少红标" in result.floors[0].reason


def test_one_dishonest_debtor_record_scores_86_6_but_the_floor_makes_the_grade_yellow() -> None:
    # D = 15 (any record costs the whole weight); 100 × 97 / 112 = 86.6
    result = assess_clean(dishonest_debtor_count=1)
    assert (result.score, result.grade) == (86.6, Grade.YELLOW)
    assert result.floors[0].reason.startswith("失信被执行人")
    assert result.floors[0].reason.endswith("至少黄标")


def test_three_known_values_give_a_provisional_blue_86_5_with_coverage_one_third() -> None:
    # W = 15 + 15 + 7 = 37; D = 5 (one overdue); 100 × 32 / 37 = 86.486… → 86.5
    result = assess_raw("general", {"overdue_payment_count": 1, "dishonest_debtor_count": 0, "tax_arrears_count": 0})
    assert (result.score, result.grade, result.provisional) == (86.5, Grade.BLUE, True)
    assert round(result.coverage, 2) == 0.33
    assert len(result.missing) == 10


def test_nothing_known_is_unscored_and_provisional() -> None:
    result = assess_raw("general", {})
    assert (result.score, result.grade, result.provisional) == (None, None, True)
    assert len(result.missing) == 13


def test_manufacturing_two_overdue_and_a_defaulting_partner_is_yellow_where_general_stays_blue() -> None:
    # manufacturing: W = 112 + 10 (overdue 15→25) + 5 (dishonest 15→20) + 5 + 5 = 137
    # D = 25 × 2/3 (overdue) + 5 (partner default ≥ 1) = 16.667 + 5 = 21.667
    # score = 100 × (137 − 21.667) / 137 = 84.18… → 84.2 → yellow
    result = assess_clean("manufacturing", overdue_payment_count=2, partner_default_count=1)
    assert (result.score, result.grade) == (84.2, Grade.YELLOW)
    # general: W = 112, D = 10 → 100 × 102 / 112 = 91.07… → 91.1, still blue
    assert assess_clean("general", overdue_payment_count=2).score == 91.1


def test_ecommerce_returns_complaints_and_coupon_abuse_make_a_yellow() -> None:
    # ecommerce: W = 112 − 75 + 20 (the seven scaled) + 4 × 10 (added) = 97
    # D = 10 × 0.5 (1 malicious return) + 10 × 2 × 0.25 (2 complaints) + 10 (coupon abuse)
    #     + 4 × 1/3 (1 overdue; overdue scaled 15 × 20/75 = 4) = 5 + 5 + 10 + 1.333 = 21.333
    # score = 100 × (97 − 21.333) / 97 = 78.006… → 78.0 → yellow
    result = assess_clean(
        "ecommerce", malicious_return_count=1, platform_complaint_count=2, coupon_abuse_count=1, overdue_payment_count=1
    )
    assert (result.score, result.grade) == (78.0, Grade.YELLOW)
    assert line(result, "overdue_payment_count").points_lost == pytest.approx(4 / 3)


def test_services_unpaid_fees_breaches_and_a_c_rating_make_a_yellow() -> None:
    # services: W = 112 + 10 (overdue 15→25) + 20 (breaches 5→25) + 10 + 10 = 162
    # D = 10 × 2/3 (rating C) + 10 × 0.5 (1 acceptance dispute) + 25 × 1/3 (1 unpaid fee)
    #     + 25 (3 contract breaches > 2) = 6.667 + 5 + 8.333 + 25 = 45
    # score = 100 × (162 − 45) / 162 = 72.22… → 72.2 → yellow
    result = assess_clean(
        "services", payment_willingness="C", acceptance_dispute_count=1, overdue_payment_count=1, return_breach_count=3
    )
    assert (result.score, result.grade) == (72.2, Grade.YELLOW)
    assert line(result, "return_breach_count").label == "合同违约记录"
    assert line(result, "return_breach_count").points_lost == 25


def test_finance_high_leverage_and_a_credit_overdue_make_a_yellow_rounded_half_up() -> None:
    # finance: W = 112 + 20 (credit overdue 10→30) + 30 + 15 + 15 = 192
    # D = 30 (debt ratio 75 > 70) + 30 (credit overdue ≥ 1) = 60
    # score = 100 × 132 / 192 = 68.75 exactly → half-up → 68.8 → yellow
    result = assess_clean("finance", debt_ratio_pct=75, credit_overdue_count=1)
    assert (result.score, result.grade) == (68.8, Grade.YELLOW)


def test_a_few_known_values_land_in_each_grade() -> None:
    # Only overdue (15) and tax (7) known: W = 22.
    # D = 0 → 100.0 blue; D = 7 → 68.18… → 68.2 yellow; D = 15 → 31.81… → 31.8 red; D = 22 → 0.0 black
    cases = {
        (0, 0): (100.0, Grade.BLUE),
        (0, 1): (68.2, Grade.YELLOW),
        (3, 0): (31.8, Grade.RED),
        (3, 1): (0.0, Grade.BLACK),
    }
    for (overdue, tax), expected in cases.items():
        result = assess_raw("general", {"overdue_payment_count": overdue, "tax_arrears_count": tax})
        assert (result.score, result.grade) == expected


def test_grade_bounds_85_60_30_belong_to_the_better_grade() -> None:
    scores = (85.0, 84.9, 60.0, 59.9, 30.0, 29.9)
    assert [grade_for_score(s) for s in scores] == [
        Grade.BLUE, Grade.YELLOW, Grade.YELLOW, Grade.RED, Grade.RED, Grade.BLACK,
    ]


def test_scores_round_half_up_to_one_decimal_before_grading() -> None:
    assert [round_half_up(x) for x in (82.55, 84.95, 84.9499, 59.95, 68.75)] == [82.6, 85.0, 84.9, 60.0, 68.8]
    assert grade_for_score(round_half_up(84.95)) is Grade.BLUE
