"""Modal submissions: the log-a-follow-up modal (from a card button or the message shortcut)
and the record-a-risk-event modal (from a card button)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import messages as m
from bot.listeners.answers import stored_reply
from bot.services import Services
from bot.usecases import events, followups
from messages import ids
from messages.events import FIELD_BLOCKS
from messages.plain import words


def _value(view: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    return ((view.get("state") or {}).get("values") or {}).get(block, {}).get(action) or {}


def register(app: App, services: Services) -> None:
    @app.view(ids.LOG_MODAL)
    def log_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        try:
            meta = m.FollowupModalMetadata.load(view.get("private_metadata", ""))
        except ValueError:
            meta = m.FollowupModalMetadata()
        customer_id = meta.customer_id
        if customer_id is None:
            selected = (_value(view, ids.CUSTOMER_BLOCK, ids.CUSTOMER_SELECT).get("selected_option") or {}).get("value")
            customer_id = int(selected) if selected and selected.isdigit() else None
        text = (_value(view, ids.FOLLOWUP_TEXT_BLOCK, ids.FOLLOWUP_TEXT).get("value") or "").strip()
        errors = {}
        if customer_id is None:
            errors[ids.CUSTOMER_BLOCK] = "请选择客户 / pick a customer"
        if not text:
            errors[ids.FOLLOWUP_TEXT_BLOCK] = "请填写跟进内容 / write what happened"
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        user = body["user"]["id"]
        try:
            logged = followups.log_followup(
                services, customer_id, user, text, source_channel=meta.channel, source_ts=meta.message_ts
            )
        except followups.FollowupError as exc:
            client.chat_postMessage(channel=user, **m.error_message(services.renderer, str(exc)).to_dict())
            return
        reply = stored_reply(services, logged)
        if meta.channel and meta.message_ts:
            try:
                client.chat_postMessage(channel=meta.channel, thread_ts=meta.message_ts, **reply.to_dict())
                return
            except SlackApiError:
                pass  # the bot is not in that channel: tell the user directly instead
        client.chat_postMessage(channel=user, **reply.to_dict())

    @app.view(ids.EVENT_MODAL)
    def event_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """Every bad field is shown on its input (checked without the database, within Slack's
        three seconds); then the modal closes and the event is stored."""
        user = body["user"]["id"]
        raw = view.get("private_metadata", "")
        if not raw.isdigit():  # the card's button wrote the customer id there
            gone = words(services.config.locale).text("import.event_customer_gone")
            ack(response_action="errors", errors={ids.EVENT_KIND_BLOCK: gone})
            return
        try:
            event_input = events.checked_typed(
                services, user,
                kind=(_value(view, ids.EVENT_KIND_BLOCK, ids.EVENT_KIND).get("selected_option") or {}).get("value") or "",
                amount=_value(view, ids.EVENT_AMOUNT_BLOCK, ids.EVENT_AMOUNT).get("value") or "",
                days=_value(view, ids.EVENT_DAYS_BLOCK, ids.EVENT_DAYS).get("value") or "",
                on=_value(view, ids.EVENT_DATE_BLOCK, ids.EVENT_DATE).get("selected_date") or "",
                note=_value(view, ids.EVENT_NOTE_BLOCK, ids.EVENT_NOTE).get("value") or "",
            )
        except events.EventError as exc:
            shown = {FIELD_BLOCKS.get(field, ids.EVENT_KIND_BLOCK): text for field, text in exc.fields.items()}
            ack(response_action="errors", errors=shown or {ids.EVENT_KIND_BLOCK: str(exc)})
            return
        ack()
        try:
            recorded = events.store(services, int(raw), user, event_input)
        except events.EventError as exc:
            client.chat_postMessage(channel=user, **m.error_message(services.renderer, str(exc)).to_dict())
            return
        client.chat_postMessage(channel=user, **m.event_recorded(services.renderer, events.recorded_view(recorded)).to_dict())
