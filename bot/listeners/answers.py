"""The `/risk` answers shared by the slash command and by DMs to the bot: text in, `Message` out.

Each answer parses, calls one use case and renders; no business rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable

import messages as m
from bot.commands import Command, CommandError, parse
from bot.services import Services
from bot.usecases import decisions, events, followups, lookup, writeoffs
from messages.kinds import ListKind, Subcommand
from messages.views import CustomerRef, FollowupStored

Answer = Callable[[Services, Command, str], m.Message]


def card_or_choices(services: Services, query: str) -> tuple[int | None, m.Message | None]:
    """(customer id, None) when the query names one customer, else (None, a pick list or suggestions)."""
    resolved = lookup.resolve(services, query)
    if resolved.customer_id is not None:
        return resolved.customer_id, None
    if resolved.suggestions:
        return None, m.no_match(services.renderer, query, resolved.candidates)
    return None, m.pick_list(services.renderer, query, resolved.candidates)


def show_card(services: Services, customer_id: int) -> m.Message:
    card = lookup.card(services, customer_id)
    if card is None:
        return m.error_message(services.renderer, "这位客户已不在台账中 / this customer is no longer in the ledger")
    return m.customer_card(services.renderer, card)


def _lookup(services: Services, cmd: Command, user: str) -> m.Message:
    customer_id, choices = card_or_choices(services, cmd.query)
    return show_card(services, customer_id) if customer_id is not None else choices  # type: ignore[return-value]


def _help(services: Services, cmd: Command, user: str) -> m.Message:
    return m.help_message(services.renderer)


def _mine(services: Services, cmd: Command, user: str) -> m.Message:
    return m.customer_list(services.renderer, ListKind.MINE, lookup.mine(services, user))


def _list(services: Services, cmd: Command, user: str) -> m.Message:
    kind = ListKind.GRADE if cmd.grade else ListKind(cmd.scope)
    return m.customer_list(services.renderer, kind, lookup.listing(services, cmd.scope), grade=cmd.grade)


def _stats(services: Services, cmd: Command, user: str) -> m.Message:
    return m.stats_message(services.renderer, lookup.stats(services))


def stored_reply(services: Services, logged: followups.Logged) -> m.Message:
    customer = logged.customer
    return m.followup_stored(
        services.renderer,
        FollowupStored(
            customer=CustomerRef(id=customer.id, name=customer.name, grade=customer.effective_grade),
            author=logged.followup.author,
            text=logged.followup.text,
            next_due=customer.next_due,
            cadence_days=logged.cadence_days,
        ),
    )


CustomerAct = Callable[[Services, int, Command, str], m.Message]


def on_customer(act: CustomerAct, usage: Subcommand) -> Answer:
    """An answer about one typed customer: resolve the name (or offer choices), act, and word
    a refusal with the subcommand's usage line."""

    def answer_for(services: Services, cmd: Command, user: str) -> m.Message:
        customer_id, choices = card_or_choices(services, cmd.query)
        if customer_id is None:
            return choices  # type: ignore[return-value]
        try:
            return act(services, customer_id, cmd, user)
        except (decisions.DecisionError, followups.FollowupError, events.EventError) as exc:
            return m.error_message(services.renderer, str(exc), usage=usage)

    return answer_for


def _log(services: Services, customer_id: int, cmd: Command, user: str) -> m.Message:
    return stored_reply(services, followups.log_followup(services, customer_id, user, cmd.text))


def _propose(services: Services, customer_id: int, cmd: Command, user: str) -> m.Message:
    """调级: the card afterwards shows the pending change, or the new grade held."""
    assert cmd.grade is not None  # the parser refuses a proposal without a grade
    decisions.propose(services, customer_id, user, cmd.grade, cmd.text)
    return show_card(services, customer_id)


def _release(services: Services, customer_id: int, cmd: Command, user: str) -> m.Message:
    """解除: the card afterwards shows the computed grade in force, or its pending request."""
    decisions.release(services, customer_id, user)
    return show_card(services, customer_id)


def _writeoff(services: Services, customer_id: int, cmd: Command, user: str) -> m.Message:
    """核销: the asker sees the request as the approvers will (without the buttons)."""
    asked = writeoffs.request(services, customer_id, user, cmd.text)
    request = m.writeoff_request(services.renderer, writeoffs.view(services, asked.writeoff_id))
    return m.Message(request.text, [b for b in request.blocks if b.get("type") != "actions"])


def _event(services: Services, customer_id: int, cmd: Command, user: str) -> m.Message:
    """事件: the reply shows the event as stored, with the grade the customer held that day."""
    args = cmd.event
    assert args is not None  # the parser fills it for every event command
    recorded = events.record(services, customer_id, user, args.kind, occurred_on=events.day_typed(services, args.on),
                             amount=args.amount, days=args.days, note=args.note)
    return m.event_recorded(services.renderer, events.recorded_view(recorded))


ANSWERS: dict[str, Answer] = {
    "lookup": _lookup,
    "help": _help,
    "mine": _mine,
    "list": _list,
    "stats": _stats,
    "log": on_customer(_log, Subcommand.LOG),
    "propose": on_customer(_propose, Subcommand.PROPOSE),
    "release": on_customer(_release, Subcommand.RELEASE),
    "writeoff": on_customer(_writeoff, Subcommand.WRITEOFF),
    "event": on_customer(_event, Subcommand.EVENT),
}


# Subcommands that raise or change a request: the caller publishes right after answering, so
# the approvals channel sees the request without waiting for the scheduler's next pass.
RAISING = frozenset({"propose", "release", "writeoff"})


def raises_request(text: str) -> bool:
    try:
        return parse(text).name in RAISING
    except CommandError:
        return False


def answer(services: Services, text: str, user: str) -> m.Message:
    """The reply to `/risk <text>` from `user`."""
    try:
        cmd = parse(text)
    except CommandError as exc:
        usage = Subcommand(exc.usage) if exc.usage else None
        return m.error_message(services.renderer, str(exc), usage=usage)
    handler = ANSWERS.get(cmd.name)
    if handler is None:
        return m.help_message(services.renderer)
    return handler(services, cmd, user)

