"""Buttons on cards, pick lists and follow-up threads."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import messages as m
from messages.plain import words
from bot.followup_text import parse_followup
from bot.listeners.answers import show_card, stored_reply
from bot.listeners.payload import clicked_id
from bot.services import Services
from bot.usecases import followups, lookup
from messages import ids


def register(app: App, services: Services) -> None:
    r = services.renderer

    @app.action(ids.PICK_CUSTOMER)
    def pick(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        customer_id = clicked_id(body)
        if customer_id is not None:
            respond(response_type="ephemeral", replace_original=True, **show_card(services, customer_id).to_dict())

    @app.action(ids.SHARE_CARD)
    def share(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        customer_id = clicked_id(body)
        card = lookup.card(services, customer_id) if customer_id is not None else None
        if card is None:
            return
        channel = (body.get("channel") or {}).get("id") or body["user"]["id"]
        try:
            client.chat_postMessage(channel=channel, **m.shared_card(r, card, shared_by=body["user"]["id"]).to_dict())
        except SlackApiError as exc:
            problem = f"无法分享到此频道（{exc.response.get('error')}）：请先邀请机器人加入 / cannot share here: invite the bot first"
            respond(response_type="ephemeral", replace_original=False, **m.error_message(r, problem).to_dict())

    @app.action(ids.LOG_FOLLOWUP)
    def open_log_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        customer_id = clicked_id(body)
        ref = lookup.customer_ref(services, customer_id) if customer_id is not None else None
        client.views_open(trigger_id=body["trigger_id"], view=m.log_followup_modal(r, ref))

    @app.action(ids.RECORD_EVENT)
    def open_event_modal(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        customer_id = clicked_id(body)
        ref = lookup.customer_ref(services, customer_id) if customer_id is not None else None
        if ref is None:
            gone = words(services.config.locale).text("import.event_customer_gone")
            respond(response_type="ephemeral", replace_original=False, **m.error_message(r, gone).to_dict())
            return
        client.views_open(trigger_id=body["trigger_id"], view=m.record_event_modal(r, ref, services.today()))

    @app.action(ids.FOLLOWUP_PICK_CUSTOMER)
    def pick_for_followup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The bot asked "which customer?" in a follow-up's thread: store it for the one picked."""
        ack()
        customer_id = clicked_id(body)
        channel = (body.get("channel") or {}).get("id")
        reply = body.get("message") or {}
        source_ts = reply.get("thread_ts")
        if customer_id is None or not channel or not source_ts:
            return
        history = client.conversations_replies(channel=channel, ts=source_ts, limit=1)
        source = next((msg for msg in history.get("messages", []) if msg.get("ts") == source_ts), None)
        parsed = parse_followup(source.get("text", "")) if source else None
        if source is None or parsed is None or not parsed.text:
            return
        try:
            logged = followups.log_followup(
                services, customer_id, source.get("user", body["user"]["id"]), parsed.text,
                source_channel=channel, source_ts=source_ts,
            )
        except followups.FollowupError as exc:
            client.chat_update(channel=channel, ts=reply["ts"], **m.error_message(r, str(exc)).to_dict())
            return
        client.chat_update(channel=channel, ts=reply["ts"], **stored_reply(services, logged).to_dict())
