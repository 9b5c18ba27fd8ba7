"""`/risk` text → one small frozen command, from one table of names and aliases (SPEC §12).

Only what is parsed is normalised: the subcommand word, the list or grade word and the
customer reference. A note, reason or write-off text is kept as typed (issue 15), so the
text is split on its first separators without translating anything. Anything that is not a
known subcommand is a customer lookup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from bot.typed import as_typed
from messages.plain import words as plain_words
from scoring import events as ev
from scoring.grades import Grade

MAX_QUERY = 200  # longer lookups are certainly not a customer name
# A word ends at a space (ASCII, ideographic, line break…) or a half- or full-width colon.
_WORD = re.compile(r"[^\s:：]+")
# A customer in quotes may hold spaces and colons: "深圳 华强"：…, “华强” …, 「华强」…
_QUOTED = re.compile(r'[“„"]([^"“”]+)["“”]|「([^」]+)」|『([^』]+)』')


class CommandError(ValueError):
    """Bad `/risk` input; `usage` names the subcommand whose usage line should follow."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # lookup | help | mine | list | log | propose | release | writeoff | event | stats
    query: str = ""  # the customer reference (lookup, log, propose, release, writeoff)
    text: str = ""  # follow-up text, reason, write-off text or an event's note, as typed
    grade: Grade | None = None  # propose; list <grade>
    scope: str = ""  # list: blue/yellow/red/black | due | pending
    event: EventArgs | None = None  # event


@dataclass(frozen=True, slots=True)
class EventArgs:
    """`事件 客户 类型 [金额] [天数] [日期] [备注]` as parsed; `on` is the date as typed (None:
    today), read against the team's today when the event is recorded."""

    kind: str
    amount: Decimal | None = None
    days: int | None = None
    on: str | None = None
    note: str = ""


ALIASES: dict[str, str] = {
    "help": "help", "帮助": "help", "?": "help", "？": "help",
    "mine": "mine", "我的": "mine",
    "list": "list", "列表": "list",
    "log": "log", "跟进": "log",
    "propose": "propose", "调级": "propose",
    "release": "release", "解除": "release", "释放": "release",
    "writeoff": "writeoff", "核销": "writeoff",
    "event": "event", "事件": "event", "风险事件": "event", "events": "event",
    "stats": "stats", "统计": "stats",
}
LIST_SCOPES: dict[str, str] = {
    "due": "due", "到期": "due", "待跟进": "due", "逾期": "due",
    "pending": "pending", "待审批": "pending", "审批": "pending", "待批": "pending",
}


def keyword(word: str) -> str:
    """A subcommand, list or grade word as compared: full-width folded, any case."""
    return unicodedata.normalize("NFKC", word).casefold()


def customer_ref(raw: str) -> str:
    """The customer as matched and shown: without enclosing quotes or a trailing colon, single-spaced."""
    raw = raw.strip().rstrip(":：").strip()
    quoted = _QUOTED.fullmatch(raw)
    if quoted is not None:
        raw = quoted.group(quoted.lastindex or 0)  # the group of the quote pair that matched
    return " ".join(raw.split())


def split_customer(rest: str) -> tuple[str, str]:
    """`客户：内容`, `客户: 内容`, `客户 内容` or `"客 户" 内容` → (customer reference, text as typed).

    The customer ends at its closing quote or at the first space or colon; the separator
    goes, nothing after it is touched but the text's outer whitespace."""
    rest = rest.lstrip()
    quoted = _QUOTED.match(rest)
    word = quoted or _WORD.match(rest)
    if word is None:
        return "", rest.strip()
    name = word.group(word.lastindex or 0)  # inside the quotes, or the whole word
    return customer_ref(name), _past_separator(rest, word.end()).strip()


def _past_separator(text: str, pos: int) -> str:
    """What follows `pos` once the spaces and the one colon there are skipped."""
    rest = text[pos:].lstrip()
    return rest[1:].lstrip() if rest[:1] in (":", "：") else rest


def _grade(word: str) -> Grade | None:
    try:
        return Grade.parse(keyword(word))
    except ValueError:
        return None


