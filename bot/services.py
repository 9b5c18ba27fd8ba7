"""Everything a use case needs, built once at start-up and passed in (no globals, no import-time I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from threading import Lock

import chinese_calendar

from bot.config import Config
from bot.search import CustomerIndex, Entry
from messages.render import Renderer
from scoring.cadence import Workdays
from scoring.profiles import ProfileSet, load_profiles
from storage.uow import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


def _statutory(day: date) -> bool | None:
    """China's statutory holidays and make-up workdays (调休) from chinese-calendar; None outside
    the years the package knows, so the weekday rule applies there."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def workdays_for(config: Config) -> Workdays:
    return Workdays(
        weekdays=config.workdays,
        holidays=config.holidays,
        makeup_workdays=config.makeup_workdays,
        statutory=_statutory if config.chinese_calendar else None,
    )


@dataclass
class Services:
    config: Config
    db: Database
    profiles: ProfileSet
    renderer: Renderer
    workdays: Workdays
    clock: Callable[[], datetime] = utc_now  # aware UTC; tests pass a controlled clock
    index: CustomerIndex = field(default_factory=CustomerIndex)
    _index_mark: tuple[int, int] | None = None  # (names version, highest customer id) last seen
    _index_lock: Lock = field(default_factory=Lock)

    def now(self) -> datetime:
        return self.clock()

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.config.tz)

    def today(self) -> date:
        return self.local_now().date()

    def fresh_index(self) -> CustomerIndex:
        """The lookup index, first taking in what changed since the last look (any process).

        The look is two cheap reads: the names version (bumped in the same transaction by an
        import that changes names) and the highest customer id. A new version reloads every
        name, new ids only the new customers; the index is rebuilt only if an entry changed.
        """
        with self._index_lock, self.db.uow() as uow:
            mark = (uow.customers.names_version(), uow.customers.max_id())
            if mark == self._index_mark:
                return self.index
            new_only = self._index_mark is not None and mark[0] == self._index_mark[0]
            self.index.upsert(Entry(*row) for row in uow.customers.names(self._index_mark[1] if new_only else 0))
            self._index_mark = mark
        return self.index


def build_services(config: Config, db: Database, clock: Callable[[], datetime] = utc_now) -> Services:
    return Services(
        config=config,
        db=db,
        profiles=load_profiles(config.profiles_dir),
        renderer=Renderer(config.locale),
        workdays=workdays_for(config),
        clock=clock,
    )
