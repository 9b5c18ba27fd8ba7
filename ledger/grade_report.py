"""What a scoring run did to grades: the report `riskbot score` and the import print, and the
actor the system writes grade changes under. Shared by `rescore` and `first_grades`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from scoring.grades import Grade

SYSTEM = "system"


class GradeMove(NamedTuple):
    name: str
    from_grade: Grade | None
    to_grade: Grade | None
    outcome: str  # scoring.changes.Outcome: apply | request | withdraw


@dataclass
class RescoreReport:
    dry_run: bool = False
    assessed: int = 0
    applied: int = 0
    requested: int = 0
    superseded: int = 0
    withdrawn: int = 0
    moves: list[GradeMove] = field(default_factory=list)

    @property
    def grade_changes(self) -> int:
        """Customers whose grade changes or would change (applied at once or requested)."""
        return self.applied + self.requested
