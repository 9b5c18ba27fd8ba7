"""The reports' figures as GROUP BY queries (the monthly 看板, KPIs, the quarterly review), so a
million risk events are summed by the database, never looped over in Python.

A customer's grade at a moment is the grade of its latest applied change (auto-applied or
approved) decided before that moment; a customer with none was not graded yet.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Subquery, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from scoring.grades import BY_VALUE, Grade
from storage.models import (
    APPLIED, Alert, Assessment, Customer, EventKind, Followup, GradeChange, IndicatorValue, RiskEvent, Task,
    TaskStatus,
)
from storage.repos._sql import id_pages

_C = Customer.__table__
_G = GradeChange.__table__
_E = RiskEvent.__table__
_T = Task.__table__
_A = Assessment.__table__
_V = IndicatorValue.__table__
_HIGH = (Grade.RED.value, Grade.BLACK.value)
ZERO = Decimal(0)


class OwnerFigures(NamedTuple):
    """One owner's KPI sums; `owner` is a Slack user id or an e-mail as the ledger holds it."""

    owner: str
    high_risk_customers: int
    recovered: Decimal  # recovered in the period on customers red/black at its start
    receivable_at_start: Decimal  # their receivables at the start: outstanding now + recovered since
    on_time: int  # customers whose follow-up is not overdue today
    overdue: int
    losses: Decimal


class EventCustomer(NamedTuple):
    customer_id: int
    name: str
    credit_code: str
    first_on: date
    events: int
    losses: int  # loss events (a loss recorded without an amount still counts)
    loss: Decimal  # their amount


class Assessed(NamedTuple):
    customer_id: int
    assessed_at: datetime
    score: float | None
    grade: Grade | None
    profile: str


