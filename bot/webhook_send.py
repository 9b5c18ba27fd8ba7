"""One signed POST to a webhook endpoint, the way Slack signs the requests it sends us.

    X-Riskbot-Request-Timestamp: 1764806400
    X-Riskbot-Signature: v0=<hex HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)>
    X-Riskbot-Event-Id: <the event's UUID, also "id" in the body: receivers dedupe by it>

A receiver recomputes the signature over the raw body and compares in constant time, and
refuses a timestamp more than five minutes off (a replayed request). Plain urllib: one POST
with a timeout needs no HTTP library. The secret is never logged or put in an error.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

VERSION = "v0"
SIGNATURE = "X-Riskbot-Signature"
TIMESTAMP = "X-Riskbot-Request-Timestamp"
EVENT_ID = "X-Riskbot-Event-Id"
TIMEOUT_SECONDS = 10.0
_USER_AGENT = "riskbot-webhooks/1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`v0=` and the hex HMAC-SHA256 of `v0:{timestamp}:{body}` under `secret`."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, at: datetime, body: bytes, event_id: str) -> dict[str, str]:
    timestamp = int(at.timestamp())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": _USER_AGENT,
        TIMESTAMP: str(timestamp),
        SIGNATURE: signature(secret, timestamp, body),
        EVENT_ID: event_id,
    }


@dataclass(frozen=True)
class Answer:
    """What came of one POST: `ok` for a 2xx; otherwise `error` says what, in a line."""

    ok: bool
    status: int | None = None
    error: str | None = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: urllib would follow a 302 with a GET (no body)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint (None: it can), so a bad one is refused where it is
    configured or typed instead of failing, and being logged, at every delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected an http(s) URL like https://erp.example.com/riskbot"
    if parts.username is not None or parts.password is not None:
        return "a user or password in the URL would show in logs: the signature authenticates riskbot"
    if any(char.isspace() or ord(char) < 32 for char in url):
        return "spaces or control characters: percent-encode them"
    try:
        parts.port
    except ValueError:
        return "the port is not a number from 0 to 65535"
    return None


def shown(url: str) -> str:
    """`url` as logs, Slack and the terminal show it: without a user, password or query (a
    receiver may take a token there)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = (parts.hostname or "") + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def post(url: str, secret: str, body: str, event_id: str, at: datetime,
         timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST `body` signed as of `at`; never raises for what the network or the endpoint does."""
    data = body.encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers=signed_headers(secret, at, data, event_id))
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(True, response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Answer(False, exc.code, f"HTTP {exc.code} {exc.reason}".strip())
    except TimeoutError:
        return Answer(False, None, f"no answer within {timeout:g} s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Answer(False, None, f"no answer within {timeout:g} s")
        return Answer(False, None, f"unreachable ({reason})")
    except OSError as exc:
        return Answer(False, None, f"connection failed ({exc.strerror or exc})")
    except http.client.InvalidURL:
        return Answer(False, None, "invalid URL")
    except (http.client.HTTPException, ValueError) as exc:
        return Answer(False, None, f"unusable answer ({type(exc).__name__})")
