"""The alerts-channel post for a webhook delivery given up (THE PLAN PUSH): which system did
not get which customer's event, after how many tries, and the last error."""

from __future__ import annotations

from dataclasses import dataclass

from messages import blocks as bk
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import CustomerRef


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    endpoint: str
    customer: CustomerRef
    kind: str  # grade_change | writeoff
    event_id: str
    attempts: int
    error: str


def webhook_dead_letter(r: Renderer, dead: DeadLetter) -> Message:
    blocks = [bk.section(r.text("webhook.dead", d=dead)), bk.context(r.text("webhook.dead_footer", d=dead))]
    return message(r.text("webhook.dead_fallback", d=dead), blocks)
