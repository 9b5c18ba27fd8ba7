"""`riskbot score`: assess customers, store the results and carry out SPEC §8 grade changes.

Customers are taken 1,000 at a time, each batch in its own transaction (memory stays flat, a
crash loses one batch). A batch locks its customer rows (PostgreSQL `FOR UPDATE`, after
waiting for a running import to commit; SQLite takes the write lock at BEGIN), so two
rescoring processes take turns per customer and an import is never half-way through. All
writes are bulk SQL. What another writer can still do meanwhile — a director deciding a
pending request, someone proposing a grade — is caught by conditional updates and the
one-pending-request-per-customer index; such a customer is re-read and decided again.

Never reads the clock: `now` is passed in. An unchanged result (same score, grade, coverage
and profile, values not touched since) adds no assessment row and moves nothing, so a
weekly `--all` neither bloats the history nor re-raises a request a director rejected.
Rows are read as the driver gives them and compared as stored; only a customer whose
result changed is converted, looked up for pending requests and decided. A customer never
graded (`rescore_rows.never_graded`) with nothing pending is given its first grade the way the import
gives it (`ledger.first_grades`), without the general path's staging.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ledger import rescore_rows as layout
from ledger import stored
from ledger.ahead import Ahead, can_fork_alone
from ledger.first_grades import FirstGrades
from ledger.grade_report import RescoreReport
from ledger.graded import graded, packed
from ledger.rescore_batch import Batch
from scoring.assessment import assess
from scoring.cadence import Workdays
from scoring.profiles import ProfileChooser, ProfileSet
from storage.models import Customer
from storage.uow import Database

BATCH_SIZE = 1000
AHEAD_FROM = 20_000  # customers to assess: from this many a second process assesses ahead (SQLite)

_C = Customer.__table__


def rescore(
    db: Database,
    profiles: ProfileSet,
    workdays: Workdays,
    now: datetime,
    *,
    tz: tzinfo = ZoneInfo("Asia/Shanghai"),
    everyone: bool = False,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    ahead_from: int | None = None,
    announce: bool = True,
) -> RescoreReport:
    """Assess every customer flagged `needs_rescore` (all of them with `everyone`).

    `dry_run` decides as usual but writes nothing: the report says what would change. From
    `ahead_from` (default `AHEAD_FROM`) customers on, a SQLite file's customers are assessed
    ahead in a second process (`ledger.ahead`). `announce`: write the webhook events of the
    changes applied (False where no webhook is configured: nobody would read them).
    """
    report = RescoreReport(dry_run=dry_run)
    context = layout.RunContext(profiles, workdays, now, tz, now.astimezone(tz).date(), dry_run, report, layout.Converters(),
                       ProfileChooser(profiles), FirstGrades(now, tz, workdays, report, announce=announce),
                       announce=announce)
    large = _worth_assessing_ahead(db, everyone, AHEAD_FROM if ahead_from is None else ahead_from)
    ahead = _start_ahead(db, context, everyone, batch_size) if large else None
    return _rescore(db, context, everyone, batch_size, ahead)


def _rescore(db: Database, context: layout.RunContext, everyone: bool, batch_size: int, ahead: Ahead | None) -> RescoreReport:
    try:
        last_id = 0
        while True:
            with db.uow() as uow:
                page = select(_C.c.id).where(_C.c.id > last_id).order_by(_C.c.id).limit(batch_size)
                if not everyone:
                    page = page.where(_C.c.needs_rescore)
                # The page's last id only: the batch reads the range up to it.
                last = uow.session.scalar(select(func.max(page.subquery().c.id)))
                if last is None:
                    break
                Batch(context, uow, last_id, last, everyone, ahead.prepared(last) if ahead else {}).run()
                if not context.dry_run:
                    uow.commit()
            last_id = last
    finally:
        if ahead is not None:
            ahead.close()
    return context.report


def _worth_assessing_ahead(db: Database, everyone: bool, threshold: int) -> bool:
    """A SQLite file, a process that may fork, and at least `threshold` customers to assess."""
    url = db.engine.url
    if not can_fork_alone() or url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    with db.uow() as uow:
        count = select(func.count()).select_from(_C)
        return uow.session.scalar(count if everyone else count.where(_C.c.needs_rescore)) >= threshold


def _start_ahead(db: Database, c: layout.RunContext, everyone: bool, batch_size: int) -> Ahead:
    url = db.engine.url
    assert url.database is not None  # see _worth_assessing_ahead
    columns = ", ".join(f'"{name}"' for name in layout.READ)
    sql = (f"SELECT {columns} FROM {_C.name} WHERE id > ?{'' if everyone else ' AND needs_rescore'} "
           "ORDER BY id LIMIT ?")

    def prepare(raw: tuple[Any, ...], description: Any) -> tuple[int, int, layout.AheadResult | None]:
        """(id, hash of the row, what was worked out, or None when the stored result stands)."""
        if not c.convert.ready:
            c.convert.prepare(db.engine.dialect, description)
        result = assess(c.profile_for(raw[layout.PROFILE], raw[layout.INDUSTRY]), stored.decode_raw(raw[layout.VALUES]))
        if not raw[layout.NEEDS_RESCORE] and c.convert.same_result(raw, result):
            return raw[layout.ID], hash(raw), None
        done = graded(result)
        return raw[layout.ID], hash(raw), (packed(done), c.first.columns(done) if layout.never_graded(raw) else None)

    return Ahead(url.database, sql, batch_size, prepare)
