"""Opening the database: where it lives, how SQLite is tuned, what a bad URL says."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine, open_database
from storage.errors import DatabaseConfigError, DatabaseUnavailable
from storage.migrate import current_revision, head_revision


def test_without_a_url_the_database_is_riskbot_db_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    engine = open_database()
    engine.dispose()
    assert (tmp_path / "riskbot.db").exists()


def test_database_url_from_the_environment_wins_over_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "elsewhere.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{target}")
    monkeypatch.chdir(tmp_path)
    engine = make_engine(None)
    assert engine.url.database == str(target)
    engine.dispose()


def test_opening_a_database_applies_the_migrations(database_url: str) -> None:
    engine = open_database(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        with engine.connect() as connection:
            assert _pragma(connection, "journal_mode") == "wal"
            assert _pragma(connection, "busy_timeout") == 30_000
            assert _pragma(connection, "foreign_keys") == 1
    finally:
        engine.dispose()


def test_sqlite_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT 1"))
        assert statements[0] == "BEGIN IMMEDIATE"
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced_after_migrating(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("INSERT INTO customer_aliases (customer_id, alias) VALUES (9999, 'ghost')")
        )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/riskbot", "unsupported database 'mysql'"),
        ("sqlite://", "in-memory SQLite database is not supported"),
        ("sqlite:///:memory:", "in-memory SQLite database is not supported"),
        ("not a url", "cannot parse the database URL"),
    ],
)
def test_an_unusable_database_url_gets_a_clear_message(url: str, expected: str) -> None:
    with pytest.raises(DatabaseConfigError, match=expected):
        make_engine(url)


def test_a_database_that_cannot_be_opened_gets_a_clear_message(tmp_path: Path) -> None:
    missing_folder = tmp_path / "no" / "such" / "folder"
    with pytest.raises(DatabaseUnavailable, match="cannot open the database .*riskbot.db"):
        open_database(f"sqlite:///{missing_folder / 'riskbot.db'}")


def test_an_unreachable_server_is_named_without_its_password() -> None:
    url = "postgresql+psycopg://riskbot:s3cret@127.0.0.1:1/riskbot?connect_timeout=2"
    with pytest.raises(DatabaseUnavailable) as refused:
        open_database(url)
    assert "127.0.0.1:1/riskbot" in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_plain_postgresql_urls_use_the_psycopg_driver() -> None:
    engine = make_engine("postgres://someone@db.example/riskbot")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def _pragma(connection: Connection, name: str) -> object:
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()
