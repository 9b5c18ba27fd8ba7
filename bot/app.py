"""Building the Bolt app: one place that wires the client, middleware and every listener.

Request verification always stays on. Listeners ack first; slow work happens after the ack.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners import register_all
from bot.services import Services
from bot.slack_client import classify_slack_error

log = logging.getLogger("riskbot")


def build_app(
    services: Services,
    *,
    client: WebClient,
    signing_secret: str,
    process_before_response: bool = False,
) -> App:
    """`client` comes from `bot.slack_client.make_web_client` (retries, base URL, token)."""
    app = App(
        signing_secret=signing_secret,
        client=client,
        process_before_response=process_before_response,
        # Bolt would otherwise call auth.test at construction; serve checks the token itself
        # so that a bad token is one clear line, not a stack trace.
        token_verification_enabled=False,
    )

    @app.middleware
    def drop_redeliveries(body: dict[str, Any], next: Any) -> BoltResponse | None:  # noqa: A002
        """Slack retries an event it thinks we missed; handle each event id once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with services.db.uow() as uow:
                first = uow.events.first_time(str(event_id), services.now())
                uow.commit()
            if not first:
                return BoltResponse(status=200, body="")
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        kind = classify_slack_error(error) if isinstance(error, SlackApiError) else type(error).__name__
        log.exception("listener failed (%s) on %s", kind, body.get("type") or body.get("command"))

    register_all(app, services)
    return app
