"""What the exported workbook says, in each locale: sheet names, headers, grades, statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.cadence import CADENCE_DAYS, CADENCE_ZH
from scoring.grades import LABELS_ZH, Grade
from scoring.plans import SUMMARIES
from spreadsheets.columns import Column
from storage.models import ChangeStatus

@dataclass(frozen=True)
class Words:
    """What the workbook says in one locale."""

    sheets: tuple[str, str, str, str, str]  # customers, summary, follow-ups, grade changes, write-offs
    fact_headers_are_keys: bool
    followup_headers: tuple[str, ...]
    change_headers: tuple[str, ...]
    write_off_headers: tuple[str, ...]
    grades: Mapping[Grade, str]
    no_grade: str  # where a change starts from
    ungraded: str
    provisional: str  # {grade}
    cadence: Mapping[Grade, str]
    pending: str  # {from_}, {to}, {since}
    floor: str  # {condition}, {grade}
    summaries: Mapping[Grade, str]
    measures: str  # {summary}, {details}
    terms_kept: str  # {days}
    terms_moved: str  # {before}, {after}
    terms_set: str  # {after}
    terms_unknown: str
    prepayment: str  # {pct}
    list_separator: str
    detail_separator: str
    statuses: Mapping[str, str]
    write_off_statuses: Mapping[str, str]
    kinds: Mapping[str, str]
    summary: Mapping[str, str]  # the 看板's labels
    events_sheet: str  # 风险事件: the sheet the events import reads back
    event_headers: tuple[str, ...]
    event_kinds: Mapping[str, str]  # as the events import reads them back

    def fact_header(self, column: Column) -> str:
        return column.key if self.fact_headers_are_keys else column.label

    def derived_header(self, zh: str, en: str) -> str:
        return en if self.fact_headers_are_keys else zh

    def grade(self, grade: Grade | None) -> str:
        return self.no_grade if grade is None else self.grades[grade]


ZH = Words(
    sheets=("客户", "看板", "跟进记录", "异动标记", "核销"),
    fact_headers_are_keys=False,
    followup_headers=("客户全称", "统一社会信用代码", "时间", "记录人", "跟进内容", "来源频道", "来源消息"),
    change_headers=("客户全称", "统一社会信用代码", "原等级", "新等级", "评分", "原因", "类型", "状态",
                    "申请时间", "申请人", "审批人", "审批时间", "备注"),
    write_off_headers=("客户全称", "统一社会信用代码", "申请人", "申请时间", "说明", "证据", "状态",
                       "审批人", "审批时间", "备注"),
    grades=LABELS_ZH,
    no_grade="无",
    ungraded="未评级",
    provisional="{grade}（资料不全）",
    cadence={g: f"{CADENCE_ZH[g]}（{CADENCE_DAYS[g]}天）" for g in Grade},
    pending="{from_} → {to}（{since} 起待审批）",
    floor="{condition} → 至少{grade}",
    summaries=SUMMARIES,
    measures="{summary}（{details}）",
    terms_kept="账期 {days} 天不变",
    terms_moved="账期 {before} → {after} 天",
    terms_set="账期 {after} 天",
    terms_unknown="账期未登记",
    prepayment="预付 ≥ {pct}%",
    list_separator="；",
    detail_separator="，",
    statuses={
        ChangeStatus.AUTO_APPLIED: "自动生效", ChangeStatus.PENDING: "待审批", ChangeStatus.APPROVED: "已批准",
        ChangeStatus.REJECTED: "已驳回", ChangeStatus.SUPERSEDED: "已被新申请取代", ChangeStatus.WITHDRAWN: "已撤回",
    },
    write_off_statuses={"pending": "待审批", "approved": "已批准", "rejected": "已驳回"},
    kinds={"computed": "系统评分", "manual": "人工调级"},
    summary={
        "grade": "风险等级", "customers": "客户数", "outstanding": "待回款金额", "total": "合计",
        "tracking": "跟进与审批", "count": "数量", "as_of": "统计日期", "due": "今日到期跟进",
        "overdue": "逾期跟进", "pending_changes": "待审批变更", "pending_write_offs": "待审批核销",
    },
    events_sheet="风险事件",
    event_headers=("客户全称", "统一社会信用代码", "事件类型", "发生日期", "金额", "天数", "备注", "当日等级", "来源",
                   "记录人", "记录时间"),
    event_kinds={"overdue": "逾期", "loss": "坏账损失", "recovery": "回款", "legal_opened": "立案",
                 "legal_closed": "结案", "cooperation_ended": "终止合作"},
)

EN = Words(
    sheets=("Customers", "Summary", "Follow-ups", "Grade changes", "Write-offs"),
    fact_headers_are_keys=True,
    followup_headers=("Customer", "Credit code", "Time", "Author", "Follow-up", "Source channel", "Source message"),
    change_headers=("Customer", "Credit code", "From", "To", "Score", "Reason", "Kind", "Status",
                    "Requested at", "Requested by", "Decided by", "Decided at", "Note"),
    write_off_headers=("Customer", "Credit code", "Requested by", "Requested at", "Description", "Evidence",
                       "Status", "Decided by", "Decided at", "Note"),
    grades={Grade.BLUE: "Blue", Grade.YELLOW: "Yellow", Grade.RED: "Red", Grade.BLACK: "Black"},
    no_grade="none",
    ungraded="Ungraded",
    provisional="{grade} (incomplete data)",
    cadence={Grade.BLUE: "quarterly (90 days)", Grade.YELLOW: "monthly (30 days)", Grade.RED: "weekly (7 days)",
             Grade.BLACK: "daily (1 day)"},
    pending="{from_} → {to} (pending since {since})",
    floor="{condition} → at least {grade}",
    summaries={
        Grade.BLUE: "Normal cooperation, best credit terms",
        Grade.YELLOW: "Terms cut by 30% + prepayment",
        Grade.RED: "Credit stopped, cash on delivery, collect receivables",
        Grade.BLACK: "All cooperation ended, legal collection",
    },
    measures="{summary} ({details})",
    terms_kept="terms unchanged at {days} days",
    terms_moved="terms {before} → {after} days",
    terms_set="terms {after} days",
    terms_unknown="terms not on record",
    prepayment="prepay ≥ {pct}%",
    list_separator="; ",
    detail_separator=", ",
    statuses={
        ChangeStatus.AUTO_APPLIED: "applied at once", ChangeStatus.PENDING: "pending", ChangeStatus.APPROVED: "approved",
        ChangeStatus.REJECTED: "rejected", ChangeStatus.SUPERSEDED: "superseded", ChangeStatus.WITHDRAWN: "withdrawn",
    },
    write_off_statuses={"pending": "pending", "approved": "approved", "rejected": "rejected"},
    kinds={"computed": "scored", "manual": "by hand"},
    summary={
        "grade": "Grade", "customers": "Customers", "outstanding": "Outstanding", "total": "Total",
        "tracking": "Follow-ups and approvals", "count": "Count", "as_of": "As of", "due": "Follow-ups due today",
        "overdue": "Follow-ups overdue", "pending_changes": "Pending grade changes",
        "pending_write_offs": "Pending write-offs",
    },
    events_sheet="Events",
    event_headers=("name", "credit_code", "kind", "occurred_on", "amount", "days", "note", "grade_that_day", "source",
                   "recorded_by", "recorded_at"),
    event_kinds={k: k for k in ("overdue", "loss", "recovery", "legal_opened", "legal_closed", "cooperation_ended")},
)
WORDS = {"zh": ZH, "en": EN}