def _amount(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(str(value))


class ReportQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- grades over time ------------------------------------------------------------------

    def _grades_at(self, when: datetime) -> Subquery:
        """(customer_id, grade) of every customer graded before `when`."""
        rank = func.row_number().over(partition_by=_G.c.customer_id, order_by=(_G.c.decided_at.desc(), _G.c.id.desc()))
        ranked = (
            select(_G.c.customer_id, _G.c.to_grade.label("grade"), rank.label("rn"))
            .where(_G.c.status.in_(APPLIED), _G.c.decided_at < when)
            .subquery()
        )
        return select(ranked.c.customer_id, ranked.c.grade).where(ranked.c.rn == 1).subquery()

    def grade_mixes_at(self, moments: list[datetime]) -> list[dict[Grade, int]]:
        """The grade mix at each moment, in one pass over the grade history: every applied change
        holds from its decision until the customer's next one."""
        until = func.lead(_G.c.decided_at).over(partition_by=_G.c.customer_id, order_by=(_G.c.decided_at, _G.c.id))
        spans = (
            select(_G.c.to_grade.label("grade"), _G.c.decided_at.label("since"), until.label("until"))
            .where(_G.c.status.in_(APPLIED))
            .subquery()
        )
        held = [func.sum(case((and_(spans.c.since < at, or_(spans.c.until.is_(None), spans.c.until >= at)), 1),
                              else_=0)) for at in moments]
        mixes: list[dict[Grade, int]] = [{} for _ in moments]
        for grade, *counts in self.session.execute(select(spans.c.grade, *held).group_by(spans.c.grade)):
            for mix, n in zip(mixes, counts, strict=True):
                if n:
                    mix[BY_VALUE[grade]] = int(n)  # type: ignore[index]
        return mixes

    def grades_before(self, points: dict[int, datetime]) -> dict[int, Grade]:
        """Each customer's grade just before its own moment (customers never graded by then left out)."""
        out: dict[int, Grade] = {}
        for batch in id_pages(sorted(points)):
            rows = self.session.execute(
                select(_G.c.customer_id, _G.c.to_grade, _G.c.decided_at)
                .where(_G.c.customer_id.in_(batch), _G.c.status.in_(APPLIED))
                .order_by(_G.c.customer_id, _G.c.decided_at, _G.c.id)
            )
            for customer_id, grade, at in rows:
                if at < points[customer_id]:
                    out[customer_id] = BY_VALUE[grade]  # type: ignore[assignment]
        return out

    def applied_grades(self, when: datetime, keep: set[int]) -> tuple[dict[int, Grade], dict[int, list[tuple[datetime, Grade]]]]:
        """In one pass over the applied changes (plain driver rows, as `assessments`): every
        customer's grade just before `when` (never graded by then: left out) and the whole
        (decided_at, grade) history, oldest first, of the customers in `keep`."""
        applied = ", ".join(f"'{status}'" for status in APPLIED)  # the enum's own values, no user text
        rows = self.session.connection().exec_driver_sql(
            f"SELECT customer_id, decided_at, to_grade FROM grade_changes WHERE status IN ({applied})"
            " ORDER BY customer_id, decided_at, id"
        )
        at_start: dict[int, Grade] = {}
        histories: dict[int, list[tuple[datetime, Grade]]] = {}
        grades = BY_VALUE
        moments: dict[Any, datetime] = {}  # a batch decides thousands of changes at one instant
        for customer_id, raw, to in rows.fetchall():
            decided = moments.get(raw)
            if decided is None:
                decided = moments[raw] = _utc(raw)
            if decided < when:
                at_start[customer_id] = grades[to]  # type: ignore[assignment]
            if customer_id in keep:
                histories.setdefault(customer_id, []).append((decided, grades[to]))  # type: ignore[arg-type]
        return at_start, histories

    # -- money -----------------------------------------------------------------------------

    def receivables_by_grade(self) -> dict[Grade | None, Decimal]:
        rows = self.session.execute(
            select(_C.c.effective_grade, func.sum(_C.c.outstanding_amount)).group_by(_C.c.effective_grade)
        )
        return {BY_VALUE[g]: _amount(total) for g, total in rows}

    def events_by_grade(self, kind: EventKind, start: date, end: date) -> dict[Grade | None, tuple[int, Decimal]]:
        """Customers and amount of `kind` events in [start, end), by the grade held when each
        happened: a customer with two losses at one grade counts once ("N 位")."""
        rows = self.session.execute(
            select(_E.c.grade, func.count(distinct(_E.c.customer_id)), func.sum(_E.c.amount))
            .where(_E.c.kind == kind.value, _E.c.occurred_on >= start, _E.c.occurred_on < end)
            .group_by(_E.c.grade)
        )
        return {BY_VALUE[g]: (n, _amount(total)) for g, n, total in rows}

    def amounts_by_day(self, kind: EventKind, start: date, end: date) -> list[tuple[date, Decimal]]:
        rows = self.session.execute(
            select(_E.c.occurred_on, func.sum(_E.c.amount))
            .where(_E.c.kind == kind.value, _E.c.occurred_on >= start, _E.c.occurred_on < end)
            .group_by(_E.c.occurred_on)
        )
        return [(day, _amount(total)) for day, total in rows]

    def high_risk_collection(self) -> tuple[Decimal, Decimal]:
        """(recovered since the grade took effect, still outstanding) over today's red and black
        customers: together they are what was receivable when the grade took effect."""
        recovered = (
            select(func.coalesce(func.sum(_E.c.amount), 0))
            .where(_E.c.customer_id == _C.c.id, _E.c.kind == EventKind.RECOVERY.value,
                   _E.c.occurred_on >= func.date(_C.c.grade_since))
            .scalar_subquery()
        )
        row = self.session.execute(
            select(func.sum(recovered), func.sum(_C.c.outstanding_amount)).where(_C.c.effective_grade.in_(_HIGH))
        ).one()
        return _amount(row[0]), _amount(row[1])

    # -- plans -----------------------------------------------------------------------------

    def task_counts(self, start: datetime, end: datetime, overdue_before: datetime) -> tuple[int, int, int]:
        """(closed in [start, end), open at `end`, of those created before `overdue_before`)."""
        still_open = and_(_T.c.created_at < end, or_(_T.c.closed_at.is_(None), _T.c.closed_at >= end))
        row = self.session.execute(select(
            func.count().filter(_T.c.status == TaskStatus.CLOSED.value, _T.c.closed_at >= start, _T.c.closed_at < end),
            func.count().filter(still_open),
            func.count().filter(still_open, _T.c.created_at < overdue_before),
        )).one()
        return int(row[0]), int(row[1]), int(row[2])

    # -- outcomes --------------------------------------------------------------------------

    def realised(self, start: date, end: date, serious_days: int) -> dict[int, date]:
        """Customers with a loss or an overdue of at least `serious_days` in [start, end), with the
        day of the first such event."""
        rows = self.session.execute(
            select(_E.c.customer_id, func.min(_E.c.occurred_on))
            .where(_E.c.occurred_on >= start, _E.c.occurred_on < end,
                   or_(_E.c.kind == EventKind.LOSS.value,
                       and_(_E.c.kind == EventKind.OVERDUE.value, _E.c.days >= serious_days)))
            .group_by(_E.c.customer_id)
        )
        return dict(rows.all())

    def event_customers(self, start: date, end: date) -> list[EventCustomer]:
        is_loss = _E.c.kind == EventKind.LOSS.value
        rows = self.session.execute(
            select(_E.c.customer_id, _C.c.name, _C.c.credit_code, func.min(_E.c.occurred_on), func.count(),
                   func.count().filter(is_loss), func.sum(case((is_loss, _E.c.amount), else_=0)))
            .join(_C, _C.c.id == _E.c.customer_id)
            .where(_E.c.occurred_on >= start, _E.c.occurred_on < end)
            .group_by(_E.c.customer_id, _C.c.name, _C.c.credit_code)
            .order_by(_E.c.customer_id)
        )
        return [EventCustomer(i, name, code, first, n, losses, _amount(total))
                for i, name, code, first, n, losses, total in rows]

    # -- assessments -----------------------------------------------------------------------

    def assessments(self) -> Iterator[Assessed]:
        """Every assessment, customer by customer, oldest first (one indexed scan). Read as plain
        driver rows: the column types' per-value conversion would cost more than the scan."""
        rows = self.session.connection().exec_driver_sql(
            "SELECT customer_id, assessed_at, score, grade, profile_name FROM assessments"
            " ORDER BY customer_id, assessed_at, id"
        )
        grades = BY_VALUE
        moments: dict[Any, datetime] = {}  # a batch assesses thousands of customers at one instant
        for i, at, score, g, p in rows.fetchall():
            when = moments.get(at)
            if when is None:
                when = moments[at] = _utc(at)
            yield Assessed(i, when, None if score is None else float(score), grades[g], p)

    def breakdowns_before(self, ids: Iterable[int], when: datetime) -> dict[int, dict[str, Any]]:
        """The breakdown of each customer's latest assessment before `when`."""
        out: dict[int, dict[str, Any]] = {}
        for batch in id_pages(ids):
            rows = self.session.execute(
                select(_A.c.customer_id, _A.c.breakdown)
                .where(_A.c.customer_id.in_(batch), _A.c.assessed_at < when)
                .order_by(_A.c.customer_id, _A.c.assessed_at, _A.c.id)
            )
            out.update(rows.all())  # the latest of each customer comes last
        return out

    def values_at(self, ids: Iterable[int], when: datetime) -> dict[int, dict[str, Any]]:
        """Each customer's raw indicator values as they stood just before `when`.

        An import writes no history rows for a new customer (its values are in customers.values
        and its first assessment) and later ones for changed keys only, so the history alone
        misses most values. The values are those of the latest assessment before `when` (its
        breakdown keeps each line's value; a line of unknown value stays unknown), overlaid by
        the history rows before `when` newer than it; a key in neither (one a candidate profile
        adds) takes its latest history row before `when`, else customers.values when the
        customer existed by then and the key never changed."""
        out: dict[int, dict[str, Any]] = {}
        for batch in id_pages(ids):
            assessed: dict[int, tuple[datetime, Any]] = {}
            rows = self.session.execute(
                select(_A.c.customer_id, _A.c.assessed_at, _A.c.breakdown)
                .where(_A.c.customer_id.in_(batch), _A.c.assessed_at < when)
                .order_by(_A.c.customer_id, _A.c.assessed_at, _A.c.id)
            )
            for customer_id, at, breakdown in rows:  # the latest of each customer comes last
                assessed[customer_id] = (_utc(at), breakdown)
            values: dict[int, dict[str, Any]] = {}
            seen: dict[int, set[str]] = {}
            for customer_id, (_, breakdown) in assessed.items():
                values[customer_id], seen[customer_id] = _breakdown_values(breakdown)
            before: dict[int, dict[str, Any]] = {}
            changed: dict[int, set[str]] = {}
            history = self.session.execute(
                select(_V.c.customer_id, _V.c.key, _V.c.value_num, _V.c.value_text, _V.c.observed_at)
                .where(_V.c.customer_id.in_(batch))
                .order_by(_V.c.customer_id, _V.c.observed_at, _V.c.id)
            )
            for customer_id, key, number, text, observed in history:  # a later row of a key wins
                changed.setdefault(customer_id, set()).add(key)
                observed = _utc(observed)
                if observed >= when:
                    continue
                value = _decoded(text) if text is not None else None if number is None else _number(number)
                before.setdefault(customer_id, {})[key] = value
                since = assessed.get(customer_id)
                if since is None or observed > since[0]:
                    values.setdefault(customer_id, {})[key] = value
                    seen.setdefault(customer_id, set()).add(key)
            current = self.session.execute(
                select(Customer.id, Customer.created_at, Customer.values).where(Customer.id.in_(batch))
            )
            for customer_id, created, now_values in current:
                mine, known = values.setdefault(customer_id, {}), seen.get(customer_id, set())
                old, keys_changed = before.get(customer_id, {}), changed.get(customer_id, set())
                existed = created is not None and _utc(created) < when
                for key, value in old.items():
                    if key not in known:
                        mine[key] = value
                for key, value in (now_values or {}).items():
                    if key not in known and key not in old and existed and key not in keys_changed:
                        mine[key] = _decoded(value)
            out.update({i: v for i, v in values.items() if v})
        return out

    # -- owners ----------------------------------------------------------------------------

    def owner_figures(self, start: date, end: date, start_at: datetime, today: date) -> list[OwnerFigures]:
        """KPI sums per (sales owner, risk officer) pair, in one pass for both roles and the team;
        the pair's `owner` is "sales|risk" (either part may be empty). reports.kpi folds them."""
        at = self._grades_at(start_at)
        recovery = _E.c.kind == EventKind.RECOVERY.value
        per_customer = (
            select(
                _E.c.customer_id,
                func.sum(case((and_(recovery, _E.c.occurred_on < end), _E.c.amount), else_=0)).label("recovered"),
                func.sum(case((recovery, _E.c.amount), else_=0)).label("since"),
                func.sum(case((and_(_E.c.kind == EventKind.LOSS.value, _E.c.occurred_on < end), _E.c.amount),
                              else_=0)).label("losses"),
            )
            .where(_E.c.occurred_on >= start)
            .group_by(_E.c.customer_id)
            .subquery()
        )
        high = at.c.grade.in_(_HIGH)
        rows = self.session.execute(
            select(
                _C.c.sales_owner,
                _C.c.risk_officer,
                func.count().filter(high),
                func.sum(case((high, per_customer.c.recovered), else_=0)),
                func.sum(case((high, func.coalesce(_C.c.outstanding_amount, 0) + func.coalesce(per_customer.c.since, 0)),
                              else_=0)),
                func.count().filter(or_(_C.c.next_due.is_(None), _C.c.next_due >= today)),
                func.count().filter(_C.c.next_due < today),
                func.sum(per_customer.c.losses),
            )
            .select_from(_C)
            .outerjoin(at, at.c.customer_id == _C.c.id)
            .outerjoin(per_customer, per_customer.c.customer_id == _C.c.id)
            .group_by(_C.c.sales_owner, _C.c.risk_officer)
        )
        return [OwnerFigures(f"{sales or ''}|{risk or ''}", int(n), _amount(rec), _amount(start_amount), int(ok),
                             int(late), _amount(lost))
                for sales, risk, n, rec, start_amount, ok, late, lost in rows]

    def alert_answers(self, start_at: datetime, end_at: datetime) -> list[tuple[str | None, str | None, datetime,
                                                                              datetime | None]]:
        """(sales owner, risk officer, detected_at, first follow-up at or after it) of every alert
        detected in the period."""
        first = (
            select(func.min(Followup.created_at))
            .where(Followup.customer_id == Alert.customer_id, Followup.created_at >= Alert.detected_at)
            .scalar_subquery()
        )
        rows = self.session.execute(
            select(_C.c.sales_owner, _C.c.risk_officer, Alert.detected_at, first)
            .join(_C, _C.c.id == Alert.customer_id)
            .where(Alert.detected_at >= start_at, Alert.detected_at < end_at)
        )
        return [(sales, risk, detected, answered) for sales, risk, detected, answered in rows]


def _utc(value: datetime | str) -> datetime:
    """A driver's timestamp as an aware UTC datetime (SQLite hands back the stored text)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _breakdown_values(breakdown: Any) -> tuple[dict[str, Any], set[str]]:
    """(known values, every key) of a stored breakdown: compact lines `[key, value, share, lost]`
    (`[key]`: unknown) or old ones `{"key", "value", …}` (ledger.stored writes them)."""
    values: dict[str, Any] = {}
    keys: set[str] = set()
    if isinstance(breakdown, str):
        breakdown = json.loads(breakdown)
    for line in (breakdown or {}).get("lines", []):
        if isinstance(line, dict):
            key, value = line["key"], line.get("value")
        else:
            key, value = line[0], line[1] if len(line) > 1 else None
        keys.add(key)
        if value is not None:
            values[key] = _decoded(value)
    return values, keys


def _decoded(value: Any) -> Any:
    """A JSON value back as scoring reads it: an unbounded ratio is stored as the text "inf"."""
    if value == "inf":
        return math.inf
    if value == "-inf":
        return -math.inf
    return value



def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
