"""`riskbot export`: the ledger as the 潜在风险客户管理表 workbook (SPEC §11).

Sheets: 客户 (customers: the facts in the import layout, then what riskbot worked out: score,
grade, floors, measures with the computed terms, cadence, follow-up dates, pending change, held
grade), 看板 (summary, with the charts of the grade mix and the losses of the last 12 months),
跟进记录 (follow-ups), 异动标记 (grade changes), 核销 (write-offs), 风险事件 (risk events, in the
layout the events import reads, so they import back unchanged).
With `locale: en` sheets and headers are English and the fact headers are the field keys,
which import reads as well as the labels.

The customers sheet stays first and its derived columns carry the labels of `columns.DERIVED`,
which import recognises and ignores, so the file re-imports unchanged. A derived indicator whose
parts are stored is left blank: its parts are exported and re-import derives it again (an
unbounded ratio has no spreadsheet number).

The 看板 counts with the repository queries the weekly digest and App Home count with (grades,
due and overdue follow-ups, pending requests), so they always agree. Everything is written with
xlsxwriter's constant_memory mode and read in pages: a large ledger never sits in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import io

import xlsxwriter
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ledger import stored
from ledger.export_words import WORDS, Words
from reports.monthly import HISTORY_MONTHS, grade_history, losses_by_month
from scoring.outcomes import month_of, months_ending
from storage.repos.reports import ReportQueries
from scoring.assessment import FloorHit
from scoring.cadence import tracking_grade
from scoring.grades import Grade
from scoring.plans import Plan, plan_for
from scoring.profiles import ProfileSet
from scoring.values import DERIVED_FROM, bounded, derive
from storage.models import (
    Assessment, ChangeStatus, Customer, CustomerAlias, Followup, GradeChange, RiskEvent, WriteOff, WriteOffStatus,
)
from spreadsheets.columns import DERIVED, IDENTITY, import_columns
from spreadsheets.workbook import (
    CUSTOMER, GRADING, INDICATORS, MEASURES, NUMBER_FORMATS, TRACKING, GradedCell, Sheet, SheetColumn, fitted, styles_for,
)
from storage.uow import Database, UnitOfWork

PAGE = 1000
_C = Customer.__table__
_F = Followup.__table__


# (module, width, number format) of each derived column.
_DERIVED_LAYOUT: dict[str, tuple[int, int, str | None]] = {
    "profile_in_use": (GRADING, 14, None), "score": (GRADING, 10, "score"), "grade": (GRADING, 18, None),
    "computed_grade": (GRADING, 10, None), "grade_since": (GRADING, 12, None), "coverage": (GRADING, 10, "share"),
    "floors": (GRADING, 40, None), "plan": (MEASURES, 56, None), "terms_after": (MEASURES, 12, None),
    "prepayment_pct": (MEASURES, 12, "share"), "cadence": (TRACKING, 16, None), "next_due": (TRACKING, 12, None),
    "last_followup": (TRACKING, 30, None), "pending_change": (TRACKING, 34, None), "held_grade": (TRACKING, 12, None),
}
_FOLLOWUP_WIDTHS = (34, 21, 17, 20, 60, 14, 20)
_CHANGE_WIDTHS = (34, 21, 8, 8, 8, 50, 10, 14, 17, 20, 20, 17, 30)
_WRITE_OFF_WIDTHS = (34, 21, 20, 17, 40, 40, 10, 20, 17, 30)
_EVENT_WIDTHS = (34, 21, 10, 12, 16, 8, 40, 10, 24, 20, 17)
_FACT_WIDTHS = {"name": 34, "credit_code": 21, "industry": 18, "sales_owner": 20, "risk_officer": 22}
_UNIT_WIDTHS = {"date": 12, "money": 16, "text": 14}




def _pages(session: Session, stmt: Select[Any], key: Any) -> Iterator[list[Any]]:
    """Keyset paging over `stmt` ordered by the integer column `key`."""
    last = 0
    while True:
        rows = session.execute(stmt.where(key > last).order_by(key).limit(PAGE)).all()
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key.key)


Progress = Callable[[int, int], None]  # (customers written, customers in all)


def export_ledger(db: Database, profiles: ProfileSet, path: Path | str, *, tz: tzinfo = ZoneInfo("Asia/Shanghai"),
                  now: datetime | None = None, locale: str = "zh", progress: Progress | None = None) -> dict[str, int]:
    """Write the workbook; returns the rows written per table sheet. `now` dates the 看板;
    `progress` hears of each page of customers written."""
    words = WORDS[locale]
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    styles = styles_for(workbook)
    customers_name, summary_name, followups_name, changes_name, write_offs_name = words.sheets
    counts: dict[str, int] = {}

    def table(name: str, headers: Sequence[str], widths: Sequence[float], numbers: Mapping[int, str] | None = None) -> Sheet:
        columns = [SheetColumn(h, w, (numbers or {}).get(i)) for i, (h, w) in enumerate(zip(headers, widths, strict=True))]
        return Sheet(workbook, name, columns, styles, tz)

    try:
        # Sheets appear in the order they are added; the customers sheet first, as import reads it.
        customers = Sheet(workbook, customers_name, _customer_columns(profiles, words), styles, tz, frozen_columns=1)
        summary = Sheet(workbook, summary_name, _summary_columns(words), styles, tz, table=False)
        with db.uow() as uow:
            session = uow.session
            counts[customers_name] = _customers(session, _Rows(profiles, words, tz), customers, progress)
            _summary(uow, words, summary, today)
            _charts(ReportQueries(session), summary, tz, now or datetime.now(UTC), today, locale)
            counts[followups_name] = _followups(session, table(followups_name, words.followup_headers, _FOLLOWUP_WIDTHS))
            counts[changes_name] = _changes(session, words, table(
                changes_name, words.change_headers, _CHANGE_WIDTHS, {4: "score"}))
            counts[write_offs_name] = _write_offs(session, words, table(
                write_offs_name, words.write_off_headers, _WRITE_OFF_WIDTHS))
            counts[words.events_sheet] = _events(session, words, table(
                words.events_sheet, words.event_headers, _EVENT_WIDTHS, {4: "money"}))
    finally:
        workbook.close()
    return counts


def _customer_columns(profiles: ProfileSet, words: Words) -> list[SheetColumn]:
    """The import layout's columns, then the derived ones, each with its width and number format."""
    columns = []
    for column in import_columns(profiles):
        header = words.fact_header(column)
        least = _FACT_WIDTHS.get(column.key, _UNIT_WIDTHS.get(column.unit, 10))
        number = column.unit if column.unit in NUMBER_FORMATS else None
        columns.append(SheetColumn(header, fitted(header, least), number, CUSTOMER if column.kind == IDENTITY else INDICATORS))
    for key, zh, en in DERIVED:
        module, width, number = _DERIVED_LAYOUT[key]
        header = words.derived_header(zh, en)
        columns.append(SheetColumn(header, fitted(header, width), number, module))
    return columns


