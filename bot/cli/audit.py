"""`riskbot audit [--customer X] [--since DATE]`: the audit trail, oldest first.

One line per entry, tab-separated so scripts can cut it: local time, actor, action, customer
(name and credit code), detail as JSON.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import typer

from bot.cli.base import app, config, customer_id_of, fail, open_db
from storage.models import AuditEntry

@app.command("audit")
def audit_command(
    customer: str = typer.Option(None, "--customer", help="Only this customer: a credit code, full name, short name or part of the name."),
    since: str = typer.Option(None, "--since", help="Only entries from this local date on, e.g. 2026-11-01."),
) -> None:
    """Print the audit log (审计日志): requests, decisions, refusals, write-offs, alerts."""
    cfg = config()
    start = None
    if since is not None:
        try:
            start = datetime.combine(date.fromisoformat(since.strip()), datetime.min.time(), cfg.tz)
        except ValueError:
            fail(f"--since: {since!r} is not a date like 2026-11-01")
    db = open_db()
    try:
        customer_id = customer_id_of(db, customer) if customer is not None else None
        with db.uow() as uow:
            entries = uow.audit.query(customer_id=customer_id, since=start)
            ids = {e.customer_id for e in entries if e.customer_id is not None}
            names = {c.id: f"{c.name} ({c.credit_code})" for c in uow.customers.get_many(ids)}
    finally:
        db.dispose()
    if not entries:
        typer.echo("没有审计记录 / no audit entries", err=True)
        return
    for entry in entries:
        typer.echo(_line(entry, names, cfg.tz))


def _line(entry: AuditEntry, names: dict[int, str], tz: object) -> str:
    at = entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]
    who = names.get(entry.customer_id, f"#{entry.customer_id}") if entry.customer_id is not None else "-"
    detail = json.dumps(entry.detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    return "\t".join((at, entry.actor, entry.action, who, detail))


