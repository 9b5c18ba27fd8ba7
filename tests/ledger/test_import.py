"""`import`: upsert by credit code, every bad row reported, all or nothing (SPEC §2, §3, §11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from spreadsheets.reading import TableError
from scoring.grades import Grade
from storage.models import Alert, AuditEntry, Customer, CustomerAlias, IndicatorValue
from storage.uow import Database
from tests.ledger.helpers import LATER, code, english, customer, run_import, write_csv, write_xlsx

LABELS = {
    "name": "客户全称", "credit_code": "统一社会信用代码", "industry": "所属行业", "sales_owner": "销售负责人",
    "risk_officer": "风控专员", "cumulative_amount": "累计历史交易额", "abnormal_operation_count": "经营异常记录次数(近3年)",
    "revenue_change_pct": "近半年营收波动幅度", "executive_change_count": "核心高管变更次数(近1年)",
    "tax_arrears_count": "欠税公告记录(近2年)", "dishonest_debtor_count": "失信被执行人记录(近3年)",
    "overdue_payment_count": "历史逾期付款次数(逾期>30天)", "credit_overdue_count": "公开征信逾期记录(近2年)",
    "order_spike_pct": "单次下单金额突增幅度", "term_extension_days": "账期申请延长幅度",
    "return_breach_count": "退换货/违约频次(近1年)", "admin_penalty_max_amount": "行政处罚记录(近3年单次最高金额)",
    "litigation_ratio_pct": "未结案涉诉金额占净资产比例", "profile": "适用模板", "since": "合作起始时间",
    "credit_terms_days": "约定账期", "outstanding_amount": "待回款金额", "avg_payment_days": "平均付款周期",
    "aliases": "客户简称",
}


def labelled(row: dict[str, Any]) -> dict[str, Any]:
    return {LABELS[k]: v for k, v in row.items()}


def snapshot(db: Database) -> dict[str, Any]:
    """Everything an import could touch: row counts and the latest change time."""
    with db.uow() as uow:
        s = uow.session
        return {
            "customers": s.scalar(select(func.count()).select_from(Customer)),
            "updated_at": s.scalar(select(func.max(Customer.updated_at))),
            "history": s.scalar(select(func.count()).select_from(IndicatorValue)),
            "aliases": s.scalar(select(func.count()).select_from(CustomerAlias)),
            "alerts": s.scalar(select(func.count()).select_from(Alert)),
            "audit": s.scalar(select(func.count()).select_from(AuditEntry)),
        }


def stored(db: Database, n: int) -> Customer:
    with db.uow() as uow:
        row = uow.customers.get_by_code(code(n))
        assert row is not None
        row.aliases  # noqa: B018 - load before the session closes
        return row


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
@pytest.mark.parametrize("headers", ["keys", "labels"])
def test_a_file_of_new_customers_creates_and_grades_them(db: Database, tmp_path: Path, writer: Any, headers: str) -> None:
    rows = [customer(1), customer(2, overdue_payment_count=2, tax_arrears_count=1, cumulative_amount=500_000)]
    if headers == "labels":
        rows = [labelled(r) for r in rows]
    path = writer(tmp_path / f"in.{'csv' if writer is write_csv else 'xlsx'}", rows)

    report = run_import(db, path)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.rescore is not None and report.rescore.applied == 2
    first, second = stored(db, 1), stored(db, 2)
    assert first.effective_grade == Grade.BLUE and float(first.score) == 100.0
    assert second.effective_grade == Grade.YELLOW and float(second.score) == 82.6
    assert first.sales_owner == "U0SALES01" and first.risk_officer == "risk01@example.com"
    assert first.values["overdue_payment_count"] == 0


def test_identity_fields_aliases_and_parts_are_stored_and_the_spike_derived(db: Database, tmp_path: Path) -> None:
    row = {**customer(1), "order_spike_pct": None, "litigation_ratio_pct": None, "aliases": "恒通、恒通电子; HT",
           "since": "2019/3/1", "credit_terms_days": "60", "outstanding_amount": "1,250,000.50",
           "profile": "生产制造业", "last_order_amount": 900_000, "avg_order_amount_12m": 200_000,
           "pending_litigation_amount": 100, "net_assets": -5}
    report = run_import(db, write_csv(tmp_path / "in.csv", [row]))

    assert report.ok, report.errors
    saved = stored(db, 1)
    assert sorted(a.alias for a in saved.aliases) == ["HT", "恒通", "恒通电子"]
    assert saved.since.isoformat() == "2019-03-01" and saved.credit_terms_days == 60
    assert str(saved.outstanding_amount) == "1250000.50"
    assert saved.profile == "manufacturing" and saved.profile_name == "manufacturing"
    assert saved.values["order_spike_pct"] == 350
    assert saved.values["litigation_ratio_pct"] == "inf"  # no equity left: over every line
    assert saved.parts == {"last_order_amount": 900_000, "avg_order_amount_12m": 200_000,
                           "pending_litigation_amount": 100, "net_assets": -5}


def test_the_profile_is_mapped_from_the_industry_when_not_given(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "in.csv", [customer(1, industry="互联网零售"), customer(2, industry="软件开发")]))
    assert stored(db, 1).profile_name == "ecommerce"
    assert stored(db, 2).profile_name == "services"


BAD_ROWS = [
    ({"credit_code": ""}, "统一社会信用代码", "required"),
    ({"credit_code": "91350100M000100Y4"}, "统一社会信用代码", "must be 18 characters, got 17"),
    ({"credit_code": "91350100M000100I43"}, "统一社会信用代码", "character 16 is 'I'"),
    ({"credit_code": "91350100M000100Y44"}, "统一社会信用代码", "wrong check character '4' (expected '3')"),
    ({"overdue_payment_count": "两次"}, "历史逾期付款次数(逾期>30天)", "expected a number, got text '两次'"),
    ({"tax_arrears_count": -1}, "欠税公告记录(近2年)", "a count cannot be negative"),
    ({"name": ""}, "客户全称", "required: the full registered name"),
    ({"profile": "retail"}, "适用模板", "unknown profile 'retail'"),
    ({"sales_owner": "张三"}, "销售负责人", "expected a Slack user ID like U0123ABCD or an e-mail address"),
    ({"since": "去年"}, "合作起始时间", "expected a date like 2019-03-01"),
    ({"since": "0001-01-01"}, "合作起始时间", "expected a date between 1900-01-01 and 2100-12-31, got 0001-01-01"),
    ({"credit_terms_days": "-30"}, "约定账期", "expected whole days"),
    # Too large or too long for the ledger: a row problem, never a database error at the end.
    ({"credit_terms_days": "99999999999"}, "约定账期", "too large: '99999999999'; at most 2,147,483,647 days"),
    ({"outstanding_amount": "1e17"}, "待回款金额", "too large: '1e17'; at most 9,999,999,999,999.99"),
    ({"outstanding_amount": "-1e17"}, "待回款金额", "cannot be negative, got '-1e17'"),
    ({"outstanding_amount": "1,5"}, "待回款金额", "expected a number, got text '1,5'"),
    ({"since": "2019-03-01" + "x" * 100}, "合作起始时间", "got '2019-03-01xxxxxxxxxxxxxxxxxxx…"),
    ({"outstanding_amount": "10,000,000,000,000"}, "待回款金额", "at most 9,999,999,999,999.99"),
    ({"avg_payment_days": "123456789"}, "平均付款周期", "at most 9,999,999.9"),
    ({"cumulative_amount": "1e25"}, "累计历史交易额", "out of range"),
    ({"cumulative_amount": "9" * 5000}, "累计历史交易额", "out of range: '99999999999999999999999999999…"),
    ({"name": "测" * 256}, "客户全称", "too long: 256 characters, at most 255"),
    ({"industry": "x" * 300}, "所属行业", "too long: 300 characters"),
    ({"risk_officer": "r" * 250 + "@example.com"}, "风控专员", "too long: 262 characters"),
    ({"aliases": "恒通、" + "长" * 256}, "客户简称", "too long: 256 characters"),
]


@pytest.mark.parametrize(("change", "column", "reason"), BAD_ROWS, ids=[r[2][:30] for r in BAD_ROWS])
def test_a_bad_row_is_reported_with_row_column_and_reason_and_nothing_changes(
    db: Database, tmp_path: Path, change: dict[str, Any], column: str, reason: str
) -> None:
    rows = [labelled(customer(1)), labelled(customer(2, **change))]
    before = snapshot(db)

    report = run_import(db, write_csv(tmp_path / "in.csv", rows))

    assert not report.ok
    assert len(report.errors) == 1
    assert english(report.errors)[0].startswith(f"row 3, column {column}: ")
    assert reason in english(report.errors)[0]
    assert snapshot(db) == before


def test_every_bad_cell_of_a_row_is_reported_not_just_the_first(db: Database, tmp_path: Path) -> None:
    report = run_import(db, write_csv(tmp_path / "in.csv", [customer(1, overdue_payment_count="x", tax_arrears_count=-2)]))
    assert sorted(e.split(":")[0] for e in english(report.errors)) == [
        "row 2, column overdue_payment_count", "row 2, column tax_arrears_count"]


def test_an_unknown_column_is_reported_once_for_the_header(db: Database, tmp_path: Path) -> None:
    rows = [{**customer(n), "欠税公告记录": 0, "备注信息": "x"} for n in (1, 2, 3)]
    report = run_import(db, write_csv(tmp_path / "in.csv", [{k: v for k, v in r.items() if k != "tax_arrears_count"} for r in rows]))
    assert report.error_count == 1
    assert english(report.errors)[0].startswith("row 1, column 备注信息: unknown column")


def test_a_label_without_its_bracketed_period_and_full_width_brackets_are_understood(db: Database, tmp_path: Path) -> None:
    row = {**customer(1), "经营异常记录次数（近3年）": 1, "欠税公告记录": 1}
    del row["abnormal_operation_count"], row["tax_arrears_count"]
    assert run_import(db, write_csv(tmp_path / "in.csv", [row])).ok
    assert stored(db, 1).values["abnormal_operation_count"] == 1 and stored(db, 1).values["tax_arrears_count"] == 1


def test_the_same_code_twice_in_a_file_is_an_error_naming_the_first_row(db: Database, tmp_path: Path) -> None:
    report = run_import(db, write_csv(tmp_path / "in.csv", [customer(1), customer(2), {**customer(3), "credit_code": code(1)}]))
    assert english(report.errors) == [f"row 4, column credit_code: the same credit code {code(1)} as row 2; each customer must appear once"]


def test_a_missing_required_column_stops_at_the_header(db: Database, tmp_path: Path) -> None:
    rows = [{k: v for k, v in customer(1).items() if k != "credit_code"}]
    report = run_import(db, write_csv(tmp_path / "in.csv", rows))
    assert english(report.errors) == ["row 1, column 统一社会信用代码: required column missing: add a column 统一社会信用代码 (credit_code)"]


def test_a_code_typed_as_a_number_in_excel_is_refused_with_the_fix(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", [{**customer(1), "credit_code": 914403001922038216}])
    report = run_import(db, path)
    assert "format the column as text" in english(report.errors)[0]


def test_accept_bad_check_turns_only_the_check_character_into_a_warning(db: Database, tmp_path: Path) -> None:
    wrong = code(1)[:17] + ("0" if code(1)[17] != "0" else "1")
    rows = [{**customer(1), "credit_code": wrong}]
    report = run_import(db, write_csv(tmp_path / "in.csv", rows), accept_bad_check=True)
    assert report.ok and report.created == 1
    assert report.warning_count == 1 and "accepted (--accept-bad-check)" in english(report.warnings)[0]

    too_short = run_import(db, write_csv(tmp_path / "short.csv", [{**customer(2), "credit_code": code(2)[:17]}]), accept_bad_check=True)
    assert not too_short.ok


def test_errors_beyond_fifty_are_counted_not_kept(db: Database, tmp_path: Path) -> None:
    report = run_import(db, write_csv(tmp_path / "in.csv", [customer(n, tax_arrears_count=-1) for n in range(1, 81)]))
    assert report.error_count == 80 and len(report.errors) == 50


def test_one_bad_row_at_the_end_of_ten_thousand_leaves_the_database_untouched(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "seed.csv", [customer(n) for n in range(1, 11)]))
    before = snapshot(db)
    rows = [customer(n, overdue_payment_count=1) for n in range(1, 10_000)] + [customer(10_000, credit_code="BAD")]

    report = run_import(db, write_csv(tmp_path / "big.csv", rows))

    assert english(report.errors) == ["row 10001, column credit_code: must be 18 characters, got 3"]
    assert snapshot(db) == before


def test_a_write_that_fails_midway_rolls_back_everything(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second batch crashes after the first was written: the transaction leaves nothing."""
    from ledger import importing

    before = snapshot(db)
    calls = {"n": 0}
    original = importing._Writer.write

    def crash_on_second(self: Any, batch: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(self, batch)

    monkeypatch.setattr(importing._Writer, "write", crash_on_second)
    with pytest.raises(RuntimeError):
        run_import(db, write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 6)]), batch_size=2)
    assert snapshot(db) == before


