"""`riskbot import | template | export | score | db upgrade`: the ledger from the command line.

Bad input (a bad row, an unreadable file, a bad database URL) prints `riskbot: …` lines on
stderr and exits 2; a file with errors changes nothing. Import and score speak the configured
locale (zh by default, else en), in the words of the import catalogue (`messages/templates/
<locale>/import.j2`): the people who fix the rows read them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from xlsxwriter.exceptions import FileCreateError

from bot.cli.base import app, config, fail, open_db, profiles, progress_bar, words
from bot.services import workdays_for
from ledger.event_import import CheckedEvents, EventReport, import_events, read_events
from ledger.exporting import export_ledger
from ledger.checking import CheckingFailed
from ledger.importing import ImportReport, Progress as ProgressFn, import_file
from ledger.grade_report import GradeMove, RescoreReport
from ledger.rescore import rescore
from spreadsheets.reading import TableError
from spreadsheets.template import write_template
from messages.plain import Words
from storage.db import make_engine
from storage.errors import StorageError
from storage.migrate import current_revision, upgrade

db_app = typer.Typer(help="Database: apply migrations (数据库迁移).", no_args_is_help=True)
app.add_typer(db_app, name="db")

def _actor() -> str:
    return "cli:" + (os.environ.get("USER") or os.environ.get("USERNAME") or "unknown")


@contextmanager
def _progress(language: Words) -> Iterator[ProgressFn | None]:
    """The import's phases as progress bars (the writing one named in the user's words)."""
    with progress_bar() as step:
        yield None if step is None else (
            lambda phase, done, total: step(language.text("import.importing") if phase == "write" else phase, done, total))


def _move(language: Words, move: GradeMove) -> str:
    return "  " + language.text("import.move", name=move.name, before=move.from_grade, after=move.to_grade,
                                outcome=move.outcome)


def _print_errors(language: Words, report: ImportReport | EventReport) -> None:
    for problem in report.errors:
        typer.echo(f"riskbot: {problem.text(language)}", err=True)
    if report.error_count > len(report.errors):
        typer.echo(f"riskbot: {language.text('import.more', count=report.error_count - len(report.errors))}", err=True)


def _events_outcome(language: Words, report: EventReport) -> None:
    """The events' problems (then exit 2: nothing was changed) or what they added."""
    if not report.ok:
        _print_errors(language, report)
        fail(language.text("import.event_problems", file=report.file, count=report.error_count))
    typer.echo(language.text("import.event_summary", file=report.file, rows=report.rows, added=report.added,
                             already=report.already))


def _print_warnings(language: Words, report: ImportReport) -> None:
    lines = [problem.text(language) for problem in report.warnings]
    if report.warning_count > len(report.warnings):
        lines.append(language.text("import.more", count=report.warning_count - len(report.warnings)))
    for line in lines:
        typer.echo(f"riskbot: {language.text('import.warning', text=line)}", err=True)


def _rescore_summary(language: Words, report: RescoreReport) -> str:
    return language.text("import.rescored", assessed=report.assessed, applied=report.applied,
                         requested=report.requested, superseded=report.superseded, withdrawn=report.withdrawn)


