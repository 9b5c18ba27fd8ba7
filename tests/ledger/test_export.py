"""The exported 潜在风险客户管理表 (issue 15) as a person opening it in Excel sees it: the computed
columns after the facts, grade colours, frozen header, filters, number formats, the 看板, English
with `locale: en`, and a re-import that changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import update

from bot.config import Config
from bot.services import build_services
from spreadsheets.columns import DERIVED, READ_ONLY, READ_ONLY_KIND, header_key, header_map, import_columns
from bot.usecases.digest import digest_view
from ledger.exporting import export_ledger
from scoring.grades import Grade
from storage.models import Customer, Followup, WriteOff
from storage.uow import Database
from tests.ledger.helpers import CLEAN, LATER, NOW, PROFILES, code, customer, run_import, write_csv

DERIVED_ZH = ["使用模板", "风险得分", "风险等级", "计算等级", "等级生效日期", "评分覆盖率", "触发的底线", "对应措施",
              "建议账期(天)", "最低预付比例", "跟进频率", "下次跟进日期", "最近跟进", "待审批变更", "人工定级"]
PROVISIONAL_ONLY = {"overdue_payment_count": 1, "dishonest_debtor_count": 0, "tax_arrears_count": 0}


def _ledger(db: Database, tmp_path: Path) -> None:
    """Five customers, graded on NOW (Monday 2025-03-03), then a week of desk work up to LATER:
    1 blue (followed up), 2 yellow (held by hand), 3 yellow by a floor (due on LATER),
    4 red by a floor (its first grade waits for a director), 5 blue on incomplete data."""
    rows = [
        customer(1, credit_terms_days=60, outstanding_amount=1000.5),
        customer(2, credit_terms_days=60, outstanding_amount=20000, tax_arrears_count=1, overdue_payment_count=2,
                 cumulative_amount=500_000),
        customer(3, credit_terms_days=30, outstanding_amount=300, dishonest_debtor_count=1),
        customer(4, credit_terms_days=45, outstanding_amount=5000, overdue_payment_count=4),
        customer(5, **{key: None for key in CLEAN} | PROVISIONAL_ONLY),
    ]
    assert run_import(db, write_csv(tmp_path / "in.csv", rows)).ok
    with db.uow() as uow:
        first, second, third = (uow.customers.get_by_code(code(n)) for n in (1, 2, 3))
        uow.followups.add(Followup(customer_id=first.id, author="U0SALES01", text="已电话沟通", created_at=LATER,
                                   source_channel="C0FOLLOW1", source_ts="1741570200.000100"))
        uow.writeoffs.add(WriteOff(customer_id=first.id, requested_by="U0SALES01", requested_at=LATER, text="已结清",
                                   evidence="https://example.com/receipt", status="pending"))
        session = uow.session
        session.execute(update(Customer).where(Customer.id == first.id).values(last_followup_at=LATER))
        session.execute(update(Customer).where(Customer.id == second.id).values(held_grade=Grade.YELLOW))
        session.execute(update(Customer).where(Customer.id == third.id).values(next_due=date(2025, 3, 10)))
        uow.commit()


def _export(db: Database, tmp_path: Path, locale: str = "zh") -> Path:
    path = tmp_path / f"台账-{locale}.xlsx"
    export_ledger(db, PROFILES, path, now=LATER, locale=locale)
    return path


def _customers(sheet: Any) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """(headers, each customer's cells by header, keyed by credit code)."""
    headers = [c.value for c in sheet[1]]
    rows = {row[1].value: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    return headers, rows


def test_the_customers_sheet_carries_the_grade_floors_measures_and_follow_up_after_the_facts(
    db: Database, tmp_path: Path
) -> None:
    _ledger(db, tmp_path)
    sheet = openpyxl.load_workbook(_export(db, tmp_path)).worksheets[0]
    headers, rows = _customers(sheet)
    facts = [c.label for c in import_columns(PROFILES)]

    assert headers == facts + DERIVED_ZH
    blue, yellow, floored, red, thin = (rows[code(n)] for n in range(1, 6))
    assert blue["风险得分"].value == 100 and blue["风险等级"].value == "蓝标"
    assert blue["对应措施"].value == "正常合作，可给予最优账期（账期 60 天不变）"
    assert blue["最近跟进"].value == "2025-03-10 U0SALES01" and blue["跟进频率"].value == "季度（90天）"
    assert blue["下次跟进日期"].value.date() == date(2025, 6, 1)  # 90 days after the grade took effect
    assert yellow["风险得分"].value == 82.6 and yellow["风险等级"].value == "黄标" and yellow["人工定级"].value == "黄标"
    assert yellow["对应措施"].value == "账期压缩30%，预付款比例不低于30%（账期 60 → 42 天，预付 ≥ 30%）"
    assert yellow["建议账期(天)"].value == 42 and yellow["最低预付比例"].value == 0.3
    assert yellow["触发的底线"].value is None and blue["人工定级"].value is None
    assert floored["风险得分"].value == 86.6 and floored["触发的底线"].value == "失信被执行人记录(近3年) ≥ 1 → 至少黄标"
    assert floored["对应措施"].value == "账期压缩30%，预付款比例不低于30%（账期 30 → 21 天，预付 ≥ 30%）"
    # A first grade of red waits for a director: no grade in force yet, tracked weekly already.
    assert red["风险等级"].value == "未评级" and red["计算等级"].value == "红标" and red["对应措施"].value is None
    assert red["触发的底线"].value == "历史逾期付款次数(逾期>30天) > 3 → 至少红标"
    assert red["待审批变更"].value == "无 → 红标（2025-03-03 起待审批）" and red["跟进频率"].value == "周度（7天）"
    assert thin["风险得分"].value == 86.5 and thin["风险等级"].value == "蓝标（资料不全）"
    assert thin["评分覆盖率"].value == pytest.approx(37 / 112, abs=1e-4) and blue["评分覆盖率"].value == 1


def test_grade_cells_are_filled_in_their_colour_and_the_sheet_reads_like_a_spreadsheet(
    db: Database, tmp_path: Path
) -> None:
    _ledger(db, tmp_path)
    sheet = openpyxl.load_workbook(_export(db, tmp_path)).worksheets[0]
    headers, rows = _customers(sheet)
    blue, yellow, red = (rows[code(n)]["风险等级"] for n in (1, 2, 4))

    assert (blue.fill.fgColor.rgb, blue.font.color.rgb) == ("FF2F75B5", "FFFFFFFF")  # white on blue
    assert (yellow.fill.fgColor.rgb, yellow.font.color.rgb) == ("FFFFD966", "FF000000")  # black on yellow
    assert rows[code(2)]["人工定级"].fill.fgColor.rgb == "FFFFD966"
    assert red.fill.fill_type is None  # no grade in force: no colour
    assert sheet.freeze_panes == "B2"  # the header row and the customer's name stay in view
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(headers))}6"
    first = rows[code(1)]
    assert first["待回款金额"].number_format == '"¥"#,##0.00' and first["待回款金额"].value == 1000.5
    assert first["累计历史交易额"].number_format == first["行政处罚记录(近3年单次最高金额)"].number_format == '"¥"#,##0.00'
    assert first["评分覆盖率"].number_format == "0%" and rows[code(2)]["最低预付比例"].number_format == "0%"
    assert first["近半年营收波动幅度"].number_format == 'General"%"'  # 5 reads 5%, and re-imports as 5
    assert first["风险得分"].number_format == "0.0" and first["下次跟进日期"].number_format == "yyyy-mm-dd"
    widths = {h: sheet.column_dimensions[get_column_letter(i + 1)].width for i, h in enumerate(headers)}
    assert widths["客户全称"] >= 30 and widths["统一社会信用代码"] >= 20 and widths["对应措施"] >= 50
    assert all(width >= 10 for width in widths.values())


