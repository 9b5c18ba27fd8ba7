"""Risk alerts (SPEC §10): one message per customer for the owners' DM and the alerts channel."""

from __future__ import annotations

from messages import blocks as bk
from messages import ids
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import Alert

_MAX_LINE_BLOCKS = 5


def alert_message(r: Renderer, alert: Alert) -> Message:
    """Every line the customer crossed in one update, the owners, and a log-follow-up button."""
    lines = [r.text("alert.title", alert=alert), *(r.text("alert.line", l=line) for line in alert.lines)]
    sections, _ = bk.line_sections(lines, max_blocks=_MAX_LINE_BLOCKS)
    blocks = [
        *sections,
        bk.context(r.text("alert.footer", alert=alert)),
        bk.actions(bk.button(r.text("common.log_button"), ids.LOG_FOLLOWUP, str(alert.customer.id))),
    ]
    return message(r.text("alert.fallback", alert=alert), blocks)