def test_reimporting_the_same_file_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [{**customer(n), "aliases": f"简称{n}", "outstanding_amount": "1234.567"} for n in (1, 2)])
    run_import(db, path)
    before = snapshot(db)

    again = run_import(db, path, now=LATER)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.rescore is None
    assert snapshot(db) == before


def test_an_update_appends_history_only_for_changed_values_and_flags_a_rescore(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [customer(1)]))
    with db.uow() as uow:
        history_before = len(uow.customers.value_history(stored(db, 1).id))

    report = run_import(db, write_csv(tmp_path / "b.csv", [customer(1, overdue_payment_count=2, name="测试1号电子科技股份有限公司")]), now=LATER)

    assert (report.created, report.updated) == (0, 1)
    saved = stored(db, 1)
    with db.uow() as uow:
        history = uow.customers.value_history(saved.id)
    assert len(history) == history_before + 1
    assert (history[-1].key, int(history[-1].value_num), history[-1].source) == ("overdue_payment_count", 2, "import:b.csv")
    assert history[-1].observed_at == LATER  # bulk-written rows read back like ORM-written ones
    assert saved.name == "测试1号电子科技股份有限公司" and saved.values["overdue_payment_count"] == 2
    assert saved.updated_at == LATER and not saved.needs_rescore  # rescored after the import
    assert float(saved.score) == 91.1  # 2 overdue × 5 of 112 points


