"""One desk per journey: the team's config file, riskbot served over HTTP, a fake Slack
workspace that knows the example ledger's people, and a clock that starts on a Monday morning."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.config import load_config
from bot.server import EVENTS_PATH, make_http_server
from bot.services import build_services
from bot.slack_client import make_web_client
from storage.uow import Database
from tests.bot.conftest import Clock
from tests.bot.ledger import utc
from tests.journeys.desk import Desk, Workspace
from tests.slackkit.signing import SIGNING_SECRET

APPROVALS, ALERTS, FINANCE = "C0APPROVALS", "C0ALERTS", "C0FINANCE"
DIRECTOR = "U0DIRECTOR"
MANAGER = "U0MANAGER"
FINANCE_CLERK = "U0FINANCE"
# The example ledger's 风控专员 column names one officer by Slack id and one by e-mail;
# this is the Slack account behind the e-mail.
OFFICER_BY_EMAIL = ("risk01@example.com", "U0RISK002")

CONFIG = f"""\
locale: zh
timezone: Asia/Shanghai
channels:
  approvals: {APPROVALS}
  alerts: {ALERTS}
  finance: {FINANCE}
roles:
  risk_director: [{DIRECTOR}]
  risk_officer: [U0RISK001, {OFFICER_BY_EMAIL[1]}]
  finance: [{FINANCE_CLERK}]
  manager: [{MANAGER}]
nudges:
  time: "09:30"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "riskbot.yml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def desk(db: Database, database_url: str, config_file: Path, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Iterator[Desk]:
    """riskbot as `riskbot serve` runs it in HTTP mode, except that listeners finish before
    the HTTP answer (so a test reads what was sent without waiting), on Monday 2026-11-23
    10:00 in Shanghai."""
    monkeypatch.delenv("RISKBOT_CONFIG", raising=False)
    config = load_config(config_file)
    clock = Clock(utc(2026, 11, 23, 2, 0))
    services = build_services(config, db, clock)
    with Workspace() as slack:
        slack.add_user(OFFICER_BY_EMAIL[1], email=OFFICER_BY_EMAIL[0], name="risk01")
        client = make_web_client("xoxb-journey", slack.url)
        bolt = build_app(services, client=client, signing_secret=SIGNING_SECRET, process_before_response=True)
        server = make_http_server(bolt, "127.0.0.1", 0)
        serving = threading.Thread(target=server.serve_forever, name="riskbot-http", daemon=True)
        serving.start()
        try:
            caplog.set_level(logging.WARNING)
            yield Desk(
                services, clock, slack, client, f"http://127.0.0.1:{server.server_port}{EVENTS_PATH}",
                cli_env={"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(config_file)},
                workdir=tmp_path,
            )
            failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
            assert not failures, "riskbot logged errors: " + "; ".join(r.getMessage() for r in failures)
        finally:
            server.shutdown()
            server.server_close()
            serving.join(timeout=5)
