"""Alembic, driven from code: the migrations ship inside the package, no alembic.ini needed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, MetaData, text

from storage.errors import UnknownRevision
from storage.models import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Alembic runs env.py through a module-global proxy (alembic.context): one command at a time
# per process. Other processes are kept in turn by the database lock in migration_connection.
_ALEMBIC_IN_USE = threading.Lock()

# Any constant works: it only has to be the same for every process that migrates.
_PG_MIGRATION_LOCK = 0x7269736B  # "risk"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`; safe when several processes or threads start at once.
    A database at a revision these migrations do not hold raises `UnknownRevision`."""
    with _ALEMBIC_IN_USE, migration_connection(engine) as connection:
        config = alembic_config(connection)
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None:
            try:
                ScriptDirectory.from_config(config).get_revision(current)
            except CommandError:
                raise UnknownRevision(current) from None
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with _ALEMBIC_IN_USE, migration_connection(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def drift(engine: Engine, metadata: MetaData = Base.metadata) -> list[Any]:
    """Differences between the models and the database schema; empty when they agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=migration_options(connection))
        return list(compare_metadata(context, metadata))


def migration_options(connection: Connection) -> dict[str, Any]:
    """Options shared by env.py and the drift check, so both compare the same way."""
    return {"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"}


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction around the whole migration, serialised across processes.

    SQLite: foreign keys are switched off meanwhile (a batch table rebuild drops and recreates
    tables, which would otherwise cascade-delete child rows) and checked before committing.
    PostgreSQL: a transaction-scoped advisory lock makes concurrent upgrades take turns.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # PRAGMA foreign_keys is ignored inside a transaction: set it before BEGIN
            _raw_sqlite(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if not sqlite:
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                    )
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"migration left rows pointing at missing parents: {broken[:5]}"
                        )
        finally:
            if sqlite:
                _raw_sqlite(connection, "PRAGMA foreign_keys=ON")


def _raw_sqlite(connection: Connection, statement: str) -> None:
    """Run on the driver connection directly, so SQLAlchemy does not BEGIN first."""
    connection.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
