"""Settings from RISKBOT_CONFIG (SPEC §13): defaults, a full file, and one clear error per bad setting."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, Schedule, load_config

FULL = """\
locale: en
timezone: Asia/Hong_Kong
channels:
  approvals: C0APPROVALS
  alerts: C0ALERTS
  finance: G0FINANCE
roles:
  risk_director: [U0DIRECTOR]
  risk_officer: [U0OFFICER1, W0OFFICER2]
  finance: U0FINANCE
nudges:
  time: "08:45"
  workdays: [mon, tue, wed, thu, fri, 周六]
  holidays: [2026-10-01, "2026-10-02"]
  makeup_workdays: [2026-10-10]
  chinese_calendar: false
schedule:
  rescore: {weekday: 7, time: "23:30"}
  digest: {weekday: fri, time: "17:00"}
profiles_dir: company-profiles
"""


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKBOT_CONFIG", raising=False)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "riskbot.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_config_the_defaults_are_chinese_shanghai_and_weekday_mornings() -> None:
    config = load_config()
    assert config == Config()
    assert (config.locale, config.timezone, config.nudge_time) == ("zh", "Asia/Shanghai", time(9, 30))
    assert config.workdays == frozenset({0, 1, 2, 3, 4})
    assert (config.holidays, config.risk_directors, config.profiles_dir) == (frozenset(), frozenset(), None)
    assert config.chinese_calendar is True
    assert config.rescore == Schedule(0, time(8, 0))
    assert config.source == "(defaults)"


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "# nothing yet\n"))
    assert (config.locale, config.nudge_time, config.workdays) == ("zh", time(9, 30), frozenset(range(5)))


def test_a_full_config_is_read_from_the_file_named_by_riskbot_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "company-profiles").mkdir()
    path = write(tmp_path, FULL)
    monkeypatch.setenv("RISKBOT_CONFIG", str(path))
    config = load_config()
    assert (config.locale, config.timezone, str(config.tz)) == ("en", "Asia/Hong_Kong", "Asia/Hong_Kong")
    assert (config.approvals_channel, config.alerts_channel, config.finance_channel) == ("C0APPROVALS", "C0ALERTS", "G0FINANCE")
    assert config.risk_directors == {"U0DIRECTOR"}
    assert config.risk_officers == {"U0OFFICER1", "W0OFFICER2"}
    assert config.finance == {"U0FINANCE"}
    assert config.nudge_time == time(8, 45)
    assert config.workdays == frozenset({0, 1, 2, 3, 4, 5})
    assert config.holidays == {date(2026, 10, 1), date(2026, 10, 2)}
    assert config.makeup_workdays == {date(2026, 10, 10)}
    assert config.chinese_calendar is False
    assert config.rescore == Schedule(6, time(23, 30))
    assert config.digest == Schedule(4, time(17, 0))
    assert config.profiles_dir == tmp_path / "company-profiles"  # relative to the config file
    assert config.source == str(path)


def test_managers_and_the_monthly_reports_time_are_read(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "roles:\n  manager: [U0BOSS]\nschedule:\n  monthly_report: {time: '08:15'}\n"))
    assert cfg.managers == frozenset({"U0BOSS"})
    assert cfg.monthly_report_at == time(8, 15)
    assert Config().monthly_report_at == time(9, 30)


def test_directors_count_as_risk_officers_but_not_the_other_way_round(tmp_path: Path) -> None:
    (tmp_path / "company-profiles").mkdir()
    config = load_config(write(tmp_path, FULL))
    assert config.is_director("U0DIRECTOR") and config.is_risk_officer("U0DIRECTOR")
    assert config.is_risk_officer("U0OFFICER1") and not config.is_director("U0OFFICER1")
    assert not config.is_risk_officer("U0SALES")


def test_chinese_weekday_names_and_numbers_are_understood(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "nudges:\n  workdays: [周一, 2, Wednesday]\nschedule:\n  digest: {weekday: 周日}\n"))
    assert config.workdays == frozenset({0, 1, 2})
    assert config.digest == Schedule(6, time(9, 0))


# (file text, the field the message must name, words of the reason)
BAD_SETTINGS: list[tuple[str, str, str]] = [
    ("langauge: zh\n", "langauge", "unknown setting"),
    ("locale: fr\n", "locale", "expected zh or en"),
    ("timezone: Asia/Beijing\n", "timezone", "unknown time zone 'Asia/Beijing'"),
    ("timezone: ''\n", "timezone", "unknown time zone"),
    ("channels: C0ALERTS\n", "channels", "expected a mapping"),
    ("channels:\n  approvals: '#approvals'\n", "channels.approvals", "Slack channel ID"),
    ("channels:\n  alert: C0ALERTS\n", "channels.alert", "unknown setting"),
    ("roles:\n  risk_director: [zhang.san@example.com]\n", "roles.risk_director", "Slack user IDs"),
    ("roles:\n  risk_officer: u012abcdef\n", "roles.risk_officer", "Slack user IDs"),
    ("roles:\n  risk_directors: [U0DIRECTOR]\n", "roles.risk_directors", "unknown setting"),
    ("nudges:\n  time: '25:00'\n", "nudges.time", "expected a time like 09:30"),
    ("nudges:\n  time: morning\n", "nudges.time", "expected a time like 09:30"),
    ("nudges:\n  time: 9:30\n", "nudges.time", "in quotes"),
    ("nudges:\n  workdays: []\n", "nudges.workdays", "non-empty list"),
    ("nudges:\n  workdays: mon\n", "nudges.workdays", "non-empty list"),
    ("nudges:\n  workdays: [mon, funday]\n", "nudges.workdays", "unknown weekday 'funday'"),
    ("nudges:\n  workdays: [0]\n", "nudges.workdays", "unknown weekday 0"),
    ("nudges:\n  holidays: 2026-10-01\n", "nudges.holidays", "expected a list of dates"),
    ("nudges:\n  holidays: ['2026-13-01']\n", "nudges.holidays", "'2026-13-01' is not a date"),
    ("nudges:\n  makeup_workdays: [tomorrow]\n", "nudges.makeup_workdays", "is not a date"),
    ("nudges:\n  tme: '09:30'\n", "nudges.tme", "unknown setting"),
    ("nudges:\n  chinese_calendar: 'off'\n", "nudges.chinese_calendar", "expected true or false"),
    ("schedule:\n  rescore: monday 8am\n", "schedule.rescore", "expected {weekday"),
    ("schedule:\n  rescore: {weekday: someday}\n", "schedule.rescore.weekday", "unknown weekday"),
    ("schedule:\n  digest: {time: '9h'}\n", "schedule.digest.time", "expected a time"),
    ("schedule:\n  digest: {day: fri}\n", "schedule.digest.day", "unknown setting"),
    ("profiles_dir: no-such-folder\n", "profiles_dir", "is not a folder"),
    ("roles:\n  manager: [boss@example.com]\n", "roles.manager", "Slack user IDs"),
    ("schedule:\n  monthly_report: '09:30'\n", "schedule.monthly_report", "expected {time"),
    ("schedule:\n  monthly_report: {time: noon}\n", "schedule.monthly_report.time", "expected a time"),
    ("schedule:\n  monthly_report: {weekday: mon}\n", "schedule.monthly_report.weekday", "unknown setting"),
]


@pytest.mark.parametrize(("text", "field", "reason"), BAD_SETTINGS)
def test_a_bad_setting_gives_one_clear_error_naming_the_file_and_field(tmp_path: Path, text: str, field: str, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"config {path}: {field}: ")
    assert reason in message
    assert "\n" not in message


def test_a_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "locale: zh\nchannels:\n  alerts: [C0ALERTS\n")
    with pytest.raises(ConfigError, match=r"line \d+ not valid YAML"):
        load_config(path)


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a mapping of settings at the top"):
        load_config(write(tmp_path, "- locale: zh\n"))


def test_a_missing_file_is_refused_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKBOT_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read it"):
        load_config()


def test_a_file_saved_in_gbk_is_refused_asking_for_utf8(tmp_path: Path) -> None:
    path = tmp_path / "riskbot.yaml"
    path.write_bytes("# 风控配置\nlocale: zh\n".encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8 text; save it as UTF-8"):
        load_config(path)
