"""Every reason a provider query can fail has its words in both locales."""

from __future__ import annotations

import re

import pytest

from messages.plain import words
from providers.errors import TEXTS, WHAT


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_error_is_said_in_each_locale(locale: str, key: str) -> None:
    params = {name: "1" for name in re.findall(r"{(\w+)}", TEXTS[key])}
    if "what" in params:
        params["what"] = "no_calls"
    said = words(locale).text(f"sync.error_{key}", **params)
    assert said and "no_calls" not in said


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_each_status_meaning_is_said_in_each_locale(locale: str) -> None:
    for name in WHAT:
        assert words(locale).text("sync.meaning", name=name) != name


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_the_english_words_are_the_log_lines(key: str) -> None:
    from providers.errors import ProviderError

    params = {name: "1" for name in re.findall(r"{(\w+)}", TEXTS[key])}
    if "what" in params:
        params["what"] = "no_calls"
    error = ProviderError("qcc", key, **params)
    en = words("en")
    assert en.text("sync.from", provider="qcc", reason=en.text(f"sync.error_{key}", **error.params)) == str(error)
