"""Wording for a terminal: the same catalogue (`templates/<locale>/*.j2`), as plain text.

`Renderer` escapes every inserted value for Slack mrkdwn, which a terminal would show as is
(`A&amp;B`); the command line's words (`import.j2`: row problems, CLI lines) come from the same
templates and macro convention, with values inserted untouched. Building the environment and
loading a template happens once per locale; a piece is rendered only when it is reported.
"""

from __future__ import annotations

from functools import cache

from messages.render import environment, number


class Words:
    """Plain-text pieces of one locale: `text("import.summary", rows=…)` calls macro `summary`
    of `templates/<locale>/import.j2`."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._env = environment(locale, lambda value: "" if value is None else value)
        self._env.filters["number"] = number

    def text(self, name: str, /, **context: object) -> str:
        file, _, macro = name.rpartition(".")
        render = getattr(self._env.get_template(f"{file}.j2").module, macro, None)
        if render is None:
            raise LookupError(f"no piece {macro!r} in templates/{self.locale}/{file}.j2")
        return str(render(**context)).strip()


@cache
def words(locale: str = "zh") -> Words:
    """The one `Words` of a locale (its templates compiled on first use)."""
    return Words(locale)
