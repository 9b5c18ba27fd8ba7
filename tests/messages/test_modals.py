"""The log-follow-up and reject modals, and the customer picker's options."""

from __future__ import annotations

import pytest

from messages import (
    FollowupModalMetadata,
    Renderer,
    customer_options,
    ids,
    log_followup_modal,
    reject_modal,
    shortcut_followup_modal,
)
from messages.views import CustomerRef
from scoring.grades import Grade
from tests.messages import samples


def _input(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_log_modal_asks_for_the_customer_with_an_external_select(zh: Renderer) -> None:
    view = log_followup_modal(zh)
    assert view["callback_id"] == ids.LOG_MODAL and view["title"]["text"] == "记录跟进"
    picker = _input(view, ids.CUSTOMER_BLOCK)["element"]
    assert picker["type"] == "external_select" and picker["action_id"] == ids.CUSTOMER_SELECT
    text = _input(view, ids.FOLLOWUP_TEXT_BLOCK)["element"]
    assert text["action_id"] == ids.FOLLOWUP_TEXT and text["multiline"] is True


def test_log_modal_for_a_known_customer_shows_it_and_keeps_its_id(zh: Renderer) -> None:
    view = log_followup_modal(zh, CustomerRef(id=7, name="华强 <!channel>", grade=Grade.RED))
    assert all(b.get("block_id") != ids.CUSTOMER_BLOCK for b in view["blocks"])
    assert "华强 &lt;!channel&gt;" in view["blocks"][0]["text"]["text"]
    assert FollowupModalMetadata.load(view["private_metadata"]) == FollowupModalMetadata(customer_id=7)


def test_shortcut_modal_prefills_the_message_text_as_typed_and_keeps_its_source(en: Renderer) -> None:
    view = shortcut_followup_modal(en, "回款 <50% & 延期", channel="C1", message_ts="1.2")
    assert _input(view, ids.FOLLOWUP_TEXT_BLOCK)["element"]["initial_value"] == "回款 <50% & 延期"
    metadata = FollowupModalMetadata.load(view["private_metadata"])
    assert metadata == FollowupModalMetadata(channel="C1", message_ts="1.2")


def test_shortcut_modal_cuts_a_long_message_to_the_input_limit(zh: Renderer) -> None:
    view = shortcut_followup_modal(zh, "长" * 5000, channel="C1", message_ts="1.2")
    assert len(_input(view, ids.FOLLOWUP_TEXT_BLOCK)["element"]["initial_value"]) == 3000


@pytest.mark.parametrize("raw", ["not json", "[1]", '{"customer_id": "7"}'])
def test_damaged_metadata_is_refused_clearly(raw: str) -> None:
    with pytest.raises(ValueError, match="metadata"):
        FollowupModalMetadata.load(raw)


def test_options_name_each_customer_with_its_grade(zh: Renderer) -> None:
    response = customer_options(zh, [CustomerRef(id=3, name="华强电子", grade=Grade.YELLOW)])
    assert response == {
        "options": [{"text": {"type": "plain_text", "text": "华强电子（🟡 黄标）", "emoji": True}, "value": "3"}]
    }


def test_reject_modal_requires_a_reason_and_carries_the_change_id(zh: Renderer) -> None:
    view = reject_modal(zh, samples.change_line(42))
    assert view["callback_id"] == ids.REJECT_MODAL and view["private_metadata"] == "42"
    reason = _input(view, ids.REJECT_REASON_BLOCK)
    assert reason["optional"] is False and reason["element"]["action_id"] == ids.REJECT_REASON


def test_modal_titles_fit_slacks_24_characters(renderer: Renderer) -> None:
    for view in (log_followup_modal(renderer), reject_modal(renderer, samples.change_line())):
        assert len(view["title"]["text"]) <= 24
