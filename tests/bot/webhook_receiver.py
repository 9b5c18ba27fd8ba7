"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 in a thread, as a system that
ships goods would run one. It checks every request's signature against the test's clock,
records what arrived, and dedupes by event id the way the README tells receivers to.

Scripted failures: `stop()` takes it off the network (connection refused) until `start()`
brings it back on the same port; `answer` is the status it replies with; `lose_answers`
makes the next requests be processed but their answer lost (a 500 after recording), which
the sender must treat as not delivered — the receiver then sees them twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

SECRET = "test-webhook-secret-0123456789"


class Receiver:
    def __init__(self, clock: Callable[[], datetime], secret: str = SECRET) -> None:
        self.clock = clock
        self.secret = secret
        self.answer = 204
        self.lose_answers = 0
        self.fail_customers: set[int] = set()  # events of these customers get a 500
        self.arrived: list[dict[str, Any]] = []  # every verified request, duplicates included
        self.bad_signatures = 0
        self._seen: set[str] = set()
        self.events: list[dict[str, Any]] = []  # deduped by id, in arrival order
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/riskbot"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.receive(dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Receiver:
        self.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        timestamp = headers.get("X-Riskbot-Request-Timestamp", "0")
        expected = "v0=" + hmac.new(self.secret.encode(), b"v0:" + timestamp.encode() + b":" + body,
                                    hashlib.sha256).hexdigest()
        fresh = abs(self.clock().timestamp() - int(timestamp)) <= 300
        with self._lock:
            if not fresh or not hmac.compare_digest(expected, headers.get("X-Riskbot-Signature", "")):
                self.bad_signatures += 1
                return 401
            event = json.loads(body)
            assert headers["X-Riskbot-Event-Id"] == event["id"]
            if event.get("customer", {}).get("id") in self.fail_customers:
                return 500
            if self.answer >= 300:
                return self.answer
            self.arrived.append(event)
            if event["id"] not in self._seen:
                self._seen.add(event["id"])
                self.events.append(event)
            if self.lose_answers:
                self.lose_answers -= 1
                return 500
            return self.answer
