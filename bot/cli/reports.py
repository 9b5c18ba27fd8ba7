"""`riskbot report month | kpi` and `riskbot review quarter`: the monthly 看板, the sales and
risk KPIs and the quarterly review (季度复盘), printed as tables and written as files."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Column, Table

from bot.cli.base import app, config, fail, open_db, profiles
from bot.cli.ops import _client, message_text
from bot.jobs import run_monthly_report
from bot.services import build_services, utc_now
from messages.render import Renderer
from messages.report import monthly_dashboard
from messages.report_views import KpiReport, QuarterReview, WhatIf
from reports.kpi import kpi_report
from reports.monthly import month_to_report, monthly_report
from reports.review import quarter_review
from reports.whatif import what_if
from reports.workbook import grade_text, write_review
from scoring.grades import Grade
from scoring.outcomes import Period, PeriodError, parse_month, parse_quarter, previous_quarter, quarter_of
from scoring.profiles import ProfileError, load_candidate

report_app = typer.Typer(help="Reports (报表): the monthly dashboard and the KPIs.", no_args_is_help=True)
review_app = typer.Typer(help="Reviews (复盘): how well the grades ranked what happened.", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(review_app, name="review")


def _period(text: str | None, parse: Callable[[str], Period], default: Period, option: str) -> Period:
    if text is None:
        return default
    try:
        return parse(text)
    except PeriodError as exc:
        fail(f"{option}: {exc}")


def _out_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        fail(f"--out: {out} is a file; give a folder for the charts")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out: cannot create the folder {out} ({exc.strerror or exc})")
    return out


@report_app.command("month")
def month(
    month_text: str | None = typer.Option(None, "--month", help="The month, like 2026-11 (default: last month)."),
    out: Path | None = typer.Option(None, "--out", help="Write the charts (PNG) into this folder."),
    post: bool = typer.Option(False, "--post", help="Also post it to channels.alerts and DM the KPIs now."),
) -> None:
    """The monthly dashboard (月度看板): grade mix, receivables, losses, plans, detection accuracy, KPIs."""
    cfg = config()
    now = utc_now()
    period = _period(month_text, parse_month, month_to_report(now.astimezone(cfg.tz).date()), "--month")
    folder = _out_dir(out) if out is not None else None
    db = open_db()
    report = monthly_report(db, period, cfg.tz, now)
    renderer = Renderer(cfg.locale)
    typer.echo(message_text(monthly_dashboard(renderer, report)))
    if folder is not None:
        from reports.charts import monthly_charts  # matplotlib takes over half a second to import

        for name, png in monthly_charts(report, cfg.locale).items():
            (folder / name).write_bytes(png)
            typer.echo(f"已写入 written: {folder / name}")
    if post:
        if cfg.alerts_channel is None:
            fail(f"channels.alerts is not set in config {cfg.source}: the monthly report goes to that channel")
        if not run_monthly_report(build_services(cfg, db), _client(), month=period):
            fail("the monthly report was not posted (see the line above): check the channel and that the bot is in it")
        typer.echo(f"已发送 posted to {cfg.alerts_channel}")


@report_app.command("kpi")
def kpi(quarter: str | None = typer.Option(None, "--quarter", help="The quarter, like 2026Q4 (default: this one).")) -> None:
    """Sales and risk KPIs (考核) per salesperson and risk officer for a quarter."""
    cfg = config()
    today = utc_now().astimezone(cfg.tz).date()
    period = _period(quarter, parse_quarter, quarter_of(today), "--quarter")
    Console().print(kpi_table(kpi_report(open_db(), period, cfg.tz, today)))


def _money(value: Decimal) -> str:
    return f"¥{value:,.0f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def kpi_table(k: KpiReport) -> Table:
    heads = ("红黑标", "回款率", "回款", "期初应收", "跟进及时", "跟进逾期", "预警（未跟进）", "上报中位（小时）", "损失")
    table = Table("角色", Column("负责人", no_wrap=True), *(Column(h, overflow="fold") for h in heads),
                  title=f"考核 KPIs {k.period} ({k.start} – {k.last_day})",
                  caption="role, owner, high-risk customers, recovery rate, recovered, receivable at start, "
                          "follow-ups on time / overdue, alerts (unanswered), median hours to first follow-up, losses")
    for role, lines in (("销售", k.sales), ("风控", k.risk), ("全体", (k.team,))):
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
    known = profiles(cfg)
    today = utc_now().astimezone(cfg.tz).date()
    period = _period(quarter, parse_quarter, previous_quarter(quarter_of(today)), "--quarter")
    if out is not None and out.suffix.lower() != ".xlsx":
        fail(f"--out: {out} should end in .xlsx")
    candidate = None
    if profile_file is not None:
        try:
            candidate = load_candidate(profile_file, cfg.profiles_dir)
        except ProfileError as exc:
            fail(f"--profile-file: {exc}")
        replaces = replaces or candidate.name
        if replaces not in known.profiles:
            fail(f"--replaces: the candidate is named '{candidate.name}', which is no profile in use; "
                 f"say which one it replaces, e.g. --replaces general (known: {', '.join(known.names())})")
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
        except OSError as exc:
            fail(f"--out: cannot write {out} ({exc.strerror or exc})")
        typer.echo(f"已写入 written: {out}")


def review_tables(review: QuarterReview, rows: int) -> list[Table]:
    title = f"季度复盘 review {review.quarter} ({review.start} – {review.last_day}): {len(review.rows)} 位客户 customers"
    customers = Table("客户 customer", "首个事件 first", "事件 events", "损失 loss", "季初 at start",
                      "30 天前 30d before", "90 天前 90d before", title=title)
    for row in review.rows[:rows]:
        customers.add_row(row.name, str(row.first_on), str(row.events), _money(row.loss),
                          *(_standing(s.grade, s.score) for s in (row.at_start, row.before_30, row.before_90)))
    if len(review.rows) > rows:
        customers.caption = f"另有 {len(review.rows) - rows} 位 more (--out writes all)"
    quality = Table("画像 profile", "等级 grade", "客户 customers", "有损失 with loss", "命中率 hit rate", "AUC", "KS",
                    title="评级效果 how grades ranked losses")
    for p in review.profiles:
        for hits in p.hits:
            quality.add_row(p.profile, grade_text(hits.grade), str(hits.customers), str(hits.with_loss), _pct(hits.rate),
                            "", "")
        quality.add_row(p.profile, "合计 all", str(p.customers), str(p.losses), _pct(p.losses / p.customers if p.customers else None),
                        _ratio(p.auc), _ratio(p.ks), end_section=True)
    quiet = Table("指标 indicator", "键 key", "未扣分 silent", "平均扣分 avg points",
                  title=f"漏判客户 {review.missed} 位 missed: 当前指标未覆盖的风险点 indicators that did not see it")
    for q in review.quiet:
        quiet.add_row(q.label, q.key, f"{q.silent}/{q.known}", f"{q.average_points:.2f}")
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
