"""The follow-up ledger: each Slack message is logged once and follows edits and deletions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.errors import DuplicateFollowupSource
from storage.models import Followup
from storage.uow import Database
from tests.storage.factories import T0, saved_customer


def _followup(customer_id: int, minutes: int = 0, ts: str | None = None) -> Followup:
    return Followup(
        customer_id=customer_id,
        author="U_SALES",
        text=f"已电话沟通，承诺月底回款（{minutes}）",
        created_at=T0 + timedelta(minutes=minutes),
        source_channel="C_RISK" if ts else None,
        source_ts=ts,
    )


def test_the_same_slack_message_cannot_be_logged_twice(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.followups.add(_followup(customer_id, ts="1740965400.000100"))
        uow.commit()
    with db.uow() as uow:
        with pytest.raises(DuplicateFollowupSource) as refused:
            uow.followups.add(_followup(customer_id, ts="1740965400.000100"))
        assert (refused.value.channel, refused.value.ts) == ("C_RISK", "1740965400.000100")
        assert len(uow.followups.latest(customer_id)) == 1


def test_follow_ups_typed_by_command_need_no_message_reference(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.followups.add(_followup(customer_id, 1))
        uow.followups.add(_followup(customer_id, 2))
        uow.commit()
    with db.uow() as uow:
        assert len(uow.followups.latest(customer_id)) == 2


def test_follow_up_is_found_by_its_slack_message_for_an_edit(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.followups.add(_followup(customer_id, ts="1.1"))
        uow.commit()
    with db.uow() as uow:
        found = uow.followups.by_source("C_RISK", "1.1")
        assert found is not None
        found.text = "已上门拜访"
        found.updated_at = T0 + timedelta(hours=1)
        uow.commit()
    with db.uow() as uow:
        edited = uow.followups.by_source("C_RISK", "1.1")
        assert edited is not None and edited.text == "已上门拜访"
        assert uow.followups.by_source("C_RISK", "9.9") is None


def test_latest_follow_ups_are_newest_first_and_limited(db: Database) -> None:
    customer_id = saved_customer(db, 1)
    other = saved_customer(db, 2)
    with db.uow() as uow:
        for minutes in (5, 1, 3, 4, 2):
            uow.followups.add(_followup(customer_id, minutes))
        uow.followups.add(_followup(other, 9))
        uow.commit()
    with db.uow() as uow:
        latest = uow.followups.latest(customer_id, n=3)
        assert [f.created_at for f in latest] == [T0 + timedelta(minutes=m) for m in (5, 4, 3)]


def test_deleting_the_slack_message_deletes_its_follow_up(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.followups.add(_followup(customer_id, ts="1.1"))
        uow.followups.add(_followup(customer_id, ts="2.2"))
        uow.commit()
    with db.uow() as uow:
        assert uow.followups.delete_by_source("C_RISK", "1.1")
        assert not uow.followups.delete_by_source("C_RISK", "1.1")
        uow.commit()
    with db.uow() as uow:
        assert [f.source_ts for f in uow.followups.latest(customer_id)] == ["2.2"]
