"""`riskbot import | score | template | export | db upgrade` as an operator runs them (SPEC §13).

Contract: exit 0 on success; bad input → exit 2 with `riskbot: row N, column C: reason` lines on
stderr and nothing changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.db import make_engine
from tests.ledger.helpers import customer, write_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKBOT_CONFIG", raising=False)


def run(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"DATABASE_URL": database_url})


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
    assert run(database_url, "template", str(tmp_path / "t.xlsx")).exit_code == 0
    run(database_url, "import", str(write_csv(tmp_path / "in.csv", [customer(1)])))
    exported = run(database_url, "export", str(tmp_path / "e.xlsx"))
    assert exported.exit_code == 0 and "客户 1" in exported.stdout
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
    from bot.usecases import importing

    def breaks(*args: object) -> object:
        raise MemoryError("out of memory")
        yield  # pragma: no cover

    monkeypatch.setattr(importing, "CHECKER_PROCESS_FROM", 0)
    monkeypatch.setattr(importing, "_check", breaks)
    result = run(database_url, "import", str(write_csv(tmp_path / "in.csv", [customer(1)])))

    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "riskbot: 检查进程出错，未做任何修改 / in.csv: checking failed (MemoryError: out of memory); nothing was changed "
        "— run the import again; if it fails the same way, report it with the file's header row"]
    monkeypatch.undo()
    assert "created 1" in run(database_url, "import", str(tmp_path / "in.csv"), "--dry-run").stdout


def test_an_import_whose_rescoring_stops_says_it_is_saved_and_what_to_run(database_url: str, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    from bot.usecases import importing

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
