"""The manager's month (issue 16): risk events recorded in Slack through November, then on the
first workday of December the 看板 in the alerts channel with its charts, each salesperson's
own KPI line by DM, everyone's to the manager, and the events in the exported ledger."""

from __future__ import annotations

from datetime import date, time

from tests.journeys.conftest import ALERTS, APPROVALS, DIRECTOR, MANAGER
from tests.journeys.desk import Desk, example, headed, in_channel, request_customer

RED = "润泽纺织"  # scored red in the example ledger; the director approves it on import day
OFFICER = "U0RISK001"


def test_events_of_the_month_reach_the_dashboard_the_owners_kpis_and_the_export(desk: Desk) -> None:
    desk.import_examples()
    runze = example(RED)
    [request] = [r for r in in_channel(desk.tick(), APPROVALS) if request_customer(r) == runze["客户全称"]]
    desk.click(DIRECTOR, request, "批准")

    desk.travel_to(date(2026, 11, 25), time(15, 0))
    booked = desk.command(OFFICER, f"事件 {RED} 坏账 5万 客户破产清算，债权已申报")
    assert "坏账" in booked.text and "¥50,000" in booked.text
    own = runze["销售负责人"]
    refused = desk.command(own, f"事件 {RED} 回款 3万")  # their own customer's 回款率: not theirs to book
    assert "只能由风控专员、风控总监或财务记录" in refused.text
    desk.command(OFFICER, f"事件 {RED} 回款 2万 2026-11-24")
    reported = desk.command(own, f"事件 {RED} 逾期 8万 95天")  # 风险上报: anyone
    assert "逾期" in reported.text and "95 天" in reported.text

    # No 看板 yet: October ended before the ledger began, November has not ended.
    desk.travel_to(date(2026, 11, 30), time(18, 0))
    assert not [s for s in in_channel(desk.tick(), ALERTS) if "月度风控看板" in s.text]
    desk.travel_to(date(2026, 12, 1), time(9, 45))  # Tuesday, the first workday, after 09:30
    shown = desk.tick()
    board = headed(in_channel(shown, ALERTS), "月度风控看板 2026-11")
    assert "风险损失金额" in board.text and "¥50,000" in board.text
    # imported on 23 November, so not yet graded 30 days before its loss: neither caught nor missed
    assert "本月发生损失或逾期 ≥ 90 天的客户 1 位" in board.text and "当时未评级 1 位" in board.text
    assert "红标 / 黑标客户自定级以来已回款 ¥20,000" in board.text
    uploads = desk.slack.calls("files.completeUploadExternal")
    assert {u["channel_id"] for u in uploads} == {ALERTS}
    assert sum(len(u["files"]) for u in uploads) == 3  # grade mix, receivables, losses

    dms = {s.where: s for s in shown if s.where.startswith("U") and "考核" in s.text}
    assert own in dms and f"<@{own}>" in dms[own].text
    assert all(f"<@{other}>" not in dms[own].text for other in dms if other not in (own, MANAGER))
    assert MANAGER in dms and sum(dms[MANAGER].text.count(f"<@{u}>") > 0 for u in dms if u != MANAGER) >= 2
    assert not [s for s in in_channel(desk.tick(), ALERTS) if "月度风控看板" in s.text]  # once

    events = desk.export()["风险事件"]
    mine = [row for row in events.rows if row["客户全称"] == runze["客户全称"]]
    assert sorted(row["事件类型"] for row in mine) == ["回款", "坏账损失", "逾期"]
