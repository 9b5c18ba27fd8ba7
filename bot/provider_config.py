"""The `providers:` section of the config: where credit data is fetched and how often.

    providers:
      secrets_file: secrets.yaml        # optional: {<source>: {key, secret, token}}
      refresh_days: {dishonest_debtor_count: 30, overdue_payment_count: 10}
      sources:
        qcc:
          kind: qichacha                # qichacha | tianyancha | generic
          base_url: https://api.qichacha.com
          key_env: QCC_APPKEY           # secrets by environment variable name …
          secret_env: QCC_SECRETKEY
          rate_per_second: 5
          daily_budget: 2000
          mapping: qcc-mapping.yaml     # optional: replaces the shipped mapping

Secrets are only named here; `secrets_for` reads them when a sync starts, so a config file
never holds a key and a message never shows one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from providers.adapters import Secret
from scoring.freshness import DEFAULT_REFRESH

KINDS = ("qichacha", "tianyancha", "generic")
_SECRETS = {"qichacha": ("key", "secret"), "tianyancha": ("token",), "generic": ("token",)}
_SOURCE_KEYS = {"kind", "base_url", "key_env", "secret_env", "token_env", "auth_header", "result_field",
                "rate_per_second", "daily_budget", "timeout_seconds", "mapping"}
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class ProvidersConfigError(ValueError):
    """One sentence naming the config file and the field (bot.config turns it into ConfigError)."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    base_url: str
    secret_env: Mapping[str, str]  # secret ("key", "secret", "token") → environment variable
    rate_per_second: float = 5.0
    daily_budget: int = 1000
    timeout_seconds: float = 10.0
    mapping: Path | None = None
    auth_header: str = "Authorization"
    result_field: str | None = "result"


@dataclass(frozen=True)
class ProvidersConfig:
    sources: tuple[Source, ...] = ()
    refresh: Mapping[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_REFRESH))
    secrets_file: Path | None = None
    source: str = "(defaults)"


def _where(source: str, key: str) -> str:
    return f"config {source}: providers.{key}"


def _number(raw: Any, source: str, key: str, *, whole: bool = False) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0 or (whole and raw != int(raw)):
        kind = "a whole number" if whole else "a number"
        raise ProvidersConfigError(f"{_where(source, key)}: expected {kind} above 0, got {raw!r}")
    return float(raw)


def _path(raw: Any, source: str, key: str, base_dir: Path | None) -> Path:
    path = Path(str(raw))
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise ProvidersConfigError(f"{_where(source, key)}: {path} is not a file")
    return path


