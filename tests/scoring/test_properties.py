"""Properties of every assessment, whatever the values, on every shipped profile (SPEC §4)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.assessment import PROVISIONAL_BELOW, Assessment, assess
from scoring.profiles import Indicator
from scoring.values import clean_values
from tests.scoring.facts import SHIPPED

FAST = settings(max_examples=200, deadline=None)


def _value(indicator: Indicator) -> st.SearchStrategy[Any]:
    if indicator.unit == "rating":
        return st.sampled_from(["A", "B", "C", "D"])
    if indicator.unit == "count":
        return st.integers(0, 12)
    if indicator.unit == "money":
        return st.sampled_from([0, 99_999, 100_000, 100_001, 999_999, 1_000_000]) | st.floats(0, 5e6)
    if indicator.unit == "days":
        return st.integers(0, 200)
    return st.sampled_from([-30.01, -30, -20.01, 20, 20.01, 70, 70.01, 200, 200.01, 300, 300.01]) | st.floats(-100, 1000)


@st.composite
def customers(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A profile name and a random mix of known and unknown values (sometimes parts instead of values).

    The name, not the compiled profile, keeps a falsifying example short enough to read.
    """
    name = draw(st.sampled_from(SHIPPED.names()))
    profile = SHIPPED.get(name)
    raw: dict[str, Any] = {}
    for indicator in profile.indicators:
        if draw(st.booleans()):
            raw[indicator.key] = draw(_value(indicator))
    if draw(st.booleans()):
        raw["last_order_amount"] = draw(st.floats(0, 1e6))
        raw["avg_order_amount_12m"] = draw(st.floats(0, 1e6))
    if draw(st.booleans()):
        raw["pending_litigation_amount"] = draw(st.floats(0, 1e6))
        raw["net_assets"] = draw(st.floats(-1e6, 1e6))
    return name, raw


def _run(name: str, raw: dict[str, Any]) -> Assessment:
    profile = SHIPPED.get(name)
    return assess(profile, clean_values(profile, raw))


def _worse(indicator: Indicator, value: Any, step: int) -> Any:
    """A worse fact for this indicator: more records, further over the line, a worse rating."""
    kind = indicator.rule.kind
    if indicator.unit == "rating":
        return "ABCD"[min(3, "ABCD".index(value) + step)]
    if kind == "tiers":  # cumulative amount: less trade is worse
        return max(0, value - step * 50_000)
    if kind == "below":
        return value - step * 10
    if kind == "outside":
        return value + step * 100 if value >= 85 else value - step * 10
    return value + step * (1 if indicator.unit == "count" else 25)


@FAST
@given(customers())
def test_the_score_stays_between_0_and_100(customer: tuple[str, dict[str, Any]]) -> None:
    result = _run(*customer)
    assert result.score is None or 0.0 <= result.score <= 100.0
    assert 0.0 <= result.coverage <= 1.0


@FAST
@given(customers(), st.data())
def test_a_worse_fact_never_improves_the_score_or_the_grade(customer: tuple[str, dict[str, Any]], data: st.DataObject) -> None:
    name, raw = customer
    profile = SHIPPED.get(name)
    before = _run(name, raw)
    known = [i for i in profile.indicators if i.key in raw]
    if not known or before.score is None:
        return
    indicator = data.draw(st.sampled_from(known))
    step = data.draw(st.integers(1, 5))
    after = _run(name, {**raw, indicator.key: _worse(indicator, raw[indicator.key], step)})
    assert after.score <= before.score
    assert after.grade.severity >= before.grade.severity


@FAST
@given(customers(), st.data())
def test_learning_of_a_fact_that_costs_its_whole_weight_never_improves_the_score(
    customer: tuple[str, dict[str, Any]], data: st.DataObject
) -> None:
    name, raw = customer
    profile = SHIPPED.get(name)
    unknown = [i for i in profile.indicators if i.key not in raw and i.rule.kind in ("any", "above")]
    if not unknown:
        return
    indicator = data.draw(st.sampled_from(unknown))
    bad = 10**9 if indicator.unit != "count" else 10
    before = _run(name, raw)
    after = _run(name, {**raw, indicator.key: bad})
    assert after.score is not None
    if before.score is not None:
        assert after.score <= before.score
        assert after.grade.severity >= before.grade.severity


@FAST
@given(customers())
def test_floors_only_ever_make_the_grade_worse(customer: tuple[str, dict[str, Any]]) -> None:
    result = _run(*customer)
    if result.score is None:
        assert result.grade is None and result.floors == ()
        return
    assert result.grade.severity >= result.score_grade.severity
    if not result.floors:
        assert result.grade is result.score_grade
    for hit in result.floors:
        assert result.grade.severity >= hit.grade.severity


@FAST
@given(customers())
def test_any_mix_of_missing_values_is_assessed_with_a_full_breakdown(customer: tuple[str, dict[str, Any]]) -> None:
    name, raw = customer
    profile = SHIPPED.get(name)
    result = _run(name, raw)
    assert [item.key for item in result.breakdown] == [i.key for i in profile.indicators]
    for item in result.breakdown:
        if item.value is None:
            assert item.share is None and item.points_lost is None
        else:
            assert 0.0 <= item.share <= 1.0
            assert item.points_lost == item.weight * item.share
    known_weight = sum(item.weight for item in result.breakdown if item.value is not None)
    assert result.coverage == known_weight / profile.total_weight
    assert result.as_dict()["missing"] == [item.key for item in result.missing]


@FAST
@given(customers())
def test_the_grade_is_provisional_exactly_when_coverage_is_below_70_percent(customer: tuple[str, dict[str, Any]]) -> None:
    result = _run(*customer)
    assert result.provisional == (result.coverage < PROVISIONAL_BELOW)
    assert PROVISIONAL_BELOW == 0.7


@FAST
@given(st.lists(customers(), min_size=1, max_size=4))
def test_each_line_and_the_score_follow_the_spec_formula_whoever_was_assessed_before(
    batch: list[tuple[str, dict[str, Any]]]
) -> None:
    for name, raw in batch:
        profile = SHIPPED.get(name)
        values = clean_values(profile, raw)
        result = assess(profile, values)
        known = [i for i in profile.indicators if i.key in values]
        for indicator, item in zip(profile.indicators, result.breakdown, strict=True):
            value = values.get(indicator.key)
            share = None if value is None else indicator.rule.share(value)
            points = None if value is None else indicator.weight * share
            assert tuple(item) == (indicator.key, indicator.label, indicator.weight, value, share, points)
            assert type(item.value) is type(value)
        if not known:
            assert result.score is None
            continue
        w = sum(i.weight for i in known)
        d = sum(i.weight * i.rule.share(values[i.key]) for i in known)
        assert abs(result.score - 100 * (w - d) / w) <= 0.05 + 1e-9
