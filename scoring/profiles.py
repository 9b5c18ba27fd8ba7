"""Industry profiles (行业适配): YAML data compiled once into flat, ready-to-run structures.

A profile file either defines indicators from scratch or `extends` another profile and then
changes `weights`, `relabel`s, `scale`s a group of indicators to a new total, and adds
`indicators`. Loading resolves the chain and compiles each indicator's rule; assessing never
touches YAML again. Every mistake in a file is reported as `file:line: reason`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scoring.grades import LABELS_ZH, Grade
from scoring.rules import Rule, RuleError, compile_rule
from scoring.yaml_lines import LineDict, line_of, load_with_lines

SHIPPED_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = "general"

UNITS = ("count", "money", "pct", "days", "rating")
_PROFILE_KEYS = {"name", "label", "extends", "weights", "relabel", "scale", "indicators", "description"}
_INDICATOR_KEYS = {"label", "weight", "unit", "rule", "floor"}


class ProfileError(ValueError):
    """A profile file that cannot be used. `str()` gives `file:line: reason`."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class Floor:
    """A grade floor: when the indicator's value passes `test`, the grade is at least `grade`."""

    grade: Grade
    op: str  # "above" (value > line) or "at_least" (value >= line)
    line: float
    condition: str  # e.g. "历史逾期付款次数(逾期>30天) > 3"

    @property
    def reason(self) -> str:
        return f"{self.condition} → 至少{LABELS_ZH[self.grade]}"

    def hit(self, value: Any) -> bool:
        return value > self.line if self.op == "above" else value >= self.line


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    label: str
    weight: float
    unit: str
    rule: Rule
    floor: Floor | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    label: str
    indicators: tuple[Indicator, ...]
    version: str  # content hash: changes whenever anything that affects a score changes
    source: str = ""
    by_key: Mapping[str, Indicator] = field(default_factory=dict, compare=False)
    total_weight: float = 0.0
    # (key, label, weight, share function, floor) per indicator: what the assessment loop reads.
    steps: tuple[tuple[str, str, float, Any, Floor | None], ...] = ()


# ---------------------------------------------------------------- YAML with line numbers


def read_profile_file(path: Path) -> LineDict:
    """Parse one profile file, turning YAML errors into `ProfileError` with the line."""
    doc = read_yaml_with_lines(path)
    if not isinstance(doc, LineDict):
        raise ProfileError(str(path), 1, "a profile must be a mapping with 'name' and 'indicators' or 'extends'")
    return doc


