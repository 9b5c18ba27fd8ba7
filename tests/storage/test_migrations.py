"""The packaged Alembic migrations build exactly what the models describe, up and down."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Barrier as SyncBarrier
from threading import Barrier

import pytest
from sqlalchemy import CheckConstraint, Column, Engine, Integer, MetaData, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from scoring.grades import Grade
from storage.db import make_engine, open_database
from storage.migrate import current_revision, downgrade, drift, head_revision, upgrade
from storage.models import Base, ChangeStatus, Customer, GradeChange
from storage.uow import Database
from tests.storage.factories import saved_customer, saved_pending_change


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    assert drift(engine) == []
    assert _tables(engine) == set(Base.metadata.tables)


def test_drift_check_notices_a_model_change_without_a_migration(engine: Engine) -> None:
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["customers"].append_column(Column("credit_limit", Integer))
    differences = drift(engine, changed)
    assert [(d[0], d[3].name) for d in differences] == [("add_column", "credit_limit")]


def test_downgrade_to_base_then_upgrade_again_gives_the_same_schema(engine: Engine) -> None:
    downgrade(engine, "base")
    assert _tables(engine) == set()
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert drift(engine) == []


def test_upgrading_an_up_to_date_database_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert drift(engine) == []


def test_upgrade_from_an_empty_database(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert _tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()


def test_threads_starting_at_once_on_an_empty_database_all_migrate_it(database_url: str) -> None:
    barrier = Barrier(3, timeout=30)

    def start() -> str | None:
        engine = make_engine(database_url)
        try:
            barrier.wait()
            upgrade(engine)
            return current_revision(engine)
        finally:
            engine.dispose()

    with ThreadPoolExecutor(3) as pool:
        revisions = [f.result() for f in [pool.submit(start) for _ in range(3)]]
    assert revisions == [head_revision()] * 3


def test_separate_processes_starting_at_once_all_migrate_the_database(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2, timeout=60)
    results = context.SimpleQueue()
    processes = [
        context.Process(target=_start_process, args=(database_url, barrier, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]
    assert sorted([results.get(), results.get()]) == [head_revision()] * 2


def _start_process(database_url: str, barrier: SyncBarrier, results: SimpleQueue) -> None:
    """What `riskbot serve` and a cron `riskbot nudge` do first: open (and migrate) the DB."""
    barrier.wait()
    engine = open_database(database_url)
    try:
        results.put(current_revision(engine))
    finally:
        engine.dispose()


def test_migrated_check_constraints_say_what_the_models_say(engine: Engine) -> None:
    """The drift check does not compare CHECK constraints: compare them here, by name and text
    on SQLite (PostgreSQL rewrites the text it stores, so there only the names)."""
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        modelled = {c.name: str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)}
        migrated = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
        if engine.dialect.name == "sqlite":
            assert migrated == modelled, table.name
        else:
            assert set(migrated) == set(modelled), table.name


def test_rebuilding_tables_for_the_new_checks_keeps_every_row_and_still_refuses_bad_values(engine: Engine) -> None:
    downgrade(engine, "0006")
    db = Database(engine)
    first = saved_customer(db, 1, effective_grade=Grade.RED)
    second = saved_customer(db, 2)
    pending = saved_pending_change(db, first)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with db.uow() as uow:
        assert uow.session.get(Customer, first).effective_grade is Grade.RED
        assert uow.session.get(Customer, second).name == "测试客户2有限公司"
        assert uow.session.get(GradeChange, pending).status == ChangeStatus.PENDING
    with db.uow() as uow, pytest.raises(IntegrityError, match="ck_grade_changes_to_grade|CHECK"):
        uow.session.execute(text("UPDATE grade_changes SET to_grade = 'green' WHERE id = :id"), {"id": pending})
    with db.uow() as uow, pytest.raises(IntegrityError, match="ck_customers_held_grade|CHECK"):
        uow.session.execute(text("UPDATE customers SET held_grade = 'purple' WHERE id = :id"), {"id": second})


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log",
    "DELETE FROM audit_log WHERE id = :id",
])
def test_the_database_itself_refuses_to_change_or_delete_an_audit_entry(engine: Engine, statement: str) -> None:
    db = Database(engine)
    with db.uow() as uow:
        entry = uow.audit.append(datetime(2025, 3, 3, tzinfo=UTC), "U0RISK001", "grade_change.approved", None, {"id": 1})
        uow.commit()
        entry_id = entry.id

    with db.uow() as uow, pytest.raises(DBAPIError, match="audit_log is append-only"):
        uow.session.execute(text(statement), {"id": entry_id})
    if engine.dialect.name == "postgresql":  # SQLite has no TRUNCATE
        with db.uow() as uow, pytest.raises(DBAPIError, match="audit_log is append-only"):
            uow.session.execute(text("TRUNCATE audit_log"))

    with db.uow() as uow:
        assert [(e.actor, e.action) for e in uow.audit.query()] == [("U0RISK001", "grade_change.approved")]
        uow.audit.append(datetime(2025, 3, 4, tzinfo=UTC), "U0RISK001", "grade_change.rejected", None, {})
        uow.commit()  # appending still works
    with db.uow() as uow:
        assert len(uow.audit.query()) == 2

