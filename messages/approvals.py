"""Grade changes (SPEC §8): the approvals-channel request and its later states, the reminder,
the owners' DM, the finance post and the private refusal shown to a wrong clicker."""

from __future__ import annotations

from messages import blocks as bk
from messages import ids
from messages.blocks import Block
from messages.kinds import RefusalReason
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import AppliedChange, Decision, GradeChange

_MAX_MOVED_BLOCKS = 8


def approval_request(r: Renderer, change: GradeChange) -> Message:
    """The request naming the director(s), with Approve / Reject (value = change id).

    Approving a change into black asks for confirmation first.
    """
    confirm = None
    if change.needs_confirm:
        confirm = bk.confirm_dialog(
            r.text("approval.confirm_title"),
            r.text("approval.confirm_text", change=change),
            r.text("approval.confirm_ok"),
            r.text("approval.confirm_deny"),
            danger=True,
        )
    buttons = bk.actions(
        bk.button(r.text("approval.approve_button"), ids.APPROVE, str(change.id), style="primary", confirm=confirm),
        bk.button(r.text("approval.reject_button"), ids.REJECT, str(change.id), style="danger"),
    )
    blocks = [
        bk.header(r.text("approval.header", change=change)),
        *_body(r, change),
        bk.section(r.text("approval.ask", directors=change.directors)),
        buttons,
    ]
    return message(r.text("approval.fallback", change=change), blocks)


def approval_decided(r: Renderer, change: GradeChange, decision: Decision) -> Message:
    """The same message once decided: the buttons give way to who decided, when (and why not)."""
    blocks = [
        bk.header(r.text("approval.decided_header", change=change)),
        *_body(r, change),
        bk.section(r.text("approval.decision", d=decision)),
    ]
    return message(r.text("approval.decided_fallback", change=change, d=decision), blocks)


def approval_superseded(r: Renderer, change: GradeChange) -> Message:
    """A newer request for the same customer replaced this one: nothing left to click."""
    return _closed(r, change, r.text("approval.superseded"))


def approval_withdrawn(r: Renderer, change: GradeChange) -> Message:
    """The computed grade came back to the effective one: the request is withdrawn."""
    return _closed(r, change, r.text("approval.withdrawn"))


def approval_reminder(
    r: Renderer, change: GradeChange, *, hours_pending: int, permalink: str | None = None
) -> Message:
    """The daily re-raise of a request pending over 24 hours, linking to the original message
    (whose buttons stay the only place to decide)."""
    blocks = [bk.section(r.text("approval.reminder", change=change, hours=hours_pending))]
    if permalink is not None:
        blocks.append(bk.context(r.text("approval.open_request", url=permalink)))
    return message(r.text("approval.reminder_fallback", change=change, hours=hours_pending), blocks)


def grade_applied_dm(r: Renderer, applied: AppliedChange) -> Message:
    """Tells an owner the grade changed, the plan now in force and the new follow-up rhythm."""
    button = bk.button(r.text("common.log_button"), ids.LOG_FOLLOWUP, str(applied.change.customer.id))
    blocks = [bk.section(r.text("approval.applied", applied=applied)), bk.actions(button)]
    return message(r.text("approval.applied_fallback", applied=applied), blocks)


def finance_notice(r: Renderer, applied: AppliedChange) -> Message:
    """The finance channel's post: the customer's new credit terms and collection work."""
    return message(
        r.text("approval.finance_fallback", applied=applied),
        [bk.section(r.text("approval.finance", applied=applied))],
    )


def refusal(r: Renderer, reason: RefusalReason, *, decision: Decision | None = None) -> Message:
    """The private answer to a click that changed nothing; ALREADY_DECIDED needs the decision."""
    if reason is RefusalReason.ALREADY_DECIDED and decision is None:
        raise ValueError("an 'already decided' refusal says who decided: pass the decision")
    line = r.text("approval.refusal", reason=reason, decision=decision)
    return message(line, [bk.section(line)])


def _body(r: Renderer, change: GradeChange) -> list[Block]:
    blocks = [bk.section(r.text("approval.summary", change=change))]
    lines = [r.text("card.deduction", row=row, hide_money=False) for row in change.moved]
    lines += [r.text("approval.floor", f=floor) for floor in change.floors]
    if lines:
        sections, _ = bk.line_sections(
            [r.text("approval.moved_heading"), *lines], max_blocks=_MAX_MOVED_BLOCKS
        )
        blocks += sections
    if change.reason:
        blocks.append(bk.section(r.text("approval.hand_reason", reason=change.reason)))
    blocks.append(bk.section(r.text("approval.plan", change=change)))
    blocks.append(bk.context(r.text("approval.people", change=change)))
    return blocks


def _closed(r: Renderer, change: GradeChange, status: str) -> Message:
    blocks = [
        bk.header(r.text("approval.decided_header", change=change)),
        *_body(r, change),
        bk.section(status),
    ]
    return message(r.text("approval.closed_fallback", change=change), blocks)
