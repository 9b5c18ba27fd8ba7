"""`/risk` text → one small frozen command, from one table of names and aliases (SPEC §12).

Smart quotes, full-width colons and spaces are normalised before splitting; anything that is
not a known subcommand is a customer lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.grades import Grade

MAX_QUERY = 200  # longer lookups are certainly not a customer name
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PUNCT = str.maketrans({"：": ":", "\u3000": " ", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "，": ","})


class CommandError(ValueError):
    """Bad `/risk` input; `usage` names the subcommand whose usage line should follow."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # lookup | help | mine | list | log | propose | release | writeoff | stats
    query: str = ""  # the customer as typed (lookup, log, propose, release, writeoff)
    text: str = ""  # follow-up text, reason or write-off text
    grade: Grade | None = None  # propose; list <grade>
    scope: str = ""  # list: blue/yellow/red/black | due | pending


ALIASES: dict[str, str] = {
    "help": "help", "帮助": "help", "?": "help", "？": "help",
    "mine": "mine", "我的": "mine",
    "list": "list", "列表": "list",
    "log": "log", "跟进": "log",
    "propose": "propose", "调级": "propose",
    "release": "release", "解除": "release", "释放": "release",
    "writeoff": "writeoff", "核销": "writeoff",
    "stats": "stats", "统计": "stats",
}
LIST_SCOPES: dict[str, str] = {
    "due": "due", "到期": "due", "待跟进": "due", "逾期": "due",
    "pending": "pending", "待审批": "pending", "审批": "pending", "待批": "pending",
}


def clean(text: str) -> str:
    """Normalised punctuation, no control characters, single-spaced ends."""
    return _CONTROL.sub("", text.translate(_PUNCT)).strip()


def split_customer(rest: str) -> tuple[str, str]:
    """`客户：内容`, `客户: 内容` or `客户 内容` → (customer, text)."""
    rest = rest.strip()
    if rest.startswith('"') and '"' in rest[1:]:
        end = rest.index('"', 1)
        return rest[1:end].strip(), rest[end + 1:].lstrip(" :").strip()
    colon = rest.find(":")
    space = rest.find(" ")
    if colon > 0 and (space < 0 or colon < space or " " not in rest[:colon].strip()):
        return rest[:colon].strip(), rest[colon + 1:].strip()
    if space > 0:
        return rest[:space], rest[space + 1:].strip()
    return rest, ""


def parse(text: str) -> Command:
    body = clean(text)
    if not body:
        return Command("help")
    head, _, rest = body.partition(" ")
    name = ALIASES.get(head.lower())
    if name is None:
        if len(body) > MAX_QUERY:
            raise CommandError(f"客户名太长（{len(body)} 字），最多 {MAX_QUERY} 字 / a customer name has at most {MAX_QUERY} characters", "lookup")
        return Command("lookup", query=body)
    rest = rest.strip()
    if name in ("help", "mine", "stats"):
        return Command(name)
    if name == "list":
        scope = rest.lower()
        if scope in LIST_SCOPES:
            return Command("list", scope=LIST_SCOPES[scope])
        try:
            grade = Grade.parse(scope)
        except ValueError:
            raise CommandError(f"不认识的列表 “{rest[:40]}”：可用 蓝/黄/红/黑、到期、待审批 / unknown list: use a grade, due or pending", "list") from None
        return Command("list", scope=grade.value, grade=grade)
    if not rest:
        raise CommandError("缺少客户名 / name the customer", name)
    if name == "release":
        return Command(name, query=rest[:MAX_QUERY])
    if name == "propose":
        return _propose(rest)
    customer, words = split_customer(rest)
    if not words:
        raise CommandError("缺少内容 / write what happened" if name == "log" else "缺少核销说明 / say why, with a link as evidence", name)
    return Command(name, query=customer[:MAX_QUERY], text=words)


def _propose(rest: str) -> Command:
    """`调级 客户 红 理由`: the first word after the customer that names a grade splits the text."""
    tokens = rest.split()
    for i in range(1, len(tokens)):
        try:
            grade = Grade.parse(tokens[i])
        except ValueError:
            continue
        reason = " ".join(tokens[i + 1:]).strip()
        if not reason:
            raise CommandError("调级需要写明理由 / a grade proposal needs a reason", "propose")
        return Command("propose", query=" ".join(tokens[:i]), grade=grade, text=reason)
    raise CommandError("缺少目标等级（蓝/黄/红/黑）/ name the grade: blue, yellow, red or black", "propose")
