"""Render the README's example chart from a synthetic ledger's figures (no real data):

    .venv/bin/python docs/render_charts.py      # writes docs/images/report-grade-mix.png

The figures are made up here, in the shape reports.monthly gives them, and drawn by the
same function the monthly report uses (reports.charts).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from messages.report_views import MonthMix  # noqa: E402
from reports.charts import grade_mix_chart  # noqa: E402
from scoring.grades import Grade  # noqa: E402
from scoring.outcomes import month, months_ending  # noqa: E402

OUT = ROOT / "docs" / "images" / "report-grade-mix.png"


def synthetic_history() -> list[MonthMix]:
    """A ledger growing from 400 to 620 customers while a few of them slide to red and black."""
    out = []
    for n, m in enumerate(months_ending(month(2026, 11), 12)):
        out.append(MonthMix(m.name, {Grade.BLUE: 300 + 12 * n, Grade.YELLOW: 70 + 5 * n + (n % 3) * 4,
                                     Grade.RED: 22 + 2 * n + (n % 4), Grade.BLACK: 8 + n // 2}))
    return out


def main() -> None:
    OUT.write_bytes(grade_mix_chart(synthetic_history()))
    print(f"written: {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
