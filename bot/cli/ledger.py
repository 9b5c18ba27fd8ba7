"""`riskbot import | template | export | score | db upgrade`: the ledger from the command line.

Bad input (a bad row, an unreadable file, a bad database URL) prints `riskbot: …` lines on
stderr and exits 2; a file with errors changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from xlsxwriter.exceptions import FileCreateError

from bot.cli.base import app, config, fail, open_db, profiles
from bot.services import workdays_for
from bot.usecases.exporting import export_ledger
from bot.usecases.importing import CheckingFailed, ImportReport, Progress as ProgressFn, import_file
from bot.usecases.rescore import GradeMove, RescoreReport, rescore
from bot.usecases.rows import TableError
from bot.usecases.template import write_template
from scoring.grades import LABELS_ZH, Grade
from storage.db import make_engine
from storage.errors import StorageError
from storage.migrate import current_revision, upgrade

db_app = typer.Typer(help="Database: apply migrations (数据库迁移).", no_args_is_help=True)
app.add_typer(db_app, name="db")

_OUTCOME_ZH = {"apply": "已生效 applied", "request": "待审批 pending approval", "withdraw": "撤回申请 withdrawn"}


def _actor() -> str:
    return "cli:" + (os.environ.get("USER") or os.environ.get("USERNAME") or "unknown")


@contextmanager
def _progress() -> Iterator[ProgressFn | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task({"write": "导入 importing"}.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


def _grade(grade: Grade | None) -> str:
    return "无 none" if grade is None else f"{LABELS_ZH[grade]} {grade.value}"


def _move(move: GradeMove) -> str:
    return f"  {move.name}: {_grade(move.from_grade)} → {_grade(move.to_grade)}  [{_OUTCOME_ZH.get(move.outcome, move.outcome)}]"


def _print_errors(report: ImportReport) -> None:
    for line in report.errors:
        typer.echo(f"riskbot: {line}", err=True)
    if report.error_count > len(report.errors):
        typer.echo(f"riskbot: …and {report.error_count - len(report.errors)} more", err=True)


def _print_warnings(report: ImportReport) -> None:
    for line in report.warnings:
        typer.echo(f"riskbot: warning: {line}", err=True)
    if report.warning_count > len(report.warnings):
        typer.echo(f"riskbot: warning: …and {report.warning_count - len(report.warnings)} more", err=True)


def _rescore_summary(report: RescoreReport) -> str:
    return (f"评分 {report.assessed} 户：调级生效 {report.applied}，待审批 {report.requested}，"
            f"取代 {report.superseded}，撤回 {report.withdrawn} / "
            f"rescored {report.assessed}: grade changes applied {report.applied}, pending requests {report.requested}, "
            f"superseded {report.superseded}, withdrawn {report.withdrawn}")


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="A .csv or .xlsx file: a header row of field keys or Chinese labels, one customer per row."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and say what would change; write nothing."),
    accept_bad_check: bool = typer.Option(False, "--accept-bad-check", help="Accept credit codes whose only fault is the check character (a warning per row)."),
) -> None:
    """Import customers (导入客户): upsert by credit code, all or nothing, then rescore."""
    cfg = config()
    known = profiles(cfg)
    db = open_db()
    try:
        with _progress() as progress:
            report = import_file(
                db, known, file, now=datetime.now(UTC), workdays=workdays_for(cfg), tz=cfg.tz,
                dry_run=dry_run, accept_bad_check=accept_bad_check, actor=_actor(), progress=progress,
            )
    except TableError as exc:
        fail(str(exc))
    except CheckingFailed as exc:
        fail(f"检查进程出错，未做任何修改 / {exc.args[0]} — run the import again; if it fails the same way, "
             "report it with the file's header row")
    except (StorageError, IntegrityError) as exc:
        fail(f"导入期间台账被改动，未做任何修改 / the ledger changed during the import (another import or user added "
             f"the same customer?): {getattr(exc, 'orig', exc)}; nothing was changed — run the import again")
    except OperationalError as exc:
        fail(f"数据库繁忙或不可用，未做任何修改 / database busy or unreachable: {exc.orig}; nothing was changed — try again")
    except DBAPIError as exc:  # rows are checked against the columns first: this is a fault of ours
        fail(f"数据库拒绝写入，未做任何修改 / the database refused the import: {exc.orig}; nothing was changed — "
             "report it with the file's header row and the row named above")
    finally:
        db.dispose()
    _print_warnings(report)
    if not report.ok:
        _print_errors(report)
        fail(f"{report.file} 有 {report.error_count} 处问题，未做任何修改 / {report.error_count} problem(s) in {report.file}; "
             "nothing was changed. Fix the rows above and import again.")
    typer.echo(f"{report.file}：{report.rows} 行，新建 {report.created}，更新 {report.updated}，未变 {report.unchanged}，预警 {report.alerts} / "
               f"{report.rows} rows — created {report.created}, updated {report.updated}, "
               f"unchanged {report.unchanged}; alerts {report.alerts}")
    if dry_run:
        typer.echo("试运行，未写入任何数据 / dry run: nothing was written (counts are what the import would do)")
    elif report.rescore is not None:
        typer.echo(_rescore_summary(report.rescore))
    if report.rescore_failed:
        fail(f"导入已完成，但更新客户的重新评分未完成 / the import is saved, but rescoring the updated customers "
             f"stopped ({report.rescore_failed}); run `riskbot score` to finish it")


@app.command("score")
def score_command(
    everyone: bool = typer.Option(False, "--all", help="Rescore every customer, not only those whose data changed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show which grades would change; write nothing."),
) -> None:
    """Rescore customers (重新评分): blue↔yellow changes apply at once, red/black ones wait for a director."""
    cfg = config()
    known = profiles(cfg)
    db = open_db()
    try:
        report = rescore(db, known, workdays_for(cfg), datetime.now(UTC), tz=cfg.tz, everyone=everyone, dry_run=dry_run)
    except OperationalError as exc:
        fail(f"数据库繁忙或不可用 / database busy or unreachable: {exc.orig}; batches already done are kept — run `riskbot score` again")
    finally:
        db.dispose()
    if dry_run:
        changing = [m for m in report.moves if m.outcome != "withdraw"]
        typer.echo(f"试运行：评估 {report.assessed} 户，{len(changing)} 户将调级，未写入 / "
                   f"dry run: {report.assessed} assessed; {len(changing)} customer(s) would change grade; nothing was written")
        for move in report.moves:
            typer.echo(_move(move))
        return
    typer.echo(_rescore_summary(report))


@app.command("template")
def template_command(file: Path = typer.Argument(..., help="Where to write the blank import template (.xlsx).")) -> None:
    """Write a blank import template (导入模板) with drop-downs and column notes."""
    if file.suffix.lower() != ".xlsx":
        fail(f"FILE: {file.name} 须为 .xlsx 文件 / must end in .xlsx")
    try:
        write_template(file, profiles())
    except (OSError, FileCreateError) as exc:
        fail(f"无法写入 / cannot write {file}: {getattr(exc, 'strerror', None) or exc}")
    typer.echo(f"已生成导入模板 / template written: {file}")


@app.command("export")
def export_command(file: Path = typer.Argument(..., help="Where to write the ledger (.xlsx).")) -> None:
    """Export the ledger (导出台账): customers, follow-ups, grade changes, write-offs."""
    if file.suffix.lower() != ".xlsx":
        fail(f"FILE: {file.name} 须为 .xlsx 文件 / must end in .xlsx")
    cfg = config()
    known = profiles(cfg)
    db = open_db()
    try:
        counts = export_ledger(db, known, file, tz=cfg.tz)
    except (OSError, FileCreateError) as exc:
        fail(f"无法写入 / cannot write {file}: {getattr(exc, 'strerror', None) or exc}")
    finally:
        db.dispose()
    typer.echo(f"已导出 / exported to {file}: " + ", ".join(f"{sheet} {n}" for sheet, n in counts.items()))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to DATABASE_URL (safe to run again)."""
    try:
        engine = make_engine()
        upgrade(engine)
        revision = current_revision(engine)
    except StorageError as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(f"无法打开数据库 / cannot open the database: {exc.orig}; check DATABASE_URL")
    engine.dispose()
    typer.echo(f"数据库已是最新 / database is at revision {revision}")
