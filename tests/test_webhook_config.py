"""The `webhooks:` section: endpoints with their secrets, and one clear sentence per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.webhook_config import Endpoint

SECRET = "0123456789abcdef0123"


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "riskbot.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_endpoints_take_their_secret_from_the_environment_and_never_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ERP_HOOK_SECRET", SECRET)
    config = load(tmp_path, f"""\
webhooks:
  max_attempts: 5
  endpoints:
    - url: https://erp.example.com/riskbot
      secret_env: ERP_HOOK_SECRET
    - url: http://10.0.0.7:8080/hook
      secret: "{SECRET}x"
      events: [writeoff]
""")
    hooks = config.webhooks  # type: ignore[attr-defined]
    assert hooks.max_attempts == 5
    assert hooks.endpoints == (
        Endpoint("https://erp.example.com/riskbot", SECRET, frozenset({"grade_change", "writeoff"})),
        Endpoint("http://10.0.0.7:8080/hook", SECRET + "x", frozenset({"writeoff"})),
    )
    assert SECRET not in repr(config)


@pytest.mark.parametrize(("section", "message"), [
    ("webhooks: [https://erp.example.com]", "webhooks: expected a mapping"),
    ("webhooks: {endpoint: []}", "webhooks.endpoint: unknown setting"),
    ("webhooks: {max_attempts: 0}", "webhooks.max_attempts: expected a whole number from 1 to 100, got 0"),
    ("webhooks: {endpoints: [{url: ftp://erp.example.com, secret_env: ERP}]}",
     "webhooks.endpoints[0].url: expected an http(s) URL"),
    ("webhooks: {endpoints: [{url: https://erp.example.com}]}",
     "webhooks.endpoints[0]: give the signing secret as secret_env: NAME (or secret: …), exactly one of them"),
    ("webhooks: {endpoints: [{url: https://erp.example.com, secret_env: NOT_SET_ANYWHERE}]}",
     "webhooks.endpoints[0].secret_env: the environment variable 'NOT_SET_ANYWHERE' is not set or empty"),
    ("webhooks: {endpoints: [{url: https://erp.example.com, secret: short}]}",
     "webhooks.endpoints[0].secret: the secret is shorter than 16 characters"),
    (f"webhooks: {{endpoints: [{{url: https://erp.example.com, secret: {SECRET}, events: [orders]}}]}}",
     "webhooks.endpoints[0].events: expected a list of grade_change, writeoff, got ['orders']"),
    (f"webhooks: {{endpoints: [{{url: 'https://a.example', secret: {SECRET}}}, {{url: 'https://a.example', secret: {SECRET}}}]}}",
     "webhooks.endpoints[1].url: https://a.example is listed twice"),
    (f"webhooks: {{endpoints: [{{url: 'https://erp:pa55word@erp.example.com/hook', secret: {SECRET}}}]}}",
     "webhooks.endpoints[0].url: a user or password in the URL would show in logs"),
    (f"webhooks: {{endpoints: [{{url: 'https://erp.example.com/risk hook', secret: {SECRET}}}]}}",
     "webhooks.endpoints[0].url: spaces or control characters: percent-encode them"),
    (f"webhooks: {{endpoints: [{{url: 'https://erp.example.com:80x/hook', secret: {SECRET}}}]}}",
     "webhooks.endpoints[0].url: the port is not a number"),
])
def test_each_mistake_is_one_sentence_naming_the_file_and_field(tmp_path: Path, section: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, section + "\n")
    text = str(raised.value)
    assert text.startswith(f"config {tmp_path / 'riskbot.yaml'}: ") and message in text
    assert SECRET not in text and "pa55word" not in text
