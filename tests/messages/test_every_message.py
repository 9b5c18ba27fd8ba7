"""Every builder, in Chinese and English, with hostile data: valid Block Kit, nothing leaks."""

from __future__ import annotations

import pytest

from messages import Renderer, customer_options
from tests.messages import samples
from tests.messages.slackcheck import all_text, assert_safe, validate_message, validate_options, validate_view


@pytest.mark.parametrize("name", sorted(samples.MESSAGES))
def test_message_is_valid_block_kit_and_escapes_hostile_data(renderer: Renderer, name: str) -> None:
    message = samples.MESSAGES[name](renderer)
    validate_message(message)
    for text in all_text(message):
        assert_safe(text)


@pytest.mark.parametrize("name", sorted(samples.VIEWS))
def test_view_is_valid_and_escapes_hostile_data(renderer: Renderer, name: str) -> None:
    view = samples.VIEWS[name](renderer)
    validate_view(view)
    for text in all_text(view):
        assert_safe(text)


def test_options_are_valid_escaped_and_capped_at_one_hundred(renderer: Renderer) -> None:
    customers = [samples.ref(i, name=samples.LONG_NAME) for i in range(300)]
    response = customer_options(renderer, customers)
    validate_options(response)
    assert [option["value"] for option in response["options"]] == [str(i) for i in range(100)]
    for option in response["options"]:
        assert_safe(option["text"]["text"])


def test_fallback_text_is_escaped_like_the_blocks(zh: Renderer) -> None:
    message = samples.MESSAGES["customer_card"](zh)
    assert "&lt;!channel&gt;" in message.text
    assert "<!channel>" not in message.text


def test_our_own_mentions_survive_the_escaping(zh: Renderer) -> None:
    text = "\n".join(all_text(samples.MESSAGES["customer_card"](zh)))
    assert f"<@{samples.SALES}>" in text
    assert "risk&amp;&lt;!here&gt;@corp.example" in text  # an e-mail owner is only text


def test_mrkdwn_is_verbatim_so_bare_words_are_never_linked_or_pinged(zh: Renderer) -> None:
    message = samples.MESSAGES["customer_card"](zh)
    mrkdwn = [b["text"] for b in message.blocks if b["type"] == "section"]
    assert mrkdwn and all(t["verbatim"] is True for t in mrkdwn)


@pytest.mark.parametrize(
    ("locale", "share", "log", "event"),
    [("zh", "分享到频道", "记录跟进", "记录风险事件"), ("en", "Share to channel", "Log follow-up", "Record event")],
)
def test_buttons_speak_the_configured_language(locale: str, share: str, log: str, event: str) -> None:
    message = samples.MESSAGES["customer_card"](Renderer(locale))
    labels = [e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == [share, log, event]


def test_chinese_is_the_default_language() -> None:
    message = samples.MESSAGES["help"](Renderer())
    assert "使用说明" in message.text
    assert "帮助" in "\n".join(all_text(message))
