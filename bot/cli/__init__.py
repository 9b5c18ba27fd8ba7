"""The `riskbot` command line. Each sub-module registers its commands on `app`.

Exit codes: 0 on success, 2 on bad input (one clear line on stderr, nothing on stdout).
"""

from __future__ import annotations

from bot.cli.base import app
from bot.cli import assess as _assess  # noqa: F401  (registers commands)
from bot.cli import profiles as _profiles  # noqa: F401
from bot.cli import ledger as _ledger  # noqa: F401
from bot.cli import serve as _serve  # noqa: F401
from bot.cli import ops as _ops  # noqa: F401
from bot.cli import audit as _audit  # noqa: F401
from bot.cli import webhooks as _webhooks  # noqa: F401
from bot.cli import reports as _reports  # noqa: F401
from bot.cli import sync as _sync  # noqa: F401


def main() -> None:
    app()
