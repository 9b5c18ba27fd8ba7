"""HTTP mode: Bolt's WSGI adapter on a threaded stdlib server (POST /slack/events, GET /healthz).

Bolt's own `app.start()` is a development server that handles one request at a time; a
threaded server keeps a slow request from holding up the 3-second acks of the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Access lines go nowhere: request bodies and headers are not for the logs."""


def wsgi_app(app: App) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        return slack(environ, start_response)

    return application


def make_http_server(app: App, host: str, port: int) -> WSGIServer:
    """A server bound to (host, port); port 0 picks a free one (see `server.server_port`)."""
    return make_server(host, port, wsgi_app(app), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
