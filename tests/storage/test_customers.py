"""Customer queries: codes, owners, due dates, rescoring, grade counts, value history."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from scoring.grades import Grade
from storage.errors import DuplicateCreditCode
from storage.models import Assessment, CustomerAlias
from storage.uow import Database
from tests.storage.factories import T0, customer, saved_customer


def test_customer_is_found_by_credit_code(db: Database) -> None:
    customer_id = saved_customer(db, 7)
    with db.uow() as uow:
        found = uow.customers.get_by_code("91350100M000000007")
        assert found is not None and found.id == customer_id
        assert uow.customers.get_by_code("91350100M000000008") is None


def test_second_customer_with_the_same_credit_code_is_refused_and_the_work_goes_on(
    db: Database,
) -> None:
    saved_customer(db, 1)
    with db.uow() as uow:
        with pytest.raises(DuplicateCreditCode) as refused:
            uow.customers.add(customer(1, name="另一家公司"))
        assert refused.value.credit_code == "91350100M000000001"
        assert "已存在" in str(refused.value)
        uow.audit.append(T0, "U1", "customer.import_refused", detail={"row": 2})
        uow.commit()
    with db.uow() as uow:
        assert [e.action for e in uow.audit.query()] == ["customer.import_refused"]


def test_customer_is_found_by_alias(db: Database) -> None:
    with db.uow() as uow:
        uow.customers.add(customer(1, aliases=[CustomerAlias(alias="星辰")]))
        uow.customers.add(customer(2))
        uow.commit()
    with db.uow() as uow:
        assert [c.name for c in uow.customers.by_alias("星辰")] == ["测试客户1有限公司"]


def test_my_customers_include_those_i_own_as_sales_or_as_risk_officer(db: Database) -> None:
    saved_customer(db, 1, name="乙公司", sales_owner="U_SALES")
    saved_customer(db, 2, name="甲公司", risk_officer="U_SALES", sales_owner="U_OTHER")
    saved_customer(db, 3, name="丙公司", sales_owner="U_OTHER", risk_officer="U_RISK")
    with db.uow() as uow:
        assert sorted(c.name for c in uow.customers.by_owner("U_SALES")) == ["乙公司", "甲公司"]
        assert [c.name for c in uow.customers.by_owner("nobody@example.com")] == []


def test_due_customers_include_overdue_ones_most_overdue_first(db: Database) -> None:
    today = date(2025, 3, 3)
    saved_customer(db, 1, name="today", next_due=today)
    saved_customer(db, 2, name="overdue", next_due=today - timedelta(days=8))
    saved_customer(db, 3, name="tomorrow", next_due=today + timedelta(days=1))
    saved_customer(db, 4, name="never graded")
    with db.uow() as uow:
        assert [c.name for c in uow.customers.due_on_or_before(today)] == ["overdue", "today"]


def test_only_customers_flagged_for_rescoring_are_listed(db: Database) -> None:
    flagged = [saved_customer(db, n, needs_rescore=n % 2 == 0) for n in range(1, 7)]
    with db.uow() as uow:
        assert uow.customers.ids_needing_rescore() == flagged[1::2]
        assert uow.customers.ids_needing_rescore(limit=2) == flagged[1:4:2]


def test_batches_cover_every_customer_once_in_id_order(db: Database) -> None:
    ids = [saved_customer(db, n) for n in range(1, 8)]
    with db.uow() as uow:
        batches = list(uow.customers.iter_batches(batch_size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [c.id for b in batches for c in b] == ids


def test_grade_mix_counts_customers_per_effective_grade(db: Database) -> None:
    for n, grade in enumerate([Grade.BLUE, Grade.BLUE, Grade.RED, None], start=1):
        saved_customer(db, n, effective_grade=grade)
    with db.uow() as uow:
        assert uow.customers.count_by_grade() == {Grade.BLUE: 2, Grade.RED: 1, None: 1}


def test_indicator_updates_append_history_rather_than_overwrite(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        uow.customers.add_indicator_values(
            customer_id, {"overdue_count": 0, "rating": "AA"}, "import:ledger.csv", T0
        )
        uow.customers.add_indicator_values(
            customer_id, {"overdue_count": Decimal("2")}, "slack:U123", T0 + timedelta(days=1)
        )
        uow.commit()
    with db.uow() as uow:
        history = uow.customers.value_history(customer_id, "overdue_count")
        assert [(v.value_num, v.source) for v in history] == [
            (Decimal("0"), "import:ledger.csv"),
            (Decimal("2"), "slack:U123"),
        ]
        rating = uow.customers.value_history(customer_id, "rating")
        assert [(v.value_num, v.value_text) for v in rating] == [(None, "AA")]


def test_latest_assessment_is_the_most_recent_one(db: Database) -> None:
    customer_id = saved_customer(db)
    with db.uow() as uow:
        for days, score in [(0, "88.0"), (2, "58.5"), (1, "70.0")]:
            uow.customers.add_assessment(
                Assessment(
                    customer_id=customer_id,
                    score=Decimal(score),
                    grade=Grade.RED if score == "58.5" else Grade.BLUE,
                    coverage=1.0,
                    provisional=False,
                    breakdown={"overdue_count": {"points": 10}},
                    floors={},
                    profile_name="general",
                    profile_version="1",
                    assessed_at=T0 + timedelta(days=days),
                )
            )
        uow.commit()
    with db.uow() as uow:
        latest = uow.customers.latest_assessment(customer_id)
        assert latest is not None
        assert (latest.score, latest.grade) == (Decimal("58.5"), Grade.RED)
        assert latest.breakdown == {"overdue_count": {"points": 10}}


def test_several_customers_are_fetched_at_once_skipping_unknown_ids(db: Database) -> None:
    ids = [saved_customer(db, n) for n in range(1, 4)]
    with db.uow() as uow:
        assert [c.id for c in uow.customers.get_many([ids[2], 999, ids[0]])] == [ids[0], ids[2]]
        assert uow.customers.get_many([]) == []


def test_customers_of_one_grade_are_listed_by_name(db: Database) -> None:
    saved_customer(db, 1, name="乙", effective_grade=Grade.RED)
    saved_customer(db, 2, name="甲", effective_grade=Grade.RED)
    saved_customer(db, 3, name="丙", effective_grade=Grade.BLUE)
    with db.uow() as uow:
        assert sorted(c.name for c in uow.customers.by_grade(Grade.RED)) == ["乙", "甲"]
        assert len(uow.customers.by_grade(Grade.RED, limit=1)) == 1
        assert uow.customers.by_grade(Grade.BLACK) == []


def test_follow_up_backlog_counts_due_today_apart_from_overdue(db: Database) -> None:
    today = date(2025, 3, 3)
    for n, next_due in enumerate([today, today, today - timedelta(days=1), today + timedelta(days=1)]):
        saved_customer(db, n, next_due=next_due)
    saved_customer(db, 9)
    with db.uow() as uow:
        assert uow.customers.count_due(today) == (2, 1)


def test_customers_scored_on_incomplete_data_are_counted(db: Database) -> None:
    for n, provisional in enumerate([True, False, True]):
        saved_customer(db, n, provisional=provisional)
    with db.uow() as uow:
        assert uow.customers.count_provisional() == 2


def test_customers_are_found_by_exact_name_and_by_a_literal_part_of_it(db: Database) -> None:
    plain = saved_customer(db, 1, name="恒通电子有限公司")
    percent = saved_customer(db, 2, name="百分之100%_公司")
    saved_customer(db, 3, name="百分之1000公司")
    with db.uow() as uow:
        assert uow.customers.ids_named("恒通电子有限公司") == [plain]
        assert uow.customers.ids_named("恒通电子") == []
        assert uow.customers.ids_with_name_containing("100%_", limit=5) == [percent]  # % and _ match only themselves
        assert len(uow.customers.ids_with_name_containing("公司", limit=2)) == 2


def test_the_names_for_the_lookup_index_come_with_aliases_and_from_an_id_on(db: Database) -> None:
    first = saved_customer(db, 1, name="恒通电子有限公司")
    second = saved_customer(db, 2, name="华南物流有限公司")
    with db.uow() as uow:
        uow.session.add_all([CustomerAlias(customer_id=first, alias="恒通"), CustomerAlias(customer_id=second, alias="华南")])
        uow.commit()
    with db.uow() as uow:
        assert sorted(uow.customers.names()) == [
            (first, "恒通电子有限公司", "91350100M000000001", ("恒通",)),
            (second, "华南物流有限公司", "91350100M000000002", ("华南",)),
        ]
        assert list(uow.customers.names(after_id=first)) == [(second, "华南物流有限公司", "91350100M000000002", ("华南",))]
