"""The one escape, mentions, links, and cutting text to Slack's limits."""

from __future__ import annotations

import pytest

from messages import Renderer, escape, mention, unescape
from messages.escape import link
from messages.limits import ELLIPSIS, clip, shorten


def test_escape_turns_slack_control_characters_into_entities() -> None:
    assert escape("<!channel> & <@U123> <https://evil|click>") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil|click&gt;"
    )


def test_escape_leaves_formatting_quotes_and_emoji_alone() -> None:
    assert escape("*bold* \"q\" 'q' 😀 华强") == "*bold* \"q\" 'q' 😀 华强"


@pytest.mark.parametrize("text", ["a & b", "<!here>", "&lt; already", "x > y < z &amp;"])
def test_unescape_gives_back_what_was_escaped(text: str) -> None:
    assert unescape(escape(text)) == text


def test_a_slack_user_id_becomes_a_mention() -> None:
    assert mention("U012AB3CD") == "<@U012AB3CD>"
    assert mention("W0ENTERPRISE") == "<@W0ENTERPRISE>"


@pytest.mark.parametrize("owner", ["li.lei@corp.cn", "u123", "U12 3", "<!channel>", "U123>|<!channel"])
def test_anything_but_a_user_id_is_shown_as_escaped_text(owner: str) -> None:
    assert mention(owner) == escape(owner)


def test_links_are_made_only_for_http_urls() -> None:
    assert link("https://a.example/x?y=1&z=2", "证据") == "<https://a.example/x?y=1&amp;z=2|证据>"
    assert link("javascript:alert(1)", "x") == "javascript:alert(1)"
    assert link("https://a.example/|<!channel>", "x") == "https://a.example/|&lt;!channel&gt;"


def test_link_labels_are_escaped() -> None:
    assert link("https://a.example", "<!channel>") == "<https://a.example|&lt;!channel&gt;>"


def test_clip_keeps_short_text_and_ends_long_text_with_an_ellipsis() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcdef", 4) == "abc" + ELLIPSIS


def test_clip_never_leaves_half_an_entity_or_half_a_mention() -> None:
    assert clip("ab&amp;cd", 5) == "ab" + ELLIPSIS
    assert clip("ab <@U12345> cd", 8) == "ab " + ELLIPSIS
    assert clip("ab <@U1> cd", 10) == "ab <@U1> " + ELLIPSIS


def test_shorten_cuts_plain_text_exactly_at_the_limit() -> None:
    assert shorten("a&bcdef", 4) == "a&b" + ELLIPSIS
    assert len(shorten("长" * 5000, 100)) == 100


def test_every_inserted_template_value_is_escaped_even_plain_strings(zh: Renderer) -> None:
    assert zh.text("lookup.error", problem="<!channel>") == "⚠️ &lt;!channel&gt;"


def test_an_unknown_locale_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="zh, en"):
        Renderer("fr")
