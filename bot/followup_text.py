"""Recognising a follow-up in a plain Slack message: `跟进 客户名：内容` (SPEC §12).

Also `#跟进` and `followup`, with a full- or half-width colon or a space after the customer,
optionally after a mention of the bot. Slack delivers text escaped (&lt; …); we store it plain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import clean, split_customer
from messages.escape import unescape

_TRIGGER = re.compile(r"^(?:<@[UW][A-Z0-9]+>\s*)?(?:#\s*跟进|跟进|follow-?up)(?=[\s:：]|$)[\s:：]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FollowupText:
    customer: str  # as typed; may be ambiguous
    text: str  # what is stored (may be empty: then the bot asks for content)


def parse_followup(message: str) -> FollowupText | None:
    """The customer and text of a follow-up message, or None when the message is not one."""
    plain = unescape(message or "")
    match = _TRIGGER.match(plain.lstrip())
    if match is None:
        return None
    rest = plain.lstrip()[match.end():]
    customer, text = split_customer(clean(rest.split("\n", 1)[0]))
    if "\n" in rest:  # keep the writer's own line breaks in the body
        text = (text + "\n" + rest.split("\n", 1)[1]).strip()
    if not customer:
        return None
    return FollowupText(customer=customer, text=text)
