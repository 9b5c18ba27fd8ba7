"""The monthly post: the dashboard and its charts in channels.alerts on the first workday, each
owner's KPIs in a DM and everyone's to the managers — once, whatever restarts or replicas do."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Config
from bot.jobs import monthly_due, run_monthly_report
from bot.scheduler import MONTHLY_REPORT, job_table
from bot.services import Services, build_services
from messages import Renderer
from messages.report import kpi_dm, kpi_for_manager, monthly_dashboard
from reports.monthly import monthly_report
from scoring.outcomes import month
from storage.uow import Database
from tests.messages.slackcheck import validate_message
from tests.reports.conftest import Clock
from tests.reports.ledger import R1, S1, S2, Ids, at
from tests.slackkit.fake_api import FakeSlackApi

ALERTS, BOSS = "C0ALERTS", "U0BOSS"


@pytest.fixture
def services(db: Database, clock: Clock) -> Services:
    return build_services(Config(alerts_channel=ALERTS, managers=frozenset({BOSS})), db, clock)


def posts(slack: FakeSlackApi, channel: str) -> list[dict[str, Any]]:
    return [c for c in slack.calls("chat.postMessage") if c["channel"] == channel]


def test_the_report_is_due_from_the_first_workday_at_its_time(services: Services, clock: Clock) -> None:
    assert monthly_due(services, at(12, 1, 1)) is None  # 09:00, before 09:30
    assert monthly_due(services, at(12, 1, 2)) == month(2026, 11)
    assert monthly_due(services, at(11, 1, 2)) is None  # Sunday 1 November: the first workday is the 2nd
    assert monthly_due(services, at(11, 2, 2)) == month(2026, 10)
    assert monthly_due(services, at(11, 20, 2)) == month(2026, 10)  # missed during downtime: still due


def test_the_dashboard_goes_out_once_with_its_charts_and_each_owner_gets_their_own_line(
    services: Services, slack: FakeSlackApi, client: WebClient, ids: Ids, db: Database, clock: Clock
) -> None:
    assert run_monthly_report(services, client)
    [post] = posts(slack, ALERTS)
    text = json.dumps(post["blocks"], ensure_ascii=False)
    assert post["text"] == "月度风控看板 2026-11：风险损失 ¥16,000，识别准确率 66.7%"
    assert "🔵 蓝标 1（−1）" in text and "🟡 黄标 1（+1）" in text and "¥100,000（1 位）" in text
    assert "本月完成 1 · 未完成 2 · 其中超过 30 天 1" in text and "回收比例 33.3%" in text
    assert "漏判：*乙公司*" in text
    assert "全体：回款率 33.3%" in text and f"<@{S1}>" not in text  # owners' lines go by DM only
    uploads = slack.calls("upload")
    assert len(uploads) == 3 and all(u["content"].startswith(b"\x89PNG\r\n\x1a\n") for u in uploads)
    [done] = slack.calls("files.completeUploadExternal")
    assert done["channel_id"] == ALERTS
    assert [f["title"] for f in done["files"]] == ["grade-mix-2026-11", "receivables-2026-11", "losses-2026-11"]

    dms = {c["channel"]: c for c in slack.calls("chat.postMessage") if c["channel"] != ALERTS}
    assert set(dms) == {S1, S2, R1, BOSS}  # posted to the user: their DM with the bot
    own = json.dumps(dms[S1]["blocks"], ensure_ascii=False)
    assert f"<@{S1}>" in own and f"<@{S2}>" not in own and f"<@{R1}>" not in own
    boss = json.dumps(dms[BOSS]["blocks"], ensure_ascii=False)
    assert all(f"<@{u}>" in boss for u in (S1, S2, R1))

    slack.clear()
    assert not run_monthly_report(services, client)  # the restart's catch-up
    other_replica = build_services(services.config, Database(db.engine), clock)
    assert not run_monthly_report(other_replica, client)
    assert slack.calls("chat.postMessage") == [] and slack.calls("upload") == []


def test_a_post_slack_refused_is_retried_by_the_next_tick(
    services: Services, slack: FakeSlackApi, client: WebClient, ids: Ids
) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found", channel=ALERTS)
    assert not run_monthly_report(services, client)
    assert slack.calls("upload") == []
    assert run_monthly_report(services, client)
    assert len(posts(slack, ALERTS)) == 2  # the refused one and the one that went out


def test_every_message_is_valid_block_kit(db: Database, ids: Ids) -> None:
    report = monthly_report(db, month(2026, 11), ZoneInfo("Asia/Shanghai"), at(12, 1))
    for locale in ("zh", "en"):
        r = Renderer(locale)
        validate_message(monthly_dashboard(r, report))
        validate_message(kpi_for_manager(r, report.kpi))
        dm = kpi_dm(r, report.kpi, R1)
        assert dm is not None
        validate_message(dm)
    assert kpi_dm(Renderer(), report.kpi, "U0NOBODY") is None


def test_report_month_prints_the_dashboard_and_writes_the_charts(database_url: str, ids: Ids, tmp_path: Path) -> None:
    out = tmp_path / "charts"
    result = CliRunner().invoke(app, ["report", "month", "--month", "2026-11", "--out", str(out)],
                                env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert "月度风控看板 2026-11" in result.output and "准确率 66.7%" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["grade-mix-2026-11.png", "losses-2026-11.png",
                                                     "receivables-2026-11.png"]
    assert "预览：未发送" in result.output
    assert "已私信发送给本人" not in result.output and "图表见下方附件" not in result.output  # nothing went out


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2026-13"], "--month：“2026-13”不是月份；请写成 2026-11 这样"),
    (["--month", "2099-01"], "--month：2099-01 还没有到；请选择 {now} 或更早"),
])
def test_report_month_refuses_bad_months_in_chinese(database_url: str, args: list[str], message: str) -> None:
    from datetime import UTC

    now = datetime.now(UTC).strftime("%Y-%m")
    bad = CliRunner().invoke(app, ["report", "month", *args], env={"DATABASE_URL": database_url})
    assert bad.exit_code == 2 and bad.stderr.strip() == f"riskbot: {message.format(now=now)}"


def test_report_month_speaks_english_under_locale_en(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "riskbot.yaml"
    config.write_text("locale: en\n", encoding="utf-8")
    bad = CliRunner().invoke(app, ["report", "month", "--month", "2026-13"],
                             env={"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(config)})
    assert bad.exit_code == 2 and bad.stderr.strip() == "riskbot: --month: '2026-13' is not a month; write it like 2026-11"


def test_report_month_post_goes_out_once_and_force_sends_it_again(
    database_url: str, ids: Ids, slack: FakeSlackApi, tmp_path: Path
) -> None:
    config = tmp_path / "riskbot.yaml"
    config.write_text(f"channels: {{alerts: {ALERTS}}}\nroles: {{manager: [{BOSS}]}}\n", encoding="utf-8")
    env = {"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(config), "SLACK_API_URL": slack.url}
    missing = CliRunner().invoke(app, ["report", "month", "--month", "2026-11", "--post"], env=env)
    assert missing.exit_code == 2 and "SLACK_BOT_TOKEN is not set" in missing.stderr
    assert "--dry-run" not in missing.stderr and "不加 --post 即可只预览" in missing.stderr
    token = {**env, "SLACK_BOT_TOKEN": "xoxb-test"}
    done = CliRunner().invoke(app, ["report", "month", "--month", "2026-11", "--post"], env=token)
    assert done.exit_code == 0, done.output
    assert f"已发送到 {ALERTS}" in done.output and "预览" not in done.output
    again = CliRunner().invoke(app, ["report", "month", "--month", "2026-11", "--post"], env=token)
    assert again.exit_code == 0 and "已经发送过，这次没有重发；确需重发请加 --force" in again.output
    assert len(posts(slack, ALERTS)) == 1  # a second hand, or the scheduled tick, does not post it again
    forced = CliRunner().invoke(app, ["report", "month", "--month", "2026-11", "--post", "--force"], env=token)
    assert forced.exit_code == 0 and f"已发送到 {ALERTS}" in forced.output
    assert len(posts(slack, ALERTS)) == 2 and len(posts(slack, BOSS)) == 2


def test_report_kpi_prints_one_row_per_owner_and_role(database_url: str, ids: Ids) -> None:
    result = CliRunner().invoke(app, ["report", "kpi", "--quarter", "2026Q4"],
                                env={"DATABASE_URL": database_url, "COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "考核 2026Q4（2026-10-01 – 2026-12-31）" in result.output and "回款率" in result.output
    rows = [line for line in result.output.splitlines() if "U0" in line]
    assert [next(u for u in (S1, S2, R1) if u in row) for row in rows] == [S1, S2, R1]
    assert "¥17,000" in rows[2]  # 甲 10,000 + 丙 5,000 + 戊 2,000 in the quarter
    [team] = [line for line in result.output.splitlines() if "全体" in line]
    assert "¥18,000" in team  # and 丁's 1,000, who has no risk officer


def test_the_scheduler_ticks_the_monthly_report_daily_at_its_time(services: Services, client: WebClient) -> None:
    [(_, _, _, trigger)] = [job for job in job_table(services, client) if job[0] == MONTHLY_REPORT]
    assert str(trigger) == "cron[hour='9', minute='30']"


def test_charts_slack_refused_are_not_retried_so_the_summary_is_never_posted_twice(
    services: Services, slack: FakeSlackApi, client: WebClient, ids: Ids, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail_next("files.getUploadURLExternal", error="not_in_channel")
    assert run_monthly_report(services, client)
    assert "charts of the monthly report 2026-11 not uploaded (not_in_channel)" in caplog.text
    assert not run_monthly_report(services, client)
    assert len(posts(slack, ALERTS)) == 1


def test_report_kpi_is_in_english_under_locale_en(database_url: str, ids: Ids, tmp_path: Path) -> None:
    config = tmp_path / "riskbot.yaml"
    config.write_text("locale: en\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "kpi", "--quarter", "2026Q4"],
                                env={"DATABASE_URL": database_url, "RISKBOT_CONFIG": str(config), "COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "KPIs 2026Q4 (2026-10-01 – 2026-12-31)" in result.output and "Recovery rate" in result.output
    assert "回款率" not in result.output and "全体" not in result.output and "Everyone" in result.output


def test_force_goes_with_post_only(database_url: str) -> None:
    result = CliRunner().invoke(app, ["report", "month", "--force"], env={"DATABASE_URL": database_url})
    assert result.exit_code == 2
    assert result.stderr.strip() == "riskbot: --force 只能与 --post 一起使用：它用于重新发送月度看板"
