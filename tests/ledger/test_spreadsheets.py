"""The blank template and the ledger export (SPEC §11), read back as Excel users would see them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from sqlalchemy import update

from spreadsheets.columns import header_key, header_map, import_columns
from ledger.exporting import export_ledger
from spreadsheets.template import INDUSTRIES, write_template
from scoring.grades import Grade
from storage.models import ChangeKind, ChangeStatus, Customer, Followup, GradeChange, WriteOff
from storage.uow import Database
from tests.ledger.helpers import LATER, NOW, PROFILES, code, customer, english, run_import, write_csv


def test_the_template_has_label_headers_notes_drop_downs_and_a_frozen_header(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path, PROFILES)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]

    assert sheet.title == "客户" and sheet.freeze_panes == "A2"
    assert headers == [c.label for c in import_columns(PROFILES)]
    assert headers[:2] == ["客户全称", "统一社会信用代码"] and "负债率" in headers and "最近一期净资产" in headers
    assert all(cell.comment is not None and cell.comment.text for cell in sheet[1])
    assert "例" in sheet["B1"].comment.text

    def validation_of(label: str) -> openpyxl.worksheet.datavalidation.DataValidation:
        column = openpyxl.utils.get_column_letter(headers.index(label) + 1)
        return next(v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(f"{column}2:"))

    industry, profile, rating = validation_of("所属行业"), validation_of("适用模板"), validation_of("客户付费意愿评级")
    assert industry.type == profile.type == rating.type == "list"
    assert rating.formula1 == '"A,B,C,D"'
    options = workbook["选项"]
    assert options.sheet_state == "hidden"
    assert [c.value for c in options["A"][1:]] == list(INDUSTRIES)
    assert [c.value for c in options["B"][1:] if c.value] == PROFILES.names()
    assert validation_of("失信被执行人记录(近3年)").type == "whole"


def test_every_suggested_industry_maps_to_a_profile_a_reader_would_expect() -> None:
    mapped = {name: PROFILES.profile_name_for(None, name) for name in INDUSTRIES}
    assert mapped["电子元器件制造"] == "manufacturing" and mapped["互联网零售"] == "ecommerce"
    assert mapped["软件开发"] == "services" and mapped["商业保理"] == "finance"
    assert mapped["道路货物运输"] == "general"


def test_every_template_header_is_an_import_header() -> None:
    known = header_map(PROFILES)
    assert all(known[header_key(c.label)].key == c.key for c in import_columns(PROFILES))


def _ledger(db: Database, tmp_path: Path) -> None:
    rows = [
        {**customer(1), "aliases": "一号、壹号", "since": "2020-01-15", "credit_terms_days": 60, "outstanding_amount": 1000.5},
        customer(2, dishonest_debtor_count=1, last_order_amount=500, avg_order_amount_12m=100,
                 pending_litigation_amount=10, net_assets=-1, order_spike_pct=None, litigation_ratio_pct=None),
        customer(3, overdue_payment_count=4, industry="软件开发", payment_willingness="B"),
    ]
    assert run_import(db, write_csv(tmp_path / "in.csv", rows)).ok
    with db.uow() as uow:
        first = uow.customers.get_by_code(code(1))
        uow.followups.add(Followup(customer_id=first.id, author="U0SALES01", text="已电话沟通", created_at=LATER,
                                   source_channel="C0FOLLOW1", source_ts="1741570200.000100"))
        uow.writeoffs.add(WriteOff(customer_id=first.id, requested_by="U0SALES01", requested_at=LATER, text="已结清",
                                   evidence="https://example.com/receipt", status="pending"))
        uow.session.execute(update(Customer).where(Customer.id == first.id).values(last_followup_at=LATER))
        uow.commit()


def test_the_export_writes_six_sheets_with_the_ledger(db: Database, tmp_path: Path) -> None:
    _ledger(db, tmp_path)
    path = tmp_path / "ledger.xlsx"
    counts = export_ledger(db, PROFILES, path)

    assert counts == {"客户": 3, "跟进记录": 1, "异动标记": 3, "核销": 1, "风险事件": 0}
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["客户", "看板", "跟进记录", "异动标记", "核销", "风险事件"]
    customers = list(workbook["客户"].iter_rows(values_only=True))
    header = customers[0]
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in customers[1:]}
    first, third = by_code[code(1)], by_code[code(3)]
    assert first["客户简称"] == "一号、壹号" and first["约定账期"] == 60 and first["风险得分"] == 100
    assert first["风险等级"] == "蓝标" and first["对应措施"].startswith("正常合作") and first["跟进频率"] == "季度（90天）"
    assert third["计算等级"] == "红标" and third["风险等级"] == "未评级" and "待审批" in third["待审批变更"]
    assert third["使用模板"] == "services" and third["客户付费意愿评级"] == "B"
    assert by_code[code(2)]["未结案涉诉金额占净资产比例"] is None  # derived from the exported parts on re-import
    changes = list(workbook["异动标记"].iter_rows(values_only=True))
    assert changes[0][:4] == ("客户全称", "统一社会信用代码", "原等级", "新等级")
    assert {row[7] for row in changes[1:]} == {"自动生效", "待审批"}
    followup = list(workbook["跟进记录"].iter_rows(values_only=True))[1]
    assert followup[4] == "已电话沟通" and followup[2].hour == 9  # local time, Asia/Shanghai


def test_an_exported_ledger_reimports_without_errors_or_changes(db: Database, tmp_path: Path) -> None:
    _ledger(db, tmp_path)
    with db.uow() as uow:
        customer_id = uow.customers.get_by_code(code(2)).id
        uow.changes.add(GradeChange(customer_id=customer_id, from_grade=Grade.YELLOW, to_grade=Grade.BLACK, reason="走访",
                                    kind=ChangeKind.MANUAL, status=ChangeStatus.PENDING, requested_by="U0RISK001", requested_at=NOW))
        uow.commit()
    path = tmp_path / "ledger.xlsx"
    export_ledger(db, PROFILES, path)

    report = run_import(db, path, now=LATER)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_a_spike_typed_against_its_parts_is_warned_about_and_survives_export_and_reimport(db: Database, tmp_path: Path) -> None:
    rows = [customer(1, order_spike_pct=50, last_order_amount=100, avg_order_amount_12m=10),
            customer(2, order_spike_pct=None, last_order_amount=300, avg_order_amount_12m=100)]
    first = run_import(db, write_csv(tmp_path / "in.csv", rows))
    assert first.ok and english(first.warnings) == [
        "row 2, column order_spike_pct: 50 given, but last_order_amount / avg_order_amount_12m give 900; "
        "the given value is kept — clear this cell to use the parts"]
    path = tmp_path / "ledger.xlsx"
    export_ledger(db, PROFILES, path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    spike = [c.value for c in sheet[1]].index("单次下单金额突增幅度")
    assert [row[spike].value for row in sheet.iter_rows(min_row=2)] == [50, None]  # the parts' own spike: blank

    again = run_import(db, path, now=LATER)

    assert again.ok and (again.updated, again.unchanged) == (0, 2)
    with db.uow() as uow:
        spikes = [uow.customers.get_by_code(code(n)).values["order_spike_pct"] for n in (1, 2)]
    assert spikes == [50, 200]


def test_a_huge_spike_an_earlier_version_stored_as_a_number_exports_blank_and_reimports(db: Database, tmp_path: Path) -> None:
    row = customer(1, order_spike_pct=None, last_order_amount=100_000_000_000_000, avg_order_amount_12m=0.001)
    assert run_import(db, write_csv(tmp_path / "in.csv", [row])).ok
    with db.uow() as uow:  # as the sixth session's riskbot left it: 10^19 %, a finite number
        saved = uow.customers.get_by_code(code(1))
        saved.values = {**saved.values, "order_spike_pct": 1e19}
        uow.commit()
    path = tmp_path / "ledger.xlsx"
    export_ledger(db, PROFILES, path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.cell(2, [c.value for c in sheet[1]].index("单次下单金额突增幅度") + 1).value is None

    again = run_import(db, path, now=LATER)

    assert again.ok, again.errors
