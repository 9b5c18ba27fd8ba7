"""Risk events (风险事件) in Slack: the card's section, the reply after recording, the modal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from messages import blocks as bk
from messages import ids
from messages.blocks import Block
from messages.event_views import EventEntry, EventRecorded
from messages.render import Renderer
from messages.surfaces import Message, message, modal
from messages.views import CustomerRef
from scoring.events import KINDS

# The modal's input block of each field a problem can name (bot.usecases.events.EventError.field).
FIELD_BLOCKS = {
    "kind": ids.EVENT_KIND_BLOCK, "amount": ids.EVENT_AMOUNT_BLOCK, "days": ids.EVENT_DAYS_BLOCK,
    "date": ids.EVENT_DATE_BLOCK, "note": ids.EVENT_NOTE_BLOCK,
}


def event_section(r: Renderer, entries: Sequence[EventEntry], *, show_money: bool) -> Block:
    """The card's latest events; a shared card shows neither amounts nor notes."""
    return bk.section(r.text("events.card_events", entries=entries, show_money=show_money))


def event_recorded(r: Renderer, recorded: EventRecorded) -> Message:
    return message(r.text("events.recorded_fallback", r=recorded), [bk.section(r.text("events.recorded", r=recorded))])


def record_event_button(r: Renderer, customer_id: int) -> Block:
    return bk.button(r.text("events.button"), ids.RECORD_EVENT, str(customer_id))


def record_event_modal(r: Renderer, customer: CustomerRef, today: date) -> dict[str, Any]:
    """Type, amount, days, date (today by default) and note; `private_metadata` the customer id."""
    kinds = [bk.option(r.text("events.kind", kind=kind), kind) for kind in KINDS]
    blocks: list[Block] = [
        bk.section(r.text("events.modal_customer", customer=customer)),
        bk.input_block(r.text("events.kind_label"), bk.static_select(
            ids.EVENT_KIND, placeholder=r.text("events.kind_placeholder"), options=kinds), block_id=ids.EVENT_KIND_BLOCK),
        bk.input_block(r.text("events.amount_label"), bk.text_input(
            ids.EVENT_AMOUNT, placeholder=r.text("events.amount_placeholder"), multiline=False),
            block_id=ids.EVENT_AMOUNT_BLOCK, optional=True),
        bk.input_block(r.text("events.days_label"), bk.text_input(
            ids.EVENT_DAYS, placeholder=r.text("events.days_placeholder"), multiline=False),
            block_id=ids.EVENT_DAYS_BLOCK, optional=True),
        bk.input_block(r.text("events.date_label"), bk.datepicker(
            ids.EVENT_DATE, placeholder=r.text("events.date_placeholder"), initial_date=today.isoformat()),
            block_id=ids.EVENT_DATE_BLOCK),
        bk.input_block(r.text("events.note_label"), bk.text_input(
            ids.EVENT_NOTE, placeholder=r.text("events.note_placeholder")), block_id=ids.EVENT_NOTE_BLOCK, optional=True),
    ]
    return modal(
        title=r.text("events.modal_title"), callback_id=ids.EVENT_MODAL, blocks=blocks,
        submit=r.text("events.modal_submit"), close=r.text("events.modal_close"), private_metadata=str(customer.id),
    )
