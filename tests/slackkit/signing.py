"""Signed requests as Slack sends them, for driving a Bolt app with verification switched on.

Every builder returns a `SignedRequest` — a `(body, headers)` pair — signed with
`SIGNING_SECRET` by slack_sdk's own `SignatureVerifier.generate_signature`. `forged=True`
signs with the wrong secret and `stale=True` dates the request five minutes back; Bolt must
answer both with 401. Hand the pair to `to_bolt_request` for `App.dispatch`, or to
`post_signed` for a running HTTP endpoint.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, NamedTuple
from urllib.parse import urlencode

from slack_bolt import BoltRequest
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
TEAM_ID = "T0FAKE"
USER_ID = "U0ASKER"
CHANNEL_ID = "C0RISK"
API_APP_ID = "A0RISKBOT"
TRIGGER_ID = "1111.2222.trigger"
RESPONSE_URL = "https://hooks.slack.invalid/commands/T0FAKE/1/response"
STALE_SECONDS = 5 * 60
"""How far back a `stale=True` request is dated: Bolt refuses anything older than five minutes."""

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class SignedRequest(NamedTuple):
    """The raw body and the headers Slack would send with it."""

    body: str
    headers: dict[str, str]


def sign(
    body: str,
    content_type: str,
    *,
    forged: bool = False,
    stale: bool = False,
    extra_headers: dict[str, str] | None = None,
) -> SignedRequest:
    """Add `X-Slack-Request-Timestamp` and `X-Slack-Signature` to a raw body."""
    now = int(time.time()) - (STALE_SECONDS + 1 if stale else 0)
    secret = "forged-" + SIGNING_SECRET if forged else SIGNING_SECRET
    timestamp = str(now)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature or "",
        **(extra_headers or {}),
    }
    return SignedRequest(body, headers)


def slash_command(
    text: str = "",
    *,
    command: str = "/risk",
    user_id: str = USER_ID,
    user_name: str = "asker",
    channel_id: str = CHANNEL_ID,
    channel_name: str = "risk",
    team_id: str = TEAM_ID,
    trigger_id: str = TRIGGER_ID,
    response_url: str = RESPONSE_URL,
    forged: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A slash command's form body, e.g. `slash_command("列表 红", response_url=fake.response_url())`."""
    form = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "team_domain": "fake-workspace",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return sign(urlencode(form), FORM, forged=forged, stale=stale)


def interaction(payload: dict[str, Any], *, forged: bool = False, stale: bool = False) -> SignedRequest:
    """Any interactivity payload as Slack posts it: a form with one `payload=<json>` field."""
    body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
    return sign(body, FORM, forged=forged, stale=stale)


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def block_actions(
    action_id: str,
    value: str = "",
    *,
    block_id: str = "actions",
    action_type: str = "button",
    user_id: str = USER_ID,
    channel_id: str = CHANNEL_ID,
    team_id: str = TEAM_ID,
    message: dict[str, Any] | None = None,
    response_url: str = RESPONSE_URL,
    forged: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A click on a message button (or any element with `action_type`) carrying `value`."""
    message = message or {"type": "message", "ts": "1700000000.000001", "text": "", "blocks": []}
    payload = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "team": {"id": team_id, "domain": "fake-workspace"},
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": TRIGGER_ID,
        "channel": {"id": channel_id, "name": "risk"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": action_type,
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": "1700000001.000001",
            }
        ],
    }
    return interaction(payload, forged=forged, stale=stale)


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    private_metadata: str = "",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    view_id: str = "V0MODAL",
    forged: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A modal's submit; `values` is `state.values` (block_id → action_id → element state)."""
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "fake-workspace"},
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "trigger_id": TRIGGER_ID,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "blocks": [],
            "state": {"values": values},
            "hash": "1700000000.hash",
            "title": {"type": "plain_text", "text": "riskbot"},
            "app_id": API_APP_ID,
            "bot_id": "B0BOT",
            "root_view_id": view_id,
            "previous_view_id": None,
        },
        "response_urls": [],
    }
    return interaction(payload, forged=forged, stale=stale)


def block_suggestion(
    action_id: str,
    value: str,
    *,
    block_id: str = "search",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    forged: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """An external select asking for options matching what the user typed (`value`)."""
    payload = {
        "type": "block_suggestion",
        "user": _user(user_id, team_id),
        "team": {"id": team_id, "domain": "fake-workspace"},
        "api_app_id": API_APP_ID,
        "container": {"type": "view", "view_id": "V0MODAL"},
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
    }
    return interaction(payload, forged=forged, stale=stale)


def message_shortcut(
    callback_id: str,
    message_text: str,
    *,
    message_user: str = "U0AUTHOR",
    message_ts: str = "1700000000.000001",
    user_id: str = USER_ID,
    channel_id: str = CHANNEL_ID,
    team_id: str = TEAM_ID,
    response_url: str = RESPONSE_URL,
    forged: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """The message shortcut (`message_action`) chosen on a message reading `message_text`."""
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": TRIGGER_ID,
        "action_ts": "1700000001.000001",
        "team": {"id": team_id, "domain": "fake-workspace"},
        "user": _user(user_id, team_id),
        "channel": {"id": channel_id, "name": "risk"},
        "message_ts": message_ts,
        "message": {"type": "message", "user": message_user, "ts": message_ts, "text": message_text},
        "response_url": response_url,
        "token": "legacy-verification-token",
    }
    return interaction(payload, forged=forged, stale=stale)


def global_shortcut(
    callback_id: str,
    *,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    forged: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """A global shortcut (`shortcut`) chosen from the composer or search."""
    payload = {
        "type": "shortcut",
        "callback_id": callback_id,
        "trigger_id": TRIGGER_ID,
        "action_ts": "1700000001.000001",
        "team": {"id": team_id, "domain": "fake-workspace"},
        "user": _user(user_id, team_id),
        "token": "legacy-verification-token",
    }
    return interaction(payload, forged=forged, stale=stale)


def message_event(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    channel_type: str = "channel",
    ts: str = "1700000000.000001",
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """The `event` of a user's message; `channel_type` is channel, group or im."""
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "channel_type": channel_type,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def event_callback(
    event: dict[str, Any],
    *,
    event_id: str = "Ev0000000001",
    team_id: str = TEAM_ID,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
    forged: bool = False,
    stale: bool = False,
) -> SignedRequest:
    """An Events API delivery; `retry_num` adds Slack's redelivery headers."""
    envelope = {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team_id, "user_id": "U0BOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }
    retry_headers = (
        {}
        if retry_num is None
        else {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
    )
    body = json.dumps(envelope, ensure_ascii=False)
    return sign(body, JSON, forged=forged, stale=stale, extra_headers=retry_headers)


def url_verification(
    challenge: str = "challenge-3eZbrw1aBm2rZgRN", *, forged: bool = False, stale: bool = False
) -> SignedRequest:
    """The challenge Slack sends when an Events request URL is saved."""
    body = json.dumps(
        {"token": "legacy-verification-token", "challenge": challenge, "type": "url_verification"}
    )
    return sign(body, JSON, forged=forged, stale=stale)


def to_bolt_request(body: str, headers: dict[str, str]) -> BoltRequest:
    """Wrap a signed pair for `App.dispatch`."""
    return BoltRequest(body=body, headers=dict(headers))


def post_signed(url: str, body: str, headers: dict[str, str], *, timeout: float = 5.0) -> tuple[int, str]:
    """POST a signed pair to a running endpoint; returns (status, body) even for 4xx/5xx."""
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
