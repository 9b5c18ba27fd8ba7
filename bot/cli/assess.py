"""`riskbot assess`: score raw values from JSON without touching the ledger.

Bad input is one `riskbot: …` line in the configured locale, in the words of the import
catalogue (`messages/templates/<locale>/import.j2`), which says a bad value as an import does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from bot.cli.base import app, fail, print_json, profiles, words
from messages.plain import Words
from scoring.assessment import assess as run_assessment
from scoring.plans import plan_for
from scoring.profiles import ProfileSet
from scoring.values import ValueProblem, clean_values, shown, to_number


def _read(language: Words, source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(language.text("import.no_such_file", file=source))
    except (OSError, UnicodeDecodeError) as exc:
        fail(language.text("import.cannot_read", file=source, detail=getattr(exc, "strerror", None) or exc))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(language.text("import.not_json", source="stdin" if source == "-" else source, message=exc.msg,
                           line=exc.lineno, column=exc.colno))


def _terms(raw: Any) -> int:
    """Agreed credit terms: whole days, 0 or more (the yellow plan computes 70% of them)."""
    days = to_number(raw, "credit_terms_days")
    if days < 0 or days != int(days):
        raise ValueProblem("credit_terms_days", f"expected whole days, 0 or more, got {raw!r}", "whole_days",
                           got=shown(raw))
    return int(days)


def _unknown_profile(language: Words, field: str, name: str, known: ProfileSet) -> str:
    return language.text("import.unknown_profile_named", field=field, name=name, known=", ".join(known.names()))


def _one(language: Words, item: Any, number: int | None, profile_name: str | None, known: ProfileSet) -> dict[str, Any]:
    def refuse(text: str) -> NoReturn:
        fail(text if number is None else language.text("import.item", number=number, text=text))

    if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
        refuse(language.text("import.expected_object"))
    for text_field in ("profile", "industry"):
        if item.get(text_field) is not None and not isinstance(item[text_field], str):
            refuse(language.text("import.expected_text", field=text_field, got=repr(item[text_field])))
    name = profile_name or item.get("profile")
    if name and name not in known.profiles:
        refuse(_unknown_profile(language, "profile", name, known))
    profile = known.get(name) if name else known.for_customer(None, item.get("industry"))
    try:
        values = clean_values(profile, item["values"])
        terms_raw = item.get("credit_terms_days")
        terms = None if terms_raw is None else _terms(terms_raw)
    except ValueProblem as exc:
        field = exc.field if exc.field == "credit_terms_days" else f"values.{exc.field}"
        refuse(language.text("import.bad_value", field=field, reason=language.text(f"import.{exc.key}", **exc.params)))
    assessment = run_assessment(profile, values)
    result = assessment.as_dict()
    result["plan"] = plan_for(assessment.grade, terms).as_dict() if assessment.grade else None
    return result


@app.command()
def assess(
    source: str = typer.Argument("-", metavar="[FILE|-]", help="JSON file, or - for standard input."),
    profile: str | None = typer.Option(None, "--profile", "-p", help="Profile name (default: from industry, else general)."),
) -> None:
    """Assess {"values": {...}} (or a JSON list of them) and print the assessment JSON."""
    language = words()
    known = profiles()
    if profile is not None and profile not in known.profiles:
        fail(_unknown_profile(language, "--profile", profile, known))
    data = _read(language, source)
    if isinstance(data, list):
        print_json([_one(language, item, n, profile, known) for n, item in enumerate(data, start=1)])
    else:
        print_json(_one(language, data, None, profile, known))
