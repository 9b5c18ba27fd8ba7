"""Write-off requests (SPEC §9) in the approvals channel and their decision."""

from __future__ import annotations

from messages import blocks as bk
from messages import ids
from messages.blocks import Block
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import Decision, Writeoff


def writeoff_request(r: Renderer, writeoff: Writeoff) -> Message:
    """The request with its evidence and Approve / Reject buttons (value = write-off id)."""
    blocks = [
        *_body(r, writeoff),
        bk.actions(
            bk.button(r.text("writeoff.approve_button"), ids.WRITEOFF_APPROVE, str(writeoff.id), style="primary"),
            bk.button(r.text("writeoff.reject_button"), ids.WRITEOFF_REJECT, str(writeoff.id), style="danger"),
        ),
    ]
    return message(r.text("writeoff.fallback", w=writeoff), blocks)


def writeoff_decided(r: Renderer, writeoff: Writeoff, decision: Decision) -> Message:
    """The same message once decided: buttons replaced by who decided and when."""
    blocks = [*_body(r, writeoff), bk.section(r.text("writeoff.decision", w=writeoff, d=decision))]
    return message(r.text("writeoff.decided_fallback", w=writeoff, d=decision), blocks)


def _body(r: Renderer, writeoff: Writeoff) -> list[Block]:
    blocks = [bk.header(r.text("writeoff.header", w=writeoff)), bk.section(r.text("writeoff.summary", w=writeoff))]
    if writeoff.evidence_url:
        blocks.append(bk.section(r.text("writeoff.evidence_link", url=writeoff.evidence_url)))
    blocks.append(bk.context(r.text("writeoff.footer", w=writeoff)))
    return blocks
