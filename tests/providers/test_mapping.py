"""Mapping files: answers become counts and amounts; a bad file says file:line: reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from providers.errors import Unmapped
from providers.mapping import MappingError, load_mapping, shipped
from scoring.profiles import load_profiles
from scoring.values import PARTS

KNOWN = {k for p in load_profiles().profiles.values() for k in p.by_key} | set(PARTS)
TODAY = date(2026, 12, 4)


@pytest.mark.parametrize("kind", ["qichacha", "tianyancha"])
def test_the_shipped_mappings_feed_the_public_credit_indicators(kind: str) -> None:
    path = shipped(kind)
    assert path is not None
    mapping = load_mapping(path, KNOWN)
    assert {"dishonest_debtor_count", "abnormal_operation_count", "tax_arrears_count", "admin_penalty_max_amount",
            "pending_litigation_amount", "credit_overdue_count"} <= set(mapping.rules)


def test_dishonest_records_count_only_those_published_in_the_last_three_years() -> None:
    rule = load_mapping(shipped("qichacha"), KNOWN).rules["dishonest_debtor_count"]  # type: ignore[arg-type]
    result = {"Data": [{"PublishDate": "2024-06-01"}, {"PublishDate": "2023/12/05 10:00"},
                       {"PublishDate": "2023-12-03"}, {"PublishDate": None}]}
    assert rule.read("qcc", result, TODAY) == 3  # the undated one counts: it may be recent
    assert rule.read("qcc", None, TODAY) == 0  # no record: checked, none


def test_the_largest_penalty_of_three_years_is_taken_written_as_providers_write_it() -> None:
    rule = load_mapping(shipped("qichacha"), KNOWN).rules["admin_penalty_max_amount"]  # type: ignore[arg-type]
    result = {"Data": [{"PunishDate": "2025-01-01", "PenaltyMoney": "5万元"},
                       {"PunishDate": "2025-02-01", "PenaltyMoney": "30,000"},
                       {"PunishDate": "2020-01-01", "PenaltyMoney": 900000}]}
    assert rule.read("qcc", result, TODAY) == 50_000


def test_tianyancha_dates_in_milliseconds_are_read() -> None:
    rule = load_mapping(shipped("tianyancha"), KNOWN).rules["dishonest_debtor_count"]  # type: ignore[arg-type]
    assert rule.read("tyc", {"items": [{"publishdate": 1735776000000}, {"publishdate": 1262304000000}]}, TODAY) == 1


def test_an_answer_the_mapping_cannot_read_is_unmapped_with_the_field_named() -> None:
    rule = load_mapping(shipped("qichacha"), KNOWN).rules["admin_penalty_max_amount"]  # type: ignore[arg-type]
    with pytest.raises(Unmapped, match="PenaltyMoney of record 1 is not a number"):
        rule.read("qcc", {"Data": [{"PunishDate": "2025-01-01", "PenaltyMoney": "罚款若干"}]}, TODAY)
    with pytest.raises(Unmapped, match="not a list"):
        rule.read("qcc", {"Data": "none"}, TODAY)


@pytest.mark.parametrize(("text", "where"), [
    ("indicators:\n  dishonest_count:\n    interface: X\n    take: count\n", ":2: unknown indicator 'dishonest_count'"),
    ("indicators:\n  dishonest_debtor_count:\n    interface: X\n    take: total\n", ":4: 'dishonest_debtor_count': take must be one of"),
    ("indicators:\n  admin_penalty_max_amount:\n    interface: X\n    take: max\n", ":4: 'admin_penalty_max_amount': take max needs 'amount'"),
    ("indicators:\n  dishonest_debtor_count:\n    interface: X\n    take: count\n    within_years: 3\n", ":5: 'dishonest_debtor_count': within_years needs 'date'"),
    ("indicators:\n  dishonest_debtor_count:\n    interfce: X\n    take: count\n", ":3: 'dishonest_debtor_count': unknown field 'interfce'"),
    ("indicators:\n  dishonest_debtor_count:\n    take: count\n", ":2: 'dishonest_debtor_count' needs 'interface'"),
    ("indicators: [\n", ":2: not valid YAML"),
    ("provider: x\n", ":1: a mapping file needs 'indicators'"),
])
def test_a_bad_mapping_file_is_refused_with_the_line_and_the_reason(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "own.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(path, KNOWN)
    assert str(caught.value).startswith(str(path) + where)
