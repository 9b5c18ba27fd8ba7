"""Which replica runs the jobs: the one holding a PostgreSQL advisory lock.

Several `riskbot serve` replicas behind a load balancer share one PostgreSQL. Each tries
`pg_try_advisory_lock(LOCK_KEY)` on a connection of its own (not from the work pool, so the
lock lives exactly as long as that session); the one that gets it is the leader and runs the
scheduler. The leader checks its session every few seconds with `SELECT 1`: when the session
is gone, PostgreSQL has already released the lock, so the leader stops its jobs and a
follower's next try takes over. In the few seconds two replicas may overlap, the database's
claims still keep every message to one sending.

On SQLite there is one process, and it is the leader.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger("riskbot.leader")

LOCK_KEY = 0x7269736B626F74  # "riskbot" in ASCII: the advisory lock every replica competes for
CHECK_EVERY_SECONDS = 5.0
# A leader whose network vanished must notice without waiting for TCP's default of hours.
_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
              "tcp_user_timeout": 15_000, "connect_timeout": 10}


class LeaderElection:
    """Elects this process or not; `tick()` does one step and is what the thread repeats."""

    def __init__(
        self,
        engine: Engine,
        *,
        on_elected: Callable[[], None],
        on_lost: Callable[[], None],
        key: int = LOCK_KEY,
        interval: float = CHECK_EVERY_SECONDS,
    ) -> None:
        self.key = key
        self.interval = interval
        self.on_elected = on_elected
        self.on_lost = on_lost
        self.is_leader = False
        self._single = engine.dialect.name == "sqlite"
        self._engine = None if self._single else create_engine(
            engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=_KEEPALIVE
        )
        self._connection: Connection | None = None
        self._step = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> bool:
        """Check the lock session if leading, else try to take the lock; True when leading."""
        with self._step:
            if self._single:
                if not self.is_leader:
                    self._become(True)
                return True
            if self.is_leader and not self._session_alive():
                log.warning("lost the scheduler lock (database session gone): stopping the jobs")
                self._become(False)
            if not self.is_leader and self._try_lock():
                log.info("elected to run the scheduler")
                self._become(True)
            return self.is_leader

    def start(self) -> None:
        """Tick now, then every `interval` seconds in a daemon thread until `stop()`."""
        self.tick()
        self._thread = threading.Thread(target=self._loop, name="riskbot-leader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop ticking, stop the jobs if leading and give the lock up for another replica."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)
        with self._step:
            if self.is_leader:
                self._become(False)
                self._unlock()
            self._close()
        if self._engine is not None:
            self._engine.dispose()

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.tick()
            except Exception:  # never let the election thread die
                log.exception("leader election step failed; trying again")

    def _become(self, leader: bool) -> None:
        self.is_leader = leader
        try:
            (self.on_elected if leader else self.on_lost)()
        except Exception:
            log.exception("starting or stopping the jobs failed")

    def _session_alive(self) -> bool:
        try:
            assert self._connection is not None
            self._connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            self._close()
            return False

    def _try_lock(self) -> bool:
        assert self._engine is not None
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            return bool(self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except SQLAlchemyError as exc:
            log.warning("cannot reach the database for the scheduler lock: %s", str(exc).splitlines()[0])
            self._close()
            return False

    def _unlock(self) -> None:
        """Hand the lock over at once: the server would free it only once it notices the close."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except SQLAlchemyError:
                pass  # the connection is gone, and the lock with it

    def _close(self) -> None:
        """Closing the session releases the advisory lock with it."""
        if self._connection is not None:
            try:
                self._connection.close()
            except SQLAlchemyError:
                pass
            self._connection = None
