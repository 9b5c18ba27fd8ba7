"""The monthly dashboard's charts as PNG bytes (matplotlib, Agg backend: no display needed):
grade mix over the last 12 months (stacked bars), receivables by grade, losses by month.

Chinese labels need a CJK font, which servers rarely have: the Noto Sans CJK SC file shipped by
the mplfonts package is registered with matplotlib and named on every text explicitly, so a
label never falls back to a font without the glyphs (the empty boxes of 豆腐块).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import mplfonts  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from messages.report_views import GradeAmount, MonthAmount, MonthlyReport, MonthMix  # noqa: E402
from scoring.grades import LABELS_ZH, Grade  # noqa: E402

FONT_FILE = Path(mplfonts.__file__).with_name("fonts") / "NotoSansCJKsc-Regular.otf"
COLOURS = {Grade.BLUE: "#2f6fdf", Grade.YELLOW: "#f2b705", Grade.RED: "#d93025", Grade.BLACK: "#202124"}
_EN = {Grade.BLUE: "Blue", Grade.YELLOW: "Yellow", Grade.RED: "Red", Grade.BLACK: "Black"}
_WORDS = {
    "zh": {"mix": "等级分布（近 12 个月，月末）", "customers": "客户数", "receivables": "待回款（按当前等级）",
           "losses": "风险损失金额（按月）", "yuan": "金额（元）", "ungraded": "未评级"},
    "en": {"mix": "Grade mix (last 12 months, month end)", "customers": "Customers",
           "receivables": "Receivables by current grade", "losses": "Losses booked by month", "yuan": "Amount (CNY)",
           "ungraded": "Ungraded"},
}


@cache
def cjk_font() -> font_manager.FontProperties:
    """The registered CJK font, named explicitly on every label."""
    font_manager.fontManager.addfont(str(FONT_FILE))
    return font_manager.FontProperties(fname=str(FONT_FILE))


def _label(grade: Grade | None, locale: str) -> str:
    if grade is None:
        return _WORDS[locale]["ungraded"]
    return LABELS_ZH[grade] if locale == "zh" else _EN[grade]


def money_tick(value: float, locale: str = "zh") -> str:
    """An axis tick of yuan people read at a glance: 1,500万 / 3.2亿 in Chinese, 1.5M / 250k in
    English — never matplotlib's 1e6 offset."""
    size = abs(value)
    if locale == "zh":
        for unit, name in ((1e8, "亿"), (1e4, "万")):
            if size >= unit:
                return f"{value / unit:,.4g}{name}"
        return f"{value:,.0f}"
    for unit, name in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= unit:
            return f"{value / unit:,.4g}{name}"
    return f"{value:,.0f}"


def _money_axis(axes: Axes, locale: str) -> None:
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: money_tick(value, locale)))
    for tick in axes.get_yticklabels():
        tick.set_fontproperties(cjk_font())


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _figure() -> Figure:
    figure = Figure(figsize=(8, 4.2))
    figure.set_layout_engine("constrained")
    return figure


def grade_mix_chart(history: Sequence[MonthMix], locale: str = "zh") -> bytes:
    font, words = cjk_font(), _WORDS[locale]
    figure = _figure()
    axes = figure.add_subplot()
    months = [m.month for m in history]
    bottom = [0] * len(months)
    for grade in Grade:
        counts = [m.mix.get(grade, 0) for m in history]
        axes.bar(months, counts, bottom=bottom, color=COLOURS[grade], label=_label(grade, locale))
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_title(words["mix"], fontproperties=font)
    axes.set_ylabel(words["customers"], fontproperties=font)
    axes.legend(prop=font, loc="upper left", fontsize="small")
    axes.tick_params(axis="x", labelrotation=45)
    return _png(figure)


def receivables_chart(receivables: Sequence[GradeAmount], locale: str = "zh") -> bytes:
    font, words = cjk_font(), _WORDS[locale]
    figure = _figure()
    axes = figure.add_subplot()
    labels = [_label(g.grade, locale) for g in receivables]
    axes.bar(labels, [float(g.amount) for g in receivables],
             color=[COLOURS.get(g.grade, "#9aa0a6") for g in receivables])  # type: ignore[arg-type]
    axes.set_title(words["receivables"], fontproperties=font)
    axes.set_ylabel(words["yuan"], fontproperties=font)
    _money_axis(axes, locale)
    for tick in axes.get_xticklabels():
        tick.set_fontproperties(font)
    return _png(figure)


def losses_chart(losses_by_month: Sequence[MonthAmount], locale: str = "zh") -> bytes:
    font, words = cjk_font(), _WORDS[locale]
    figure = _figure()
    axes = figure.add_subplot()
    axes.bar([m.month for m in losses_by_month], [float(m.amount) for m in losses_by_month],
             color=COLOURS[Grade.RED])
    axes.set_title(words["losses"], fontproperties=font)
    axes.set_ylabel(words["yuan"], fontproperties=font)
    _money_axis(axes, locale)
    axes.tick_params(axis="x", labelrotation=45)
    return _png(figure)


def monthly_charts(report: MonthlyReport, locale: str = "zh") -> dict[str, bytes]:
    """File name → PNG of every chart of the month, in the order they are shown."""
    return {
        f"grade-mix-{report.month}.png": grade_mix_chart(report.history, locale),
        f"receivables-{report.month}.png": receivables_chart(report.receivables, locale),
        f"losses-{report.month}.png": losses_chart(report.losses_by_month, locale),
    }