@dataclass(frozen=True)
class _Page:
    """What one page of customers needs from other tables, by customer id."""

    aliases: Mapping[int, list[str]]
    pending: Mapping[int, Any]
    authors: Mapping[int, str]
    floors: Mapping[int, tuple[FloorHit, ...]]


def _page(session: Session, ids: list[int]) -> _Page:
    aliases: dict[int, list[str]] = {}
    for customer_id, alias in session.execute(
        select(CustomerAlias.customer_id, CustomerAlias.alias).where(CustomerAlias.customer_id.in_(ids)).order_by(CustomerAlias.id)
    ):
        aliases.setdefault(customer_id, []).append(alias)
    pending = {
        c.customer_id: c
        for c in session.execute(
            select(GradeChange.customer_id, GradeChange.from_grade, GradeChange.to_grade, GradeChange.requested_at)
            .where(GradeChange.customer_id.in_(ids), GradeChange.status == ChangeStatus.PENDING)
        )
    }
    return _Page(aliases, pending, _last_authors(session, ids), _latest_floors(session, ids))


def _last_authors(session: Session, ids: list[int]) -> dict[int, str]:
    """Who wrote each customer's latest follow-up, found through customers.last_followup_at."""
    latest: dict[int, tuple[int, str]] = {}
    for followup_id, customer_id, author in session.execute(
        select(_F.c.id, _F.c.customer_id, _F.c.author)
        .join(_C, (_C.c.id == _F.c.customer_id) & (_C.c.last_followup_at == _F.c.created_at))
        .where(_F.c.customer_id.in_(ids))
    ):
        if customer_id not in latest or followup_id > latest[customer_id][0]:
            latest[customer_id] = (followup_id, author)
    return {customer_id: author for customer_id, (_, author) in latest.items()}


def _latest_floors(session: Session, ids: list[int]) -> dict[int, tuple[FloorHit, ...]]:
    """The floors of each customer's latest assessment: the ones its stored grade came from."""
    rank = func.row_number().over(
        partition_by=Assessment.customer_id, order_by=(Assessment.assessed_at.desc(), Assessment.id.desc())
    )
    ranked = select(Assessment.customer_id, Assessment.floors, rank.label("rank")).where(
        Assessment.customer_id.in_(ids)).subquery()
    rows = session.execute(select(ranked.c.customer_id, ranked.c.floors).where(ranked.c.rank == 1))
    return {customer_id: hits for customer_id, floors in rows if (hits := stored.floor_hits(floors))}


