"""Raw values as users type them: derived values from their parts, and clear refusals (SPEC §3)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.values import PARTS, ValueProblem, clean_values, derive
from tests.scoring.facts import SHIPPED, assess_clean, assess_raw, line

GENERAL = SHIPPED.get("general")


def test_order_spike_is_computed_from_last_order_and_twelve_month_average() -> None:
    # (400 − 100) / 100 × 100 = 300: on the line, costs nothing
    on_line = assess_clean(order_spike_pct=None, last_order_amount=400, avg_order_amount_12m=100)
    assert line(on_line, "order_spike_pct").value == 300
    assert line(on_line, "order_spike_pct").points_lost == 0
    # (400.01 − 100) / 100 × 100 = 300.01: over the line, costs the weight 7
    over = assess_clean(order_spike_pct=None, last_order_amount=400.01, avg_order_amount_12m=100)
    assert line(over, "order_spike_pct").value == pytest.approx(300.01)
    assert line(over, "order_spike_pct").points_lost == 7


def test_litigation_ratio_is_computed_from_pending_litigation_and_net_assets() -> None:
    at_line = assess_clean(litigation_ratio_pct=None, pending_litigation_amount=200_000, net_assets=1_000_000)
    assert line(at_line, "litigation_ratio_pct").value == 20
    assert line(at_line, "litigation_ratio_pct").points_lost == 0
    over = assess_clean(litigation_ratio_pct=None, pending_litigation_amount=200_100, net_assets=1_000_000)
    assert line(over, "litigation_ratio_pct").value == pytest.approx(20.01)
    assert line(over, "litigation_ratio_pct").points_lost == 5


@pytest.mark.parametrize("net_assets", [0, -500_000])
def test_any_litigation_against_no_equity_is_over_the_line(net_assets: float) -> None:
    result = assess_clean(litigation_ratio_pct=None, pending_litigation_amount=1, net_assets=net_assets)
    assert line(result, "litigation_ratio_pct").value == math.inf
    assert line(result, "litigation_ratio_pct").points_lost == 5


def test_no_litigation_against_no_equity_costs_nothing() -> None:
    result = assess_clean(litigation_ratio_pct=None, pending_litigation_amount=0, net_assets=-500_000)
    assert line(result, "litigation_ratio_pct").value == 0
    assert line(result, "litigation_ratio_pct").points_lost == 0


def test_a_value_given_directly_wins_over_its_parts() -> None:
    result = assess_clean(order_spike_pct=10, last_order_amount=1_000, avg_order_amount_12m=100,
                          litigation_ratio_pct=5, pending_litigation_amount=90, net_assets=100)
    assert line(result, "order_spike_pct").value == 10
    assert line(result, "litigation_ratio_pct").value == 5
    assert result.score == 100.0


def test_a_derived_value_with_a_missing_part_stays_unknown() -> None:
    result = assess_raw("general", {"tax_arrears_count": 0, "last_order_amount": 500})
    assert line(result, "order_spike_pct").value is None
    assert "order_spike_pct" in [item.key for item in result.missing]


def test_numbers_typed_as_text_are_understood() -> None:
    values = clean_values(GENERAL, {
        "cumulative_amount": "1,200,000",
        "revenue_change_pct": "-12.5%",
        "overdue_payment_count": "２",
        "tax_arrears_count": " 1 ",
        "admin_penalty_max_amount": "５０，０００",
    })
    assert values == {
        "cumulative_amount": 1_200_000,
        "revenue_change_pct": -12.5,
        "overdue_payment_count": 2,
        "tax_arrears_count": 1,
        "admin_penalty_max_amount": 50_000,
    }


def test_empty_cells_mean_unknown() -> None:
    assert clean_values(GENERAL, {"overdue_payment_count": None, "tax_arrears_count": "  ", "cumulative_amount": ""}) == {}


def test_a_rating_letter_is_read_in_any_case() -> None:
    services = SHIPPED.get("services")
    assert clean_values(services, {"payment_willingness": " b"}) == {"payment_willingness": "B"}


@pytest.mark.parametrize(
    ("profile", "raw", "field", "complaint"),
    [
        ("general", {"overdue_payments": 1}, "overdue_payments", "unknown indicator for profile 'general'"),
        ("general", {"malicious_return_count": 1}, "malicious_return_count", "unknown indicator"),
        ("general", {"overdue_payment_count": "two"}, "overdue_payment_count", "expected a number, got text 'two'"),
        ("general", {"cumulative_amount": True}, "cumulative_amount", "expected a number"),
        ("general", {"cumulative_amount": [1]}, "cumulative_amount", "expected a number"),
        ("general", {"revenue_change_pct": "nan"}, "revenue_change_pct", "finite number"),
        ("general", {"overdue_payment_count": -1}, "overdue_payment_count", "a count cannot be negative"),
        ("general", {"overdue_payment_count": 1.5}, "overdue_payment_count", "a count must be a whole number"),
        ("general", {"cumulative_amount": -5}, "cumulative_amount", "cannot be negative"),
        ("general", {"term_extension_days": -1}, "term_extension_days", "cannot be negative"),
        ("general", {"last_order_amount": -1, "avg_order_amount_12m": 10}, "last_order_amount", "cannot be negative"),
        ("general", {"net_assets": "lots"}, "net_assets", "expected a number"),
        ("services", {"payment_willingness": "E"}, "payment_willingness", "expected one of A/B/C/D"),
        ("services", {"payment_willingness": 1}, "payment_willingness", "expected one of A/B/C/D"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(profile: str, raw: dict[str, Any], field: str, complaint: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        clean_values(SHIPPED.get(profile), raw)
    assert caught.value.field == field
    assert complaint in caught.value.reason
    assert str(caught.value).startswith(f"{field}: ")


@pytest.mark.parametrize("raw", [10**15, -1e15, "1e16", "2,000,000,000,000,000"])
def test_a_number_too_large_for_any_customer_is_refused_with_what_to_check(raw: Any) -> None:
    with pytest.raises(ValueProblem, match="out of range.*from -999,999,999,999,999 to 999,999,999,999,999.*check the unit") as caught:
        clean_values(GENERAL, {"cumulative_amount": raw} if raw != -1e15 else {"revenue_change_pct": raw})
    assert caught.value.field in ("cumulative_amount", "revenue_change_pct")


def test_the_largest_accepted_number_is_kept_whole() -> None:
    assert clean_values(GENERAL, {"cumulative_amount": "999,999,999,999,999"}) == {"cumulative_amount": 10**15 - 1}


def test_the_unknown_indicator_message_lists_the_known_keys() -> None:
    with pytest.raises(ValueProblem, match="known: cumulative_amount, abnormal_operation_count"):
        clean_values(GENERAL, {"overdue": 1})


_NUMBERS = st.one_of(
    st.integers(min_value=-(2**60), max_value=2**60), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 1.5, -1, 2**53, 2.0**53 - 1, -(2**53) + 1, 10**15, 10**15 - 1, -1e15, True, False]),
)


@settings(max_examples=300, deadline=None)
@given(number=_NUMBERS, index=st.integers(min_value=0))
def test_a_number_in_a_cell_is_kept_or_refused_as_its_text_would_be(number: Any, index: int) -> None:
    """Numbers straight from a spreadsheet take a shortcut; they must come out as the same
    number typed as text does (or be refused with the same words)."""
    keys = [i.key for i in SHIPPED.get("general").indicators + SHIPPED.get("ecommerce").indicators] + list(PARTS)
    key = keys[index % len(keys)]
    profile = SHIPPED.get("ecommerce") if key in SHIPPED.get("ecommerce").by_key else SHIPPED.get("general")
    as_text = repr(float(number)) if number.__class__ is float else str(number)

    def cleaned(raw: Any) -> tuple[str, Any]:
        try:
            given = {key: raw, **({} if key not in PARTS else {other: 1000 for other in PARTS if other != key})}
            value = clean_values(profile, given)
            return "ok", {k: (v.__class__, v) for k, v in value.items()}
        except ValueProblem as exc:
            return "refused", exc.reason.replace(repr(raw), "<cell>")

    if number.__class__ is bool or not math.isfinite(number) or abs(number) >= 2**53:
        return  # text and number differ on purpose here (True is not "True"; "inf" is not a number)
    assert cleaned(number) == cleaned(as_text)


def test_a_ratio_beyond_any_accepted_number_is_infinite() -> None:
    huge = derive({"last_order_amount": 999_999_999_999_999, "avg_order_amount_12m": 0.0001,
                   "pending_litigation_amount": 999_999_999_999_999, "net_assets": 0.01})
    assert huge == {"order_spike_pct": math.inf, "litigation_ratio_pct": math.inf}
    assert derive({"last_order_amount": 9_000, "avg_order_amount_12m": 0.01})["order_spike_pct"] == 89_999_900.0


@pytest.mark.parametrize(("text", "number"), [("1,234", 1234), ("１，２３４.５", 1234.5), ("-12,345,678", -12345678), ("15%", 15)])
def test_thousands_separators_are_read_only_between_groups_of_three(text: str, number: float) -> None:
    assert clean_values(GENERAL, {"cumulative_amount": text} if number >= 0 else {"revenue_change_pct": text}) in (
        {"cumulative_amount": number}, {"revenue_change_pct": number})


@pytest.mark.parametrize("text", ["1,5", "12,34", "1,2,3", ",100"])
def test_a_comma_elsewhere_is_refused_not_read_as_a_bigger_number(text: str) -> None:
    with pytest.raises(ValueProblem, match="expected a number, got text"):
        clean_values(GENERAL, {"cumulative_amount": text})
