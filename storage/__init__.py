"""Persistence of the ledger: SQLAlchemy models, Alembic migrations, repositories, unit of work.

Knows nothing of Slack; raises storage.errors for known conflicts.
Start-up code calls `open_database()` (engine + migrations) and wraps it in `Database`.
"""
