"""The wording side: one Jinja2 environment per locale, built once at start-up.

Templates live in `messages/templates/<locale>/<file>.j2` as macros, one per piece of
wording; `Renderer.text("card.title", card=…)` calls macro `title` of `card.j2`.

Autoescape is off (Slack mrkdwn is not HTML) and a `finalize` hook escapes every `{{ … }}`
value instead, so no template can forget it. Pieces we built ourselves are `Mrkdwn` and pass
through untouched: the filters below return it, and so does `text`, which is why a piece is
inserted into another with `piece("file.macro", …)`, never by calling a macro directly.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from messages import escape as esc
from messages.escape import Mrkdwn
from messages.limits import shorten
from messages.views import Money
from scoring.grades import Grade

LOCALES = ("zh", "en")

_DOTS = {Grade.BLUE: "🔵", Grade.YELLOW: "🟡", Grade.RED: "🔴", Grade.BLACK: "⚫"}
_NO_GRADE_DOT = "⚪"


def _finalize(value: object) -> str:
    if isinstance(value, Mrkdwn):
        return value
    if value is None:
        return ""
    return esc.escape(str(value))


def dot(grade: Grade | None) -> Mrkdwn:
    """The colour of a grade alone (⚪ when ungraded): no words, so no locale."""
    return Mrkdwn(_NO_GRADE_DOT if grade is None else _DOTS[grade])


def number(value: Money | float | str) -> str:
    """1234 → "1,234", 35.0 → "35", 35.25 → "35.25"; text is left as is (and escaped later)."""
    if isinstance(value, str):
        return value
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount.normalize():,f}"


def money(value: Money) -> Mrkdwn:
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return Mrkdwn(f"¥{amount:,.0f}")
    return Mrkdwn(f"¥{amount:,.2f}")


def _quote(text: str, limit: int = 500) -> Mrkdwn:
    """A block quote of user text: every line escaped, then marked with `>`."""
    lines = shorten(text.strip(), limit).splitlines() or [""]
    return Mrkdwn("\n".join(f"> {esc.escape(line)}" for line in lines))


def environment(locale: str, finalize: Callable[[object], str]) -> Environment:
    """The templates of one locale, with `finalize` applied to every `{{ … }}` value."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}: use one of {', '.join(LOCALES)}")
    return Environment(
        loader=PackageLoader("messages", f"templates/{locale}"),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


class Renderer:
    """Owns the template environment of one locale ("zh" by default, or "en")."""

    def __init__(self, locale: str = "zh") -> None:
        self.locale = locale
        self._env = environment(locale, _finalize)
        filters: dict[str, Callable[..., Any]] = {
            "badge": lambda grade: self.text("common.badge", grade=grade),
            "cadence": lambda days: self.text("common.cadence", days=days),
            "mention": self._mention,
            "dot": dot,
            "date": lambda d: Mrkdwn(d.strftime("%Y-%m-%d")),
            "datetime": lambda dt: Mrkdwn(dt.strftime("%Y-%m-%d %H:%M")),
            "money": money,
            "number": number,
            "score": lambda s: self.text("common.unscored") if s is None else Mrkdwn(f"{s:.1f}"),
            "clip": shorten,
            "quote": _quote,
            "link": lambda url, label: esc.link(url, label),
        }
        self._env.filters.update(filters)
        self._env.globals["piece"] = self.text

    def text(self, name: str, /, **context: object) -> Mrkdwn:
        """Render piece `file.macro` with `context`; every inserted value comes out escaped."""
        file, _, macro = name.rpartition(".")
        module = self._env.get_template(f"{file}.j2").module
        render = getattr(module, macro, None)
        if render is None:
            raise LookupError(f"no piece {macro!r} in templates/{self.locale}/{file}.j2")
        return Mrkdwn(str(render(**context)).strip())

    def _mention(self, owner: str | None) -> Mrkdwn:
        return self.text("common.nobody") if owner is None else esc.mention(owner)
