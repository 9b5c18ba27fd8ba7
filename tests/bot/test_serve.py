"""`riskbot serve` as an operator runs it: a real process, its HTTP endpoint, its failures."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.slackkit.fake_api import FakeSlackApi
from tests.slackkit.signing import SIGNING_SECRET, post_signed, slash_command

RISKBOT = [sys.executable, "-c", "from bot.cli import main; main()"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RISKBOT_", "DATABASE_URL"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'riskbot.db'}", **extra})
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RISKBOT, *args], env=env, capture_output=True, text=True, timeout=60)


def test_serve_without_a_bot_token_says_which_variable_and_exits_2(tmp_path):
    done = _run(["serve"], _env(tmp_path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "SLACK_BOT_TOKEN" in done.stderr


def test_serve_with_an_unreadable_config_says_so_and_exits_2(tmp_path):
    env = _env(tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET,
               RISKBOT_CONFIG=str(tmp_path / "missing.yml"))
    done = _run(["serve"], env)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "missing.yml" in done.stderr


def test_serve_with_a_refused_token_says_so_and_exits_2(tmp_path):
    with FakeSlackApi() as slack:
        slack.fail_next("auth.test", error="invalid_auth")
        env = _env(tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.url)
        done = _run(["serve"], env)
    assert done.returncode == 2 and "invalid_auth" in done.stderr


def _wait_for_port(process: subprocess.Popen[str], log: list[str], deadline: float) -> int:
    assert process.stderr is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = process.stderr.readline()
        if not line:
            break
        log.append(line)
        found = re.search(r"listening on http://[\d.]+:(\d+)/slack/events", line)
        if found:
            return int(found[1])
    pytest.fail("riskbot serve did not start:\n" + "".join(log))


def test_serve_answers_signed_requests_over_http_and_refuses_forged_ones(tmp_path):
    with FakeSlackApi() as slack:
        env = _env(tmp_path, SLACK_BOT_TOKEN="xoxb-secret-token-123", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                   SLACK_API_URL=slack.url)
        process = subprocess.Popen([*RISKBOT, "serve", "--port", "0", "--host", "127.0.0.1"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        log: list[str] = []
        try:
            port = _wait_for_port(process, log, time.monotonic() + 30)
            base = f"http://127.0.0.1:{port}"
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as health:
                assert health.status == 200
            status, _ = post_signed(f"{base}/slack/events", *slash_command("帮助", response_url=slack.response_url()))
            assert status == 200
            answer = slack.wait_for_calls("response_url")[-1]
            assert answer["response_type"] == "ephemeral" and "调级" in str(answer["blocks"])
            forged, _ = post_signed(f"{base}/slack/events", *slash_command("帮助", forged=True))
            assert forged == 401
        finally:
            process.terminate()
            _, rest = process.communicate(timeout=30)
            log.append(rest)
    assert "xoxb-secret-token-123" not in "".join(log)
