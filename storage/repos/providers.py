"""The credit-data sync's reads and writes: latest observations, cached answers, calls per day."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from storage.models import IndicatorValue, ProviderAnswer, ProviderCalls
from storage.repos._sql import ID_PAGE, insert_or_nothing

_V = IndicatorValue.__table__
_A = ProviderAnswer.__table__


class ProviderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def latest_observations(self, customer_ids: Collection[int], keys: Collection[str]) -> dict[tuple[int, str], datetime]:
        """(customer, key) → when its latest value was observed, whatever the source."""
        out: dict[tuple[int, str], datetime] = {}
        ids = list(customer_ids)
        processor = _V.c.observed_at.type.result_processor(self.session.get_bind().dialect, None)
        for start in range(0, len(ids), ID_PAGE):
            rows = self.session.execute(
                select(_V.c.customer_id, _V.c.key, func.max(_V.c.observed_at))
                .where(_V.c.customer_id.in_(ids[start:start + ID_PAGE]), _V.c.key.in_(list(keys)))
                .group_by(_V.c.customer_id, _V.c.key)
            )
            for customer_id, key, at in rows:
                # max() loses the column type on SQLite: convert as the column would.
                out[(customer_id, key)] = processor(at) if processor and not isinstance(at, datetime) else at
        return out

    def latest_sources(self, customer_id: int) -> dict[str, tuple[str, datetime]]:
        """key → (source, observed_at) of each indicator's latest value for one customer."""
        rows = self.session.execute(
            select(IndicatorValue.key, IndicatorValue.source, IndicatorValue.observed_at)
            .where(IndicatorValue.customer_id == customer_id)
            .order_by(IndicatorValue.observed_at, IndicatorValue.id)
        )
        return {key: (source, at) for key, source, at in rows}

    def answers(self, provider: str, wanted: Collection[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, datetime]]:
        """(interface, keyword) → (result JSON text, fetched_at) of the answers kept."""
        out: dict[tuple[str, str], tuple[str, datetime]] = {}
        pairs = list(wanted)
        for start in range(0, len(pairs), ID_PAGE):
            rows = self.session.execute(
                select(ProviderAnswer.interface, ProviderAnswer.keyword, ProviderAnswer.result, ProviderAnswer.fetched_at)
                .where(ProviderAnswer.provider == provider,
                       tuple_(ProviderAnswer.interface, ProviderAnswer.keyword).in_(pairs[start:start + ID_PAGE]))
            )
            out.update({(i, k): (r, at) for i, k, r, at in rows})
        return out

    def keep_answers(self, provider: str, answers: Iterable[tuple[str, str, str, datetime]]) -> None:
        """Store (interface, keyword, result JSON, fetched_at), replacing older answers."""
        rows = [{"provider": provider, "interface": i, "keyword": k, "result": r, "fetched_at": at}
                for i, k, r, at in answers]
        for start in range(0, len(rows), ID_PAGE):
            page = rows[start:start + ID_PAGE]
            self.session.execute(delete(_A).where(
                _A.c.provider == provider, tuple_(_A.c.interface, _A.c.keyword).in_([(r["interface"], r["keyword"]) for r in page])))
            self.session.execute(insert(_A), page)

    def reserve(self, provider: str, day: date, wanted: int, budget: int) -> int:
        """Reserve up to `wanted` of the day's `budget` calls; returns how many were granted.
        Called in a transaction of its own: committed before the calls are made, a crash
        leaves them counted (spent), never free to spend twice."""
        insert_or_nothing(self.session, ProviderCalls, {"provider": provider, "day": day, "calls": 0}, ("provider", "day"))
        row = self.session.execute(
            select(ProviderCalls).where(ProviderCalls.provider == provider, ProviderCalls.day == day).with_for_update()
        ).scalar_one()
        granted = max(0, min(wanted, budget - row.calls))
        row.calls += granted
        return granted

    def give_back(self, provider: str, day: date, unused: int) -> None:
        """Return reserved calls a batch did not make."""
        if unused:
            self.session.execute(update(ProviderCalls).where(ProviderCalls.provider == provider, ProviderCalls.day == day)
                                 .values(calls=ProviderCalls.calls - unused))
