"""`riskbot nudge` and `riskbot digest`: one run of a scheduled job now, or a preview of it.

A real run posts to Slack (SLACK_BOT_TOKEN; SLACK_API_URL optional) and records what went out
exactly as the scheduler's run does, so it never repeats a nudge the scheduler sent. `--dry-run`
needs no token and writes nothing.
"""

from __future__ import annotations

import logging
import os
import sys

import typer
from slack_sdk import WebClient

from bot.cli.base import app, config, fail, open_db
from bot.jobs import run_digest, run_nudges
from bot.services import Services, build_services
from bot.slack_client import install_token_redaction, make_web_client
from bot.usecases.digest import digest_view
from bot.usecases.nudges import NudgePlan, Quiet, nudge_plan
from messages import unescape, weekly_digest
from messages.surfaces import Message
from messages.views import NudgeItem
from scoring.grades import LABELS_ZH
from scoring.profiles import ProfileError

DRY_RUN_HELP = "Only print what would be sent (预览); needs no Slack token and records nothing."


@app.command()
def nudge(dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP)) -> None:
    """Run one nudge run now (跟进提醒): one DM per owner about their due and overdue customers."""
    client = None if dry_run else _client()
    services = _services()
    if client is None:
        _print_plan(nudge_plan(services, services.now(), claim=False, wait_for_time=False), dry_run=True)
        return
    report = run_nudges(services, client, wait_for_time=False)
    _print_plan(report.plan, dry_run=False)
    if report.plan.quiet is None:
        typer.echo(f"已发送 sent: {report.dms} DM(s), {report.escalations} escalation(s)")
    if report.not_sent:
        typer.echo(f"riskbot: not sent (the next run retries): {', '.join(report.not_sent)}", err=True)


@app.command()
def digest(dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP)) -> None:
    """Post the weekly digest (风控周报) to channels.alerts now, or print it."""
    client = None if dry_run else _client()
    services = _services()
    if client is None:
        typer.echo(message_text(weekly_digest(services.renderer, digest_view(services, services.now()))))
        return
    if services.config.alerts_channel is None:
        fail(f"channels.alerts is not set in config {services.config.source}: the digest goes to that channel")
    if not run_digest(services, client, force=True):
        fail("the digest was not posted (see the line above): check the channel and that the bot is in it")
    typer.echo(f"已发送 posted to {services.config.alerts_channel}")


def message_text(message: Message) -> str:
    """A message as terminal text: its headers, sections and context lines, unescaped."""
    lines = []
    for block in message.blocks:
        kind = block["type"]
        if kind in ("header", "section") and "text" in block:
            lines.append(block["text"]["text"])
        elif kind == "context":
            lines += [element["text"] for element in block["elements"] if "text" in element]
        elif kind == "divider":
            lines.append("—" * 20)
    return unescape("\n".join(lines))


def _print_plan(plan: NudgePlan, *, dry_run: bool) -> None:
    day = plan.today.isoformat()
    if plan.quiet is Quiet.NOT_WORKDAY:
        typer.echo(f"{day} 不是工作日，不发送跟进提醒；到期的客户将在下一个工作日 {plan.next_workday} 提醒 / "
                   f"not a workday: no nudges today, what is due goes out on {plan.next_workday}")
        return
    if not plan.nudges and not plan.escalations:
        typer.echo(f"{day} 没有需要提醒的跟进 / nothing to nudge about")
        return
    verb = "将提醒 would nudge" if dry_run else "提醒 nudged"
    typer.echo(f"{day} {verb} {len(plan.nudges)} owner(s) about {plan.customers} customer(s):")
    for batch in plan.nudges:
        typer.echo(f"{batch.owner}:")
        for item in sorted(batch.nudge.items, key=lambda i: (-i.days_overdue, i.customer.name)):
            typer.echo(f"  {_item(item)}")
    if plan.escalations:
        typer.echo(f"升级 escalated to the alerts channel ({len(plan.escalations)}):")
        for post in plan.escalations:
            e = post.escalation
            typer.echo(f"  {e.customer.name}: 逾期 {e.days_overdue} 天 / {e.days_overdue} day(s) overdue, "
                       f"cadence {e.cadence_days} day(s)")


def _item(item: NudgeItem) -> str:
    grade = item.customer.grade
    label = f"{LABELS_ZH[grade]} {grade.value}" if grade else "未评级 ungraded"
    when = (f"逾期 {item.days_overdue} 天 / {item.days_overdue} day(s) overdue (due {item.next_due})"
            if item.days_overdue else "今天到期 / due today")
    last = item.last_followup
    seen = f"; 上次跟进 last follow-up {last.on}" if last else "; 无跟进记录 no follow-up yet"
    return f"{item.customer.name} [{label}] {when}{seen}"


def _client(preview: str = "use --dry-run to preview without it") -> WebClient:
    """The Web API client of a real run; `preview` tells how to look without posting."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="riskbot: %(message)s")
    install_token_redaction()
    token = os.environ.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        fail(f"SLACK_BOT_TOKEN is not set: a real run posts to Slack ({preview})")
    try:
        return make_web_client(token)
    except ValueError as exc:
        fail(str(exc))


def _services() -> Services:
    cfg = config()
    try:
        return build_services(cfg, open_db())
    except ProfileError as exc:
        fail(f"profile {exc}")
