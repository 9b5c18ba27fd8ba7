"""The App Home dashboard: grade mix, follow-ups due, approvals waiting, my customers."""

from __future__ import annotations

from typing import Any

from messages import blocks as bk
from messages import ids, limits
from messages.blocks import Block
from messages.render import Renderer
from messages.surfaces import home_tab
from messages.views import CustomerLine, Home
from scoring.grades import Grade

_MAX_DUE = 20
_MAX_PENDING_BLOCKS = 5


def home_view(r: Renderer, home: Home) -> dict[str, Any]:
    """The view for `views.publish`; every list is cut to fit Slack's 100 blocks."""
    mix = [(grade, home.grade_mix.get(grade, 0)) for grade in Grade]
    blocks: list[Block] = [bk.header(r.text("home.header")), bk.section(r.text("home.mix", mix=mix)), bk.divider()]
    blocks += _due(r, home.due)
    if home.pending_approvals is not None:
        blocks.append(bk.divider())
        blocks.append(bk.section(r.text("home.pending_title", count=len(home.pending_approvals))))
        if home.pending_approvals:
            lines = [r.text("home.pending_line", line=line) for line in home.pending_approvals]
            sections, shown = bk.line_sections(lines, max_blocks=_MAX_PENDING_BLOCKS)
            blocks += sections
            if shown < len(lines):
                blocks.append(bk.context(r.text("common.more", count=len(lines) - shown)))
        else:
            blocks.append(bk.context(r.text("home.nothing_pending")))
    blocks.append(bk.divider())
    blocks += _customers(r, home.customers, budget=limits.VIEW_BLOCKS - len(blocks))
    return home_tab(blocks)


def _due(r: Renderer, due: tuple[CustomerLine, ...]) -> list[Block]:
    blocks = [bk.section(r.text("home.due_title", count=len(due)))]
    if not due:
        return [*blocks, bk.context(r.text("home.nothing_due"))]
    for line in due[:_MAX_DUE]:
        button = bk.button(r.text("common.log_button"), ids.LOG_FOLLOWUP, str(line.id))
        blocks.append(bk.section(r.text("home.due_item", c=line), accessory=button))
    if len(due) > _MAX_DUE:
        blocks.append(bk.context(r.text("home.more_due", count=len(due) - _MAX_DUE)))
    return blocks


def _customers(r: Renderer, customers: tuple[CustomerLine, ...], *, budget: int) -> list[Block]:
    """My customers grouped by grade, the worst first, in what is left of the block budget."""
    blocks = [bk.section(r.text("home.customers_title", count=len(customers)))]
    if not customers:
        return [*blocks, bk.context(r.text("home.no_customers"))]
    budget -= 2  # the title, and room for "N more"
    left = len(customers)
    for grade in [*sorted(Grade, key=lambda g: -g.severity), None]:
        group = [c for c in customers if c.grade is grade]
        if not group or budget < 2:
            continue
        blocks.append(bk.context(r.text("home.grade_group", grade=grade, count=len(group))))
        sections, shown = bk.line_sections([r.text("lists.line", c=c) for c in group], max_blocks=budget - 1)
        blocks += sections
        budget -= 1 + len(sections)
        left -= shown
    if left:
        blocks.append(bk.context(r.text("common.more", count=left)))
    return blocks
