"""The message shortcut 记录为跟进: log any message as a follow-up through a modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

import messages as m
from bot.followup_text import parse_followup
from bot.listeners.answers import card_or_choices
from bot.services import Services
from bot.usecases import lookup
from messages import ids


def register(app: App, services: Services) -> None:
    @app.shortcut(ids.SHORTCUT_CALLBACK)
    def log_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        message = body.get("message") or {}
        text = m.unescape(message.get("text", ""))  # Slack escapes & < >: undone once, here or in parse_followup
        guess = None
        parsed = parse_followup(message.get("text", ""))
        if parsed is not None:
            customer_id, _ = card_or_choices(services, parsed.customer)
            if customer_id is not None:
                guess, text = lookup.customer_ref(services, customer_id), parsed.text
        view = m.shortcut_followup_modal(
            services.renderer, text, channel=body["channel"]["id"], message_ts=message.get("ts", ""), customer=guess
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)
