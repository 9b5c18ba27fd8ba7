"""`riskbot export`: the whole ledger as one XLSX workbook (SPEC §11).

Sheets: 客户 (customers; first, in the import layout, so the file re-imports without errors),
跟进记录 (follow-ups), 异动标记 (grade changes), 核销 (write-offs). Written with xlsxwriter's
constant_memory mode and read in pages, so a large ledger never sits in memory.

The 客户 sheet's importable columns carry import labels; the computed columns after them
(score, grades, plan, cadence …) carry the labels of `columns.READ_ONLY`, which import accepts
and ignores. A derived indicator whose parts are stored is left blank: its parts are exported
and re-import derives it again (an unbounded ratio has no spreadsheet number).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.usecases import stored
from bot.usecases.columns import READ_ONLY, import_columns
from scoring.cadence import CADENCE_DAYS, CADENCE_ZH, tracking_grade
from scoring.grades import LABELS_ZH, Grade
from scoring.plans import plan_for
from scoring.profiles import ProfileSet
from scoring.values import DERIVED_FROM, bounded, derive
from storage.models import ChangeStatus, Customer, CustomerAlias, Followup, GradeChange, WriteOff
from storage.uow import Database

PAGE = 1000
STATUS_ZH = {
    ChangeStatus.AUTO_APPLIED: "自动生效", ChangeStatus.PENDING: "待审批", ChangeStatus.APPROVED: "已批准",
    ChangeStatus.REJECTED: "已驳回", ChangeStatus.SUPERSEDED: "已被新申请取代", ChangeStatus.WITHDRAWN: "已撤回",
}
WRITE_OFF_ZH = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回"}
KIND_ZH = {"computed": "系统评分", "manual": "人工调级"}

_C = Customer.__table__


def _grade(grade: Grade | None) -> str | None:
    return None if grade is None else LABELS_ZH[grade]


class _Sheet:
    """One worksheet written row by row with the cell type each value needs."""

    def __init__(self, workbook: Any, name: str, headers: Sequence[str], formats: dict[str, Any], tz: tzinfo) -> None:
        self.sheet = workbook.add_worksheet(name)
        self.formats, self.tz = formats, tz
        self.sheet.write_row(0, 0, headers, formats["header"])
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def add(self, values: Sequence[Any]) -> None:
        self.row += 1
        write, row, f = self.sheet, self.row, self.formats
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                write.write_string(row, col, "是" if value else "否")
            elif isinstance(value, datetime):
                write.write_datetime(row, col, value.astimezone(self.tz).replace(tzinfo=None), f["datetime"])
            elif isinstance(value, date):
                write.write_datetime(row, col, value, f["date"])
            elif isinstance(value, int | float | Decimal):
                number = float(value)
                if math.isfinite(number):
                    write.write_number(row, col, number)
            else:
                write.write_string(row, col, str(value))


def _pages(session: Session, stmt: Select[Any], key: Any) -> Iterator[list[Any]]:
    """Keyset paging over `stmt` ordered by the integer column `key`."""
    last = 0
    while True:
        rows = session.execute(stmt.where(key > last).order_by(key).limit(PAGE)).all()
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key.key)


def export_ledger(db: Database, profiles: ProfileSet, path: Path | str, *, tz: tzinfo = ZoneInfo("Asia/Shanghai")) -> dict[str, int]:
    """Write the workbook; returns rows written per sheet."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    counts: dict[str, int] = {}
    try:
        with db.uow() as uow:
            session = uow.session
            counts["客户"] = _customers(session, profiles, _Sheet(workbook, "客户", _customer_headers(profiles), formats, tz), tz)
            counts["跟进记录"] = _followups(session, _Sheet(workbook, "跟进记录", (
                "客户全称", "统一社会信用代码", "时间", "记录人", "跟进内容", "来源频道", "来源消息"), formats, tz))
            counts["异动标记"] = _changes(session, _Sheet(workbook, "异动标记", (
                "客户全称", "统一社会信用代码", "原等级", "新等级", "评分", "原因", "类型", "状态",
                "申请时间", "申请人", "审批人", "审批时间", "备注"), formats, tz))
            counts["核销"] = _write_offs(session, _Sheet(workbook, "核销", (
                "客户全称", "统一社会信用代码", "申请人", "申请时间", "说明", "证据", "状态",
                "审批人", "审批时间", "备注"), formats, tz))
    finally:
        workbook.close()
    return counts


