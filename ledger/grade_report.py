"""What a scoring run did to grades: the report `riskbot score` and the import print, and the
actor the system writes grade changes under. Shared by `rescore` and `first_grades`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from scoring.grades import Grade
from storage.models import ChangeStatus

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


def owners_are_told(status: str, from_grade: Grade | None) -> bool:
    """Whether an applied change is announced to the owners and finance. A new customer's
    first grade applied at once is not (an import of thousands would flood everyone); a first
    grade a director approved is, as is every later change."""
    return not (status == ChangeStatus.AUTO_APPLIED and from_grade is None)
