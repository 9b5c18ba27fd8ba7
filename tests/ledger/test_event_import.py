"""Importing risk events (风险事件): `riskbot import --events FILE` and a workbook's events sheet,
all or nothing, an unknown customer refused, a second import adding nothing."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import xlsxwriter
from sqlalchemy import func, select, text
from typer.testing import CliRunner, Result

from bot.cli import app
from ledger.event_import import EventReport, import_events, read_events
from ledger.exporting import export_ledger
from storage.db import make_engine
from storage.models import AuditEntry, RiskEvent
from storage.uow import Database
from messages.plain import words
from tests.ledger.helpers import NOW, PROFILES, code, customer, run_import, write_csv, write_xls

ZH = ["统一社会信用代码", "客户名称", "事件类型", "发生日期", "金额", "天数", "备注"]


def write_events(path: Path, rows: list[list[Any]], headers: list[str] = ZH) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def events_of(db: Database) -> list[RiskEvent]:
    with db.uow() as uow:
        return list(uow.session.scalars(select(RiskEvent).order_by(RiskEvent.id)))


@pytest.fixture
def ledger(db: Database, tmp_path: Path) -> Database:
    """Customers 1 and 2 (2 yellow), graded on NOW; 3 and 4 share a name."""
    rows = [customer(1), customer(2, tax_arrears_count=1, overdue_payment_count=2, cumulative_amount=500_000),
            customer(3, name="同名贸易有限公司"), customer(4, name="同名贸易有限公司")]
    assert run_import(db, write_csv(tmp_path / "customers.csv", rows)).ok
    return db


def imported(db: Database, path: Path) -> EventReport:
    checked = read_events(path, today=NOW.date())
    assert checked is not None
    return import_events(db, checked, now=NOW, tz=ZoneInfo("Asia/Shanghai"), actor="cli:test")


def test_events_are_stored_by_code_or_name_with_the_grade_of_that_day_and_audited(ledger: Database, tmp_path: Path) -> None:
    path = write_events(tmp_path / "events.csv", [
        [code(2), "", "逾期", "2025-03-03", "12万", "45天", "两笔货款"],
        ["", "测试1号电子科技有限公司", "recovery", "2025/3/1", "￥3,000.50", "", ""],
        [code(1), "", "终止合作", "2025年3月2日", "", "", ""],
    ])
    report = imported(ledger, path)
    assert (report.ok, report.rows, report.added, report.already) == (True, 3, 3, 0)
    first, second, third = events_of(ledger)
    assert (first.kind, first.amount, first.days, first.note, first.occurred_on) == (
        "overdue", Decimal("120000.00"), 45, "两笔货款", date(2025, 3, 3))
    assert first.grade == "yellow"  # graded on NOW, the day it happened
    assert (second.kind, second.amount, second.grade) == ("recovery", Decimal("3000.50"), None)  # before its first grade
    assert third.kind == "cooperation_ended" and third.amount is None
    assert {e.source for e in (first, second, third)} == {"import:events.csv"}
    assert all(e.source_key and e.recorded_by == "cli:test" for e in (first, second, third))
    with ledger.uow() as uow:
        audited = uow.session.scalar(select(func.count()).where(AuditEntry.action == "risk_event.recorded"))
    assert audited == 3


def test_an_excel_97_events_file_reads_dates_and_numbers_as_excel_keeps_them(ledger: Database, tmp_path: Path) -> None:
    path = write_xls(tmp_path / "events.xls", [
        {"credit_code": code(2), "kind": "overdue", "occurred_on": date(2025, 2, 28), "amount": 56000.5, "days": 31},
    ])
    report = imported(ledger, path)
    assert report.ok and report.added == 1
    [event] = events_of(ledger)
    assert (event.occurred_on, event.amount, event.days) == (date(2025, 2, 28), Decimal("56000.50"), 31)


def test_importing_the_same_sheet_again_adds_nothing(ledger: Database, tmp_path: Path) -> None:
    path = write_events(tmp_path / "events.csv", [[code(2), "", "坏账", "2025-03-01", "8.5万", "", ""]])
    assert imported(ledger, path).added == 1
    again = imported(ledger, write_events(tmp_path / "renamed.csv", [[code(2), "", "损失", "2025-03-01", "85000", "", ""]]))
    assert (again.ok, again.added, again.already) == (True, 0, 1)
    assert len(events_of(ledger)) == 1


def test_bad_rows_name_row_and_column_and_nothing_is_written(ledger: Database, tmp_path: Path) -> None:
    path = write_events(tmp_path / "bad.csv", [
        [code(1), "", "回款", "2025-03-01", "5000", "", ""],  # good, but not written
        [code(1), "", "天灾", "2025-03-01", "5000", "", ""],
        [code(1), "", "逾期", "2025-03-01", "", "30天", ""],
        [code(1), "", "回款", "2025-03-09", "-5", "", ""],
        [code(9), "", "回款", "2025-03-01", "5000", "", ""],
        ["", "同名贸易有限公司", "立案", "2025-03-01", "", "", ""],
        ["", "", "立案", "", "", "", ""],
    ])
    report = imported(ledger, path)
    assert not report.ok and events_of(ledger) == []
    assert [p.text(words("en")) for p in report.errors] == [
        "row 3, column 事件类型: event type '天灾' is unknown: use overdue, loss, recovery, legal_opened, legal_closed or ended",
        "row 4, column 金额: amount is required for overdue: write it in yuan, e.g. 120000 or 12万",
        "row 5, column 金额: amount cannot be negative (-5): record money back as a recovery with a positive amount",
        f"row 6, column 统一社会信用代码: no customer '{code(9)}' in the ledger: import the customer first, or check the code and name",
        "row 7, column 客户名称: 2 customers are called '同名贸易有限公司': fill in the credit code instead",
        "row 8, column 统一社会信用代码: customer is required: fill in the credit code or the customer name",
        "row 8, column 发生日期: date is required: write it like 2026-03-01",
    ]


def test_a_workbook_with_customers_and_an_events_sheet_is_one_transaction(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    rows = [customer(7)]
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, list(rows[0]))
    sheet.write_row(1, 0, list(rows[0].values()))
    events = book.add_worksheet("风险事件")
    events.write_row(0, 0, ZH)
    events.write_row(1, 0, [code(7), "", "逾期", "2025-03-03", 120000, 45, ""])
    events.write_row(2, 0, [code(7), "", "逾期", "2025-03-04", 1, 1, ""])  # tomorrow: refused
    book.close()

    checked = read_events(path, today=NOW.date(), named_only=True)
    report = run_import(db, path, events=checked)
    assert not report.ok and report.events is not None and report.events.error_count == 1
    with db.uow() as uow:
        assert uow.customers.get_by_code(code(7)) is None  # the customers were not written either

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, list(rows[0]))
    sheet.write_row(1, 0, list(rows[0].values()))
    events = book.add_worksheet("Events")
    events.write_row(0, 0, ["credit_code", "kind", "occurred_on", "amount", "days"])
    events.write_row(1, 0, [code(7), "overdue", "2025-03-03", 120000, 45])
    book.close()
    dry = run_import(db, path, dry_run=True, events=read_events(path, today=NOW.date(), dry_run=True, named_only=True))
    assert dry.ok and dry.created == 1 and dry.events.added == 1  # for the customer it would create
    assert events_of(db) == []
    report = run_import(db, path, events=read_events(path, today=NOW.date(), named_only=True))
    assert report.ok and report.created == 1 and report.events.added == 1
    [event] = events_of(db)
    assert (event.amount, event.days, event.grade) == (Decimal("120000.00"), 45, "blue")


def test_the_export_lists_every_event_and_imports_back_adding_nothing(ledger: Database, tmp_path: Path) -> None:
    imported(ledger, write_events(tmp_path / "events.csv", [
        [code(2), "", "逾期", "2025-03-03", "12万", "45天", "两笔"], [code(1), "", "立案", "2025-03-02", "", "", ""]]))
    with ledger.uow() as uow:  # as /risk 事件 stores one: no source_key
        uow.risk_events.add(RiskEvent(customer_id=uow.customers.get_by_code(code(1)).id, kind="recovery",
                                      occurred_on=date(2025, 3, 1), amount=Decimal("500.00"), note="转账",
                                      source="slack:U0ASKER", recorded_by="U0ASKER", recorded_at=NOW))
        uow.commit()
    for locale in ("zh", "en"):
        path = tmp_path / f"export-{locale}.xlsx"
        counts = export_ledger(ledger, PROFILES, path, now=NOW, locale=locale)
        assert counts["风险事件" if locale == "zh" else "Events"] == 3
        checked = read_events(path, today=NOW.date(), named_only=True)
        assert checked is not None and checked.report.ok, checked.report.errors
        report = run_import(ledger, path, events=checked)
        assert report.ok and report.created == 0 and report.updated == 0
        assert (report.events.added, report.events.already) == (0, 3)
    assert len(events_of(ledger)) == 3


def test_the_command_line_imports_events_alone_and_again_adds_nothing(database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_url, "RISKBOT_CONFIG": None}
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(write_csv(tmp_path / "c.csv", [customer(1)]))], env=env).exit_code == 0
    path = write_events(tmp_path / "events.csv", [[code(1), "", "回款", "2026-11-01", "12万", "", "到账"]])
    first: Result = runner.invoke(app, ["import", "--events", str(path)], env=env)
    assert first.exit_code == 0, first.stderr
    assert "events.csv：风险事件 1 行，新增 1，已导入过 0" in first.stdout
    again = runner.invoke(app, ["import", "--events", str(path)], env=env)
    assert "新增 0，已导入过 1" in again.stdout
    bad = runner.invoke(app, ["import", "--events", str(write_events(tmp_path / "bad.csv", [
        [code(2), "", "回款", "2026-11-01", "5000", "", ""]]))], env=env)
    assert bad.exit_code == 2
    assert bad.stderr.splitlines() == [
        f"riskbot: 第 2 行，统一社会信用代码：台账中没有客户“{code(2)}”：请先导入该客户，或检查信用代码与名称",
        "riskbot: bad.csv 的风险事件有 1 处问题，未做任何修改。请修正以上各行后重新导入。",
    ]
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM risk_events")) == 1
    engine.dispose()
    export = tmp_path / "台账.xlsx"
    assert runner.invoke(app, ["export", str(export)], env=env).exit_code == 0
    back = runner.invoke(app, ["import", str(export)], env=env)
    assert back.exit_code == 0, back.stderr
    assert "台账.xlsx：风险事件 1 行，新增 0，已导入过 1" in back.stdout and "未变 1" in back.stdout
    nothing = runner.invoke(app, ["import"], env=env)
    assert nothing.exit_code == 2 and "--events" in nothing.stderr
