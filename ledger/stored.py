"""Indicator values and assessment breakdowns as they live in JSON columns.

JSON (and PostgreSQL's JSONB) has no infinity, yet a litigation ratio with no equity left is
unbounded (`scoring.values.derive`). It is stored as the text "inf" and read back as a float.

An assessment's breakdown is stored compactly, one `[key, value, share, points_lost]` per
indicator (`[key]` when the value is unknown), shares and points rounded to 4 places: labels
and weights come from the profile when read. A first scoring of 100,000 customers writes one
breakdown each; with labels and field names (~2 KB of UTF-8) every assessment row filled a
SQLite page of its own and serialising it cost more than the assessment. Rows written before
(`{"key": …, "label": …, "weight": …, …}` per line) are read as they are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scoring.assessment import FloorHit, Line
from scoring.grades import Grade
from scoring.profiles import Profile

INFINITY = "inf"
_NO_FLOORS = '{"hits":[]}'


def _json_text() -> Callable[[Any], str]:
    """`JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode` for plain
    data (no Decimal, no infinity, nothing circular), built once: `encode` builds its C encoder
    and a circular-reference check on every call, which took half the time of a customer's
    values (17 numbers) and some 0.6 s of an import of 100,000 rows. Same text and errors
    (ValueError for NaN or infinity, TypeError for other types), except that a structure
    holding itself fails with RecursionError instead of ValueError."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (another Python): the plain encoder
        return encoder.encode
    chunks = make(None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    join = "".join

    def text(value: Any) -> str:
        return join(chunks(value, 0))

    return text


json_text = _json_text()
_loads = json.JSONDecoder().decode  # json.loads without its argument checks
_quote = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept
# Encoded lines by the identity of the Line tuples `scoring.assessment` shares between
# assessments (unknown and whole-number values), each kept alive here so its id cannot be
# reused: most lines of a ledger are one of a few hundred shared ones.
_LINE_JSON: dict[int, tuple[Line, str]] = {}
_LINE_JSON_MAX = 10_000
_SCORE_JSON: dict[float | None, str] = {None: "null"}  # a score's JSON text (scores have one decimal)
_GRADE_JSON: dict[Grade | None, str] = {None: "null", **{g: _quote(g.value) for g in Grade}}


def encode(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values ready for a JSON column."""
    found = values.values()
    if math.inf not in found and -math.inf not in found:  # the usual case, scanned in C
        return dict(values)
    return {k: encode_value(v) for k, v in values.items()}


def encode_value(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return INFINITY if value > 0 else "-" + INFINITY
    return value


def decode(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Values read from a JSON column, ready for `scoring.assessment.assess`."""
    if not values:
        return {}
    found = values.values()
    if INFINITY not in found and "-" + INFINITY not in found:
        return dict(values)
    return {k: decode_value(v) for k, v in values.items()}


def decode_raw(raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """`decode` for a values column read as the driver gives it, without SQLAlchemy's result
    processing: JSON text (SQLite) or a document already parsed (PostgreSQL's JSONB)."""
    if raw is None:
        return {}
    if raw.__class__ is not str:
        return decode(raw)  # type: ignore[arg-type]
    values = _loads(raw)  # a fresh dict: no copy needed unless an infinity is in it
    if not values:
        return {}
    if '"inf"' not in raw and '"-inf"' not in raw and "\\" not in raw:  # no "inf" value, escaped or not
        return values
    found = values.values()
    if INFINITY not in found and "-" + INFINITY not in found:
        return values
    return {k: decode_value(v) for k, v in values.items()}


def decode_value(value: Any) -> Any:
    if value == INFINITY:
        return math.inf
    if value == "-" + INFINITY:
        return -math.inf
    return value


def rounded(line: Line) -> Line:
    """The line as it is stored: share and points lost rounded to 4 places."""
    key, label, weight, value, share, points = line
    if share is None:
        return line
    return Line(key, label, weight, value, round(share, 4), None if points is None else round(points, 4))


def breakdown_json(lines: Iterable[Line]) -> str:
    """The breakdown column's JSON text: {"lines": [[key, value, share, points_lost] | [key], …]}."""
    parts = []
    add = parts.append
    cache = _LINE_JSON
    for line in lines:
        entry = cache.get(id(line))
        if entry is not None and entry[0] is line:
            add(entry[1])
            continue
        text = _line_json(line)
        value = line[3]
        if value is None or value.__class__ is int:
            if len(cache) >= _LINE_JSON_MAX:
                cache.clear()
            cache[id(line)] = (line, text)
        add(text)
    return '{"lines":[' + ",".join(parts) + "]}"


def _line_json(line: Line) -> str:
    key, _label, _weight, value, share, points = line
    if value is None:
        return f"[{_quote(key)}]"
    kind = value.__class__
    if (kind is int or kind is float and math.isfinite(value)) and share is not None and points is not None:
        # Numbers as json.dumps writes them (their repr), without building an encoder.
        return f"[{_quote(key)},{value!r},{round(share, 4)!r},{round(points, 4)!r}]"
    return json_text((key, encode_value(value), None if share is None else round(share, 4),
                      None if points is None else round(points, 4)))


def floors_json(hits: Iterable[FloorHit]) -> str:
    """The floors column's JSON text: {"hits": [{"key", "grade", "reason"}, …]}."""
    found = [{"key": f.key, "grade": f.grade.value, "reason": f.reason} for f in hits]
    return json_text({"hits": found}) if found else _NO_FLOORS


def change_detail_json(change_id: int | None, from_grade: Grade | None, to_grade: Grade | None,
                       score: float | None, reason: str) -> str:
    """An audit entry's detail for a grade change, the text `json_text` writes for
    {"change_id", "from", "to", "score", "reason"} (grades by value), put together directly:
    a first scoring audits 100,000 changes."""
    text = _SCORE_JSON.get(score)
    if text is None:
        text = json_text(score)
        if len(_SCORE_JSON) < 100_000:
            _SCORE_JSON[score] = text
    return (f'{{"change_id":{"null" if change_id is None else int(change_id)},'
            f'"from":{_GRADE_JSON[from_grade]},"to":{_GRADE_JSON[to_grade]},"score":{text},"reason":{_quote(reason)}}}')


def breakdown_lines(breakdown: Mapping[str, Any] | None, profile: Profile | None) -> tuple[Line, ...]:
    """A stored breakdown, old format or compact, as scoring's lines. Labels and weights missing
    from the row come from `profile` (its current version), else the label is the key."""
    indicators = profile.by_key if profile is not None else {}
    lines = []
    for x in (breakdown or {}).get("lines", []):
        if isinstance(x, Mapping):
            lines.append(Line(x["key"], x.get("label", x["key"]), x.get("weight", 0.0),
                              decode_value(x.get("value")), x.get("share"), x.get("points_lost")))
            continue
        key = x[0]
        indicator = indicators.get(key)
        label, weight = (indicator.label, indicator.weight) if indicator is not None else (key, 0.0)
        if len(x) == 1:
            lines.append(Line(key, label, weight, None, None, None))
        else:
            lines.append(Line(key, label, weight, decode_value(x[1]), x[2], x[3]))
    return tuple(lines)


def floor_hits(floors: Mapping[str, Any] | None) -> tuple[FloorHit, ...]:
    return tuple(FloorHit(f["key"], Grade(f["grade"]), f["reason"]) for f in (floors or {}).get("hits", []))


HISTORY_COLUMNS = ("customer_id", "key", "value_num", "value_text")  # of an indicator_values row


def history_row(customer_id: int, key: str, value: Any) -> tuple[Any, ...]:
    """One indicator_values row: numbers in value_num (every finite one fits: see
    `scoring.values.MAX_NUMBER`), ratings and "inf" in value_text."""
    if value is None or isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return (customer_id, key, value, None)
    return (customer_id, key, None, encode({key: value})[key])
