"""`riskbot assess`: score raw values from JSON without touching the ledger."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from bot.cli.base import app, fail, print_json, profiles
from scoring.assessment import assess as run_assessment
from scoring.plans import plan_for
from scoring.profiles import ProfileSet
from scoring.values import ValueProblem, clean_values, to_number


def _read(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {source}: {exc}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{'stdin' if source == '-' else source}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")


def _terms(raw: Any) -> int:
    """Agreed credit terms: whole days, 0 or more (the yellow plan computes 70% of them)."""
    days = to_number(raw, "credit_terms_days")
    if days < 0 or days != int(days):
        raise ValueProblem("credit_terms_days", f"expected whole days, 0 or more, got {raw!r}")
    return int(days)


def _one(item: Any, where: str, profile_name: str | None, known: ProfileSet) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
        fail(f'{where}expected an object like {{"values": {{"overdue_payment_count": 2}}}}')
    for text_field in ("profile", "industry"):
        if item.get(text_field) is not None and not isinstance(item[text_field], str):
            fail(f"{where}{text_field}: expected text, got {item[text_field]!r}")
    name = profile_name or item.get("profile")
    try:
        profile = known.get(name) if name else known.for_customer(None, item.get("industry"))
    except KeyError as exc:
        fail(f"{where}profile: {exc.args[0]}")
    try:
        values = clean_values(profile, item["values"])
        terms_raw = item.get("credit_terms_days")
        terms = None if terms_raw is None else _terms(terms_raw)
    except ValueProblem as exc:
        field = exc.field if exc.field == "credit_terms_days" else f"values.{exc.field}"
        fail(f"{where}{field}: {exc.reason}")
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
    known = profiles()
    if profile is not None and profile not in known.profiles:
        fail(f"--profile: unknown profile '{profile}'; known: {', '.join(known.names())}")
    data = _read(source)
    if isinstance(data, list):
        print_json([_one(item, f"item {n}: ", profile, known) for n, item in enumerate(data, start=1)])
    else:
        print_json(_one(data, "", profile, known))
