"""Which provider interface feeds which indicator, and how an answer becomes a count or amount.

A mapping file (YAML, shipped per provider in `providers/mappings/`, a company's own file
overrides it) names for each indicator the interface to query and how to read its result:

    dishonest_debtor_count:          # an indicator (or a part such as pending_litigation_amount)
      interface: ShiXin/GetList      # the provider's interface
      records: Data                  # where the list of records is in the result ("." = itself)
      date: PublishDate              # each record's date …
      within_years: 3                # … only records of the last 3 years count
      take: count                    # count | max | sum (of `amount`) | value (of `field`)

Every mistake is reported as `file:line: reason`, like profile files. Reading is pure: the
date the years count back from is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from providers.errors import Unmapped
from scoring.profiles import ProfileError, read_yaml_with_lines
from scoring.yaml_lines import line_of
from scoring.values import ValueProblem, to_number

SHIPPED_DIR = Path(__file__).with_name("mappings")
TAKES = ("count", "max", "sum", "value")
_FIELDS = {"interface", "records", "date", "within_years", "take", "amount", "field"}


class MappingError(ValueError):
    """A mapping file that cannot be used. `str()` gives `file:line: reason`."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line}: {reason}" if line else f"{file}: {reason}")


@dataclass(frozen=True)
class Rule:
    """How one indicator is read from one interface's result."""

    key: str
    interface: str
    take: str
    records: str = "."
    date: str | None = None
    within_years: int | None = None
    amount: str | None = None
    field: str | None = None

    def read(self, provider: str, result: Any, today: date) -> int | float:
        """The indicator's value from a result (None: the provider has no record → 0)."""
        if self.take == "value":
            found = _at(result, self.field or ".")
            if found is None:
                return 0
            return _number(provider, self.key, found, self.field or ".", None)
        items = _at(result, self.records) if result is not None else None
        if items is None:
            items = []
        if not isinstance(items, list):
            raise Unmapped(provider, "not_list", indicator=self.key, records=self.records, interface=self.interface)
        since = _years_back(today, self.within_years) if self.within_years else None
        chosen = []
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise Unmapped(provider, "not_object", indicator=self.key, n=n, interface=self.interface)
            if since is not None and self.date is not None:
                when = _date_of(provider, self.key, item.get(self.date), self.date, n)
                if when is not None and when < since:
                    continue  # undated records count: a record of unknown age may be recent
            chosen.append(item)
        if self.take == "count":
            return len(chosen)
        amounts = [_number(provider, self.key, item.get(self.amount or ""), self.amount or "", n)
                   for n, item in enumerate(chosen, 1) if item.get(self.amount or "") not in (None, "")]
        if self.take == "max":
            return max(amounts, default=0)
        return sum(amounts)


@dataclass(frozen=True)
class ProviderMapping:
    """Every indicator one provider feeds, from one file."""

    source: str
    rules: Mapping[str, Rule]


def shipped(kind: str) -> Path | None:
    path = SHIPPED_DIR / f"{kind}.yaml"
    return path if path.exists() else None


def load_mapping(path: Path, known: Collection[str]) -> ProviderMapping:
    """Read and check a mapping file; `known` are the indicator and part keys it may name."""
    file = str(path)
    if not path.exists():
        raise MappingError(file, None, "no such file")
    try:
        doc = read_yaml_with_lines(path)
    except ProfileError as exc:
        raise MappingError(file, exc.line, exc.reason) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("indicators"), dict):
        raise MappingError(file, line_of(doc) or 1, "a mapping file needs 'indicators': indicator keys to {interface, take, …}")
    unknown_top = sorted(set(map(str, doc)) - {"provider", "indicators"})
    if unknown_top:
        raise MappingError(file, line_of(doc, unknown_top[0]), f"unknown field '{unknown_top[0]}'; allowed: indicators, provider")
    entries = doc["indicators"]
    rules = {}
    for key, spec in entries.items():
        rules[str(key)] = _rule(file, str(key), spec, line_of(entries, str(key)), known)
    if not rules:
        raise MappingError(file, line_of(doc, "indicators"), "'indicators' is empty: name at least one indicator")
    return ProviderMapping(file, rules)


