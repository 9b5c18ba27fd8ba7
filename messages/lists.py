"""`/risk mine`, `/risk list <grade|due|pending>` and `/risk stats`."""

from __future__ import annotations

from collections.abc import Sequence

from messages import blocks as bk
from messages import limits
from messages.kinds import ListKind
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import CustomerLine, Stats
from scoring.grades import Grade


def customer_list(
    r: Renderer, kind: ListKind, lines: Sequence[CustomerLine], *, grade: Grade | None = None
) -> Message:
    """Customers one per line (grade, score, next due, overdue), in the order given.

    Hundreds of lines are packed into few sections; what still does not fit is counted.
    `grade` names the grade of a `ListKind.GRADE` list.
    """
    if kind is ListKind.GRADE and grade is None:
        raise ValueError("a list by grade needs the grade it lists")
    title = r.text("lists.title", kind=kind, count=len(lines), grade=grade)
    blocks = [bk.section(title)]
    if not lines:
        blocks.append(bk.section(r.text("lists.empty", kind=kind)))
    else:
        rendered = [r.text("lists.line", c=line) for line in lines]
        sections, shown = bk.line_sections(rendered, max_blocks=limits.MESSAGE_BLOCKS - 2)
        blocks += sections
        if shown < len(lines):
            blocks.append(bk.context(r.text("common.more", count=len(lines) - shown)))
    return message(r.text("lists.fallback", kind=kind, count=len(lines), grade=grade), blocks)


def stats_message(r: Renderer, stats: Stats) -> Message:
    """Customers per grade, how many have incomplete data, due / overdue follow-ups, pending changes."""
    mix = [(grade, stats.grade_counts.get(grade, 0)) for grade in Grade]
    total = sum(count for _, count in mix) + stats.ungraded
    blocks = [
        bk.header(r.text("lists.stats_title")),
        bk.section(r.text("lists.stats_mix", mix=mix, ungraded=stats.ungraded, provisional=stats.provisional)),
        bk.section(r.text("lists.stats_followups", stats=stats)),
    ]
    return message(r.text("lists.stats_fallback", total=total, stats=stats), blocks)
