"""The Slack test harness works against a real Bolt app, and the bot's Web API client behaves.

Every Bolt app here verifies signatures, talks to the loopback fake and runs listeners before
answering (`process_before_response=True`) so what they sent is recorded when dispatch returns.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.slack_client import (
    DEFAULT_SLACK_API_URL,
    SlackErrorKind,
    TokenRedactionFilter,
    classify_slack_error,
    install_token_redaction,
    make_web_client,
    redact_tokens,
)
from tests.slackkit import signing
from tests.slackkit.fake_api import FakeSlackApi
from tests.slackkit.signing import SIGNING_SECRET, SignedRequest, to_bolt_request

pytest_plugins = ["tests.slackkit.fake_api"]


@pytest.fixture
def app(fake_slack: FakeSlackApi) -> App:
    return App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token="xoxb-test", base_url=fake_slack.url),
        process_before_response=True,
    )


def dispatch(app: App, request: SignedRequest) -> Any:
    return app.dispatch(to_bolt_request(*request))


# -- signed requests through Bolt ------------------------------------------------------------


def test_signed_slash_command_reaches_the_risk_handler_and_its_replies_are_recorded(
    app: App, fake_slack: FakeSlackApi
) -> None:
    @app.command("/risk")
    def risk(ack: Ack, command: dict[str, Any], respond: Respond, say: Say, client: WebClient) -> None:
        ack()
        respond(text=f"卡片：{command['text']}")
        say(text="公开消息")
        client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text="仅你可见")

    request = signing.slash_command("华东精工", response_url=fake_slack.response_url("cmd"))
    response = dispatch(app, request)

    assert response.status == 200
    assert [call["text"] for call in fake_slack.calls("response_url")] == ["卡片：华东精工"]
    (posted,) = fake_slack.calls("chat.postMessage")
    assert (posted["channel"], posted["text"]) == (signing.CHANNEL_ID, "公开消息")
    (ephemeral,) = fake_slack.calls("chat.postEphemeral")
    assert (ephemeral["user"], ephemeral["text"]) == (signing.USER_ID, "仅你可见")
    assert {call.token for call in fake_slack.records if call.method != "response_url"} == {"xoxb-test"}


@pytest.mark.parametrize(
    "request_options", [{"forged": True}, {"stale": True}], ids=["forged signature", "five minutes stale"]
)
def test_badly_signed_requests_are_refused_with_401_before_any_handler_runs(
    app: App, fake_slack: FakeSlackApi, request_options: dict[str, bool]
) -> None:
    handled: list[str] = []

    @app.command("/risk")
    def risk(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        handled.append(command["text"])

    response = dispatch(app, signing.slash_command("help", **request_options))

    assert response.status == 401
    assert handled == []


def test_events_api_retry_headers_reach_the_message_handler(app: App) -> None:
    seen: list[tuple[str, Any, Any]] = []

    @app.event("message")
    def on_message(event: dict[str, Any], request: BoltRequest) -> None:
        headers = request.headers
        seen.append((event["text"], headers.get("x-slack-retry-num"), headers.get("x-slack-retry-reason")))

    event = signing.message_event("跟进 华东精工：已催款", channel_type="im", channel="D0DM")
    response = dispatch(app, signing.event_callback(event, retry_num=2, retry_reason="http_timeout"))

    assert response.status == 200
    assert seen == [("跟进 华东精工：已催款", ["2"], ["http_timeout"])]


def test_url_verification_is_answered_with_the_challenge(app: App) -> None:
    response = dispatch(app, signing.url_verification("abc123"))

    assert response.status == 200
    assert json.loads(response.body) == {"challenge": "abc123"}


def test_each_interactivity_payload_reaches_its_bolt_listener(app: App) -> None:
    hits: list[tuple[str, str]] = []

    @app.action("approve")
    def on_action(ack: Ack, action: dict[str, Any]) -> None:
        ack()
        hits.append(("block_actions", action["value"]))

    @app.view("followup.modal")
    def on_view(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        hits.append(("view_submission", view["state"]["values"]["note"]["text"]["value"]))

    @app.options("customer")
    def on_options(ack: Ack, payload: dict[str, Any]) -> None:
        ack(options=[{"text": {"type": "plain_text", "text": payload["value"]}, "value": "c-1"}])
        hits.append(("block_suggestion", payload["value"]))

    @app.shortcut("followup.from_message")
    def on_shortcut(ack: Ack, shortcut: dict[str, Any]) -> None:
        ack()
        hits.append((shortcut["type"], shortcut["message"]["text"]))

    note = {"note": {"text": {"type": "plain_text_input", "value": "已回款"}}}
    statuses = [
        dispatch(app, signing.block_actions("approve", "change-7")).status,
        dispatch(app, signing.view_submission("followup.modal", note)).status,
        dispatch(app, signing.message_shortcut("followup.from_message", "客户说下周付款")).status,
    ]
    options = dispatch(app, signing.block_suggestion("customer", "华东"))

    assert statuses == [200, 200, 200]
    assert options.status == 200
    assert json.loads(options.body)["options"][0]["value"] == "c-1"
    assert sorted(hits) == sorted(
        [
            ("block_actions", "change-7"),
            ("view_submission", "已回款"),
            ("message_action", "客户说下周付款"),
            ("block_suggestion", "华东"),
        ]
    )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        """Keep test output quiet."""


@pytest.fixture
def bolt_http_url(app: App) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/slack/events"
    server.shutdown()
    server.server_close()


def test_signed_request_posted_over_http_is_verified_by_a_running_bolt_endpoint(bolt_http_url: str) -> None:
    ok_status, ok_body = signing.post_signed(bolt_http_url, *signing.url_verification("over-http"))
    forged_status, _ = signing.post_signed(bolt_http_url, *signing.url_verification("x", forged=True))

    assert (ok_status, json.loads(ok_body)) == (200, {"challenge": "over-http"})
    assert forged_status == 401


# -- the fake Web API ------------------------------------------------------------------------


def test_fake_decodes_json_text_fields_of_form_encoded_calls(fake_slack: FakeSlackApi) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "红标"}}]
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)

    client.api_call("chat.postMessage", data={"channel": "C1", "text": "t", "blocks": json.dumps(blocks)})

    assert fake_slack.calls("chat.postMessage") == [{"channel": "C1", "text": "t", "blocks": blocks}]


def test_fake_gives_each_message_a_later_ts_and_opens_one_dm_per_user(fake_slack: FakeSlackApi) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)

    first = client.chat_postMessage(channel="C1", text="a")["ts"]
    second = client.chat_postMessage(channel="C1", text="b")["ts"]
    dm = client.conversations_open(users="U1")["channel"]["id"]
    dm_again = client.conversations_open(users="U1")["channel"]["id"]
    other = client.conversations_open(users="U2")["channel"]["id"]

    assert float(second) > float(first)
    assert dm == dm_again == fake_slack.dm_channel("U1")
    assert dm.startswith("D") and other != dm


def test_fake_resolves_known_emails_and_reports_unknown_ones_as_users_not_found() -> None:
    with FakeSlackApi(users_by_email={"li.lei@example.com": "U0LI"}) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)

        found = client.users_lookupByEmail(email="li.lei@example.com")["user"]["id"]
        with pytest.raises(SlackApiError) as missing:
            client.users_lookupByEmail(email="nobody@example.com")

    assert found == "U0LI"
    assert missing.value.response["error"] == "users_not_found"


def test_fake_waits_for_calls_made_from_another_thread(fake_slack: FakeSlackApi) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    worker = threading.Thread(target=lambda: client.reactions_add(channel="C1", timestamp="1.1", name="eyes"))

    worker.start()
    (call,) = fake_slack.wait_for_calls("reactions.add")
    worker.join()

    assert call["name"] == "eyes"


def test_fake_refuses_unsimulated_methods_until_given_an_answer(fake_slack: FakeSlackApi) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    with pytest.raises(SlackApiError) as unknown:
        client.conversations_info(channel="C1")

    fake_slack.set_answer("conversations.info", {"ok": True, "channel": {"id": "C1", "is_archived": True}})

    assert unknown.value.response["error"] == "unknown_method"
    assert client.conversations_info(channel="C1")["channel"]["is_archived"] is True
    assert len(fake_slack.calls("conversations.info")) == 2


def test_fake_answers_unauthenticated_calls_with_not_authed(fake_slack: FakeSlackApi) -> None:
    with pytest.raises(SlackApiError) as error:
        WebClient(base_url=fake_slack.url).auth_test()

    assert classify_slack_error(error.value) is SlackErrorKind.INVALID_AUTH


# -- make_web_client and error classification ------------------------------------------------


def test_rate_limited_call_is_retried_after_retry_after_and_succeeds(fake_slack: FakeSlackApi) -> None:
    """slack_sdk sleeps Retry-After (0 here) plus up to one random second before the retry."""
    client = make_web_client("xoxb-test", base_url=fake_slack.url)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0)

    response = client.chat_postMessage(channel="C1", text="预警")

    assert response["ok"] is True
    assert [call["text"] for call in fake_slack.calls("chat.postMessage")] == ["预警", "预警"]


def test_dropped_connection_is_retried_and_succeeds(fake_slack: FakeSlackApi) -> None:
    client = make_web_client("xoxb-test", base_url=fake_slack.url)
    (handler,) = [h for h in client.retry_handlers if isinstance(h, ConnectionErrorRetryHandler)]
    handler.interval_calculator = FixedValueRetryIntervalCalculator(0.0)  # no backoff wait in tests
    fake_slack.reset_next("chat.update", times=2)

    response = client.chat_update(channel="C1", ts="1700000000.000001", text="已更新")

    assert response["ok"] is True
    assert len(fake_slack.calls("chat.update")) == 3


def test_client_uses_slack_api_url_from_the_environment(
    fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)

    make_web_client("xoxb-test").auth_test()

    assert len(fake_slack.calls("auth.test")) == 1


def test_client_defaults_to_slacks_own_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_API_URL", raising=False)

    assert make_web_client("xoxb-test").base_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"


@pytest.mark.parametrize(
    ("token", "base_url", "named"),
    [
        ("", None, "SLACK_BOT_TOKEN"),
        ("  ", None, "SLACK_BOT_TOKEN"),
        ("xoxb-test", "slack.local/api", "SLACK_API_URL"),
    ],
)
def test_client_refuses_bad_settings_naming_the_variable_to_fix(
    token: str, base_url: str | None, named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        make_web_client(token, base_url=base_url)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("channel_not_found", SlackErrorKind.CHANNEL_NOT_FOUND),
        ("not_in_channel", SlackErrorKind.NOT_IN_CHANNEL),
        ("is_archived", SlackErrorKind.IS_ARCHIVED),
        ("user_not_found", SlackErrorKind.USER_NOT_FOUND),
        ("invalid_auth", SlackErrorKind.INVALID_AUTH),
        ("token_revoked", SlackErrorKind.INVALID_AUTH),
        ("msg_too_long", SlackErrorKind.OTHER),
    ],
)
def test_slack_errors_are_classified_by_their_error_string(
    fake_slack: FakeSlackApi, error: str, kind: SlackErrorKind
) -> None:
    fake_slack.fail_next("chat.postMessage", error=error)

    with pytest.raises(SlackApiError) as raised:
        make_web_client("xoxb-test", base_url=fake_slack.url).chat_postMessage(channel="C1", text="x")

    assert classify_slack_error(raised.value) is kind


def test_a_429_that_outlasts_the_retries_is_classified_as_ratelimited(fake_slack: FakeSlackApi) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)

    with pytest.raises(SlackApiError) as raised:
        WebClient(token="xoxb-test", base_url=fake_slack.url, retry_handlers=[]).chat_postMessage(
            channel="C1", text="x"
        )

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "30"
    assert classify_slack_error(raised.value) is SlackErrorKind.RATELIMITED


# -- token redaction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["xoxb-1234-5678-AbCd", "xoxp-1-2-3-abc", "xapp-1-A0-123-deadbeef", "xoxe.xoxp-1-Mi0y", "xoxe-1-My0xLTE"],
)
def test_every_kind_of_slack_token_is_redacted_keeping_its_prefix(token: str) -> None:
    redacted = redact_tokens(f"token={token}&x=1")

    assert token not in redacted
    assert redacted.endswith("-***&x=1")


@pytest.fixture
def restore_record_factory() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)


@pytest.mark.usefixtures("restore_record_factory")
def test_installed_redaction_keeps_tokens_out_of_messages_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_token_redaction()
    install_token_redaction()
    logger = logging.getLogger("riskbot.test.redaction")

    with caplog.at_level(logging.INFO, logger="riskbot.test.redaction"):
        logger.info("posting with %s", "xoxb-1234-secret")
        try:
            raise RuntimeError("bad token xapp-1-A0-secret")
        except RuntimeError:
            logger.exception("Slack call failed")

    assert "secret" not in caplog.text
    assert "xoxb-***" in caplog.text and "xapp-***" in caplog.text
    assert "RuntimeError" in caplog.text


def test_redaction_filter_on_a_handler_hides_tokens_from_that_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.handler.addFilter(TokenRedactionFilter())
    logger = logging.getLogger("riskbot.test.filter")

    with caplog.at_level(logging.INFO, logger="riskbot.test.filter"):
        logger.info("header Authorization: Bearer %s", "xoxp-99-secret")

    assert caplog.messages == ["header Authorization: Bearer xoxp-***"]
