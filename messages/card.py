"""The customer card of `/risk <name>`, privately to the asker or shared to a channel."""

from __future__ import annotations

from messages import blocks as bk
from messages import ids
from messages.blocks import Block
from messages.events import event_section, record_event_button
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import CustomerCard

_MAX_BREAKDOWN_BLOCKS = 10
_FOLLOWUPS_SHOWN = 3
_EVENTS_SHOWN = 3


def customer_card(r: Renderer, card: CustomerCard) -> Message:
    """The full card with money figures and follow-up notes, plus share / log buttons."""
    blocks = _body(r, card, shared=False)
    blocks.append(
        bk.actions(
            bk.button(r.text("card.share_button"), ids.SHARE_CARD, str(card.id)),
            bk.button(r.text("common.log_button"), ids.LOG_FOLLOWUP, str(card.id), style="primary"),
            record_event_button(r, card.id),
        )
    )
    return message(r.text("card.fallback", card=card), blocks)


def shared_card(r: Renderer, card: CustomerCard, *, shared_by: str) -> Message:
    """The card for a channel: no outstanding amount, no money values, no follow-up notes."""
    blocks = _body(r, card, shared=True)
    blocks.append(bk.actions(bk.button(r.text("common.log_button"), ids.LOG_FOLLOWUP, str(card.id))))
    blocks.append(bk.context(r.text("card.shared_by", user=shared_by)))
    return message(r.text("card.fallback", card=card), blocks)


def _body(r: Renderer, card: CustomerCard, *, shared: bool) -> list[Block]:
    blocks: list[Block] = [
        bk.header(r.text("card.title", card=card)),
        bk.section(r.text("card.identity", card=card)),
        bk.section(r.text("card.grade", card=card)),
    ]
    if card.pending is not None:
        blocks.append(bk.section(r.text("card.pending", change=card.pending)))
    blocks.append(bk.divider())
    blocks.extend(_breakdown(r, card, hide_money=shared))
    if card.freshness:
        blocks.append(bk.context(r.text("card.freshness", rows=card.freshness)))
    if card.plan is not None:
        blocks.append(bk.section(r.text("card.plan", plan=card.plan)))
    blocks.append(bk.section(r.text("card.tracking", card=card, show_money=not shared)))
    recent = card.recent_followups[:_FOLLOWUPS_SHOWN]
    if shared:
        blocks.append(bk.context(r.text("card.last_followup", entries=recent)))
    else:
        blocks.append(bk.section(r.text("card.followups", entries=recent)))
    if card.recent_events:
        blocks.append(event_section(r, card.recent_events[:_EVENTS_SHOWN], show_money=not shared))
    return blocks


def _breakdown(r: Renderer, card: CustomerCard, *, hide_money: bool) -> list[Block]:
    rows = sorted((row for row in card.breakdown if row.points_lost > 0), key=lambda row: -row.points_lost)
    if not rows:
        return [bk.section(r.text("card.no_deductions"))]
    lines = [r.text("card.breakdown_heading", count=len(rows))]
    lines += [r.text("card.deduction", row=row, hide_money=hide_money) for row in rows]
    sections, _ = bk.line_sections(lines, max_blocks=_MAX_BREAKDOWN_BLOCKS)
    return sections
