"""The charts are real PNGs whose Chinese labels are drawn with a font that has the glyphs."""

from __future__ import annotations

import io
from pathlib import Path
import warnings
from zoneinfo import ZoneInfo

import openpyxl
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from PIL import Image

from ledger.exporting import export_ledger
from reports.charts import FONT_FILE, cjk_font, monthly_charts
from reports.monthly import monthly_report
from scoring.outcomes import month
from scoring.profiles import load_profiles
from storage.uow import Database
from tests.reports.ledger import at, build


def test_the_labels_font_is_the_shipped_cjk_font_and_has_the_glyphs() -> None:
    font = cjk_font()
    resolved = font_manager.findfont(font, fallback_to_default=False)
    assert resolved == str(FONT_FILE)
    cmap = TTFont(resolved, fontNumber=0).getBestCmap()
    assert all(ord(ch) in cmap for ch in "风险损失金额等级分布待回款蓝黄红黑标")


def test_each_chart_is_a_png_of_a_readable_size_with_no_glyph_missing(db: Database) -> None:
    build(db)
    report = monthly_report(db, month(2026, 11), ZoneInfo("Asia/Shanghai"), at(12, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts = monthly_charts(report)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert list(charts) == ["grade-mix-2026-11.png", "receivables-2026-11.png", "losses-2026-11.png"]
    for png in charts.values():
        image = Image.open(io.BytesIO(png))
        image.verify()
        assert image.format == "PNG" and image.size[0] > 600 and image.size[1] > 300


def test_the_exports_dashboard_sheet_carries_the_charts(db: Database, tmp_path: Path) -> None:
    build(db)
    path = tmp_path / "ledger.xlsx"
    export_ledger(db, load_profiles(), path, now=at(12, 1))
    sheet = openpyxl.load_workbook(path)["看板"]
    assert len(sheet._images) == 2  # the grade mix and the losses of the last 12 months
