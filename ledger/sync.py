"""`riskbot sync`: credit data from the public-credit platforms into the ledger.

For each configured source, customers are taken `BATCH_SIZE` at a time:

1. what is due: each indicator the source's mapping feeds and the customer's profile uses,
   whose latest value (any source) is at least its refresh interval old (`--all`: every one);
2. what it costs: answers kept from an earlier run that are younger than that interval are
   reused; the calls still needed are reserved from the day's budget in a transaction of
   their own (a crash leaves them spent, never free twice);
3. asking: paced by the rate limit, transient failures retried with backoff; a bad key, no
   balance or a spent budget stops that source, any other failure skips that customer;
4. writing, one transaction per batch: every answer received (also those of a customer that
   failed later: they were paid for), unused reservations returned, and for each customer
   whose queries all succeeded its values (merged into the row as it is then, locked), one
   history row per indicator observed (`source = provider:<name>`, also when the value is
   the same: it is how freshness is known) and the alert lines newly crossed. A customer that
   failed changes nothing.

The customers whose values changed are then rescored the normal way (`ledger.rescore`): blue
↔ yellow at once, red and black as requests. Never reads the clock: `now` is passed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ledger import stored
from ledger.bulk import insert_many, update_many
from ledger.grade_report import RescoreReport
from ledger.rescore import rescore
from providers.adapters import Provider
from providers.errors import ProviderError
from providers.mapping import ProviderMapping, Rule
from providers.pacing import Budget, Paced, RateLimiter
from scoring.alerts import crossings
from scoring.cadence import Workdays
from scoring.freshness import is_due
from scoring.profiles import Profile, ProfileChooser, ProfileSet
from scoring.values import DERIVED_FROM, PARTS, ValueProblem, clean_values, derive
from storage.models import Customer, IndicatorValue
from storage.repos.providers import ProviderRepository
from storage.uow import Database

BATCH_SIZE = 200
FALLBACK_REFRESH = timedelta(days=30)  # a mapped indicator without an interval of its own
Progress = Callable[[int, int], None]  # (customers done, customers in all)

_C = Customer.__table__
_HISTORY = IndicatorValue.__table__
_READ = (_C.c.id, _C.c.credit_code, _C.c.name, _C.c.profile, _C.c.industry, _C.c["values"], _C.c.parts,
         _C.c.created_at, _C.c.needs_rescore)


@dataclass
class Source:
    """One provider as the sync uses it."""

    name: str
    provider: Provider
    mapping: ProviderMapping
    rate_per_second: float
    daily_budget: int
    attempts: int = 3
    backoff: float = 1.0


@dataclass
class Failure:
    """A customer not synced and why: a ProviderError, or a ValueProblem with what came back."""

    customer: str
    error: ProviderError | ValueProblem
    provider: str

    @property
    def reason(self) -> str:
        """In English, for logs (the command line words it from the error's key)."""
        return str(self.error) if isinstance(self.error, ProviderError) else f"{self.provider}: {self.error}"


@dataclass
class SyncReport:
    dry_run: bool
    customers: int = 0  # looked at
    queried: int = 0  # customers with something due (asked, or in a dry run to be asked)
    changed: int = 0  # customers whose values changed
    observed: int = 0  # indicator values written to history
    calls: int = 0  # calls spent (every attempt counts); in a dry run, calls it would take
    reused: int = 0  # answers kept from an earlier run, not paid again
    alerts: int = 0
    failed: list[Failure] = field(default_factory=list)
    stopped: list[ProviderError] = field(default_factory=list)  # why sources stopped early
    rescore: RescoreReport | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped


@dataclass
class _Due:
    id: int
    code: str
    name: str
    profile: Profile
    values: dict[str, Any]
    parts: dict[str, float]
    needs_rescore: bool
    rules: dict[str, list[Rule]]  # interface → indicators it feeds
    max_age: dict[str, timedelta]  # interface → how old a kept answer may be


def sync(
    db: Database,
    profiles: ProfileSet,
    sources: Collection[Source],
    refresh: dict[str, timedelta],
    now: datetime,
    *,
    workdays: Workdays,
    tz: tzinfo = ZoneInfo("Asia/Shanghai"),
    customer_ids: Collection[int] | None = None,
    everything: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    batch_size: int = BATCH_SIZE,
    announce: bool = True,
) -> SyncReport:
    """Sync every source, then rescore what changed. `everything` ignores refresh intervals and
    kept answers; `customer_ids` limits the run; `clock`/`sleep` pace the calls (tests);
    `announce` as for `rescore`."""
    report = SyncReport(dry_run=dry_run)
    choose = ProfileChooser(profiles)
    for source in sources:
        _Run(db, source, refresh, now, tz, choose, report, everything, dry_run, clock, sleep).all(
            customer_ids, batch_size, progress)
    if report.changed and not dry_run:
        report.rescore = rescore(db, profiles, workdays, now, tz=tz, announce=announce)
    return report


class _Run:
    """One source over the ledger."""

    def __init__(self, db: Database, source: Source, refresh: dict[str, timedelta], now: datetime, tz: tzinfo,
                 choose: ProfileChooser, report: SyncReport, everything: bool, dry_run: bool,
                 clock: Callable[[], float] | None, sleep: Callable[[float], None] | None) -> None:
        self.db, self.source, self.refresh, self.now, self.choose = db, source, refresh, now, choose
        self.report, self.everything, self.dry_run = report, everything, dry_run
        self.day = now.astimezone(tz).date()
        self.label = f"provider:{source.name}"
        pacing: dict[str, Any] = {"sleep": sleep} if sleep else {}
        limiter = RateLimiter(source.rate_per_second, **({"clock": clock} if clock else {}), **pacing)
        self.budget = Budget(0)
        self.paced = Paced(source.provider, limiter, self.budget, source.attempts, source.backoff, **pacing)
        self.stopped = False

    def all(self, customer_ids: Collection[int] | None, batch_size: int, progress: Progress | None) -> None:
        with self.db.uow() as uow:
            count = select(func.count()).select_from(_C)
            total = uow.session.scalar(count.where(_C.c.id.in_(list(customer_ids))) if customer_ids is not None else count)
        last_id, done = 0, 0
        while not self.stopped:
            with self.db.uow() as uow:
                page = select(*_READ).where(_C.c.id > last_id).order_by(_C.c.id).limit(batch_size)
                if customer_ids is not None:
                    page = page.where(_C.c.id.in_(list(customer_ids)))
                rows = uow.session.execute(page).all()
                if not rows:
                    break
                due = self._due(uow.providers, rows)
            last_id = rows[-1].id
            self.report.customers += len(rows)
            self._batch(due)
            done += len(rows)
            if progress:
                progress(done, total or done)

    # ------------------------------------------------------------ what is due

    def _due(self, repo: ProviderRepository, rows: list[Any]) -> list[_Due]:
        rules = self.source.mapping.rules
        seen = repo.latest_observations([r.id for r in rows], list(rules)) if not self.everything else {}
        out = []
        for row in rows:
            profile = self.choose(row.profile, row.industry)
            values, parts = stored.decode(row.values), dict(row.parts or {})
            by_interface: dict[str, list[Rule]] = {}
            max_age: dict[str, timedelta] = {}
            for key, rule in rules.items():
                if not _feeds(profile, key):
                    continue
                interval = self.refresh.get(key, FALLBACK_REFRESH)
                observed = seen.get((row.id, key)) or (row.created_at if key in values or key in parts else None)
                if not self.everything and not is_due(None if observed is None else self.now - observed, interval):
                    continue
                by_interface.setdefault(rule.interface, []).append(rule)
                max_age[rule.interface] = min(max_age.get(rule.interface, interval), interval)
            if by_interface:
                out.append(_Due(row.id, row.credit_code, row.name, profile, values, parts, row.needs_rescore,
                                by_interface, max_age))
        return out

    # ------------------------------------------------------------ asking and writing

    def _batch(self, due: list[_Due]) -> None:
        if not due:
            return
        self.report.queried += len(due)
        name = self.source.name
        with self.db.uow() as uow:
            kept = uow.providers.answers(
                name, [(i, d.code) for d in due for i in d.rules]) if not self.everything else {}
        fresh: dict[tuple[str, str], tuple[str, datetime]] = {}
        for d in due:
            for interface, limit in d.max_age.items():
                answer = kept.get((interface, d.code))
                if answer is not None and self.now - answer[1] < limit:
                    fresh[(interface, d.code)] = answer
        needed = sum(len(d.rules) for d in due) - len(fresh)
        if self.dry_run:
            self.report.calls += needed
            self.report.reused += len(fresh)
            return
        with self.db.uow() as uow:
            granted = uow.providers.reserve(
                name, self.day, needed * self.source.attempts, self.source.daily_budget)
            uow.commit()
        self.budget.left, self.budget.spent = granted, 0
        received: list[tuple[str, str, str, datetime]] = []
        results: list[tuple[_Due, dict[str, Any], dict[str, datetime]]] = []
        for d in due:
            if self.stopped:
                break
            found = self._ask(d, fresh, received)
            if found is not None:
                results.append((d, *found))
        self.report.calls += self.budget.spent
        with self.db.uow() as uow:
            repo = uow.providers
            repo.keep_answers(name, received)
            repo.give_back(name, self.day, granted - self.budget.spent)
            self._write(uow, results)
            uow.commit()

    def _ask(self, d: _Due, fresh: dict[tuple[str, str], tuple[str, datetime]],
             received: list[tuple[str, str, str, datetime]]) -> tuple[dict[str, Any], dict[str, datetime]] | None:
        """The indicator values of one customer with when each was observed, or None (failed)."""
        values: dict[str, Any] = {}
        when: dict[str, datetime] = {}
        for interface, rules in d.rules.items():
            kept = fresh.get((interface, d.code))
            try:
                if kept is not None:
                    result, at = json.loads(kept[0]), kept[1]
                    self.report.reused += 1
                else:
                    result, at = self.paced.fetch(interface, d.code), self.now
                    received.append((interface, d.code, stored.json_text(result), at))
                for rule in rules:
                    values[rule.key] = rule.read(self.source.name, result, self.day)
                    when[rule.key] = at
            except ProviderError as exc:
                self.report.failed.append(Failure(d.name, exc, self.source.name))
                if exc.stops_run:
                    self.stopped = True
                    self.report.stopped.append(exc)
                return None
        try:
            clean_values(d.profile, values)  # the import's own checks, parts included
        except ValueProblem as exc:
            self.report.failed.append(Failure(d.name, exc, self.source.name))
            return None
        return values, when

    def _write(self, uow: Any, results: list[tuple[_Due, dict[str, Any], dict[str, datetime]]]) -> None:
        """Merge what was found into the customers as they are now: read again and locked
        (after any import writing), so what another writer changed while the calls were made
        is kept, not overwritten with what was read before them."""
        if not results:
            return
        uow.customers.wait_for_imports()
        current = {row.id: row for row in uow.session.execute(
            select(_C.c.id, _C.c["values"], _C.c.parts, _C.c.needs_rescore)
            .where(_C.c.id.in_([d.id for d, _, _ in results])).with_for_update())}
        history: list[tuple[Any, ...]] = []
        observed_at: list[datetime] = []
        changes: list[dict[str, Any]] = []
        for d, found, when in results:
            now_row = current.get(d.id)
            if now_row is None:  # deleted meanwhile
                continue
            d.values, d.parts, d.needs_rescore = stored.decode(now_row.values), dict(now_row.parts or {}), now_row.needs_rescore
            values, parts = dict(d.values), dict(d.parts)
            for key, value in found.items():
                (parts if key in PARTS else values)[key] = value
            derived = derive(parts)
            for key, (first, second) in DERIVED_FROM.items():
                # Recomputed when both parts are known; else the value given directly stays.
                if (first in found or second in found) and key in d.profile.by_key and key in derived:
                    values[key] = derived[key]
            for key in found:
                history.append(stored.history_row(d.id, key, found[key]))
                observed_at.append(when[key])
            if values == d.values:
                if parts != d.parts:  # a part alone (litigation without net assets) scores nothing yet
                    changes.append({"id": d.id, "values": stored.encode(values), "parts": parts, "needs_rescore": d.needs_rescore})
                continue
            self.report.changed += 1
            for crossing in crossings(d.values, values):
                if uow.alerts.record(d.id, crossing.key, crossing.signature, self.now):
                    self.report.alerts += 1
            for key in DERIVED_FROM:
                if values.get(key) != d.values.get(key):
                    history.append(stored.history_row(d.id, key, values.get(key)))
                    observed_at.append(self.now)
            changes.append({"id": d.id, "values": stored.encode(values), "parts": parts or None, "needs_rescore": True})
        self.report.observed += len(history)
        insert_many(uow.session, _HISTORY, (*stored.HISTORY_COLUMNS, "observed_at"),
                    [(*row, at) for row, at in zip(history, observed_at, strict=True)], {"source": self.label})
        update_many(uow.session, _C, "id", ("values", "parts", "needs_rescore"),
                    [(c["values"], c["parts"], c["needs_rescore"], c["id"]) for c in changes], {"updated_at": self.now})


def _feeds(profile: Profile, key: str) -> bool:
    """The profile uses the indicator, or the one the part is part of."""
    if key in profile.by_key:
        return True
    return any(key in parts and derived in profile.by_key for derived, parts in DERIVED_FROM.items())

