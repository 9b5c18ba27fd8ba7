"""`riskbot import | score | template | export | db upgrade` as an operator runs them (SPEC §13).

Contract: exit 0 on success; bad input → exit 2 with `riskbot: row N, column C: reason` lines on
stderr and nothing changed. The lines speak the configured locale: these tests run with
`locale: en` unless they say `locale="zh"` (the default when nothing is configured).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.db import make_engine
from tests.ledger.helpers import customer, write_csv, write_xls

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


CONFIGS: dict[str, Path] = {}  # locale → a config file saying it


@pytest.fixture(autouse=True, scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("config")
    for locale in ("zh", "en"):
        CONFIGS[locale] = folder / f"{locale}.yaml"
        CONFIGS[locale].write_text(f"locale: {locale}\n", encoding="utf-8")


def run(database_url: str, *args: str, locale: str | None = "en") -> Result:
    env = {"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(CONFIGS[locale]) if locale else None}
    return CliRunner().invoke(app, list(args), env=env)


def test_import_then_score_exit_zero_with_a_summary(database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [customer(1), customer(2, overdue_payment_count=4)])

    dry = run(database_url, "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "created 2, updated 0, unchanged 0" in dry.stdout and "nothing was written" in dry.stdout

    done = run(database_url, "import", str(path))
    assert done.exit_code == 0, done.stderr
    assert "created 2" in done.stdout and "grade changes applied 1, pending requests 1" in done.stdout

    again = run(database_url, "import", str(path))
    assert "created 0, updated 0, unchanged 2" in again.stdout

    preview = run(database_url, "score", "--all", "--dry-run")
    assert preview.exit_code == 0 and "0 customer(s) would change grade" in preview.stdout
    assert run(database_url, "score").exit_code == 0


def test_a_bad_file_exits_2_with_each_row_and_column_on_stderr(database_url: str, tmp_path: Path) -> None:
    rows = [customer(1), customer(2, tax_arrears_count="很多"), customer(3, credit_code="123")]
    result = run(database_url, "import", str(write_csv(tmp_path / "bad.csv", rows)))

    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "riskbot: row 3, column tax_arrears_count: expected a number, got text '很多'"
    assert lines[1] == "riskbot: row 4, column credit_code: must be 18 characters, got 3"
    assert "2 problem(s) in bad.csv; nothing was changed" in lines[-1]
    after = run(database_url, "import", str(write_csv(tmp_path / "good.csv", [customer(1)])), "--dry-run")
    assert "created 1" in after.stdout  # the bad file wrote nothing


def test_with_the_default_locale_every_line_is_chinese(database_url: str, tmp_path: Path) -> None:
    rows = [customer(1), customer(2, tax_arrears_count="很多"), customer(3, credit_code="123")]
    bad = run(database_url, "import", str(write_csv(tmp_path / "bad.csv", rows)), locale=None)
    assert bad.exit_code == 2 and bad.stderr.splitlines() == [
        "riskbot: 第 3 行，tax_arrears_count：应为数字，实际为文本 '很多'",
        "riskbot: 第 4 行，credit_code：应为 18 位，实际为 3 位",
        "riskbot: bad.csv 有 2 处问题，未做任何修改。请修正以上各行后重新导入。",
    ]
    path = write_csv(tmp_path / "in.csv", [customer(1), customer(2, overdue_payment_count=4)])
    dry = run(database_url, "import", str(path), "--dry-run", locale="zh")
    assert dry.stdout.splitlines() == ["in.csv：2 行，新建 2，更新 0，未变 0，预警 0",
                                       "试运行，未写入任何数据（以上数字为实际导入时的结果）"]
    done = run(database_url, "import", str(path), locale="zh")
    assert done.stdout.splitlines()[-1] == "评分 2 户：调级生效 1，待审批 1，取代 0，撤回 0"
    assert run(database_url, "import", str(tmp_path / "missing.csv"), locale="zh").stderr == (
        f"riskbot: {tmp_path / 'missing.csv'}：文件不存在\n")
    assert run(database_url, "import", str(tmp_path / "ledger.pdf"), locale="zh").stderr == (
        "riskbot: ledger.pdf：不支持的文件类型“.pdf”；请使用 .csv、.xlsx 或 .xls\n")


def test_with_locale_en_no_line_is_chinese_but_the_files_own_words(database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [customer(1)])
    done = run(database_url, "import", str(path))
    assert done.stdout.splitlines() == [
        "in.csv: 1 rows — created 1, updated 0, unchanged 0; alerts 0",
        "rescored 1: grade changes applied 1, pending requests 0, superseded 0, withdrawn 0"]
    assert run(database_url, "import", str(tmp_path / "ledger.pdf")).stderr == (
        "riskbot: ledger.pdf: unsupported file type '.pdf'; use .csv, .xlsx or .xls\n")


@pytest.mark.parametrize(("locale", "line"), [("zh", "only.csv：0 行，无可导入的数据（只有列标题）"),
                                              ("en", "only.csv: 0 rows: nothing to import (the file has only its header)")])
def test_a_file_with_headers_and_no_rows_says_there_is_nothing_to_import(
        database_url: str, tmp_path: Path, locale: str, line: str) -> None:
    path = write_csv(tmp_path / "only.csv", [], headers=["客户全称", "统一社会信用代码", "所属行业"])
    for options in ((), ("--dry-run",)):
        result = run(database_url, "import", str(path), *options, locale=locale)
        assert (result.exit_code, result.stdout, result.stderr) == (0, line + "\n", "")


@pytest.mark.parametrize(("locale", "line"), [
    ("zh", "试运行：没有需要评估的客户——所有客户的评分都是最新的；如要全部重新评估，请加 --all"),
    ("en", "dry run: nobody to assess — every customer's score is current; add --all to reassess everyone")])
def test_a_dry_run_score_that_assesses_nobody_says_why(database_url: str, tmp_path: Path, locale: str, line: str) -> None:
    run(database_url, "import", str(write_csv(tmp_path / "in.csv", [customer(1)])))
    result = run(database_url, "score", "--dry-run", locale=locale)
    assert (result.exit_code, result.stdout) == (0, line + "\n")
    everyone = run(database_url, "score", "--dry-run", "--all", locale=locale)
    assert everyone.stdout.splitlines()[0] in ("试运行：评估 1 户，0 户将调级，未写入任何数据",
                                               "dry run: 1 assessed; 0 customer(s) would change grade; nothing was written")


def test_an_xls_file_imports_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    path = write_xls(tmp_path / "老台账.xls", [customer(1, revenue_change_pct=-35)], percent=["revenue_change_pct"])
    result = run(database_url, "import", str(path), locale="zh")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "老台账.xls：1 行，新建 1，更新 0，未变 0，预警 0"


def test_more_than_fifty_errors_are_summarised(database_url: str, tmp_path: Path) -> None:
    rows = [customer(n, tax_arrears_count=-1) for n in range(1, 61)]
    result = run(database_url, "import", str(write_csv(tmp_path / "bad.csv", rows)))
    assert result.exit_code == 2
    assert "riskbot: …and 10 more" in result.stderr.splitlines()


def test_bad_check_characters_pass_only_with_the_flag_and_warn(database_url: str, tmp_path: Path) -> None:
    code = customer(1)["credit_code"]
    path = write_csv(tmp_path / "in.csv", [customer(1, credit_code=code[:17] + ("0" if code[17] != "0" else "1"))])
    assert run(database_url, "import", str(path)).exit_code == 2
    accepted = run(database_url, "import", str(path), "--accept-bad-check")
    assert accepted.exit_code == 0 and "warning: row 2, column credit_code: wrong check character" in accepted.stderr


@pytest.mark.parametrize("args", [("import", "nope.csv"), ("import", "ledger.pdf"), ("template", "t.csv"), ("export", "e.txt")])
def test_bad_file_arguments_exit_2(database_url: str, tmp_path: Path, args: tuple[str, str]) -> None:
    result = run(database_url, args[0], str(tmp_path / args[1]))
    assert result.exit_code == 2 and result.stderr.startswith("riskbot: ")


def test_template_export_and_db_upgrade_succeed(database_url: str, tmp_path: Path) -> None:
    assert "database is at revision" in run(database_url, "db", "upgrade").stdout
    assert run(database_url, "db", "upgrade", locale="zh").stdout.startswith("数据库已是最新（版本 ")
    assert run(database_url, "template", str(tmp_path / "t.xlsx")).stdout == f"template written: {tmp_path / 't.xlsx'}\n"
    assert run(database_url, "template", str(tmp_path / "t.csv"), locale="zh").stderr == "riskbot: FILE：t.csv 须为 .xlsx 文件\n"
    run(database_url, "import", str(write_csv(tmp_path / "in.csv", [customer(1)])))
    exported = run(database_url, "export", str(tmp_path / "e.xlsx"), locale="zh")
    assert exported.exit_code == 0
    assert exported.stdout == f"已导出 {tmp_path / 'e.xlsx'}：客户 1 行，跟进记录 0 行，异动标记 1 行，核销 0 行，风险事件 0 行\n"
    english = run(database_url, "export", str(tmp_path / "e.xlsx"))
    assert english.stdout.startswith(f"exported to {tmp_path / 'e.xlsx'}: Customers 1, ")
    assert run(database_url, "export", str(tmp_path / "e.txt"), locale="zh").stderr == "riskbot: FILE：e.txt 须为 .xlsx 文件\n"
    assert "unchanged 1" in run(database_url, "import", str(tmp_path / "e.xlsx")).stdout


@pytest.mark.parametrize("command", [("db", "upgrade"), ("score",), ("import", "in.csv")])
def test_a_database_a_newer_riskbot_upgraded_is_left_alone_with_what_to_do(
    database_url: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    run(database_url, "import", str(write_csv(tmp_path / "in.csv", [customer(1)])))
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))

    result = run(database_url, *(str(tmp_path / a) if a.endswith(".csv") else a for a in command))

    assert result.exit_code == 2  # one line on stderr, no traceback
    assert "revision 0099_future, which this riskbot does not know" in result.stderr and "upgrade riskbot" in result.stderr
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0099_future"
    engine.dispose()


def test_an_unusable_database_url_exits_2(tmp_path: Path) -> None:
    result = run("mysql://nowhere/db", "score")
    assert result.exit_code == 2 and "unsupported database" in result.stderr


@pytest.mark.parametrize("name", ["customers.csv", "customers.xlsx"])
def test_the_examples_import_into_a_ledger_with_all_four_grades(database_url: str, name: str) -> None:
    from sqlalchemy import select

    from storage.db import make_engine
    from storage.models import Customer

    result = run(database_url, "import", str(EXAMPLES / name))
    assert result.exit_code == 0, result.stderr
    assert "created 30" in result.stdout
    engine = make_engine(database_url)
    with engine.connect() as connection:
        grades = {row[0] for row in connection.execute(select(Customer.computed_grade))}
        profiles = {row[0] for row in connection.execute(select(Customer.profile_name))}
    engine.dispose()
    assert grades == {"blue", "yellow", "red", "black"}
    assert profiles == {"general", "manufacturing", "ecommerce", "services", "finance"}


@pytest.mark.parametrize("command", ["template", "export"])
def test_writing_into_a_missing_folder_exits_2_with_one_line(database_url: str, tmp_path: Path, command: str) -> None:
    result = run(database_url, command, str(tmp_path / "no-such-folder" / "ledger.xlsx"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "no-such-folder" in result.stderr


def test_a_checking_process_that_fails_is_one_line_and_exit_2(database_url: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger import checking, importing

    def breaks(*args: object) -> object:
        raise MemoryError("out of memory")
        yield  # pragma: no cover

    monkeypatch.setattr(importing, "CHECKER_PROCESS_FROM", 0)
    monkeypatch.setattr(checking, "_check", breaks)
    result = run(database_url, "import", str(write_csv(tmp_path / "in.csv", [customer(1)])))

    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "riskbot: in.csv: checking failed (MemoryError: out of memory); nothing was changed "
        "— run the import again; if it fails the same way, report it with the file's header row"]
    monkeypatch.undo()
    assert "created 1" in run(database_url, "import", str(tmp_path / "in.csv"), "--dry-run").stdout


def test_an_import_whose_rescoring_stops_says_it_is_saved_and_what_to_run(database_url: str, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    from ledger import importing

    path = write_csv(tmp_path / "in.csv", [customer(1)])
    assert run(database_url, "import", str(path)).exit_code == 0

    def busy(*args: object, **kwargs: object) -> object:
        raise OperationalError("UPDATE customers", {}, Exception("database is locked"))

    monkeypatch.setattr(importing, "rescore", busy)
    result = run(database_url, "import", str(write_csv(tmp_path / "more.csv", [customer(1, overdue_payment_count=3), customer(2)])))

    assert result.exit_code == 2 and "created 1, updated 1" in result.stdout
    assert result.stderr.strip().endswith("the import is saved, but rescoring the updated customers stopped "
                                          "(database is locked); run `riskbot score` to finish it")
    monkeypatch.undo()
    assert "rescored 1:" in run(database_url, "score").stdout  # the updated customer was still flagged
