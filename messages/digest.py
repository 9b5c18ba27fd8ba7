"""The weekly digest in the alerts channel."""

from __future__ import annotations

from collections.abc import Sequence

from messages import blocks as bk
from messages.blocks import Block
from messages.escape import Mrkdwn
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import Digest
from scoring.grades import Grade

_MAX_BLOCKS_PER_PART = 8


def weekly_digest(r: Renderer, digest: Digest) -> Message:
    """Grade mix and its change, this week's changes, pending approvals, overdue follow-ups per
    owner and the largest receivables on red/black customers, each part cut to fit."""
    mix = " · ".join(
        r.text(
            "digest.mix_item",
            grade=grade,
            count=digest.grade_mix.get(grade, 0),
            delta=digest.grade_mix.get(grade, 0) - digest.previous_mix.get(grade, 0),
        )
        for grade in Grade
    )
    blocks: list[Block] = [
        bk.header(r.text("digest.header", d=digest)),
        bk.section(r.text("digest.mix_title") + "\n" + mix),
        bk.divider(),
    ]
    blocks += _part(
        r,
        r.text("digest.changes_title", count=len(digest.changes)),
        [r.text("digest.change_line", line=line) for line in digest.changes],
        r.text("digest.no_changes"),
    )
    blocks += _part(
        r,
        r.text("digest.pending_title", count=len(digest.pending)),
        [r.text("digest.change_line", line=line) for line in digest.pending],
        r.text("digest.no_pending"),
    )
    blocks += _part(
        r,
        r.text("digest.overdue_title"),
        [r.text("digest.overdue_line", o=owner) for owner in digest.overdue_by_owner],
        r.text("digest.no_overdue"),
    )
    blocks += _part(
        r,
        r.text("digest.receivables_title", count=len(digest.largest_receivables)),
        [r.text("digest.receivable_line", r=item) for item in digest.largest_receivables],
        r.text("digest.no_receivables"),
    )
    return message(r.text("digest.fallback", d=digest), blocks)


def _part(r: Renderer, title: Mrkdwn, lines: Sequence[str], empty: Mrkdwn) -> list[Block]:
    if not lines:
        return [bk.section(title + "\n" + empty)]
    sections, shown = bk.line_sections([title, *lines], max_blocks=_MAX_BLOCKS_PER_PART)
    if shown < len(lines) + 1:
        sections.append(bk.context(r.text("digest.more", count=len(lines) + 1 - shown)))
    return sections
