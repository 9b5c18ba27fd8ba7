"""`riskbot webhooks test URL` and `riskbot webhooks status`: check a receiver before relying
on it, and see what the plan push still owes each endpoint.

`test` sends one signed ping (`"type": "ping"`, signed as every event is) and says what came
back; it exits 2 when the receiver did not answer 2xx, so a deploy script can stop there.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import typer

from bot import webhook_send
from bot.cli.base import app, config, fail, open_db
from bot.webhook_config import MIN_SECRET

webhooks_app = typer.Typer(help="Webhooks (预案推送): test a receiver, list what is still to deliver.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")

DEAD_SHOWN = 10


@webhooks_app.command("test")
def test_command(
    url: str = typer.Argument(..., help="The receiver's URL, e.g. https://erp.example.com/riskbot."),
    secret: str = typer.Option(None, "--secret", envvar="RISKBOT_WEBHOOK_SECRET",
                               help="Signing secret; default: the configured endpoint's for this URL."),
    timeout: float = typer.Option(webhook_send.TIMEOUT_SECONDS, "--timeout", min=0.1, help="Seconds to wait for the answer."),
) -> None:
    """Send a signed ping (测试推送) and print the receiver's answer."""
    problem = webhook_send.url_problem(url)
    if problem is not None:
        fail(f"URL: {problem}; got {webhook_send.shown(url)}")
    if secret is None:
        endpoint = config().webhooks.endpoint(url)
        if endpoint is None:
            fail(f"{webhook_send.shown(url)} is not among webhooks.endpoints in the config: give its secret with --secret")
        secret = endpoint.secret
    if len(secret) < MIN_SECRET:
        fail(f"--secret: shorter than {MIN_SECRET} characters; use the receiver's full secret")
    event_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    body = json.dumps({"id": event_id, "type": "ping", "sent_at": now.isoformat()}, separators=(",", ":"))
    answer = webhook_send.post(url, secret, body, event_id, now, timeout)
    if not answer.ok:
        hint = " (is the secret the receiver's?)" if answer.status in (401, 403) else ""
        fail(f"推送测试失败 webhook test failed: {webhook_send.shown(url)}: {answer.error}{hint}")
    typer.echo(f"已送达 delivered: {webhook_send.shown(url)} answered HTTP {answer.status} (event {event_id})")


@webhooks_app.command("status")
def status_command() -> None:
    """Per endpoint: deliveries still to go and given up; then the latest given up (推送状态)."""
    cfg = config()
    db = open_db()
    try:
        with db.uow() as uow:
            backlog = uow.webhooks.backlog()
            dead = uow.webhooks.dead(DEAD_SHOWN)
    finally:
        db.dispose()
    configured = {e.url for e in cfg.webhooks.endpoints}
    if not backlog and not configured:
        typer.echo("未配置推送 / no webhooks configured (webhooks.endpoints)")
        return
    seen = {b.endpoint for b in backlog}
    typer.echo("endpoint\tpending\tdead\toldest pending")
    for row in backlog:
        oldest = row.oldest_pending.astimezone(cfg.tz).strftime("%Y-%m-%d %H:%M") if row.oldest_pending else "-"
        gone = "" if row.endpoint in configured else "\t(no longer configured: not sent)"
        typer.echo(f"{webhook_send.shown(row.endpoint)}\t{row.pending}\t{row.dead}\t{oldest}{gone}")
    for url in sorted(configured - seen):
        typer.echo(f"{webhook_send.shown(url)}\t0\t0\t-")
    if dead:
        typer.echo("\n已放弃 given up (latest first):")
        for letter in dead:
            typer.echo(f"{webhook_send.shown(letter.endpoint)}\t{letter.customer_name}\t{letter.kind}\t{letter.event_id}\t"
                       f"{letter.attempts} tries\t{letter.last_error or ''}")
