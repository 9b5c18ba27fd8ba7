"""Risk events (风险事件) as people type them: the kind words, amounts, days and dates, what each
kind needs, and the grade a customer held on a day. Pure: the callers word the problems.

Both the `/risk 事件` command and the events import sheet read their cells through here, so a
word or an amount means the same thing wherever it is typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from scoring.grades import Grade

# The kinds as stored (storage.models.EventKind; a test keeps both equal).
OVERDUE, LOSS, RECOVERY = "overdue", "loss", "recovery"
LEGAL_OPENED, LEGAL_CLOSED, COOPERATION_ENDED = "legal_opened", "legal_closed", "cooperation_ended"
KINDS: tuple[str, ...] = (OVERDUE, LOSS, RECOVERY, LEGAL_OPENED, LEGAL_CLOSED, COOPERATION_ENDED)

# Word (NFKC-folded, any case) → kind. The first Chinese word of each kind is how it is shown.
KIND_WORDS: dict[str, str] = {
    "逾期": OVERDUE, "逾期付款": OVERDUE, "overdue": OVERDUE,
    "坏账": LOSS, "损失": LOSS, "坏账损失": LOSS, "loss": LOSS, "bad_debt": LOSS, "baddebt": LOSS,
    "回款": RECOVERY, "收回": RECOVERY, "recovery": RECOVERY, "recovered": RECOVERY,
    "立案": LEGAL_OPENED, "诉讼": LEGAL_OPENED, "起诉": LEGAL_OPENED, "legal_opened": LEGAL_OPENED,
    "lawsuit": LEGAL_OPENED, "legal": LEGAL_OPENED,
    "结案": LEGAL_CLOSED, "legal_closed": LEGAL_CLOSED, "closed": LEGAL_CLOSED,
    "终止合作": COOPERATION_ENDED, "终止": COOPERATION_ENDED, "停止合作": COOPERATION_ENDED,
    "cooperation_ended": COOPERATION_ENDED, "ended": COOPERATION_ENDED,
}
NEEDS_AMOUNT = frozenset({OVERDUE, LOSS, RECOVERY})
NEEDS_DAYS = frozenset({OVERDUE})  # and only an overdue has days

# Money(16, 2) and SQLite's 15 exact digits: at most 9,999,999,999,999.99 元 (as the import's amounts).
MAX_AMOUNT = Decimal("9999999999999.99")
MAX_DAYS = 36_500  # a hundred years overdue is a slip of the keyboard
FIRST_DATE = date(1900, 1, 1)
MAX_NOTE = 2000

_UNITS = {"": Decimal(1), "元": Decimal(1), "块": Decimal(1), "万": Decimal(10_000), "w": Decimal(10_000),
          "k": Decimal(1_000), "千": Decimal(1_000), "亿": Decimal(100_000_000), "万元": Decimal(10_000),
          "rmb": Decimal(1), "cny": Decimal(1), "yuan": Decimal(1)}
_AMOUNT = re.compile(r"([+-]?)(?:rmb|cny)?[¥￥]?\s*([+-]?)(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(万元|[元块万w千k亿]|rmb|cny|yuan)?")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})*(\.\d+)?|\d+(\.\d+)?|\.\d+")
_DAYS = re.compile(r"([+-]?)(\d+)\s*(天|日|d|day|days)?")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_SHORT_DATE = re.compile(r"(\d{1,2})\s*[月/]\s*(\d{1,2})\s*日?")
_EIGHT_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_RELATIVE = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}


class EventInputError(ValueError):
    """A bad event field: `field` (kind, amount, days, date, note, customer), the key of its
    wording (`import.event_<key>` in the catalogue) and the values that fill it in."""

    def __init__(self, field: str, key: str, **params: Any) -> None:
        super().__init__(field, key)
        self.field, self.key, self.params = field, key, params


def fold(text: str) -> str:
    """As words are compared: full-width folded, any case, without inner spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_kind(text: str) -> str:
    kind = KIND_WORDS.get(fold(text))
    if kind is None:
        raise EventInputError("kind", "kind", got=text.strip()[:40])
    return kind


def looks_like_amount(text: str) -> bool:
    return _AMOUNT.fullmatch(fold(text)) is not None


def parse_amount(text: str) -> Decimal:
    """"120000", "12万", "1.2w", "1,200,000.00", "￥3,000", "5k", "300元" → yuan, to the fen."""
    folded = fold(text)
    match = _AMOUNT.fullmatch(folded)
    if match is None or not _GROUPED.fullmatch(match[3]):
        raise EventInputError("amount", "amount", got=text.strip()[:40])
    if "-" in (match[1], match[2]):
        raise EventInputError("amount", "amount_negative", got=text.strip()[:40])
    try:
        value = Decimal(match[3].replace(",", "")) * _UNITS[match[4] or ""]
    except InvalidOperation:  # pragma: no cover - the pattern lets only numbers through
        raise EventInputError("amount", "amount", got=text.strip()[:40]) from None
    return checked_amount(value, text)


