"""Decisions in the approvals channel: Approve / Reject of grade changes and write-offs, the
reject modal. (`/risk propose | release | writeoff` are answered with the other subcommands.)

Each callback acks first, calls one use case, tells the clicker privately why nothing
changed (if so), then publishes at once so the channel sees the outcome without waiting for
the scheduler's next pass. Who may decide is the use cases' business, not this module's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import messages as m
from bot.publish import publish
from bot.listeners.payload import clicked_id
from bot.services import Services
from bot.typed import as_typed
from bot.usecases import decisions, writeoffs
from bot.usecases.decisions import Verdict
from messages import ids

log = logging.getLogger("riskbot")

GONE = "这条申请已不存在 / this request no longer exists"


def register(app: App, services: Services) -> None:
    r = services.renderer

    def tell(client: WebClient, body: dict[str, Any], reply: m.Message) -> None:
        """Privately to whoever clicked, in the channel of the message they clicked."""
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        try:
            if channel:
                client.chat_postEphemeral(channel=channel, user=user, **reply.to_dict())
            else:
                client.chat_postMessage(channel=user, **reply.to_dict())
        except SlackApiError as exc:
            log.warning("cannot tell %s privately: %s", user, exc.response.get("error"))

    def verdict_reply(verdict: Verdict) -> m.Message | None:
        if not verdict.found:
            return m.error_message(r, GONE)
        if verdict.refusal is not None:
            return m.refusal(r, verdict.refusal, decision=verdict.decision)
        return None

    def after_click(client: WebClient, body: dict[str, Any], verdict: Verdict) -> None:
        reply = verdict_reply(verdict)
        if reply is not None:
            tell(client, body, reply)
        publish(services, client)

    def decide_on_click(decide: Callable[[Services, int, str], Verdict]) -> Callable[..., None]:
        """A button that decides at once: Approve of a change, Approve / Reject of a write-off."""

        def clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            row_id = clicked_id(body)
            if row_id is not None:
                after_click(client, body, decide(services, row_id, body["user"]["id"]))

        return clicked

    app.action(ids.APPROVE)(decide_on_click(decisions.approve))
    app.action(ids.WRITEOFF_APPROVE)(decide_on_click(writeoffs.approve))
    app.action(ids.WRITEOFF_REJECT)(decide_on_click(writeoffs.reject))

    @app.action(ids.REJECT)
    def open_reject(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        change_id = clicked_id(body)
        if change_id is None:
            return
        form = decisions.reject_form(services, change_id, body["user"]["id"])
        if isinstance(form, Verdict):
            after_click(client, body, form)
            return
        client.views_open(trigger_id=body["trigger_id"], view=m.reject_modal(r, form))

    @app.view(ids.REJECT_MODAL)
    def reject_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        state = ((view.get("state") or {}).get("values") or {}).get(ids.REJECT_REASON_BLOCK, {})
        reason = as_typed((state.get(ids.REJECT_REASON) or {}).get("value") or "")
        if not reason:
            ack(response_action="errors",
                errors={ids.REJECT_REASON_BLOCK: "请写明驳回理由 / give the reason for rejecting"})
            return
        ack()
        user = body["user"]["id"]
        raw = view.get("private_metadata", "")
        if not raw.isdigit():
            return
        reply = verdict_reply(decisions.reject(services, int(raw), user, reason))
        if reply is not None:
            client.chat_postMessage(channel=user, **reply.to_dict())
        publish(services, client)
