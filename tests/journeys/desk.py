"""The risk desk as its people use it, for journey tests.

A `Desk` is riskbot served over real HTTP (`bot.server`) with request verification on, a
loopback fake Slack that records what the bot sent, the `riskbot` command line at the same
moved clock, and the scheduler's jobs ticking at that clock. Tests talk to it in people's
terms — a slash command, a message in a channel, a click on a button someone was shown, a
spreadsheet exported — and read back only what people see: `Seen` messages (every one of
them checked against Slack's Block Kit models first) and the exported workbook's sheets.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import openpyxl
import time_machine
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.cli import app as riskbot
from bot.config import Config
from bot.scheduler import JobScheduler
from bot.services import Services
from messages import Message
from tests.bot.conftest import Clock
from tests.messages.slackcheck import assert_safe, texts, validate_message, validate_view
from tests.slackkit.fake_api import FakeSlackApi
from tests.slackkit.signing import (
    block_actions, event_callback, message_event, post_signed, slash_command, view_submission,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "customers.csv"

_SHOWN = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
_OPENED = ("views.open", "views.update", "views.push")


class Workspace(FakeSlackApi):
    """The fake Slack Web API, also remembering the ts it gave each posted message: a person
    clicks a button on a message, and Slack's click payload names that message's ts."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._posted: list[tuple[dict[str, Any], str]] = []

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super()._chat_post_message(args)
        if answer.get("ok"):
            with self._lock:
                self._posted.append((args, answer["ts"]))
        return answer

    def ts_of(self, args: dict[str, Any]) -> str | None:
        """The ts Slack answered for this very chat.postMessage call."""
        with self._lock:
            return next((ts for posted, ts in self._posted if posted is args), None)


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str


@dataclass(frozen=True)
class Seen:
    """One message (or modal) as Slack shows it: where, to whom, its words and its buttons."""

    method: str  # chat.postMessage | chat.update | chat.postEphemeral | response_url | views.open
    where: str  # a channel id, the user id of a DM, "modal", or "" for a command's answer
    text: str  # the notification text, then every text object of the blocks, one per line
    buttons: tuple[Button, ...]
    ts: str | None = None  # of a posted or updated message
    thread_ts: str | None = None
    to: str | None = None  # an ephemeral message: the one user who sees it
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def button(self, label: str) -> Button:
        found = [b for b in self.buttons if b.label == label]
        assert len(found) == 1, f"expected one button {label!r}, got {[b.label for b in self.buttons]}"
        return found[0]

    def count(self, words: str) -> int:
        """How often `words` appear in the blocks (the notification text not counted)."""
        return sum(t.count(words) for t in texts(self.raw.get("blocks", [])))


def _buttons(blocks: list[dict[str, Any]]) -> tuple[Button, ...]:
    found = []
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found.append(Button(element["text"]["text"], element["action_id"], element.get("value", "")))
    return tuple(found)


def _seen(method: str, args: dict[str, Any], ts: str | None) -> Seen:
    """Check the call the way Slack would (Block Kit models, limits, no hostile markup)."""
    if method in _OPENED:
        view = args["view"]
        validate_view(view)
        words = texts(view)
        for words_ in words:
            assert_safe(words_)
        return Seen(method, "modal", "\n".join(words), _buttons(view["blocks"]), raw=view)
    blocks = args.get("blocks") or []
    validate_message(Message(args.get("text", ""), blocks))
    words = [args.get("text", ""), *texts(blocks)]
    for words_ in words:
        assert_safe(words_)
    return Seen(
        method, str(args.get("channel", "")), "\n".join(words), _buttons(blocks),
        ts=ts if method == "chat.postMessage" else args.get("ts"),
        thread_ts=args.get("thread_ts"), to=args.get("user"), raw=args,
    )


