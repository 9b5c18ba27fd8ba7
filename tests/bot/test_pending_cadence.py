"""While a stricter grade waits for approval, tracking follows it (SPEC §7) — a new customer's
first red or black grade too: due the next workday after the request, on every surface that
shows what is due, until a director decides."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.jobs import run_nudges
from bot.services import Services
from bot.slack_client import make_web_client
from bot.usecases import lookup
from bot.usecases.decisions import approve, reject
from bot.usecases.followups import log_followup
from ledger.importing import import_file
from bot.usecases.nudges import nudge_plan
from scoring.grades import Grade
from storage.models import Customer
from tests.bot.conftest import DIRECTOR, OFFICER, Clock
from tests.bot.ledger import add_customer, set_values
from tests.ledger.helpers import CLEAN, code, write_csv
from tests.slackkit.fake_api import FakeSlackApi
from tests.slackkit.signing import slash_command

MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
SALES = "U0SALES01"
RED = {"overdue_payment_count": 4}  # 86.6, floor red
BLACK = {"overdue_payment_count": 5, "dishonest_debtor_count": 2, "credit_overdue_count": 1, "tax_arrears_count": 1,
         "abnormal_operation_count": 3, "revenue_change_pct": -60, "executive_change_count": 4,
         "admin_penalty_max_amount": 500_000}


@pytest.fixture
def client(slack: FakeSlackApi) -> WebClient:
    return make_web_client("xoxb-test", slack.url)


def row(n: int, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """An import row owned by Slack users; `values` None: no indicator data at all (unscored)."""
    return {"name": f"测试{n}号电子科技有限公司", "credit_code": code(n), "industry": "五金产品批发",
            "sales_owner": SALES, "risk_officer": OFFICER, **({} if values is None else {**CLEAN, **values})}


def imported(services: Services, tmp_path: Path, *rows: dict[str, Any]) -> list[int]:
    """Import `rows` now (as `riskbot import` does); their customer ids, in order."""
    path = write_csv(tmp_path / f"import{len(list(tmp_path.iterdir()))}.csv", rows)
    report = import_file(services.db, services.profiles, path, now=services.now(), workdays=services.workdays,
                         tz=services.config.tz)
    assert report.ok, report.errors
    with services.db.uow() as uow:
        return [uow.customers.get_by_code(r["credit_code"]).id for r in rows]


def customer(services: Services, customer_id: int) -> Customer:
    with services.db.uow() as uow:
        found = uow.customers.get(customer_id)
        assert found is not None
        return found


def pending_id(services: Services, customer_id: int) -> int:
    with services.db.uow() as uow:
        change = uow.changes.pending_for(customer_id)
        assert change is not None
        return change.id


def dms(slack: FakeSlackApi) -> dict[str, list[int]]:
    """Owner → the customers (ids from their log-follow-up buttons) of their DM."""
    return {c["channel"]: [int(b["accessory"]["value"]) for b in c["blocks"] if "accessory" in b]
            for c in slack.calls("chat.postMessage") if c["channel"].startswith("U")}


def slash(send: Any, slack: FakeSlackApi, text: str, user: str = SALES) -> str:
    assert send(slash_command(text, user_id=user, response_url=slack.response_url())).status == 200
    answer = slack.calls("response_url")[-1]
    return answer["text"] + json.dumps(answer["blocks"], ensure_ascii=False)


def due_ids(services: Services) -> list[int]:
    return [line.id for line in lookup.listing(services, "due")]


# ------------------------------------------------------------------ a first grade pending


def test_a_new_customer_imported_red_or_black_is_due_the_next_workday(services: Services, tmp_path: Path) -> None:
    blue, yellow, red, black = imported(services, tmp_path, row(1, {}), row(2, {"dishonest_debtor_count": 1}),
                                        row(3, RED), row(4, BLACK))
    assert customer(services, red).effective_grade is None and customer(services, black).effective_grade is None
    assert customer(services, red).next_due == customer(services, black).next_due == TUESDAY
    # a first blue or yellow grade applies at once and starts the regular cadence
    assert customer(services, blue).next_due == MONDAY + timedelta(days=90)
    assert customer(services, yellow).next_due == MONDAY + timedelta(days=30)


def test_a_black_first_grade_requested_on_friday_is_due_monday_not_overdue_nor_escalated(
    services: Services, clock: Clock, tmp_path: Path, client: WebClient, slack: FakeSlackApi
) -> None:
    clock.advance(days=4)  # Friday 2026-11-27
    [black] = imported(services, tmp_path, row(1, BLACK))
    assert customer(services, black).next_due == date(2026, 11, 30)  # Monday, not Saturday

    clock.advance(days=3)
    report = run_nudges(services, client)
    assert dms(slack) == {SALES: [black], OFFICER: [black]}
    assert report.escalations == 0
    assert "今天到期" in json.dumps(slack.calls("chat.postMessage")[0]["blocks"], ensure_ascii=False)


def test_the_next_workday_every_surface_shows_it_due(
    services: Services, clock: Clock, tmp_path: Path, client: WebClient, slack: FakeSlackApi, send: Any
) -> None:
    [red] = imported(services, tmp_path, row(1, RED))
    assert red not in due_ids(services)

    clock.advance(days=1)  # Tuesday, 10:00
    run_nudges(services, client)
    assert dms(slack) == {SALES: [red], OFFICER: [red]}
    [dm, _] = [c for c in slack.calls("chat.postMessage") if c["channel"].startswith("U")]
    assert "⏳ 待审批 → 🔴" in json.dumps(dm["blocks"], ensure_ascii=False)  # not shown as ungraded only

    assert due_ids(services) == [red]
    listed = slash(send, slack, "列表 到期")
    assert "测试1号电子科技有限公司" in listed and "待审批" in listed

    assert [line.id for line in lookup.home(services, SALES).due] == [red]

    card = lookup.card(services, red)
    assert card is not None and card.grade is None
    assert (card.next_due, card.cadence_days, card.days_overdue) == (TUESDAY, 7, 0)
    assert card.pending is not None and (card.pending.from_grade, card.pending.to_grade) == (None, Grade.RED)
    shown = slash(send, slack, "测试1号电子科技有限公司")
    assert "2026-11-24" in shown and "等级变更待审批" in shown


def test_after_a_follow_up_the_pending_grade_sets_the_pace(services: Services, clock: Clock, tmp_path: Path) -> None:
    [black] = imported(services, tmp_path, row(1, BLACK))
    clock.advance(days=1)
    log_followup(services, black, SALES, "已电话联系，暂停发货")
    assert customer(services, black).next_due == WEDNESDAY  # daily, as black


def test_a_rejected_first_grade_leaves_the_customer_untracked(services: Services, clock: Clock, tmp_path: Path) -> None:
    [red] = imported(services, tmp_path, row(1, RED))
    assert reject(services, pending_id(services, red), DIRECTOR, "数据有误，待核实").decided
    assert customer(services, red).next_due is None

    clock.advance(days=1)
    assert due_ids(services) == []
    assert nudge_plan(services, services.now(), claim=False).nudges == ()
    assert lookup.home(services, SALES).due == ()


def test_an_approved_first_grade_resets_the_cadence_from_the_approval(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    [red] = imported(services, tmp_path, row(1, RED))
    clock.advance(days=1)
    log_followup(services, red, SALES, "已上门核实")
    assert customer(services, red).next_due == date(2026, 12, 1)
    clock.advance(days=1)  # Wednesday
    assert approve(services, pending_id(services, red), DIRECTOR).decided
    now = customer(services, red)
    assert now.effective_grade is Grade.RED and now.grade_since == services.now()
    assert now.next_due == date(2026, 11, 26)  # a stricter grade in force: the next workday (SPEC §8)


# ------------------------------------------------------------------ a stricter grade pending


def test_yellow_to_red_pending_is_due_the_next_workday_not_at_once_overdue(
    services: Services, clock: Clock, client: WebClient, slack: FakeSlackApi
) -> None:
    boyuan = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW, sales_owner=SALES)
    clock.advance(days=21)  # Monday three weeks on: yellow not due yet, red would have been long ago
    set_values(services, boyuan, Grade.RED)
    assert customer(services, boyuan).effective_grade is Grade.YELLOW
    assert customer(services, boyuan).next_due == date(2026, 12, 15)

    clock.advance(days=1)
    report = run_nudges(services, client)
    assert dms(slack) == {SALES: [boyuan], OFFICER: [boyuan]} and report.escalations == 0


def test_a_rejected_stricter_grade_goes_back_to_the_effective_cadence(services: Services, clock: Clock) -> None:
    boyuan = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW, sales_owner=SALES)
    clock.advance(days=7)
    log_followup(services, boyuan, SALES, "客户承诺月底回款")
    set_values(services, boyuan, Grade.RED)
    assert customer(services, boyuan).next_due == date(2026, 12, 1)  # the next workday
    assert reject(services, pending_id(services, boyuan), DIRECTOR, "逾期已结清").decided
    assert customer(services, boyuan).next_due == date(2026, 12, 30)  # monthly from the follow-up


def test_a_rejected_looser_grade_keeps_the_due_date(services: Services) -> None:
    """A pending milder grade never set the pace, so rejecting it moves nothing: the next
    workday the approval of red asked for stands."""
    boyuan = add_customer(services, "杭州博远贸易有限公司", Grade.YELLOW, sales_owner=SALES)
    set_values(services, boyuan, Grade.RED)
    assert approve(services, pending_id(services, boyuan), DIRECTOR).decided
    assert customer(services, boyuan).next_due == TUESDAY
    set_values(services, boyuan, Grade.YELLOW)
    assert reject(services, pending_id(services, boyuan), DIRECTOR, "仍需观察").decided
    assert customer(services, boyuan).next_due == TUESDAY


def test_a_red_grade_proposed_by_hand_for_an_ungraded_customer_is_due_the_next_workday(
    services: Services, tmp_path: Path, send: Any, slack: FakeSlackApi
) -> None:
    [unscored] = imported(services, tmp_path, row(1))
    assert customer(services, unscored).effective_grade is None and customer(services, unscored).next_due is None
    slash(send, slack, "调级 测试1号电子科技有限公司 红 法院公告：被列为失信被执行人", OFFICER)
    assert customer(services, unscored).next_due == TUESDAY

    assert reject(services, pending_id(services, unscored), DIRECTOR, "公告非本公司").decided
    assert customer(services, unscored).next_due is None
