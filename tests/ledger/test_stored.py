"""How values and grade changes are written to and read from JSON columns (ledger.stored)."""

from __future__ import annotations

import json
import math

import pytest

from ledger import stored
from scoring.grades import Grade


@pytest.mark.parametrize("change_id, from_grade, to_grade, score, reason", [
    (7, None, Grade.BLUE, 91.5, "评分 91.5"),
    (123456, Grade.YELLOW, Grade.RED, 60.0, '评分 60.0；逾期付款次数=4 (−12.0)；"quoted" \\ and\nnewline'),
    (None, Grade.RED, Grade.BLACK, None, ""),
    (3, Grade.BLUE, Grade.YELLOW, 88, "整数"),
])
def test_a_change_detail_is_the_text_the_json_encoder_writes(change_id, from_grade, to_grade, score, reason) -> None:
    detail = {"change_id": change_id, "from": None if from_grade is None else from_grade.value,
              "to": None if to_grade is None else to_grade.value, "score": score, "reason": reason}
    assert stored.change_detail_json(change_id, from_grade, to_grade, score, reason) == stored.json_text(detail)


def test_values_read_raw_are_decoded_like_values_read_through_sqlalchemy() -> None:
    values = {"overdue_payment_count": 2, "litigation_ratio_pct": "inf", "revenue_change_pct": "-inf", "name": "恒通"}
    decoded = stored.decode_raw(json.dumps(values, ensure_ascii=False))
    assert decoded == stored.decode(values)
    assert decoded["litigation_ratio_pct"] == math.inf and decoded["revenue_change_pct"] == -math.inf
    assert stored.decode_raw(values) == decoded  # PostgreSQL's driver hands JSONB over parsed
    assert stored.decode_raw(None) == stored.decode_raw("{}") == stored.decode_raw("null") == {}


def test_an_infinity_written_with_escapes_is_still_read_as_one() -> None:
    assert stored.decode_raw('{"litigation_ratio_pct": "\\u0069nf", "note": "a\\\\b"}') == {
        "litigation_ratio_pct": math.inf, "note": "a\\b"}
    assert stored.decode_raw('{"inf": 1, "x": "-inf"}') == {"inf": 1, "x": -math.inf}


@pytest.mark.parametrize("value", [
    None, True, 0, -3, 2**70, 1.5, 0.1 + 0.2, -0.0, "中文 \"quoted\"\n", [1, "a", None], (1, 2.5),
    {"values": {"overdue_payment_count": 2, "payment_willingness": "A", "order_spike_pct": 255.5931}},
    {1: "int key", 2.5: "float key"}, {True: "bool key"}, {}, [],
])
def test_json_text_writes_what_the_json_encoder_writes(value) -> None:
    assert stored.json_text(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("value, error", [(math.inf, ValueError), ([math.nan], ValueError), ({"a": {1, 2}}, TypeError)])
def test_json_text_refuses_what_json_cannot_hold(value, error) -> None:
    with pytest.raises(error):
        stored.json_text(value)