def _source(name: str, raw: Any, source: str, base_dir: Path | None) -> Source:
    where = f"sources.{name}"
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProvidersConfigError(f"{_where(source, where)}: a source name is lower-case letters, digits, - or _")
    if not isinstance(raw, Mapping):
        raise ProvidersConfigError(f"{_where(source, where)}: expected a mapping with kind and base_url")
    unknown = sorted(map(str, set(raw) - _SOURCE_KEYS))
    if unknown:
        raise ProvidersConfigError(f"{_where(source, f'{where}.{unknown[0]}')}: unknown setting; known: {', '.join(sorted(_SOURCE_KEYS))}")
    kind = raw.get("kind", name)
    if kind not in KINDS:
        raise ProvidersConfigError(f"{_where(source, f'{where}.kind')}: expected one of {', '.join(KINDS)}, got {kind!r}")
    base_url = raw.get("base_url")
    if not isinstance(base_url, str) or not re.match(r"^https?://[^\s/]+", base_url):
        raise ProvidersConfigError(f"{_where(source, f'{where}.base_url')}: expected a URL like https://api.example.com, got {base_url!r}")
    envs = {}
    for secret in _SECRETS[kind]:
        env = raw.get(f"{secret}_env")
        if env is not None and (not isinstance(env, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", env)):
            raise ProvidersConfigError(f"{_where(source, f'{where}.{secret}_env')}: expected an environment variable name, got {env!r}")
        if env is not None:
            envs[secret] = env
    for other in ("key_env", "secret_env", "token_env"):
        if other in raw and other[:-4] not in _SECRETS[kind]:
            raise ProvidersConfigError(f"{_where(source, f'{where}.{other}')}: a {kind} source does not use it; it takes {', '.join(s + '_env' for s in _SECRETS[kind])}")
    header = raw.get("auth_header", "Authorization")
    if not isinstance(header, str) or not re.match(r"^[A-Za-z0-9-]+$", header):
        raise ProvidersConfigError(f"{_where(source, f'{where}.auth_header')}: expected a header name like Authorization, got {header!r}")
    result_field = raw.get("result_field", "result")
    if result_field is not None and not isinstance(result_field, str):
        raise ProvidersConfigError(f"{_where(source, f'{where}.result_field')}: expected a field name or null (the whole answer)")
    return Source(
        name=name,
        kind=str(kind),
        base_url=base_url,
        secret_env=envs,
        rate_per_second=_number(raw.get("rate_per_second", 5), source, f"{where}.rate_per_second"),
        daily_budget=int(_number(raw.get("daily_budget", 1000), source, f"{where}.daily_budget", whole=True)),
        timeout_seconds=_number(raw.get("timeout_seconds", 10), source, f"{where}.timeout_seconds"),
        mapping=_path(raw["mapping"], source, f"{where}.mapping", base_dir) if raw.get("mapping") is not None else None,
        auth_header=header,
        result_field=result_field,
    )


def parse_providers(raw: Any, source: str, base_dir: Path | None) -> ProvidersConfig:
    if raw is None:
        return ProvidersConfig(source=source)
    if not isinstance(raw, Mapping):
        raise ProvidersConfigError(f"config {source}: providers: expected a mapping with sources")
    unknown = sorted(map(str, set(raw) - {"sources", "refresh_days", "secrets_file"}))
    if unknown:
        raise ProvidersConfigError(f"{_where(source, unknown[0])}: unknown setting; known: refresh_days, secrets_file, sources")
    sources_raw = raw.get("sources") or {}
    if not isinstance(sources_raw, Mapping):
        raise ProvidersConfigError(f"{_where(source, 'sources')}: expected a mapping of source names to settings")
    refresh = dict(DEFAULT_REFRESH)
    refresh_raw = raw.get("refresh_days") or {}
    if not isinstance(refresh_raw, Mapping):
        raise ProvidersConfigError(f"{_where(source, 'refresh_days')}: expected indicator keys with days, e.g. {{dishonest_debtor_count: 30}}")
    for key, days in refresh_raw.items():
        refresh[str(key)] = timedelta(days=_number(days, source, f"refresh_days.{key}"))
    secrets_file = raw.get("secrets_file")
    return ProvidersConfig(
        sources=tuple(_source(name, spec, source, base_dir) for name, spec in sources_raw.items()),
        refresh=refresh,
        secrets_file=_path(secrets_file, source, "secrets_file", base_dir) if secrets_file is not None else None,
        source=source,
    )


def secrets_for(config: ProvidersConfig, src: Source, environ: Mapping[str, str] | None = None) -> dict[str, Secret]:
    """The source's secrets: from its environment variables, else from the secrets file."""
    environ = os.environ if environ is None else environ
    from_file = _secrets_file(config).get(src.name) or {}
    found: dict[str, Secret] = {}
    for secret in _SECRETS[src.kind]:
        env = src.secret_env.get(secret)
        value = environ.get(env) if env else None
        if not value and isinstance(from_file, Mapping):
            value = from_file.get(secret)
        if value:
            found[secret] = Secret(str(value))
        elif src.kind != "generic":
            where = f"environment variable {env}" if env else f"providers.sources.{src.name}.{secret}_env"
            raise ProvidersConfigError(f"{_where(config.source, f'sources.{src.name}')}: no {secret} — set {where} "
                                       f"or put {src.name}.{secret} in the secrets file")
    return found


def _secrets_file(config: ProvidersConfig) -> Mapping[str, Any]:
    if config.secrets_file is None:
        return {}
    try:
        doc = yaml.safe_load(config.secrets_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        # Never the parser's message: it may quote a line of the file, i.e. a key.
        raise ProvidersConfigError(f"{_where(config.source, 'secrets_file')}: {config.secrets_file} cannot be read as "
                                   "YAML like {qcc: {key: …, secret: …}}") from None
    if not isinstance(doc, Mapping):
        raise ProvidersConfigError(f"{_where(config.source, 'secrets_file')}: expected a mapping of source names to their secrets")
    return doc
