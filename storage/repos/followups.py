"""The follow-up ledger (跟踪台账); a Slack message is logged at most once."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.errors import DuplicateFollowupSource
from storage.models import Followup
from storage.repos._sql import add_guarded


class FollowupRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, followup: Followup) -> Followup:
        """Insert now; the same (channel, ts) twice raises DuplicateFollowupSource."""
        add_guarded(
            self.session,
            followup,
            "uq_followups_source_channel_source_ts",
            DuplicateFollowupSource(followup.source_channel, followup.source_ts),
        )
        return followup

    def by_source(self, channel: str, ts: str) -> Followup | None:
        return self.session.scalars(
            select(Followup).where(Followup.source_channel == channel, Followup.source_ts == ts)
        ).one_or_none()

    def latest(self, customer_id: int, n: int = 5) -> list[Followup]:
        """The customer's `n` most recent follow-ups, newest first."""
        return list(
            self.session.scalars(
                select(Followup)
                .where(Followup.customer_id == customer_id)
                .order_by(Followup.created_at.desc(), Followup.id.desc())
                .limit(n)
            )
        )

    def delete_by_source(self, channel: str, ts: str) -> bool:
        """Remove the follow-up logged from a deleted Slack message; True if there was one."""
        result = self.session.execute(
            delete(Followup)
            .where(Followup.source_channel == channel, Followup.source_ts == ts)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount > 0
