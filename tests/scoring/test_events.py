"""Event words, amounts, days and dates as people type them, and the grade held on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scoring import events as ev
from scoring.grades import Grade
from storage.models import EventKind

TODAY = date(2026, 12, 4)


def test_the_kinds_are_the_ones_the_ledger_stores() -> None:
    assert set(ev.KINDS) == {k.value for k in EventKind}
    assert set(ev.KIND_WORDS.values()) == set(ev.KINDS)


@pytest.mark.parametrize(("word", "kind"), [
    ("逾期", "overdue"), ("Overdue", "overdue"), ("坏账", "loss"), ("损失", "loss"), ("ＬＯＳＳ", "loss"),
    ("回款", "recovery"), ("立案", "legal_opened"), ("诉讼", "legal_opened"), ("结案", "legal_closed"),
    ("终止合作", "cooperation_ended"), ("ended", "cooperation_ended"),
])
def test_kind_words_in_chinese_and_english(word: str, kind: str) -> None:
    assert ev.parse_kind(word) == kind


@pytest.mark.parametrize(("text", "amount"), [
    ("120000", "120000"), ("12万", "120000"), ("1.2万", "12000"), ("12W", "120000"), ("5k", "5000"),
    ("1,200,000.00", "1200000"), ("￥3,000", "3000"), ("¥3000元", "3000"), ("１２万", "120000"),
    ("0.015", "0.02"), ("9999999999999.99", "9999999999999.99"),
])
def test_amount_forms(text: str, amount: str) -> None:
    assert ev.parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize(("text", "key"), [
    ("abc", "amount"), ("12,34", "amount"), ("-5", "amount_negative"), ("¥-5", "amount_negative"),
    ("10000000000000", "amount_too_large"), ("2万亿", "amount"),
])
def test_bad_amounts_say_why(text: str, key: str) -> None:
    with pytest.raises(ev.EventInputError) as caught:
        ev.parse_amount(text)
    assert (caught.value.field, caught.value.key) == ("amount", key)


def test_days_need_a_unit_to_be_told_from_an_amount() -> None:
    assert [ev.parse_days(t) for t in ("45天", "45d", "45 days", "45")] == [45, 45, 45, 45]
    assert ev.looks_like_days("45天") and not ev.looks_like_days("45")
    with pytest.raises(ev.EventInputError, match="days"):
        ev.parse_days("-3天")
    with pytest.raises(ev.EventInputError) as caught:
        ev.parse_days("99999天")
    assert caught.value.key == "days_too_many"


@pytest.mark.parametrize(("text", "day"), [
    ("2026-03-01", date(2026, 3, 1)), ("2026/3/1", date(2026, 3, 1)), ("2026年3月1日", date(2026, 3, 1)),
    ("20260301", date(2026, 3, 1)), ("3月1日", date(2026, 3, 1)), ("今天", TODAY), ("yesterday", date(2026, 12, 3)),
])
def test_date_forms(text: str, day: date) -> None:
    assert ev.parse_date(text, TODAY) == day


def test_what_each_kind_needs() -> None:
    keys = lambda kind, **kw: [p.key for p in ev.problems(kind, kw.pop("on", TODAY), TODAY, **kw)]  # noqa: E731
    assert keys("overdue") == ["amount_required", "days_required"]
    assert keys("overdue", amount=Decimal(0), days=3) == ["amount_zero"]
    assert keys("recovery", amount=Decimal(1), days=3) == ["days_not_taken"]
    assert keys("legal_opened") == [] and keys("cooperation_ended", amount=Decimal(5)) == []
    assert keys("loss", amount=Decimal(1), on=date(2026, 12, 5)) == ["date_future"]
    assert keys("loss", amount=Decimal(1), note="长" * 2001) == ["note_too_long"]


def test_the_grade_on_a_day_is_the_last_decided_by_its_end() -> None:
    history = [(date(2026, 1, 10), Grade.BLUE), (date(2026, 3, 1), Grade.RED), (date(2026, 3, 1), Grade.BLACK)]
    assert ev.grade_on(history, date(2026, 1, 9)) is None
    assert ev.grade_on(history, date(2026, 2, 28)) is Grade.BLUE
    assert ev.grade_on(history, date(2026, 3, 1)) is Grade.BLACK
