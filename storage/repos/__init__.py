"""Repositories: each takes a Session and speaks in models, never in Slack or HTTP terms."""

from storage.repos.audit import AuditRepository
from storage.repos.changes import GradeChangeRepository
from storage.repos.customers import CustomerRepository
from storage.repos.events import RiskEventRepository
from storage.repos.followups import FollowupRepository
from storage.repos.nudge_batches import NudgeBatchRepository
from storage.repos.once import AlertRepository, ProcessedEventRepository
from storage.repos.outbox import OutboxRepository
from storage.repos.providers import ProviderRepository
from storage.repos.tasks import TaskRepository
from storage.repos.webhooks import WebhookRepository
from storage.repos.writeoffs import WriteOffRepository

__all__ = [
    "AlertRepository",
    "AuditRepository",
    "CustomerRepository",
    "FollowupRepository",
    "GradeChangeRepository",
    "NudgeBatchRepository",
    "OutboxRepository",
    "ProcessedEventRepository",
    "ProviderRepository",
    "RiskEventRepository",
    "TaskRepository",
    "WebhookRepository",
    "WriteOffRepository",
]
