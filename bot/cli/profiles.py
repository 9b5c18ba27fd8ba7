"""`riskbot profiles list | show NAME | validate PATH`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Column, Table

from bot.cli.base import app, config, fail, profiles
from scoring.profiles import ProfileError, validate_path

profiles_app = typer.Typer(help="Industry profiles (行业适配): list, show and validate.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")


@profiles_app.command("list")
def list_profiles() -> None:
    """Every profile in use, with its indicator count and total weight."""
    known = profiles()
    table = Table("name", "label", "indicators", "total weight", "version")
    for name in known.names():
        p = known.get(name)
        table.add_row(p.name, p.label, str(len(p.indicators)), f"{p.total_weight:g}", p.version)
    Console().print(table)


@profiles_app.command("show")
def show(name: str) -> None:
    """The effective indicators of one profile: weights, units, rules and floors."""
    known = profiles()
    try:
        p = known.get(name)
    except KeyError as exc:
        fail(f"NAME: {exc.args[0]}")
    # Keys are what users type into JSON and imports: never cut them; fold the rest, never "…".
    table = Table(
        Column("key", no_wrap=True),
        *(Column(head, overflow="fold") for head in ("label", "weight", "unit", "rule", "floor")),
        title=f"{p.name} · {p.label} · {p.version}",
    )
    for i in p.indicators:
        table.add_row(i.key, i.label, f"{i.weight:.4g}", i.unit, i.rule.text, i.floor.reason if i.floor else "")
    Console().print(table)


@profiles_app.command("validate")
def validate(path: str) -> None:
    """Check a profile file (or a folder of them) and report the first problem with its line."""
    try:
        names = validate_path(path, config().profiles_dir)
    except ProfileError as exc:
        fail(str(exc))
    typer.echo(f"ok: {', '.join(names)}")
