"""The charts are real PNGs whose Chinese labels are drawn with a font that has the glyphs."""

from __future__ import annotations

import io
import warnings
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.figure import Figure
from PIL import Image

from ledger.exporting import export_ledger
from messages.report_views import GradeAmount, MonthAmount
from reports import charts
from reports.charts import FONT_FILE, cjk_font, money_tick, monthly_charts
from reports.monthly import monthly_report
from scoring.grades import Grade
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


def test_money_ticks_read_as_wan_in_chinese_and_k_m_in_english() -> None:
    assert [money_tick(v) for v in (0, 5_000, 20_000, 1_500_000, 320_000_000)] == [
        "0", "5,000", "2万", "150万", "3.2亿"]
    assert [money_tick(v, "en") for v in (0, 500, 20_000, 1_500_000)] == ["0", "500", "20k", "1.5M"]


def test_every_money_axis_shows_money_not_an_exponent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Millions of yuan drew as 1e6 at the axis top; each money axis now names 万 itself."""
    drawn: list[Figure] = []
    monkeypatch.setattr(charts, "_png", lambda figure: drawn.append(figure) or b"")
    charts.receivables_chart([GradeAmount(Grade.RED, 3, Decimal(2_500_000)), GradeAmount(None, 1, Decimal(800_000))])
    charts.losses_chart([MonthAmount("2026-10", Decimal(1_200_000)), MonthAmount("2026-11", Decimal(3_000_000))])
    for figure in drawn:
        figure.canvas.draw()
        [axes] = figure.axes
        labels = [t.get_text() for t in axes.get_yticklabels() if t.get_text()]
        assert labels and all(t == "0" or t.endswith("万") for t in labels), labels
        assert axes.yaxis.get_offset_text().get_text() == ""