def checked_amount(value: Decimal, shown: object) -> Decimal:
    """An amount rounded to the fen, refused when negative or beyond what the ledger holds."""
    if value < 0:
        raise EventInputError("amount", "amount_negative", got=str(shown)[:40])
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value > MAX_AMOUNT:
        raise EventInputError("amount", "amount_too_large", got=str(shown)[:40], most=f"{MAX_AMOUNT:,}")
    return value


def looks_like_days(text: str) -> bool:
    """"45天", "45d", "45 days", "45日": a number with a unit of days (a bare number is an amount)."""
    match = _DAYS.fullmatch(fold(text))
    return match is not None and match[3] is not None


def parse_days(text: str) -> int:
    match = _DAYS.fullmatch(fold(text))
    if match is None:
        raise EventInputError("days", "days", got=text.strip()[:40])
    return checked_days(-int(match[2]) if match[1] == "-" else int(match[2]), text)


def checked_days(days: int, shown: object) -> int:
    if days < 0:
        raise EventInputError("days", "days", got=str(shown)[:40])
    if days > MAX_DAYS:
        raise EventInputError("days", "days_too_many", got=str(shown)[:40], most=MAX_DAYS)
    return days


def looks_like_date(text: str) -> bool:
    folded = fold(text)
    return folded in _RELATIVE or any(p.fullmatch(folded) for p in (_DATE, _SHORT_DATE, _EIGHT_DIGITS))


def parse_date(text: str, today: date) -> date:
    """"2026-03-01", "2026/3/1", "2026年3月1日", "20260301", "3月1日" (this year), 今天/昨天."""
    folded = fold(text)
    if folded in _RELATIVE:
        return today - timedelta(days=_RELATIVE[folded])
    for pattern, year_known in ((_DATE, True), (_EIGHT_DIGITS, True), (_SHORT_DATE, False)):
        match = pattern.fullmatch(folded)
        if match is None:
            continue
        parts = [int(p) for p in match.groups()]
        try:
            return date(*parts) if year_known else date(today.year, *parts)
        except ValueError:
            break
    raise EventInputError("date", "date", got=text.strip()[:40])


@dataclass(frozen=True, slots=True)
class EventInput:
    """One event as typed in, checked: what `check` returns and the use case stores."""

    kind: str
    occurred_on: date
    amount: Decimal | None = None
    days: int | None = None
    note: str | None = None


def check(kind: str, occurred_on: date, today: date, *, amount: Decimal | None = None, days: int | None = None,
          note: str | None = None) -> EventInput:
    """The event if its fields go together; else the first problem (`problems` lists them all)."""
    found = problems(kind, occurred_on, today, amount=amount, days=days, note=note)
    if found:
        raise found[0]
    text = (note or "").strip() or None
    return EventInput(kind, occurred_on, amount, days, text)


def problems(kind: str, occurred_on: date, today: date, *, amount: Decimal | None = None, days: int | None = None,
             note: str | None = None) -> list[EventInputError]:
    """What is wrong with an event whose fields each parsed: the fields its kind needs or
    refuses, a date in the future, a note too long."""
    found: list[EventInputError] = []
    if kind not in KINDS:
        found.append(EventInputError("kind", "kind", got=kind))
        return found
    if kind in NEEDS_AMOUNT and amount is None:
        found.append(EventInputError("amount", "amount_required", kind=kind))
    elif kind in NEEDS_AMOUNT and amount == 0:
        found.append(EventInputError("amount", "amount_zero", kind=kind))
    if kind in NEEDS_DAYS and days is None:
        found.append(EventInputError("days", "days_required", kind=kind))
    elif kind not in NEEDS_DAYS and days is not None:
        found.append(EventInputError("days", "days_not_taken", kind=kind))
    if occurred_on > today:
        found.append(EventInputError("date", "date_future", got=str(occurred_on), today=str(today)))
    elif occurred_on < FIRST_DATE:
        found.append(EventInputError("date", "date_early", got=str(occurred_on), first=str(FIRST_DATE)))
    if note is not None and len(note.strip()) > MAX_NOTE:
        found.append(EventInputError("note", "note_too_long", length=len(note.strip()), most=MAX_NOTE))
    return found


def grade_on(history: Iterable[tuple[date, Grade]], day: date) -> Grade | None:
    """The grade in force at the end of `day`: the last applied change decided on or before it
    (history as (local date decided, grade), in the order decided); None before the first."""
    grade: Grade | None = None
    for decided_on, to_grade in history:
        if decided_on > day:
            break
        grade = to_grade
    return grade