def _customer_headers(profiles: ProfileSet) -> list[str]:
    return [c.label for c in import_columns(profiles)] + [c.label for c in READ_ONLY]


def _customers(session: Session, profiles: ProfileSet, sheet: _Sheet, tz: tzinfo) -> int:
    columns = import_columns(profiles)
    count = 0
    for page in _pages(session, select(_C), _C.c.id):
        ids = [r.id for r in page]
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
        for row in page:
            sheet.add(_customer_cells(row, columns, aliases.get(row.id, []), pending.get(row.id), tz))
            count += 1
    return count


def _as_derived(value: Any) -> Any:
    """A stored derived value as `derive` gives it now: an earlier riskbot kept ratios past
    10^15 % as finite numbers, which `derive` makes infinite."""
    return bounded(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _customer_cells(row: Any, columns: Sequence[Any], aliases: list[str], pending: Any, tz: tzinfo) -> list[Any]:
    values = stored.decode(row.values)
    parts = row.parts or {}
    # A derived value its parts give is left blank, so a part edited in the sheet recomputes it
    # on re-import; one typed in against its parts is written, so re-importing keeps it.
    derived = derive(parts)
    blank = {key for key, sources in DERIVED_FROM.items()
             if all(s in parts for s in sources) and derived.get(key) == _as_derived(values.get(key))}
    cells: list[Any] = []
    for column in columns:
        key = column.key
        if column.kind == "identity":
            cells.append("、".join(aliases) if key == "aliases" else getattr(row, key))
        elif column.kind == "part":
            cells.append(parts.get(key))
        else:
            cells.append(None if key in blank else values.get(key))
    grade = row.held_grade or row.effective_grade
    plan = plan_for(grade, row.credit_terms_days) if grade else None
    tracking = tracking_grade(row.effective_grade, pending.to_grade if pending else None)
    pending_text = None
    if pending is not None:
        when = pending.requested_at.astimezone(tz).strftime("%Y-%m-%d")
        pending_text = f"{_grade(pending.from_grade) or '无'} → {_grade(pending.to_grade)}（{when} 申请，待审批）"
    cells += [
        row.profile_name,
        None if row.score is None else float(row.score),
        None if row.coverage is None else round(row.coverage * 100, 1),
        row.provisional if row.score is not None else None,
        _grade(row.computed_grade),
        _grade(row.effective_grade),
        None if row.grade_since is None else row.grade_since.astimezone(tz).date(),
        _grade(row.held_grade),
        pending_text,
        plan.summary if plan else None,
        plan.terms_after if plan else None,
        plan.prepayment_pct if plan else None,
        f"{CADENCE_ZH[tracking]}（{CADENCE_DAYS[tracking]}天）" if tracking else None,
        None if row.last_followup_at is None else row.last_followup_at.astimezone(tz).date(),
        row.next_due,
    ]
    return cells


def _joined(session: Session, model: Any, sheet: _Sheet, cells: Callable[[Any], list[Any]]) -> int:
    stmt = select(model, _C.c.name, _C.c.credit_code).join(_C, _C.c.id == model.customer_id)
    count = 0
    last = 0
    while True:
        rows = session.execute(stmt.where(model.id > last).order_by(model.id).limit(PAGE)).all()
        if not rows:
            return count
        for obj, name, code in rows:
            sheet.add([name, code, *cells(obj)])
            count += 1
        last = rows[-1][0].id
        session.expunge_all()  # keep the identity map from growing with the ledger


def _followups(session: Session, sheet: _Sheet) -> int:
    return _joined(session, Followup, sheet, lambda f: [f.created_at, f.author, f.text, f.source_channel, f.source_ts])


def _changes(session: Session, sheet: _Sheet) -> int:
    return _joined(session, GradeChange, sheet, lambda c: [
        _grade(c.from_grade) or "无", _grade(c.to_grade), None if c.score is None else float(c.score), c.reason,
        KIND_ZH.get(c.kind, c.kind), STATUS_ZH.get(c.status, c.status), c.requested_at, c.requested_by,
        c.decided_by, c.decided_at, c.note,
    ])


def _write_offs(session: Session, sheet: _Sheet) -> int:
    return _joined(session, WriteOff, sheet, lambda w: [
        w.requested_by, w.requested_at, w.text, w.evidence, WRITE_OFF_ZH.get(w.status, w.status),
        w.decided_by, w.decided_at, w.note,
    ])
