"""An assessment as plain data, ready to store: worked out in another process (the import's
checking process, `rescore`'s assessing-ahead process) and written by the one holding the
ledger. Crosses the pipe as a plain tuple with the grade by its key: pickling a NamedTuple
and an enum runs Python code for each on both sides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ledger import stored
from scoring.assessment import Assessment, assess
from scoring.changes import change_reason
from scoring.grades import BY_VALUE, Grade, value_of
from scoring.profiles import Profile


class Graded(NamedTuple):
    """What is stored of an assessment, and the reason a first grade's change mark gives."""

    grade: Grade | None
    score: float | None
    coverage: float
    provisional: bool
    profile: str
    profile_version: str
    breakdown: str  # JSON text, as `stored.breakdown_json` writes it
    floors: str  # JSON text, as `stored.floors_json` writes it
    reason: str  # change_reason from no earlier assessment


def assess_new(profile: Profile, values: Mapping[str, Any]) -> Graded:
    """The assessment of a customer with these values, with no earlier one to compare with."""
    return graded(assess(profile, values))


def graded(result: Assessment) -> Graded:
    return Graded(result.grade, result.score, result.coverage, result.provisional, result.profile,
                  result.profile_version, stored.breakdown_json(result.breakdown), stored.floors_json(result.floors),
                  change_reason(None, result))


def packed(graded: Graded) -> tuple[Any, ...]:
    return (value_of(graded.grade), *graded[1:])


def unpacked(fields: tuple[Any, ...]) -> Graded:
    return tuple.__new__(Graded, (BY_VALUE[fields[0]], *fields[1:]))
