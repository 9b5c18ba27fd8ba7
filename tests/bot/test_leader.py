"""Which replica runs the jobs: one PostgreSQL advisory lock, taken over when the leader's
session dies; on SQLite the one process. Ticked by hand: nothing sleeps."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, text

from bot.leader import LeaderElection
from bot.scheduler import JobScheduler
from bot.services import Services, build_services
from bot.slack_client import make_web_client
from scoring.grades import Grade
from storage.db import make_engine, open_database
from storage.uow import Database
from tests.bot.conftest import Clock
from tests.bot.ledger import add_customer
from tests.conftest import TEST_DATABASE_URL
from tests.slackkit.fake_api import FakeSlackApi



def on_postgresql(test: Callable[..., None]) -> Callable[..., None]:
    """Replicas share one PostgreSQL: run on it (a schema of the test's own) when it is there."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
        pytest.mark.skipif(not TEST_DATABASE_URL, reason="leader election needs TEST_DATABASE_URL (PostgreSQL)"),
    ):
        test = mark(test)
    return test


class Replica:
    """One `riskbot serve` process as far as the jobs go: its own engine, election and log."""

    def __init__(self, url: str, key: int, events: list[str], name: str) -> None:
        self.engine = open_database(url)
        self.events = events
        self.name = name
        self.election = LeaderElection(self.engine, key=key, on_elected=lambda: events.append(f"{name} elected"),
                                       on_lost=lambda: events.append(f"{name} lost"))

    def close(self) -> None:
        self.election.stop()
        self.engine.dispose()


@pytest.fixture
def key() -> int:
    """A lock key of this test's own: tests on other workers compete for theirs."""
    return int.from_bytes(os.urandom(7), "big")


@pytest.fixture
def replicas(database_url: str, key: int) -> Iterator[tuple[Replica, Replica, list[str]]]:
    events: list[str] = []
    a, b = Replica(database_url, key, events, "a"), Replica(database_url, key, events, "b")
    yield a, b, events
    a.close()
    b.close()


def terminate_lock_holder(admin: Engine, key: int) -> None:
    """Kill the backend holding the advisory lock, as a crash or a network cut would, and wait
    (up to 5 s, inside PostgreSQL) until it is gone and its lock released."""
    with admin.connect() as connection:
        pid = connection.execute(
            text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                 "AND classid::bigint = :hi AND objid::bigint = :lo"),
            {"hi": key >> 32, "lo": key & 0xFFFFFFFF},
        ).scalar_one()
        assert connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_the_one_process_is_the_leader(database_url: str) -> None:
    events: list[str] = []
    replica = Replica(database_url, 1, events, "solo")
    assert replica.election.tick() and replica.election.tick()
    replica.close()
    assert events == ["solo elected", "solo lost"]


def test_an_unreachable_database_leaves_a_replica_a_follower_without_an_error() -> None:
    events: list[str] = []
    nowhere = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/riskbot")
    election = LeaderElection(nowhere, key=1, on_elected=lambda: events.append("elected"), on_lost=lambda: None)
    assert not election.tick() and not election.tick()
    election.stop()
    assert events == []


@on_postgresql
def test_only_one_of_two_replicas_is_elected(replicas: tuple[Replica, Replica, list[str]]) -> None:
    a, b, events = replicas
    assert a.election.tick()
    assert not b.election.tick()
    assert a.election.tick() and not b.election.tick()
    assert events == ["a elected"]


@on_postgresql
def test_a_follower_takes_over_when_the_leaders_connection_drops(
    replicas: tuple[Replica, Replica, list[str]], key: int, postgres_admin: Engine
) -> None:
    a, b, events = replicas
    assert a.election.tick() and not b.election.tick()

    terminate_lock_holder(postgres_admin, key)
    assert b.election.tick()  # the lock died with a's session: b takes over
    assert not a.election.tick()  # a notices its session is gone and stops its jobs
    assert not a.election.tick() and b.election.tick()
    assert events == ["a elected", "b elected", "a lost"]


@on_postgresql
def test_a_leader_that_stops_hands_over_at_once(replicas: tuple[Replica, Replica, list[str]]) -> None:
    a, b, events = replicas
    assert a.election.tick() and not b.election.tick()
    a.election.stop()
    assert b.election.tick()
    assert events == ["a elected", "a lost", "b elected"]


@on_postgresql
def test_two_schedulers_against_one_postgresql_through_a_takeover_send_each_nudge_once(
    database_url: str, key: int, services: Services, clock: Clock, slack: FakeSlackApi, postgres_admin: Engine
) -> None:
    customers = [add_customer(services, f"选主客户{n}号有限公司", Grade.YELLOW) for n in range(6)]
    with services.db.uow() as uow:
        for customer in uow.customers.get_many(customers):
            customer.next_due = services.today()
        uow.commit()
    client: WebClient = make_web_client("xoxb-test", slack.url)
    servers = []
    for _ in range(2):
        db = Database(open_database(database_url))
        scheduler = JobScheduler(build_services(services.config, db, clock), client, publish=False)
        election = LeaderElection(db.engine, key=key, on_elected=scheduler.start, on_lost=scheduler.stop)
        servers.append((db, scheduler, election))
    (_, first, first_election), (_, second, second_election) = servers
    try:
        assert first_election.tick() and not second_election.tick()
        assert first.running and not second.running
        terminate_lock_holder(postgres_admin, key)
        assert second_election.tick() and not first_election.tick()
        assert second.running and not first.running  # and its start-up tick found everything claimed
    finally:
        for db, scheduler, election in servers:
            election.stop()
            scheduler.stop(wait=True)
            db.dispose()

    sent = Counter((c["channel"], b["accessory"]["value"]) for c in slack.calls("chat.postMessage")
                   if "需要跟进" in c["text"] for b in c["blocks"] if "accessory" in b)
    assert sorted(sent) == sorted((owner, str(c)) for c in customers for owner in ("U0SALES", "U0RISK"))
    assert set(sent.values()) == {1}
