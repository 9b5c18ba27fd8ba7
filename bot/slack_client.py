"""The Slack Web API client the bot uses, how its failures are named, and keeping tokens out of logs.

One factory builds every `WebClient`, so the base URL (a loopback fake in tests, Slack in
production) and the retry policy are decided in one place instead of at each call site.
"""

from __future__ import annotations

import logging
import os
import re
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

SLACK_API_URL_ENV = "SLACK_API_URL"
DEFAULT_SLACK_API_URL = WebClient.BASE_URL
MAX_RETRIES = 3
"""Retries per call for 429 (waiting Retry-After) and for dropped connections (with backoff)."""


def make_web_client(token: str, base_url: str | None = None) -> WebClient:
    """Build a WebClient that waits out rate limits and survives a dropped connection.

    `base_url` wins over the `SLACK_API_URL` environment variable, which wins over Slack's own
    address; tests point it at the loopback fake.
    """
    if not token or not token.strip():
        raise ValueError(
            "Slack 机器人令牌为空：请设置 SLACK_BOT_TOKEN（以 xoxb- 开头）。"
            " / The Slack bot token is empty: set SLACK_BOT_TOKEN (it starts with xoxb-)."
        )
    url = base_url or os.environ.get(SLACK_API_URL_ENV) or DEFAULT_SLACK_API_URL
    if not url.startswith(("http://", "https://")):
        raise ValueError(
            f"Slack API 地址无效：{url!r}，应以 http:// 或 https:// 开头（检查 {SLACK_API_URL_ENV}）。"
            f" / Invalid Slack API URL {url!r}: it must start with http:// or https://"
            f" (check {SLACK_API_URL_ENV})."
        )
    return WebClient(
        token=token,
        base_url=url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=MAX_RETRIES),
            ConnectionErrorRetryHandler(max_retry_count=MAX_RETRIES),
        ],
    )


class SlackErrorKind(StrEnum):
    """The few Slack API failures the bot logs or reacts to differently; the rest are `other`."""

    RATELIMITED = "ratelimited"
    CHANNEL_NOT_FOUND = "channel_not_found"
    NOT_IN_CHANNEL = "not_in_channel"
    IS_ARCHIVED = "is_archived"
    USER_NOT_FOUND = "user_not_found"
    INVALID_AUTH = "invalid_auth"
    OTHER = "other"


_ERROR_KINDS: dict[str, SlackErrorKind] = {
    "ratelimited": SlackErrorKind.RATELIMITED,
    "rate_limited": SlackErrorKind.RATELIMITED,
    "channel_not_found": SlackErrorKind.CHANNEL_NOT_FOUND,
    "not_in_channel": SlackErrorKind.NOT_IN_CHANNEL,
    "is_archived": SlackErrorKind.IS_ARCHIVED,
    "channel_is_archived": SlackErrorKind.IS_ARCHIVED,
    "user_not_found": SlackErrorKind.USER_NOT_FOUND,
    "users_not_found": SlackErrorKind.USER_NOT_FOUND,
    "invalid_auth": SlackErrorKind.INVALID_AUTH,
    "not_authed": SlackErrorKind.INVALID_AUTH,
    "account_inactive": SlackErrorKind.INVALID_AUTH,
    "token_revoked": SlackErrorKind.INVALID_AUTH,
    "token_expired": SlackErrorKind.INVALID_AUTH,
}


def classify_slack_error(err: SlackApiError) -> SlackErrorKind:
    """Name a Slack API failure by its `error` string (a 429 status counts as rate limited)."""
    response = err.response
    if getattr(response, "status_code", None) == 429:
        return SlackErrorKind.RATELIMITED
    data = getattr(response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    return _ERROR_KINDS.get(str(error), SlackErrorKind.OTHER)


_TOKEN_PATTERN = re.compile(r"(xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+")


_SECRETS: set[str] = set()  # provider keys and tokens (bot.usecases.sync): no pattern to find them by


def redact_secret(value: str) -> None:
    """Redact `value` (a credit provider's key or token) from every log record as well."""
    if len(value) >= 4:
        _SECRETS.add(value)


def redact_tokens(text: str) -> str:
    """Replace every Slack token (xoxb-, xoxp-, xapp-, xoxe.xoxp-, xoxe-…) by its prefix and ***,
    and every provider secret registered with `redact_secret` by ***."""
    text = _TOKEN_PATTERN.sub(lambda m: f"{m.group(1)}-***", text)
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class TokenRedactionFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack text so no Slack token reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not hide the values either
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact_tokens(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_tokens(record.stack_info)
        return True


_REDACTION = TokenRedactionFilter()


def install_token_redaction() -> None:
    """Redact tokens from every log record the process creates, whatever handlers come later.

    A filter on a logger misses records propagated from child loggers, and a filter on a handler
    misses handlers added afterwards; wrapping the record factory covers both. Idempotent.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts_tokens", False):
        return

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _REDACTION.filter(record)
        return record

    redacting_factory.redacts_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)
