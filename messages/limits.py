"""Slack's Block Kit limits, in one place, and the two ways we shorten text to meet them.

Figures from the Block Kit reference (docs.slack.dev/reference/block-kit); the fallback
text cap is ours: Slack accepts 40,000 characters but notifications show a line or two.
"""

from __future__ import annotations

ELLIPSIS = "…"

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100  # modals and App Home
FALLBACK_TEXT = 3000

TEXT = 3000  # any text object, section text included
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
HEADER_TEXT = 150

BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
PLACEHOLDER = 150

CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30

VIEW_TITLE = 24
VIEW_BUTTON = 24  # submit and close
PRIVATE_METADATA = 3000
INPUT_LABEL = 2000
TEXT_INPUT = 3000  # plain_text_input max_length and initial_value


def shorten(text: str, limit: int) -> str:
    """Cut plain (not yet escaped) text to `limit` characters, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def clip(text: str, limit: int) -> str:
    """Cut escaped Slack text to `limit` characters without leaving half a `<…>` or `&…;`.

    A half mention or entity at the end would render as garbage or swallow the ellipsis,
    so the cut steps back to before it.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    opening = cut.rfind("<")
    if opening > cut.rfind(">"):
        cut = cut[:opening]
    ampersand = cut.rfind("&")
    if ampersand != -1 and ";" not in cut[ampersand:]:
        cut = cut[:ampersand]
    return cut + ELLIPSIS
