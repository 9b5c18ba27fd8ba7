"""Company profile files: refused with file, line and reason when wrong; used without code when right."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.assessment import assess
from scoring.grades import Grade
from scoring.profiles import ProfileError, load_profiles, validate_path
from scoring.values import clean_values
from tests.scoring.facts import CLEAN_GENERAL, SHIPPED

# (file text, line of the mistake, words of the reason)
BAD_PROFILES: list[tuple[str, int, str]] = [
    (
        "name: broken\nextends: general\nweights:\n  overdue_payment_count: [35\n",
        5,
        "not valid YAML",
    ),
    (
        "name: broken\nextends: general\nweights:\n  overdue_payment_count: 35\n  overdue_payment_count: 30\n",
        5,
        "duplicate key",
    ),
    (
        "name: broken\nextends: general\nweights:\n  overdue_payments: 35\n",
        4,
        "weights: unknown indicator 'overdue_payments'",
    ),
    (
        "name: broken\nextends: general\nrelabel:\n  overdue_payment_count: 逾期\n  tax_count: 欠税\n",
        5,
        "relabel: unknown indicator 'tax_count'",
    ),
    (
        "name: broken\nextends: general\nscale:\n  keys: [tax_arrears_count, no_such]\n  total: 5\n",
        4,
        "scale: unknown indicator 'no_such'",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  x_count:\n    label: X\n    weight: 5\n    rule: {kind: sometimes}\n",
        7,
        "unknown rule kind 'sometimes'",
    ),
    (
        "name: broken\nextends: general\nweights:\n  tax_arrears_count: -7\n",
        4,
        "weight of 'tax_arrears_count' must be more than 0",
    ),
    (
        "name: broken\nextends: general\nweights:\n  tax_arrears_count: 0\n",
        4,
        "must be more than 0",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  x_count:\n    label: X\n    weight: 0\n    rule: {kind: any}\n",
        6,
        "weight of 'x_count' must be more than 0",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  x_count:\n    label: X\n    weight: 5\n"
        "    rule:\n      kind: per_occurrence\n      share: 1.5\n",
        8,
        "'share' must lie between 0 and 1",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  x_count:\n    label: X\n    weight: 5\n"
        "    rule: {kind: above, line: 3, share: -0.5}\n",
        7,
        "between 0 and 1",
    ),
    (
        "name: broken\nextends: generic\n",
        2,
        "extends unknown profile 'generic'",
    ),
    (
        "name: broken\nextends: [general]\n",
        2,
        "'extends' names one profile",
    ),
    (
        "name: broken\nextends: general\ncolour: red\n",
        3,
        "unknown field 'colour'",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  tax_arrears_count:\n    label: 欠税\n    weight: 5\n    rule: {kind: any}\n",
        4,
        "already exists",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  grade_x:\n    label: X\n    weight: 5\n    unit: rating\n    rule: {kind: any}\n",
        7,
        "unit 'rating' goes with rule kind 'rating'",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  x_count:\n    label: X\n    weight: 5\n"
        "    rule: {kind: any}\n    floor: {grade: purple, at_least: 1}\n",
        8,
        "unknown grade 'purple'",
    ),
    (
        "name: broken\nextends: general\nindicators:\n  grade_x:\n    label: X\n    weight: 5\n    unit: rating\n"
        "    rule: {kind: rating, map: {A: 0, B: 1/3, C: 2/3, D: 1}}\n    floor: {grade: red, at_least: 2}\n",
        9,
        "a rating has no numeric floor",
    ),
    (
        "- name: broken\n",
        1,
        "a profile must be a mapping",
    ),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_PROFILES)
def test_a_bad_profile_file_is_refused_with_file_line_and_reason(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        validate_path(path)
    error = caught.value
    assert (error.file, error.line) == (str(path), line)
    assert reason in error.reason
    assert str(error).startswith(f"{path}:{line}: ")


def test_a_bad_profile_in_the_company_folder_stops_loading_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "company.yaml").write_text("name: company\nextends: general\nweights:\n  overdue: 35\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"company\.yaml:4: weights: unknown indicator 'overdue'"):
        load_profiles(tmp_path)


def test_a_cycle_in_extends_is_refused_naming_the_chain(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nextends: b\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("label: B\nname: b\nextends: a\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profiles(tmp_path)
    assert "cycle" in caught.value.reason
    assert "a → b → a" in caught.value.reason
    assert (Path(caught.value.file).name, caught.value.line) == ("a.yaml", 2)


def test_a_profile_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: loop\nextends: loop\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"loop\.yaml:2: 'extends' makes a cycle: loop → loop"):
        validate_path(path)


def test_a_company_profile_overrides_weights_and_adds_indicators_without_code(tmp_path: Path) -> None:
    (tmp_path / "company.yaml").write_text(
        "name: company\nlabel: 本公司\nextends: general\n"
        "weights:\n  overdue_payment_count: 35\n  abnormal_operation_count: 25\n"
        "indicators:\n  guarantee_breach_count:\n    label: 担保违约记录\n    weight: 10\n    rule: {kind: any}\n",
        encoding="utf-8",
    )
    profiles = load_profiles(tmp_path)
    company = profiles.get("company")
    assert company.label == "本公司"
    assert company.by_key["overdue_payment_count"].weight == 35
    assert company.by_key["abnormal_operation_count"].weight == 25
    assert company.total_weight == 112 + 20 + 15 + 10
    assert profiles.get("general").by_key["overdue_payment_count"].weight == 15  # the parent is untouched
    assert set(profiles.names()) == {*SHIPPED.names(), "company"}

    # W = 157; D = 35 × 1/3 (one overdue) + 10 (guarantee breach) = 21.667
    # score = 100 × (157 − 21.667) / 157 = 86.199… → 86.2 blue
    raw = {**CLEAN_GENERAL, "overdue_payment_count": 1, "guarantee_breach_count": 1}
    result = assess(company, clean_values(company, raw))
    assert (result.score, result.grade) == (86.2, Grade.BLUE)
    assert validate_path(tmp_path / "company.yaml") == ["company"]


def test_a_company_file_named_like_a_shipped_profile_replaces_it(tmp_path: Path) -> None:
    (tmp_path / "general.yaml").write_text(
        (Path(__file__).resolve().parents[2] / "scoring" / "profiles" / "general.yaml")
        .read_text(encoding="utf-8")
        .replace("weight: 15\n    rule: {kind: per_occurrence, share: 1/3}", "weight: 30\n    rule: {kind: per_occurrence, share: 1/3}"),
        encoding="utf-8",
    )
    profiles = load_profiles(tmp_path)
    assert profiles.get("general").by_key["overdue_payment_count"].weight == 30
    assert profiles.get("general").version != SHIPPED.get("general").version
    # profiles that extend general follow the company's general
    assert profiles.get("ecommerce").by_key["cumulative_amount"].weight == 5
    assert profiles.get("finance").by_key["overdue_payment_count"].weight == 30


def test_a_profiles_dir_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="not a folder"):
        load_profiles(tmp_path / "missing")


@pytest.mark.parametrize(
    ("industry", "profile"),
    [
        ("电子元器件制造", "manufacturing"),
        ("纺织业", "manufacturing"),
        ("服装零售", "ecommerce"),
        ("电子商务", "ecommerce"),
        ("软件开发", "services"),
        ("管理咨询", "services"),
        ("工业设计", "services"),
        ("商业保理", "finance"),
        ("供应链金融", "finance"),
        ("小额贷款", "finance"),
        ("Software Development", "services"),
        ("农业", "general"),
        ("", "general"),
        (None, "general"),
    ],
)
def test_a_customer_without_a_profile_gets_one_from_its_industry(industry: str | None, profile: str) -> None:
    assert SHIPPED.profile_name_for(None, industry) == profile
    assert SHIPPED.for_customer(None, industry).name == profile


def test_an_explicit_profile_wins_over_the_industry() -> None:
    assert SHIPPED.profile_name_for("finance", "电子元器件制造") == "finance"


def test_an_unknown_explicit_profile_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown profile 'retail'; known: ecommerce, finance, general"):
        SHIPPED.for_customer("retail", None)


def test_a_company_industries_file_is_consulted_before_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "saas.yaml").write_text("name: saas\nextends: services\nweights:\n  payment_willingness: 20\n", encoding="utf-8")
    (tmp_path / "industries.yaml").write_text(
        "map:\n  - profile: saas\n    keywords: [软件]\n  - profile: manufacturing\n    keywords: [农业]\n", encoding="utf-8"
    )
    profiles = load_profiles(tmp_path)
    assert profiles.profile_name_for(None, "软件开发") == "saas"
    assert profiles.profile_name_for(None, "农业") == "manufacturing"
    assert profiles.profile_name_for(None, "管理咨询") == "services"  # the shipped map still applies
    assert "industries" not in profiles.names()


def test_a_company_industries_file_naming_an_unknown_profile_is_refused(tmp_path: Path) -> None:
    (tmp_path / "industries.yaml").write_text("map:\n  - profile: saas\n    keywords: [软件]\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"industries\.yaml:2: each entry needs a known 'profile'"):
        load_profiles(tmp_path)