def test_an_amount_is_kept_to_the_cent_up_to_the_largest_the_ledger_holds(db: Database, tmp_path: Path) -> None:
    rows = [{**customer(1), "outstanding_amount": "9,999,999,999,999.99"}, {**customer(2), "outstanding_amount": "8796093022208.01"}]
    assert run_import(db, write_csv(tmp_path / "a.csv", rows)).ok
    assert [str(stored(db, n).outstanding_amount) for n in (1, 2)] == ["9999999999999.99", "8796093022208.01"]


def test_a_long_file_name_is_cut_short_in_the_history_not_refused(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [customer(1)]))
    name = "a" * 246 + ".csv"  # 250 characters: near what a file system takes, over the column with "import:"
    report = run_import(db, write_csv(tmp_path / name, [customer(1, overdue_payment_count=1)]), now=LATER)
    assert report.ok and report.updated == 1
    with db.uow() as uow:
        source = uow.customers.value_history(stored(db, 1).id)[-1].source
    assert source == ("import:" + name)[:255]


def test_a_spike_over_a_tiny_average_is_infinite_in_the_values_and_the_history(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [customer(1)]))

    parts = {"order_spike_pct": None, "last_order_amount": 900_000_000_000_000, "avg_order_amount_12m": 0.01}
    report = run_import(db, write_csv(tmp_path / "b.csv", [customer(1, **parts)]), now=LATER)

    assert report.ok and report.updated == 1, report.errors
    with db.uow() as uow:
        history = {h.key: h for h in uow.customers.value_history(stored(db, 1).id)}
    assert (history["order_spike_pct"].value_num, history["order_spike_pct"].value_text) == (None, "inf")
    assert int(history["last_order_amount"].value_num) == 900_000_000_000_000
    again = run_import(db, write_csv(tmp_path / "b.csv", [customer(1, **parts)]), now=LATER)
    assert again.unchanged == 1  # the same on either database: nothing read back differs


