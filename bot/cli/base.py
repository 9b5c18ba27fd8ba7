"""The Typer application and the helpers every command shares."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Config, ConfigError, load_config
from messages import plain
from scoring.profiles import ProfileError, ProfileSet, load_profiles
from storage.db import open_database
from storage.errors import StorageError
from storage.uow import Database

app = typer.Typer(
    name="riskbot",
    help="风控助手 riskbot: the potential-risk customer ledger, in Slack and on the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

BAD_INPUT = 2


def fail(message: str) -> NoReturn:
    """One clear line on stderr and exit 2: the contract for bad input."""
    typer.echo(f"riskbot: {message}", err=True)
    raise typer.Exit(BAD_INPUT)


def config() -> Config:
    try:
        return load_config()
    except ConfigError as exc:
        fail(str(exc))


def words(cfg: Config | None = None) -> plain.Words:
    """The command line's wording in the configured locale (Chinese unless `locale: en`)."""
    return plain.words((cfg or config()).locale)


def profiles(cfg: Config | None = None) -> ProfileSet:
    cfg = cfg or config()
    try:
        return load_profiles(cfg.profiles_dir)
    except ProfileError as exc:
        fail(f"profile {exc}")


def _plain(value: Any) -> Any:
    """JSON has no infinity: an unbounded ratio (no equity left) is written as the text 'inf'."""
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(_plain(value), ensure_ascii=False, indent=2) + "\n")


def open_db(language: plain.Words | None = None) -> Database:
    """The ledger database (DATABASE_URL, else riskbot.db here), migrated to the latest revision."""
    try:
        return Database(open_database())
    except StorageError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or str(exc).splitlines()[0]
        fail((language or words()).text("import.database_unreachable", detail=reason))


MAX_NAMED = 5  # customers named when a --customer matches several


def customer_id_of(db: Database, text: str) -> int:
    """A credit code, then an exact name or short name, then a unique part of a name."""
    query = text.strip()
    if not query:
        fail("--customer: empty; give a credit code or a name")
    with db.uow() as uow:
        found = uow.customers.get_by_code(query.upper())
        if found is not None:
            return found.id
        exact = uow.customers.ids_named(query) or [c.id for c in uow.customers.by_alias(query)]
        if len(exact) == 1:
            return exact[0]
        if not exact:
            exact = uow.customers.ids_with_name_containing(query, MAX_NAMED + 1)
            if len(exact) == 1:
                return exact[0]
        if not exact:
            fail(f"--customer: no customer matches {query!r}; give a credit code or the full name")
        named = ", ".join(c.name for c in uow.customers.get_many(exact[:MAX_NAMED]))
        fail(f"--customer: {query!r} matches several customers ({named}{', …' if len(exact) > MAX_NAMED else ''}); give the credit code")


Step = Callable[[str, int, "int | None"], None]  # (what, done, total): one bar per `what`


@contextmanager
def progress_bar() -> Iterator[Step | None]:
    """Progress bars on stderr when it is a terminal (one per thing the caller names), nothing
    otherwise: a long import, sync or export shows it is moving; a script's output stays clean."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def step(what: str, done: int, total: int | None) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield step
