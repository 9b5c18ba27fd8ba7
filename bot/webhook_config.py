"""The `webhooks:` section of the config: where grade changes and write-offs are pushed.

    webhooks:
      max_attempts: 10            # optional; then the delivery is dead and reported in channels.alerts
      endpoints:
        - url: https://erp.example.com/riskbot
          secret_env: ERP_WEBHOOK_SECRET    # or `secret: …` (the environment keeps it out of the file)
          events: [grade_change, writeoff]  # optional; every event by default

Every problem is one sentence naming the file and the field, as in bot.config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.webhook_send import shown, url_problem
from storage.models.webhooks import ENDPOINT_LENGTH

EVENT_KINDS = ("grade_change", "writeoff")
DEFAULT_MAX_ATTEMPTS = 10
MIN_SECRET = 16


class WebhookConfigError(ValueError):
    """Raised as bot.config.ConfigError by the caller; the message names file and field."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    secret: str = field(repr=False)  # never logged, never printed
    events: frozenset[str] = frozenset(EVENT_KINDS)

    def wants(self, kind: str) -> bool:
        return kind in self.events


@dataclass(frozen=True)
class Webhooks:
    endpoints: tuple[Endpoint, ...] = ()
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def endpoint(self, url: str) -> Endpoint | None:
        return next((e for e in self.endpoints if e.url == url), None)


def parse_webhooks(raw: Any, source: str, environ: Mapping[str, str] | None = None) -> Webhooks:
    """The section as read from YAML (None when absent)."""
    env = os.environ if environ is None else environ
    if raw is None:
        return Webhooks()
    where = f"config {source}: webhooks"
    if not isinstance(raw, Mapping):
        raise WebhookConfigError(f"{where}: expected a mapping with endpoints: [{{url: …, secret_env: …}}]")
    _no_unknown(raw, {"endpoints", "max_attempts"}, where)
    attempts = raw.get("max_attempts", DEFAULT_MAX_ATTEMPTS)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 100:
        raise WebhookConfigError(f"{where}.max_attempts: expected a whole number from 1 to 100, got {attempts!r}")
    items = raw.get("endpoints") or []
    if not isinstance(items, list):
        raise WebhookConfigError(f"{where}.endpoints: expected a list of {{url: …, secret_env: …}}")
    endpoints = [_endpoint(item, f"{where}.endpoints[{n}]", env) for n, item in enumerate(items)]
    urls = [e.url for e in endpoints]
    for n, url in enumerate(urls):
        if url in urls[:n]:
            raise WebhookConfigError(f"{where}.endpoints[{n}].url: {url} is listed twice; list each endpoint once")
    return Webhooks(tuple(endpoints), attempts)


def _endpoint(raw: Any, where: str, env: Mapping[str, str]) -> Endpoint:
    if not isinstance(raw, Mapping):
        raise WebhookConfigError(f"{where}: expected {{url: https://…, secret_env: NAME}}")
    _no_unknown(raw, {"url", "secret", "secret_env", "events"}, where)
    url = raw.get("url")
    problem = url_problem(url) if isinstance(url, str) else "expected an http(s) URL like https://erp.example.com/riskbot"
    if problem is not None:
        raise WebhookConfigError(f"{where}.url: {problem}; got {shown(url) if isinstance(url, str) else repr(url)}")
    if len(url) > ENDPOINT_LENGTH:
        raise WebhookConfigError(f"{where}.url: longer than {ENDPOINT_LENGTH} characters; use a shorter URL")
    return Endpoint(url, _secret(raw, where, env), _events(raw.get("events"), f"{where}.events"))


def _secret(raw: Mapping[str, Any], where: str, env: Mapping[str, str]) -> str:
    if ("secret" in raw) == ("secret_env" in raw):
        raise WebhookConfigError(f"{where}: give the signing secret as secret_env: NAME (or secret: …), exactly one of them")
    if "secret_env" in raw:
        name = raw["secret_env"]
        secret = env.get(name) if isinstance(name, str) else None
        if not secret:
            raise WebhookConfigError(f"{where}.secret_env: the environment variable {name!r} is not set or empty")
    else:
        secret = raw["secret"]
        if not isinstance(secret, str):
            raise WebhookConfigError(f"{where}.secret: expected text in quotes")
    if len(secret) < MIN_SECRET:
        field_name = "secret_env" if "secret_env" in raw else "secret"
        raise WebhookConfigError(f"{where}.{field_name}: the secret is shorter than {MIN_SECRET} characters; "
                                 "use a long random one (e.g. `openssl rand -hex 32`)")
    return secret


def _events(raw: Any, where: str) -> frozenset[str]:
    if raw is None:
        return frozenset(EVENT_KINDS)
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(i in EVENT_KINDS for i in items):
        raise WebhookConfigError(f"{where}: expected a list of {', '.join(EVENT_KINDS)}, got {raw!r}")
    return frozenset(items)


def _no_unknown(mapping: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(map(str, set(mapping) - known))
    if unknown:
        raise WebhookConfigError(f"{where}.{unknown[0]}: unknown setting; known: {', '.join(sorted(known))}")
