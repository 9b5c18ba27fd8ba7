"""The card's 资料时效: per indicator where its value came from and how fresh it is, and the
coverage once stale values (past twice their refresh interval) count as unknown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from messages.views import Freshness
from scoring.freshness import fresh_coverage, provisional, stale_keys
from scoring.profiles import Profile
from storage.models import Customer
from storage.uow import UnitOfWork


def freshness(uow: UnitOfWork, customer: Customer, profile: Profile, breakdown: Sequence[Mapping[str, Any]],
              refresh: Mapping[str, timedelta], now: datetime, tz: tzinfo) -> tuple[tuple[Freshness, ...], bool]:
    """(one row per known indicator, whether the grade is provisional once stale values count as
    unknown). A value with no history row is the one its customer was imported with.

    Only a provider's values go stale: each sync observes them again, changed or not, so an old
    one means the sync stopped reaching it. An import or a Slack edit records a value only when
    it changes, so its age says nothing about whether the team still vouches for it."""
    latest = uow.providers.latest_sources(customer.id)
    known = [line for line in breakdown if line.get("value") is not None]
    seen = {line["key"]: latest.get(line["key"], ("import:", customer.created_at)) for line in known}
    stale = stale_keys({key: now - at for key, (source, at) in seen.items() if source.startswith("provider:")}, refresh)
    rows = []
    for line in known:
        source, at = seen[line["key"]]
        kind, _, origin = source.partition(":")
        rows.append(Freshness(line.get("label") or line["key"], kind, origin, at.astimezone(tz).date(), line["key"] in stale))
    weights = {line["key"]: profile.by_key[line["key"]].weight for line in known if line["key"] in profile.by_key}
    return tuple(rows), bool(stale) and provisional(fresh_coverage(weights, stale, profile.total_weight))