def test_empty_cells_keep_what_is_stored(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [customer(1, sales_owner="U0SALES09")]))
    partial = {"credit_code": code(1), "name": customer(1)["name"], "sales_owner": "", "overdue_payment_count": ""}
    report = run_import(db, write_csv(tmp_path / "b.csv", [partial]))
    assert report.unchanged == 1
    assert stored(db, 1).sales_owner == "U0SALES09" and stored(db, 1).values["overdue_payment_count"] == 0


def test_alert_lines_crossed_by_an_existing_customer_are_recorded_once(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [customer(1), customer(2)]))
    worse = write_csv(tmp_path / "b.csv", [customer(1, dishonest_debtor_count=1, term_extension_days=90), customer(3, dishonest_debtor_count=1)])

    first = run_import(db, worse, now=LATER)
    second = run_import(db, worse, now=LATER)

    assert first.alerts == 2 and second.alerts == 0
    with db.uow() as uow:
        alerts = uow.alerts.unsent()
    assert sorted((a.indicator, a.change) for a in alerts) == [
        ("dishonest_debtor_count", "dishonest_debtor_count:0->1"), ("term_extension_days", "term_extension_days:0->90")]
    assert {a.customer_id for a in alerts} == {stored(db, 1).id}  # the new customer raised none


def test_a_line_crossed_again_after_a_correction_alerts_again(db: Database, tmp_path: Path) -> None:
    from datetime import timedelta

    run_import(db, write_csv(tmp_path / "a.csv", [customer(1)]))
    listed = run_import(db, write_csv(tmp_path / "b.csv", [customer(1, dishonest_debtor_count=1)]), now=LATER)
    corrected = run_import(db, write_csv(tmp_path / "c.csv", [customer(1)]), now=LATER + timedelta(days=1))
    again = run_import(db, write_csv(tmp_path / "d.csv", [customer(1, dishonest_debtor_count=1)]),
                       now=LATER + timedelta(days=30))
    assert (listed.alerts, corrected.alerts, again.alerts) == (1, 0, 1)


