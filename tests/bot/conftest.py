"""A real Bolt app over a real database, talking to a loopback fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from slack_bolt import App, BoltResponse

from bot.app import build_app
from bot.config import Config
from bot.services import Services, build_services
from bot.slack_client import make_web_client
from storage.uow import Database
from tests.bot.ledger import utc
from tests.slackkit.fake_api import FakeSlackApi
from tests.slackkit.signing import SIGNING_SECRET, SignedRequest, to_bolt_request

DIRECTOR = "U0DIRECTOR"
OFFICER = "U0RISK"


@dataclass
class Clock:
    """A controlled clock: tests move it, nothing sleeps."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(utc(2026, 11, 23, 2, 0))  # Monday 10:00 in Shanghai


@pytest.fixture
def config() -> Config:
    return Config(
        approvals_channel="C0APPROVALS",
        alerts_channel="C0ALERTS",
        finance_channel="C0FINANCE",
        risk_directors=frozenset({DIRECTOR}),
        risk_officers=frozenset({OFFICER}),
    )


@pytest.fixture
def services(db: Database, config: Config, clock: Clock) -> Services:
    return build_services(config, db, clock)


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def bolt(services: Services, slack: FakeSlackApi) -> App:
    """The app as served, except that listeners finish before dispatch returns."""
    client = make_web_client("xoxb-test", slack.url)
    return build_app(services, client=client, signing_secret=SIGNING_SECRET, process_before_response=True)


@pytest.fixture
def send(bolt: App):
    def dispatch(request: SignedRequest) -> BoltResponse:
        return bolt.dispatch(to_bolt_request(*request))

    return dispatch
