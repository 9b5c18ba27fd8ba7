"""The quarterly review and its what-if on the hand-worked ledger of tests/reports/ledger.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from typer.testing import CliRunner

from bot.cli import app
from messages.report_views import QuarterReview, Standing
from reports.review import quarter_review, quiet_indicators
from reports.whatif import what_if
from scoring.grades import Grade
from scoring.outcomes import GradeHits, quarter
from scoring.profiles import load_candidate, load_profiles
from storage.uow import Database
from tests.reports.ledger import CANDIDATE, Ids, at, build

TZ = ZoneInfo("Asia/Shanghai")
Q4 = quarter(2026, 4)


@pytest.fixture
def ids(db: Database) -> Ids:
    return build(db)


@pytest.fixture
def review(db: Database, ids: Ids) -> QuarterReview:
    return quarter_review(db, load_profiles(), Q4, TZ)


def test_every_customer_with_an_event_and_its_standing_before_it(review: QuarterReview, ids: Ids) -> None:
    blue90, blue88, blue95 = Standing(Grade.BLUE, 90.0), Standing(Grade.BLUE, 88.0), Standing(Grade.BLUE, 95.0)
    none, black = Standing(None, None), Standing(Grade.BLACK, 20.0)
    assert [(r.customer_id, r.first_on, r.events, r.loss, r.at_start, r.before_30, r.before_90) for r in review.rows] == [
        (ids.c1, date(2026, 11, 15), 2, Decimal(10_000), blue90, Standing(Grade.RED, 40.0), blue90),
        (ids.c3, date(2026, 11, 2), 2, Decimal(5_000), black, black, none),
        (ids.c5, date(2026, 10, 15), 1, Decimal(2_000), blue95, blue95, blue95),
        (ids.c4, date(2026, 11, 3), 1, Decimal(1_000), none, none, none),
        (ids.c2, date(2026, 11, 15), 1, Decimal(0), blue88, blue88, blue88),
    ]


def test_grades_are_the_ones_the_ledger_applied_and_scores_the_latest_assessed(db: Database, ids: Ids) -> None:
    """乙 was assessed red (45) on 15 September, but the change was rejected: the ledger kept it
    blue, so the review, like the monthly 看板, judges it blue, beside its latest score."""
    from storage.models import Assessment

    with db.uow() as uow:
        uow.session.add(Assessment(customer_id=ids.c2, score=45, grade=Grade.RED, coverage=1.0, provisional=False,
                                   breakdown={"lines": []}, floors={"hits": []}, profile_name="general",
                                   profile_version="v1", assessed_at=at(9, 15)))
        uow.commit()
    review = quarter_review(db, load_profiles(), Q4, TZ)
    [row] = [r for r in review.rows if r.customer_id == ids.c2]
    assert row.at_start == Standing(Grade.BLUE, 45.0)
    general = next(p for p in review.profiles if p.profile == "general")
    assert general.hits[2] == GradeHits(Grade.RED, 0, 0) and general.hits[0] == GradeHits(Grade.BLUE, 3, 2)


def test_how_well_each_profile_ranked_the_quarters_losses(review: QuarterReview) -> None:
    ecommerce, general = review.profiles  # by name
    assert (general.profile, general.customers, general.losses) == ("general", 5, 3)
    # 己 was assessed yellow but no change was ever applied: it held no grade, as the 看板 counts it
    assert general.hits == (GradeHits(Grade.BLUE, 3, 2), GradeHits(Grade.YELLOW, 0, 0), GradeHits(Grade.RED, 0, 0),
                            GradeHits(Grade.BLACK, 1, 1))
    # losses scored 90, 20, 95 against 88 and 75: only 20 lies below, twice, of six pairs
    assert general.auc == pytest.approx(2 / 6)
    assert general.ks == pytest.approx(2 / 3)  # at 88: a third of the losses, all of the others
    assert (ecommerce.profile, ecommerce.customers, ecommerce.losses, ecommerce.auc, ecommerce.ks) == (
        "ecommerce", 1, 0, None, None)


def test_the_indicators_silent_for_most_missed_customers_come_first(review: QuarterReview) -> None:
    assert review.missed == 2  # 甲 and 戊: blue at the start of the quarter, with a loss
    assert [(q.key, q.label, q.silent, q.known, q.average_points, q.weight) for q in review.quiet] == [
        ("dishonest_debtor_count", "失信被执行人记录(近3年)", 2, 2, 0.0, 15),
        ("overdue_payment_count", "历史逾期付款次数(逾期>30天)", 1, 2, 2.5, 15),
        ("tax_arrears_count", "欠税公告记录(近2年)", 1, 2, 2.5, 7),
    ]


def test_silent_indicators_rank_by_how_many_missed_they_missed_then_by_weight() -> None:
    """A key silent once out of once no longer beats one silent for three customers, and ties go
    to the heavier indicator, not the first in the alphabet; never-silent ones are left out."""
    def lines(**lost: float) -> dict[str, object]:
        return {"lines": [[key, 0, 0.0, points] for key, points in lost.items()]}

    breakdowns = [lines(overdue_payment_count=0, tax_arrears_count=0, abnormal_operation_count=0, cumulative_amount=0,
                        credit_overdue_count=4),
                  lines(overdue_payment_count=0), lines(overdue_payment_count=0), lines(overdue_payment_count=3)]
    ranked = quiet_indicators([("general", b) for b in breakdowns], load_profiles())
    assert [(q.key, q.silent, q.known) for q in ranked] == [
        ("overdue_payment_count", 3, 4), ("abnormal_operation_count", 1, 1), ("tax_arrears_count", 1, 1),
        ("cumulative_amount", 1, 1)]


def test_a_candidate_profile_rescores_the_quarters_customers_side_by_side(db: Database, ids: Ids, tmp_path: Path) -> None:
    """General grades 甲 and 乙 blue (one overdue or none); the candidate's court-case floor makes
    both red. 丙 is red by both (four overdues), 戊 blue by both."""
    file = tmp_path / "candidate.yaml"
    file.write_text(CANDIDATE, encoding="utf-8")
    result = what_if(db, load_profiles(), load_candidate(file), file, Q4, TZ, "general")
    assert (result.customers, result.losses, result.caught_now, result.caught_candidate) == (4, 3, 1, 2)
    assert (result.worse, result.better) == (2, 0)


def test_review_quarter_prints_tables_and_writes_the_workbook(database_url: str, ids: Ids, tmp_path: Path) -> None:
    file = tmp_path / "candidate.yaml"
    file.write_text(CANDIDATE, encoding="utf-8")
    out = tmp_path / "review.xlsx"
    result = CliRunner().invoke(app, ["review", "quarter", "--quarter", "2026Q4", "--profile-file", str(file),
                                      "--replaces", "general", "--out", str(out)],
                                env={"DATABASE_URL": database_url, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "季度复盘 review 2026Q4 (2026-10-01 – 2026-12-31): 5 位客户 customers" in result.output
    assert "甲公司" in result.output and "0.33" in result.output and "失信被执行人记录" in result.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["客户 2026Q4", "评级效果 ranking", "未覆盖 not covered", "假设 what-if"]
    rows = list(book["客户 2026Q4"].values)
    assert rows[0][:3] == ("客户 customer", "统一社会信用代码 credit code", "画像 profile")
    assert (rows[1][:3], rows[1][4:6]) == (("甲公司", "91350100M000000001", "general"), (2, 10000))
    assert list(book["假设 what-if"].values)[3] == ("已识别 caught (red/black)", 1, 2)


@pytest.mark.parametrize(("args", "message"), [
    (["--quarter", "2026Q5"], "--quarter：“2026Q5”不是季度；请写成 2026Q4 这样"),
    (["--quarter", "2099Q1"], "--quarter：2099Q1 还没有到；请选择 {now} 或更早"),
    (["--out", "review.csv"], "--out：review.csv 应以 .xlsx 结尾"),
    (["--out", "/nonexistent/dir/r.xlsx"],
     "--out：无法写入 /nonexistent/dir/r.xlsx：文件夹 /nonexistent/dir 不存在；请先创建它或换一个路径"),
    (["--profile-file", "nowhere.yaml"], "--profile-file：nowhere.yaml: no such file"),
])
def test_bad_options_get_one_clear_line(database_url: str, args: list[str], message: str) -> None:
    from datetime import UTC, datetime

    from scoring.outcomes import quarter_of

    now = quarter_of(datetime.now(UTC).date()).name
    result = CliRunner().invoke(app, ["review", "quarter", *args], env={"DATABASE_URL": database_url})
    assert result.exit_code == 2
    assert result.stderr.strip() == f"riskbot: {message.format(now=now)}"


def test_a_candidate_named_like_no_profile_needs_replaces(database_url: str, tmp_path: Path) -> None:
    file = tmp_path / "candidate.yaml"
    file.write_text(CANDIDATE, encoding="utf-8")
    result = CliRunner().invoke(app, ["review", "quarter", "--profile-file", str(file)],
                                env={"DATABASE_URL": database_url})
    assert result.exit_code == 2
    assert result.stderr.startswith("riskbot: --replaces：候选画像名为“candidate”，不是在用的画像；")


def test_a_workbook_xlsxwriter_cannot_create_is_one_line_not_a_traceback(
    database_url: str, ids: Ids, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """xlsxwriter wraps the OSError of a file it cannot create in FileCreateError, no OSError."""
    from xlsxwriter.exceptions import FileCreateError

    import bot.cli.reports as cli

    def refuse(*_: object) -> None:
        try:
            raise PermissionError(13, "Permission denied")
        except PermissionError as exc:
            raise FileCreateError(exc) from exc

    monkeypatch.setattr(cli, "write_review", refuse)
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(app, ["review", "quarter", "--quarter", "2026Q4", "--out", str(out)],
                                env={"DATABASE_URL": database_url})
    assert result.exit_code == 2
    assert result.stderr.strip() == f"riskbot: --out：无法写入 {out}（Permission denied）"