def test_the_import_is_audited_once(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "in.csv", [customer(1), customer(2)]), actor="cli:alice")
    with db.uow() as uow:
        entries = [e for e in uow.audit.query() if e.action == "customers.imported"]
    assert len(entries) == 1
    assert entries[0].actor == "cli:alice"
    assert entries[0].detail == {"file": "in.csv", "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "alerts": 0}


def test_a_dry_run_counts_what_would_happen_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [customer(1), customer(2)]))
    before = snapshot(db)
    path = write_csv(tmp_path / "b.csv", [customer(1), customer(2, dishonest_debtor_count=1), customer(3)])

    report = run_import(db, path, dry_run=True, now=LATER)

    assert (report.created, report.updated, report.unchanged, report.alerts) == (1, 1, 1, 1)
    assert report.rescore is None
    assert snapshot(db) == before


def test_a_gb18030_csv_from_chinese_excel_is_read(db: Database, tmp_path: Path) -> None:
    rows = [labelled(customer(1))]
    assert run_import(db, write_csv(tmp_path / "gbk.csv", rows, encoding="gb18030")).ok
    assert stored(db, 1).name == "测试1号电子科技有限公司"


def test_values_of_another_profiles_indicator_are_kept_but_not_scored(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "in.csv", [customer(1, debt_ratio_pct=95)]))
    saved = stored(db, 1)
    assert saved.profile_name == "general" and saved.values["debt_ratio_pct"] == 95
    assert float(saved.score) == 100.0


