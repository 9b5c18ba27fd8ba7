"""The monthly dashboard in the alerts channel (with the team's KPIs only) and the KPI DMs: one
owner's own line, or everyone's for a manager. The charts go beside the dashboard as files
(bot.jobs)."""

from __future__ import annotations

from collections.abc import Sequence

from messages import blocks as bk
from messages.blocks import Block
from messages.escape import Mrkdwn
from messages.render import Renderer
from messages.report_views import KpiReport, MonthlyReport
from messages.surfaces import Message, message
from scoring.grades import Grade
from scoring.outcomes import LOOKBACK_DAYS, SERIOUS_OVERDUE_DAYS, TASK_DUE_DAYS

_MAX_BLOCKS_PER_PART = 8


def monthly_dashboard(r: Renderer, m: MonthlyReport, *, notes: bool = True) -> Message:
    """The dashboard; `notes`: say that the DMs and the charts went out (not in a terminal preview)."""
    mix = " · ".join(
        r.text("report.mix_item", grade=g, count=m.mix_now.get(g, 0), delta=m.mix_now.get(g, 0) - m.mix_before.get(g, 0))
        for g in Grade
    )
    blocks: list[Block] = [
        bk.header(r.text("report.header", m=m)),
        bk.section(r.text("report.mix_title") + "\n" + mix),
        bk.section(r.text("report.receivables_title") + "\n"
                   + "\n".join(r.text("report.amount_line", g=g) for g in m.receivables)),
        bk.section(r.text("report.losses_title", m=m) + "\n"
                   + ("\n".join(r.text("report.amount_line", g=g) for g in m.losses) or r.text("report.no_losses"))),
        bk.section(r.text("report.plans_title") + "\n" + r.text("report.plans", p=m.plans, due_days=TASK_DUE_DAYS)),
        bk.section(r.text("report.accuracy_title") + "\n" + r.text(
            "report.accuracy", a=m.accuracy, days=LOOKBACK_DAYS, serious=SERIOUS_OVERDUE_DAYS)),
    ]
    if m.accuracy.missed_customers:
        blocks += _part(r, [r.text("report.missed_line", c=c) for c in m.accuracy.missed_customers],
                        m.accuracy.missed - len(m.accuracy.missed_customers))
    blocks.append(bk.divider())
    blocks.append(bk.section(r.text("report.kpi_title", k=m.kpi) + "\n" + r.text("report.team_line", l=m.kpi.team)))
    if notes:
        blocks.append(bk.context(r.text("report.dm_note"), r.text("report.charts_note")))
    return message(r.text("report.fallback", m=m), blocks)


def kpi_blocks(r: Renderer, k: KpiReport) -> list[Block]:
    """The team's line, then every owner's: for managers only (the channel sees the team's)."""
    lines = [r.text("report.kpi_line", role_name=role, l=line)
             for role, lines in (("sales", k.sales), ("risk", k.risk)) for line in lines]
    head = r.text("report.kpi_title", k=k) + "\n" + r.text("report.team_line", l=k.team)
    return _part(r, [head, *(lines or [r.text("report.no_kpi")])], 0)


def kpi_dm(r: Renderer, k: KpiReport, owner: str) -> Message | None:
    """One owner's own KPI line(s); None when they own no customer."""
    lines = [r.text("report.kpi_line", role_name=role, l=line) for role, line in k.lines_of(owner)]
    if not lines:
        return None
    return message(r.text("report.dm_fallback", k=k), [bk.header(r.text("report.dm_header", k=k)),
                                                        bk.section("\n".join(lines))])


def kpi_for_manager(r: Renderer, k: KpiReport) -> Message:
    return message(r.text("report.dm_fallback", k=k), [bk.header(r.text("report.manager_header", k=k)),
                                                        *kpi_blocks(r, k)])


def _part(r: Renderer, lines: Sequence[Mrkdwn | str], hidden: int) -> list[Block]:
    sections, shown = bk.line_sections(list(lines), max_blocks=_MAX_BLOCKS_PER_PART)
    hidden += len(lines) - shown
    if hidden:
        sections.append(bk.context(r.text("report.more", count=hidden)))
    return sections