@app.command("import")
def import_command(
    file: Path | None = typer.Argument(None, help="A .csv, .xlsx or .xls file: a header row of field keys or Chinese labels, one customer per row. A workbook's sheet named 风险事件/Events is imported as risk events too."),
    events_file: Path | None = typer.Option(None, "--events", help="A .csv, .xlsx or .xls file of risk events (风险事件): credit code or name, type, date, amount, days, note."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and say what would change; write nothing."),
    accept_bad_check: bool = typer.Option(False, "--accept-bad-check", help="Accept credit codes whose only fault is the check character (a warning per row)."),
) -> None:
    """Import customers (导入客户) and risk events (风险事件): upsert by credit code, all or nothing, then rescore."""
    cfg = config()
    language = words(cfg)
    if file is None and events_file is None:
        fail(language.text("import.event_no_file"))
    known = profiles(cfg)
    db = open_db(language)
    now = datetime.now(UTC)
    try:
        events = _read_events(file, events_file, now.astimezone(cfg.tz).date(), dry_run)
        if file is None:
            assert events is not None
            _events_outcome(language, import_events(db, events, now=now, tz=cfg.tz, actor=_actor()))
            if dry_run:
                typer.echo(language.text("import.dry_run_note"))
            return
        with _progress(language) as progress:
            report = import_file(
                db, known, file, now=now, workdays=workdays_for(cfg), tz=cfg.tz,
                dry_run=dry_run, accept_bad_check=accept_bad_check, actor=_actor(), progress=progress,
                events=events, announce=cfg.announces,
            )
    except (TableError, CheckingFailed) as exc:
        fail(language.text(f"import.{exc.key}", **exc.params))
    except (StorageError, IntegrityError) as exc:
        fail(language.text("import.ledger_changed", detail=getattr(exc, "orig", exc)))
    except OperationalError as exc:
        fail(language.text("import.database_busy", detail=exc.orig))
    except DBAPIError as exc:  # rows are checked against the columns first: this is a fault of ours
        fail(language.text("import.database_refused", detail=exc.orig))
    finally:
        db.dispose()
    _print_warnings(language, report)
    if report.error_count:
        _print_errors(language, report)
        fail(language.text("import.problems", file=report.file, count=report.error_count))
    if report.events is not None and not report.events.ok:
        _events_outcome(language, report.events)
    if not report.rows and report.events is None:
        typer.echo(language.text("import.nothing_to_import", file=report.file))
        return
    typer.echo(language.text("import.summary", file=report.file, rows=report.rows, created=report.created,
                             updated=report.updated, unchanged=report.unchanged, alerts=report.alerts))
    if report.events is not None:
        _events_outcome(language, report.events)
    if dry_run:
        typer.echo(language.text("import.dry_run_note"))
    elif report.rescore is not None:
        typer.echo(_rescore_summary(language, report.rescore))
    if report.rescore_failed:
        fail(language.text("import.rescore_stopped", detail=report.rescore_failed))


def _read_events(file: Path | None, events_file: Path | None, today: date, dry_run: bool) -> CheckedEvents | None:
    """The events to import: `--events FILE`, else the 风险事件/Events sheet of a customers workbook."""
    if events_file is not None:
        return read_events(events_file, today=today, dry_run=dry_run)
    if file is not None and file.suffix.lower() in (".xlsx", ".xls"):
        return read_events(file, today=today, dry_run=dry_run, named_only=True)
    return None


@app.command("score")
def score_command(
    everyone: bool = typer.Option(False, "--all", help="Rescore every customer, not only those whose data changed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show which grades would change; write nothing."),
) -> None:
    """Rescore customers (重新评分): blue↔yellow changes apply at once, red/black ones wait for a director."""
    cfg = config()
    language = words(cfg)
    known = profiles(cfg)
    db = open_db(language)
    try:
        report = rescore(db, known, workdays_for(cfg), datetime.now(UTC), tz=cfg.tz, everyone=everyone, dry_run=dry_run,
                         announce=cfg.announces)
    except OperationalError as exc:
        fail(language.text("import.score_busy", detail=exc.orig))
    finally:
        db.dispose()
    if dry_run:
        if not report.assessed and not everyone:
            typer.echo(language.text("import.nobody_to_score"))
            return
        changing = [m for m in report.moves if m.outcome != "withdraw"]
        typer.echo(language.text("import.preview", assessed=report.assessed, changing=len(changing)))
        for move in report.moves:
            typer.echo(_move(language, move))
        return
    typer.echo(_rescore_summary(language, report))


@app.command("template")
def template_command(file: Path = typer.Argument(..., help="Where to write the blank import template (.xlsx).")) -> None:
    """Write a blank import template (导入模板) with drop-downs and column notes."""
    cfg = config()
    language = words(cfg)
    if file.suffix.lower() != ".xlsx":
        fail(language.text("import.must_be_xlsx", file=file.name))
    try:
        write_template(file, profiles(cfg))
    except (OSError, FileCreateError) as exc:
        fail(language.text("import.cannot_write", file=file, detail=getattr(exc, "strerror", None) or exc))
    typer.echo(language.text("import.template_written", file=file))


@app.command("export")
def export_command(file: Path = typer.Argument(..., help="Where to write the ledger (.xlsx).")) -> None:
    """Export the ledger (导出台账): customers with grades and measures, a summary, follow-ups, grade changes, write-offs, risk events."""
    cfg = config()
    language = words(cfg)
    if file.suffix.lower() != ".xlsx":
        fail(language.text("import.must_be_xlsx", file=file.name))
    known = profiles(cfg)
    db = open_db()
    try:
        with progress_bar() as step:
            exporting = None if step is None else (lambda done, total: step(language.text("import.exporting"), done, total))
            counts = export_ledger(db, known, file, tz=cfg.tz, now=datetime.now(UTC), locale=cfg.locale,
                                   progress=exporting)
    except (OSError, FileCreateError) as exc:
        fail(language.text("import.cannot_write", file=file, detail=getattr(exc, "strerror", None) or exc))
    finally:
        db.dispose()
    typer.echo(language.text("import.exported", file=file, counts=list(counts.items())))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to DATABASE_URL (safe to run again)."""
    language = words()
    try:
        engine = make_engine()
        upgrade(engine)
        revision = current_revision(engine)
    except StorageError as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(language.text("import.database_unreachable", detail=exc.orig))
    engine.dispose()
    typer.echo(language.text("import.database_at", revision=revision))
