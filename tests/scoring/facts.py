"""Shared facts for the scoring tests: the shipped profiles and a "clean" customer (SPEC §4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.assessment import Assessment, Line, assess
from scoring.profiles import ProfileSet, load_profiles
from scoring.values import clean_values

SHIPPED: ProfileSet = load_profiles()

# "clean" = every indicator 0 and cumulative ≥ 1,000,000; added indicators clean too (rating A).
CLEAN_GENERAL: dict[str, Any] = {i.key: 0 for i in SHIPPED.get("general").indicators}
CLEAN_GENERAL["cumulative_amount"] = 1_000_000


def clean(profile: str) -> dict[str, Any]:
    """Every indicator of the profile known and costing nothing."""
    values = dict(CLEAN_GENERAL)
    for indicator in SHIPPED.get(profile).indicators:
        values.setdefault(indicator.key, "A" if indicator.unit == "rating" else 0)
    return values


def assess_raw(profile: str, raw: Mapping[str, Any]) -> Assessment:
    """What `riskbot assess` does with one customer's values: check them, then assess."""
    p = SHIPPED.get(profile)
    return assess(p, clean_values(p, raw))


def assess_clean(profile: str = "general", **changes: Any) -> Assessment:
    return assess_raw(profile, {**clean(profile), **changes})


def line(assessment: Assessment, key: str) -> Line:
    return next(item for item in assessment.breakdown if item.key == key)
