"""Raw indicator values: checking what a user typed and deriving values from their parts.

Values are facts: `0` means "checked, none", a missing key means "unknown". Derived values
(order spike, litigation ratio) may be given directly or as the parts they come from (SPEC §3).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from scoring.profiles import Profile
from scoring.rules import rating_choices

# Parts that are not indicators themselves but compute one.
PARTS: dict[str, str] = {
    "last_order_amount": "最近一次下单金额",
    "avg_order_amount_12m": "近12个月平均下单额",
    "pending_litigation_amount": "未结案涉诉金额",
    "net_assets": "最近一期净资产",
}
DERIVED_FROM: dict[str, tuple[str, str]] = {
    "order_spike_pct": ("last_order_amount", "avg_order_amount_12m"),
    "litigation_ratio_pct": ("pending_litigation_amount", "net_assets"),
}

Value = float | int | str
# The largest size of number accepted anywhere (10^15 元 is a typing error, not a customer);
# below 2^53, so a whole number's float is exact, and what the ledger's columns can hold.
MAX_NUMBER = 1e15
_LOWEST = -MAX_NUMBER


class ValueProblem(ValueError):
    """One bad value; `field` names the indicator or part, the message says what to do.

    `key` and `params` say the same as data, for the user's language: a piece of the import
    catalogue (messages/templates/<locale>/import.j2) and what fills it in."""

    def __init__(self, field: str, reason: str, key: str, **params: Any) -> None:
        self.field, self.reason, self.key, self.params = field, reason, key, params
        super().__init__(f"{field}: {reason}")


class OutOfRange(ValueProblem):
    """A number beyond ±`MAX_NUMBER`; `negative` says which end, for a caller with its own bound."""

    def __init__(self, field: str, reason: str, negative: bool, got: str) -> None:
        super().__init__(field, reason, "out_of_range", got=got)
        self.negative = negative


def to_number(raw: Any, field: str) -> float:
    """A number from JSON, a spreadsheet cell or text ("1,200", "15%", "１２")."""
    kind = raw.__class__
    if kind is float or kind is int or (kind is not bool and isinstance(raw, int | float | Decimal)):
        try:
            number = float(raw)
        except OverflowError:  # an int beyond any float: out of range below
            number = math.inf
    elif kind is bool:
        raise ValueProblem(field, f"expected a number, got {shown(raw)}", "number", got=shown(raw))
    elif isinstance(raw, str):
        try:
            number = float(raw)  # most cells: plain digits, a sign, a decimal point
        except ValueError:
            try:
                number = float(Decimal(plain_number(raw)))
            except (InvalidOperation, ValueError):
                raise ValueProblem(field, f"expected a number, got text {shown(raw)}", "number_text",
                                   got=shown(raw)) from None
    else:
        raise ValueProblem(field, f"expected a number, got {type(raw).__name__}", "number_type",
                           type=type(raw).__name__)
    if not _LOWEST < number < MAX_NUMBER:
        if number != number or (math.isinf(number) and not (isinstance(raw, str | int) and _has_digit(raw))):
            raise ValueProblem(field, f"expected a finite number, got {shown(raw)}", "finite", got=shown(raw))  # nan, inf
        raise OutOfRange(field, f"out of range: {shown(raw)}; numbers from -999,999,999,999,999 to "
                                "999,999,999,999,999 are accepted — check the unit (元, days, %) and the decimal point",
                         number < 0, shown(raw))
    return number + 0.0  # -0.0 as 0.0: stored alike on every database


def plain_number(text: str) -> str:
    """Text of a number as Python reads it: half-width, no % sign, no thousands separators
    (a comma anywhere else, as in "1,5", leaves it unreadable rather than 15)."""
    text = text.strip().translate(_FULL_WIDTH).rstrip("%％")
    if "," in text or "，" in text:
        return _THOUSANDS.sub("", text) if _GROUPED.fullmatch(text) else "?"
    return text


def _has_digit(raw: str | int) -> bool:
    return isinstance(raw, int) or any(c.isdigit() for c in raw)


def shown(raw: Any) -> str:
    """A cell as a message quotes it, a long one cut short."""
    text = repr(raw)
    return text if len(text) <= 40 else text[:30] + "…"


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[,，]\d{3})+(?:\.\d*)?")  # 1,234,567.89
_THOUSANDS = re.compile(r"[,，]")


def _checked(unit: str, raw: Any, field: str, choices: tuple[str, ...]) -> Value:
    if unit == "rating":
        letter = str(raw).strip().upper()
        if letter not in choices:
            raise ValueProblem(field, f"expected one of {'/'.join(choices)}, got {shown(raw)}", "choice",
                               choices="/".join(choices), got=shown(raw))
        return letter
    number = to_number(raw, field)
    if unit == "count":
        if number < 0:
            raise ValueProblem(field, f"a count cannot be negative, got {shown(raw)}", "count_negative", got=shown(raw))
        if number != int(number):
            raise ValueProblem(field, f"a count must be a whole number, got {shown(raw)}", "count_whole", got=shown(raw))
        return int(number)
    if unit in ("money", "days") and number < 0:
        raise ValueProblem(field, f"cannot be negative, got {shown(raw)}", "negative", got=shown(raw))
    return int(number) if number == int(number) else number


def derive(parts: Mapping[str, float]) -> dict[str, float]:
    """Indicators computed from their parts; a part that is unknown leaves the indicator unknown."""
    out: dict[str, float] = {}
    last, avg = parts.get("last_order_amount"), parts.get("avg_order_amount_12m")
    if last is not None and avg is not None and avg > 0:
        out["order_spike_pct"] = bounded(round((last - avg) / avg * 100, 4))
    lit, assets = parts.get("pending_litigation_amount"), parts.get("net_assets")
    if lit is not None and assets is not None:
        if assets > 0:
            out["litigation_ratio_pct"] = bounded(round(lit / assets * 100, 4))
        else:  # no equity left: any pending litigation is over every line
            out["litigation_ratio_pct"] = math.inf if lit > 0 else 0
    return out


def bounded(percent: float) -> float:
    """A ratio beyond any number accepted (a spike over an average of 0.0001 元) is infinite:
    over every line all the same, and stored as such on every database (PostgreSQL's JSONB
    would give 9.99999999999999e+20 back as the integer 999999999999999000000)."""
    return percent if percent < MAX_NUMBER else math.inf


def clean_values(profile: Profile, raw: Mapping[str, Any]) -> dict[str, Value]:
    """Check raw values against a profile: unknown keys, text for numbers, negative counts.

    Empty cells (None or "") mean unknown. Parts are checked as money and turned into their
    derived indicator unless that indicator was given directly.
    """
    values: dict[str, Value] = {}
    parts: dict[str, float] = {}
    by_key = profile.by_key
    for key, item in raw.items():
        kind = item.__class__
        if (kind is int or kind is float) and _LOWEST < item < MAX_NUMBER:
            # A good number (most spreadsheet cells): what `_checked` or the part's check below
            # gives, without their calls. Anything else takes the general path, which says why.
            if key in PARTS:
                if item >= 0 or key == "net_assets":
                    parts[key] = float(item) + 0.0  # -0.0 as 0.0
                    continue
                unit = "rating"  # negative: the general path refuses it
            else:
                indicator = by_key.get(key)
                unit = indicator.unit if indicator is not None else "rating"
            if unit != "rating" and (item >= 0 or unit == "pct"):
                if item == int(item):
                    values[key] = int(item)
                    continue
                if unit != "count":
                    values[key] = float(item)
                    continue
        if item is None or (isinstance(item, str) and not item.strip()):
            continue
        if key in PARTS:
            number = to_number(item, key)
            if key != "net_assets" and number < 0:
                raise ValueProblem(key, f"cannot be negative, got {shown(item)}", "negative", got=shown(item))
            parts[key] = number
            continue
        indicator = by_key.get(key)
        if indicator is None:
            known = ", ".join(profile.by_key)
            raise ValueProblem(key, f"unknown indicator for profile '{profile.name}'; known: {known}",
                               "unknown_indicator", profile=profile.name, known=known)
        values[key] = _checked(indicator.unit, item, key, rating_choices(indicator.rule))
    for key, number in derive(parts).items():
        if key in profile.by_key:
            values.setdefault(key, number)
    return values
