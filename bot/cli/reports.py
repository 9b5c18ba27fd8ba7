"""`riskbot report month | kpi` and `riskbot review quarter`: the monthly 看板, the sales and
risk KPIs and the quarterly review (季度复盘), printed as tables and written as files."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Column, Table
from xlsxwriter.exceptions import FileCreateError

from bot.cli.base import app, config, fail, open_db, profiles, words
from bot.cli.ops import _client, message_text
from bot.jobs import monthly_posted
from bot.jobs import run_monthly_report
from bot.services import build_services, utc_now
from messages.plain import Words
from messages.render import Renderer
from messages.report import monthly_dashboard
from messages.report_views import KpiReport, QuarterReview, WhatIf
from reports.kpi import kpi_report
from reports.monthly import month_to_report, monthly_report
from reports.review import quarter_review
from reports.whatif import what_if
from reports.workbook import grade_text, write_review
from scoring.grades import Grade
from scoring.outcomes import (
    Period,
    PeriodError,
    month_of,
    parse_month,
    parse_quarter,
    previous_quarter,
    quarter_of,
)
from scoring.profiles import ProfileError, load_candidate

report_app = typer.Typer(help="Reports (报表): the monthly dashboard and the KPIs.", no_args_is_help=True)
review_app = typer.Typer(help="Reviews (复盘): how well the grades ranked what happened.", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(review_app, name="review")


def _period(language: Words, text: str | None, parse: Callable[[str], Period], default: Period, option: str,
            now: Period) -> Period:
    """The period named by `option`, or `default`; one that has not begun yet (after `now`) is
    refused: its report would be empty and look like good news."""
    if text is None:
        return default
    try:
        period = parse(text)
    except PeriodError:
        fail(language.text(f"report_terminal.bad_{'month' if parse is parse_month else 'quarter'}",
                           option=option, text=text))
    if period.start > now.start:
        fail(language.text("report_terminal.future", option=option, name=period.name, current=now.name))
    return period


def _out_dir(language: Words, out: Path) -> Path:
    if out.exists() and not out.is_dir():
        fail(language.text("report_terminal.out_is_file", file=out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(language.text("report_terminal.out_no_folder", file=out, reason=exc.strerror or exc))
    return out


def _out_file(language: Words, out: Path) -> Path:
    """An .xlsx path whose folder exists, checked before the review is computed."""
    if out.suffix.lower() != ".xlsx":
        fail(language.text("report_terminal.out_not_xlsx", file=out))
    folder = out.parent
    if not folder.is_dir():
        fail(language.text("report_terminal.out_missing_folder", file=out, folder=folder))
    if out.is_dir():
        fail(language.text("report_terminal.out_is_folder", file=out))
    return out


@report_app.command("month")
def month(
    month_text: str | None = typer.Option(None, "--month", help="The month, like 2026-11 (default: last month)."),
    out: Path | None = typer.Option(None, "--out", help="Write the charts (PNG) into this folder."),
    post: bool = typer.Option(False, "--post", help="Also post it to channels.alerts and DM the KPIs now (once a month)."),
    force: bool = typer.Option(False, "--force", help="With --post: send it again even if it went out already."),
) -> None:
    """The monthly dashboard (月度看板): grade mix, receivables, losses, plans, detection accuracy, KPIs."""
    cfg = config()
    language = words(cfg)
    now = utc_now()
    this_month = month_of(now.astimezone(cfg.tz).date())
    period = _period(language, month_text, parse_month, month_to_report(now.astimezone(cfg.tz).date()), "--month",
                     this_month)
    if force and not post:
        fail(language.text("report_terminal.force_without_post"))
    folder = _out_dir(language, out) if out is not None else None
    if post and cfg.alerts_channel is None:
        fail(language.text("report_terminal.no_alerts_channel", source=cfg.source))
    client = _client(language.text("report_terminal.token_preview")) if post else None
    db = open_db()
    report = monthly_report(db, period, cfg.tz, now)
    renderer = Renderer(cfg.locale)
    typer.echo(message_text(monthly_dashboard(renderer, report, notes=False)))
    if folder is not None:
        from reports.charts import monthly_charts  # matplotlib takes over half a second to import

        for name, png in monthly_charts(report, cfg.locale).items():
            try:
                (folder / name).write_bytes(png)
            except OSError as exc:
                fail(language.text("report_terminal.out_cannot_write", file=folder / name, reason=exc.strerror or exc))
            typer.echo(language.text("report_terminal.written", file=folder / name))
    if client is None:
        typer.echo(language.text("report_terminal.preview"))
        return
    services = build_services(cfg, db)
    if not force and monthly_posted(services, period):
        typer.echo(language.text("report_terminal.already_posted", month=period.name))
        return
    if not run_monthly_report(services, client, month=period, force=force):
        fail(language.text("report_terminal.not_posted"))
    typer.echo(language.text("report_terminal.posted", channel=cfg.alerts_channel))


@report_app.command("kpi")
def kpi(quarter: str | None = typer.Option(None, "--quarter", help="The quarter, like 2026Q4 (default: this one).")) -> None:
    """Sales and risk KPIs (考核) per salesperson and risk officer for a quarter."""
    cfg = config()
    language = words(cfg)
    today = utc_now().astimezone(cfg.tz).date()
    period = _period(language, quarter, parse_quarter, quarter_of(today), "--quarter", quarter_of(today))
    Console().print(kpi_table(kpi_report(open_db(), period, cfg.tz, today), language))


def _money(value: Decimal) -> str:
    return f"¥{value:,.0f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def kpi_table(k: KpiReport, language: Words) -> Table:
    role_head, owner_head, *heads = language.text("report_terminal.kpi_heads").split("|")
    roles = language.text("report_terminal.roles").split("|")
    table = Table(role_head, Column(owner_head, no_wrap=True), *(Column(h, overflow="fold") for h in heads),
                  title=language.text("report_terminal.kpi_title", period=k.period, start=k.start, last_day=k.last_day),
                  caption=language.text("report_terminal.kpi_caption"))
    for role, lines in zip(roles, (k.sales, k.risk, (k.team,)), strict=True):
        for line in lines:
            table.add_row(role, "" if line is k.team else line.owner, str(line.high_risk_customers), _pct(line.recovery_rate),
                          _money(line.recovered), _money(line.receivable_at_start), str(line.on_time),
                          str(line.overdue), f"{line.alerts}（{line.unanswered}）",
                          "—" if line.median_hours is None else f"{line.median_hours:.1f}", _money(line.losses))
    return table


@review_app.command("quarter")
def quarter_cmd(
    quarter: str | None = typer.Option(None, "--quarter", help="The quarter, like 2026Q3 (default: the last one)."),
    profile_file: Path | None = typer.Option(None, "--profile-file", help="A candidate profile to compare (what-if)."),
    replaces: str | None = typer.Option(None, "--replaces", help="The profile the candidate replaces (default: its own name)."),
    out: Path | None = typer.Option(None, "--out", help="Also write the review as an XLSX workbook."),
    rows: int = typer.Option(20, "--rows", min=0, help="Customers shown in the terminal (all go to --out)."),
) -> None:
    """The quarterly review (季度复盘): customers with risk events, how grades ranked outcomes, missed risks."""
    cfg = config()
    language = words(cfg)
    known = profiles(cfg)
    today = utc_now().astimezone(cfg.tz).date()
    period = _period(language, quarter, parse_quarter, previous_quarter(quarter_of(today)), "--quarter",
                     quarter_of(today))
    if out is not None:
        _out_file(language, out)
    candidate = None
    if profile_file is not None:
        try:
            candidate = load_candidate(profile_file, cfg.profiles_dir)
        except ProfileError as exc:
            fail(language.text("report_terminal.profile_file", reason=exc))
        replaces = replaces or candidate.name
        if replaces not in known.profiles:
            fail(language.text("report_terminal.replaces_unknown", name=candidate.name, known=", ".join(known.names())))
    db = open_db()
    review = quarter_review(db, known, period, cfg.tz)
    compared = None
    if candidate is not None and profile_file is not None and replaces is not None:
        compared = what_if(db, known, candidate, profile_file, period, cfg.tz, replaces)
    console = Console()
    for table in review_tables(review, rows):
        console.print(table)
    if compared is not None:
        console.print(what_if_table(compared))
    if out is not None:
        try:
            write_review(review, out, compared)
        except (OSError, FileCreateError) as exc:  # xlsxwriter wraps the OSError of a file it cannot create
            cause = exc.__cause__ or exc.__context__ or exc
            fail(language.text("report_terminal.out_cannot_write", file=out,
                               reason=getattr(cause, "strerror", None) or cause))
        typer.echo(language.text("report_terminal.written", file=out))


def review_tables(review: QuarterReview, rows: int) -> list[Table]:
    title = f"季度复盘 review {review.quarter} ({review.start} – {review.last_day}): {len(review.rows)} 位客户 customers"
    customers = Table("客户 customer", "首个事件 first", "事件 events", "损失 loss", "季初 at start",
                      "30 天前 30d before", "90 天前 90d before", title=title)
    for row in review.rows[:rows]:
        customers.add_row(row.name, str(row.first_on), str(row.events), _money(row.loss),
                          *(_standing(s.grade, s.score) for s in (row.at_start, row.before_30, row.before_90)))
    if len(review.rows) > rows:
        customers.caption = f"另有 {len(review.rows) - rows} 位 more (--out writes all)"
    quality = Table("画像 profile", "等级 grade", "客户 customers", "有损失 with loss", "出险率 loss rate", "AUC", "KS",
                    title="评级效果 how grades ranked losses")
    for p in review.profiles:
        for hits in p.hits:
            quality.add_row(p.profile, grade_text(hits.grade), str(hits.customers), str(hits.with_loss), _pct(hits.rate),
                            "", "")
        quality.add_row(p.profile, "合计 all", str(p.customers), str(p.losses), _pct(p.losses / p.customers if p.customers else None),
                        _ratio(p.auc), _ratio(p.ks), end_section=True)
    quiet = Table("指标 indicator", "键 key", "未扣分客户 silent for", "权重 weight", "平均扣分 avg points",
                  title=f"漏判客户 {review.missed} 位 missed: 当前指标未覆盖的风险点 indicators that did not see it")
    for q in review.quiet:
        quiet.add_row(q.label, q.key, f"{q.silent}/{q.known}", f"{q.weight:g}", f"{q.average_points:.2f}")
    return [customers, quality, quiet]


def what_if_table(w: WhatIf) -> Table:
    table = Table("", f"在用 in use: {w.profile}", f"候选 candidate: {w.candidate}",
                  title=f"假设 what-if: {w.customers} 位客户按季初指标重新评分 rescored")
    table.add_row("有损失 with a loss", str(w.losses), str(w.losses))
    table.add_row("已识别 caught (red/black)", str(w.caught_now), str(w.caught_candidate))
    table.add_row("等级变动 grades moved", "", f"{w.worse} 变严 stricter · {w.better} 放宽 looser")
    return table


def _standing(grade: Grade | None, score: float | None) -> str:
    if grade is None and score is None:
        return "—"
    return grade_text(grade) if score is None else f"{grade_text(grade)} {score:.1f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
