"""Claiming nudges by the thousand: the bulk path of the daily nudge run over `nudges`.

A run claims every (kind, owner, customer, due date) that is due; one round trip per key
would take seconds for 10,000 customers. Here the keys go out as multi-row
INSERT … ON CONFLICT DO NOTHING … RETURNING statements (SQLAlchemy pages them), and what comes
back is exactly what this caller won: of two racing runs each key is won by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ARRAY, Date, Integer, String, bindparam, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from storage.models import Customer, Nudge
from storage.repos import leases
from storage.repos._sql import id_pages
from storage.types import UTCDateTime

_N = Nudge.__table__
_C = Customer.__table__
_KEY_COLUMNS = (_N.c.id, _N.c.kind, _N.c.owner, _N.c.customer_id, _N.c.due_date)


class ClaimKey(NamedTuple):
    """What is sent once: this kind of message, to this owner, about this customer's due date."""

    kind: str
    owner: str
    customer_id: int
    due_date: date


class Claim(NamedTuple):
    id: int
    key: ClaimKey


class NudgeBatchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim_many(self, keys: Iterable[ClaimKey], now: datetime) -> list[Claim]:
        """Insert a claim for each key not claimed before; returns the ones this call inserted.

        Keys are inserted in sorted order so two runs racing on the same keys lock them in the
        same order (PostgreSQL would otherwise be free to deadlock them).
        """
        ordered = sorted(set(keys))
        if not ordered:
            return []
        if self.session.get_bind().dialect.name == "postgresql":
            result = self.session.execute(_CLAIM_FROM_ARRAYS, {
                "kinds": [k.kind for k in ordered], "owners": [k.owner for k in ordered],
                "customers": [k.customer_id for k in ordered], "dates": [k.due_date for k in ordered], "now": now,
            })
        else:
            stmt = (
                sqlite.insert(_N)
                .on_conflict_do_nothing(index_elements=list(ClaimKey._fields))
                .returning(*_KEY_COLUMNS)
            )
            result = self.session.execute(stmt, [{**k._asdict(), "claimed_at": now, "attempts": 1} for k in ordered])
        return [Claim(row[0], ClaimKey(*row[1:])) for row in result]

    def stale_for_current_dues(self, claimed_before: datetime) -> list[Claim]:
        """Unsent claims last claimed before `claimed_before` whose due date is still the
        customer's next_due: what an earlier run claimed and never got out, and still holds.
        (A claim whose customer has been followed up since is obsolete and left alone.)"""
        rows = self.session.execute(
            select(*_KEY_COLUMNS)
            .join(_C, (_C.c.id == _N.c.customer_id) & (_C.c.next_due == _N.c.due_date))
            .where(_N.c.sent_at.is_(None), _N.c.claimed_at < claimed_before)
        )
        return [Claim(r.id, ClaimKey(r.kind, r.owner, r.customer_id, r.due_date)) for r in rows]

    def sent_or_claimed_since(self, customer_ids: Iterable[int], since: datetime) -> set[ClaimKey]:
        """Keys about these customers already sent, or claimed at `since` or later (in flight)."""
        out: set[ClaimKey] = set()
        for page in id_pages(customer_ids):
            rows = self.session.execute(
                select(_N.c.kind, _N.c.owner, _N.c.customer_id, _N.c.due_date)
                .where(_N.c.customer_id.in_(page), _N.c.sent_at.isnot(None) | (_N.c.claimed_at >= since))
            )
            out.update(ClaimKey(*row) for row in rows)
        return out

    def reclaim_many(self, ids: Iterable[int], now: datetime, claimed_before: datetime) -> set[int]:
        """Take over unsent claims last claimed before `claimed_before`; the ids this call took.

        The claim's `claimed_at` is then a lease (storage.repos.leases): of two runs retrying
        the same abandoned claim only one finds it still stale, so a retry, too, happens once.
        """
        return leases.take(self.session, _N.c.claimed_at, ids, now, claimed_before, _N.c.sent_at.is_(None),
                           attempts=_N.c.attempts + 1)

    def mark_sent_many(self, ids: Iterable[int], at: datetime) -> int:
        """Slack said ok: these claims are done for good. Returns how many were still open."""
        done = 0
        for page in id_pages(ids):
            result = self.session.execute(
                update(_N).where(_N.c.id.in_(page), _N.c.sent_at.is_(None)).values(sent_at=at)
            )
            done += result.rowcount
        return done


# PostgreSQL: the whole batch as four arrays in one statement (a multi-row VALUES of 20,000
# rows costs psycopg more to build than the database to run).
_CLAIM_FROM_ARRAYS = text(
    "INSERT INTO nudges (kind, owner, customer_id, due_date, claimed_at, attempts) "
    "SELECT kind, owner, customer_id, due_date, :now, 1 "
    "FROM unnest(:kinds, :owners, :customers, :dates) AS keys (kind, owner, customer_id, due_date) "
    "ON CONFLICT (kind, owner, customer_id, due_date) DO NOTHING "
    "RETURNING id, kind, owner, customer_id, due_date"
).bindparams(
    bindparam("kinds", type_=ARRAY(String)),
    bindparam("owners", type_=ARRAY(String)),
    bindparam("customers", type_=ARRAY(Integer)),
    bindparam("dates", type_=ARRAY(Date)),
    bindparam("now", type_=UTCDateTime()),
)
