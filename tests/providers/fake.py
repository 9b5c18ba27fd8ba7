"""A loopback fake of the 企查查 and 天眼查 open APIs: a real HTTP server on 127.0.0.1 in a thread.

It checks the auth headers as the providers document them, answers from the records it was
given, counts calls against a balance, and can be told to fail the next calls (a status and
body) or to hold an answer until released (a timeout). Every request is kept for asserting.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

APPKEY, SECRETKEY, TOKEN = "qcc-appkey-0001", "qcc-secret-0001", "tyc-token-0001"


@dataclass
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeProvider:
    kind: str = "qichacha"  # or "tianyancha"
    records: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # (interface, keyword)
    balance: int | None = None  # calls left; None: unlimited
    failures: list[tuple[int, bytes]] = field(default_factory=list)  # the next answers, before anything else
    hold: threading.Event | None = None  # set: answers wait for it (a timeout)
    requests: list[Request] = field(default_factory=list)
    keep_requests: bool = True
    url: str = ""

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, bytes]:
        if self.keep_requests:
            self.requests.append(Request(path, params, headers))
        if self.hold is not None:
            self.hold.wait(5)
        if self.failures:
            return self.failures.pop(0)
        if self.kind == "qichacha":
            return 200, json.dumps(self._qichacha(path, params, headers), ensure_ascii=False).encode()
        return 200, json.dumps(self._tianyancha(path, params, headers), ensure_ascii=False).encode()

    def _spend(self) -> bool:
        if self.balance is None:
            return True
        if self.balance <= 0:
            return False
        self.balance -= 1
        return True

    def _qichacha(self, path: str, params: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
        timespan = headers.get("Timespan", "")
        expected = hashlib.md5((APPKEY + timespan + SECRETKEY).encode()).hexdigest().upper()
        if params.get("key") != APPKEY or headers.get("Token") != expected or not timespan.isdigit():
            return {"Status": "101", "Message": "当前的KEY无效或者还未生效"}
        if not self._spend():
            return {"Status": "112", "Message": "您的账号剩余使用量已不足"}
        found = self.records.get((path.strip("/"), params.get("keyword", "")))
        if not found:
            return {"Status": "201", "Message": "查询无结果"}
        return {"Status": "200", "Message": "【有效请求】查询成功", "Result": {"Data": found}}

    def _tianyancha(self, path: str, params: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
        if headers.get("Authorization") != TOKEN:
            return {"error_code": 300002, "reason": "账号失效", "result": None}
        if not self._spend():
            return {"error_code": 300007, "reason": "剩余次数不足", "result": None}
        interface = path.strip("/").removeprefix("services/open/")
        found = self.records.get((interface, params.get("keyword", "")))
        if not found:
            return {"error_code": 300000, "reason": "无数据", "result": None}
        return {"error_code": 0, "reason": "ok", "result": {"total": len(found), "items": found}}


def _handler(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            status, body = fake.answer(parts.path, params, {k: v for k, v in self.headers.items()})
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the client gave up (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

    return Handler


@contextmanager
def serving(fake: FakeProvider) -> Iterator[FakeProvider]:
    """Serve `fake` on a free loopback port for the block; `fake.url` is its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        if fake.hold is not None:
            fake.hold.set()
        server.shutdown()
        server.server_close()
        thread.join()
