"""What a newly computed grade does to the effective grade (异动标记, SPEC §8)."""

from __future__ import annotations

import pytest

from scoring.changes import Decision, Outcome, change_reason, decide, moved_lines
from scoring.grades import Grade
from tests.scoring.facts import assess_clean

B, Y, R, K = Grade.BLUE, Grade.YELLOW, Grade.RED, Grade.BLACK


@pytest.mark.parametrize(("effective", "computed"), [(B, Y), (Y, B)])
def test_moves_between_blue_and_yellow_apply_at_once(effective: Grade, computed: Grade) -> None:
    assert decide(effective, computed, None) == Decision(Outcome.APPLY, effective, computed)


@pytest.mark.parametrize(("effective", "computed"), [(B, R), (Y, R), (Y, K), (R, Y), (R, K), (K, R), (K, B), (R, B)])
def test_any_move_into_or_out_of_red_or_black_waits_for_a_director(effective: Grade, computed: Grade) -> None:
    assert decide(effective, computed, None) == Decision(Outcome.REQUEST, effective, computed)


@pytest.mark.parametrize(("computed", "outcome"), [(B, Outcome.APPLY), (Y, Outcome.APPLY), (R, Outcome.REQUEST), (K, Outcome.REQUEST)])
def test_a_first_grade_follows_the_same_rule_from_none(computed: Grade, outcome: Outcome) -> None:
    assert decide(None, computed, None) == Decision(outcome, None, computed)


def test_an_unchanged_grade_does_nothing() -> None:
    assert decide(Y, Y, None).outcome is Outcome.NOTHING


def test_the_same_change_already_pending_is_kept_not_raised_again() -> None:
    assert decide(Y, R, R) == Decision(Outcome.KEEP, Y, R)


def test_returning_to_the_effective_grade_withdraws_the_pending_request() -> None:
    assert decide(Y, Y, R) == Decision(Outcome.WITHDRAW, Y, R)


def test_a_newer_target_supersedes_the_pending_request() -> None:
    assert decide(Y, K, R) == Decision(Outcome.REQUEST, Y, K, supersedes_pending=True)


def test_a_move_among_blue_and_yellow_supersedes_a_pending_red_request() -> None:
    assert decide(B, Y, R) == Decision(Outcome.APPLY, B, Y, supersedes_pending=True)


def test_a_held_grade_ignores_computed_grades_until_released() -> None:
    assert decide(R, B, None, held=True) == Decision(Outcome.NOTHING, R, R)
    assert decide(R, K, K, held=True).outcome is Outcome.NOTHING


def test_an_unscored_customer_changes_nothing() -> None:
    assert decide(Y, None, None).outcome is Outcome.NOTHING
    assert decide(None, None, None).outcome is Outcome.NOTHING


def test_the_reason_names_the_indicators_and_floors_that_moved() -> None:
    before = assess_clean(overdue_payment_count=1)
    after = assess_clean(overdue_payment_count=4, tax_arrears_count=1)
    assert [line.key for line in moved_lines(before, after)] == ["tax_arrears_count", "overdue_payment_count"]
    reason = change_reason(before, after)
    # W = 112, D = 7 + 15 = 22 → 100 × 90 / 112 = 80.357… → 80.4
    assert reason.startswith("评分 80.4；")
    assert "欠税公告记录(近2年)=1 (−7.0)" in reason
    assert "历史逾期付款次数(逾期>30天)=4 (−15.0)" in reason
    assert reason.endswith("历史逾期付款次数(逾期>30天) > 3 → 至少红标")


def test_a_first_reason_lists_everything_that_costs_points() -> None:
    reason = change_reason(None, assess_clean(dishonest_debtor_count=2))
    assert reason == "评分 86.6；失信被执行人记录(近3年)=2 (−15.0)；失信被执行人记录(近3年) ≥ 1 → 至少黄标"


def test_an_improvement_lists_no_costs() -> None:
    assert change_reason(assess_clean(tax_arrears_count=1), assess_clean()) == "评分 100.0"
