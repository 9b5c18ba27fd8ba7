"""Bulk inserts and updates straight through the driver.

SQLAlchemy's executemany builds a parameter dict and runs every type processor per row, about
10 µs a row; an import of 100,000 customers appends millions of history rows, where that
overhead dominates. Here each column's bind processor is looked up once (so values are stored
exactly as SQLAlchemy would store them), constant columns are processed once, and the rows go
to the driver as tuples: multi-row statements on SQLite (and for `insert_returning`),
`cursor.executemany` on PostgreSQL. Only for plain rows: no column defaults or onupdate
values (pass them as constants). JSON columns may be given as text serialised by the caller
(`json_text`): SQLite stores it as is and PostgreSQL casts it to JSONB.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

MAX_PARAMETERS = 999  # per statement: SQLite's limit before 3.32


def insert_many(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
    *,
    json_text: Collection[str] = (),
) -> None:
    """INSERT `rows` (values in `columns` order) plus the same `constants` on every row; the
    columns named in `json_text` hold JSON text already serialised."""
    connection = session.connection()
    names, params = _insert_params(connection.dialect, table, columns, rows, constants, json_text)
    if not params:
        return
    mark, quote = _marks(connection.dialect)
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    one = f"({', '.join([mark] * len(names))})"
    if connection.dialect.name != "sqlite":  # psycopg pipelines executemany
        connection.exec_driver_sql(head + one, params)
        return
    # SQLite steps a multi-row statement a third faster than executemany steps one row at a time.
    per_statement = max(1, MAX_PARAMETERS // len(names))
    for start in range(0, len(params), per_statement):
        chunk = params[start:start + per_statement]
        connection.exec_driver_sql(head + ", ".join([one] * len(chunk)), tuple(chain.from_iterable(chunk)))


def insert_returning(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None,
    returning: Sequence[str],
    *,
    on_conflict: str = "",
    json_text: Collection[str] = (),
) -> list[tuple[Any, ...]]:
    """`insert_many` that answers the `returning` columns of the new rows, in no particular
    order: multi-row INSERT … RETURNING statements of at most 999 parameters each (SQLite's
    oldest limit), as executemany cannot return rows. `on_conflict` ("ON CONFLICT … DO
    NOTHING") skips rows, which then return nothing. `json_text` as for `insert_many`."""
    connection = session.connection()
    names, params = _insert_params(connection.dialect, table, columns, rows, constants, json_text)
    mark, quote = _marks(connection.dialect)
    width = len(names)
    per_statement = max(1, MAX_PARAMETERS // width)
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    one = f"({', '.join([mark] * width)})"
    tail = f"{' ' + on_conflict if on_conflict else ''} RETURNING {', '.join(quote(n) for n in returning)}"
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(params), per_statement):
        chunk = params[start:start + per_statement]
        sql = head + ", ".join([one] * len(chunk)) + tail
        result = connection.exec_driver_sql(sql, tuple(chain.from_iterable(chunk)))
        found.extend(result.cursor.fetchall())  # the driver's tuples: no Row object each
        result.close()
    return found


def _insert_params(dialect: Any, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                   constants: Mapping[str, Any] | None, json_text: Collection[str]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and each row's processed values (the constants' appended)."""
    constants = dict(constants or {})
    names = [*columns, *constants]
    fixed = tuple(_processed(table, name, value, dialect) for name, value in constants.items())
    processors = [(i, p) for i, name in enumerate(columns)
                  if name not in json_text and (p := _processor(table, name, dialect))]
    return names, _processed_rows(rows, len(columns), processors, fixed)


def _processed_rows(rows: Iterable[Sequence[Any]], width: int, processors: Sequence[tuple[int, Any]],
                    fixed: tuple[Any, ...], tail: int = 0) -> list[tuple[Any, ...]]:
    """Each row's first `width` values through their column's processor, then the `fixed`
    values, then its `tail` values. Column by column with zip and map: no Python code runs per
    row or value but a processor's on a value it has not seen (they remember), where a loop
    over rows cost some 2 µs a customer row."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return []
    lengths = set(map(len, rows))
    if lengths != {width + tail}:
        raise ValueError(f"each row needs {width + tail} values, got rows of {sorted(lengths)}")
    by_column: list[Iterable[Any]] = list(zip(*rows))
    for i, process in processors:
        by_column[i] = map(process, by_column[i])
    count = len(rows)
    return list(zip(*by_column[:width], *(repeat(value, count) for value in fixed), *by_column[width:]))


def _marks(dialect: Any) -> tuple[str, Any]:
    """The driver's parameter mark and the dialect's identifier quoting."""
    return ("?" if dialect.paramstyle == "qmark" else "%s"), dialect.identifier_preparer.quote


def _processor(table: Table, name: str, dialect: Any) -> Any:
    """The column's bind processor as this dialect runs it (e.g. SQLite's datetime text format).

    Remembered per value for the statement at hand (`typed`: 1, 1.0 and True stay apart): a
    batch repeats its grades, instants and dates, and a TypeDecorator costs a microsecond a
    value. JSON documents are unhashable and processed every time.
    """
    column_type = table.c[name].type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or isinstance(column_type, JSON):
        return process
    return functools.lru_cache(maxsize=None, typed=True)(process)


def result_processor(table: Table, name: str, dialect: Any, coltype: Any, *, cache: int = 4096) -> Any:
    """The column's result processor as SQLAlchemy runs it on this dialect for the type the
    driver reports (`coltype`: the cursor description's type code; None: values come as the
    driver gives them), remembered per value (up to `cache` of them) like `_processor`:
    grades, scores and instants repeat across a ledger. Not for JSON columns (unhashable
    values on PostgreSQL; read them as text or as the driver gives them)."""
    column_type = table.c[name].type
    if isinstance(column_type, JSON):
        raise TypeError(f"{table.name}.{name} is a JSON column")
    process = column_type.dialect_impl(dialect).result_processor(dialect, coltype)
    return None if process is None else functools.lru_cache(maxsize=cache, typed=True)(process)


def _processed(table: Table, name: str, value: Any, dialect: Any) -> Any:
    process = _processor(table, name, dialect)
    return process(value) if process else value


def update_many(
    session: Session,
    table: Table,
    key: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """UPDATE … SET columns (+ constants) WHERE key = ? for each row of (*values, key value)."""
    connection = session.connection()
    dialect = connection.dialect
    constants = dict(constants or {})
    fixed = tuple(_processed(table, name, value, dialect) for name, value in constants.items())
    processors = [(i, p) for i, name in enumerate(columns) if (p := _processor(table, name, dialect))]
    params = _processed_rows(rows, len(columns), processors, fixed, tail=1)
    if not params:
        return
    mark, quote = _marks(dialect)
    sets = ", ".join(f"{quote(name)} = {mark}" for name in (*columns, *constants))
    connection.exec_driver_sql(f"UPDATE {quote(table.name)} SET {sets} WHERE {quote(key)} = {mark}", params)
