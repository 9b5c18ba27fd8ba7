"""`riskbot assess` and `riskbot profiles` as a user or a script runs them (SPEC §13).

Contract: JSON on stdout and exit 0; bad input → exit 2, ONE line on stderr naming the field,
nothing on stdout. That line speaks the configured locale: these tests run with `locale: en`
unless they say otherwise (zh, the default, when nothing is configured).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app

CLEAN = {
    "cumulative_amount": 1_000_000,
    "abnormal_operation_count": 0,
    "revenue_change_pct": 0,
    "executive_change_count": 0,
    "tax_arrears_count": 0,
    "dishonest_debtor_count": 0,
    "overdue_payment_count": 0,
    "credit_overdue_count": 0,
    "order_spike_pct": 0,
    "term_extension_days": 0,
    "return_breach_count": 0,
    "admin_penalty_max_amount": 0,
    "litigation_ratio_pct": 0,
}
COMPANY_PROFILE = "name: company\nlabel: 本公司\nextends: general\nweights:\n  overdue_payment_count: 35\n  abnormal_operation_count: 25\n"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("locale: en\n", encoding="utf-8")
    monkeypatch.setenv("RISKBOT_CONFIG", str(tmp_path / "en.yaml"))


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """No config: the default locale, zh."""
    monkeypatch.delenv("RISKBOT_CONFIG")


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout, parse_constant=_no_constants)


def _no_constants(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def refused(result: Result) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr; returns that line."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ---------------------------------------------------------------- assess: good input


def test_assess_reads_a_file_and_prints_the_assessment(tmp_path: Path) -> None:
    source = tmp_path / "customer.json"
    source.write_text(json.dumps({"values": {**CLEAN, "dishonest_debtor_count": 1}, "credit_terms_days": 60}), encoding="utf-8")
    out = ok_json(run("assess", str(source)))
    assert (out["score"], out["grade"], out["provisional"], out["coverage"]) == (86.6, "yellow", False, 1.0)
    assert out["floors"] == [
        {"key": "dishonest_debtor_count", "grade": "yellow", "reason": "失信被执行人记录(近3年) ≥ 1 → 至少黄标"}
    ]
    assert out["plan"]["terms_after"] == 42
    assert out["plan"]["prepayment_pct"] == 30
    dishonest = next(line for line in out["breakdown"] if line["key"] == "dishonest_debtor_count")
    assert dishonest == {
        "key": "dishonest_debtor_count",
        "label": "失信被执行人记录(近3年)",
        "weight": 15.0,
        "value": 1,
        "share": 1.0,
        "points_lost": 15.0,
    }
    assert len(out["breakdown"]) == 13


def test_assess_reads_standard_input_by_default_and_with_a_dash() -> None:
    doc = json.dumps({"values": {"overdue_payment_count": 1, "dishonest_debtor_count": 0, "tax_arrears_count": 0}})
    for args in (["assess"], ["assess", "-"]):
        out = ok_json(run(*args, stdin=doc))
        assert (out["score"], out["grade"], out["provisional"], round(out["coverage"], 2)) == (86.5, "blue", True, 0.33)
        assert "cumulative_amount" in out["missing"]
        unknown = next(line for line in out["breakdown"] if line["key"] == "cumulative_amount")
        assert (unknown["value"], unknown["share"], unknown["points_lost"]) == (None, None, None)


def test_assess_takes_a_list_and_answers_in_the_same_order() -> None:
    doc = [
        {"values": CLEAN},
        {"values": {**CLEAN, "overdue_payment_count": 4}, "credit_terms_days": 30},
        {"values": {}},
    ]
    out = ok_json(run("assess", stdin=json.dumps(doc)))
    assert [(item["score"], item["grade"]) for item in out] == [(100.0, "blue"), (86.6, "red"), (None, None)]
    assert out[1]["plan"]["task"] == "collection"
    assert out[1]["plan"]["terms_after"] == 0
    assert out[2]["plan"] is None


def test_assess_with_a_profile_option_uses_that_profile() -> None:
    doc = {"values": {**CLEAN, "malicious_return_count": 1, "platform_complaint_count": 2,
                      "coupon_abuse_count": 1, "pro_claimant_link_count": 0, "overdue_payment_count": 1}}
    out = ok_json(run("assess", "--profile", "ecommerce", stdin=json.dumps(doc)))
    assert out["profile"] == "ecommerce"
    assert (out["score"], out["grade"]) == (78.0, "yellow")


def test_assess_picks_the_profile_from_the_industry_when_none_is_named() -> None:
    doc = {"industry": "供应链金融", "values": {**CLEAN, "debt_ratio_pct": 75, "credit_overdue_count": 1}}
    out = ok_json(run("assess", stdin=json.dumps(doc)))
    # finance, controller and related-party records unknown: W = 192 − 15 − 15 = 162
    # D = 30 (debt ratio > 70) + 30 (credit overdue) = 60 → 100 × 102 / 162 = 62.96… → 63.0 yellow
    assert (out["profile"], out["score"], out["grade"]) == ("finance", 63.0, "yellow")
    assert out["missing"] == ["controller_credit_overdue_count", "related_party_risk_count"]


def test_assess_computes_derived_values_and_writes_no_equity_as_inf() -> None:
    values = {**CLEAN, "litigation_ratio_pct": None, "pending_litigation_amount": 10_000, "net_assets": -1}
    out = ok_json(run("assess", stdin=json.dumps({"values": values})))
    litigation = next(line for line in out["breakdown"] if line["key"] == "litigation_ratio_pct")
    assert (litigation["value"], litigation["points_lost"]) == ("inf", 5.0)


def test_assess_uses_a_company_profile_from_the_configured_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "company.yaml").write_text(COMPANY_PROFILE, encoding="utf-8")
    (tmp_path / "riskbot.yaml").write_text("profiles_dir: profiles\n", encoding="utf-8")
    monkeypatch.setenv("RISKBOT_CONFIG", str(tmp_path / "riskbot.yaml"))
    out = ok_json(run("assess", "-p", "company", stdin=json.dumps({"values": {**CLEAN, "overdue_payment_count": 1}})))
    # W = 112 + 20 + 15 = 147; D = 35 / 3 = 11.667 → 100 × 135.333 / 147 = 92.06… → 92.1
    assert (out["profile"], out["score"]) == ("company", 92.1)


# ---------------------------------------------------------------- assess: bad input


def test_assess_refuses_text_that_is_not_json() -> None:
    message = refused(run("assess", stdin="{values: 1"))
    assert message.startswith("riskbot: stdin: not JSON")
    assert "line 1" in message


def test_assess_refuses_a_missing_file_naming_it(tmp_path: Path) -> None:
    message = refused(run("assess", str(tmp_path / "nope.json")))
    assert message == f"riskbot: {tmp_path / 'nope.json'}: no such file"  # the user's words, not an errno


def test_assess_speaks_chinese_by_default(chinese: None) -> None:
    assert refused(run("assess", "missing.json")) == "riskbot: missing.json：文件不存在"
    doc = [{"values": CLEAN}, {"values": {"tax_arrears_count": "很多"}}]
    assert refused(run("assess", stdin=json.dumps(doc))) == "riskbot: 第 2 项：values.tax_arrears_count：应为数字，实际为文本 '很多'"
    assert refused(run("assess", "--profile", "retail", stdin="{}")).startswith("riskbot: --profile：未知的模板“retail”")
    assert refused(run("assess", stdin="{values: 1")).startswith("riskbot: stdin：不是 JSON（第 1 行第 2 列")


def test_assess_refuses_json_without_values() -> None:
    assert 'expected an object like {"values"' in refused(run("assess", stdin='{"overdue_payment_count": 1}'))


@pytest.mark.parametrize(
    ("values", "field", "complaint"),
    [
        ({"overdue_payments": 1}, "values.overdue_payments", "unknown indicator"),
        ({"overdue_payment_count": "two"}, "values.overdue_payment_count", "expected a number"),
        ({"overdue_payment_count": -1}, "values.overdue_payment_count", "cannot be negative"),
        ({"overdue_payment_count": 1.5}, "values.overdue_payment_count", "whole number"),
        ({"net_assets": "a lot"}, "values.net_assets", "expected a number"),
    ],
)
def test_assess_refuses_a_bad_value_naming_the_field(values: dict[str, Any], field: str, complaint: str) -> None:
    message = refused(run("assess", stdin=json.dumps({"values": values})))
    assert message.startswith(f"riskbot: {field}: ")
    assert complaint in message


def test_assess_refuses_an_unknown_profile_option_listing_the_known_ones() -> None:
    message = refused(run("assess", "--profile", "retail", stdin=json.dumps({"values": CLEAN})))
    assert message == "riskbot: --profile: unknown profile 'retail'; known: ecommerce, finance, general, manufacturing, services"


def test_assess_refuses_an_unknown_profile_named_in_the_input() -> None:
    message = refused(run("assess", stdin=json.dumps({"profile": "retail", "values": CLEAN})))
    assert message.startswith("riskbot: profile: unknown profile 'retail'")


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ({"credit_terms_days": -60}, "riskbot: credit_terms_days: expected whole days"),
        ({"credit_terms_days": 45.5}, "riskbot: credit_terms_days: expected whole days"),
        ({"profile": ["general"]}, "riskbot: profile: expected text"),
        ({"industry": 5}, "riskbot: industry: expected text"),
    ],
)
def test_assess_refuses_bad_customer_fields(extra: dict[str, Any], complaint: str) -> None:
    assert refused(run("assess", stdin=json.dumps({"values": CLEAN, **extra}))).startswith(complaint)


def test_a_bad_item_in_a_list_is_named_by_its_number_and_nothing_is_printed() -> None:
    doc = [{"values": CLEAN}, {"values": {"tax_arrears_count": "many"}}]
    message = refused(run("assess", stdin=json.dumps(doc)))
    assert message.startswith("riskbot: item 2: values.tax_arrears_count: expected a number")


def test_the_installed_command_keeps_stdout_and_stderr_apart() -> None:
    command = [sys.executable, "-c", "from bot.cli import main; main()", "assess"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    good = subprocess.run(command, input=json.dumps({"values": CLEAN}), capture_output=True, text=True, env=env, timeout=60)
    assert (good.returncode, good.stderr) == (0, "")
    assert json.loads(good.stdout)["grade"] == "blue"
    bad = subprocess.run(command, input='{"values": {"overdue_payment_count": -2}}', capture_output=True, text=True, env=env, timeout=60)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == "riskbot: values.overdue_payment_count：次数不能为负数，实际为 -2\n"  # no config: zh


# ---------------------------------------------------------------- profiles


def test_profiles_list_shows_every_profile_with_its_total_weight() -> None:
    result = run("profiles", "list")
    assert result.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 3}
    assert set(rows) == {"ecommerce", "finance", "general", "manufacturing", "services"}
    assert "112" in rows["general"] and "通用模板" in rows["general"]
    assert "97" in rows["ecommerce"]


def test_profiles_show_lists_the_full_indicator_keys_and_scaled_weights() -> None:
    result = run("profiles", "show", "ecommerce")
    assert result.exit_code == 0
    assert "…" not in result.stdout
    keys = [line.split("│")[1].strip() for line in result.stdout.splitlines() if line.count("│") > 3]
    keys = [key for key in keys if key]
    assert keys[0] == "cumulative_amount"
    assert {"pro_claimant_link_count", "malicious_return_count", "admin_penalty_max_amount"} <= set(keys)
    overdue = next(line for line in result.stdout.splitlines() if "overdue_payment_count" in line)
    assert "│ 4 " in overdue
    assert "2.667" in result.stdout


def test_profiles_show_refuses_an_unknown_profile() -> None:
    assert "unknown profile 'retail'" in refused(run("profiles", "show", "retail"))


def test_profiles_validate_accepts_a_good_company_file(tmp_path: Path) -> None:
    path = tmp_path / "company.yaml"
    path.write_text(COMPANY_PROFILE, encoding="utf-8")
    result = run("profiles", "validate", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "ok: company\n", "")


def test_profiles_validate_refuses_a_bad_file_with_its_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "company.yaml"
    path.write_text(COMPANY_PROFILE.replace("abnormal_operation_count: 25", "abnormal_operation_count: -25"), encoding="utf-8")
    message = refused(run("profiles", "validate", str(path)))
    assert message == f"riskbot: {path}:6: weight of 'abnormal_operation_count' must be more than 0, got -25"


def test_profiles_validate_refuses_a_missing_file(tmp_path: Path) -> None:
    assert "no such file" in refused(run("profiles", "validate", str(tmp_path / "nope.yaml")))


def test_profiles_list_includes_the_company_folder_and_a_bad_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "company.yaml").write_text(COMPANY_PROFILE, encoding="utf-8")
    (tmp_path / "riskbot.yaml").write_text(f"profiles_dir: {folder}\n", encoding="utf-8")
    monkeypatch.setenv("RISKBOT_CONFIG", str(tmp_path / "riskbot.yaml"))
    assert "本公司" in run("profiles", "list").stdout
    (folder / "company.yaml").write_text(COMPANY_PROFILE + "colour: red\n", encoding="utf-8")
    message = refused(run("profiles", "list"))
    assert message.startswith(f"riskbot: profile {folder / 'company.yaml'}:7: unknown field 'colour'")


def test_a_bad_config_is_refused_before_anything_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "riskbot.yaml").write_text("locale: fr\n", encoding="utf-8")
    monkeypatch.setenv("RISKBOT_CONFIG", str(tmp_path / "riskbot.yaml"))
    assert "locale: expected zh or en" in refused(run("assess", stdin=json.dumps({"values": CLEAN})))
