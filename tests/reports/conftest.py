"""What the monthly post's tests share: a settable clock, the loopback Slack and the fixture ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from slack_sdk import WebClient

from bot.slack_client import make_web_client
from storage.uow import Database
from tests.reports.ledger import Ids, at, build
from tests.slackkit.fake_api import FakeSlackApi


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlackApi) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


@pytest.fixture
def clock() -> Clock:
    return Clock(at(12, 1))  # Tuesday 1 December 2026, 10:00 in Shanghai


@pytest.fixture
def ids(db: Database) -> Ids:
    return build(db)
