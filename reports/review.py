"""The quarterly review (季度复盘): how well the grades of the quarter's start ranked what then
happened, customer by customer and profile by profile.

- every customer with a risk event in the quarter, with its grade and score at the start of
  the quarter and 30 and 90 days before its first event of the quarter (assessment history);
- per profile, over every customer assessed before the quarter: the share of each grade that
  had a loss in the quarter (出险率 loss rate), and AUC and KS between the score and "had a loss";
- the missed customers (blue or yellow at the start, with a loss) and the indicators silent
  (no points) for most of them, heaviest first: the risks the current indicators did not see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from messages.report_views import ProfileQuality, QuarterReview, QuietIndicator, ReviewRow, Standing
from reports.kpi import utc_start
from scoring.grades import Grade
from scoring.outcomes import GradeHits, Period, auc, ks
from scoring.profiles import ProfileSet
from storage.repos.reports import Assessed, ReportQueries
from storage.uow import Database

QUIET_SHOWN = 5
_NONE = Standing(None, None)
_MISSABLE = (Grade.BLUE, Grade.YELLOW)


def quarter_review(db: Database, profiles: ProfileSet, period: Period, tz: tzinfo) -> QuarterReview:
    start_at = utc_start(period.start, tz)
    with db.uow() as uow:
        q = ReportQueries(uow.session)
        events = q.event_customers(period.start, period.end)
        population, history = standings(q, start_at, {e.customer_id for e in events})
        lost = {e.customer_id for e in events if e.losses}
        missed = {a.customer_id: a.profile for a in population if a.customer_id in lost and a.grade in _MISSABLE}
        breakdowns = q.breakdowns_before(missed, start_at)
    midnights: dict[date, datetime] = {}  # a quarter has at most ~180 distinct days to look back from

    def before(day: date) -> datetime:
        if day not in midnights:
            midnights[day] = utc_start(day, tz)
        return midnights[day]

    rows = tuple(
        ReviewRow(e.customer_id, e.name, e.first_on, e.events, e.loss,
                  *_standings_at(history.get(e.customer_id, ()), (start_at, before(e.first_on - timedelta(days=30)),
                                                                   before(e.first_on - timedelta(days=90)))))
        for e in sorted(events, key=lambda e: (-e.loss, e.first_on, e.customer_id))
    )
    return QuarterReview(
        quarter=period.name, start=period.start, last_day=period.last_day, rows=rows,
        profiles=_quality(population, lost), missed=len(missed), quiet=quiet_indicators(((missed[i], b) for i, b in breakdowns.items()), profiles),
    )


def standings(q: ReportQueries, start_at: datetime, keep: set[int]) -> tuple[list[Assessed], dict[int, list[Assessed]]]:
    """In one pass over the assessments: every customer's latest one before `start_at` (the
    population the quarter is judged on) and the whole history of the customers in `keep`."""
    population: list[Assessed] = []
    history: dict[int, list[Assessed]] = {}
    last: Assessed | None = None
    for a in q.assessments():
        if last is not None and a.customer_id != last.customer_id:
            population.append(last)
            last = None
        if a.assessed_at < start_at:
            last = a
        if a.customer_id in keep:
            history.setdefault(a.customer_id, []).append(a)
    if last is not None:
        population.append(last)
    return population, history


def _standings_at(history: Sequence[Assessed], moments: tuple[datetime, ...]) -> list[Standing]:
    """The latest assessment before each moment (history oldest first)."""
    out = []
    for when in moments:
        found = None
        for a in history:
            if a.assessed_at >= when:
                break
            found = a
        out.append(_NONE if found is None else Standing(found.grade, found.score))
    return out


def _quality(population: Sequence[Assessed], lost: set[int]) -> tuple[ProfileQuality, ...]:
    by_profile: dict[str, list[Assessed]] = defaultdict(list)
    for a in population:
        by_profile[a.profile].append(a)
    out = []
    for profile in sorted(by_profile):
        group = by_profile[profile]
        hits = tuple(
            GradeHits(grade, sum(1 for a in group if a.grade is grade),
                      sum(1 for a in group if a.grade is grade and a.customer_id in lost))
            for grade in Grade
        )
        scored = [a for a in group if a.score is not None]
        with_loss = [a.score for a in scored if a.customer_id in lost]
        without = [a.score for a in scored if a.customer_id not in lost]
        out.append(ProfileQuality(profile, len(group), sum(1 for a in group if a.customer_id in lost), hits,
                                  auc(with_loss, without), ks(with_loss, without)))  # type: ignore[arg-type]
    return tuple(out)


def quiet_indicators(breakdowns: Iterable[tuple[str, Mapping[str, Any] | None]],
                     profiles: ProfileSet) -> tuple[QuietIndicator, ...]:
    """The indicators that were silent (cost no points) for the most missed customers, then the
    heaviest first: a heavy indicator that said nothing is the likeliest blind spot. Indicators
    silent for none are left out (ties of zero-point lines otherwise filled the list
    alphabetically), and so are unknown values. `breakdowns`: (profile, breakdown) of each missed
    customer; an indicator's weight is its largest in those customers' profiles."""
    known: dict[str, int] = defaultdict(int)
    silent: dict[str, int] = defaultdict(int)
    points: dict[str, float] = defaultdict(float)
    weights: dict[str, float] = defaultdict(float)
    for profile, breakdown in breakdowns:
        weight = _weights(profiles, profile)
        for key, lost in _lines(breakdown):
            if lost is None:
                continue
            known[key] += 1
            points[key] += lost
            silent[key] += lost == 0
            weights[key] = max(weights[key], weight.get(key, 0.0))
    labels = _labels(profiles)
    ranked = sorted((k for k in known if silent[k]), key=lambda k: (-silent[k], -weights.get(k, 0.0), k))
    return tuple(QuietIndicator(k, labels.get(k, k), silent[k], known[k], points[k] / known[k], weights.get(k, 0.0))
                 for k in ranked[:QUIET_SHOWN])


def _lines(breakdown: Mapping[str, Any] | None) -> list[tuple[str, float | None]]:
    """(key, points lost) of a stored breakdown, compact ([key, value, share, lost] | [key]) or old."""
    out: list[tuple[str, float | None]] = []
    for line in (breakdown or {}).get("lines", []):
        if isinstance(line, Mapping):
            out.append((line["key"], line.get("points_lost")))
        else:
            out.append((line[0], line[3] if len(line) > 3 else None))
    return out


def _weights(profiles: ProfileSet, name: str) -> dict[str, float]:
    if name not in profiles.profiles:
        return {}
    return {indicator.key: indicator.weight for indicator in profiles.get(name).indicators}


def _labels(profiles: ProfileSet) -> dict[str, str]:
    labels: dict[str, str] = {}
    for name in profiles.names():
        for indicator in profiles.get(name).indicators:
            labels.setdefault(indicator.key, indicator.label)
    return labels
