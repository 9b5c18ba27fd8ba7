"""Looking customers up and the read-only views of `/risk`: card, lists, stats, App Home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.search import SearchResult
from bot.services import Services
from ledger import stored
from bot.usecases import views as conv
from bot.usecases.events import CARD_EVENTS, entry
from bot.usecases.freshness import freshness
from messages import views as v
from scoring.assessment import FloorHit, assess
from scoring.cadence import days_overdue
from scoring.grades import Grade
from scoring.profiles import Profile
from storage.models import Customer
from storage.uow import UnitOfWork

LIST_LIMIT = 200


def find(services: Services, query: str, limit: int = 10) -> SearchResult:
    return services.fresh_index().search(query, limit)


@dataclass(frozen=True)
class Resolved:
    """Who a typed customer name means: one customer, or candidates to pick from."""

    customer_id: int | None
    candidates: list[v.Candidate]
    suggestions: bool  # the candidates are only fuzzy suggestions (nothing really matched)


def resolve(services: Services, query: str) -> Resolved:
    result = find(services, query)
    if result.certain and result.best is not None:
        return Resolved(result.best.id, [], False)
    fuzzy = not result.matches or result.matches[0].how == "fuzzy"
    return Resolved(None, candidates(services, result), fuzzy)


def _stored_assessment(
    services: Services, uow: UnitOfWork, customer: Customer
) -> tuple[Profile, list[dict[str, Any]], list[FloorHit]]:
    """(profile, breakdown lines, floor hits) of the latest stored assessment; a customer never
    scored yet is assessed on the spot so the card still explains itself."""
    name = customer.profile_name or services.profiles.profile_name_for(customer.profile, customer.industry)
    profile = services.profiles.profiles.get(name) or services.profiles.get("general")
    latest = uow.customers.latest_assessment(customer.id)
    if latest is not None:
        lines = stored.breakdown_lines(latest.breakdown, services.profiles.profiles.get(latest.profile_name))
        return profile, [line._asdict() for line in lines], list(stored.floor_hits(latest.floors))
    live = assess(profile, stored.decode(customer.values))
    return profile, live.as_dict()["breakdown"], list(live.floors)


def card(services: Services, customer_id: int) -> v.CustomerCard | None:
    tz = services.config.tz
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        if customer is None:
            return None
        profile, breakdown, hits = _stored_assessment(services, uow, customer)
        pending = uow.changes.pending_for(customer.id)
        followups = uow.followups.latest(customer.id, 3)
        events = uow.risk_events.for_customer(customer.id, CARD_EVENTS)
        missing = tuple(line.get("label") or line["key"] for line in breakdown if line.get("value") is None)
        grade = customer.held_grade or customer.effective_grade
        sources, out_of_date = freshness(uow, customer, profile, breakdown, services.config.providers.refresh,
                                         services.now(), tz)
        return v.CustomerCard(
            id=customer.id,
            name=customer.name,
            credit_code=customer.credit_code,
            industry=customer.industry,
            profile=profile.label,
            grade=grade,
            score=float(customer.score) if customer.score is not None else None,
            provisional=customer.provisional or out_of_date,
            missing=missing if customer.provisional else (),
            breakdown=conv.indicator_rows(profile, breakdown),
            floors=conv.floor_views(profile, hits),
            plan=conv.plan_view(grade, customer.credit_terms_days) if grade else None,
            sales_owner=customer.sales_owner,
            risk_officer=customer.risk_officer,
            cadence_days=conv.cadence_of(customer, pending.to_grade if pending else None),
            next_due=customer.next_due,
            days_overdue=days_overdue(customer.next_due, services.today()) if customer.next_due else 0,
            recent_followups=tuple(conv.followup_entry(f, tz) for f in followups),
            pending=conv.pending_view(pending, tz) if pending else None,
            computed_grade=customer.computed_grade,
            manual_hold=customer.held_grade is not None,
            outstanding_amount=customer.outstanding_amount,
            aliases=tuple(a.alias for a in customer.aliases),
            recent_events=tuple(entry(e) for e in events),
            freshness=sources,
        )


def _lines(services: Services, uow: UnitOfWork, customers: list[Customer]) -> list[v.CustomerLine]:
    today = services.today()
    pending = uow.changes.pending_targets([c.id for c in customers])
    return [conv.customer_line(c, today, pending.get(c.id)) for c in customers]


def _due_first(line: v.CustomerLine) -> tuple:
    return (line.next_due is None, line.next_due or 0, line.name)


def mine(services: Services, user: str) -> list[v.CustomerLine]:
    """My customers (as sales owner or risk officer), the most overdue first."""
    with services.db.uow() as uow:
        return sorted(_lines(services, uow, uow.customers.by_owner(user)), key=_due_first)


def listing(services: Services, scope: str) -> list[v.CustomerLine]:
    """`list <grade | due | pending>`."""
    with services.db.uow() as uow:
        if scope == "due":
            customers = uow.customers.due_on_or_before(services.today(), limit=LIST_LIMIT)
        elif scope == "pending":
            customers = [c for c in (uow.customers.get(ch.customer_id) for ch in uow.changes.all_pending()[:LIST_LIMIT]) if c]
        else:
            customers = uow.customers.by_grade(Grade(scope), limit=LIST_LIMIT)
        lines = _lines(services, uow, customers)
    return sorted(lines, key=_due_first) if scope != "pending" else lines


def stats(services: Services) -> v.Stats:
    today = services.today()
    with services.db.uow() as uow:
        counts = uow.customers.count_by_grade()
        due, overdue = uow.customers.count_due(today)
        return v.Stats(
            grade_counts={g: counts.get(g, 0) for g in Grade},
            ungraded=counts.get(None, 0),
            provisional=uow.customers.count_provisional(),
            due=due,
            overdue=overdue,
            pending=len(uow.changes.all_pending()),
        )


def home(services: Services, user: str) -> v.Home:
    tz = services.config.tz
    today = services.today()
    with services.db.uow() as uow:
        customers = sorted(_lines(services, uow, uow.customers.by_owner(user)), key=_due_first)
        counts = uow.customers.count_by_grade()
        approvals = None
        if services.config.is_director(user):
            approvals = []
            # "Pending for me": a director cannot decide what they raised themselves.
            for change in [c for c in uow.changes.all_pending() if c.requested_by != user][:20]:
                customer = uow.customers.get(change.customer_id)
                if customer is not None:
                    approvals.append(conv.change_line(change, customer, tz))
        return v.Home(
            user=user,
            customers=tuple(customers),
            due=tuple(line for line in customers if line.next_due and line.next_due <= today),
            grade_mix={g: counts.get(g, 0) for g in Grade},
            pending_approvals=tuple(approvals) if approvals is not None else None,
        )


def candidates(services: Services, result: SearchResult) -> list[v.Candidate]:
    """Pick-list entries for search matches, with their grades and codes from the ledger."""
    ids = [m.id for m in result.matches]
    with services.db.uow() as uow:
        found = {c.id: c for c in uow.customers.get_many(ids)}
    return [
        v.Candidate(id=i, name=found[i].name, grade=found[i].effective_grade, credit_code=found[i].credit_code)
        for i in ids
        if i in found
    ]


def customer_ref(services: Services, customer_id: int) -> v.CustomerRef | None:
    with services.db.uow() as uow:
        customer = uow.customers.get(customer_id)
        return conv.ref(customer) if customer else None


def search_refs(services: Services, query: str, limit: int = 50) -> list[v.CustomerRef]:
    """The external select's options: customers matching what has been typed so far."""
    result = find(services, query, limit)
    return [v.CustomerRef(id=c.id, name=c.name, grade=c.grade) for c in candidates(services, result)]
