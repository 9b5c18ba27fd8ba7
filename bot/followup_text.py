"""Recognising a follow-up in a plain Slack message: `跟进 客户名：内容` (SPEC §12).

Also `#跟进` and `followup`, with a full- or half-width colon or a space after the customer,
optionally after a mention of the bot. Slack delivers text escaped (&lt; …): it is unescaped
once here, and the text after the customer is kept as typed (issue 15).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import split_customer
from bot.typed import as_typed
from messages.escape import unescape

_TRIGGER = re.compile(r"^(?:<@[UW][A-Z0-9]+>\s*)?(?:#\s*跟进|跟进|follow-?up)(?=[\s:：]|$)[\s:：]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FollowupText:
    customer: str  # the reference as matched; may be ambiguous
    text: str  # what is stored, as typed (may be empty: then the bot asks for content)


def parse_followup(message: str) -> FollowupText | None:
    """The customer and text of a follow-up message as Slack sent it, or None when it is not one."""
    plain = as_typed(unescape(message or ""))
    match = _TRIGGER.match(plain)
    if match is None:
        return None
    customer, text = split_customer(plain[match.end():])
    if not customer:
        return None
    return FollowupText(customer=customer, text=text)
