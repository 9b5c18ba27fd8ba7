"""Events: follow-ups by message (and their edits and deletions), DMs to the bot, App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

import messages as m
from bot.followup_text import parse_followup
from bot.listeners.answers import answer, raises_request, stored_reply
from bot.publish import publish
from bot.services import Services
from bot.usecases import followups, lookup
from messages.kinds import Subcommand
from messages.views import CustomerRef

# Message subtypes that are someone's own words (others: joins, bot posts, topic changes…).
_SPOKEN = {None, "thread_broadcast", "file_share"}


def _reply(client: WebClient, channel: str, thread_ts: str, reply: m.Message) -> None:
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, **reply.to_dict())


def handle_followup_message(services: Services, client: WebClient, event: dict[str, Any]) -> bool:
    """Store a `跟进 客户：内容` message and answer in its thread; False when it is not one."""
    parsed = parse_followup(event.get("text", ""))
    if parsed is None:
        return False
    channel, ts, user = event["channel"], event["ts"], event.get("user", "")
    r = services.renderer
    if not parsed.text:
        _reply(client, channel, ts, m.error_message(r, "跟进内容为空 / the follow-up has no text", usage=Subcommand.LOG))
        return True
    resolved = lookup.resolve(services, parsed.customer)
    if resolved.customer_id is None:
        _reply(client, channel, ts, m.which_customer(r, parsed.customer, resolved.candidates))
        return True
    logged = followups.log_followup(
        services, resolved.customer_id, user, parsed.text, source_channel=channel, source_ts=ts
    )
    if logged.created:
        _reply(client, channel, ts, stored_reply(services, logged))
    return True


def _edited(services: Services, client: WebClient, event: dict[str, Any]) -> None:
    message = event.get("message") or {}
    channel, ts = event.get("channel"), message.get("ts")
    if not channel or not ts:
        return
    previous = (event.get("previous_message") or {}).get("text")
    if previous is not None and previous == message.get("text"):
        return  # Slack unfurled a link or changed attachments: the words are the same
    parsed = parse_followup(message.get("text", ""))
    text = parsed.text if parsed else m.unescape(message.get("text", ""))
    updated = followups.edit_followup(services, channel, ts, text)
    if updated is not None:
        ref = lookup.customer_ref(services, updated.customer_id)
        if ref is not None:
            _reply(client, channel, ts, m.followup_updated(services.renderer, ref))


def _deleted(services: Services, client: WebClient, event: dict[str, Any]) -> None:
    channel, ts = event.get("channel"), event.get("deleted_ts")
    if not channel or not ts:
        return
    customer_id = followups.delete_followup(services, channel, ts)
    if customer_id is not None:
        ref = lookup.customer_ref(services, customer_id) or CustomerRef(id=customer_id, name="?")
        _reply(client, channel, ts, m.followup_deleted(services.renderer, ref))


def register(app: App, services: Services) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient) -> None:
        subtype = event.get("subtype")
        if subtype == "message_changed":
            _edited(services, client, event)
            return
        if subtype == "message_deleted":
            _deleted(services, client, event)
            return
        if subtype not in _SPOKEN or event.get("bot_id"):
            return
        if handle_followup_message(services, client, event):
            return
        if event.get("channel_type") == "im" and not event.get("thread_ts"):
            # A DM to the bot reads like `/risk <text>`: 华强, 我的, 列表 红 …
            text = m.unescape(event.get("text", ""))
            client.chat_postMessage(channel=event["channel"], **answer(services, text, event.get("user", "")).to_dict())
            if raises_request(text):
                publish(services, client)

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        # A mention that is a follow-up also arrives as a message event, which stores it.
        if parse_followup(event.get("text", "")) is None:
            client.chat_postEphemeral(
                channel=event["channel"], user=event.get("user", ""), **m.help_message(services.renderer).to_dict()
            )

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        client.views_publish(user_id=user, view=m.home_view(services.renderer, lookup.home(services, user)))
