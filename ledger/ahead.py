"""Pages of a SQLite table read and worked on ahead, in a forked process (Linux).

`rescore` spends about a third of its time assessing customers and turning the results into
the JSON it stores, and the rest writing them. A second process reads the same pages from its
own read-only connection (WAL lets it read while the first writes) and does the first part
for the page after the one being written. Its results are only a head start: each comes with
the hash of the row it was worked out from, and the writing process, which reads every row
again under its lock, uses a result only when its own row hashes the same (a fork keeps the
hash seed); any other row it works out itself. A process that fails or dies costs speed,
never a wrong or missing result.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections import deque
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

PAGE_TIMEOUT = 10.0  # seconds to wait for a page before carrying on without the other process
Prepare = Callable[[tuple[Any, ...], Any], tuple[int, int, Any]]  # (row, cursor description) -> (id, hash, result)


def can_fork() -> bool:
    """A forked process starts at once and shares what is loaded (profiles, compiled rules);
    where fork is not the platform's way (macOS, Windows) the work stays in one process."""
    return sys.platform == "linux"


def can_fork_alone() -> bool:
    """`can_fork`, and this process runs one thread: a fork copies a lock another thread holds
    (SQLite's memory mutex while `riskbot serve`'s threads query) locked for good, and a child
    that opens a database would wait on it forever."""
    return can_fork() and threading.active_count() == 1


class Ahead:
    """Works on the pages that `sql` (parameters: last id, page size; the id first in each row)
    gives, in id order, with `prepare`; `prepared(last)` hands out the results up to id `last`
    as {id: (hash, result)}."""

    def __init__(self, path: str, sql: str, page_size: int, prepare: Prepare) -> None:
        receiving, sending = get_context("fork").Pipe(duplex=False)
        self._process = get_context("fork").Process(
            target=_work, args=(sending, receiving, path, sql, page_size, prepare), daemon=True)
        self._process.start()
        sending.close()
        self._pipe: Connection | None = receiving
        self._pages: deque[tuple[int, dict[int, tuple[int, Any]]]] = deque()
        self._reached = 0  # the last id worked on so far

    def prepared(self, last: int) -> dict[int, tuple[int, Any]]:
        """Results for ids up to `last`; waits for the other process to get that far (or end)."""
        while self._pipe is not None and self._reached < last:
            # The writer holds the ledger while it waits here: never wait long.
            if not wait([self._pipe, self._process.sentinel], timeout=PAGE_TIMEOUT):
                page = None  # stuck: the rest is worked out in the writing process
            else:
                try:
                    page = self._pipe.recv()
                except (EOFError, OSError):  # died: likewise
                    page = None
            if page is None:
                self.close()
                break
            self._reached = page[0]
            self._pages.append(page)
        found: dict[int, tuple[int, Any]] = {}
        while self._pages and self._pages[0][0] <= last:
            found.update(self._pages.popleft()[1])
        if self._pages:  # a page that straddles `last`: keep it for the next call too
            found.update(self._pages[0][1])
        return found

    def close(self) -> None:
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _work(out: Connection, parents_end: Connection, path: str, sql: str, page_size: int, prepare: Prepare) -> None:
    """The other process: pages worked on, sent as (last id, {id: (hash, result)}), then None.

    Leaves with `os._exit`, touching nothing inherited (the writing process's connections)."""
    parents_end.close()
    code = 0
    try:
        uri = Path(path).resolve().as_uri() + "?mode=ro"  # percent-encoded: any file name
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
        last = 0
        while True:
            cursor = connection.execute(sql, (last, page_size))
            rows = cursor.fetchall()
            if not rows:
                break
            page = {}
            for row in rows:
                row_id, row_hash, result = prepare(row, cursor.description)
                page[row_id] = (row_hash, result)
            last = rows[-1][0]
            out.send((last, page))
        out.send(None)
    except BaseException:  # noqa: BLE001 — the writing process carries on without it
        code = 1
    finally:
        os._exit(code)
