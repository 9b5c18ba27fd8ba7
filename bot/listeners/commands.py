"""`/risk …`: ack at once, then answer privately to the asker (SPEC §12)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.listeners.answers import answer
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.command("/risk")
    def risk(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = answer(services, command.get("text", ""), command["user_id"])
        respond(response_type="ephemeral", replace_original=False, **reply.to_dict())
