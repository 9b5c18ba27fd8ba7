"""The quarterly review (季度复盘): how well the grades of the quarter's start ranked what then
happened, customer by customer and profile by profile.

- every customer with a risk event in the quarter, with its grade and score at the start of
  the quarter and 30 and 90 days before its first event of the quarter;
- per profile, over every customer assessed before the quarter: the share of each grade that
  had a loss in the quarter (出险率 loss rate), and AUC and KS between the score and "had a loss";
- the missed customers (blue or yellow at the start, with a loss) and the indicators silent
  (no points) for most of them, heaviest first: the risks the current indicators did not see.

A grade "at a moment" is the one the ledger applied (its latest auto-applied or approved change
decided before it), as the monthly report's accuracy judges, not the grade an assessment
computed (a change may wait for approval or be rejected); the score beside it is that of the
latest assessment before the moment, and the population is every customer assessed before the
quarter, grouped by that assessment's profile.
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
_MISSABLE = (Grade.BLUE, Grade.YELLOW)


def quarter_review(db: Database, profiles: ProfileSet, period: Period, tz: tzinfo) -> QuarterReview:
    start_at = utc_start(period.start, tz)
    with db.uow() as uow:
        q = ReportQueries(uow.session)
        events = q.event_customers(period.start, period.end)
        keep = {e.customer_id for e in events}
        population, history = standings(q, start_at, keep)
        grades, changes = q.applied_grades(start_at, keep)
        population = [a._replace(grade=grades.get(a.customer_id)) for a in population]
        lost = {e.customer_id for e in events if e.losses}
        missed = {a.customer_id: a.profile for a in population if a.customer_id in lost and a.grade in _MISSABLE}
        breakdowns = q.breakdowns_before(missed, start_at)
    midnights: dict[date, datetime] = {}  # a quarter has at most ~180 distinct days to look back from

    def before(day: date) -> datetime:
        if day not in midnights:
            midnights[day] = utc_start(day, tz)
        return midnights[day]

    rows = []
    for e in sorted(events, key=lambda e: (-e.loss, e.first_on, e.customer_id)):
        assessed, applied = history.get(e.customer_id, []), changes.get(e.customer_id, [])
        moments = (start_at, before(e.first_on - timedelta(days=30)), before(e.first_on - timedelta(days=90)))
        rows.append(ReviewRow(e.customer_id, e.name, e.first_on, e.events, e.loss,
                              *(_standing_at(assessed, applied, when) for when in moments),
                              credit_code=e.credit_code, profile=_profile_at(assessed, before(e.first_on))))
    quiet = quiet_indicators(((missed[i], b) for i, b in breakdowns.items()), profiles)
    return QuarterReview(quarter=period.name, start=period.start, last_day=period.last_day, rows=tuple(rows),
                         profiles=_quality(population, lost), missed=len(missed), quiet=quiet)


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


def _standing_at(assessed: Sequence[Assessed], applied: Sequence[tuple[datetime, Grade]], when: datetime) -> Standing:
    """The grade in force just before `when` (its latest applied change, as the monthly report
    judges) and the score of its latest assessment by then (both lists oldest first)."""
    grade = None
    for decided_at, to_grade in applied:
        if decided_at >= when:
            break
        grade = to_grade
    score = None
    for a in assessed:
        if a.assessed_at >= when:
            break
        score = a.score
    return Standing(grade, score)


def _profile_at(assessed: Sequence[Assessed], when: datetime) -> str | None:
    """The profile of the latest assessment before `when` (else of the first one)."""
    found = assessed[0].profile if assessed else None
    for a in assessed:
        if a.assessed_at >= when:
            break
        found = a.profile
    return found


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
