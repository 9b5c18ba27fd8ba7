"""The four colour grades, their order of severity and the score thresholds (SPEC §4)."""

from __future__ import annotations

from enum import StrEnum


class Grade(StrEnum):
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    BLACK = "black"

    @property
    def severity(self) -> int:
        """0 for blue … 3 for black: a larger number is a worse grade."""
        return _SEVERITY[self]

    @property
    def restricted(self) -> bool:
        """Red and black: any change into or out of them waits for a director."""
        return self in _RESTRICTED

    def worse_of(self, other: Grade) -> Grade:
        return self if self.severity >= other.severity else other

    @classmethod
    def parse(cls, text: str) -> Grade:
        """Accept the key, the Chinese word (蓝/蓝标/…) or the English word, any case."""
        key = text.strip().lower()
        grade = _ALIASES.get(key)
        if grade is None:
            raise ValueError(f"unknown grade {text!r}: use blue/yellow/red/black or 蓝/黄/红/黑")
        return grade


def value_of(grade: Grade | None) -> str | None:
    """The grade's key ("red"), None for no grade: as rows, audit details and pipes carry it."""
    return None if grade is None else grade.value


_SEVERITY = {Grade.BLUE: 0, Grade.YELLOW: 1, Grade.RED: 2, Grade.BLACK: 3}
# The grade for a key (or None), without Grade()'s lookup machinery: read back in bulk.
BY_VALUE: dict[str | None, Grade | None] = {None: None, **{g.value: g for g in Grade}}
_RESTRICTED = frozenset({Grade.RED, Grade.BLACK})  # looked up per decision: no enum attribute access

LABELS_ZH = {Grade.BLUE: "蓝标", Grade.YELLOW: "黄标", Grade.RED: "红标", Grade.BLACK: "黑标"}
RISK_ZH = {Grade.BLUE: "低风险", Grade.YELLOW: "中风险", Grade.RED: "高风险", Grade.BLACK: "极高风险"}

_ALIASES: dict[str, Grade] = {}
for _g in Grade:
    _ALIASES[_g.value] = _g
    _ALIASES[LABELS_ZH[_g]] = _g
    _ALIASES[LABELS_ZH[_g][0]] = _g
    _ALIASES[RISK_ZH[_g]] = _g

# Lower bounds on the rounded score, best grade first (SPEC §4.2).
THRESHOLDS: tuple[tuple[float, Grade], ...] = (
    (85.0, Grade.BLUE),
    (60.0, Grade.YELLOW),
    (30.0, Grade.RED),
)


def grade_for_score(score: float) -> Grade:
    for bound, grade in THRESHOLDS:
        if score >= bound:
            return grade
    return Grade.BLACK
