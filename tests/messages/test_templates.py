"""The templates themselves: both languages say the same things, and nothing is forgotten."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2.exceptions import UndefinedError

from messages import Renderer

TEMPLATES = Path(__file__).resolve().parents[2] / "messages" / "templates"
_MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(([^)]*)\)")


def _macros(path: Path) -> dict[str, str]:
    return {name: re.sub(r"\s", "", args) for name, args in _MACRO.findall(path.read_text("utf-8"))}


@pytest.mark.parametrize("name", sorted(p.name for p in (TEMPLATES / "zh").glob("*.j2")))
def test_english_offers_every_piece_chinese_offers_with_the_same_arguments(name: str) -> None:
    assert _macros(TEMPLATES / "zh" / name) == _macros(TEMPLATES / "en" / name)


def test_both_languages_have_the_same_template_files() -> None:
    assert {p.name for p in (TEMPLATES / "zh").glob("*.j2")} == {p.name for p in (TEMPLATES / "en").glob("*.j2")}


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*/*.j2")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_template_wording_carries_no_raw_slack_markup(path: Path) -> None:
    wording = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", "", path.read_text("utf-8"), flags=re.S)
    assert "<" not in wording and ">" not in wording, "write &lt; and &gt; in wording"


def test_a_missing_value_fails_loudly_instead_of_printing_nothing(zh: Renderer) -> None:
    with pytest.raises(UndefinedError):
        zh.text("card.title", card=object())


def test_an_unknown_piece_is_named_in_the_error(zh: Renderer) -> None:
    with pytest.raises(LookupError, match="nope.*card.j2"):
        zh.text("card.nope")
