"""Response plans (SPEC §6): what each grade means for the customer's credit terms."""

from __future__ import annotations

from scoring.grades import Grade
from scoring.plans import Task, plan_for


def test_blue_keeps_the_agreed_terms_and_asks_no_prepayment() -> None:
    plan = plan_for(Grade.BLUE, 60)
    assert (plan.terms_before, plan.terms_after, plan.prepayment_pct, plan.task) == (60, 60, 0, None)
    assert plan.summary == "正常合作，可给予最优账期"


def test_yellow_compresses_60_days_to_42_and_asks_at_least_30_percent_prepaid() -> None:
    plan = plan_for(Grade.YELLOW, 60)
    assert (plan.terms_before, plan.terms_after, plan.prepayment_pct, plan.task) == (60, 42, 30, None)
    assert "账期压缩30%" in plan.summary


def test_yellow_rounds_compressed_terms_down_to_whole_days() -> None:
    # 45 × 0.7 = 31.5 → 31; 10 × 0.7 = 7; 1 × 0.7 = 0.7 → 0
    assert [plan_for(Grade.YELLOW, days).terms_after for days in (45, 10, 1, 0)] == [31, 7, 0, 0]


def test_red_stops_credit_and_opens_a_collection_task() -> None:
    plan = plan_for(Grade.RED, 60)
    assert (plan.terms_after, plan.task, plan.action) == (0, Task.COLLECTION, "stop_credit")
    assert plan.prepayment_pct == 0  # cash on delivery, not a prepayment
    assert "启动应收账款催收" in plan.summary


def test_black_ends_cooperation_and_opens_a_legal_collection_task() -> None:
    plan = plan_for(Grade.BLACK, 60)
    assert (plan.terms_after, plan.task, plan.action) == (0, Task.LEGAL_COLLECTION, "end_cooperation")
    assert "法律催收" in plan.summary


def test_unknown_terms_stay_unknown_unless_credit_stops() -> None:
    assert plan_for(Grade.BLUE, None).terms_after is None
    assert plan_for(Grade.YELLOW, None).terms_after is None
    assert plan_for(Grade.YELLOW, None).prepayment_pct == 30
    assert plan_for(Grade.RED, None).terms_after == 0
    assert plan_for(Grade.BLACK, None).terms_after == 0


def test_a_plan_reads_as_plain_json() -> None:
    assert plan_for(Grade.RED, 30).as_dict() == {
        "grade": "red",
        "action": "stop_credit",
        "summary": "停止赊销，现款现货，启动应收账款催收",
        "terms_before": 30,
        "terms_after": 0,
        "prepayment_pct": 0,
        "task": "collection",
    }
