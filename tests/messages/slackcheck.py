"""Checks every test of messages/ applies: Slack's own models accept it, nothing hostile leaks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block, Option
from slack_sdk.models.views import View

from messages import Message, limits
from tests.messages.samples import FORBIDDEN

# Markup we build ourselves: mentions of owner ids and links to URLs we were given.
_OUR_MARKUP = re.compile(r"<@[UW][A-Z0-9]+>|<https?://[^\s<>|]+\|[^<>]+>")
_QUOTE_MARK = re.compile(r"^> ", re.MULTILINE)


def validate_blocks(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    """Parse with slack_sdk and serialise each block: `to_dict` runs every validator, children included."""
    assert 0 < len(blocks) <= max_blocks
    parsed = Block.parse_all(blocks)
    assert all(block is not None for block in parsed), "a block of a type Slack does not know"
    for block in parsed:
        block.to_dict()


def validate_message(message: Message) -> None:
    assert isinstance(message, Message)
    assert 0 < len(message.text) <= limits.FALLBACK_TEXT
    validate_blocks(message.blocks, limits.MESSAGE_BLOCKS)
    assert_limits(message.blocks)


def validate_view(view: dict[str, Any]) -> None:
    View(**view).to_dict()
    validate_blocks(view["blocks"], limits.VIEW_BLOCKS)
    assert_limits(view["blocks"])


def validate_options(response: dict[str, Any]) -> None:
    assert len(response["options"]) <= limits.OPTIONS
    for option in Option.parse_all(response["options"]):
        option.to_dict()


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every text object (mrkdwn or plain_text) anywhere in a block tree."""
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_objects(item)


def texts(node: Any) -> list[str]:
    return [obj["text"] for obj in text_objects(node)]


def assert_limits(blocks: list[dict[str, Any]]) -> None:
    """The limits slack_sdk does not check for every place: text objects, buttons, headers."""
    for obj in text_objects(blocks):
        assert 0 < len(obj["text"]) <= limits.TEXT
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= limits.HEADER_TEXT
        if block["type"] == "context":
            assert len(block["elements"]) <= limits.CONTEXT_ELEMENTS
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= limits.BUTTON_TEXT
                assert len(element["value"]) <= limits.BUTTON_VALUE


def assert_safe(text: str) -> None:
    """No hostile markup from data survives; only our own mentions, links and quote marks remain."""
    for forbidden in FORBIDDEN:
        assert forbidden not in text, f"{forbidden!r} reached Slack unescaped in {text[:200]!r}"
    assert "&amp;lt;" not in text and "&amp;gt;" not in text, "escaped twice"
    rest = _QUOTE_MARK.sub("", _OUR_MARKUP.sub("", text))
    assert "<" not in rest and ">" not in rest, f"stray markup in {rest[:300]!r}"


def all_text(surface: Message | dict[str, Any]) -> list[str]:
    if isinstance(surface, Message):
        return [surface.text, *texts(surface.blocks)]
    return texts(surface)