def _summary(path: Path) -> list[tuple[Any, ...]]:
    return [row for row in openpyxl.load_workbook(path)["看板"].iter_rows(values_only=True) if any(row)]


def test_the_summary_sheet_counts_grades_receivables_follow_ups_and_approvals(db: Database, tmp_path: Path) -> None:
    _ledger(db, tmp_path)
    path = _export(db, tmp_path)

    assert openpyxl.load_workbook(path).sheetnames == ["客户", "看板", "跟进记录", "异动标记", "核销", "风险事件"]
    summary = _summary(path)
    assert summary[:7] == [
        ("风险等级", "客户数", "待回款金额"),
        ("蓝标", 2, 1000.5),  # customers 1 and 5 (who has no amount)
        ("黄标", 2, 20300),  # customers 2 and 3
        ("红标", 0, 0),
        ("黑标", 0, 0),
        ("未评级", 1, 5000),  # customer 4, waiting for a director
        ("合计", 5, 26300.5),
    ]
    assert [row[:2] for row in summary[7:]] == [
        ("跟进与审批", "数量"),
        ("统计日期", datetime(2025, 3, 10)),
        ("今日到期跟进", 1),  # customer 3, due on 2025-03-10
        ("逾期跟进", 1),  # customer 4: due the next workday after its red request, 2025-03-04
        ("待审批变更", 1),
        ("待审批核销", 1),
    ]
    sheet = openpyxl.load_workbook(path)["看板"]
    assert sheet["A2"].fill.fgColor.rgb == "FF2F75B5" and sheet["C2"].number_format == '"¥"#,##0.00'


