"""Each shipped profile's effective indicators and weights, as SPEC §3 and §5 list them."""

from __future__ import annotations

import pytest

from tests.scoring.facts import SHIPPED

GENERAL_WEIGHTS = {
    "cumulative_amount": 5,
    "abnormal_operation_count": 10,
    "revenue_change_pct": 10,
    "executive_change_count": 8,
    "tax_arrears_count": 7,
    "dishonest_debtor_count": 15,
    "overdue_payment_count": 15,
    "credit_overdue_count": 10,
    "order_spike_pct": 7,
    "term_extension_days": 7,
    "return_breach_count": 5,
    "admin_penalty_max_amount": 8,
    "litigation_ratio_pct": 5,
}
ECOMMERCE_SCALED = (
    "abnormal_operation_count",
    "revenue_change_pct",
    "executive_change_count",
    "tax_arrears_count",
    "dishonest_debtor_count",
    "overdue_payment_count",
    "credit_overdue_count",
)


def weights(name: str) -> dict[str, float]:
    return {i.key: i.weight for i in SHIPPED.get(name).indicators}


def labels(name: str) -> dict[str, str]:
    return {i.key: i.label for i in SHIPPED.get(name).indicators}


def test_the_shipped_profiles_are_general_and_the_four_industries() -> None:
    assert SHIPPED.names() == ["ecommerce", "finance", "general", "manufacturing", "services"]


def test_general_has_the_thirteen_template_indicators_adding_up_to_112() -> None:
    assert weights("general") == GENERAL_WEIGHTS
    assert SHIPPED.get("general").total_weight == 112
    assert labels("general")["dishonest_debtor_count"] == "失信被执行人记录(近3年)"


def test_manufacturing_raises_overdue_and_dishonest_and_adds_capacity_and_partners() -> None:
    expected = {**GENERAL_WEIGHTS, "overdue_payment_count": 25, "dishonest_debtor_count": 20,
                "capacity_utilization_change_pct": 5, "partner_default_count": 5}
    assert weights("manufacturing") == expected
    assert labels("manufacturing")["capacity_utilization_change_pct"] == "产能利用率变动"
    assert labels("manufacturing")["partner_default_count"] == "上下游合作商违约记录"


def test_ecommerce_scales_its_seven_operating_and_credit_indicators_to_20_in_proportion() -> None:
    w = weights("ecommerce")
    assert sum(GENERAL_WEIGHTS[k] for k in ECOMMERCE_SCALED) == 75
    assert sum(w[k] for k in ECOMMERCE_SCALED) == pytest.approx(20)
    for key in ECOMMERCE_SCALED:
        assert w[key] == pytest.approx(GENERAL_WEIGHTS[key] * 20 / 75)
    assert w["overdue_payment_count"] == pytest.approx(4)
    for key in set(GENERAL_WEIGHTS) - set(ECOMMERCE_SCALED):
        assert w[key] == GENERAL_WEIGHTS[key]
    added = {k: w[k] for k in ("malicious_return_count", "platform_complaint_count", "coupon_abuse_count", "pro_claimant_link_count")}
    assert added == dict.fromkeys(added, 10)
    assert SHIPPED.get("ecommerce").total_weight == pytest.approx(112 - 75 + 20 + 40)


def test_services_relabels_overdue_and_breaches_weights_them_25_and_adds_a_rating() -> None:
    w, names = weights("services"), labels("services")
    assert (w["overdue_payment_count"], w["return_breach_count"]) == (25, 25)
    assert names["overdue_payment_count"] == "服务费拖欠次数"
    assert names["return_breach_count"] == "合同违约记录"
    assert (w["payment_willingness"], w["acceptance_dispute_count"]) == (10, 10)
    assert SHIPPED.get("services").by_key["payment_willingness"].unit == "rating"
    assert SHIPPED.get("services").total_weight == 162


def test_finance_raises_credit_overdue_to_30_and_adds_leverage_controller_and_related_parties() -> None:
    expected = {**GENERAL_WEIGHTS, "credit_overdue_count": 30, "debt_ratio_pct": 30,
                "controller_credit_overdue_count": 15, "related_party_risk_count": 15}
    assert weights("finance") == expected
    assert labels("finance")["debt_ratio_pct"] == "负债率"


def test_industry_profiles_keep_the_general_floors() -> None:
    for name in SHIPPED.names():
        floors = {i.key: i.floor for i in SHIPPED.get(name).indicators if i.floor}
        assert set(floors) == {"dishonest_debtor_count", "overdue_payment_count"}, name

