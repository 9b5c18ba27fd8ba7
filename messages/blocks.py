"""Small Block Kit building blocks that cannot produce an invalid block.

Every function takes text that is already escaped (rendered by `Renderer`) and enforces
Slack's limits itself, so a builder never has to count characters. Mrkdwn text objects are
`verbatim`: Slack then leaves plain words alone (a bare "@channel" or URL stays text) and
only our explicit `<@U…>` markup is parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from messages import limits
from messages.limits import clip

Block = dict[str, Any]
ButtonStyle = Literal["primary", "danger"]


def _nonempty(text: str) -> str:
    if not text.strip():
        raise ValueError("Slack rejects empty text objects: the builder must skip this block")
    return text


def mrkdwn(text: str, limit: int = limits.TEXT) -> Block:
    return {"type": "mrkdwn", "text": clip(_nonempty(text), limit), "verbatim": True}


def plain(text: str, limit: int = limits.TEXT) -> Block:
    return {"type": "plain_text", "text": clip(_nonempty(text), limit), "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, limits.HEADER_TEXT)}


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    """A grey footnote line; empty pieces are dropped, at most ten are kept."""
    elements = [mrkdwn(t) for t in texts if t.strip()][: limits.CONTEXT_ELEMENTS]
    return {"type": "context", "elements": _nonempty_list(elements)}


def divider() -> Block:
    return {"type": "divider"}


def actions(*elements: Block) -> Block:
    if len(elements) > limits.ACTIONS_ELEMENTS:
        raise ValueError(f"an actions block holds at most {limits.ACTIONS_ELEMENTS} elements")
    return {"type": "actions", "elements": _nonempty_list(list(elements))}


def button(
    label: str,
    action_id: str,
    value: str,
    *,
    style: ButtonStyle | None = None,
    confirm: Block | None = None,
) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(label, limits.BUTTON_TEXT),
        "action_id": action_id,
        "value": _value(value, limits.BUTTON_VALUE),
    }
    if style is not None:
        element["style"] = style
    if confirm is not None:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, ok: str, deny: str, *, danger: bool = False) -> Block:
    dialog: Block = {
        "title": plain(title, limits.CONFIRM_TITLE),
        "text": plain(text, limits.CONFIRM_TEXT),
        "confirm": plain(ok, limits.CONFIRM_BUTTON),
        "deny": plain(deny, limits.CONFIRM_BUTTON),
    }
    if danger:
        dialog["style"] = "danger"
    return dialog


def option(text: str, value: str) -> Block:
    return {"text": plain(text, limits.OPTION_TEXT), "value": _value(value, limits.OPTION_VALUE)}


def text_input(
    action_id: str, *, placeholder: str, multiline: bool = True, initial_value: str = ""
) -> Block:
    """A text box. `initial_value` is what the user will edit and send back, so it is raw
    text, never escaped (Slack does not parse input values); it is only cut to size."""
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": limits.TEXT_INPUT,
        "placeholder": plain(placeholder, limits.PLACEHOLDER),
    }
    if initial_value:
        element["initial_value"] = limits.shorten(initial_value, limits.TEXT_INPUT)
    return element


def external_select(action_id: str, *, placeholder: str, min_query_length: int = 1) -> Block:
    return {
        "type": "external_select",
        "action_id": action_id,
        "placeholder": plain(placeholder, limits.PLACEHOLDER),
        "min_query_length": min_query_length,
    }


def static_select(action_id: str, *, placeholder: str, options: Sequence[Block], initial: Block | None = None) -> Block:
    element: Block = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain(placeholder, limits.PLACEHOLDER),
        "options": list(options)[: limits.OPTIONS],
    }
    if initial is not None:
        element["initial_option"] = initial
    return element


def datepicker(action_id: str, *, placeholder: str, initial_date: str | None = None) -> Block:
    """A date picker; `initial_date` as YYYY-MM-DD."""
    element: Block = {"type": "datepicker", "action_id": action_id, "placeholder": plain(placeholder, limits.PLACEHOLDER)}
    if initial_date is not None:
        element["initial_date"] = initial_date
    return element


def input_block(label: str, element: Block, *, block_id: str, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, limits.INPUT_LABEL),
        "element": element,
        "optional": optional,
    }


def line_sections(lines: Sequence[str], *, max_blocks: int) -> tuple[list[Block], int]:
    """Pack lines into as few sections as fit 3,000 characters each, in at most `max_blocks`.

    Returns the sections and how many lines they hold, so the caller can say how many
    were left out ("还有 N 位客户…").
    """
    blocks: list[Block] = []
    chunk: list[str] = []
    size = 0
    shown = 0
    for line in lines:
        line = clip(line, limits.TEXT)
        extra = len(line) + (1 if chunk else 0)
        if chunk and size + extra > limits.TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
            extra = len(line)
        if len(blocks) == max_blocks:
            break
        chunk.append(line)
        size += extra
        shown += 1
    if chunk and len(blocks) < max_blocks:
        blocks.append(section("\n".join(chunk)))
    return blocks, shown


def _value(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"an action value holds at most {limit} characters; got {len(value)}")
    return value


def _nonempty_list(elements: list[Block]) -> list[Block]:
    if not elements:
        raise ValueError("Slack rejects a block without elements: the builder must skip it")
    return elements
