"""The daily nudge to each owner and the escalation of long-overdue follow-ups (SPEC §7)."""

from __future__ import annotations

from messages import blocks as bk
from messages import ids, limits
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import Escalation, Nudge, NudgeItem


def _urgency(item: NudgeItem) -> tuple[int, int]:
    severity = -1 if item.customer.grade is None else item.customer.grade.severity
    return (-item.days_overdue, -severity)


def nudge_dm(r: Renderer, nudge: Nudge) -> Message:
    """One DM listing all of an owner's due and overdue customers, most overdue and riskiest
    first, each with a log-follow-up button; beyond Slack's 50 blocks the rest is counted."""
    items = sorted(nudge.items, key=_urgency)
    overdue = sum(1 for item in items if item.days_overdue > 0)
    room = limits.MESSAGE_BLOCKS - 1
    shown = items if len(items) <= room else items[: room - 1]
    blocks = [bk.section(r.text("nudge.intro", nudge=nudge, overdue=overdue))]
    for item in shown:
        button = bk.button(r.text("common.log_button"), ids.LOG_FOLLOWUP, str(item.customer.id))
        blocks.append(bk.section(r.text("nudge.item", i=item), accessory=button))
    if len(shown) < len(items):
        blocks.append(bk.context(r.text("nudge.more", count=len(items) - len(shown))))
    return message(r.text("nudge.fallback", nudge=nudge, overdue=overdue), blocks)


def escalation_message(r: Renderer, escalation: Escalation) -> Message:
    """The alerts-channel post for a follow-up overdue by a full cadence or more."""
    button = bk.button(r.text("common.log_button"), ids.LOG_FOLLOWUP, str(escalation.customer.id))
    blocks = [bk.section(r.text("nudge.escalation", e=escalation)), bk.actions(button)]
    return message(r.text("nudge.escalation_fallback", e=escalation), blocks)
