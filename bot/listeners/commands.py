"""`/risk …`: ack at once, then answer privately to the asker (SPEC §12)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

import messages as m
from bot.listeners.answers import answer, raises_request
from bot.publish import publish
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.command("/risk")
    def risk(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        text = m.unescape(command.get("text", ""))  # Slack escapes & < > even in commands
        reply = answer(services, text, command["user_id"])
        respond(response_type="ephemeral", replace_original=False, **reply.to_dict())
        if raises_request(text):
            publish(services, client)
