"""Everything a use case needs, built once at start-up and passed in (no globals, no import-time I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from threading import Lock

import chinese_calendar
from sqlalchemy import func, select

from bot.config import Config
from bot.search import CustomerIndex, Entry
from messages.render import Renderer
from scoring.cadence import Workdays
from scoring.profiles import ProfileSet, load_profiles
from storage.models import Customer, CustomerAlias
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
    _index_mark: tuple[datetime | None, int | None] = (None, None)
    _index_lock: Lock = field(default_factory=Lock)

    def now(self) -> datetime:
        return self.clock()

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.config.tz)

    def today(self) -> date:
        return self.local_now().date()

    def fresh_index(self) -> CustomerIndex:
        """The lookup index, first taking in customers changed since the last look (any process).

        The look costs two index probes (max updated_at, max id); only changed rows are read,
        and the index is rebuilt only when a name, alias or credit code really changed.
        """
        with self._index_lock, self.db.uow() as uow:
            # Two statements: SQLite answers a lone max() from the index, not max(a), max(b).
            mark = (uow.session.scalar(select(func.max(Customer.updated_at))),
                    uow.session.scalar(select(func.max(Customer.id))))
            since = self._index_mark[0]
            if mark == self._index_mark:
                return self.index
            changed = select(Customer.id, Customer.name, Customer.credit_code)
            alias_rows = select(CustomerAlias.customer_id, CustomerAlias.alias)
            if since is not None:
                changed = changed.where(Customer.updated_at >= since)
                alias_rows = alias_rows.join(Customer).where(Customer.updated_at >= since)
            aliases: dict[int, list[str]] = {}
            for customer_id, alias in uow.session.execute(alias_rows):
                aliases.setdefault(customer_id, []).append(alias)
            self.index.upsert(
                Entry(i, name, code, tuple(aliases.get(i, ()))) for i, name, code in uow.session.execute(changed)
            )
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
