"""The quarterly review's what-if: the quarter's customers of one profile graded again, from the
indicator values they had at the start of the quarter, by the profile in use and by a
candidate profile file, side by side — how many of the quarter's losses each would have
caught (red or black) and how many grades the candidate would move.

The values at the start are those the ledger scored by then (`ReportQueries.values_at`: the
latest assessment's lines, then newer history rows), so the profile in use gives back the
grades its assessments computed."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

from messages.report_views import WhatIf
from reports.kpi import utc_start
from reports.review import standings
from scoring.assessment import assess
from scoring.grades import Grade
from scoring.outcomes import HIGH_RISK, Period
from scoring.profiles import Profile, ProfileSet
from scoring.values import PARTS, ValueProblem, clean_values
from storage.repos.reports import ReportQueries
from storage.uow import Database


def what_if(db: Database, profiles: ProfileSet, candidate: Profile, file: Path, period: Period, tz: tzinfo,
            replaces: str) -> WhatIf:
    current = profiles.get(replaces)
    start_at = utc_start(period.start, tz)
    with db.uow() as uow:
        q = ReportQueries(uow.session)
        events = {e.customer_id: e for e in q.event_customers(period.start, period.end)}
        population, _ = standings(q, start_at, set())
        ours = [a.customer_id for a in population if a.profile == replaces and a.customer_id in events]
        values = q.values_at(ours, start_at)
    losses = caught_now = caught_candidate = worse = better = 0
    for customer_id in ours:
        now, then = grade_of(current, values.get(customer_id, {})), grade_of(candidate, values.get(customer_id, {}))
        if events[customer_id].losses:
            losses += 1
            caught_now += now in HIGH_RISK
            caught_candidate += then in HIGH_RISK
        if now is not None and then is not None and now is not then:
            worse += then.severity > now.severity
            better += then.severity < now.severity
    return WhatIf(replaces, file.name, len(ours), losses, caught_now, caught_candidate, worse, better)


def grade_of(profile: Profile, raw: dict[str, Any]) -> Grade | None:
    known = {k: v for k, v in raw.items() if k in profile.by_key or k in PARTS}
    try:
        return assess(profile, clean_values(profile, known)).grade
    except ValueProblem:
        return None  # a stored value this profile cannot read: left out of both sides
