"""The assessment (SPEC §4): normalised score, grade, floors, coverage and the breakdown.

This is the hot loop of rescoring and of every `/risk` card, so it is a flat pass over the
profile's compiled indicators with no interpretation of rule data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from scoring.grades import Grade, grade_for_score
from scoring.profiles import Profile

PROVISIONAL_BELOW = 0.7  # coverage under this marks the grade 资料不全


class Line(NamedTuple):
    """One indicator in the breakdown. `value`, `share` and `points_lost` are None when unknown."""

    key: str
    label: str
    weight: float
    value: Any
    share: float | None
    points_lost: float | None


class FloorHit(NamedTuple):
    key: str
    grade: Grade
    reason: str


@dataclass(frozen=True, slots=True)
class Assessment:
    profile: str
    profile_version: str
    score: float | None  # None: nothing known, unscored
    score_grade: Grade | None  # the grade the score alone gives
    grade: Grade | None  # after floors
    coverage: float
    provisional: bool
    floors: tuple[FloorHit, ...]
    breakdown: tuple[Line, ...]

    @property
    def missing(self) -> tuple[Line, ...]:
        return tuple(line for line in self.breakdown if line.value is None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "profile_version": self.profile_version,
            "score": self.score,
            "grade": self.grade.value if self.grade else None,
            "provisional": self.provisional,
            "coverage": round(self.coverage, 4),
            "floors": [{"key": f.key, "grade": f.grade.value, "reason": f.reason} for f in self.floors],
            "breakdown": [
                {**line._asdict(), "share": _r(line.share), "points_lost": _r(line.points_lost)}
                for line in self.breakdown
            ],
            "missing": [line.key for line in self.missing],
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def round_half_up(x: float) -> float:
    """One decimal, halves away from zero (82.55 → 82.6); the epsilon absorbs float noise."""
    return int(x * 10 + 0.5 + 1e-9) / 10


# Most lines of a ledger are "unknown" or a small whole number (0 overdue, 1 tax arrears …).
# Those Line and FloorHit tuples are immutable, so each profile's are built once and shared.
# Besides the allocations this saves the garbage collector from tracking millions of them:
# NamedTuple instances, unlike plain tuples, stay tracked for life, and when a caller keeps
# 100,000 assessments the full collections over them cost more than the scoring itself.
_SHARED_PER_STEP = 64  # whole-number values remembered per indicator
_PLANS: dict[int, tuple[Profile, tuple[Any, ...]]] = {}


def _plan(profile: Profile) -> tuple[Any, ...]:
    """The profile's steps, each with its shared unknown line and a memo of whole-number lines."""
    entry = _PLANS.get(id(profile))
    if entry is None or entry[0] is not profile:
        if len(_PLANS) >= 64:  # profiles reloaded many times (tests, a reload): start over
            _PLANS.clear()
        steps = tuple(
            (key, label, weight, share_of, floor, Line(key, label, weight, None, None, None), {})
            for key, label, weight, share_of, floor in profile.steps
        )
        entry = _PLANS[id(profile)] = (profile, steps)
    return entry[1]


def assess(profile: Profile, values: Mapping[str, Any]) -> Assessment:
    """Assess already-checked values (see `scoring.values.clean_values`) with one profile."""
    known_weight = 0.0
    lost = 0.0
    lines: list[Line] = []
    floors: list[FloorHit] = []
    get = values.get
    add = lines.append
    make = tuple.__new__  # Line(...) without NamedTuple's keyword handling: this loop is hot
    for key, label, weight, share_of, floor, unknown, shared in _plan(profile):
        value = get(key)
        if value is None:
            add(unknown)
            continue
        known_weight += weight
        if value.__class__ is int:  # exactly int: never a bool, and 0.0 keeps its own line
            pair = shared.get(value)
            if pair is None:
                share = share_of(value)
                hit = floor is not None and floor.hit(value)
                pair = (
                    make(Line, (key, label, weight, value, share, weight * share)),
                    FloorHit(key, floor.grade, floor.reason) if hit else None,
                )
                if len(shared) < _SHARED_PER_STEP:
                    shared[value] = pair
            line, floor_hit = pair
            add(line)
            lost += line[5]
            if floor_hit is not None:
                floors.append(floor_hit)
            continue
        share = share_of(value)
        points = weight * share
        lost += points
        add(make(Line, (key, label, weight, value, share, points)))
        if floor is not None and floor.hit(value):
            floors.append(FloorHit(key, floor.grade, floor.reason))
    total = profile.total_weight
    coverage = known_weight / total if total else 0.0
    if known_weight == 0:
        return Assessment(profile.name, profile.version, None, None, None, 0.0, True, (), tuple(lines))
    score = round_half_up(100.0 * (known_weight - lost) / known_weight)
    score_grade = grade_for_score(score)
    grade = score_grade
    for hit in floors:
        grade = grade.worse_of(hit.grade)
    return Assessment(
        profile.name,
        profile.version,
        score,
        score_grade,
        grade,
        coverage,
        coverage < PROVISIONAL_BELOW,
        tuple(floors),
        tuple(lines),
    )
