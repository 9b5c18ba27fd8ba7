"""Plain JSON over HTTP GET with the standard library (no client to keep alive, nothing to add
to the install): a provider query is one GET and the rate limit, not the client, sets the pace."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from providers.errors import BadKey, Malformed, NoBalance, Refused, Transient

# (url, headers, timeout seconds) → (HTTP status, body); raises Transient when nothing came back.
Transport = Callable[[str, Mapping[str, str], float], tuple[int, bytes]]


def urllib_get(url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
    """One GET. Errors name the host only: the query string holds the key (企查查)."""
    host = urlsplit(url).netloc
    request = urllib.request.Request(url, headers={**headers, "Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured https/http URL
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()
    except (TimeoutError, socket.timeout):
        raise Transient(host, "timeout", seconds=f"{timeout:g}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise Transient(host, "timeout", seconds=f"{timeout:g}") from None
        raise Transient(host, "unreachable", reason=str(exc.reason)) from None
    except OSError as exc:  # reset mid-answer, a broken pipe
        raise Transient(host, "broken", reason=str(exc.strerror or exc)) from None


def get_json(name: str, transport: Transport, url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, Any]:
    """(HTTP status, the answer's JSON document); (404, None) for not found, other HTTP
    errors as the provider error they mean."""
    try:
        status, body = transport(url, headers, timeout)
    except Transient as exc:
        raise Transient(name, exc.key, **exc.params) from None
    if status >= 500 or status == 429:
        raise Transient(name, "http_server", status=status)
    if status in (401, 403):
        raise BadKey(name, "http_bad_key", status=status)
    if status == 402:
        raise NoBalance(name, "http_no_balance")
    if status == 404:
        return status, None
    if status >= 400:
        raise Refused(name, "http_refused", status=status)
    try:
        return status, json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise Malformed(name, "not_json", status=status, size=len(body)) from None
