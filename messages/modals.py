"""Modals (log a follow-up, reject a grade change) and the customer picker's options."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from messages import blocks as bk
from messages import ids, limits
from messages.blocks import Block
from messages.render import Renderer
from messages.surfaces import modal
from messages.views import ChangeLine, CustomerRef


@dataclass(frozen=True, slots=True)
class FollowupModalMetadata:
    """What the log-follow-up modal carries to its submission in `private_metadata`.

    `customer_id` when the customer was known on opening (no picker shown); `channel` and
    `message_ts` when the modal came from the message shortcut (the follow-up's source).
    """

    customer_id: int | None = None
    channel: str | None = None
    message_ts: str | None = None

    def dump(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> FollowupModalMetadata:
        """Read it back; a damaged value raises ValueError saying so."""
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
            return cls(
                customer_id=_optional(data, "customer_id", int),
                channel=_optional(data, "channel", str),
                message_ts=_optional(data, "message_ts", str),
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"log-follow-up modal metadata is not what we wrote: {raw[:100]!r}") from exc


def _optional(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, kind):
        raise TypeError(f"{key} should be {kind.__name__}")
    return value


def log_followup_modal(r: Renderer, customer: CustomerRef | None = None) -> dict[str, Any]:
    """Log a follow-up: a customer picker (external select) unless `customer` is known."""
    return _followup_modal(r, customer, FollowupModalMetadata(customer_id=_id(customer)), text="")


def shortcut_followup_modal(
    r: Renderer, text: str, *, channel: str, message_ts: str, customer: CustomerRef | None = None
) -> dict[str, Any]:
    """The message shortcut: the same modal with the message's plain text prefilled."""
    metadata = FollowupModalMetadata(customer_id=_id(customer), channel=channel, message_ts=message_ts)
    return _followup_modal(r, customer, metadata, text=text)


def _id(customer: CustomerRef | None) -> int | None:
    return None if customer is None else customer.id


def _followup_modal(
    r: Renderer, customer: CustomerRef | None, metadata: FollowupModalMetadata, *, text: str
) -> dict[str, Any]:
    blocks: list[Block] = []
    if customer is None:
        picker = bk.external_select(ids.CUSTOMER_SELECT, placeholder=r.text("followup.customer_placeholder"))
        blocks.append(bk.input_block(r.text("followup.customer_label"), picker, block_id=ids.CUSTOMER_BLOCK))
    else:
        blocks.append(bk.section(r.text("followup.known_customer", customer=customer)))
    box = bk.text_input(ids.FOLLOWUP_TEXT, placeholder=r.text("followup.text_placeholder"), initial_value=text)
    blocks.append(bk.input_block(r.text("followup.text_label"), box, block_id=ids.FOLLOWUP_TEXT_BLOCK))
    if metadata.message_ts is not None:
        blocks.append(bk.context(r.text("followup.from_message")))
    return modal(
        title=r.text("followup.modal_title"),
        callback_id=ids.LOG_MODAL,
        blocks=blocks,
        submit=r.text("followup.modal_submit"),
        close=r.text("followup.modal_close"),
        private_metadata=metadata.dump(),
    )


def customer_options(r: Renderer, customers: Sequence[CustomerRef]) -> dict[str, Any]:
    """The answer to the picker's options request: name and grade, value = customer id (100 at most)."""
    return {
        "options": [
            bk.option(r.text("followup.option", customer=c), str(c.id)) for c in customers[: limits.OPTIONS]
        ]
    }


def reject_modal(r: Renderer, change: ChangeLine) -> dict[str, Any]:
    """Reject a grade change: a required reason; `private_metadata` is the change id."""
    reason = bk.text_input(ids.REJECT_REASON, placeholder=r.text("approval.reason_placeholder"))
    blocks = [
        bk.section(r.text("approval.reject_summary", line=change)),
        bk.input_block(r.text("approval.reason_label"), reason, block_id=ids.REJECT_REASON_BLOCK),
    ]
    return modal(
        title=r.text("approval.reject_title"),
        callback_id=ids.REJECT_MODAL,
        blocks=blocks,
        submit=r.text("approval.reject_submit"),
        close=r.text("approval.reject_close"),
        private_metadata=str(change.change_id),
    )
