"""What a newly computed grade means for the effective grade (异动标记, SPEC §8).

Pure decisions; storage carries them out. Red and black are "restricted": any change into or
out of them waits for a risk director, everything else applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from scoring.assessment import Assessment, Line
from scoring.grades import Grade


class Outcome(StrEnum):
    NOTHING = "nothing"  # grade unchanged, nothing pending
    APPLY = "apply"  # among blue/yellow (or a first grade there): applies at once
    REQUEST = "request"  # touches red/black: a pending request (superseding any older one)
    KEEP = "keep"  # the same change is already pending
    WITHDRAW = "withdraw"  # back to the effective grade: the pending request is withdrawn


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    from_grade: Grade | None
    to_grade: Grade | None
    supersedes_pending: bool = False  # an older pending request gives way to this change


def needs_approval(from_grade: Grade | None, to_grade: Grade) -> bool:
    return to_grade.restricted or (from_grade is not None and from_grade.restricted)


def decide(effective: Grade | None, computed: Grade | None, pending_to: Grade | None,
           held: bool = False) -> Decision:
    """Effective grade, newly computed grade and the target of a pending request → what to do.

    A held (manually approved) grade is not moved by computed grades until it is released.
    """
    if held or computed is None:
        return Decision(Outcome.NOTHING, effective, effective)
    if computed == effective:
        if pending_to is not None:
            return Decision(Outcome.WITHDRAW, effective, pending_to)
        return Decision(Outcome.NOTHING, effective, effective)
    if computed == pending_to:
        return Decision(Outcome.KEEP, effective, computed)
    outcome = Outcome.REQUEST if needs_approval(effective, computed) else Outcome.APPLY
    return Decision(outcome, effective, computed, supersedes_pending=pending_to is not None)


def moved_lines(before: Assessment | None, after: Assessment) -> list[Line]:
    """Indicators whose points lost changed between two assessments (for the change's reason)."""
    if before is None:  # a first assessment: every line that lost points
        return [line for line in after.breakdown if line.points_lost]
    old = {line.key: line for line in before.breakdown}
    moved = []
    for line in after.breakdown:
        prev = old.get(line.key)
        if (prev.points_lost if prev else None) != line.points_lost and line.points_lost:
            moved.append(line)
    return moved


def change_reason(before: Assessment | None, after: Assessment) -> str:
    """A short Chinese reason naming the indicators and floors that moved, e.g. for 异动标记."""
    parts = [_moved_text(line) for line in moved_lines(before, after)]
    old_floors = {f.key for f in before.floors} if before else set()
    parts += [f.reason for f in after.floors if f.key not in old_floors]
    score = "未评分" if after.score is None else f"{after.score:.1f}"
    head = f"评分 {score}"
    return head + ("；" + "；".join(parts) if parts else "")


def _moved_text(line: Line) -> str:
    return _indicator_text(line.label, line.value, line.value.__class__, line.points_lost)


@lru_cache(maxsize=4096)
def _indicator_text(label: str, value: object, kind: type, points_lost: float) -> str:
    """Remembered: the same indicator, value and points recur across a ledger. `kind` keeps
    1234567 and 1234567.0 (equal, but written differently) apart."""
    return f"{label}={_fmt(value)} (−{points_lost:.1f})"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "∞" if value == float("inf") else f"{value:g}"
    return str(value)
