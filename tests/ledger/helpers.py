"""Builders for import files and a scored ledger, shared by the ledger tests."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwt

from ledger.importing import ImportReport, import_file
from spreadsheets.rows import Problem
from ledger.rescore import RescoreReport, rescore
from scoring.cadence import Workdays
from scoring.credit_code import check_character
from scoring.profiles import ProfileSet, load_profiles
from storage.uow import Database

NOW = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai
LATER = datetime(2025, 3, 10, 1, 30, tzinfo=UTC)
PROFILES: ProfileSet = load_profiles()
WORKDAYS = Workdays()

CLEAN: dict[str, Any] = {
    "cumulative_amount": 2_000_000, "abnormal_operation_count": 0, "revenue_change_pct": 5,
    "executive_change_count": 0, "tax_arrears_count": 0, "dishonest_debtor_count": 0,
    "overdue_payment_count": 0, "credit_overdue_count": 0, "order_spike_pct": 0,
    "term_extension_days": 0, "return_breach_count": 0, "admin_penalty_max_amount": 0,
    "litigation_ratio_pct": 0,
}


def code(n: int) -> str:
    """A valid credit code per number (the check character computed)."""
    first17 = f"91440300MA{n:07d}"
    return first17 + check_character(first17)


def customer(n: int, **values: Any) -> dict[str, Any]:
    """One import row by field keys: a clean general-profile customer unless `values` say else."""
    return {
        "name": f"测试{n}号电子科技有限公司", "credit_code": code(n), "industry": "五金产品批发",
        "sales_owner": "U0SALES01", "risk_officer": "risk01@example.com", **CLEAN, **values,
    }


def write_csv(path: Path, rows: Iterable[dict[str, Any]], headers: Sequence[str] | None = None,
              encoding: str = "utf-8") -> Path:
    rows = list(rows)
    keys = list(headers or dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(keys)
        for row in rows:
            writer.writerow(["" if row.get(k) is None else row.get(k) for k in keys])
    return path


def write_xlsx(path: Path, rows: Iterable[dict[str, Any]], headers: Sequence[str] | None = None) -> Path:
    rows = list(rows)
    keys = list(headers or dict.fromkeys(k for row in rows for k in row))
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("客户")
    sheet.write_row(0, 0, keys)
    for r, row in enumerate(rows, start=1):
        for c, key in enumerate(keys):
            value = row.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return path


def write_xls(path: Path, rows: Iterable[dict[str, Any]], headers: Sequence[str] | None = None,
              percent: Sequence[str] = ()) -> Path:
    """An Excel 97–2003 workbook; the columns in `percent` hold their values as Excel keeps a
    percentage (35 as 0.35) and are formatted 0%, so they show as typed."""
    rows = list(rows)
    keys = list(headers or dict.fromkeys(k for row in rows for k in row))
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("客户")
    shown_as_percent, as_date = xlwt.easyxf(num_format_str="0%"), xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, key in enumerate(keys):
        sheet.write(0, c, key)
    for r, row in enumerate(rows, start=1):
        for c, key in enumerate(keys):
            value = row.get(key)
            if value is None:
                continue
            if key in percent:
                sheet.write(r, c, value / 100, shown_as_percent)
            elif isinstance(value, date):
                sheet.write(r, c, value, as_date)
            else:
                sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def english(problems: Iterable[Problem]) -> list[str]:
    """Problems in English words (`row N, column C: reason`), as `locale: en` reports them."""
    return [str(problem) for problem in problems]


def run_import(db: Database, path: Path, **options: Any) -> ImportReport:
    options.setdefault("now", NOW)
    return import_file(db, PROFILES, path, workdays=WORKDAYS, **options)


def run_rescore(db: Database, now: datetime = NOW, **options: Any) -> RescoreReport:
    return rescore(db, PROFILES, WORKDAYS, now, **options)