def test_the_summary_counts_what_the_weekly_digest_counts(db: Database, tmp_path: Path) -> None:
    _ledger(db, tmp_path)
    summary = {row[0]: row[1] for row in _summary(_export(db, tmp_path))}
    digest = digest_view(build_services(Config(), db, lambda: LATER), LATER)

    assert {grade: summary[label] for grade, label in zip(Grade, ("蓝标", "黄标", "红标", "黑标"), strict=True)} == dict(
        digest.grade_mix)
    assert summary["待审批变更"] == len(digest.pending)


def test_an_export_reimports_with_every_customer_unchanged(db: Database, tmp_path: Path) -> None:
    _ledger(db, tmp_path)

    report = run_import(db, _export(db, tmp_path), now=LATER)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert report.warnings == []


def test_a_long_export_reports_its_progress_page_by_page(db: Database, tmp_path: Path, monkeypatch: Any) -> None:
    from ledger import exporting

    _ledger(db, tmp_path)
    monkeypatch.setattr(exporting, "PAGE", 2)  # five customers: three pages
    heard: list[tuple[int, int]] = []
    exporting.export_ledger(db, PROFILES, tmp_path / "x.xlsx", now=LATER, progress=lambda done, total: heard.append((done, total)))
    assert heard == [(2, 5), (4, 5), (5, 5)]


def test_locale_en_writes_english_sheets_and_headers_and_still_reimports_unchanged(db: Database, tmp_path: Path) -> None:
    _ledger(db, tmp_path)
    path = _export(db, tmp_path, "en")
    workbook = openpyxl.load_workbook(path)

    assert workbook.sheetnames == ["Customers", "Summary", "Follow-ups", "Grade changes", "Write-offs", "Events"]
    headers, rows = _customers(workbook["Customers"])
    assert headers == [c.key for c in import_columns(PROFILES)] + [en for _, _, en in DERIVED]
    yellow, red, thin = rows[code(2)], rows[code(4)], rows[code(5)]
    assert yellow["Risk grade"].value == "Yellow" and yellow["Risk grade"].fill.fgColor.rgb == "FFFFD966"
    assert yellow["Measures"].value == "Terms cut by 30% + prepayment (terms 60 → 42 days, prepay ≥ 30%)"
    assert red["Pending change"].value == "none → Red (pending since 2025-03-03)"
    assert red["Floors triggered"].value == "历史逾期付款次数(逾期>30天) > 3 → at least Red"
    assert thin["Risk grade"].value == "Blue (incomplete data)"
    assert [c.value for c in workbook["Summary"][1]] == ["Grade", "Customers", "Outstanding"]
    assert [c.value for c in workbook["Follow-ups"][1]][:4] == ["Customer", "Credit code", "Time", "Author"]

    report = run_import(db, path, now=LATER)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)


@pytest.mark.parametrize("label", [c.label for c in READ_ONLY])
def test_every_derived_header_in_either_language_or_an_earlier_export_is_recognised_and_ignored(label: str) -> None:
    assert header_map(PROFILES)[header_key(label)].kind == READ_ONLY_KIND
