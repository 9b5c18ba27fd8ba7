"""Options loading for the customer picker in modals."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

import messages as m
from bot.services import Services
from bot.usecases import lookup
from messages import ids


def register(app: App, services: Services) -> None:
    @app.options(ids.CUSTOMER_SELECT)
    def customers(ack: Ack, body: dict[str, Any]) -> None:
        query = (body.get("value") or "").strip()
        refs = lookup.search_refs(services, query) if query else []
        ack(**m.customer_options(services.renderer, refs))
