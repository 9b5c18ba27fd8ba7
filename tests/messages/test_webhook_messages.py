"""The alerts-channel post for a webhook delivery given up: valid Block Kit, escaped, both languages."""

from __future__ import annotations

from messages import Renderer, webhook_dead_letter
from messages.webhooks import DeadLetter
from tests.messages import samples
from tests.messages.slackcheck import all_text, assert_safe, validate_message


def dead(name: str = samples.LONG_NAME) -> DeadLetter:
    return DeadLetter(endpoint="https://erp.example.com/hook?<!channel>", customer=samples.ref(name=name),
                      kind="grade_change", event_id="1b4e28ba-2fa1-11d2-883f-0016d3cca427", attempts=10,
                      error="HTTP 502 Bad Gateway " + samples.HOSTILE)


def test_a_dead_letter_is_valid_block_kit_and_escapes_hostile_data(renderer: Renderer) -> None:
    message = webhook_dead_letter(renderer, dead())
    validate_message(message)
    for text in all_text(message):
        assert_safe(text)


def test_a_dead_letter_names_the_endpoint_customer_tries_and_error(zh: Renderer, en: Renderer) -> None:
    zh_text = "\n".join(all_text(webhook_dead_letter(zh, dead("华强电子有限公司"))))
    assert "华强电子有限公司" in zh_text and "等级变更" in zh_text and "已尝试 10 次" in zh_text
    assert "https://erp.example.com/hook?&lt;!channel&gt;" in zh_text and "HTTP 502 Bad Gateway" in zh_text
    en_text = "\n".join(all_text(webhook_dead_letter(en, dead("Acme Ltd"))))
    assert "grade change event of *Acme Ltd*" in en_text and "after 10 tries" in en_text
