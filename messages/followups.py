"""Thread replies to follow-ups logged by message (SPEC §7, §12)."""

from __future__ import annotations

from collections.abc import Sequence

from messages import blocks as bk
from messages import ids
from messages.lookup import candidate_sections
from messages.render import Renderer
from messages.surfaces import Message, message
from messages.views import Candidate, CustomerRef, FollowupStored


def followup_stored(r: Renderer, stored: FollowupStored) -> Message:
    """What was stored, for which customer, and when the next follow-up is due."""
    blocks = [bk.section(r.text("followup.stored", s=stored))]
    if stored.text.strip():
        blocks.append(bk.section(r.text("followup.stored_text", s=stored)))
    return message(r.text("followup.stored_fallback", s=stored), blocks)


def followup_updated(r: Renderer, customer: CustomerRef) -> Message:
    """The source message was edited and the follow-up followed it."""
    line = r.text("followup.updated", customer=customer)
    return message(line, [bk.section(line)])


def followup_deleted(r: Renderer, customer: CustomerRef) -> Message:
    """The source message was deleted and so was the follow-up."""
    line = r.text("followup.deleted", customer=customer)
    return message(line, [bk.section(line)])


def which_customer(r: Renderer, query: str | None, candidates: Sequence[Candidate]) -> Message:
    """The customer of a follow-up message is unclear: pick buttons (FOLLOWUP_PICK_CUSTOMER).

    The buttons sit in the bot's thread reply, so the listener finds the follow-up message
    through the payload's channel and `message.thread_ts`.
    """
    intro = r.text("followup.which", query=query, has_candidates=bool(candidates))
    blocks = [bk.section(intro), *candidate_sections(r, candidates, ids.FOLLOWUP_PICK_CUSTOMER)]
    return message(r.text("followup.which_fallback"), blocks)
