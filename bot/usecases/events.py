"""Risk events (风险事件) recorded from Slack: an overdue, a loss, money recovered, a legal case
opened or closed, cooperation ended.

The event is stored with the grade the customer held on the day it happened (from the grade
history), and audited in the same transaction: it is stored with its audit entry or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from bot.services import Services
from bot.usecases import views as conv
from messages.event_views import EventEntry, EventRecorded
from messages.plain import words
from scoring.events import EventInput, EventInputError, check, parse_amount, parse_date, parse_days, problems
from scoring.grades import Grade, value_of
from storage.models import Customer, RiskEvent

CARD_EVENTS = 3  # the latest events the card shows
T = TypeVar("T")


class EventError(ValueError):
    """An event that cannot be recorded: the message (in the team's language) says which field
    and what to do; `fields` holds every problem by the field it names (kind, amount, days, date,
    note, customer), for a modal to show each on its input."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


# Booked by those who answer for the money, not by the owners whose 回款率 they move.
BOOKED_BY_RISK_OR_FINANCE = frozenset({"loss", "recovery"})


def wording(error: EventInputError, locale: str) -> str:
    """A field problem in the team's language, from the import catalogue the sheet's rows use."""
    return words(locale).text(f"import.event_{error.key}", **error.params)


def as_error(*errors: EventInputError, locale: str) -> EventError:
    """The first problem as the message; all of them by field (the first of each field)."""
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(error.field, wording(error, locale))
    return EventError(wording(errors[0], locale), fields)


def may_record(services: Services, user: str, kind: str) -> bool:
    """Anyone may report an overdue, a lawsuit or an ended cooperation (风险上报); losses and
    recoveries only risk officers, directors and finance, once the team has named any."""
    config = services.config
    if kind not in BOOKED_BY_RISK_OR_FINANCE or not (config.risk_officers or config.risk_directors or config.finance):
        return True
    return config.is_risk_officer(user) or user in config.finance


@dataclass(frozen=True)
class Recorded:
    customer: Customer
    event: RiskEvent


def checked(
    services: Services,
    user: str,
    kind: str,
    *,
    occurred_on: date | None = None,
    amount: Decimal | None = None,
    days: int | None = None,
    note: str | None = None,
) -> EventInput:
    """The event as it will be stored, or EventError: what the kind needs and who may record it.
    Reads no database, so a form can answer with its errors within Slack's three seconds."""
    today, locale = services.today(), services.config.locale
    found = problems(kind, occurred_on or today, today, amount=amount, days=days, note=note)
    if found:
        raise as_error(*found, locale=locale)
    if not may_record(services, user, kind):
        refused = words(locale).text("import.event_not_allowed", kind=kind)
        raise EventError(refused, {"kind": refused})
    return check(kind, occurred_on or today, today, amount=amount, days=days, note=note)


def checked_typed(
    services: Services, user: str, *, kind: str, amount: str = "", days: str = "", on: str = "", note: str = "",
) -> EventInput:
    """`checked` for fields as typed (amount, days and date as text, empty when left out):
    every field's problem at once, for the form to show each on its input."""
    found: list[EventInputError] = []

    def read(parse: Callable[[str], T], text: str) -> T | None:
        try:
            return parse(text.strip()) if text.strip() else None
        except EventInputError as exc:
            found.append(exc)
            return None

    if not kind:
        found.append(EventInputError("kind", "kind_required"))
    values = (read(parse_amount, amount), read(parse_days, days), read(lambda t: parse_date(t, services.today()), on))
    if found:
        raise as_error(*found, locale=services.config.locale)
    return checked(services, user, kind, amount=values[0], days=values[1], occurred_on=values[2], note=note)


def store(services: Services, customer_id: int, user: str, event_input: EventInput) -> Recorded:
    """Store a checked event with the grade held that day and its audit entry, in one
    transaction; EventError when the customer is gone meanwhile."""
    now = services.now()
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            gone = words(services.config.locale).text("import.event_customer_gone")
            raise EventError(gone, {"customer": gone})
        event = uow.risk_events.add(_event(event_input, customer.id, uow.risk_events.grade_on(
            customer.id, event_input.occurred_on, services.config.tz), user, now))
        uow.audit.append(now, user, "risk_event.recorded", customer.id, {
            "event_id": event.id, "kind": event.kind, "occurred_on": event.occurred_on.isoformat(),
            "amount": None if event.amount is None else str(event.amount), "days": event.days,
            "grade": value_of(event.grade), "source": event.source,
        })
        uow.commit()
        return Recorded(customer, event)


def record(
    services: Services,
    customer_id: int,
    user: str,
    kind: str,
    *,
    occurred_on: date | None = None,
    amount: Decimal | None = None,
    days: int | None = None,
    note: str | None = None,
) -> Recorded:
    """Check and store one event of `customer_id`; the date defaults to today in the team's time zone."""
    return store(services, customer_id, user, checked(
        services, user, kind, occurred_on=occurred_on, amount=amount, days=days, note=note))


def day_typed(services: Services, text: str) -> date | None:
    """A date as typed ("2026-03-01", "3月1日", "昨天"), None when left out; EventError otherwise."""
    try:
        return parse_date(text, services.today()) if text else None
    except EventInputError as exc:
        raise as_error(exc, locale=services.config.locale) from None


def _event(checked: EventInput, customer_id: int, grade: Grade | None, user: str, now: datetime) -> RiskEvent:
    return RiskEvent(
        customer_id=customer_id, kind=checked.kind, occurred_on=checked.occurred_on, amount=checked.amount,
        days=checked.days, note=checked.note, grade=grade, source=f"slack:{user}", source_key=None,
        recorded_by=user, recorded_at=now,
    )


def entry(event: RiskEvent) -> EventEntry:
    return EventEntry(kind=event.kind, on=event.occurred_on, amount=event.amount, days=event.days,
                      note=event.note, grade=event.grade)


def recorded_view(recorded: Recorded) -> EventRecorded:
    return EventRecorded(customer=conv.ref(recorded.customer), event=entry(recorded.event),
                         recorded_by=recorded.event.recorded_by)
