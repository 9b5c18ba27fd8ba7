"""The Slack app manifest creates the app the bot expects, with no scope it does not use."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = REPO_ROOT / "manifest.yml"
SCHEMA = REPO_ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"

EXPECTED_BOT_SCOPES = {
    "commands",
    "chat:write",
    "users:read",
    "users:read.email",
    "channels:history",
    "groups:history",
    "im:history",
    "app_mentions:read",
    "files:write",  # the monthly report uploads its charts (files_upload_v2)
}
EXPECTED_BOT_EVENTS = {"message.channels", "message.groups", "message.im", "app_home_opened", "app_mention"}
SCOPE_NEEDED_BY_EVENT = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "app_mention": "app_mentions:read",
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_manifest_is_valid_against_slacks_published_schema(manifest: dict[str, Any]) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"Slack manifest schema not available at {SCHEMA}")
    validator = Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []


def test_manifest_targets_major_version_one(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"]["major_version"] == 1


def test_app_is_named_in_chinese_and_english_with_an_always_online_bot(manifest: dict[str, Any]) -> None:
    assert "风控助手" in manifest["display_information"]["name"]
    assert "riskbot" in manifest["display_information"]["name"]
    assert manifest["features"]["bot_user"] == {"display_name": "riskbot", "always_online": True}


def test_risk_command_passes_raw_text_and_shows_a_usage_hint(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/risk"
    assert command["should_escape"] is False
    assert "客户名" in command["usage_hint"] and "help" in command["usage_hint"]
    assert command["description"]


def test_message_shortcut_logs_a_message_as_follow_up(manifest: dict[str, Any]) -> None:
    (shortcut,) = manifest["features"]["shortcuts"]
    assert shortcut["type"] == "message"
    assert shortcut["callback_id"] == "followup.from_message"
    assert "跟进" in shortcut["name"] and "follow-up" in shortcut["name"]


def test_app_home_has_a_dashboard_and_accepts_direct_messages(manifest: dict[str, Any]) -> None:
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True
    assert home.get("messages_tab_read_only_enabled", False) is False


def test_socket_mode_is_on_with_interactivity_and_options_loading(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["message_menu_options_url"].endswith("/slack/events")


def test_http_mode_request_urls_all_point_at_bolts_single_endpoint(manifest: dict[str, Any]) -> None:
    urls = [
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["interactivity"]["message_menu_options_url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        *(command["url"] for command in manifest["features"]["slash_commands"]),
    ]
    assert set(urls) == {"https://example.com/slack/events"}


def test_bot_subscribes_to_exactly_the_events_it_handles(manifest: dict[str, Any]) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert len(events) == len(set(events))
    assert set(events) == EXPECTED_BOT_EVENTS


def test_bot_asks_for_exactly_the_intended_scopes(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}, "riskbot acts only as its bot user; it needs no user scopes"
    assert len(scopes["bot"]) == len(set(scopes["bot"]))
    assert set(scopes["bot"]) == EXPECTED_BOT_SCOPES


def test_every_subscribed_event_has_the_scope_slack_requires_for_it(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    needed = {SCOPE_NEEDED_BY_EVENT[event] for event in events if event in SCOPE_NEEDED_BY_EVENT}
    assert needed - scopes == set()


def test_every_bot_scope_line_explains_why_it_is_needed() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    for scope in EXPECTED_BOT_SCOPES:
        line = re.search(rf"^\s*-\s*{re.escape(scope)}\s*(#.*)?$", text, flags=re.MULTILINE)
        assert line is not None, f"scope {scope} not listed on its own line"
        assert line.group(1) and len(line.group(1)) > 10, f"scope {scope} has no comment saying why"
