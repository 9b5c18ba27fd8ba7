"""The plain paths the engine's two tricks replace, swapped in by `--without` to measure what
each trick gives (bench/README.md):

- `bulk`: ledger.bulk's driver-level inserts and updates replaced by SQLAlchemy Core
  executemany (`session.execute(insert(table), rows)`, insertmanyvalues for RETURNING);
- `xlsx-patterns`: spreadsheets.xlsx_stream reading every row with its XML parser
  (ElementTree) instead of the row and cell patterns;
- `raw-reads`: rescoring reading its customers with SQLAlchemy's result processing of every
  column instead of converting only the rows that changed (ledger.rescore_rows.Converters).
  The process assessing ahead hashes raw rows, so this one runs with `--without-ahead`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, Text, bindparam, insert, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

TRICKS = ("collector", "bulk", "xlsx-patterns", "raw-reads")


def _insert(session: Session, table: Table, columns: Sequence[str], constants: Mapping[str, Any],
            json_text: Collection[str], on_conflict: str = "") -> Any:
    names = [*columns, *constants]
    if on_conflict:  # the engine's one conflict clause: one pending request per customer
        dialect_insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
        statement = dialect_insert(table).on_conflict_do_nothing(
            index_elements=["customer_id"], index_where=text("status = 'pending'"))
    else:
        statement = insert(table)
    # JSON columns arrive serialised already: bound as text, stored as is.
    return statement.values({name: bindparam(name, type_=Text() if name in json_text else table.c[name].type)
                             for name in names})


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                constants: Mapping[str, Any] | None = None, *, json_text: Collection[str] = ()) -> None:
    constants = dict(constants or {})
    params = [{**dict(zip(columns, row)), **constants} for row in rows]
    if params:
        session.execute(_insert(session, table, columns, constants, json_text), params)


def insert_returning(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                     constants: Mapping[str, Any] | None, returning: Sequence[str], *, on_conflict: str = "",
                     json_text: Collection[str] = ()) -> list[tuple[Any, ...]]:
    constants = dict(constants or {})
    params = [{**dict(zip(columns, row)), **constants} for row in rows]
    if not params:
        return []
    statement = _insert(session, table, columns, constants, json_text, on_conflict)
    statement = statement.returning(*(table.c[name] for name in returning))
    return [tuple(row) for row in session.execute(statement, params)]


def update_many(session: Session, table: Table, key: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                constants: Mapping[str, Any] | None = None) -> None:
    constants = dict(constants or {})
    params = [{**{f"v_{name}": value for name, value in zip(columns, row)},
               **{f"v_{name}": value for name, value in constants.items()}, "v__key": row[-1]} for row in rows]
    if params:
        names = [*columns, *constants]
        statement = (update(table).where(table.c[key] == bindparam("v__key"))
                     .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}))
        session.execute(statement, params)


def use_plain(tricks: Iterable[str]) -> None:
    """Replace each named trick by its plain path in this process."""
    tricks = set(tricks)
    if "collector" in tricks:
        from contextlib import nullcontext

        from ledger import importing

        importing.batch_collection = nullcontext
    if "bulk" in tricks:
        from ledger import first_grades, importing, rescore_batch

        for module in (first_grades, importing, rescore_batch):
            for name, plain in (("insert_many", insert_many), ("insert_returning", insert_returning),
                                ("update_many", update_many)):
                if hasattr(module, name):
                    setattr(module, name, plain)
    if "xlsx-patterns" in tricks:
        from spreadsheets import xlsx_stream

        xlsx_stream._RowReader.rows = lambda self, namespaces, chunk: self._parsed(namespaces, chunk)
    if "raw-reads" in tricks:
        from ledger import rescore_rows
        from storage.models import Customer

        rescore_rows.READ_COLUMNS = tuple(Customer.__table__.c[name] for name in rescore_rows.READ)

        def prepare(self: rescore_rows.Converters, dialect: Any, description: Any) -> None:
            self.grade = self.score = self.instant = self.day = lambda value: value  # typed already
            self.ready = True

        rescore_rows.Converters.prepare = prepare  # type: ignore[method-assign]
