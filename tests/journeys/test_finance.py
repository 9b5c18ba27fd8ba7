"""Finance and the manager (issue 15): a week after the import, the weekly digest in the
alerts channel and the exported ledger tell the same story — every customer with its score,
grade, measures and next follow-up, and a 看板 whose counts are the digest's."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from tests.journeys.conftest import ALERTS, APPROVALS, DIRECTOR, FINANCE
from tests.journeys.desk import (
    Desk, Seen, Sheet, days, example, example_rows, headed, in_channel, request_customer,
)

GRADES = ("蓝标", "黄标", "红标", "黑标")
APPROVED = "润泽纺织"  # scored red in the example ledger; the director approves it mid-week


def digest_counts(digest: Seen) -> dict[str, int]:
    """The grade mix and the pending count, as the digest words them."""
    [mix] = [line for line in digest.text.split("\n") if re.search(r"蓝标 \d+（", line)]
    counts = {grade: int(n) for grade, n in re.findall(r"(蓝标|黄标|红标|黑标) (\d+)（", mix)}
    assert set(counts) == set(GRADES), mix
    pending = re.search(r"\*待审批\*（(\d+)）", digest.text)
    assert pending, digest.text
    return {**counts, "待审批": int(pending[1])}


def board_counts(board: Sheet) -> dict[str, int]:
    """The 看板 sheet's counts, found by the label in the first column of each row."""
    by_label = {row[0]: row[1:] for row in board.cells if row and row[0] is not None}
    return {**{grade: int(by_label[grade][0]) for grade in GRADES}, "待审批": int(by_label["待审批变更"][0])}


def test_the_export_and_the_weekly_digest_agree_a_week_after_the_import(desk: Desk) -> None:
    desk.import_examples()
    requests = in_channel(desk.tick(), APPROVALS)
    [request] = [r for r in requests if request_customer(r) == example(APPROVED)["客户全称"]]
    wednesday = desk.today() + days(2)
    desk.travel_to(wednesday, time(15, 0))
    approved = desk.click(DIRECTOR, request, "批准")
    [notice] = in_channel(approved, FINANCE)
    assert "信用条件变更" in notice.text

    monday = desk.today() + days(7 - desk.today().weekday())
    desk.travel_to(monday, desk.config.digest.at)
    digest = headed(in_channel(desk.tick(), ALERTS), f"风控周报 {monday - days(6)} – {monday}")
    workbook = desk.export()

    customers = workbook["客户"]
    assert sorted(customers.column("统一社会信用代码")) == sorted(r["统一社会信用代码"] for r in example_rows())
    for row in customers.rows:
        assert isinstance(row["风险得分"], float | int), row["客户全称"]
        assert row["计算等级"] in GRADES, row["客户全称"]
        assert isinstance(row["下次跟进日期"], datetime | date), row["客户全称"]
        if _grade(row["风险等级"]) is None:  # a first grade of red or black waits for the director
            assert row["待审批变更"] and row["计算等级"] in row["待审批变更"], row["客户全称"]
        else:
            assert row["对应措施"], row["客户全称"]
    ruifeng = example("瑞丰塑胶")
    row = next(row for row in customers.rows if row["客户全称"] == ruifeng["客户全称"])
    terms = int(ruifeng["约定账期"])
    assert (row["风险得分"], row["风险等级"]) == (82.6, "黄标")
    assert f"账期 {terms} → {terms * 7 // 10} 天" in row["对应措施"] and "30%" in row["对应措施"]
    runze = example(APPROVED)
    row = next(row for row in customers.rows if row["客户全称"] == runze["客户全称"])
    assert row["风险等级"] == "红标" and f"账期 {runze['约定账期']} → 0 天" in row["对应措施"]

    board = board_counts(workbook["看板"])
    assert board == digest_counts(digest)
    in_force = [_grade(row["风险等级"]) for row in customers.rows]
    assert {g: in_force.count(g) for g in GRADES} == {g: board[g] for g in GRADES}
    assert board["红标"] >= 1 and board["待审批"] == sum(1 for row in customers.rows if row["待审批变更"])


def _grade(cell: str) -> str | None:
    """蓝标, or 蓝标 of 蓝标（资料不全）; None for 未评级."""
    grade = cell.split("（", 1)[0]
    return grade if grade in GRADES else None
