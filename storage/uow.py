"""Unit of work: one session, the repositories over it, and rollback unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.repos import (
    AlertRepository,
    AuditRepository,
    CustomerRepository,
    FollowupRepository,
    GradeChangeRepository,
    NudgeBatchRepository,
    OutboxRepository,
    ProcessedEventRepository,
    ProviderRepository,
    RiskEventRepository,
    TaskRepository,
    WebhookRepository,
    WriteOffRepository,
)
from storage.repos._sql import conflict_from


class UnitOfWork:
    """`with db.uow() as uow: …; uow.commit()` — leaving without commit rolls everything back."""

    session: Session
    customers: CustomerRepository
    changes: GradeChangeRepository
    followups: FollowupRepository
    nudges: NudgeBatchRepository
    alerts: AlertRepository
    outbox: OutboxRepository
    events: ProcessedEventRepository  # Slack deliveries seen (not risk events)
    risk_events: RiskEventRepository
    audit: AuditRepository
    tasks: TaskRepository
    writeoffs: WriteOffRepository
    webhooks: WebhookRepository
    providers: ProviderRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        session = self.session = self._session_factory()
        self.customers = CustomerRepository(session)
        self.changes = GradeChangeRepository(session)
        self.followups = FollowupRepository(session)
        self.nudges = NudgeBatchRepository(session)
        self.alerts = AlertRepository(session)
        self.outbox = OutboxRepository(session)
        self.events = ProcessedEventRepository(session)
        self.risk_events = RiskEventRepository(session)
        self.audit = AuditRepository(session)
        self.tasks = TaskRepository(session)
        self.writeoffs = WriteOffRepository(session)
        self.webhooks = WebhookRepository(session)
        self.providers = ProviderRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed. Only after an error are the objects
        # also expired; after a clean exit what was read stays readable for rendering.
        try:
            if exc_type is not None:
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        """Commit; a known constraint conflict surfaces as a storage.errors.ConflictError."""
        try:
            self.session.commit()
        except IntegrityError as exc:
            self.session.rollback()
            conflict = conflict_from(exc)
            if conflict is None:
                raise
            raise conflict from exc

    def rollback(self) -> None:
        self.session.rollback()


class Database:
    """Hands out units of work over one engine; built once at start-up."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Objects stay readable after commit (to render replies) without another round trip.
        self.session_factory = sessionmaker(engine, expire_on_commit=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def dispose(self) -> None:
        self.engine.dispose()