def read_yaml_with_lines(path: Path) -> Any:
    """A YAML file whose mappings remember their lines (`line_of`); unreadable or invalid
    YAML raises `ProfileError` with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(str(path), None, f"cannot read file: {exc}") from None
    try:
        doc = load_with_lines(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ProfileError(str(path), line, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(str(path), None, f"not valid YAML: {exc}") from None
    return doc


# ---------------------------------------------------------------- compiling


@dataclass
class _Draft:
    """An indicator while a profile chain is being resolved (mutable, then frozen)."""

    key: str
    label: str
    weight: float
    unit: str
    rule: Rule
    floor_spec: Any
    where: tuple[str, int | None]


def _weight(value: Any, file: str, line: int | None, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(file, line, f"weight of '{key}' must be a positive number, got {value!r}")
    if value <= 0:
        raise ProfileError(file, line, f"weight of '{key}' must be more than 0, got {value!r}")
    return float(value)


def _floor(spec: Any, draft: _Draft) -> Floor | None:
    if spec is None:
        return None
    file, line = draft.where
    if not isinstance(spec, Mapping) or "grade" not in spec:
        raise ProfileError(file, line, f"floor of '{draft.key}' needs 'grade' and 'above' or 'at_least'")
    if draft.unit == "rating":  # a rating (A/B/C/D) is not a number to compare with a line
        raise ProfileError(file, line, f"floor of '{draft.key}': a rating has no numeric floor; "
                                       "give the rating's worst letters the highest share in its rule instead")
    try:
        grade = Grade.parse(str(spec["grade"]))
    except ValueError as exc:
        raise ProfileError(file, line_of(spec, "grade") or line, f"floor of '{draft.key}': {exc}") from None
    ops = [op for op in ("above", "at_least") if op in spec]
    if len(ops) != 1:
        raise ProfileError(file, line, f"floor of '{draft.key}' needs exactly one of 'above' or 'at_least'")
    op = ops[0]
    value = spec[op]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(file, line_of(spec, op) or line, f"floor '{op}' of '{draft.key}' must be a number")
    sign = ">" if op == "above" else "≥"
    return Floor(grade=grade, op=op, line=float(value), condition=f"{draft.label} {sign} {value:g}")


def _new_indicator(key: str, spec: Any, file: str, line: int | None) -> _Draft:
    if not isinstance(spec, Mapping):
        raise ProfileError(file, line, f"indicator '{key}' must be a mapping with label, weight, unit and rule")
    unknown = set(spec) - _INDICATOR_KEYS
    if unknown:
        name = sorted(map(str, unknown))[0]
        raise ProfileError(file, line_of(spec, name), f"indicator '{key}': unknown field '{name}'")
    for required in ("label", "weight", "rule"):
        if required not in spec:
            raise ProfileError(file, line, f"indicator '{key}' needs '{required}'")
    unit = spec.get("unit", "count")
    try:
        rule = compile_rule(spec["rule"])
    except RuleError as exc:
        raise ProfileError(file, line_of(spec["rule"]) or line_of(spec, "rule"), f"indicator '{key}': {exc}") from None
    if unit not in UNITS:
        raise ProfileError(file, line_of(spec, "unit"), f"indicator '{key}': unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    if (unit == "rating") != rule.takes_text:
        raise ProfileError(file, line_of(spec, "unit"), f"indicator '{key}': unit 'rating' goes with rule kind 'rating' and only with it")
    weight = _weight(spec["weight"], file, line_of(spec, "weight"), key)
    return _Draft(key, str(spec["label"]), weight, unit, rule, spec.get("floor"), (file, line_of(spec, "floor") or line))


class _Compiler:
    """Resolves `extends` chains over a set of raw documents, detecting cycles."""

    def __init__(self, docs: Mapping[str, tuple[str, LineDict]]) -> None:
        self._docs = docs
        self._done: dict[str, tuple[str, list[_Draft]]] = {}

    def drafts(self, name: str, chain: tuple[str, ...] = ()) -> tuple[str, list[_Draft]]:
        if name in self._done:
            return self._done[name]
        file, doc = self._docs[name]
        if name in chain:
            cycle = " → ".join((*chain, name))
            raise ProfileError(file, line_of(doc, "extends"), f"'extends' makes a cycle: {cycle}")
        unknown = set(doc) - _PROFILE_KEYS
        if unknown:
            key = sorted(map(str, unknown))[0]
            raise ProfileError(file, line_of(doc, key), f"unknown field '{key}'; allowed: {', '.join(sorted(_PROFILE_KEYS))}")
        label = str(doc.get("label", name))
        parent = doc.get("extends")
        drafts: list[_Draft]
        if parent is None:
            drafts = []
        else:
            if not isinstance(parent, str):
                raise ProfileError(file, line_of(doc, "extends"), f"'extends' names one profile, got {parent!r}")
            if parent not in self._docs:
                raise ProfileError(file, line_of(doc, "extends"), f"extends unknown profile '{parent}'; known: {', '.join(sorted(self._docs))}")
            drafts = [_Draft(**vars(d)) for d in self.drafts(str(parent), (*chain, name))[1]]
        by_key = {d.key: d for d in drafts}

        def existing(section: str, key: str, mapping: Any) -> _Draft:
            if key not in by_key:
                raise ProfileError(file, line_of(mapping, key), f"{section}: unknown indicator '{key}'")
            return by_key[key]

        weights = doc.get("weights") or {}
        if not isinstance(weights, Mapping):
            raise ProfileError(file, line_of(doc, "weights"), "'weights' must map indicator keys to numbers")
        for key, value in weights.items():
            existing("weights", key, weights).weight = _weight(value, file, line_of(weights, key), key)

        relabel = doc.get("relabel") or {}
        if not isinstance(relabel, Mapping):
            raise ProfileError(file, line_of(doc, "relabel"), "'relabel' must map indicator keys to labels")
        for key, value in relabel.items():
            existing("relabel", key, relabel).label = str(value)

        scale = doc.get("scale")
        if scale is not None:
            if not isinstance(scale, Mapping) or not isinstance(scale.get("keys"), list) or "total" not in scale:
                raise ProfileError(file, line_of(doc, "scale"), "'scale' needs 'keys' (a list of indicators) and 'total'")
            total = _weight(scale["total"], file, line_of(scale, "total"), "scale.total")
            group = [existing("scale", str(k), scale) for k in scale["keys"]]
            before = sum(d.weight for d in group)
            for d in group:
                d.weight = d.weight * total / before

        added = doc.get("indicators") or {}
        if not isinstance(added, Mapping):
            raise ProfileError(file, line_of(doc, "indicators"), "'indicators' must map new indicator keys to their definitions")
        for key, spec in added.items():
            if key in by_key:
                raise ProfileError(file, line_of(added, key), f"indicator '{key}' already exists in '{parent}'; change it with 'weights' or 'relabel'")
            draft = _new_indicator(str(key), spec, file, line_of(added, key))
            drafts.append(draft)
            by_key[draft.key] = draft
        if not drafts:
            raise ProfileError(file, doc.line, "a profile needs 'indicators' or 'extends'")
        self._done[name] = (label, drafts)
        return label, drafts

    def compile(self, name: str) -> Profile:
        label, drafts = self.drafts(name)
        indicators = tuple(
            Indicator(d.key, d.label, d.weight, d.unit, d.rule, _floor(d.floor_spec, d)) for d in drafts
        )
        fingerprint = json.dumps(
            [name, [(i.key, i.label, round(i.weight, 9), i.unit, i.rule.kind, i.rule.text,
                     i.floor and (i.floor.grade, i.floor.op, i.floor.line)) for i in indicators]],
            ensure_ascii=False,
        )
        version = hashlib.sha256(fingerprint.encode()).hexdigest()[:12]
        return Profile(
            name,
            label,
            indicators,
            version,
            self._docs[name][0],
            {i.key: i for i in indicators},
            sum(i.weight for i in indicators),
            tuple((i.key, i.label, i.weight, i.rule.share, i.floor) for i in indicators),
        )


def _documents(paths: Iterable[Path]) -> dict[str, tuple[str, LineDict]]:
    docs: dict[str, tuple[str, LineDict]] = {}
    for path in paths:
        doc = read_profile_file(path)
        name = doc.get("name", path.stem)
        if not isinstance(name, str) or not name.strip():
            raise ProfileError(str(path), line_of(doc, "name"), "'name' must be a non-empty text")
        docs[name] = (str(path), doc)  # a later folder overrides an earlier one by name
    return docs


def _profile_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.stem != "industries")


# ---------------------------------------------------------------- the set in use


@dataclass(frozen=True)
class ProfileSet:
    """Every profile available to this installation, compiled, plus the industry mapping."""

    profiles: Mapping[str, Profile]
    industry_map: tuple[tuple[str, tuple[str, ...]], ...]

    def get(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise KeyError(f"unknown profile '{name}'; known: {', '.join(sorted(self.profiles))}") from None

    def names(self) -> list[str]:
        return sorted(self.profiles)

    def profile_name_for(self, explicit: str | None, industry: str | None) -> str:
        """Explicit profile wins; else the first industry keyword found in the text; else general."""
        if explicit:
            return explicit
        if industry:
            text = industry.lower()
            for profile, keywords in self.industry_map:
                if any(k in text for k in keywords):
                    return profile
        return DEFAULT_PROFILE

    def for_customer(self, explicit: str | None, industry: str | None) -> Profile:
        return self.get(self.profile_name_for(explicit, industry))


class ProfileChooser:
    """The profile a stored customer is assessed with: explicit, else by industry, else
    general; an explicit profile no longer configured falls back to general. Remembered per
    (profile, industry): a ledger repeats a few industries over thousands of customers."""

    def __init__(self, profiles: ProfileSet) -> None:
        self.profiles = profiles
        self._chosen: dict[tuple[str | None, str | None], Profile] = {}

    def __call__(self, explicit: str | None, industry: str | None) -> Profile:
        key = (explicit, industry)
        profile = self._chosen.get(key)
        if profile is None:
            name = self.profiles.profile_name_for(explicit, industry)
            profile = self._chosen[key] = self.profiles.profiles.get(name) or self.profiles.get(DEFAULT_PROFILE)
        return profile


def _industry_map(files: Iterable[Path], known: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    rules: list[tuple[str, tuple[str, ...]]] = []
    for path in files:
        if not path.exists():
            continue
        doc = read_profile_file(path)
        entries = doc.get("map")
        if not isinstance(entries, list):
            raise ProfileError(str(path), doc.line, "industries file needs 'map': a list of {profile, keywords}")
        mine = []
        for entry in entries:
            if (not isinstance(entry, Mapping) or not isinstance(entry.get("profile"), str)
                    or entry["profile"] not in known or not isinstance(entry.get("keywords"), list)):
                raise ProfileError(str(path), line_of(entry), "each entry needs a known 'profile' and a list of 'keywords'")
            mine.append((str(entry["profile"]), tuple(str(k).lower() for k in entry["keywords"])))
        rules[:0] = mine  # a company's own mapping is consulted before the shipped one
    return tuple(rules)


def load_profiles(profiles_dir: Path | str | None = None) -> ProfileSet:
    """Load the shipped profiles and, if given, a company's folder that adds or overrides them."""
    files = _profile_files(SHIPPED_DIR)
    extra = Path(profiles_dir) if profiles_dir else None
    if extra is not None:
        if not extra.is_dir():
            raise ProfileError(str(extra), None, "profiles_dir is not a folder")
        files += _profile_files(extra)
    docs = _documents(files)
    compiler = _Compiler(docs)
    profiles = {name: compiler.compile(name) for name in docs}
    if DEFAULT_PROFILE not in profiles:
        raise ProfileError(str(extra or SHIPPED_DIR), None, f"no '{DEFAULT_PROFILE}' profile")
    industry_files = [Path(__file__).with_name("industries.yaml")]
    if extra is not None:
        industry_files.append(extra / "industries.yaml")
    return ProfileSet(profiles, _industry_map(industry_files, profiles))


def load_candidate(path: Path | str, profiles_dir: Path | str | None = None) -> Profile:
    """One profile file compiled against the profiles in use, without installing it (the
    quarterly review's what-if); a file defining several profiles gives its first."""
    path = Path(path)
    if not path.is_file():
        raise ProfileError(str(path), None, "no such file")
    docs = _documents(_profile_files(SHIPPED_DIR) + (_profile_files(Path(profiles_dir)) if profiles_dir else []))
    own = _documents([path])
    docs.update(own)
    return _Compiler(docs).compile(next(iter(own)))


def validate_path(path: Path | str, profiles_dir: Path | str | None = None) -> list[str]:
    """Check one profile file or a folder of them against the shipped set; returns profile names."""
    path = Path(path)
    if path.is_dir():
        return load_profiles(path).names()
    if not path.exists():
        raise ProfileError(str(path), None, "no such file")
    base = _profile_files(SHIPPED_DIR) + (_profile_files(Path(profiles_dir)) if profiles_dir else [])
    docs = _documents(base)
    own = _documents([path])
    docs.update(own)
    compiler = _Compiler(docs)
    return [compiler.compile(name).name for name in own]
