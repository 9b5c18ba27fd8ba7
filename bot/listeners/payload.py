"""Reading what Slack sent: the id a clicked button carries."""

from __future__ import annotations

from typing import Any


def clicked_id(body: dict[str, Any]) -> int | None:
    """The customer, grade-change or write-off id in the clicked button's value (None if damaged)."""
    try:
        return int(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
