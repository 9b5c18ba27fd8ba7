"""Two imports at once, or an import and another writer: nothing either writes is lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select, text

from ledger.importing import ImportReport
from storage.models import Alert
from storage.uow import Database
from tests.ledger.helpers import LATER, code, customer, run_import, run_rescore, write_csv

COUNT = 20


def _backend_pids(engine: Engine) -> dict[str, int]:
    """PostgreSQL backend pid of the connection each thread checked out last."""
    pids: dict[str, int] = {}

    @event.listens_for(engine, "checkout")
    def _remember(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        pids[threading.current_thread().name] = dbapi_connection.info.backend_pid

    return pids


def _wait_until_blocked(engine: Engine, pids: dict[str, int], name: str) -> None:
    """Until the thread `name`'s transaction waits for a lock another one holds."""
    deadline = time.monotonic() + 30
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            pid = pids.get(name)
            if pid is not None and connection.scalar(text("SELECT cardinality(pg_blocking_pids(:pid)) > 0"), {"pid": pid}):
                return
            connection.rollback()
            time.sleep(0.01)  # polling a condition, not waiting for time to pass
    raise AssertionError(f"{name} never waited for the import")


def _while_an_import_writes(db: Database, engine: Engine, path: Path, other: Callable[[], Any]) -> tuple[Any, Any]:
    """Import `path` in batches of half the file, stop after the first (written, not
    committed), run `other` in a thread of its own until it waits for the import (on
    PostgreSQL; SQLite's write lock keeps it waiting anyway), then let both finish. Their
    results, or the exception each raised."""
    pids = _backend_pids(engine) if engine.dialect.name == "postgresql" else None
    paused, go_on = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def hold_after_first_batch(phase: str, done: int, total: int | None) -> None:
        if not paused.is_set():
            paused.set()
            assert go_on.wait(60)

    def run(work: Callable[[], Any]) -> None:
        try:
            outcomes[threading.current_thread().name] = work()
        except Exception as exc:  # noqa: BLE001 - the caller asserts on it
            outcomes[threading.current_thread().name] = exc

    importing = threading.Thread(target=run, name="import", args=(lambda: run_import(
        db, path, batch_size=COUNT // 2, progress=hold_after_first_batch),))
    second = threading.Thread(target=run, name="other", args=(other,))
    importing.start()
    assert paused.wait(60)
    second.start()
    if pids is not None:
        _wait_until_blocked(engine, pids, "other")
    go_on.set()
    importing.join(60)
    second.join(60)
    return outcomes["import"], outcomes["other"]


def test_an_import_started_while_another_writes_keeps_what_the_first_wrote(db: Database, engine: Engine, tmp_path: Path) -> None:
    assert run_import(db, write_csv(tmp_path / "seed.csv", [customer(n) for n in range(1, COUNT + 1)])).ok
    # Each file gives an indicator of its own (the other stays as stored) and the same new
    # dishonest-debtor record, an alert line (SPEC §10) that only the first import crosses.
    first = write_csv(tmp_path / "overdue.csv", [customer(n, credit_overdue_count=2, dishonest_debtor_count=1) for n in range(1, COUNT + 1)],
                      headers=("name", "credit_code", "credit_overdue_count", "dishonest_debtor_count"))
    second = write_csv(tmp_path / "returns.csv", [customer(n, return_breach_count=3, dishonest_debtor_count=1) for n in range(1, COUNT + 1)],
                       headers=("name", "credit_code", "return_breach_count", "dishonest_debtor_count"))

    one, two = _while_an_import_writes(db, engine, first, lambda: run_import(db, second, now=LATER))

    assert one.ok and two.ok
    assert (one.updated, two.updated) == (COUNT, COUNT)
    assert (one.alerts, two.alerts) == (COUNT, 0)
    with db.uow() as uow:
        for n in range(1, COUNT + 1):
            values = uow.customers.get_by_code(code(n)).values
            assert (values["credit_overdue_count"], values["return_breach_count"]) == (2, 3), f"customer {n}"
        assert uow.session.scalar(select(func.count()).select_from(Alert)) == COUNT  # each crossing alerts once


def test_a_rescoring_started_while_an_import_writes_waits_for_it_instead_of_deadlocking(
    db: Database, engine: Engine, tmp_path: Path
) -> None:
    rows = [customer(n) for n in range(1, COUNT + 1)]
    assert run_import(db, write_csv(tmp_path / "seed.csv", rows)).ok
    # The same file backwards: the import locks customers 20…11, then 10…1; rescoring locks 1…20.
    backwards = write_csv(tmp_path / "backwards.csv", list(reversed(rows)))

    imported, rescored = _while_an_import_writes(db, engine, backwards, lambda: run_rescore(db, LATER, everyone=True))

    assert isinstance(imported, ImportReport) and imported.ok and imported.unchanged == COUNT, imported
    assert not isinstance(rescored, Exception), rescored
    assert rescored.assessed == COUNT
