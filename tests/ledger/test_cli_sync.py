"""`riskbot sync` as an operator runs it, against the loopback fake 企查查."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from tests.ledger.helpers import code, customer, write_csv
from tests.providers.fake import APPKEY, SECRETKEY, FakeProvider, serving


@pytest.fixture
def qcc() -> Iterator[FakeProvider]:
    with serving(FakeProvider("qichacha")) as fake:
        yield fake


def configured(tmp_path: Path, url: str, extra: str = "") -> Path:
    path = tmp_path / "riskbot.yaml"
    path.write_text(f"""locale: en
providers:
  sources:
    qcc:
      kind: qichacha
      base_url: {url}
      key_env: QCC_APPKEY
      secret_env: QCC_SECRETKEY
      rate_per_second: 50
      daily_budget: 500
{extra}""", encoding="utf-8")
    return path


def run(database_url: str, config: Path, *args: str, key: str = APPKEY) -> Result:
    env = {"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(config), "QCC_APPKEY": key, "QCC_SECRETKEY": SECRETKEY}
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def imported(database_url: str, tmp_path: Path) -> str:
    env = {"DATABASE_URL": database_url, "RISKBOT_CONFIG": None}
    rows = [customer(1), {**customer(2), "dishonest_debtor_count": None}]
    result = CliRunner().invoke(app, ["import", str(write_csv(tmp_path / "in.csv", rows))], env=env)
    assert result.exit_code == 0, result.stderr
    return database_url


def test_sync_asks_only_what_is_unknown_or_old_and_sums_up(imported: str, tmp_path: Path, qcc: FakeProvider) -> None:
    qcc.records[("ShiXin/GetList", code(2))] = [{"PublishDate": "2099-01-01"}]
    config = configured(tmp_path, qcc.url)
    dry = run(imported, config, "sync", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    # Customer 1's imported values are fresh; customer 2's dishonest count and both litigation
    # amounts were never observed.
    assert "2 looked at, 2 would be queried with about 3 call(s)" in dry.stdout and qcc.requests == []
    done = run(imported, config, "sync")
    assert done.exit_code == 0, done.stderr
    assert "2 queried, 1 changed, 0 failed, 3 call(s) spent" in done.stdout and "1 new alert(s)" in done.stdout
    assert "grade changes applied 1" in done.stdout  # blue → yellow at once
    again = run(imported, config, "sync")
    assert "0 queried" in again.stdout and len(qcc.requests) == 3


def test_one_customer_with_all_is_asked_everything(imported: str, tmp_path: Path, qcc: FakeProvider) -> None:
    result = run(imported, configured(tmp_path, qcc.url), "sync", "--customer", code(1), "--all")
    assert result.exit_code == 0, result.stderr
    assert "1 queried" in result.stdout and len(qcc.requests) == 6


def test_a_bad_key_exits_2_saying_what_to_check_and_never_shows_the_key(
    imported: str, tmp_path: Path, qcc: FakeProvider
) -> None:
    result = run(imported, configured(tmp_path, qcc.url), "sync", key="wrong-appkey-9")
    assert result.exit_code == 2
    assert ("sync stopped: qcc: Status 101: the key is invalid or not active yet; check the source's secrets "
            "(key and secret, or token)") in result.stderr
    assert "wrong-appkey-9" not in result.stdout + result.stderr and SECRETKEY not in result.stdout + result.stderr


def test_the_reasons_are_in_chinese_by_default(imported: str, tmp_path: Path, qcc: FakeProvider) -> None:
    config = configured(tmp_path, qcc.url)
    config.write_text(config.read_text(encoding="utf-8").replace("locale: en\n", ""), encoding="utf-8")
    qcc.balance = 1
    result = run(imported, config, "sync")
    assert result.exit_code == 2
    assert "同步已中止：qcc：Status 112：剩余调用次数不足；请向数据商充值" in result.stderr
    assert "查询 2 户" in result.stdout and "花费调用 2 次" in result.stdout


def test_a_missing_secret_is_refused_before_any_call(imported: str, tmp_path: Path, qcc: FakeProvider) -> None:
    result = run(imported, configured(tmp_path, qcc.url), "sync", key="")
    assert result.exit_code == 2 and qcc.requests == []
    assert "no key — set environment variable QCC_APPKEY or put qcc.key in the secrets file" in result.stderr


def test_a_bad_mapping_override_is_refused_with_its_line(imported: str, tmp_path: Path, qcc: FakeProvider) -> None:
    own = tmp_path / "own.yaml"
    own.write_text("indicators:\n  dishonest_debtor_count:\n    interface: X\n    take: sum\n", encoding="utf-8")
    result = run(imported, configured(tmp_path, qcc.url, f"      mapping: {own}\n"), "sync")
    assert result.exit_code == 2 and f"{own}:4: 'dishonest_debtor_count': take sum needs 'amount'" in result.stderr


def test_without_sources_sync_says_how_to_add_one(imported: str, tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text("locale: en\n", encoding="utf-8")
    result = run(imported, path, "sync")
    assert result.exit_code == 2 and "no data source configured" in result.stderr


def test_provider_keys_are_redacted_from_logs_like_slack_tokens(imported: str, tmp_path: Path, qcc: FakeProvider,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from bot.slack_client import TokenRedactionFilter

    assert run(imported, configured(tmp_path, qcc.url), "sync").exit_code == 0
    caplog.handler.addFilter(TokenRedactionFilter())
    with caplog.at_level(logging.INFO, logger="riskbot.test.provider"):
        logging.getLogger("riskbot.test.provider").info("GET /ShiXin/GetList?key=%s", APPKEY)
    assert APPKEY not in caplog.text and "key=***" in caplog.text
