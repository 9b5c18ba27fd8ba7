"""The credit-data sync as the bot and the command line run it: sources built from the config
(secrets read only now), then `ledger.sync`, recorded in the audit trail."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from bot.config import Config
from bot.provider_config import ProvidersConfigError, Source as SourceConfig, secrets_for
from bot.services import Services
from bot.slack_client import redact_secret
from ledger.sync import Progress, Source, SyncReport, sync
from providers.adapters import GenericJson, Provider, Qichacha, Secret, Tianyancha
from providers.mapping import MappingError, load_mapping, shipped
from scoring.profiles import ProfileSet
from scoring.values import PARTS

SYNCED = "providers.synced"


class SyncSetupError(ValueError):
    """A source that cannot be used (a missing secret, a bad mapping file); one sentence."""


def build_sources(config: Config, profiles: ProfileSet, environ: Mapping[str, str] | None = None) -> list[Source]:
    known = {k for p in profiles.profiles.values() for k in p.by_key} | set(PARTS)
    sources = []
    for src in config.providers.sources:
        try:
            secrets = secrets_for(config.providers, src, environ)
        except ProvidersConfigError as exc:
            raise SyncSetupError(str(exc)) from None
        for secret in secrets.values():
            redact_secret(secret.value)  # whatever a library logs, the key does not show
        path = src.mapping or shipped(src.kind)
        if path is None:
            raise SyncSetupError(f"config {config.source}: providers.sources.{src.name}.mapping: a {src.kind} source "
                                 "needs a mapping file saying which interface feeds which indicator")
        try:
            mapping = load_mapping(path, known)
        except MappingError as exc:
            raise SyncSetupError(f"mapping {exc}") from None
        sources.append(Source(src.name, _provider(src, secrets), mapping, src.rate_per_second, src.daily_budget))
    return sources


def _provider(src: SourceConfig, secrets: Mapping[str, Secret]) -> Provider:
    if src.kind == "qichacha":
        return Qichacha(src.name, src.base_url, secrets["key"], secrets["secret"], timeout=src.timeout_seconds)
    if src.kind == "tianyancha":
        return Tianyancha(src.name, src.base_url, secrets["token"], timeout=src.timeout_seconds)
    return GenericJson(src.name, src.base_url, secrets.get("token"), src.auth_header, src.result_field,
                       timeout=src.timeout_seconds)


def run_sync(services: Services, *, customer_ids: Collection[int] | None = None, everything: bool = False,
             dry_run: bool = False, progress: Progress | None = None, actor: str = "system",
             environ: Mapping[str, str] | None = None) -> SyncReport:
    """Sync every configured source now; raises SyncSetupError before any call if one cannot be used."""
    sources = build_sources(services.config, services.profiles, environ)
    now = services.now()
    report = sync(services.db, services.profiles, sources, dict(services.config.providers.refresh), now,
                  workdays=services.workdays, tz=services.config.tz, customer_ids=customer_ids,
                  everything=everything, dry_run=dry_run, progress=progress,
                  announce=services.config.announces)
    if not dry_run:
        with services.db.uow() as uow:
            uow.audit.append(now, actor, SYNCED, None, {
                "sources": [s.name for s in sources], "queried": report.queried, "changed": report.changed,
                "failed": len(report.failed), "calls": report.calls, "reused": report.reused,
                "stopped": [str(e) for e in report.stopped],
            })
            uow.commit()
    return report
