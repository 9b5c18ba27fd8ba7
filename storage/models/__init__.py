"""The ledger's tables (SPEC §2, §7–§10) as typed SQLAlchemy 2.0 declarative models, one module
per part of the ledger; import them from here.

Money is `Decimal`, instants are aware UTC datetimes, grades are `scoring.grades.Grade`.
"""

from storage.models.base import (
    APPLIED,
    GRADES,
    NAMING_CONVENTION,
    Base,
    ChangeKind,
    ChangeStatus,
    NudgeKind,
    TaskStatus,
    WriteOffStatus,
    utcnow,
)
from scoring.plans import Task as TaskKind  # stored as the plan names it
from storage.models.changes import GradeChange
from storage.models.customers import Assessment, Customer, CustomerAlias, IndicatorValue
from storage.models.events import EventKind, RiskEvent
from storage.models.followups import Alert, Followup, Nudge
from storage.models.providers import ProviderAnswer, ProviderCalls
from storage.models.records import CUSTOMER_NAMES, AuditEntry, LedgerVersion, ProcessedEvent
from storage.models.webhooks import WebhookDelivery, WebhookEvent
from storage.models.writeoffs import Task, WriteOff

__all__ = [
    "APPLIED", "CUSTOMER_NAMES", "GRADES", "NAMING_CONVENTION", "Alert", "Assessment", "AuditEntry", "Base",
    "ChangeKind", "ChangeStatus", "Customer", "CustomerAlias", "EventKind", "Followup", "GradeChange",
    "IndicatorValue", "LedgerVersion", "Nudge", "NudgeKind", "ProcessedEvent", "ProviderAnswer", "ProviderCalls",
    "RiskEvent", "Task", "TaskKind", "TaskStatus", "WebhookDelivery", "WebhookEvent", "WriteOff", "WriteOffStatus",
    "utcnow",
]
