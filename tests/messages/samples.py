"""Hostile sample views and a catalogue of every builder, for the tests of messages/.

Every text field carries markup a user could type to ping a channel, mention someone or
forge a link, plus a 5,000-character name and emoji; lists carry hundreds of customers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import messages as m
from messages.event_views import EventEntry, EventRecorded
from messages.kinds import AlertKind, ListKind, RefusalReason, Subcommand, Unit
from messages.views import (
    Alert,
    AlertLine,
    AppliedChange,
    Candidate,
    ChangeLine,
    CustomerCard,
    CustomerLine,
    CustomerRef,
    Decision,
    Digest,
    Escalation,
    Floor,
    FollowupEntry,
    FollowupStored,
    GradeChange,
    Home,
    IndicatorRow,
    Nudge,
    NudgeItem,
    OwnerOverdue,
    PendingChange,
    Plan,
    Receivable,
    Stats,
    Task,
    Writeoff,
)
from scoring.grades import Grade

# Markup that must never reach Slack raw from data.
FORBIDDEN = ("<!channel>", "<!here>", "<@U123>", "<https://evil", "<#C123>")
HOSTILE = "<!channel> <@U123> <https://evil.example|click> <#C123> <!here> *bold* _it_ & \"q\" 'q' 😀 @channel"
LONG_NAME = "深圳市" + HOSTILE + "长" * 5000
NAME = "华强电子 " + HOSTILE

SALES = "USALES01"
RISK = "risk&<!here>@corp.example"  # an e-mail owner: shown escaped, never parsed
DIRECTOR = "WDIRECT9"
OUTSTANDING = Decimal("8765432.10")
PENALTY = Decimal("345678")
WHEN = datetime(2024, 5, 6, 9, 30)
TODAY = date(2024, 5, 6)
EVIDENCE_URL = "https://files.example.com/evidence?id=1&x=2"
PERMALINK = "https://acme.slack.com/archives/C1/p1714960000000100"


def ref(i: int = 7, grade: Grade | None = Grade.RED, name: str = NAME) -> CustomerRef:
    return CustomerRef(id=i, name=name, grade=grade)


def candidate(i: int) -> Candidate:
    return Candidate(id=i, name=f"{HOSTILE} {i}", grade=list(Grade)[i % 4], credit_code="91350100M000100Y43")


def followup(i: int = 0) -> FollowupEntry:
    return FollowupEntry(author=SALES, on=TODAY - timedelta(days=i), text=f"第{i}次 {HOSTILE}\n欠款 {OUTSTANDING}")


def card(name: str = NAME, **overrides: Any) -> CustomerCard:
    values: dict[str, Any] = dict(
        id=7,
        name=name,
        credit_code="91350100M000100Y43",
        industry="电子元器件制造 " + HOSTILE,
        profile="manufacturing",
        grade=Grade.RED,
        score=55.25,
        provisional=True,
        missing=("欠税公告记录(近2年)", HOSTILE),
        breakdown=(
            IndicatorRow(label="历史逾期付款次数", value=4, points_lost=25, reason="> 3 " + HOSTILE),
            IndicatorRow(label="行政处罚记录", value=PENALTY, unit=Unit.CNY, points_lost=8, reason="> 100,000"),
            IndicatorRow(label="近半年营收波动幅度", value=-35.5, unit=Unit.PERCENT, points_lost=10),
            IndicatorRow(label="账期申请延长幅度", value=70, unit=Unit.DAYS, points_lost=7),
            IndicatorRow(label="客户付费意愿评级", value="C", unit=Unit.TEXT, points_lost=6.6667),
            IndicatorRow(label="经营异常记录次数", value=0, points_lost=0),
        ),
        floors=(Floor(grade=Grade.RED, reason="历史逾期付款 4 次 " + HOSTILE),),
        plan=Plan(grade=Grade.RED, terms_before_days=60, terms_after_days=0, task=Task.COLLECTION),
        sales_owner=SALES,
        risk_officer=RISK,
        cadence_days=7,
        next_due=TODAY - timedelta(days=3),
        days_overdue=3,
        recent_followups=tuple(followup(i) for i in range(5)),
        pending=PendingChange(from_grade=Grade.RED, to_grade=Grade.BLACK, requested_by=DIRECTOR, requested_at=WHEN),
        computed_grade=Grade.YELLOW,
        manual_hold=True,
        outstanding_amount=OUTSTANDING,
        aliases=("华强", HOSTILE),
        recent_events=tuple(event(i) for i in range(5)),
    )
    values.update(overrides)
    return CustomerCard(**values)


EVENT_KINDS = ("overdue", "loss", "recovery", "legal_opened", "legal_closed", "cooperation_ended")


def event(i: int = 0) -> EventEntry:
    """The latest first; every kind in turn, with a hostile note and a money amount."""
    kind = EVENT_KINDS[i % len(EVENT_KINDS)]
    return EventEntry(kind=kind, on=TODAY - timedelta(days=i), amount=Decimal("345678.90") if kind != "legal_closed" else None,
                      days=45 if kind == "overdue" else None, note=HOSTILE + LONG_NAME, grade=Grade.RED)


def line(i: int) -> CustomerLine:
    return CustomerLine(
        id=i,
        name=f"{HOSTILE} 客户{i}",
        grade=list(Grade)[i % 4] if i % 7 else None,
        score=50 + i % 50,
        next_due=TODAY,
        days_overdue=i % 9,
        provisional=i % 3 == 0,
        pending_to=Grade.BLACK if i % 5 == 0 else None,
    )


def lines(n: int = 300) -> tuple[CustomerLine, ...]:
    return tuple(line(i) for i in range(1, n + 1))


def change(to: Grade = Grade.BLACK, name: str = NAME) -> GradeChange:
    return GradeChange(
        id=42,
        customer=ref(name=name),
        from_grade=Grade.YELLOW if to is Grade.RED else Grade.RED,
        to_grade=to,
        score=21.5,
        plan=Plan(grade=to, terms_before_days=42, terms_after_days=0, task=Task.LEGAL_COLLECTION),
        requested_by=SALES,
        requested_at=WHEN,
        moved=(
            IndicatorRow(label="失信被执行人记录", value=1, points_lost=15, reason=HOSTILE),
            IndicatorRow(label="行政处罚记录", value=PENALTY, unit=Unit.CNY, points_lost=8),
        ),
        floors=(Floor(grade=Grade.YELLOW, reason="失信被执行人 " + HOSTILE),),
        reason=HOSTILE,
        sales_owner=SALES,
        risk_officer=RISK,
        directors=(DIRECTOR, "boss&<!here>@corp.example"),
    )


def change_line(i: int = 42) -> ChangeLine:
    return ChangeLine(change_id=i, customer=ref(i), from_grade=Grade.YELLOW, to_grade=Grade.RED, by=SALES, at=WHEN)


APPROVED = Decision(approved=True, by=DIRECTOR, at=WHEN)
REJECTED = Decision(approved=False, by=DIRECTOR, at=WHEN, reason=HOSTILE)


def applied(decision: Decision | None = APPROVED) -> AppliedChange:
    return AppliedChange(
        change=change(Grade.RED), decision=decision, cadence_days=7, next_due=TODAY, outstanding_amount=OUTSTANDING
    )


def writeoff(url: str | None = EVIDENCE_URL) -> Writeoff:
    return Writeoff(
        id=9,
        customer=ref(),
        requested_by=SALES,
        requested_at=WHEN,
        evidence=HOSTILE,
        evidence_url=url,
        open_tasks=2,
        sales_owner=SALES,
        risk_officer=RISK,
    )


def alert() -> Alert:
    return Alert(
        customer=ref(),
        lines=tuple(AlertLine(kind=kind, value=PENALTY if kind is AlertKind.ADMIN_PENALTY else 350) for kind in AlertKind),
        sales_owner=SALES,
        risk_officer=RISK,
    )


def nudge_item(i: int) -> NudgeItem:
    return NudgeItem(
        customer=CustomerRef(id=i, name=f"{HOSTILE} 客户{i}", grade=list(Grade)[i % 4]),
        next_due=TODAY - timedelta(days=i % 40),
        days_overdue=i % 40,
        last_followup=followup(i) if i % 2 else None,
        pending_to=Grade.BLACK if i % 5 == 0 else None,
    )


def nudge(n: int = 300) -> Nudge:
    return Nudge(owner=SALES, items=tuple(nudge_item(i) for i in range(1, n + 1)))


def escalation() -> Escalation:
    return Escalation(
        customer=ref(),
        cadence_days=7,
        next_due=TODAY - timedelta(days=9),
        days_overdue=9,
        last_followup=followup(9),
        sales_owner=SALES,
        risk_officer=RISK,
        pending_to=Grade.RED,
    )


MIX = {Grade.BLUE: 120, Grade.YELLOW: 30, Grade.RED: 8, Grade.BLACK: 2}


def home(n: int = 300, director: bool = True) -> Home:
    return Home(
        user=SALES,
        customers=lines(n),
        due=lines(n)[: n // 2],
        grade_mix=MIX,
        pending_approvals=tuple(change_line(i) for i in range(60)) if director else None,
    )


def digest() -> Digest:
    return Digest(
        week_start=date(2024, 4, 29),
        week_end=date(2024, 5, 5),
        grade_mix=MIX,
        previous_mix={Grade.BLUE: 118, Grade.YELLOW: 32, Grade.RED: 8},
        changes=tuple(change_line(i) for i in range(200)),
        pending=tuple(change_line(i) for i in range(30)),
        overdue_by_owner=tuple(OwnerOverdue(owner=SALES if i % 2 else RISK, count=i) for i in range(1, 80)),
        largest_receivables=tuple(Receivable(customer=ref(i), amount=OUTSTANDING - i) for i in range(10)),
    )


Builder = Callable[[m.Renderer], Any]

MESSAGES: dict[str, Builder] = {
    "customer_card": lambda r: m.customer_card(r, card()),
    "customer_card_long_name": lambda r: m.customer_card(r, card(name=LONG_NAME)),
    "customer_card_ungraded": lambda r: m.customer_card(
        r,
        card(
            grade=None, score=None, breakdown=(), floors=(), plan=None, pending=None, manual_hold=False,
            computed_grade=None, recent_followups=(), sales_owner=None, next_due=None, cadence_days=None,
        ),
    ),
    "shared_card": lambda r: m.shared_card(r, card(), shared_by=SALES),
    "shared_card_long_name": lambda r: m.shared_card(r, card(name=LONG_NAME), shared_by=RISK),
    "pick_list": lambda r: m.pick_list(r, HOSTILE, [candidate(i) for i in range(300)]),
    "no_match_with_suggestions": lambda r: m.no_match(r, HOSTILE, [candidate(i) for i in range(3)]),
    "no_match_without_suggestions": lambda r: m.no_match(r, LONG_NAME),
    "help": lambda r: m.help_message(r),
    "error": lambda r: m.error_message(r, "找不到客户 " + HOSTILE, usage=Subcommand.LOG),
    "error_without_usage": lambda r: m.error_message(r, LONG_NAME),
    "list_mine": lambda r: m.customer_list(r, ListKind.MINE, lines()),
    "list_grade": lambda r: m.customer_list(r, ListKind.GRADE, lines(), grade=Grade.RED),
    "list_due": lambda r: m.customer_list(r, ListKind.DUE, lines(3000)),
    "list_pending_empty": lambda r: m.customer_list(r, ListKind.PENDING, ()),
    "stats": lambda r: m.stats_message(
        r, Stats(grade_counts=MIX, ungraded=3, provisional=4, due=6, overdue=3, pending=2)
    ),
    "followup_stored": lambda r: m.followup_stored(
        r, FollowupStored(customer=ref(), author=SALES, text=HOSTILE + "\n" + LONG_NAME, next_due=TODAY, cadence_days=30)
    ),
    "followup_updated": lambda r: m.followup_updated(r, ref(name=LONG_NAME)),
    "followup_deleted": lambda r: m.followup_deleted(r, ref()),
    "which_customer": lambda r: m.which_customer(r, HOSTILE, [candidate(i) for i in range(30)]),
    "which_customer_unknown": lambda r: m.which_customer(r, HOSTILE, []),
    "which_customer_no_query": lambda r: m.which_customer(r, None, [candidate(1)]),
    "approval_request": lambda r: m.approval_request(r, change()),
    "approval_request_red": lambda r: m.approval_request(r, change(Grade.RED, name=LONG_NAME)),
    "approval_approved": lambda r: m.approval_decided(r, change(), APPROVED),
    "approval_rejected": lambda r: m.approval_decided(r, change(), REJECTED),
    "approval_superseded": lambda r: m.approval_superseded(r, change()),
    "approval_withdrawn": lambda r: m.approval_withdrawn(r, change()),
    "approval_reminder": lambda r: m.approval_reminder(r, change(), hours_pending=30, permalink=PERMALINK),
    "grade_applied_dm": lambda r: m.grade_applied_dm(r, applied()),
    "grade_applied_at_once": lambda r: m.grade_applied_dm(r, applied(None)),
    "finance_notice": lambda r: m.finance_notice(r, applied()),
    "writeoff_request": lambda r: m.writeoff_request(r, writeoff()),
    "writeoff_request_bad_url": lambda r: m.writeoff_request(r, writeoff("javascript:alert(1)|<!channel>")),
    "writeoff_approved": lambda r: m.writeoff_decided(r, writeoff(), APPROVED),
    "writeoff_rejected": lambda r: m.writeoff_decided(r, writeoff(None), REJECTED),
    "alert": lambda r: m.alert_message(r, alert()),
    "nudge": lambda r: m.nudge_dm(r, nudge()),
    "nudge_small": lambda r: m.nudge_dm(r, nudge(3)),
    "escalation": lambda r: m.escalation_message(r, escalation()),
    "event_recorded": lambda r: m.event_recorded(r, EventRecorded(customer=ref(name=LONG_NAME), event=event(), recorded_by=SALES)),
    "event_recorded_ungraded": lambda r: m.event_recorded(r, EventRecorded(
        customer=ref(), event=EventEntry(kind="cooperation_ended", on=TODAY), recorded_by="someone@example.com")),
    "digest": lambda r: m.weekly_digest(r, digest()),
    "digest_empty": lambda r: m.weekly_digest(r, Digest(week_start=TODAY, week_end=TODAY, grade_mix={})),
} | {
    f"refusal_{reason.value}": (lambda reason: lambda r: m.refusal(r, reason, decision=REJECTED))(reason)
    for reason in RefusalReason
}

VIEWS: dict[str, Builder] = {
    "log_modal": lambda r: m.log_followup_modal(r),
    "log_modal_known_customer": lambda r: m.log_followup_modal(r, ref(name=LONG_NAME)),
    "shortcut_modal": lambda r: m.shortcut_followup_modal(r, HOSTILE + LONG_NAME, channel="C1", message_ts="1714960000.000100"),
    "reject_modal": lambda r: m.reject_modal(r, change_line()),
    "record_event_modal": lambda r: m.record_event_modal(r, ref(name=LONG_NAME), TODAY),
    "home_director": lambda r: m.home_view(r, home()),
    "home_sales": lambda r: m.home_view(r, home(director=False)),
    "home_empty": lambda r: m.home_view(r, Home(user=SALES, customers=(), due=(), grade_mix={})),
}
