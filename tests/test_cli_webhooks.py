"""`riskbot webhooks test` against real receivers on 127.0.0.1 — the README's own among them,
so the ten lines users copy stay true — and `riskbot webhooks status`."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot import webhook_send
from bot.cli import app
from ledger import plan_events
from scoring.grades import Grade
from storage.uow import Database
from tests.storage.factories import T0, saved_customer

ROOT = Path(__file__).resolve().parent.parent
SECRET = "readme-receiver-secret-42"


def readme_receiver() -> str:
    """The Python block of the README's webhooks section, without its last line (serve_forever)."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None, "the README's webhooks section has no Python receiver"
    *body, last = code.group(1).rstrip().splitlines()
    assert last.startswith("HTTPServer(") and last.endswith(".serve_forever()")
    return "\n".join(body)


@pytest.fixture
def readme(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """The README receiver serving on a free port; what it printed (each event once)."""
    monkeypatch.setenv("RISKBOT_WEBHOOK_SECRET", SECRET)
    printed: list[tuple[Any, ...]] = []
    namespace: dict[str, Any] = {"print": lambda *args: printed.append(args)}
    exec(compile(readme_receiver(), "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    handler = namespace["Receiver"]
    handler.log_message = lambda *_: None
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/riskbot", printed
    server.shutdown()
    server.server_close()


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={"RISKBOT_CONFIG": None, "RISKBOT_WEBHOOK_SECRET": None, **(env or {})})


def test_the_readme_receiver_accepts_a_signed_ping(readme: tuple[str, list[Any]]) -> None:
    url, printed = readme
    result = run("webhooks", "test", url, "--secret", SECRET)
    assert result.exit_code == 0, result.stderr
    assert f"{url} answered HTTP 204" in result.stdout
    assert printed[0][0] == "ping"


def test_the_readme_receiver_refuses_a_wrong_secret_and_a_replay_and_handles_an_event_once(
    readme: tuple[str, list[Any]],
) -> None:
    url, printed = readme
    wrong = run("webhooks", "test", url, "--secret", "not-the-receivers-secret")
    assert wrong.exit_code == 2
    assert "webhook test failed" in wrong.stderr and "HTTP 401" in wrong.stderr and "secret" in wrong.stderr
    now = datetime.now(UTC)
    replayed = webhook_send.post(url, SECRET, '{"id": "e1", "type": "ping"}', "e1", now - timedelta(minutes=6))
    assert (replayed.ok, replayed.status) == (False, 401)
    for _ in range(2):  # sent twice (an answer lost): handled once
        assert webhook_send.post(url, SECRET, '{"id": "e2", "type": "grade_change"}', "e2", now).ok
    assert [p[0] for p in printed] == ["grade_change"]


def test_an_unreachable_or_silent_receiver_is_named_in_one_line() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    refused = run("webhooks", "test", f"http://127.0.0.1:{port}/hook", "--secret", SECRET)
    assert refused.exit_code == 2 and "unreachable" in refused.stderr and SECRET not in refused.stderr
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        slow = run("webhooks", "test", url, "--secret", SECRET, "--timeout", "0.2")
    assert slow.exit_code == 2 and "no answer within 0.2 s" in slow.stderr


@pytest.mark.parametrize("url", ["https://erp:pa55word@erp.example.com/hook", "https://erp.example.com:80x/hook",
                                 "https://erp.example.com/risk hook"])
def test_a_url_that_cannot_work_is_refused_in_one_line_without_its_password(url: str) -> None:
    result = run("webhooks", "test", url, "--secret", SECRET)
    assert result.exit_code == 2 and result.stderr.startswith("riskbot: URL: ")
    assert "pa55word" not in result.stderr and "Traceback" not in result.output


def test_what_is_shown_of_a_url_drops_its_user_password_and_query() -> None:
    assert webhook_send.shown("https://erp:pw@erp.example.com:8443/hook?token=abc") == "https://erp.example.com:8443/hook?…"
    assert webhook_send.shown("http://10.0.0.7/hook") == "http://10.0.0.7/hook"


def test_a_malformed_url_reaching_the_sender_is_a_failed_answer_not_a_crash() -> None:
    answer = webhook_send.post("http://127.0.0.1:80x/hook", SECRET, "{}", "e1", datetime.now(UTC))
    assert (answer.ok, answer.error) == (False, "invalid URL")


def test_without_a_secret_the_url_must_be_configured(tmp_path: Path) -> None:
    result = run("webhooks", "test", "https://erp.example.com/riskbot")
    assert result.exit_code == 2
    assert "not among webhooks.endpoints in the config: give its secret with --secret" in result.stderr
    assert run("webhooks", "test", "erp.example.com", "--secret", SECRET).exit_code == 2


def test_status_lists_what_each_endpoint_is_owed(database_url: str, db: Database, tmp_path: Path) -> None:
    config = tmp_path / "riskbot.yaml"
    config.write_text(f"webhooks: {{endpoints: [{{url: 'https://erp.example.com/hook', secret: {SECRET}}}]}}\n",
                      encoding="utf-8")
    customer = saved_customer(db, 1)
    with db.uow() as uow:
        who = plan_events.party(uow.customers.get(customer))
        plan_events.grade_changes(uow.session, [(who, plan_events.InForce(1, "approved", Grade.YELLOW, Grade.RED,
                                                                          "U0DIRECTOR", T0))], T0)
        uow.webhooks.fan_out([("https://erp.example.com/hook", ["grade_change"])], T0)
        uow.commit()
    result = run("webhooks", "status", env={"RISKBOT_CONFIG": str(config), "DATABASE_URL": database_url})
    assert result.exit_code == 0, result.stderr
    assert "https://erp.example.com/hook\t1\t0\t2025-03-03 09:30" in result.stdout