def _rule(file: str, key: str, spec: Any, line: int | None, known: Collection[str]) -> Rule:
    if key not in known:
        raise MappingError(file, line, f"unknown indicator '{key}'; use a key of a profile (e.g. dishonest_debtor_count)")
    if not isinstance(spec, dict):
        raise MappingError(file, line, f"'{key}' must be a mapping with 'interface' and 'take'")
    for name in sorted(map(str, spec)):
        if name not in _FIELDS:
            raise MappingError(file, line_of(spec, name), f"'{key}': unknown field '{name}'; allowed: {', '.join(sorted(_FIELDS))}")

    def text(name: str, required: bool = False) -> str | None:
        value = spec.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise MappingError(file, line_of(spec, name) if name in spec else line,
                               f"'{key}' needs '{name}': a non-empty text")
        return value.strip()

    take = text("take", required=True)
    if take not in TAKES:
        raise MappingError(file, line_of(spec, "take"), f"'{key}': take must be one of {', '.join(TAKES)}, got {take!r}")
    years = spec.get("within_years")
    if years is not None and (isinstance(years, bool) or not isinstance(years, int) or years < 1):
        raise MappingError(file, line_of(spec, "within_years"), f"'{key}': within_years must be a whole number of years ≥ 1")
    if years is not None and spec.get("date") is None:
        raise MappingError(file, line_of(spec, "within_years"), f"'{key}': within_years needs 'date', the field holding each record's date")
    if take in ("max", "sum") and spec.get("amount") is None:
        raise MappingError(file, line_of(spec, "take"), f"'{key}': take {take} needs 'amount', the field holding each record's amount")
    if take == "value" and spec.get("field") is None:
        raise MappingError(file, line_of(spec, "take"), f"'{key}': take value needs 'field', where the value is in the result")
    return Rule(key, str(text("interface", required=True)), str(take), text("records") or ".", text("date"), years,
                text("amount"), text("field"))


def _at(doc: Any, path: str) -> Any:
    """`a.b.c` inside a document; "." is the document itself."""
    if path == ".":
        return doc
    for part in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


_WAN = re.compile(r"^\s*(?:人民币)?\s*([-+]?[\d,，.]+)\s*(万)?\s*元?\s*$")


def _number(provider: str, key: str, raw: Any, field: str, n: int | None) -> int | float:
    """A count or amount as providers write it: 12, "12", "1,200.5", "5万元"."""
    if isinstance(raw, str):
        match = _WAN.match(raw)
        if match:
            try:
                number = to_number(match[1], key) * (10_000 if match[2] else 1)
            except ValueProblem:
                pass
            else:
                return int(number) if number == int(number) else number
    try:
        number = to_number(raw, key)
    except ValueProblem:
        got = repr(str(raw)[:30])
        if n is None:
            raise Unmapped(provider, "not_number", indicator=key, field=field, got=got) from None
        raise Unmapped(provider, "not_number_in_record", indicator=key, field=field, n=n, got=got) from None
    return int(number) if number == int(number) else number


_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def _date_of(provider: str, key: str, raw: Any, field: str, n: int) -> date | None:
    """A record's date: "2024-05-01", "2024/5/1 10:00", "2024年5月1日", or Unix seconds or
    milliseconds (天眼查); None when the record has none."""
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            seconds = raw / 1000 if raw > 10**11 else raw
            return datetime.fromtimestamp(seconds, UTC).date()
        match = _DATE.match(str(raw))
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except (ValueError, OverflowError, OSError):
        pass
    raise Unmapped(provider, "not_date", indicator=key, field=field, n=n, got=repr(str(raw)[:30]))


def _years_back(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)
