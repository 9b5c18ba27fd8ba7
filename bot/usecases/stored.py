"""Indicator values as they live in JSON columns.

JSON (and PostgreSQL's JSONB) has no infinity, yet a litigation ratio with no equity left is
unbounded (`scoring.values.derive`). It is stored as the text "inf" and read back as a float.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

INFINITY = "inf"


def encode(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values ready for a JSON column."""
    found = values.values()
    if math.inf not in found and -math.inf not in found:  # the usual case, scanned in C
        return dict(values)
    return {k: encode_value(v) for k, v in values.items()}


def encode_value(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return INFINITY if value > 0 else "-" + INFINITY
    return value


def decode(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Values read from a JSON column, ready for `scoring.assessment.assess`."""
    if not values:
        return {}
    found = values.values()
    if INFINITY not in found and "-" + INFINITY not in found:
        return dict(values)
    return {k: decode_value(v) for k, v in values.items()}


def decode_value(value: Any) -> Any:
    if value == INFINITY:
        return math.inf
    if value == "-" + INFINITY:
        return -math.inf
    return value
