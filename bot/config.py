"""Settings: Slack credentials from the environment, the rest from the YAML named by RISKBOT_CONFIG.

Every problem is reported as one sentence naming the file and the field (SPEC §13).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.webhook_config import WebhookConfigError, Webhooks, parse_webhooks
from bot.provider_config import ProvidersConfig, ProvidersConfigError, parse_providers
from messages.escape import is_slack_user_id

WEEKDAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6,
}
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class ConfigError(ValueError):
    """A setting that cannot be used; the message names where and what to do."""


@dataclass(frozen=True)
class Schedule:
    """A weekly job: weekday (0 = Monday) and local time."""

    weekday: int
    at: time


@dataclass(frozen=True)
class Config:
    locale: str = "zh"
    timezone: str = "Asia/Shanghai"
    approvals_channel: str | None = None
    alerts_channel: str | None = None
    finance_channel: str | None = None
    risk_directors: frozenset[str] = frozenset()
    risk_officers: frozenset[str] = frozenset()
    finance: frozenset[str] = frozenset()
    nudge_time: time = time(9, 30)
    workdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    chinese_calendar: bool = True  # statutory holidays and 调休 when the locale is Chinese
    rescore: Schedule = field(default_factory=lambda: Schedule(0, time(8, 0)))
    digest: Schedule = field(default_factory=lambda: Schedule(0, time(9, 0)))
    monthly_report_at: time = time(9, 30)  # on the first workday of each month
    managers: frozenset[str] = frozenset()  # see every owner's KPIs
    profiles_dir: Path | None = None
    webhooks: Webhooks = field(default_factory=Webhooks)
    providers: ProvidersConfig = field(default_factory=ProvidersConfig)
    source: str = "(defaults)"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def announces(self) -> bool:
        """Whether grade changes and write-offs are written to the webhook outbox: only when an
        endpoint is configured (nobody would read them otherwise)."""
        return bool(self.webhooks.endpoints)

    def is_director(self, user: str) -> bool:
        return user in self.risk_directors

    def is_risk_officer(self, user: str) -> bool:
        return user in self.risk_officers or user in self.risk_directors


def _where(source: str, key: str) -> str:
    return f"config {source}: {key}"


def _time(raw: Any, source: str, key: str) -> time:
    if isinstance(raw, int) and not isinstance(raw, bool):
        # YAML reads an unquoted 9:30 as the sexagesimal number 570.
        raise ConfigError(f"{_where(source, key)}: expected a time like '09:30' in quotes, got the number {raw}")
    text = str(raw).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"{_where(source, key)}: expected a time like 09:30, got {raw!r}")
    return time(int(match[1]), int(match[2]))


def _weekday(raw: Any, source: str, key: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 7:
        return raw - 1  # 1 = Monday … 7 = Sunday, as people count
    name = str(raw).strip().lower()[:3] if str(raw).isascii() else str(raw).strip()
    if name in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[name]
    raise ConfigError(f"{_where(source, key)}: unknown weekday {raw!r}; use mon…sun, 周一…周日 or 1…7")


def _schedule(raw: Any, source: str, key: str, default: Schedule) -> Schedule:
    if raw is None:
        return default
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{_where(source, key)}: expected {{weekday: mon, time: '08:00'}}")
    _no_unknown(raw, {"weekday", "time"}, source, key)
    return Schedule(
        _weekday(raw.get("weekday", default.weekday + 1), source, f"{key}.weekday"),
        _time(raw.get("time", default.at.strftime("%H:%M")), source, f"{key}.time"),
    )


def _monthly(raw: Any, source: str, default: time) -> time:
    """`monthly_report: {time: '09:30'}`: the day is always the month's first workday."""
    if raw is None:
        return default
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{_where(source, 'schedule.monthly_report')}: expected {{time: '09:30'}}")
    _no_unknown(raw, {"time"}, source, "schedule.monthly_report")
    return _time(raw.get("time", default.strftime("%H:%M")), source, "schedule.monthly_report.time")


def _flag(raw: Any, source: str, key: str) -> bool:
    if not isinstance(raw, bool):
        raise ConfigError(f"{_where(source, key)}: expected true or false, got {raw!r}")
    return raw


def _dates(raw: Any, source: str, key: str) -> frozenset[date]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise ConfigError(f"{_where(source, key)}: expected a list of dates like 2026-10-01")
    out = set()
    for item in raw:
        if isinstance(item, date):
            out.add(item)
            continue
        try:
            out.add(date.fromisoformat(str(item)))
        except ValueError:
            raise ConfigError(f"{_where(source, key)}: {item!r} is not a date like 2026-10-01") from None
    return frozenset(out)


def _users(raw: Any, source: str, key: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(u, str) and is_slack_user_id(u) for u in items):
        raise ConfigError(f"{_where(source, key)}: expected Slack user IDs like U012ABCDEF, got {raw!r}")
    return frozenset(items)


