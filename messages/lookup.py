"""Answers to `/risk` that are not a card: pick lists, suggestions, help and errors."""

from __future__ import annotations

from collections.abc import Sequence

from messages import blocks as bk
from messages import ids
from messages.blocks import Block
from messages.kinds import Subcommand
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import Candidate

MAX_CANDIDATES = 20  # more is a wall of buttons; the user should type more of the name


def candidate_sections(r: Renderer, candidates: Sequence[Candidate], action_id: str) -> list[Block]:
    """One section per candidate with a pick button (value = customer id), then how many are left.

    A section each (not one actions block) keeps every button's action_id the same constant.
    """
    shown = candidates[:MAX_CANDIDATES]
    blocks = [
        bk.section(
            r.text("lookup.candidate", c=c),
            accessory=bk.button(r.text("common.pick_button"), action_id, str(c.id)),
        )
        for c in shown
    ]
    if len(candidates) > len(shown):
        blocks.append(bk.context(r.text("lookup.more_candidates", count=len(candidates) - len(shown))))
    return blocks


def pick_list(r: Renderer, query: str, candidates: Sequence[Candidate]) -> Message:
    """Several customers match `query`: the asker picks one (action PICK_CUSTOMER)."""
    blocks = [bk.section(r.text("lookup.pick_intro", query=query, count=len(candidates)))]
    blocks += candidate_sections(r, candidates, ids.PICK_CUSTOMER)
    return message(r.text("lookup.pick_fallback", query=query, count=len(candidates)), blocks)


def no_match(r: Renderer, query: str, suggestions: Sequence[Candidate] = ()) -> Message:
    """Nothing matches `query`: the closest suggestions as pick buttons, or how to search."""
    intro = r.text("lookup.no_match", query=query, has_suggestions=bool(suggestions))
    return message(intro, [bk.section(intro), *candidate_sections(r, suggestions, ids.PICK_CUSTOMER)])


def help_message(r: Renderer, *, command: str = "/risk") -> Message:
    """Every subcommand with its Chinese and English names, and follow-ups by message."""
    blocks = [
        bk.header(r.text("lookup.help_title")),
        bk.section(r.text("lookup.help_lookup", command=command)),
        bk.section(r.text("lookup.help_commands", command=command)),
        bk.section(r.text("lookup.help_messages")),
    ]
    return message(r.text("lookup.help_fallback", command=command), blocks)


def error_message(
    r: Renderer, problem: str, *, usage: Subcommand | None = None, command: str = "/risk"
) -> Message:
    """One clear line saying what was wrong, and the right usage when a subcommand was misused."""
    line = r.text("lookup.error", problem=problem)
    blocks = [bk.section(line)]
    if usage is not None:
        blocks.append(bk.context(r.text("lookup.usage", command=command, subcommand=usage)))
    return message(line, blocks)
