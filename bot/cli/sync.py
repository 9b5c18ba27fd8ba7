"""`riskbot sync [--customer X] [--all] [--dry-run]`: credit data from the configured providers.

Only data older than its refresh interval is asked for (`--all`: everything, kept answers
ignored). A progress bar on a terminal, then one summary line; customers not synced are
listed on stderr. A source stopped by a bad key, no balance or a spent budget exits 2 (the
operator has something to fix); the customers done before it are kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.exc import OperationalError

from bot.cli.base import app, config, customer_id_of, fail, open_db, progress_bar, words
from bot.services import build_services
from bot.usecases.sync import SyncSetupError, run_sync
from ledger.sync import Progress as ProgressFn
from messages.plain import Words
from providers.errors import ProviderError
from scoring.values import ValueProblem
from scoring.profiles import ProfileError

FAILURES_SHOWN = 20


@contextmanager
def _progress(language: Words) -> Iterator[ProgressFn | None]:
    with progress_bar() as step:
        yield None if step is None else (lambda done, total: step(language.text("sync.progress"), done, total))


def said(language: Words, error: ProviderError | ValueProblem, provider: str) -> str:
    """Why a query failed, in the user's language: `sync.error_<key>` (or the import's words
    for a value that cannot be an indicator's)."""
    if isinstance(error, ProviderError):
        return language.text("sync.from", provider=provider, reason=language.text(f"sync.error_{error.key}", **error.params))
    return language.text("sync.bad_value", provider=provider, field=error.field,
                         reason=language.text(f"import.{error.key}", **error.params))


@app.command("sync")
def sync_command(
    customer: str = typer.Option(None, "--customer", help="Only this customer: a credit code, full name, short name or part of the name."),
    everything: bool = typer.Option(False, "--all", help="Ask for every indicator whatever its age (calls cost money)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say who would be queried and how many calls it takes; ask and write nothing."),
) -> None:
    """Sync credit data (同步征信数据) from 企查查, 天眼查 or your own credit service, then rescore what changed."""
    cfg = config()
    language = words(cfg)
    if not cfg.providers.sources:
        fail(language.text("sync.no_sources"))
    db = open_db(language)
    try:
        ids = [customer_id_of(db, customer)] if customer is not None else None
        try:
            services = build_services(cfg, db)
        except ProfileError as exc:
            fail(f"profile {exc}")
        actor = "cli:" + (os.environ.get("USER") or os.environ.get("USERNAME") or "unknown")
        with _progress(language) as progress:
            report = run_sync(services, customer_ids=ids, everything=everything, dry_run=dry_run,
                              progress=progress, actor=actor)
    except SyncSetupError as exc:
        fail(language.text("sync.setup", reason=exc))
    except OperationalError as exc:
        fail(language.text("import.database_busy", detail=exc.orig))
    finally:
        db.dispose()
    for failure in report.failed[:FAILURES_SHOWN]:
        reason = said(language, failure.error, failure.provider)
        typer.echo(f"riskbot: {language.text('sync.failed', customer=failure.customer, reason=reason)}", err=True)
    if len(report.failed) > FAILURES_SHOWN:
        typer.echo(f"riskbot: {language.text('sync.more_failed', count=len(report.failed) - FAILURES_SHOWN)}", err=True)
    if dry_run:
        typer.echo(language.text("sync.dry_run", customers=report.customers, queried=report.queried,
                                 calls=report.calls, reused=report.reused))
        return
    typer.echo(language.text("sync.summary", customers=report.customers, queried=report.queried, changed=report.changed,
                             failed=len(report.failed), calls=report.calls, reused=report.reused, alerts=report.alerts))
    if report.rescore is not None:
        r = report.rescore
        typer.echo(language.text("import.rescored", assessed=r.assessed, applied=r.applied, requested=r.requested,
                                 superseded=r.superseded, withdrawn=r.withdrawn))
    for error in report.stopped:
        typer.echo(f"riskbot: {language.text('sync.stopped', reason=said(language, error, error.provider))}", err=True)
    if report.stopped:
        raise typer.Exit(2)
