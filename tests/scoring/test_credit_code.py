"""Unified Social Credit Code check (GB 32100-2015, SPEC §11), against an independent computation."""

from __future__ import annotations

import random

import pytest

from scoring.credit_code import credit_code_fault, credit_code_problem, is_valid_credit_code

# Written out again here from the standard, independently of scoring/credit_code.py.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def expected_check(body: str) -> str:
    remainder = sum(CHARSET.index(ch) * w for ch, w in zip(body, WEIGHTS)) % 31
    value = 31 - remainder
    return CHARSET[0 if value == 31 else value]


def generated_codes(n: int) -> list[str]:
    rng = random.Random(4754)
    codes = []
    for _ in range(n):
        body = rng.choice("159Y") + rng.choice("1239") + "".join(rng.choice("0123456789") for _ in range(6))
        body += "".join(rng.choice(CHARSET) for _ in range(9))
        codes.append(body + expected_check(body))
    return codes


@pytest.mark.parametrize("code", ["914403001922038216", "91350100M000100Y43"])
def test_the_spec_examples_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None
    assert expected_check(code[:17]) == code[17]


@pytest.mark.parametrize("code", generated_codes(60))
def test_codes_whose_check_character_is_computed_from_the_standard_are_valid(code: str) -> None:
    assert is_valid_credit_code(code)


def test_a_check_value_of_31_becomes_0() -> None:
    # Find a body whose weighted sum is a multiple of 31, by adjusting its last character.
    body = "91440300192203821"
    for last in CHARSET:
        candidate = body[:16] + last
        if sum(CHARSET.index(ch) * w for ch, w in zip(candidate, WEIGHTS)) % 31 == 0:
            assert is_valid_credit_code(candidate + "0")
            assert not is_valid_credit_code(candidate + "Y")
            return
    pytest.fail("no body with a remainder of 0 found")


@pytest.mark.parametrize(
    ("code", "complaint"),
    [
        ("91440300192203821", "must be 18 characters, got 17"),
        ("9144030019220382166", "must be 18 characters, got 19"),
        ("", "must be 18 characters, got 0"),
        ("91350100m000100Y43", "must be upper case: 'm' → 'M'"),
        ("91350100I000100Y43", "character 9 is 'I'"),
        ("91350100O000100Y43", "character 9 is 'O'"),
        ("91350100Z000100Y43", "character 9 is 'Z'"),
        ("91350100S000100Y43", "character 9 is 'S'"),
        ("91350100V000100Y43", "character 9 is 'V'"),
        ("91350100-000100Y43", "character 9 is '-'"),
        ("9135010０M000100Y43", "character 8 is '０'"),
        ("91350100 000100Y43", "character 9 is ' '"),
        ("91350100M000100Y44", "wrong check character '4' (expected '3')"),
        ("914403001922038217", "wrong check character '7' (expected '6')"),
    ],
)
def test_an_invalid_code_says_what_is_wrong(code: str, complaint: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None and complaint in problem
    assert not is_valid_credit_code(code)


def test_the_forbidden_letters_are_named_in_the_message() -> None:
    assert "I, O, Z, S, V" in credit_code_problem("91350100I000100Y43")


def test_each_fault_is_told_apart_as_data_for_the_import_to_forgive_only_the_check_character() -> None:
    assert credit_code_fault("91350100M000100Y44") == ("code_check", {"found": "4", "expected": "3"})
    assert credit_code_fault("91350100I000100Y43") == ("code_forbidden", {"position": 9, "char": "I"})
    assert credit_code_fault("9135010") == ("code_length", {"length": 7})
    assert credit_code_fault("91350100M000100Y43") is None


@pytest.mark.parametrize("code", generated_codes(20))
def test_changing_any_one_character_of_a_valid_code_is_caught(code: str) -> None:
    for position in range(17):
        for replacement in "0A":
            if code[position] == replacement:
                continue
            changed = code[:position] + replacement + code[position + 1:]
            assert not is_valid_credit_code(changed), (code, position)
