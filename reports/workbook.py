"""The quarterly review as an XLSX workbook (`riskbot review quarter --out FILE`): one sheet of
customers, one of how each profile ranked outcomes, one of quiet indicators and, with a
candidate profile, the what-if."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from messages.report_views import QuarterReview, Standing, WhatIf
from scoring.grades import LABELS_ZH, Grade

CUSTOMER_HEADERS = (
    "客户 customer", "统一社会信用代码 credit code", "画像 profile", "首个事件 first event", "事件数 events", "损失金额 loss",
    "季初等级 grade at start", "季初评分 score at start", "30 天前等级 grade 30 days before", "30 天前评分 score",
    "90 天前等级 grade 90 days before", "90 天前评分 score",
)


def grade_text(grade: Grade | None) -> str:
    return "未评级 ungraded" if grade is None else f"{LABELS_ZH[grade]} {grade.value}"


def _standing(s: Standing) -> list[object]:
    return [grade_text(s.grade) if s.grade or s.score is not None else "—", s.score]


def write_review(review: QuarterReview, path: Path, what_if: WhatIf | None = None) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        share = book.add_format({"num_format": "0.0%"})
        sheet = book.add_worksheet(f"客户 {review.quarter}")
        sheet.write_row(0, 0, CUSTOMER_HEADERS, bold)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 22)
        sheet.set_column(2, 11, 16)
        for n, row in enumerate(review.rows, start=1):
            sheet.write_string(n, 0, row.name)
            sheet.write_string(n, 1, row.credit_code)
            sheet.write_string(n, 2, row.profile or "—")
            sheet.write_datetime(n, 3, row.first_on, day)
            sheet.write_number(n, 4, row.events)
            sheet.write_number(n, 5, float(row.loss), money)
            for col, value in enumerate([*_standing(row.at_start), *_standing(row.before_30), *_standing(row.before_90)],
                                        start=6):
                if value is not None:
                    sheet.write(n, col, value)
        quality = book.add_worksheet("评级效果 ranking")
        quality.write_row(0, 0, ("画像 profile", "等级 grade", "客户 customers", "有损失 with loss", "出险率 loss rate",
                                 "AUC", "KS"), bold)
        quality.set_column(0, 6, 16)
        n = 1
        for p in review.profiles:
            for hits in p.hits:
                quality.write_row(n, 0, (p.profile, grade_text(hits.grade), hits.customers, hits.with_loss))
                if hits.rate is not None:
                    quality.write_number(n, 4, hits.rate, share)
                n += 1
            quality.write_row(n, 0, (p.profile, "合计 all", p.customers, p.losses), bold)
            for col, value in ((5, p.auc), (6, p.ks)):
                if value is not None:
                    quality.write_number(n, col, value)
            n += 2
        quiet = book.add_worksheet("未覆盖 not covered")
        quiet.write_row(0, 0, ("指标 indicator", "键 key", "未扣分客户 silent for", "已知 known", "权重 weight",
                               "平均扣分 average points"), bold)
        quiet.set_column(0, 5, 22)
        for n, q in enumerate(review.quiet, start=1):
            quiet.write_row(n, 0, (q.label, q.key, q.silent, q.known, q.weight, round(q.average_points, 2)))
        if what_if is not None:
            sheet = book.add_worksheet("假设 what-if")
            sheet.set_column(0, 2, 26)
            sheet.write_row(0, 0, ("", f"在用 {what_if.profile}", f"候选 {what_if.candidate}"), bold)
            sheet.write_row(1, 0, ("重新评分客户 customers", what_if.customers, what_if.customers))
            sheet.write_row(2, 0, ("有损失 with loss", what_if.losses, what_if.losses))
            sheet.write_row(3, 0, ("已识别 caught (red/black)", what_if.caught_now, what_if.caught_candidate))
            sheet.write_row(4, 0, ("等级变严 stricter", "", what_if.worse))
            sheet.write_row(5, 0, ("等级放宽 looser", "", what_if.better))
    finally:
        book.close()