@dataclass(frozen=True)
class Sheet:
    """One worksheet of an exported workbook, read by its header labels."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    cells: tuple[tuple[Any, ...], ...]  # every row as written, headers included

    def column(self, label: str) -> list[Any]:
        assert label in self.headers, f"sheet {self.name} has no column {label!r}: {self.headers}"
        return [row[label] for row in self.rows]


def read_workbook(path: Path) -> dict[str, Sheet]:
    """Every sheet of an .xlsx file, its first row taken as the labels."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {}
        for ws in book.worksheets:
            cells = tuple(tuple(row) for row in ws.iter_rows(values_only=True))
            headers = tuple(str(h) if h is not None else "" for h in (cells[0] if cells else ()))
            rows = tuple(dict(zip(headers, row, strict=False)) for row in cells[1:] if any(c is not None for c in row))
            sheets[ws.title] = Sheet(ws.title, headers, rows, cells)
        return sheets
    finally:
        book.close()


def example_rows() -> list[dict[str, str]]:
    """examples/customers.csv as the team wrote it: one dict per customer, keyed by label."""
    with EXAMPLES.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def example(short_name: str) -> dict[str, str]:
    """The example customer whose 客户简称 lists `short_name`."""
    found = [row for row in example_rows() if short_name in re.split(r"[、,;]", row["客户简称"])]
    assert len(found) == 1, short_name
    return found[0]


class Desk:
    """riskbot, its Slack workspace, its command line and its scheduler, at one clock."""

    def __init__(self, services: Services, clock: Clock, slack: Workspace, client: WebClient, events_url: str,
                 cli_env: dict[str, str], workdir: Path) -> None:
        self.services = services
        self.clock = clock
        self.slack = slack
        self.client = client
        self.events_url = events_url
        self.cli_env = cli_env
        self.workdir = workdir
        self._cursor = 0
        self.last: list[Seen] = []  # everything the latest action (command, click, tick…) showed
        self._ts = itertools.count(1)
        self._events = itertools.count(1)

    # -- time ------------------------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self.services.config

    def today(self) -> date:
        return self.services.today()

    def travel_to(self, day: date, at: time) -> None:
        """Move the clock to `day` at local time `at` (nothing sleeps)."""
        self.clock.now = datetime.combine(day, at, tzinfo=self.config.tz).astimezone(UTC)

    # -- the command line ------------------------------------------------------------------

    def riskbot(self, *args: str) -> str:
        """Run `riskbot …` as an operator would, at the desk's clock; its stdout."""
        with time_machine.travel(self.clock.now, tick=False):
            result = CliRunner().invoke(riskbot, list(args), env=self.cli_env)
        assert result.exit_code == 0, f"riskbot {' '.join(args)} exited {result.exit_code}:\n{result.stderr}"
        return result.stdout

    def import_examples(self) -> str:
        return self.riskbot("import", str(EXAMPLES))

    def export(self, name: str = "台账.xlsx") -> dict[str, Sheet]:
        """`riskbot export`, then the workbook as a person opening it reads it."""
        path = self.workdir / name
        self.riskbot("export", str(path))
        return read_workbook(path)

    # -- the scheduler ---------------------------------------------------------------------

    def tick(self) -> list[Seen]:
        """Every scheduled job once, at the desk's clock, as a tick (or a start's catch-up) runs
        them; what they sent."""
        JobScheduler(self.services, self.client).catch_up()
        return self._shown()

    # -- Slack, as people use it -----------------------------------------------------------

    def _post(self, request: tuple[str, dict[str, str]]) -> str:
        status, body = post_signed(self.events_url, *request)
        assert status == 200, f"riskbot answered {status}: {body}"
        return body

    def command(self, user: str, text: str) -> Seen:
        """`/risk <text>` typed by `user`: the one private answer (the rest is in `last`)."""
        self._post(slash_command(text, user_id=user, response_url=self.slack.response_url(user)))
        answers = [s for s in self._shown() if s.method == "response_url"]
        assert len(answers) == 1, f"/risk {text}: expected one answer, got {len(answers)}"
        assert answers[0].raw.get("response_type") == "ephemeral"
        return answers[0]

    def say(self, user: str, channel: str, text: str) -> list[Seen]:
        """`user` posts `text` in `channel`: what the bot answered in its thread (all in `last`)."""
        ts = f"1800000000.{next(self._ts):06d}"
        event = message_event(text, user=user, channel=channel, ts=ts)
        self._post(event_callback(event, event_id=f"EvJourney{next(self._events):06d}"))
        return [s for s in self._shown() if s.thread_ts == ts]

    def click(self, user: str, message: Seen, label: str) -> list[Seen]:
        """`user` clicks the button `label` on `message`: what anyone was shown after."""
        button = message.button(label)
        shown = {"type": "message", "ts": message.ts, "text": message.raw.get("text", ""),
                 "blocks": message.raw.get("blocks", [])}
        self._post(block_actions(button.action_id, button.value, user_id=user, channel_id=message.where,
                                 message=shown))
        return self._shown()

    def submit(self, user: str, modal: Seen, typed: str) -> tuple[str, list[Seen]]:
        """`user` types `typed` into the modal's one text input and submits: Bolt's answer
        body (empty, or the errors shown in the modal) and what anyone was shown after."""
        inputs = [b for b in modal.raw["blocks"] if b.get("type") == "input"]
        assert len(inputs) == 1, "expected a modal with one input"
        block = inputs[0]
        element = block["element"]
        values = {block["block_id"]: {element["action_id"]: {"type": element["type"], "value": typed}}}
        request = view_submission(modal.raw["callback_id"], values, user_id=user,
                                  private_metadata=modal.raw.get("private_metadata", ""))
        body = self._post(request)
        return body, self._shown()

    # -- what people saw -------------------------------------------------------------------

    def _shown(self) -> list[Seen]:
        """Everything the bot showed anyone since the last action, oldest first, each checked."""
        records = self.slack.records
        new, self._cursor = records[self._cursor:], len(records)
        self.last = [
            _seen(call.method, call.args, self.slack.ts_of(call.args))
            for call in new
            if call.method in _SHOWN or call.method in _OPENED
        ]
        return self.last

    def dm_user(self, owner: str) -> str:
        """The Slack user an owner of the ledger is (an e-mail owner is looked up)."""
        if "@" not in owner:
            return owner
        return str(self.client.users_lookupByEmail(email=owner)["user"]["id"])


