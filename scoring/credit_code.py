"""Unified Social Credit Code (统一社会信用代码) check, GB 32100-2015 (SPEC §11)."""

from __future__ import annotations

import re
from operator import mul
from typing import Any

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
FORBIDDEN = set("IOZSV")


_WELL_FORMED = re.compile(f"[{ALPHABET}]{{18}}")


def check_character(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError(f"expected the first 17 characters of a code, got {len(first17)}")
    total = sum(map(mul, map(_VALUE.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


Fault = tuple[str, dict[str, Any]]  # (piece of the import catalogue, what fills it in)

_ENGLISH = {
    "code_check": "wrong check character '{found}' (expected '{expected}'): a character was probably mistyped",
    "code_length": "must be 18 characters, got {length}",
    "code_case": "must be upper case: '{char}' → '{upper}'",
    "code_forbidden": "character {position} is '{char}': the letters I, O, Z, S, V never appear in a credit code",
    "code_character": "character {position} is '{char}': only digits and A-H, J-N, P-R, T, U, W-Y are allowed",
}


def credit_code_fault(code: str) -> Fault | None:
    """None for a valid code, else what is wrong as data (`_ENGLISH` says it in words)."""
    if _WELL_FORMED.fullmatch(code):  # the usual case: only the check character to verify
        expected = check_character(code[:17])
        if code[17] == expected:
            return None
        return "code_check", {"found": code[17], "expected": expected}
    if len(code) != 18:
        return "code_length", {"length": len(code)}
    lower = next((c for c in code if c.islower()), None)
    if lower is not None:
        return "code_case", {"char": lower, "upper": lower.upper()}
    for position, char in enumerate(code, start=1):
        if char in FORBIDDEN:
            return "code_forbidden", {"position": position, "char": char}
        if char not in _VALUE:
            return "code_character", {"position": position, "char": char}
    expected = check_character(code[:17])
    if code[17] != expected:
        return "code_check", {"found": code[17], "expected": expected}
    return None


def credit_code_problem(code: str) -> str | None:
    """None for a valid code, else one sentence saying what is wrong and what to do."""
    fault = credit_code_fault(code)
    return None if fault is None else _ENGLISH[fault[0]].format(**fault[1])


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None
