"""Leases: a row claimed for a short while, so that of several processes exactly one does the
slow part (a Slack call, made outside any transaction), and a claim left by a process that
died runs out instead of blocking the row for good.

A lease is a timestamp column: free while empty or older than `stale_before`, taken by one
conditional UPDATE that stamps it. Of two processes racing for a row the database lets one
through: PostgreSQL makes the second wait for the first's commit and re-check the row (it is
no longer free), SQLite lets one writer in at a time.

Taken by bot.publish's deliveries (storage.repos.outbox) and by nudge retries
(NudgeBatchRepository.reclaim_many). A first nudge claim and the once-only records of
storage.repos.once are not leases and do not use this: there the claim is the row's
existence (INSERT … ON CONFLICT DO NOTHING, in bulk for nudges), which no other process can
take over however old, and a sent nudge keeps its claim as the record that it went out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, or_, update
from sqlalchemy.orm import Session

from storage.repos._sql import id_pages


def take(
    session: Session,
    lease: Column[Any],
    ids: Iterable[int],
    now: datetime,
    stale_before: datetime,
    *ready: ColumnElement[bool],
    **also: Any,
) -> set[int]:
    """Stamp `lease` with `now` on each of these rows still `ready` whose lease is free (`also`
    is set with it, e.g. a retry count); returns the ids this call took, once committed."""
    table = lease.table
    taken: set[int] = set()
    for page in id_pages(ids):
        taken.update(session.scalars(
            update(table)
            .where(table.c.id.in_(page), *ready, or_(lease.is_(None), lease < stale_before))
            .values({lease.key: now, **also})
            .returning(table.c.id)
        ))
    return taken


def release(session: Session, lease: Column[Any], ids: Iterable[int], **also: Any) -> None:
    """Empty `lease` on these rows (`also` is set with it, e.g. what was delivered): the work is
    done, or failed and is free for the next taker at once rather than when the lease runs out."""
    table = lease.table
    for page in id_pages(ids):
        session.execute(update(table).where(table.c.id.in_(page)).values({lease.key: None, **also}))