def _customers(session: Session, rows: _Rows, sheet: Sheet, progress: Progress | None) -> int:
    total = session.scalar(select(func.count()).select_from(_C)) or 0 if progress else 0
    for page in _pages(session, select(_C), _C.c.id):
        facts = _page(session, [r.id for r in page])
        for row in page:
            sheet.add(rows.cells(row, facts))
        if progress:
            progress(sheet.row, total)
    return sheet.close()


def _as_derived(value: Any) -> Any:
    """A stored derived value as `derive` gives it now: an earlier riskbot kept ratios past
    10^15 % as finite numbers, which `derive` makes infinite."""
    return bounded(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class _Rows:
    """Turns a customer row and its page's facts into the customers sheet's cells."""

    def __init__(self, profiles: ProfileSet, words: Words, tz: tzinfo) -> None:
        self.profiles, self.words, self.tz = profiles, words, tz
        self.columns = import_columns(profiles)

    def cells(self, row: Any, page: _Page) -> list[Any]:
        return self._facts(row, page.aliases.get(row.id, [])) + self._derived(row, page)

    def _facts(self, row: Any, aliases: list[str]) -> list[Any]:
        values = stored.decode(row.values)
        parts = row.parts or {}
        # A derived value its parts give is left blank, so a part edited in the sheet recomputes it
        # on re-import; one typed in against its parts is written, so re-importing keeps it.
        derived = derive(parts)
        blank = {key for key, sources in DERIVED_FROM.items()
                 if all(s in parts for s in sources) and derived.get(key) == _as_derived(values.get(key))}
        cells: list[Any] = []
        for column in self.columns:
            key = column.key
            if column.kind == IDENTITY:
                cells.append("、".join(aliases) if key == "aliases" else getattr(row, key))
            elif column.kind == "part":
                cells.append(parts.get(key))
            else:
                cells.append(None if key in blank else values.get(key))
        return cells

    def _derived(self, row: Any, page: _Page) -> list[Any]:
        """The cells of `columns.DERIVED`, in its order."""
        w, tz = self.words, self.tz
        grade = row.held_grade or row.effective_grade
        plan = plan_for(grade, row.credit_terms_days) if grade else None
        pending = page.pending.get(row.id)
        tracking = tracking_grade(row.effective_grade, pending.to_grade if pending else None)
        return [
            row.profile_name,
            None if row.score is None else float(row.score),
            self._grade_cell(grade, row.provisional),
            None if row.computed_grade is None else w.grades[row.computed_grade],
            None if row.grade_since is None else row.grade_since.astimezone(tz).date(),
            None if row.coverage is None else round(row.coverage, 4),
            self._floors(row.profile_name, page.floors.get(row.id, ())),
            None if plan is None else self._measures(plan),
            None if plan is None else plan.terms_after,
            None if plan is None else plan.prepayment_pct / 100,
            None if tracking is None else w.cadence[tracking],
            row.next_due,
            self._last_followup(row.last_followup_at, page.authors.get(row.id)),
            None if pending is None else w.pending.format(
                from_=w.grade(pending.from_grade), to=w.grade(pending.to_grade),
                since=pending.requested_at.astimezone(tz).strftime("%Y-%m-%d")),
            None if row.held_grade is None else GradedCell(w.grades[row.held_grade], row.held_grade),
        ]

    def _grade_cell(self, grade: Grade | None, provisional: bool) -> Any:
        w = self.words
        text = w.ungraded if grade is None else w.grades[grade]
        if provisional:
            text = w.provisional.format(grade=text)
        return text if grade is None else GradedCell(text, grade)

    def _floors(self, profile_name: str | None, hits: tuple[FloorHit, ...]) -> str | None:
        """Each floor as its condition and the grade it forces, as the customer card words it: the
        profile's condition ("失信被执行人记录(近3年) ≥ 1"), the stored reason if the profile moved on."""
        if not hits:
            return None
        w = self.words
        profile = self.profiles.profiles.get(profile_name or "")
        texts = []
        for hit in hits:
            indicator = profile.by_key.get(hit.key) if profile else None
            condition = indicator.floor.condition if indicator and indicator.floor else hit.reason
            texts.append(w.floor.format(condition=condition, grade=w.grades[hit.grade]))
        return w.list_separator.join(texts)

    def _measures(self, plan: Plan) -> str:
        """The plan with the terms worked out for this customer: 账期 60 → 42 天，预付 ≥ 30%."""
        w = self.words
        before, after = plan.terms_before, plan.terms_after
        if after is None:
            terms = w.terms_unknown
        elif before is None:
            terms = w.terms_set.format(after=after)
        elif before == after:
            terms = w.terms_kept.format(days=after)
        else:
            terms = w.terms_moved.format(before=before, after=after)
        details = [terms] + ([w.prepayment.format(pct=plan.prepayment_pct)] if plan.prepayment_pct else [])
        return w.measures.format(summary=w.summaries[plan.grade], details=w.detail_separator.join(details))

    def _last_followup(self, at: datetime | None, author: str | None) -> str | None:
        if at is None:
            return None
        day = at.astimezone(self.tz).strftime("%Y-%m-%d")
        return day if author is None else f"{day} {author}"


def _summary_columns(words: Words) -> list[SheetColumn]:
    s = words.summary
    return [SheetColumn(s["grade"], 30), SheetColumn(s["customers"], 14), SheetColumn(s["outstanding"], 20, "money")]


def _summary(uow: UnitOfWork, words: Words, sheet: Sheet, today: date) -> None:
    """Customers and receivables per grade, due and overdue follow-ups and pending approvals,
    counted as the weekly digest and App Home count them."""
    s = words.summary
    counts = uow.customers.count_by_grade()
    amounts = dict(uow.session.execute(
        select(_C.c.effective_grade, func.coalesce(func.sum(_C.c.outstanding_amount), 0)).group_by(_C.c.effective_grade)
    ).all())
    for grade in (*Grade, None):
        label = words.ungraded if grade is None else GradedCell(words.grades[grade], grade)
        sheet.add([label, counts.get(grade, 0), amounts.get(grade, 0)])
    sheet.add([s["total"], sum(counts.values()), sum(Decimal(str(a)) for a in amounts.values())])
    due, overdue = uow.customers.count_due(today)
    sheet.gap()
    sheet.heading([s["tracking"], s["count"]])
    sheet.add([s["as_of"], today])
    sheet.add([s["due"], due])
    sheet.add([s["overdue"], overdue])
    sheet.add([s["pending_changes"], _count(uow.session, GradeChange, ChangeStatus.PENDING)])
    sheet.add([s["pending_write_offs"], _count(uow.session, WriteOff, WriteOffStatus.PENDING)])
    sheet.close()


def _charts(q: ReportQueries, sheet: Sheet, tz: tzinfo, now: datetime, today: date, locale: str) -> None:
    """The monthly dashboard's charts beside the counts, the current month last."""
    from reports.charts import grade_mix_chart, losses_chart  # matplotlib: imported by the export alone

    months = months_ending(month_of(today), HISTORY_MONTHS)
    pictures = (grade_mix_chart(grade_history(q, months, tz, now)[0], locale), losses_chart(losses_by_month(q, months), locale))
    for n, png in enumerate(pictures):
        sheet.sheet.insert_image(n * 24, 4, f"chart-{n}.png", {"image_data": io.BytesIO(png), "x_scale": 0.75,
                                                               "y_scale": 0.75})


def _count(session: Session, model: Any, status: str) -> int:
    """The rows `all_pending` lists (the digest's pending requests), counted without loading them."""
    return session.scalar(select(func.count()).select_from(model).where(model.status == status)) or 0


def _joined(session: Session, model: Any, sheet: Sheet, cells: Any) -> int:
    stmt = select(model, _C.c.name, _C.c.credit_code).join(_C, _C.c.id == model.customer_id)
    last = 0
    while True:
        rows = session.execute(stmt.where(model.id > last).order_by(model.id).limit(PAGE)).all()
        if not rows:
            return sheet.close()
        for obj, name, code in rows:
            sheet.add([name, code, *cells(obj)])
        last = rows[-1][0].id
        session.expunge_all()  # keep the identity map from growing with the ledger


def _followups(session: Session, sheet: Sheet) -> int:
    return _joined(session, Followup, sheet, lambda f: [f.created_at, f.author, f.text, f.source_channel, f.source_ts])


def _changes(session: Session, words: Words, sheet: Sheet) -> int:
    return _joined(session, GradeChange, sheet, lambda c: [
        words.grade(c.from_grade), words.grade(c.to_grade), None if c.score is None else float(c.score), c.reason,
        words.kinds.get(c.kind, c.kind), words.statuses.get(c.status, c.status), c.requested_at, c.requested_by,
        c.decided_by, c.decided_at, c.note,
    ])


def _write_offs(session: Session, words: Words, sheet: Sheet) -> int:
    return _joined(session, WriteOff, sheet, lambda w: [
        w.requested_by, w.requested_at, w.text, w.evidence, words.write_off_statuses.get(w.status, w.status),
        w.decided_by, w.decided_at, w.note,
    ])


def _events(session: Session, words: Words, sheet: Sheet) -> int:
    return _joined(session, RiskEvent, sheet, lambda e: [
        words.event_kinds.get(e.kind, e.kind), e.occurred_on, e.amount, e.days, e.note, words.grade(e.grade),
        e.source, e.recorded_by, e.recorded_at,
    ])
