"""The three things a builder returns: a message, a modal view, an App Home view.

Each caps its block count (50 for a message, 100 for a view) so an oversized list can never
reach Slack; builders with long lists summarise the rest themselves before this last guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from messages import blocks as bk
from messages import limits
from messages.blocks import Block
from messages.limits import ELLIPSIS, clip


@dataclass(frozen=True)
class Message:
    """What `chat.postMessage` / `chat.update` / `respond` need: blocks and the fallback text
    shown in notifications and by screen readers (escaped like the blocks)."""

    text: str
    blocks: list[Block]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def _capped(blocks: list[Block], limit: int) -> list[Block]:
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], bk.context(ELLIPSIS)]


def message(text: str, blocks: list[Block]) -> Message:
    return Message(text=clip(text, limits.FALLBACK_TEXT), blocks=_capped(blocks, limits.MESSAGE_BLOCKS))


def modal(
    *,
    title: str,
    callback_id: str,
    blocks: list[Block],
    submit: str,
    close: str,
    private_metadata: str = "",
) -> dict[str, Any]:
    if len(private_metadata) > limits.PRIVATE_METADATA:
        raise ValueError(f"private_metadata holds at most {limits.PRIVATE_METADATA} characters")
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": bk.plain(title, limits.VIEW_TITLE),
        "submit": bk.plain(submit, limits.VIEW_BUTTON),
        "close": bk.plain(close, limits.VIEW_BUTTON),
        "blocks": _capped(blocks, limits.VIEW_BLOCKS),
    }
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def home_tab(blocks: list[Block]) -> dict[str, Any]:
    return {"type": "home", "blocks": _capped(blocks, limits.VIEW_BLOCKS)}
