"""The layers stay true (docs/architecture.md): each package imports only the ones below it.

Walks every module's import statements (including those inside functions) with `ast`, so a
forbidden import fails here even on a path no other test runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "scoring": ("storage", "messages", "spreadsheets", "ledger", "bot", "sqlalchemy", "slack_sdk", "slack_bolt"),
    "messages": ("storage", "spreadsheets", "ledger", "bot", "sqlalchemy"),
    "spreadsheets": ("storage", "ledger", "bot", "sqlalchemy", "slack_sdk", "slack_bolt"),
    "storage": ("messages", "spreadsheets", "ledger", "bot", "slack_sdk", "slack_bolt"),
    "ledger": ("bot", "slack_sdk", "slack_bolt"),
    # The reports are worked out and drawn here; bot/ posts and schedules them.
    "reports": ("bot", "ledger", "spreadsheets", "slack_sdk", "slack_bolt"),
    "providers": ("storage", "messages", "spreadsheets", "ledger", "bot", "sqlalchemy", "slack_sdk", "slack_bolt"),
}


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file; relative imports are resolved to absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.append((node.lineno, ".".join([*base, node.module or ""]).rstrip(".")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def violations(layer: str, root: Path = ROOT) -> list[str]:
    banned = FORBIDDEN[layer]
    out = []
    for path in sorted((root / layer).rglob("*.py")):
        for line, module in imported_modules(path, root):
            if module.split(".")[0] in banned:
                out.append(f"{path.relative_to(root)}:{line}: imports {module}")
    return out


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below_it(layer: str) -> None:
    assert (ROOT / layer).is_dir(), f"package {layer}/ is missing"
    assert violations(layer) == []


def test_the_walk_finds_forbidden_imports(tmp_path: Path) -> None:
    """The check itself works: an import inside a function and a relative one are caught."""
    (tmp_path / "spreadsheets").mkdir()
    (tmp_path / "spreadsheets" / "probe.py").write_text(
        "import csv\n\ndef f():\n    from sqlalchemy import select\n    return select\n", encoding="utf-8")
    (tmp_path / "scoring" / "sub").mkdir(parents=True)
    (tmp_path / "scoring" / "sub" / "probe.py").write_text("from ..grades import Grade\nfrom ...storage import models\n")
    assert violations("spreadsheets", tmp_path) == ["spreadsheets/probe.py:4: imports sqlalchemy"]
    assert violations("scoring", tmp_path) == ["scoring/sub/probe.py:2: imports storage"]