def parse(text: str) -> Command:
    body = as_typed(text)
    if not body:
        return Command("help")
    head = _WORD.match(body)
    name = ALIASES.get(keyword(head.group())) if head else None
    if head is None or name is None:
        return _lookup(body)
    rest = _past_separator(body, head.end())
    if name in ("help", "mine", "stats"):
        return Command(name)
    if name == "list":
        return _list(rest)
    if not customer_ref(rest):
        raise CommandError("缺少客户名 / name the customer", name)
    if name == "release":
        return Command(name, query=customer_ref(rest)[:MAX_QUERY])
    if name == "propose":
        return _propose(rest)
    if name == "event":
        return _event(rest)
    customer, words = split_customer(rest)
    if not customer:
        raise CommandError("缺少客户名 / name the customer", name)
    if not words:
        raise CommandError("缺少内容 / write what happened" if name == "log" else "缺少核销说明 / say why, with a link as evidence", name)
    return Command(name, query=customer[:MAX_QUERY], text=words)


def _lookup(body: str) -> Command:
    query = customer_ref(body)
    if len(query) > MAX_QUERY:
        raise CommandError(f"客户名太长（{len(query)} 字），最多 {MAX_QUERY} 字 / a customer name has at most {MAX_QUERY} characters", "lookup")
    return Command("lookup", query=query)


def _list(rest: str) -> Command:
    scope = keyword(rest.strip())
    if scope in LIST_SCOPES:
        return Command("list", scope=LIST_SCOPES[scope])
    grade = _grade(scope)
    if grade is None:
        raise CommandError(f"不认识的列表 “{rest.strip()[:40]}”：可用 蓝/黄/红/黑、到期、待审批 / unknown list: use a grade, due or pending", "list")
    return Command("list", scope=grade.value, grade=grade)


def _propose(rest: str) -> Command:
    """`调级 客户 红 理由`: the first word after the customer that names a grade splits the text;
    the reason after it is kept as typed."""
    words = list(_WORD.finditer(rest))
    for word in words[1:]:
        grade = _grade(word.group())
        if grade is None:
            continue
        reason = _past_separator(rest, word.end()).strip()
        if not reason:
            raise CommandError("调级需要写明理由 / a grade proposal needs a reason", "propose")
        return Command("propose", query=customer_ref(rest[:word.start()])[:MAX_QUERY], grade=grade, text=reason)
    raise CommandError("缺少目标等级（蓝/黄/红/黑）/ name the grade: blue, yellow, red or black", "propose")


def _event_problem(error: ev.EventInputError) -> CommandError:
    key = f"import.event_{error.key}"
    zh, en = (plain_words(locale).text(key, **error.params) for locale in ("zh", "en"))
    return CommandError(f"{zh} / {en}", "event")


def _event(rest: str) -> Command:
    """`事件 客户 逾期 12万 45天 2026-03-01 备注…`: after the type, amount, days and date in any
    order; the first word that is none of them starts the note, kept as typed."""
    customer, text = split_customer(rest)
    tokens = list(_WORD.finditer(text))
    if not tokens:
        raise _event_problem(ev.EventInputError("kind", "kind_required"))
    try:
        kind = ev.parse_kind(tokens[0].group())
        amount: Decimal | None = None
        days: int | None = None
        on: str | None = None
        note_at = len(text)
        for token in tokens[1:]:
            word = token.group()
            if days is None and ev.looks_like_days(word):
                days = ev.parse_days(word)
            elif on is None and ev.looks_like_date(word):
                on = word
            elif amount is None and ev.looks_like_amount(word):
                amount = ev.parse_amount(word)
            else:
                note_at = token.start()
                break
        note = text[note_at:].strip()
        if amount is None and kind in ev.NEEDS_AMOUNT and note[:1] in _NUMBERISH:
            ev.parse_amount(note.split()[0])  # a mistyped amount, said as such, not "amount missing"
    except ev.EventInputError as exc:
        raise _event_problem(exc) from None
    args = EventArgs(kind, amount, days, on, note)
    return Command("event", query=customer[:MAX_QUERY], text=note, event=args)


_NUMBERISH = frozenset("0123456789+-¥￥０１２３４５６７８９.")