def _channel(raw: Any, source: str, key: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not _CHANNEL_ID.match(raw):
        raise ConfigError(f"{_where(source, key)}: expected a Slack channel ID like C012ABCDEF, got {raw!r}")
    return raw


def _no_unknown(mapping: Mapping[str, Any], known: set[str], source: str, prefix: str) -> None:
    """A misspelt key (roles.risk_directors) would otherwise be ignored without a word."""
    unknown = sorted(map(str, set(mapping) - known))
    if unknown:
        raise ConfigError(f"{_where(source, f'{prefix}.{unknown[0]}')}: unknown setting; known: {', '.join(sorted(known))}")


_SECTIONS: dict[str, set[str]] = {
    "channels": {"approvals", "alerts", "finance"},
    "roles": {"risk_director", "risk_officer", "finance", "manager"},
    "nudges": {"time", "workdays", "holidays", "makeup_workdays", "chinese_calendar"},
    "schedule": {"rescore", "digest", "monthly_report"},
}


def _section(doc: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    value = doc.get(name) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{_where(source, name)}: expected a mapping")
    _no_unknown(value, _SECTIONS[name], source, name)
    return value


def parse_config(doc: Mapping[str, Any], source: str, base_dir: Path | None = None) -> Config:
    known = {"locale", "timezone", "channels", "roles", "nudges", "schedule", "profiles_dir", "webhooks", "providers"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ConfigError(f"{_where(source, unknown[0])}: unknown setting; known: {', '.join(sorted(known))}")
    locale = str(doc.get("locale", "zh"))
    if locale not in ("zh", "en"):
        raise ConfigError(f"{_where(source, 'locale')}: expected zh or en, got {locale!r}")
    timezone = str(doc.get("timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{_where(source, 'timezone')}: unknown time zone {timezone!r}, e.g. Asia/Shanghai") from None
    channels = _section(doc, "channels", source)
    roles = _section(doc, "roles", source)
    nudges = _section(doc, "nudges", source)
    schedule = _section(doc, "schedule", source)
    workdays_raw = nudges.get("workdays", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(workdays_raw, list) or not workdays_raw:
        raise ConfigError(f"{_where(source, 'nudges.workdays')}: expected a non-empty list like [mon, tue, wed, thu, fri]")
    profiles_dir = doc.get("profiles_dir")
    if profiles_dir is not None:
        profiles_dir = Path(str(profiles_dir))
        if not profiles_dir.is_absolute() and base_dir is not None:
            profiles_dir = base_dir / profiles_dir
        if not profiles_dir.is_dir():
            raise ConfigError(f"{_where(source, 'profiles_dir')}: {profiles_dir} is not a folder")
    try:
        webhooks = parse_webhooks(doc.get("webhooks"), source)
    except WebhookConfigError as exc:
        raise ConfigError(str(exc)) from None
    defaults = Config()
    try:
        providers = parse_providers(doc.get("providers"), source, base_dir)
    except ProvidersConfigError as exc:
        raise ConfigError(str(exc)) from None
    return Config(
        locale=locale,
        timezone=timezone,
        approvals_channel=_channel(channels.get("approvals"), source, "channels.approvals"),
        alerts_channel=_channel(channels.get("alerts"), source, "channels.alerts"),
        finance_channel=_channel(channels.get("finance"), source, "channels.finance"),
        risk_directors=_users(roles.get("risk_director"), source, "roles.risk_director"),
        risk_officers=_users(roles.get("risk_officer"), source, "roles.risk_officer"),
        finance=_users(roles.get("finance"), source, "roles.finance"),
        managers=_users(roles.get("manager"), source, "roles.manager"),
        nudge_time=_time(nudges.get("time", "09:30"), source, "nudges.time"),
        workdays=frozenset(_weekday(d, source, "nudges.workdays") for d in workdays_raw),
        holidays=_dates(nudges.get("holidays"), source, "nudges.holidays"),
        makeup_workdays=_dates(nudges.get("makeup_workdays"), source, "nudges.makeup_workdays"),
        chinese_calendar=_flag(nudges.get("chinese_calendar", locale == "zh"), source, "nudges.chinese_calendar"),
        rescore=_schedule(schedule.get("rescore"), source, "schedule.rescore", defaults.rescore),
        digest=_schedule(schedule.get("digest"), source, "schedule.digest", defaults.digest),
        monthly_report_at=_monthly(schedule.get("monthly_report"), source, defaults.monthly_report_at),
        profiles_dir=profiles_dir,
        webhooks=webhooks,
        providers=providers,
        source=source,
    )


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """The config named by `path`, else by RISKBOT_CONFIG, else the defaults."""
    name = path if path is not None else os.environ.get("RISKBOT_CONFIG")
    if not name:
        return Config()
    file = Path(name)
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"config {file}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config {file}: not UTF-8 text; save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"config {file}:{line} not valid YAML") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, Mapping):
        raise ConfigError(f"config {file}: expected a mapping of settings at the top")
    return parse_config(doc, str(file), file.parent)