def test_an_unsupported_file_type_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("x")
    with pytest.raises(TableError, match="use .csv, .xlsx or .xls"):
        run_import(db, path)


def test_a_file_without_rows_reports_the_missing_header(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert "the first row must hold the column headers" in english(run_import(db, path).errors)[0]


def test_progress_is_reported_as_rows_are_imported(db: Database, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []
    run_import(db, write_csv(tmp_path / "in.csv", [customer(n) for n in range(1, 2501)]), progress=lambda *a: seen.append(a))
    done = [n for _, n, _ in seen]
    assert done == sorted(done) and len(seen) > 2 and seen[-1] == ("write", 2500, 2500)
    assert seen[0][:2] == ("write", 1000) and seen[0][2] == 2501  # known up front: the file's lines, header included


def test_an_import_leaves_the_garbage_collector_as_it_found_it(db: Database, tmp_path: Path) -> None:
    """An import tunes the collector while it runs (`ledger.collector`); the process must get
    its own setting back, after a bad file too."""
    import gc

    before = gc.get_threshold()
    good = run_import(db, write_csv(tmp_path / "good.csv", [customer(1), customer(2)]))
    bad = run_import(db, write_csv(tmp_path / "bad.csv", [customer(3), customer(4, credit_code="bad")]))
    assert good.ok and good.rescore is not None and not bad.ok
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_derived_value_typed_as_its_parts_give_it_rounded_is_no_contradiction(db: Database, tmp_path: Path) -> None:
    rows = [customer(1, litigation_ratio_pct=33.3, pending_litigation_amount=1, net_assets=3),  # 33.3333…: rounded
            customer(2, order_spike_pct=12_345_678.9, last_order_amount=1_000_000, avg_order_amount_12m=1_000),
            customer(3, litigation_ratio_pct=5, pending_litigation_amount=10, net_assets=-1),
            customer(4, order_spike_pct=50, last_order_amount=100_000_000_000_000, avg_order_amount_12m=0.001),
            customer(5, litigation_ratio_pct=33, pending_litigation_amount=1, net_assets=3)]  # a whole percent: rounded

    report = run_import(db, write_csv(tmp_path / "in.csv", rows))

    assert report.ok and english(report.warnings) == [
        "row 3, column order_spike_pct: 12,345,678.9 given, but last_order_amount / avg_order_amount_12m give 99,900; "
        "the given value is kept — clear this cell to use the parts",
        "row 4, column litigation_ratio_pct: 5 given, but pending_litigation_amount / net_assets give ∞ (net assets ≤ 0); "
        "the given value is kept — clear this cell to use the parts",
        "row 5, column order_spike_pct: 50 given, but last_order_amount / avg_order_amount_12m give ∞ (beyond 10^15 %); "
        "the given value is kept — clear this cell to use the parts",
    ]


def test_a_negative_zero_is_stored_as_zero_on_every_database(db: Database, tmp_path: Path) -> None:
    row = customer(1, order_spike_pct=None, last_order_amount="-0", avg_order_amount_12m=100, outstanding_amount="-0.00")
    assert run_import(db, write_csv(tmp_path / "in.csv", [row])).ok
    saved = stored(db, 1)
    assert str(saved.parts["last_order_amount"]) == "0.0" and saved.values["order_spike_pct"] == -100
    assert str(saved.outstanding_amount) == "0.00"
