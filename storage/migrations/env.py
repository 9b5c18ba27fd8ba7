"""Alembic environment: runs on the connection storage.migrate hands over.

Run from the command line (`alembic -c storage/alembic.ini …`) it opens DATABASE_URL instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.migrate import migration_options
from storage.models import Base


def run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=Base.metadata, **migration_options(connection)
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) mode is not supported: run against a database")

given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from storage.db import make_engine
    from storage.migrate import migration_connection

    with migration_connection(make_engine(None)) as connection:
        run(connection)