def in_channel(seen: list[Seen], where: str, method: str = "chat.postMessage") -> list[Seen]:
    return [s for s in seen if s.where == where and s.method == method]


def headed(seen: list[Seen], words: str) -> Seen:
    """The one message among `seen` whose text holds `words`."""
    found = [s for s in seen if words in s.text]
    assert len(found) == 1, f"expected one message with {words!r}, got {len(found)}"
    return found[0]


def request_customer(request: Seen) -> str:
    """The customer an approval request in the approvals channel is about (its header)."""
    found = re.search(r"^等级变更待审批 · (.+)$", request.text, re.MULTILINE)
    assert found, f"not an approval request:\n{request.text}"
    return found[1]


def next_workday(day: date) -> date:
    """The next working day in China after `day` (statutory holidays and 调休 included),
    from the chinese-calendar package rather than riskbot's own calendar."""
    return chinese_calendar.find_workday(1, day)


def cadence_days(card: Seen) -> int:
    """The follow-up pace a card shows, e.g. 每月（30 天） → 30."""
    found = re.search(r"跟进频率：\*?[^（\n]*（(\d+) 天）", card.text)
    assert found, f"no follow-up pace on the card:\n{card.text}"
    return int(found[1])


def days(n: int) -> timedelta:
    return timedelta(days=n)


def iso(day: date | datetime) -> str:
    return (day.date() if isinstance(day, datetime) else day).isoformat()


def names_in(seen: Seen, names: Iterable[str]) -> dict[str, int]:
    """How often each of `names` appears in a message's blocks."""
    return {name: seen.count(name) for name in names}


def due_by(ledger: Sheet, owner: str, day: date) -> set[str]:
    """The customers an exported ledger says `owner` (sales or risk) must follow up by `day`."""
    due = set()
    for row in ledger.rows:
        next_due = row["下次跟进日期"]
        assert isinstance(next_due, datetime), f"{row['客户全称']} has no next follow-up date: {next_due!r}"
        if owner in (row["销售负责人"], row["风控专员"]) and next_due.date() <= day:
            due.add(row["客户全称"])
    return due
