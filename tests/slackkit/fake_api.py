"""A loopback fake of the Slack Web API, so end-to-end tests see exactly what the bot sent.

Point a `WebClient` at `fake.url` (it ends in `/api/`) and every call the client makes is
recorded with its arguments and answered with a plausible `ok: true` body. Slash commands'
`response_url` can point at `fake.response_url()`; what Bolt's `respond()` posts there is
recorded under the method name `"response_url"`. File uploads (`files_upload_v2`) go through
files.getUploadURLExternal, a POST of the bytes to the URL it answered (recorded under
`"upload"` with `file_id` and the raw `content`) and files.completeUploadExternal.

Failures are scripted per method: `fail_next(method, error=...)` for an `ok: false` answer,
`fail_next(method, status=429, retry_after=0)` for a rate limit, `reset_next(method)` for a
dropped connection. slack_sdk's rate-limit handler sleeps `Retry-After` plus up to one random
second, so tests of 429 use `retry_after=0` (or 1) and accept that short wait.

Use it as a context manager (`with FakeSlackApi() as fake:`) or through the `fake_slack`
fixture (`pytest_plugins = ["tests.slackkit.fake_api"]` in a test module or the root conftest).
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

RESPONSE_URL_METHOD = "response_url"
"""The method name under which posts to a response_url are recorded."""

UPLOAD_METHOD = "upload"
"""The method name under which file contents posted to an upload URL are recorded."""

JSON_STRING_FIELDS = frozenset({"blocks", "attachments", "view", "metadata", "files"})
"""Arguments slack_sdk may send as JSON text inside a form body; recorded decoded."""

Answer = dict[str, Any]


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received: the Web API method, its decoded arguments and the token."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    reset: bool
    remaining: int
    channel: str | None = None  # only calls posting to this channel fail


@dataclass
class _User:
    id: str
    team_id: str
    name: str
    real_name: str
    email: str | None
    tz: str
    locale: str

    def as_answer(self) -> Answer:
        profile: Answer = {"real_name": self.real_name, "display_name": self.name}
        if self.email is not None:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": False,
            "is_bot": False,
            "tz": self.tz,
            "locale": self.locale,
            "profile": profile,
        }


@dataclass
class _State:
    calls: list[RecordedCall] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    canned: dict[str, Answer] = field(default_factory=dict)
    users: dict[str, _User] = field(default_factory=dict)
    dm_channels: dict[str, str] = field(default_factory=dict)


class FakeSlackApi:
    """A Slack Web API on 127.0.0.1 (random port) that records calls and answers like Slack."""

    def __init__(
        self,
        *,
        team_id: str = "T0FAKE",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        users_by_email: dict[str, str] | None = None,
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self._lock = threading.Lock()
        self._recorded = threading.Condition(self._lock)
        self._state = _State()
        self._ts = itertools.count(1)
        self._view_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._holds: dict[str, threading.Event] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.info": self._users_info,
            "views.open": self._views_answer,
            "views.publish": self._views_answer,
            "views.update": self._views_answer,
            "reactions.add": self._reactions_add,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }
        for email, user_id in (users_by_email or {}).items():
            self.add_user(user_id, email=email)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlackApi:
        """Listen on a free loopback port in a background thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:<port>` of the running fake."""
        if self._server is None:
            raise RuntimeError("FakeSlackApi is not running: use it as a context manager or call start().")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The Web API base URL to give `WebClient(base_url=...)`, ending in `/api/`."""
        return f"{self.origin}/api/"

    def response_url(self, name: str = "default") -> str:
        """A response_url whose posts are recorded as calls of `"response_url"`."""
        return f"{self.origin}/response/{name}"

    # -- inspection ------------------------------------------------------------------------

    @property
    def records(self) -> list[RecordedCall]:
        """Every request received so far, oldest first, failed ones included."""
        with self._lock:
            return list(self._state.calls)

    def calls(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call of `method` (e.g. "chat.postMessage"), oldest first."""
        return [call.args for call in self.records if call.method == method]

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until `count` calls of `method` arrived (lazy listeners answer from other threads)."""

        def arrived() -> list[dict[str, Any]]:
            return [call.args for call in self._state.calls if call.method == method]

        with self._recorded:
            if not self._recorded.wait_for(lambda: len(arrived()) >= count, timeout=timeout):
                raise AssertionError(
                    f"expected {count} call(s) of {method} within {timeout}s, got {len(arrived())}"
                )
            return arrived()

    def clear(self) -> None:
        """Forget recorded calls and pending failures; users and canned answers stay."""
        with self._lock:
            self._state.calls.clear()
            self._state.failures.clear()

    # -- scripting -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        channel: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail (only those to `channel`, if given).

        `status=200` answers `{"ok": false, "error": error}` like Slack does for API errors;
        `status=429` answers a rate limit with a `Retry-After` header (default 0 seconds).
        """
        if status == 429:
            error = error or "ratelimited"
            retry_after = 0 if retry_after is None else retry_after
        if error is None:
            raise ValueError("fail_next needs error=... (e.g. 'channel_not_found') unless status=429.")
        self._push_failure(method, _Failure(status, error, retry_after, reset=False, remaining=times, channel=channel))

    def reset_next(self, method: str, *, times: int = 1) -> None:
        """Make the next `times` calls of `method` end in a connection reset, with no answer."""
        self._push_failure(method, _Failure(0, "", None, reset=True, remaining=times))

    def hold(self, method: str) -> threading.Event:
        """Keep calls of `method` waiting (unanswered, unrecorded) until the returned event is set.

        Lets a test see what the app does while a Slack call is still in flight, e.g. that Bolt
        acknowledged a command before its reply was delivered. Released after 10 s regardless.
        """
        gate = threading.Event()
        with self._lock:
            self._holds[method] = gate
        return gate

    def _gate(self, method: str) -> threading.Event | None:
        with self._lock:
            return self._holds.get(method)

    def set_answer(self, method: str, answer: Answer) -> None:
        """Answer `method` with `answer` from now on (for methods the fake does not simulate)."""
        with self._lock:
            self._state.canned[method] = answer

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "Asia/Shanghai",
        locale: str = "zh-CN",
    ) -> None:
        """Make a user known to users.info and, with an e-mail, to users.lookupByEmail."""
        user = _User(
            id=user_id,
            team_id=self.team_id,
            name=name or user_id.lower(),
            real_name=real_name or name or user_id,
            email=email,
            tz=tz,
            locale=locale,
        )
        with self._lock:
            self._state.users[user_id] = user

    def dm_channel(self, user_id: str) -> str:
        """The D… channel of the bot's DM with `user_id`, as conversations.open returns it."""
        with self._lock:
            known = self._state.dm_channels
            if user_id not in known:
                known[user_id] = f"D{len(known) + 1:08d}"
            return known[user_id]

    # -- request handling (called from the server threads) ----------------------------------

    def _push_failure(self, method: str, failure: _Failure) -> None:
        if failure.remaining < 1:
            raise ValueError(f"times must be at least 1, got {failure.remaining}.")
        with self._lock:
            self._state.failures.setdefault(method, []).append(failure)

    def _record(self, call: RecordedCall) -> _Failure | None:
        """Store the call and take the failure scripted for it, if any."""
        with self._recorded:
            self._state.calls.append(call)
            self._recorded.notify_all()
            pending = self._state.failures.get(call.method) or []
            failure = next((f for f in pending if f.channel in (None, call.args.get("channel"))), None)
            if failure is None:
                return None
            failure.remaining -= 1
            if failure.remaining == 0:
                pending.remove(failure)
            return failure

    def _answer(self, method: str, args: dict[str, Any]) -> Answer:
        with self._lock:
            canned = self._state.canned.get(method)
        if canned is not None:
            return canned
        if method == RESPONSE_URL_METHOD:
            return {"ok": True}
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return handler(args)

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _channel_of(self, args: dict[str, Any]) -> str | None:
        """Slack posts to a user's DM when given a user id; mirror that."""
        channel = args.get("channel")
        if isinstance(channel, str) and channel[:1] in ("U", "W"):
            return self.dm_channel(channel)
        return channel if isinstance(channel, str) and channel else None

    def _message(self, args: dict[str, Any], ts: str) -> Answer:
        message: Answer = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in args:
                message[key] = args[key]
        return message

    def _auth_test(self, args: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "riskbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> Answer:
        channel = self._channel_of(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not any(args.get(key) for key in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        return {"ok": True, "channel": channel, "ts": ts, "message": self._message(args, ts)}

    def _chat_update(self, args: dict[str, Any]) -> Answer:
        channel = self._channel_of(args)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = args.get("ts")
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "message": self._message(args, ts),
        }

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> Answer:
        if self._channel_of(args) is None:
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_get_permalink(self, args: dict[str, Any]) -> Answer:
        channel = self._channel_of(args)
        ts = args.get("message_ts")
        if channel is None or not ts:
            return {"ok": False, "error": "message_not_found"}
        permalink = f"https://fake-workspace.slack.com/archives/{channel}/p{str(ts).replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": permalink}

    def _conversations_open(self, args: dict[str, Any]) -> Answer:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if len(users) != 1:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": self.dm_channel(users[0])}}

    def _users_lookup_by_email(self, args: dict[str, Any]) -> Answer:
        email = str(args.get("email", "")).lower()
        with self._lock:
            found = [u for u in self._state.users.values() if (u.email or "").lower() == email]
        if not found:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": found[0].as_answer()}

    def _users_info(self, args: dict[str, Any]) -> Answer:
        with self._lock:
            user = self._state.users.get(str(args.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.as_answer()}

    def _views_answer(self, args: dict[str, Any]) -> Answer:
        view = args.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = args.get("view_id") or f"V{next(self._view_ids):08d}"
        return {
            "ok": True,
            "view": {**view, "id": view_id, "team_id": self.team_id, "hash": f"{view_id}.hash"},
        }

    def _files_get_upload_url(self, args: dict[str, Any]) -> Answer:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):08d}"
        return {"ok": True, "upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> Answer:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _reactions_add(self, args: dict[str, Any]) -> Answer:
        if not args.get("channel") or not args.get("timestamp") or not args.get("name"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(args)
    for key in JSON_STRING_FIELDS & decoded.keys():
        value = decoded[key]
        if isinstance(value, str):
            try:
                decoded[key] = json.loads(value)
            except ValueError:
                pass
    return decoded


class _Handler(BaseHTTPRequestHandler):
    """Turns one HTTP request into a recorded call and Slack's kind of answer."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        """Keep test output quiet."""

    def do_POST(self) -> None:
        fake: FakeSlackApi = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        if parts.path.startswith("/api/"):
            method = parts.path.removeprefix("/api/")
        elif parts.path.startswith("/response/"):
            method = RESPONSE_URL_METHOD
        elif parts.path.startswith("/upload/"):
            self._upload(fake, parts.path.removeprefix("/upload/"))
            return
        else:
            self._send(404, {"ok": False, "error": "not_found"})
            return
        args, token = self._read_args(parts.query)
        gate = fake._gate(method)
        if gate is not None:
            gate.wait(timeout=10)
        failure = fake._record(RecordedCall(method, args, token))
        if failure is not None and failure.reset:
            self._reset_connection()
            return
        if failure is not None:
            headers = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            self._send(failure.status, {"ok": False, "error": failure.error}, headers)
            return
        if method != RESPONSE_URL_METHOD and not token:
            self._send(200, {"ok": False, "error": "not_authed"})
            return
        self._send(200, fake._answer(method, args))

    def _upload(self, fake: FakeSlackApi, file_id: str) -> None:
        """The bytes of one file, as Slack's upload URL takes them (answered in plain text)."""
        content = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake._record(RecordedCall(UPLOAD_METHOD, {"file_id": file_id, "content": content}, None))
        payload = f"OK - {len(content)}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _read_args(self, query: str) -> tuple[dict[str, Any], str | None]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        args: dict[str, Any] = dict(parse_qsl(query))
        content_type = self.headers.get("Content-Type", "")
        if raw and "application/json" in content_type:
            body = json.loads(raw)
            if isinstance(body, dict):
                args.update(body)
        elif raw:
            args.update(parse_qsl(raw, keep_blank_values=True))
        token = args.pop("token", None)
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        return _decode_json_fields(args), token

    def _send(self, status: int, body: Answer, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _reset_connection(self) -> None:
        """Close with RST (SO_LINGER 0) before any answer, like a proxy dropping the call."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    """A running FakeSlackApi for one test."""
    with FakeSlackApi() as fake:
        yield fake
