"""What a rescoring batch reads besides its customers: their pending requests and their latest
stored assessments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

from ledger import stored
from scoring.assessment import Assessment as Result
from scoring.grades import Grade
from scoring.profiles import ProfileSet
from storage.models import Assessment, ChangeStatus, GradeChange

_G = GradeChange.__table__
_A = Assessment.__table__


class Pending(NamedTuple):
    """A pending grade change request, as far as deciding a new one needs it."""

    id: int
    customer_id: int
    from_grade: Grade | None
    to_grade: Grade
    kind: str


def load_pending(session: Session, ids: Iterable[int]) -> dict[int, Pending]:
    """The pending request of each customer in `ids` that has one."""
    ids = list(ids)
    if not ids:
        return {}
    # `status || ''`: SQLite, without statistics, would rather scan every pending change of the
    # ledger through the status index than probe the customers' (it did: quadratic in batches).
    rows = session.execute(
        select(_G.c.id, _G.c.customer_id, _G.c.from_grade, _G.c.to_grade, _G.c.kind)
        .where(_G.c.customer_id.in_(ids), _G.c.status + "" == ChangeStatus.PENDING)
    )
    return {r.customer_id: Pending(*r) for r in rows}


def previous_assessments(session: Session, profiles: ProfileSet, ids: list[int]) -> dict[int, Result]:
    """Each customer's latest stored assessment, read back as a result to compare a new one with."""
    if not ids:
        return {}
    latest = (
        select(func.max(_A.c.id)).where(_A.c.customer_id.in_(ids)).group_by(_A.c.customer_id).scalar_subquery()
    )
    rows = session.execute(select(_A).where(_A.c.id.in_(latest)))
    return {
        r.customer_id: Result(r.profile_name, r.profile_version, None if r.score is None else float(r.score), None,
                              r.grade, r.coverage, r.provisional, stored.floor_hits(r.floors),
                              stored.breakdown_lines(r.breakdown, profiles.profiles.get(r.profile_name)))
        for r in rows
    }
