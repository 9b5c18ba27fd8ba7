"""Rule kinds: how much of an indicator's weight a raw value costs (a share in 0..1).

A rule is compiled once into a plain function `value -> share`; the assessment loop only calls
it. Comparisons are strict exactly as the profile writes them ("above 300" means 300 is fine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

ShareFn = Callable[[Any], float]


class RuleError(ValueError):
    """A rule definition that cannot be compiled; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    share: ShareFn
    text: str  # a short human description, e.g. "> 300 → 1"
    takes_text: bool = False  # rating rules take a letter, every other kind a number


def _number(spec: Mapping[str, Any], name: str) -> float:
    if name not in spec:
        raise RuleError(f"rule '{spec.get('kind')}' needs '{name}'")
    value = spec[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"'{name}' must be a number, got {value!r}")
    return float(value)


def parse_share(value: Any, name: str = "share") -> float:
    """A share is a number or a fraction written as text ("1/3"); it must lie in 0..1."""
    if isinstance(value, str):
        try:
            share = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise RuleError(f"'{name}' must be a number or a fraction like 1/3, got {value!r}") from None
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"'{name}' must be a number between 0 and 1, got {value!r}")
    else:
        share = float(value)
    if not 0.0 <= share <= 1.0:
        raise RuleError(f"'{name}' must lie between 0 and 1, got {value!r}")
    return share


def _fmt(x: float) -> str:
    return f"{int(x):,}" if x == int(x) else f"{x:,}"


def _tiers(spec: Mapping[str, Any]) -> Rule:
    tiers = spec.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        raise RuleError("rule 'tiers' needs a non-empty list 'tiers' of {below|above: line, share: s}")
    parsed: list[tuple[str, float, float]] = []
    for tier in tiers:
        if not isinstance(tier, Mapping) or len({"below", "above"} & set(tier)) != 1:
            raise RuleError("each tier needs exactly one of 'below' or 'above', and a 'share'")
        side = "below" if "below" in tier else "above"
        parsed.append((side, _number(tier, side), parse_share(tier.get("share"), "share")))
    if len({side for side, _, _ in parsed}) != 1:
        raise RuleError("tiers must all be 'below' lines or all 'above' lines")
    side = parsed[0][0]
    # Most severe line first: the lowest 'below' line, the highest 'above' line.
    ordered = tuple(sorted(parsed, key=lambda t: t[1], reverse=(side == "above")))
    if side == "below":
        def share(v: Any) -> float:
            for _, line, s in ordered:
                if v < line:
                    return s
            return 0.0
        text = "; ".join(f"< {_fmt(line)} → {s:g}" for _, line, s in ordered)
    else:
        def share(v: Any) -> float:
            for _, line, s in ordered:
                if v > line:
                    return s
            return 0.0
        text = "; ".join(f"> {_fmt(line)} → {s:g}" for _, line, s in ordered)
    return Rule("tiers", share, text)


def _per_occurrence(spec: Mapping[str, Any]) -> Rule:
    each = parse_share(spec.get("share"), "share")
    if each == 0:
        raise RuleError("'share' per occurrence must be more than 0")

    def share(v: Any) -> float:
        s = v * each
        return 1.0 if s >= 1.0 else float(s)

    return Rule("per_occurrence", share, f"{spec.get('share')} × n, ≤ 1")


def _above(spec: Mapping[str, Any]) -> Rule:
    line = _number(spec, "line")
    hit = parse_share(spec.get("share", 1), "share")
    return Rule("above", lambda v: hit if v > line else 0.0, f"> {_fmt(line)} → {hit:g}")


def _below(spec: Mapping[str, Any]) -> Rule:
    line = _number(spec, "line")
    hit = parse_share(spec.get("share", 1), "share")
    return Rule("below", lambda v: hit if v < line else 0.0, f"< {_fmt(line)} → {hit:g}")


def _outside(spec: Mapping[str, Any]) -> Rule:
    low, high = _number(spec, "low"), _number(spec, "high")
    if low >= high:
        raise RuleError(f"'low' ({_fmt(low)}) must be below 'high' ({_fmt(high)})")
    hit = parse_share(spec.get("share", 1), "share")
    return Rule(
        "outside",
        lambda v: hit if (v < low or v > high) else 0.0,
        f"< {_fmt(low)} or > {_fmt(high)} → {hit:g}",
    )


def _any(spec: Mapping[str, Any]) -> Rule:
    hit = parse_share(spec.get("share", 1), "share")
    return Rule("any", lambda v: hit if v >= 1 else 0.0, f"≥ 1 → {hit:g}")


def _rating(spec: Mapping[str, Any]) -> Rule:
    table = spec.get("map")
    if not isinstance(table, Mapping) or not table:
        raise RuleError("rule 'rating' needs a 'map' of rating → share, e.g. {A: 0, B: 1/3}")
    shares = {str(k).strip().upper(): parse_share(v, f"map.{k}") for k, v in table.items()}
    return Rule(
        "rating",
        shares.__getitem__,
        " ".join(f"{k}→{v:.2g}" for k, v in shares.items()),
        takes_text=True,
    )


RULE_KINDS: dict[str, Callable[[Mapping[str, Any]], Rule]] = {
    "tiers": _tiers,
    "per_occurrence": _per_occurrence,
    "above": _above,
    "below": _below,
    "outside": _outside,
    "any": _any,
    "rating": _rating,
}


def compile_rule(spec: Any) -> Rule:
    if not isinstance(spec, Mapping):
        raise RuleError("'rule' must be a mapping with a 'kind'")
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in RULE_KINDS:
        raise RuleError(f"unknown rule kind {kind!r}; known kinds: {', '.join(RULE_KINDS)}")
    return RULE_KINDS[kind](spec)


def rating_choices(rule: Rule) -> tuple[str, ...]:
    """The letters a rating rule accepts (empty for numeric rules)."""
    if not rule.takes_text:
        return ()
    return tuple(rule.share.__self__)  # type: ignore[attr-defined]
