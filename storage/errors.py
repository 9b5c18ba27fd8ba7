"""Domain errors raised by storage, so callers never see SQL or driver exceptions for known cases.

Messages are Chinese first, English second; the fields let a caller word its own reply.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base of every error storage raises on purpose."""


class DatabaseConfigError(StorageError):
    """The database URL cannot be used (e.g. an unsupported scheme)."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or opened (server down, wrong path, no permission)."""


class UnknownRevision(StorageError):
    """The database was migrated by a newer riskbot (or another program): its schema is not
    one this code knows, so nothing may touch it."""

    def __init__(self, revision: str | None) -> None:
        self.revision = revision
        super().__init__(
            f"数据库版本 {revision} 比本程序新，未做任何修改 / the database is at revision {revision}, "
            "which this riskbot does not know (a newer riskbot upgraded it): upgrade riskbot, "
            "or check that DATABASE_URL points at the right database"
        )


class ConflictError(StorageError):
    """A write collided with a database constraint that encodes a business rule."""


class DuplicateCreditCode(ConflictError):
    def __init__(self, credit_code: str | None = None) -> None:
        self.credit_code = credit_code
        code = credit_code or "?"
        super().__init__(
            f"统一社会信用代码 {code} 已存在，请查找已有客户而不是新建 / "
            f"credit code {code} already exists: update the existing customer instead"
        )


class PendingChangeExists(ConflictError):
    def __init__(self, customer_id: int | None = None) -> None:
        self.customer_id = customer_id
        who = customer_id if customer_id is not None else "?"
        super().__init__(
            f"客户 {who} 已有一条待审批的调级申请，请先处理或撤回 / "
            f"customer {who} already has a pending grade change: decide or supersede it first"
        )


class DuplicateFollowupSource(ConflictError):
    def __init__(self, channel: str | None = None, ts: str | None = None) -> None:
        self.channel = channel
        self.ts = ts
        super().__init__(
            f"这条 Slack 消息（{channel} {ts}）已记录为跟进 / "
            f"the Slack message {channel} {ts} is already logged as a follow-up"
        )
