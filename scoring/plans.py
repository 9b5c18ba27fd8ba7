"""Response plans (应对预案, SPEC §6) with the terms computed for one customer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scoring.grades import Grade


class Task(StrEnum):
    COLLECTION = "collection"  # 催收应收账款
    LEGAL_COLLECTION = "legal_collection"  # 法律催收


@dataclass(frozen=True, slots=True)
class Plan:
    grade: Grade
    action: str  # normal | compress_terms | stop_credit | end_cooperation
    summary: str
    terms_before: int | None
    terms_after: int | None  # None when the customer's agreed terms are unknown
    prepayment_pct: int  # minimum prepayment for yellow; 0 otherwise (red/black sell cash on delivery, or not at all)
    task: Task | None

    def as_dict(self) -> dict[str, object]:
        return {
            "grade": self.grade.value,
            "action": self.action,
            "summary": self.summary,
            "terms_before": self.terms_before,
            "terms_after": self.terms_after,
            "prepayment_pct": self.prepayment_pct,
            "task": self.task.value if self.task else None,
        }


YELLOW_TERMS_KEEP = 7  # tenths of the agreed terms kept: compressed by 30%
YELLOW_PREPAYMENT_PCT = 30

SUMMARIES = {
    Grade.BLUE: "正常合作，可给予最优账期",
    Grade.YELLOW: "账期压缩30%，预付款比例不低于30%",
    Grade.RED: "停止赊销，现款现货，启动应收账款催收",
    Grade.BLACK: "终止一切合作，启动法律催收",
}


def plan_for(grade: Grade, credit_terms_days: int | None) -> Plan:
    """The plan for a grade. Yellow keeps 70% of the agreed terms, rounded down (60 → 42)."""
    terms = credit_terms_days
    if grade is Grade.BLUE:
        return Plan(grade, "normal", SUMMARIES[grade], terms, terms, 0, None)
    if grade is Grade.YELLOW:
        after = None if terms is None else terms * YELLOW_TERMS_KEEP // 10
        return Plan(grade, "compress_terms", SUMMARIES[grade], terms, after, YELLOW_PREPAYMENT_PCT, None)
    if grade is Grade.RED:
        return Plan(grade, "stop_credit", SUMMARIES[grade], terms, 0, 0, Task.COLLECTION)
    return Plan(grade, "end_cooperation", SUMMARIES[grade], terms, 0, 0, Task.LEGAL_COLLECTION)
