"""Shared pytest fixtures. Each area appends its own section below."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage.db import make_engine, open_database
from storage.uow import Database

# --- storage: databases -------------------------------------------------------------------
# Every database test runs on SQLite (a temporary file) and, when TEST_DATABASE_URL is set,
# on PostgreSQL in a schema of its own that is dropped afterwards.

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

_BACKENDS = [pytest.param("sqlite", id="sqlite")]
if TEST_DATABASE_URL:
    _BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on TEST_DATABASE_URL; unreachable → skip, or fail when CI is set."""
    assert TEST_DATABASE_URL, "postgres_admin is only requested when TEST_DATABASE_URL is set"
    url = make_url(TEST_DATABASE_URL).update_query_dict({"connect_timeout": "5"})
    engine = make_engine(url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        message = f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc.orig}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture(params=_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database with no tables yet: each test gets its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'riskbot.db'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"test_{uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        # A test that leaks an open transaction makes this fail loudly instead of hanging.
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the latest revision."""
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Database:
    """The `Database` the app builds at start-up: `with db.uow() as uow: …`."""
    return Database(engine)
