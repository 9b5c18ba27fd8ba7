"""The one escape for text placed in Slack messages, and the marker for text already escaped.

Slack reads `<` as the start of a mention, a channel ping (`<!channel>`) or a link
(`<https://…|click>`), and `&` as the start of an entity. Escaping these three characters in
every inserted value is what stops a customer name or a follow-up from pinging anyone or
forging a link. Nothing else is escaped: `*bold*` in a name is harmless formatting.
"""

from __future__ import annotations

import re

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_URL = re.compile(r"^https?://[^\s<>|]+$")


class Mrkdwn(str):
    """Text that is already safe to send: our own escaped wording or markup we built.

    The template environment passes instances through untouched and escapes everything
    else, so a rendered piece can be inserted into another without being escaped twice.
    """

    __slots__ = ()


def escape(text: str) -> str:
    """Slack's escaping of `&`, `<` and `>` (https://docs.slack.dev/messaging/formatting-message-text)."""
    return str(text).translate(_ESCAPES)


def unescape(text: str) -> str:
    """Undo `escape`: Slack delivers message text escaped, we store plain text and escape on output."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_slack_user_id(owner: str) -> bool:
    return bool(_SLACK_USER_ID.match(owner))


def mention(owner: str) -> Mrkdwn:
    """`<@U…>` for a Slack user id; any other owner (an e-mail) is shown escaped, never parsed."""
    if is_slack_user_id(owner):
        return Mrkdwn(f"<@{owner}>")
    return Mrkdwn(escape(owner))


def link(url: str, label: str) -> Mrkdwn:
    """A link for an http(s) URL we were given; anything else is shown as escaped text."""
    if not _URL.match(url):
        return Mrkdwn(escape(url))
    return Mrkdwn(f"<{escape(url)}|{escape(label)}>")
